// The signed-in application shell: sidebar, conversation view, connection banner, toasts, the
// screen-reader live region and notifications. Renders are batched to one per animation frame.

import { h, icon } from '../dom.js';
import { preview } from '../format.js';
import { messageSummary } from '../media.js';
import { Sidebar } from './sidebar.js';
import { ConversationView } from './conversation.js';
import { newChatDialog, newGroupDialog } from './dialogs.js';
import { accountSettingsDialog } from './settings.js';
import { Blocks } from './safety.js';

export class App {
  constructor({ root, client, store, connection, push, onSignOut }) {
    this.root = root;
    this.push = push;
    this.client = client;
    this.store = store;
    this.conn = connection;
    this.onSignOut = onSignOut;
    this.activeId = null;
    this.renderQueued = false;

    this.banner = h('div', { class: 'banner', role: 'status', 'data-testid': 'connection-banner', hidden: true });
    this.live = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'false', 'data-testid': 'live-region' });
    this.toasts = h('div', { class: 'toasts', role: 'alert' });
    this.blocks = new Blocks(client.api); // who this account blocks (ui/safety.js)
    this.blocks.addEventListener('change', () => this.queueRender());
    this.blocks.load().catch(() => {});
    this.sidebar = new Sidebar(this);
    this.chat = new ConversationView(this);
    this.placeholder = h('section', { class: 'placeholder' },
      h('div', { class: 'placeholder-inner' },
        h('span', { class: 'logo big', 'aria-hidden': 'true' }),
        h('h2', {}, 'Welcome to Parley'),
        h('p', {}, 'Pick a conversation on the left, or start a new one.'),
        h('div', { class: 'placeholder-actions' },
          h('button', { type: 'button', class: 'button primary', onclick: () => this.newChat() }, icon('chat'), 'New chat'),
          h('button', { type: 'button', class: 'button ghost', onclick: () => this.newGroup() }, icon('group'), 'New group'))));
    this.main = h('div', { class: 'main' }, this.placeholder);
    this.shell = h('div', { class: 'shell', 'data-testid': 'app' }, this.sidebar.el, this.main, this.chat.thread.el);
    root.replaceChildren(h('div', { class: 'app' }, this.banner, this.shell, this.live, this.toasts));

    store.addEventListener('change', () => this.queueRender());
    connection.addEventListener('state', (ev) => this.renderBanner(ev.detail));
    client.addEventListener('incoming', (ev) => this.onIncoming(ev.detail));
    client.addEventListener('toast', (ev) => this.toast(ev.detail.message));
    document.addEventListener('visibilitychange', () => { if (this.activeId) this.client.markRead(this.activeId); });
    window.addEventListener('popstate', () => this.fromLocation());
    this.tickTimer = setInterval(() => this.queueRender(), 15_000); // relative times, typing expiry
    this.renderBanner({ state: connection.state });
    this.fromLocation();
    this.queueRender();
  }

  /** The open conversation is kept in the URL fragment (never anything secret) so reload returns to it. */
  fromLocation() {
    const m = location.hash.match(/^#\/c\/([^/]+)$/);
    if (m) this.openConversation(decodeURIComponent(m[1]), { push: false });
    else if (this.activeId) this.closeConversation({ push: false });
  }

  queueRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  render() {
    this.sidebar.render();
    if (this.activeId) {
      if (!this.store.conversations.has(this.activeId) && this.client.listLoaded) this.closeConversation();
      else this.chat.render();
    }
    // Someone is typing: look again soon so the indicator goes away if their stop frame is lost.
    const typing = [...this.store.typing.keys()].some((id) => this.store.typingUsers(id).length);
    if (typing) setTimeout(() => this.queueRender(), 1000);
  }

  async openConversation(id, { push = true } = {}) {
    this.activeId = id;
    if (push && location.hash !== `#/c/${encodeURIComponent(id)}`) history.pushState(null, '', `#/c/${encodeURIComponent(id)}`);
    if (this.main.firstChild !== this.chat.el) this.main.replaceChildren(this.chat.el);
    this.shell.classList.add('has-active');
    this.queueRender();
    if (!this.store.conversations.has(id)) {
      // Deep link before the list arrived: wait for it.
      const wait = () => {
        if (this.store.conversations.has(id)) { this.store.removeEventListener('change', wait); if (this.activeId === id) this.chat.open(id); }
      };
      this.store.addEventListener('change', wait);
      return;
    }
    await this.chat.open(id);
  }

  /** Opens a conversation at one message (from search): older pages load until it is there. */
  async openMessage(id, seq) {
    await this.openConversation(id);
    await this.chat.reveal(seq);
  }

  closeConversation({ push = true } = {}) {
    if (this.activeId) this.client.stopTyping(this.activeId);
    this.activeId = null;
    this.client.close();
    this.chat.convId = null;
    this.chat.thread.close();
    this.main.replaceChildren(this.placeholder);
    this.shell.classList.remove('has-active');
    if (push && location.hash) history.pushState(null, '', location.pathname);
    this.queueRender();
    this.sidebar.list.querySelector('.conv')?.focus();
  }

  async newChat() {
    const id = await newChatDialog(this.client);
    if (id) this.openConversation(id);
  }

  async newGroup() {
    const id = await newGroupDialog(this.client);
    if (id) this.openConversation(id);
  }

  signOut() {
    this.onSignOut();
  }

  /** Name, password, signed-in devices and account deletion. */
  accountSettings() {
    accountSettingsDialog(this);
  }

  renderBanner({ state, retryAt }) {
    clearInterval(this.bannerTimer);
    const b = this.banner;
    b.dataset.state = state;
    if (state === 'online') {
      if (this.wasOffline) {
        b.replaceChildren(h('span', {}, 'Back online'));
        b.className = 'banner ok';
        b.hidden = false;
        setTimeout(() => { if (this.conn.state === 'online') b.hidden = true; }, 1800);
      } else b.hidden = true;
      this.wasOffline = false;
      return;
    }
    if (state === 'stopped') { b.hidden = true; return; }
    this.wasOffline = this.wasOffline || state === 'waiting';
    const draw = () => {
      const secs = Math.max(0, Math.ceil(((retryAt || 0) - Date.now()) / 1000));
      const pending = [...this.store.conversations.values()].reduce((n, c) => n + c.pending.size, 0);
      b.className = 'banner warn';
      b.hidden = false;
      b.replaceChildren(
        h('span', { class: 'spinner', 'aria-hidden': 'true' }),
        h('span', {}, state === 'connecting' ? 'Connecting…' : `Offline. Reconnecting in ${secs}s`),
        pending ? h('span', { class: 'banner-sub' }, ` · ${pending} message${pending === 1 ? '' : 's'} waiting to send`) : null,
        state === 'waiting' ? h('button', { type: 'button', class: 'link', onclick: () => this.conn.retryNow() }, 'Retry now') : null);
    };
    // A brief "connecting" at start-up is not worth a banner; a lost connection is.
    if (state === 'connecting' && !this.wasOffline) { b.hidden = true; return; }
    draw();
    if (state === 'waiting') this.bannerTimer = setInterval(draw, 1000);
  }

  onIncoming({ conv, entry }) {
    if (this.blocks.has(entry.senderId)) return;
    const name = this.store.userName(entry.senderId);
    const text = preview(messageSummary(entry.body, entry.attachments, this.client.media), 140);
    const visible = document.visibilityState === 'visible';
    if (conv.id === this.activeId) {
      this.announce(`${name}: ${text}`);
      this.chat.noteIncoming();
    } else {
      this.announce(`New message from ${name} in ${this.store.titleOf(conv)}`);
    }
    if (!visible && 'Notification' in window && Notification.permission === 'granted') {
      const title = conv.kind === 'group' ? `${name} · ${this.store.titleOf(conv)}` : name;
      const n = new Notification(title, { body: text, tag: conv.id, renotify: true, icon: '/icon.svg' });
      n.onclick = () => { window.focus(); this.openConversation(conv.id); n.close(); };
    }
  }

  announce(text) {
    this.live.append(h('p', {}, text));
    while (this.live.childElementCount > 5) this.live.firstChild.remove();
  }

  toast(message) {
    const t = h('div', { class: 'toast' }, message);
    this.toasts.append(t);
    setTimeout(() => t.remove(), 4000);
  }

  destroy() {
    clearInterval(this.tickTimer);
    clearInterval(this.bannerTimer);
  }
}
