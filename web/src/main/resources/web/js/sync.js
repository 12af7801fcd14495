// The receiving half of the client: keeps the Store up to date with the server. The conversation list
// (GET /v1/conversations, then only what changed since the last syncToken), the catch-up after every
// (re)connect (`sync` pages from the end of each loaded conversation's contiguous window, so a reconnect
// resumes exactly after the last seq held), history pages, the frames the server pushes (message,
// receipt, typing, presence, conversation) and the delivery receipts for what landed. The socket itself,
// `hello`, heartbeat and reconnection with backoff, is the Connection's (connection.js); client.js calls
// catchUp() on each of its `welcome` events.

import { isMessage } from './store.js';

export const SYNC_PAGE = 200;
export const HISTORY_PAGE = 50;

export class Sync {
  /**
   * @param api the HTTP API (api.js): conversations, conversation, messagesBefore, user
   * @param conn the Connection (connection.js): online, send, request
   * @param store the Store (store.js)
   * @param e2ee the E2ee groups (e2ee/groups.js): catchUp(id), decorate(conv)
   * @param hooks the coordinator's side: activeId() the open conversation; closed(id) it was taken away;
   *   markRead(id); incoming(conv, entry) a message from someone else arrived live; afterList() the list is
   *   caught up after a (re)connect
   */
  constructor({ api, conn, store, e2ee, hooks }) {
    this.api = api;
    this.conn = conn;
    this.store = store;
    this.e2ee = e2ee;
    this.hooks = hooks;
    this.syncing = new Map(); // conversationId -> promise of the sync under way
    this.listLoaded = false;
  }

  // ---- catch-up -------------------------------------------------------------------------------

  /** After every welcome: the list, receipts and e2ee logs, then every loaded conversation from where it ends. */
  async catchUp() {
    await this.refreshList();
    // Everything the list told us about is now on this device (the list may have been fetched
    // before the socket was up, when acknowledgements could not be sent).
    for (const c of this.store.conversations.values()) this.ackDelivered(c, c.lastSeq);
    // Every e2ee group follows its log, opened or not: Welcomes are joined and Commits applied in order.
    for (const c of this.store.conversations.values()) if (c.e2ee) this.e2ee.catchUp(c.id);
    this.hooks.afterList?.();
    const loaded = [...this.store.conversations.values()].filter((c) => c.loaded);
    await Promise.all(loaded.map((c) => this.syncConversation(c.id)));
    if (this.hooks.activeId()) {
      const active = this.store.conversations.get(this.hooks.activeId());
      if (active && !active.loaded) await this.loadLatest(active.id); // opened while offline
      const id = this.hooks.activeId();
      const view = await this.api.conversation(id).catch(() => null);
      if (view) this.store.upsertConversation(view);
      this.hooks.markRead(this.hooks.activeId());
    }
  }

  /** Fetches the conversation list, or only what changed since the last syncToken. */
  async refreshList() {
    const since = this.listLoaded ? this.store.syncToken : null;
    const res = await this.api.conversations(since);
    for (const view of res.conversations || []) {
      const conv = this.store.upsertConversation(view);
      this.ackDelivered(conv, conv.lastSeq);
    }
    for (const id of res.removed || []) this.store.removeConversation(id);
    this.store.setSyncToken(res.syncToken);
    this.listLoaded = true;
    await this.ensureUsers([...this.store.conversations.values()].flatMap((c) => c.members));
    this.store.changed(null);
  }

  /** Pulls every entry after the contiguous window of a loaded conversation (sync frames). */
  syncConversation(id) {
    if (this.syncing.has(id)) return this.syncing.get(id);
    const run = (async () => {
      try {
        for (;;) {
          const conv = this.store.conversations.get(id);
          if (!conv || !this.conn.online) return;
          const res = await this.conn.request({ t: 'sync', conversationId: id, afterSeq: conv.highSeq, limit: SYNC_PAGE });
          this.ingest(conv, res.messages || [], false);
          if (!res.hasMore || !(res.messages || []).length) return;
        }
      } finally {
        this.syncing.delete(id);
      }
    })();
    this.syncing.set(id, run);
    return run.catch(() => {});
  }

  /** The newest page of a conversation (on first opening it), then whatever is newer by sync. */
  async loadLatest(id) {
    const conv = this.store.conversations.get(id);
    if (!conv || conv.loaded) return;
    const res = await this.api.messagesBefore(id, conv.lastSeq + 1, HISTORY_PAGE);
    this.ingest(conv, res.messages || [], false);
    conv.markLoaded(res.hasMore);
    this.store.changed(id);
    if (this.conn.online) await this.syncConversation(id);
  }

  /** Scroll-back: the page before the oldest entry held. Returns the number of entries added. */
  async loadOlder(id) {
    const conv = this.store.conversations.get(id);
    if (!conv || !conv.hasOlder || !conv.lowSeq) return 0;
    const res = await this.api.messagesBefore(id, conv.lowSeq, HISTORY_PAGE);
    const added = this.ingest(conv, res.messages || [], false);
    conv.olderLoaded(res.hasMore);
    this.store.changed(id);
    return added.length;
  }

  // ---- live frames ----------------------------------------------------------------------------

  onFrame(f) {
    switch (f.t) {
      case 'message': return this.onLiveMessage(f);
      case 'receipt': return this.onReceipt(f);
      case 'typing':
        if (f.userId !== this.store.me.userId) this.store.setTyping(f.conversationId, f.userId, f.state === 'start');
        return;
      case 'presence': return this.store.setPresence(f.userId, f.state, f.lastSeenMs);
      case 'conversation': return this.onConversation(f);
      default: return;
    }
  }

  onLiveMessage(entry) {
    const conv = this.store.conversations.get(entry.conversationId);
    if (!conv) {
      // A conversation we do not know yet: fetch it, then its entries come with it.
      this.api.conversation(entry.conversationId).then((view) => this.onConversation(view)).catch(() => {});
      return;
    }
    const gap = conv.loaded && conv.highSeq && entry.seq > conv.highSeq + 1;
    const added = this.ingest(conv, [entry], true);
    if (gap) this.syncConversation(conv.id);
    for (const e of added) {
      if (isMessage(e) && e.senderId !== this.store.me.userId) {
        this.store.setTyping(conv.id, e.senderId, false);
        this.hooks.incoming(conv, e);
      }
    }
  }

  /**
   * Adds entries to a conversation (any order, duplicates ignored), counts unread for live ones and
   * acknowledges delivery. Returns the entries that were new.
   */
  ingest(conv, entries, live, { fromE2ee = false } = {}) {
    const added = conv.addEntries(entries);
    if (!added.length) return added;
    if (conv.e2ee) {
      if (fromE2ee) this.decorate(conv.id);
      else this.e2ee.catchUp(conv.id);
    }
    if (live) conv.countUnread(added, this.store.me.userId);
    this.ackDelivered(conv, conv.lastSeq);
    this.ensureUsers(added.map((e) => e.senderId));
    this.store.changed(conv.id);
    if (conv.id === this.hooks.activeId()) this.hooks.markRead(conv.id);
    return added;
  }

  onReceipt(f) {
    const conv = this.store.conversations.get(f.conversationId);
    if (!conv) return;
    conv.applyReceipt(f.userId, f.deliveredSeq, f.readSeq);
    if (f.userId === this.store.me.userId) {
      // My other device read it: clear the badge here too.
      conv.readUpTo(f.userId, f.readSeq);
      conv.clearUnreadIfRead();
    }
    this.store.changed(conv.id);
  }

  /** A conversation's view (pushed, or fetched): updated, or removed when I am no longer a member. */
  onConversation(view) {
    const me = this.store.me.userId;
    if (view.members && !view.members.includes(me)) {
      this.store.removeConversation(view.conversationId);
      this.hooks.closed(view.conversationId);
      return;
    }
    const conv = this.store.upsertConversation(view);
    if (conv?.e2ee) this.e2ee.catchUp(conv.id);
    this.ensureUsers(view.members || []);
  }

  /** Sends my delivery receipt up to `seq` (when connected; the next catch-up sends it otherwise). */
  ackDelivered(conv, seq) {
    if (conv.request) return; // a message request gets no receipts until accepted (ui/requests.js)
    if (seq > conv.deliveredSeq && this.conn.send({ t: 'delivered', conversationId: conv.id, seq })) {
      conv.setDelivered(seq);
    }
  }

  // ---- people and decryption ------------------------------------------------------------------

  /** Fetches the profiles of the users not known yet (each once; a failure is tried again next time). */
  async ensureUsers(ids) {
    const missing = this.store.claimUnknownUsers(ids);
    if (!missing.length) return;
    await Promise.all(missing.map(async (id) => {
      try {
        this.store.setUser(await this.api.user(id));
      } catch {
        this.store.forgetUser(id);
      }
    }));
    this.store.changed(null);
  }

  /** Puts decrypted text (or "undecryptable") on the entries of an e2ee conversation, then re-renders. */
  decorate(id) {
    const conv = this.store.conversations.get(id);
    if (!conv) return;
    this.e2ee.decorate(conv).then(() => this.store.changed(id)).catch(() => {});
  }
}
