// The coordinator between the wire, the state and the UI. Two halves do the work:
//   sync.js    receiving: the conversation list, catch-up after every (re)connect, history pages, live
//              frames, delivery receipts (Sync)
//   sender.js  sending: the outbox, uploads, sends with retries and acknowledgements, reactions, edits,
//              deletes (Sender)
// This file wires them to the Connection, the Store and the e2ee groups, and keeps what belongs to the
// open screen: which conversation is open, read receipts, typing, creating conversations. The UI calls
// the methods here and listens to the Store, which changes only through its own methods (store.js).

import { Sync } from './sync.js';
import { Sender } from './sender.js';
import { MediaLinks } from './media.js';
import { E2ee } from './e2ee/groups.js';
import { removeRevoked } from './e2ee/members.js';

const TYPING_RESEND_MS = 3000;
const TYPING_IDLE_MS = 4000;

/**
 * Events: `incoming` (detail: {conv, entry}) for each new text/media entry from someone else
 * received live; `toast` (detail: {message}) for things the user should know about;
 * `upload-progress` (detail: {clientMsgId, loaded, total}).
 */
export class Client extends EventTarget {
  constructor({ session, api, store, connection }) {
    super();
    this.session = session;
    this.api = api;
    this.store = store;
    this.conn = connection;
    this.media = new MediaLinks(api, () => this.store.changed(null));
    this.activeId = null;
    this.readBlocked = null;      // (id) => true while the UI cannot show the newest entries (ui/conversation.js)
    this.typingState = new Map(); // conversationId -> {sentAt, idleTimer}
    // End-to-end encryption: its catch-ups hand the entries they fetched to the Store like any sync.
    this.e2ee = new E2ee({
      session, api, connection,
      onEntries: (id, entries) => {
        const conv = this.store.conversations.get(id);
        if (conv) this.sync.ingest(conv, entries, false, { fromE2ee: true });
      },
      onChange: (id) => this.sync.decorate(id),
    });
    this.sync = new Sync({
      api, conn: connection, store, e2ee: this.e2ee,
      hooks: {
        activeId: () => this.activeId,
        closed: (id) => { if (this.activeId === id) this.activeId = null; },
        markRead: (id) => this.markRead(id),
        incoming: (conv, entry) => this.dispatchEvent(new CustomEvent('incoming', { detail: { conv, entry } })),
        afterList: () => removeRevoked(this.e2ee).catch((e) => console.warn('e2ee: removing revoked devices failed', e)),
      },
    });
    this.sender = new Sender({
      session, api, conn: connection, store, sync: this.sync, e2ee: this.e2ee, media: this.media,
      hooks: {
        activeId: () => this.activeId,
        toast: (message) => this.toast(message),
        progress: (detail) => this.dispatchEvent(new CustomEvent('upload-progress', { detail })),
      },
    });

    this.conn.addEventListener('welcome', () => this.onWelcome());
    this.conn.addEventListener('frame', (ev) => this.sync.onFrame(ev.detail));
    this.conn.addEventListener('state', (ev) => {
      if (ev.detail.state !== 'online') {
        this.sender.connectionLost();
        this.store.presenceUnknown();
      }
    });
  }

  /** The uploads of this page (clientMsgId -> progress), for the pending messages' progress bars. */
  get uploads() {
    return this.sender.uploads;
  }

  /** True once the conversation list has been fetched. */
  get listLoaded() {
    return this.sync.listLoaded;
  }

  async start() {
    await this.sender.restore();
    this.sync.refreshList().catch(() => {});
    this.conn.start();
  }

  /** Every (re)connect: catch up from where the Store ends, then send what the outbox holds. */
  async onWelcome() {
    try {
      await this.sync.catchUp();
    } catch (e) {
      // The socket may have dropped again; the next welcome retries.
    }
    this.sender.flush();
  }

  // ---- reading --------------------------------------------------------------------------------

  async open(id) {
    this.activeId = id;
    const conv = this.store.conversations.get(id);
    if (!conv) return;
    if (!conv.loaded) await this.sync.loadLatest(id);
    else if (this.conn.online) this.sync.syncConversation(id);
  }

  close() {
    this.activeId = null;
  }

  /** Scroll-back: the page before the oldest entry held. Returns the number of entries added. */
  loadOlder(id) {
    return this.sync.loadOlder(id);
  }

  /** Marks everything held in the active conversation as read, if the user can actually see it. */
  markRead(id) {
    const conv = this.store.conversations.get(id);
    if (!conv || id !== this.activeId || document.visibilityState !== 'visible') return;
    if (this.readBlocked && this.readBlocked(id)) return;
    const seq = conv.highestMessageSeq();
    if (seq > conv.readSeq && this.conn.send({ t: 'read', conversationId: id, seq })) {
      conv.readUpTo(this.store.me.userId, seq);
    }
    if (conv.clearUnreadIfRead()) this.store.changed(id);
  }

  /** A conversation's view, pushed or fetched by the UI after a change (ui/group-info.js, ui/e2ee-members.js). */
  onConversation(view) {
    this.sync.onConversation(view);
  }

  ensureUsers(ids) {
    return this.sync.ensureUsers(ids);
  }

  // ---- writing (sender.js) --------------------------------------------------------------------

  sendMessage(conversationId, body, options) {
    const queued = this.sender.sendMessage(conversationId, body, options);
    this.stopTyping(conversationId);
    return queued.then(() => {});
  }

  retry(conversationId, clientMsgId) {
    return this.sender.retry(conversationId, clientMsgId);
  }

  discard(conversationId, clientMsgId) {
    return this.sender.discard(conversationId, clientMsgId);
  }

  react(conversationId, target, emoji, on) {
    return this.sender.react(conversationId, target, emoji, on);
  }

  edit(conversationId, target, body) {
    return this.sender.edit(conversationId, target, body);
  }

  delete(conversationId, target) {
    return this.sender.delete(conversationId, target);
  }

  // ---- typing ---------------------------------------------------------------------------------

  /** Called on every keystroke in a composer: sends `start` at most every few seconds, `stop` when idle. */
  typing(conversationId) {
    const st = this.typingState.get(conversationId) || { sentAt: 0, idleTimer: null };
    const now = Date.now();
    if (now - st.sentAt > TYPING_RESEND_MS) {
      if (this.conn.send({ t: 'typing', conversationId, state: 'start' })) st.sentAt = now;
    }
    clearTimeout(st.idleTimer);
    st.idleTimer = setTimeout(() => this.stopTyping(conversationId), TYPING_IDLE_MS);
    this.typingState.set(conversationId, st);
  }

  stopTyping(conversationId) {
    const st = this.typingState.get(conversationId);
    if (!st) return;
    clearTimeout(st.idleTimer);
    this.typingState.delete(conversationId);
    if (st.sentAt) this.conn.send({ t: 'typing', conversationId, state: 'stop' });
  }

  // ---- new conversations ----------------------------------------------------------------------

  async startDirect(handle, { e2ee = false } = {}) {
    const user = await this.api.userByHandle(handle.replace(/^@/, '').trim());
    if (user.userId === this.store.me.userId) throw new Error('That is you. Pick someone else.');
    this.store.setUser(user);
    const view = await this.api.createConversation('direct', [user.userId], undefined, e2ee);
    return this.adoptCreated(view, e2ee);
  }

  async createGroup(title, handles, { e2ee = false } = {}) {
    const users = [];
    for (const handle of handles) {
      const clean = handle.replace(/^@/, '').trim();
      if (!clean) continue;
      try {
        users.push(await this.api.userByHandle(clean));
      } catch (e) {
        if (e.status === 404) throw new Error(`No one is called @${clean}.`);
        throw e;
      }
    }
    for (const u of users) this.store.setUser(u);
    const view = await this.api.createConversation('group', users.map((u) => u.userId), title, e2ee);
    return this.adoptCreated(view, e2ee);
  }

  async adoptCreated(view, e2ee = false) {
    // The creation answer is a subset of a ConversationView; the full one carries receipts and watermarks.
    const full = await this.api.conversation(view.conversationId).catch(() => view);
    this.store.upsertConversation({ ...view, ...full });
    const members = full.members || view.members || [];
    await this.ensureUsers(members);
    // A new e2ee conversation (epoch 0: no Commit yet, not an existing one handed back) gets its MLS group here.
    if (e2ee && full.e2ee && !full.epoch) {
      const { unreachable } = await this.e2ee.establish(view.conversationId, members);
      this.e2ee.catchUp(view.conversationId);
      if (unreachable.length) {
        await this.ensureUsers(unreachable);
        const names = unreachable.map((id) => this.store.userName(id)).join(', ');
        this.toast(`${names} cannot read this conversation yet: no device of theirs has set up encryption.`);
      }
    }
    return view.conversationId;
  }

  toast(message) {
    this.dispatchEvent(new CustomEvent('toast', { detail: { message } }));
  }
}
