// The open conversation: header (peer, presence or typing), the scrolling timeline with
// scroll-back paging, "jump to latest", the composer, and the thread panel.

import { h, icon, reconcile } from '../dom.js';
import { lastSeen } from '../format.js';
import { Composer } from './composer.js';
import { QUICK_REACTIONS, avatar, timelineItems, updateProgress } from './messages.js';
import { confirmDialog } from './dialogs.js';
import { groupInfoDialog } from './group-info.js';
import { openViewer } from './viewer.js';
import { messageSummary } from '../media.js';
import { e2eeMembersButton } from './e2ee-members.js';
import { blockedItem, blockedNotice, headerButton, messageMenu } from './safety.js';
import { RequestPanel } from './requests.js';
import { safetyNumberButton } from './safety-number.js';

const BOTTOM_SLACK = 80;
const TOP_LOAD_PX = 240;

export class ConversationView {
  constructor(app) {
    this.app = app;
    this.client = app.client;
    this.store = app.store;
    this.convId = null;
    this.unreadFrom = null;
    this.newBelow = 0;
    this.loadingOlder = false;
    this.threadRoot = null;
    this.highlight = null;

    this.titleEl = h('h2', { class: 'chat-title', 'data-testid': 'chat-title' });
    this.subtitleEl = h('div', { class: 'chat-subtitle', 'data-testid': 'chat-subtitle' });
    this.avatarSlot = h('div', { class: 'chat-avatar' });
    this.infoButton = h('button', {
      type: 'button', class: 'icon-button group-info-button', 'aria-label': 'Group info', title: 'Group info', hidden: true,
      'data-testid': 'group-info-open', onclick: () => groupInfoDialog(app, this.convId),
    }, icon('group'));
    this.header = h('header', { class: 'chat-header' },
      h('button', { type: 'button', class: 'icon-button back', 'aria-label': 'Back to conversations', onclick: () => app.closeConversation() }, icon('back')),
      this.avatarSlot, h('div', { class: 'chat-heading' }, this.titleEl, this.subtitleEl),
      h('div', { class: 'chat-header-actions' }, this.infoButton,
        this.headerTools = h('span', { class: 'chat-header-tools' }),
        this.menuButton = headerButton(app, document.body, () => this.peer())));

    this.loader = h('div', { class: 'history-loader', 'aria-hidden': 'true' });
    this.list = h('div', { class: 'timeline-list' });
    this.timeline = h('div', {
      class: 'timeline', role: 'log', 'aria-label': 'Messages', 'aria-live': 'off', tabindex: '0',
      'data-testid': 'timeline', onscroll: () => this.onScroll(),
    }, this.loader, this.list);
    this.jumpCount = h('span', { class: 'jump-count', hidden: true });
    this.jump = h('button', {
      type: 'button', class: 'jump', hidden: true, 'aria-label': 'Jump to latest messages', 'data-testid': 'jump-latest',
      onclick: () => this.scrollToBottom(true),
    }, icon('down'), this.jumpCount);
    this.typingEl = h('div', { class: 'typing-row', 'aria-live': 'polite', 'data-testid': 'typing' });

    this.composer = new Composer({
      onSend: (body, opts) => { this.client.sendMessage(this.convId, body, opts); this.stickToBottom = true; },
      onEdit: (seq, body) => this.client.edit(this.convId, seq, body),
      onTyping: () => this.client.typing(this.convId),
      onStopTyping: () => this.client.stopTyping(this.convId),
      onEditLast: () => this.editLast(),
      describe: (seq) => this.describe(seq),
      onNotice: (text) => this.client.toast(text),
    });

    this.blockedSlot = h('div', { hidden: true });
    this.e2eeText = h('span', {});
    this.e2eeNote = h('div', { class: 'e2ee-note', hidden: true, role: 'note', 'data-testid': 'e2ee-note' }, icon('lock'), this.e2eeText);
    this.thread = new ThreadPanel(this);
    this.dropZone = h('div', { class: 'drop-zone', hidden: true, 'aria-hidden': 'true' },
      h('div', { class: 'drop-zone-inner' }, icon('attach'), h('strong', {}, 'Drop files to attach'),
        h('span', {}, 'Photos, video, audio, PDF or text')));
    this.el = h('section', { class: 'chat', 'aria-label': 'Conversation' },
      this.header,
      h('div', { class: 'timeline-wrap' }, this.timeline, this.jump),
      this.typingEl, this.composer.el, this.blockedSlot, this.e2eeNote, this.dropZone);
    this.requestPanel = new RequestPanel(this);
    this.el.insertBefore(this.requestPanel.el, this.e2eeNote);
    this.setUpDrop();

    // Images and file cards get their size when their details arrive: stay at the bottom if the
    // user was there, so a photo loading does not push the newest messages out of view.
    this.pinned = true;
    if ('ResizeObserver' in window) {
      new ResizeObserver(() => { if (this.pinned && this.convId) this.timeline.scrollTop = this.timeline.scrollHeight; }).observe(this.list);
    }
    this.client.addEventListener('upload-progress', (ev) => {
      const { clientMsgId, loaded, total } = ev.detail;
      updateProgress(this.el, clientMsgId, loaded, total);
      updateProgress(this.thread.el, clientMsgId, loaded, total);
    });

    this.client.readBlocked = (id) => this.requestPanel.blocksRead(id) || !this.isAtBottom();
    this.actions = {
      react: (seq, emoji, on) => this.client.react(this.convId, seq, emoji, on),
      pickReaction: (seq, anchor) => this.pickReaction(seq, anchor),
      reply: (seq) => this.composer.startReply(seq),
      edit: (seq) => this.startEdit(seq),
      remove: (seq) => this.remove(seq),
      openThread: (seq) => this.thread.open(seq),
      jumpTo: (seq) => this.jumpTo(seq),
      retry: (id) => this.client.retry(this.convId, id),
      discard: (id) => this.client.discard(this.convId, id),
      openMedia: (mediaId, name) => openViewer(this.client.media, mediaId, name),
      notice: (text) => this.client.toast(text),
      menu: (seq, senderId, anchor) => messageMenu(app, document.body, anchor, this.convId, seq, senderId),
    };
  }

  /** The other person of a direct conversation (null in groups). */
  peer() {
    const conv = this.conv;
    return conv && conv.kind !== 'group' ? this.store.peerOf(conv) : null;
  }

  /** In a direct conversation with someone blocked, a notice with "Unblock" stands instead of the composer. */
  renderBlocked() {
    const peer = this.peer();
    const blocked = !!peer && this.app.blocks.has(peer);
    this.menuButton.hidden = !peer;
    if (blocked) this.composer.el.hidden = true;
    this.blockedSlot.hidden = !blocked;
    if (blocked && this.blockedSlot.dataset.peer !== peer) this.blockedSlot.replaceChildren(blockedNotice(this.app, peer));
    this.blockedSlot.dataset.peer = blocked ? peer : '';
  }

  /** Files dragged over the conversation can be dropped anywhere on it; they go to the composer's tray. */
  setUpDrop() {
    let depth = 0;
    const hasFiles = (ev) => [...(ev.dataTransfer?.types || [])].includes('Files');
    const canDrop = () => this.conv && (!this.conv.e2ee || !this.client.e2ee.problem);
    this.el.addEventListener('dragenter', (ev) => {
      if (!hasFiles(ev) || !canDrop()) return;
      ev.preventDefault();
      depth++;
      this.dropZone.hidden = false;
    });
    this.el.addEventListener('dragover', (ev) => {
      if (!hasFiles(ev) || !canDrop()) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
    });
    this.el.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (!depth) this.dropZone.hidden = true;
    });
    this.el.addEventListener('drop', (ev) => {
      depth = 0;
      this.dropZone.hidden = true;
      if (!hasFiles(ev) || !canDrop()) return;
      ev.preventDefault();
      const files = [...ev.dataTransfer.files];
      if (files.length) this.composer.addFiles(files);
    });
  }

  get conv() {
    return this.store.conversations.get(this.convId);
  }

  async open(id) {
    if (this.convId !== id) {
      if (this.convId) this.client.stopTyping(this.convId);
      this.convId = id;
      this.composer.cancelMode();
      this.composer.clearFiles();
      this.composer.input.value = '';
      this.pinned = true;
      this.thread.close();
      this.list.replaceChildren();
      this.newBelow = 0;
      const conv = this.conv;
      this.unreadFrom = conv && conv.unread > 0 ? conv.readSeq : null;
      this.firstPaint = true;
    }
    this.render();
    this.composer.focus();
    try {
      await this.client.open(id);
    } catch {
      // Offline: the conversation loads after the next welcome.
    }
    this.render();
  }

  isAtBottom() {
    const t = this.timeline;
    return t.scrollHeight - t.scrollTop - t.clientHeight < BOTTOM_SLACK;
  }

  scrollToBottom(smooth) {
    this.pinned = true;
    this.timeline.scrollTo({ top: this.timeline.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    this.newBelow = 0;
    this.updateJump();
    if (!smooth) this.client.markRead(this.convId);
  }

  onScroll() {
    this.pinned = this.isAtBottom();
    if (this.pinned) {
      this.newBelow = 0;
      this.client.markRead(this.convId);
    }
    this.updateJump();
    if (this.timeline.scrollTop < TOP_LOAD_PX) this.loadOlder();
  }

  async loadOlder() {
    const conv = this.conv;
    if (this.loadingOlder || !conv || !conv.hasOlder) return;
    this.loadingOlder = true;
    this.loader.textContent = 'Loading earlier messages…';
    let added = 0;
    try {
      added = await this.client.loadOlder(conv.id);
    } catch {
      // offline: the next scroll tries again
    } finally {
      this.loadingOlder = false;
      this.loader.textContent = '';
      this.render();
    }
    // Still at the top (a tall window, or a page of mostly edits and reactions): keep going.
    if (added && this.conv === conv && conv.hasOlder && this.timeline.scrollTop < TOP_LOAD_PX) {
      setTimeout(() => this.loadOlder(), 0);
    }
  }

  updateJump() {
    const show = !this.isAtBottom();
    this.jump.hidden = !show;
    this.jumpCount.hidden = !this.newBelow;
    this.jumpCount.textContent = this.newBelow ? String(this.newBelow) : '';
  }

  render() {
    const conv = this.conv;
    if (!conv) return;
    this.renderHeader(conv);
    this.renderTyping(conv);
    this.renderE2ee(conv);
    this.renderBlocked();
    this.requestPanel.render(conv);
    this.renderTimeline(conv);
    this.thread.render();
  }

  renderHeader(conv) {
    const title = this.store.titleOf(conv);
    this.titleEl.replaceChildren(...(conv.e2ee ? [h('span', {
      class: 'lock-mark', title: 'End-to-end encrypted: only the members’ devices can read these messages', 'data-testid': 'e2ee-mark',
    }, icon('lock'))] : []), title);
    const peer = this.store.peerOf(conv);
    this.infoButton.hidden = conv.kind !== 'group';
    this.avatarSlot.replaceChildren(conv.kind === 'group'
      ? h('span', { class: 'avatar group', style: `--hue:${0}`, 'aria-hidden': 'true' }, icon('group'))
      : avatar(title, peer || conv.id));
    let sub;
    if (peer) {
      const p = this.store.presence.get(peer);
      const handle = this.store.users.get(peer)?.handle;
      // Without any presence news about the peer, their handle says more than a guess of "offline".
      sub = p?.state === 'online' ? 'online' : p?.lastSeenMs ? lastSeen(p.lastSeenMs)
        : handle && handle !== '…' ? `@${handle}` : '';
      this.subtitleEl.classList.toggle('online', p?.state === 'online');
    } else {
      const others = conv.members.filter((m) => m !== this.store.me.userId);
      const online = others.filter((m) => this.store.presence.get(m)?.state === 'online').length;
      sub = `${conv.members.length} members${online ? `, ${online} online` : ''}`;
      this.subtitleEl.classList.remove('online');
    }
    this.subtitleEl.textContent = sub;
    // e2ee: members change by Commits made here (ui/e2ee-members.js); the safety number (ui/safety-number.js).
    const inGroup = conv.e2ee && this.client.e2ee.statusOf(conv.id) === 'member';
    if (inGroup !== !!this.headerTools.firstChild || this.headerTools.dataset.conv !== conv.id) {
      this.headerTools.dataset.conv = conv.id;
      this.headerTools.replaceChildren(...(!inGroup ? [] : [safetyNumberButton(this.client, conv.id),
        ...(conv.kind === 'group' ? [e2eeMembersButton(this.client, conv.id)] : [])]));
    }
  }

  /**
   * An e2ee conversation can be written in once this device is in its MLS group (it joins from the
   * Welcome another member sent it); until then, or if this browser cannot do it, the note says why.
   * Attachments are offered when this browser can encrypt them (e2ee/files.js).
   */
  renderE2ee(conv) {
    const e2ee = this.client.e2ee;
    let note = null;
    if (conv.e2ee) {
      const status = e2ee.statusOf(conv.id);
      if (e2ee.problem) note = e2ee.problem;
      else if (status === 'none') note = 'Waiting for the encryption keys: another member’s device adds this one to the conversation.';
      else if (status === 'removed') note = 'This device was removed from the conversation’s encryption: it cannot read or send new messages.';
    }
    this.composer.el.hidden = !!note;
    this.composer.setAttachments?.(!conv.e2ee || !e2ee.problem); // e2ee files are encrypted here (e2ee/files.js)
    this.e2eeNote.hidden = !note;
    this.e2eeText.textContent = note || '';
  }

  renderTyping(conv) {
    const who = this.store.typingUsers(conv.id).map((u) => this.store.userName(u));
    const text = who.length === 0 ? '' : who.length === 1 ? `${who[0]} is typing`
      : who.length === 2 ? `${who[0]} and ${who[1]} are typing` : 'Several people are typing';
    if (this.typingEl.dataset.text === text) return;
    this.typingEl.dataset.text = text;
    this.typingEl.replaceChildren(...(text ? [h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), h('span', {}, text)] : []));
    this.typingEl.classList.toggle('active', !!text);
  }

  renderTimeline(conv) {
    const atBottom = this.isAtBottom();
    const anchor = this.findAnchor();
    const ctx = {
      store: this.store, conv, unreadFrom: this.unreadFrom, actions: this.actions, highlight: this.highlight,
      media: this.client.media, uploads: this.client.uploads,
      hide: (e) => (this.app.blocks.has(e.senderId) ? blockedItem(e) : null),
    };
    const entries = conv.timeline();
    const pendings = [...conv.pending.values()].filter((p) => !p.threadRoot).sort((a, b) => a.createdAtMs - b.createdAtMs);
    reconcile(this.list, timelineItems(ctx, entries, pendings));

    if (!conv.loaded && !entries.length && !pendings.length) {
      this.loader.textContent = 'Loading…';
    } else if (!entries.length && !pendings.length) {
      this.loader.replaceChildren(h('div', { class: 'empty-chat' },
        h('div', { class: 'empty-emoji', 'aria-hidden': 'true' }, '👋'),
        h('p', {}, `Say hello to ${this.store.titleOf(conv)}`)));
    } else if (!this.loadingOlder) {
      this.loader.replaceChildren(conv.hasOlder ? '' : h('div', { class: 'history-start' }, 'This is the beginning of the conversation'));
    }

    if (this.firstPaint && conv.loaded) {
      this.firstPaint = false;
      const marker = this.list.querySelector('[data-testid=unread-marker]');
      if (marker) marker.scrollIntoView({ block: 'start' });
      else this.scrollToBottom(false);
    } else if (this.stickToBottom || atBottom) {
      this.stickToBottom = false;
      this.scrollToBottom(false);
    } else if (anchor) {
      const node = this.list.querySelector(`[data-key="${CSS.escape(anchor.key)}"]`);
      if (node) this.timeline.scrollTop += node.offsetTop - anchor.top;
    }
    this.updateJump();
  }

  /** Counts messages arriving while the user is scrolled up (for the jump button badge). */
  noteIncoming() {
    if (!this.isAtBottom()) {
      this.newBelow++;
      this.updateJump();
    }
  }

  /** The first message at least partly in view; it stays put when older pages are prepended. */
  findAnchor() {
    const top = this.timeline.scrollTop;
    for (const node of this.list.children) {
      if (node.dataset.testid !== 'message') continue;
      if (node.offsetTop + node.offsetHeight > top) return { key: node.dataset.key, top: node.offsetTop };
    }
    return null;
  }

  describe(seq) {
    const f = this.conv?.folded(seq);
    if (!f) return { name: '', text: '' };
    return {
      name: this.store.userName(f.entry.senderId),
      text: f.deleted ? 'Deleted message' : messageSummary(f.body, f.entry.attachments, this.client.media),
    };
  }

  startEdit(seq) {
    const f = this.conv?.folded(seq);
    if (f && !f.deleted) this.composer.startEdit(seq, f.body || '');
  }

  editLast() {
    const me = this.store.me.userId;
    const mine = this.conv?.timeline().filter((e) => e.senderId === me && e.kind !== 'system').pop();
    if (!mine) return false;
    this.startEdit(mine.seq);
    return true;
  }

  async remove(seq) {
    const ok = await confirmDialog({
      title: 'Delete message?', text: 'It will be removed for everyone in this conversation.', confirm: 'Delete', danger: true,
    });
    if (ok) this.client.delete(this.convId, seq);
  }

  /** Loads older pages (a bounded number) until the entry at `seq` is there, then jumps to it. */
  async reveal(seq) {
    const conv = this.store.conversations.get(this.convId);
    // Land on the message: not on the newest one, nor on the unread marker of the first paint.
    this.pinned = false;
    this.firstPaint = false;
    // No early exit on a page that added nothing: the view's own scroll-back may have fetched it.
    for (let pages = 0; conv && !conv.entries.has(seq) && conv.hasOlder && pages < 40; pages++) {
      await this.client.loadOlder(conv.id);
    }
    this.render(); // a first render of an empty list counts as "at the bottom" and pins there
    this.pinned = false;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    this.jumpTo(seq, false);
  }

  // Instant for a jump from search: a smooth scroll would be cut short by the renders of the pages
  // that just arrived (each keeps its scroll anchor).
  jumpTo(seq, smooth = true) {
    const node = this.list.querySelector(`[data-seq="${seq}"]`);
    if (!node) return;
    node.scrollIntoView({ block: 'center', behavior: smooth ? 'smooth' : 'auto' });
    if (!smooth) this.pinned = this.isAtBottom(); // before the scroll event says so: a resize may come first
    this.highlight = seq;
    this.render();
    setTimeout(() => { if (this.highlight === seq) { this.highlight = null; this.render(); } }, 1600);
  }

  pickReaction(seq, anchor) {
    const close = () => { picker.remove(); document.removeEventListener('pointerdown', outside, true); anchor.focus(); };
    const outside = (ev) => { if (!picker.contains(ev.target)) close(); };
    const f = this.conv?.folded(seq);
    const mineOn = new Set((f?.reactions || []).filter((r) => r.users.includes(this.store.me.userId)).map((r) => r.emoji));
    const picker = h('div', {
      class: 'reaction-picker', role: 'menu', 'aria-label': 'Add a reaction', 'data-testid': 'reaction-picker',
      onkeydown: (ev) => {
        if (ev.key === 'Escape') close();
        const buttons = [...picker.querySelectorAll('button')];
        const i = buttons.indexOf(document.activeElement);
        if (ev.key === 'ArrowRight') buttons[(i + 1) % buttons.length].focus();
        if (ev.key === 'ArrowLeft') buttons[(i - 1 + buttons.length) % buttons.length].focus();
      },
    }, QUICK_REACTIONS.map((emoji) => h('button', {
      type: 'button', role: 'menuitem', 'aria-label': `React with ${emoji}`, 'data-emoji': emoji,
      class: mineOn.has(emoji) ? 'on' : '',
      onclick: () => { this.client.react(this.convId, seq, emoji, !mineOn.has(emoji)); close(); },
    }, emoji)));
    const rect = anchor.getBoundingClientRect();
    const host = this.el.getBoundingClientRect();
    picker.style.top = `${Math.max(8, rect.top - host.top - 52)}px`;
    picker.style.left = `${Math.min(Math.max(8, rect.left - host.left - 100), host.width - 290)}px`;
    this.el.append(picker);
    picker.querySelector('button').focus();
    setTimeout(() => document.addEventListener('pointerdown', outside, true));
  }
}

/** The side panel with one thread: its root message, the replies and a composer. */
class ThreadPanel {
  constructor(view) {
    this.view = view;
    this.root = null;
    this.list = h('div', { class: 'thread-list', role: 'log', 'aria-label': 'Thread replies' });
    this.countEl = h('div', { class: 'thread-sub' });
    this.composer = new Composer({
      onSend: (body, opts) => view.client.sendMessage(view.convId, body, { ...opts, threadRoot: this.root }),
      onEdit: (seq, body) => view.client.edit(view.convId, seq, body),
      onTyping: () => view.client.typing(view.convId),
      onEditLast: () => false,
      describe: (seq) => view.describe(seq),
      onNotice: (text) => view.client.toast(text),
    }, { placeholder: 'Reply in thread', label: 'Reply in thread', testId: 'thread-composer' });
    this.el = h('aside', { class: 'thread', 'aria-label': 'Thread', hidden: true, 'data-testid': 'thread' },
      h('header', { class: 'thread-header' },
        h('div', {}, h('h3', {}, 'Thread'), this.countEl),
        h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close thread', onclick: () => this.close() }, icon('close'))),
      this.list, this.composer.el);
    this.el.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && !this.composer.mode) this.close(); });
  }

  open(seq) {
    this.root = seq;
    this.el.hidden = false;
    this.view.app.shell.classList.add('has-thread');
    this.list.replaceChildren();
    this.render();
    this.composer.focus();
  }

  close() {
    this.root = null;
    this.el.hidden = true;
    this.view.app.shell.classList.remove('has-thread');
  }

  render() {
    const conv = this.view.conv;
    if (!this.root || !conv) return;
    const root = conv.entries.get(this.root);
    if (!root) return;
    const replies = conv.threadReplies(this.root);
    const pendings = [...conv.pending.values()].filter((p) => p.threadRoot === this.root);
    const ctx = {
      store: this.view.store, conv, unreadFrom: null, actions: this.view.actions, inThread: true,
      media: this.view.client.media, uploads: this.view.client.uploads,
    };
    const items = timelineItems(ctx, [root, ...replies], pendings);
    const count = replies.length + pendings.length;
    const rootAt = items.findIndex((i) => i.key.startsWith('m-') || i.key.startsWith('c-'));
    const label = count ? `${count} ${count === 1 ? 'reply' : 'replies'}` : 'No replies yet';
    items.splice(rootAt + 1, 0, { key: 'thread-sep', sig: label, build: () => h('div', { class: 'thread-sep' }, h('span', {}, label)) });
    reconcile(this.list, items);
    this.countEl.textContent = label;
    this.list.scrollTop = this.list.scrollHeight;
  }
}

