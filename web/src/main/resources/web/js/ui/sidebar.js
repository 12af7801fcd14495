// The conversation list: avatar with presence dot, title, last message preview, time and unread
// badge; a search box that filters the list by title and finds messages on the server; the
// notification prompt; buttons to start chats and groups.

import { h, icon, reconcile } from '../dom.js';
import { listTime, preview } from '../format.js';
import { SearchResults } from './search.js';
import { messageSummary } from '../media.js';
import { avatar } from './messages.js';
import { RequestsList } from './requests.js';

export class Sidebar {
  constructor(app) {
    this.app = app;
    this.store = app.store;
    this.filter = '';
    const me = this.store.me;
    this.list = h('ul', { class: 'conv-list', 'aria-label': 'Conversations', 'data-testid': 'conversation-list' });
    this.empty = h('div', { class: 'conv-empty', hidden: true },
      h('span', { class: 'empty-icon', 'aria-hidden': 'true' }, icon('chat')),
      h('p', {}, h('strong', {}, 'No conversations yet'), h('br'), 'Start one with someone’s handle.'),
      h('button', { type: 'button', class: 'button primary', onclick: () => app.newChat() }, 'Start a chat'));
    this.notifySlot = h('div');
    this.el = h('aside', { class: 'sidebar', 'aria-label': 'Conversations' },
      h('header', { class: 'sidebar-header' },
        h('div', { class: 'me' }, avatar(me.displayName || me.handle, me.userId),
          h('div', { class: 'me-text' },
            this.meName = h('strong', { 'data-testid': 'me-name' }, me.displayName || me.handle),
            h('span', {}, `@${me.handle}`))),
        h('div', { class: 'header-actions' },
          h('button', { type: 'button', class: 'icon-button', 'aria-label': 'New chat', title: 'New chat', 'data-testid': 'new-chat', onclick: () => app.newChat() }, icon('chat')),
          h('button', { type: 'button', class: 'icon-button', 'aria-label': 'New group', title: 'New group', 'data-testid': 'new-group', onclick: () => app.newGroup() }, icon('group')),
          h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Account settings', title: 'Account settings', 'data-testid': 'account-settings', onclick: () => app.accountSettings() }, icon('person')),
          h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Sign out', title: 'Sign out', 'data-testid': 'sign-out', onclick: () => app.signOut() }, icon('logout')))),
      h('div', { class: 'search' },
        icon('search'),
        h('input', {
          type: 'search', placeholder: 'Search chats and messages', 'aria-label': 'Search chats and messages',
          'data-testid': 'search-input',
          oninput: (ev) => {
            this.filter = ev.target.value.trim().toLowerCase();
            this.results.query(ev.target.value.trim());
            this.render();
          },
        })),
      this.notifySlot, (this.requests = new RequestsList(app)).el, this.list, this.empty);
    this.results = new SearchResults(app);
    this.el.append(this.results.el);
    this.renderNotifyPrompt();
  }

  renderNotifyPrompt() {
    const show = 'Notification' in window && Notification.permission === 'default'
      && localStorage.getItem('parley.notify.dismissed') !== '1';
    if (!show) { this.notifySlot.replaceChildren(); return; }
    this.notifySlot.replaceChildren(h('div', { class: 'notify-card', role: 'region', 'aria-label': 'Notifications' },
      icon('bell'),
      h('div', {}, h('strong', {}, 'Turn on notifications'), h('p', {}, 'Know when a message arrives while Parley is in the background.'),
        h('div', { class: 'notify-actions' },
          h('button', {
            type: 'button', class: 'button primary small',
            'data-testid': 'notify-on',
            onclick: async () => {
              await Notification.requestPermission().catch(() => {});
              this.renderNotifyPrompt();
              // Granted: also reach this device by push while Parley is closed.
              if (Notification.permission === 'granted') {
                await this.app.push?.enable().catch((e) => this.app.toast(`Push notifications are unavailable: ${e.message}`));
              }
            },
          }, 'Turn on'),
          h('button', {
            type: 'button', class: 'button ghost small',
            onclick: () => { localStorage.setItem('parley.notify.dismissed', '1'); this.renderNotifyPrompt(); },
          }, 'Not now')))));
  }

  render() {
    const store = this.store;
    this.meName.textContent = store.me.displayName || store.me.handle; // renamed in the account settings
    const me = store.me.userId;
    const all = this.requests.render(store.sortedConversations(), this.filter); // requests are listed apart
    const shown = all.filter((c) => !this.filter || store.titleOf(c).toLowerCase().includes(this.filter));
    this.empty.hidden = all.length > 0 || !this.requests.el.hidden;
    reconcile(this.list, shown.map((conv) => {
      const title = store.titleOf(conv);
      const peer = store.peerOf(conv);
      const online = peer && store.presence.get(peer)?.state === 'online';
      const pending = [...conv.pending.values()].sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
      const last = conv.lastMessage;
      const typing = store.typingUsers(conv.id);
      let line;
      if (typing.length) line = { text: conv.kind === 'group' ? `${store.userName(typing[0])} is typing…` : 'typing…', typing: true };
      else if (pending && (!last || pending.createdAtMs >= last.sentAtMs)) line = { text: `You: ${preview(messageSummary(pending.body, null, null, pending.files))}`, pending: true };
      else if (last && this.app.blocks?.has(last.senderId)) line = { text: 'Message from a blocked user', muted: true };
      else if (last) {
        const f = conv.entries.has(last.seq) ? conv.folded(last.seq)
          : { body: last.body, deleted: last.deleted, locked: conv.e2ee ? 'pending' : null };
        const who = last.senderId === me ? 'You: ' : conv.kind === 'group' ? `${store.userName(last.senderId)}: ` : '';
        line = { text: who + (f.deleted ? 'Message deleted' : f.locked ? 'Encrypted message'
          : preview(messageSummary(f.body, last.attachments, this.app.client.media))) };
      } else line = { text: conv.kind === 'group' ? 'Group created' : 'No messages yet', muted: true };
      const time = listTime(pending && (!last || pending.createdAtMs >= last.sentAtMs) ? pending.createdAtMs : last?.sentAtMs || conv.createdAtMs);
      const active = this.app.activeId === conv.id;
      const unread = active ? 0 : conv.unread;
      const sig = JSON.stringify([title, online, line, time, active, unread, conv.kind, conv.e2ee]);
      return {
        key: conv.id, sig,
        build: () => h('li', {},
          h('button', {
            type: 'button', class: `conv${active ? ' active' : ''}${unread ? ' has-unread' : ''}`,
            'aria-current': active ? 'true' : null, 'data-testid': 'conversation-item', 'data-conversation-id': conv.id,
            'aria-label': `${title}${unread ? `, ${unread} unread` : ''}. ${line.text}`,
            onclick: () => this.app.openConversation(conv.id),
          },
          h('span', { class: 'avatar-wrap' },
            conv.kind === 'group' ? h('span', { class: 'avatar group', 'aria-hidden': 'true' }, icon('group')) : avatar(title, peer || conv.id),
            online ? h('span', { class: 'presence-dot', title: 'online', 'data-testid': 'presence-dot' }) : null),
          h('span', { class: 'conv-main' },
            h('span', { class: 'conv-top' },
              h('span', { class: 'conv-title', 'data-testid': 'conversation-title' },
                conv.e2ee ? h('span', { class: 'lock-mark', title: 'End-to-end encrypted', 'data-testid': 'e2ee-mark' }, icon('lock')) : null, title),
              h('span', { class: 'conv-time' }, time)),
            h('span', { class: 'conv-bottom' },
              h('span', { class: `conv-preview${line.typing ? ' typing' : ''}${line.muted ? ' muted' : ''}` }, line.text),
              unread ? h('span', { class: 'badge', 'data-testid': 'unread-badge' }, unread > 99 ? '99+' : String(unread)) : null)))),
      };
    }));
  }
}
