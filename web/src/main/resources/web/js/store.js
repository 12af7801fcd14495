// Client-side state: conversations, the entries held for each, folding of edit/delete/reaction
// entries into their targets, receipts, presence and typing. Pure state, no I/O: the Client feeds
// it (sync.js, sender.js) and the UI reads it; both change it only through the methods here. Every entry is stored once, keyed by its seq, which is what makes
// at-least-once delivery show exactly once.

import { foldGroupChange } from './groups.js';

const MESSAGE_KINDS = new Set(['text', 'media']);
const CHANGE_KINDS = new Set(['edit', 'delete', 'reaction']);

export function isMessage(entry) {
  return MESSAGE_KINDS.has(entry.kind);
}

/** One conversation as this client knows it. */
export class ConversationState {
  constructor(view) {
    this.id = view.conversationId;
    this.entries = new Map();      // seq -> entry (every kind)
    this.changes = new Map();      // target seq -> [edit/delete/reaction entries]
    this.threads = new Map();      // root seq -> Set of reply seqs
    this.pending = new Map();      // clientMsgId -> outbox item not yet acknowledged
    this.lowSeq = 0;               // lowest seq of the contiguous window held (0: nothing held)
    this.highSeq = 0;              // highest seq of the contiguous window held
    this.loaded = false;           // the newest page has been fetched
    this.hasOlder = false;
    this.receipts = new Map();     // userId -> {deliveredSeq, readSeq}
    this.version = 0;              // bumped on every change, for cheap re-render checks
    this.applyView(view);
  }

  applyView(view) {
    this.kind = view.kind;
    this.title = view.title || '';
    this.members = view.members || [];
    this.roles = view.roles || null;                       // group roles {userId: role} (../groups.js)
    this.viewSeq = Math.max(this.viewSeq || 0, view.lastSeq || 0); // system entries up to here are in the view
    this.e2ee = !!view.e2ee;
    this.lastSeq = Math.max(this.lastSeq || 0, view.lastSeq || 0);
    this.readSeq = Math.max(this.readSeq || 0, view.readSeq || 0);
    this.deliveredSeq = Math.max(this.deliveredSeq || 0, view.deliveredSeq || 0);
    this.unread = view.unread ?? 0;
    this.createdAtMs = view.createdAtMs || this.createdAtMs || 0;
    this.request = view.request === true; // a message request for this user (ui/requests.js)
    if (view.lastMessage && (!this.lastMessage || view.lastMessage.seq >= this.lastMessage.seq)) {
      this.lastMessage = view.lastMessage;
    }
    for (const r of view.receipts || []) this.applyReceipt(r.userId, r.deliveredSeq, r.readSeq);
    this.version++;
  }

  applyReceipt(userId, deliveredSeq, readSeq) {
    const old = this.receipts.get(userId) || { deliveredSeq: 0, readSeq: 0 };
    this.receipts.set(userId, {
      deliveredSeq: Math.max(old.deliveredSeq, deliveredSeq || 0, readSeq || 0),
      readSeq: Math.max(old.readSeq, readSeq || 0),
    });
    this.version++;
  }

  /**
   * Adds entries (any order, duplicates welcome). Returns the entries that were new. Keeps the
   * contiguous window [lowSeq, highSeq] up to date so gaps can be detected and filled by sync.
   */
  addEntries(entries) {
    const added = [];
    for (const e of entries) {
      if (!e || typeof e.seq !== 'number') continue;
      const known = this.entries.get(e.seq);
      if (known) {
        // A later copy of a deleted message may lose its body; keep the freshest view of it.
        if (e.deleted && !known.deleted) { this.entries.set(e.seq, e); this.version++; }
        continue;
      }
      this.entries.set(e.seq, e);
      added.push(e);
      if (CHANGE_KINDS.has(e.kind) && e.target) {
        if (!this.changes.has(e.target)) this.changes.set(e.target, []);
        this.changes.get(e.target).push(e);
      }
      if (isMessage(e) && e.threadRoot) {
        if (!this.threads.has(e.threadRoot)) this.threads.set(e.threadRoot, new Set());
        this.threads.get(e.threadRoot).add(e.seq);
      }
      if (e.kind === 'system') foldGroupChange(this, e);
      if (e.clientMsgId) this.pending.delete(e.clientMsgId);
      if (e.seq > this.lastSeq) this.lastSeq = e.seq;
      if (isMessage(e) && (!this.lastMessage || e.seq >= this.lastMessage.seq)) this.lastMessage = e;
    }
    if (added.length) {
      this.extendWindow();
      this.version++;
    }
    return added;
  }

  extendWindow() {
    if (this.lowSeq === 0) {
      const seqs = [...this.entries.keys()].sort((a, b) => a - b);
      if (!seqs.length) return;
      // Start the window at the newest run of consecutive seqs.
      let i = seqs.length - 1;
      while (i > 0 && seqs[i - 1] === seqs[i] - 1) i--;
      this.lowSeq = seqs[i];
      this.highSeq = seqs[i];
    }
    while (this.entries.has(this.highSeq + 1)) this.highSeq++;
    while (this.lowSeq > 1 && this.entries.has(this.lowSeq - 1)) this.lowSeq--;
  }

  // ---- state changes: the only ways the Client (sync.js, sender.js) and the UI move this state ----------

  /** Something about this conversation changed that a re-render must pick up (version is the render key). */
  touch() {
    this.version++;
  }

  /** Shows (or updates) an outbox item as a pending message until its entry arrives. */
  setPending(item) {
    this.pending.set(item.clientMsgId, item);
    this.version++;
  }

  /** A pending message discarded by the user. */
  dropPending(clientMsgId) {
    this.pending.delete(clientMsgId);
    this.version++;
  }

  /** Whether an entry carrying this clientMsgId is held (the message was acknowledged already). */
  holdsClientMsgId(clientMsgId) {
    for (const e of this.entries.values()) if (e.clientMsgId === clientMsgId) return true;
    return false;
  }

  /** The newest page has been fetched; `hasMore`: the server has entries before it. */
  markLoaded(hasMore) {
    this.loaded = true;
    this.hasOlder = !!hasMore;
    if (!this.lowSeq && this.lastSeq === 0) this.hasOlder = false;
    this.version++;
  }

  /** A scroll-back page was added; `hasMore`: the server has entries before it. */
  olderLoaded(hasMore) {
    this.hasOlder = !!hasMore && this.lowSeq > 1;
    this.version++;
  }

  /** Counts the messages of others among `added` (received live) that are after the read watermark. */
  countUnread(added, me) {
    let n = 0;
    for (const e of added) {
      if (isMessage(e) && e.senderId !== me && e.seq > this.readSeq) n++;
    }
    this.unread += n;
    return n;
  }

  /** My delivery receipt up to `seq` went out; never moves back. */
  setDelivered(seq) {
    if (seq > this.deliveredSeq) this.deliveredSeq = seq;
  }

  /** I (`me`) read up to `seq`, here or on another device: my read watermark and receipt move, never back. */
  readUpTo(me, seq) {
    if (seq > this.readSeq) {
      this.readSeq = seq;
      this.applyReceipt(me, seq, seq);
    }
  }

  /** Clears the unread badge when everything up to lastSeq is read; true if it changed. */
  clearUnreadIfRead() {
    if (this.unread && this.readSeq >= this.lastSeq) {
      this.unread = 0;
      this.version++;
      return true;
    }
    return false;
  }

  /**
   * e2ee: the plaintext of an entry held (e2ee/groups.js decorate). The body becomes the text, the ciphertext
   * is kept as `cipher`, and `mls` 'ok' makes it readable in folded(). Call touch() once after a batch.
   */
  setPlaintext(entry, text, sealed) {
    entry.cipher = entry.body;
    entry.body = text;
    if (sealed) entry.sealed = sealed; // files: keys and descriptions (e2ee/files.js)
    entry.mls = 'ok';
  }

  /** e2ee: an entry this device cannot read, and why (shown as locked; see folded()). */
  setUndecryptable(entry, reason) {
    entry.mls = 'undecryptable';
    entry.mlsReason = reason;
  }

  /** This user declined a message request (blocked its sender): it leaves the requests list. */
  decline() {
    this.declined = true;
    this.version++;
  }

  /** The folded state of a message entry: current body, edited/deleted flags and reactions. */
  folded(seq) {
    const entry = this.entries.get(seq);
    if (!entry) return null;
    // In an e2ee conversation a body is shown only once decrypted (`mls` 'ok'); `locked` says why not.
    const readable = (e) => !this.e2ee || e.mls === 'ok';
    let body = readable(entry) ? entry.body : undefined;
    let edited = false;
    let deleted = !!entry.deleted;
    const reactions = new Map(); // emoji -> Map(userId -> on)
    const changes = (this.changes.get(seq) || []).slice().sort((a, b) => a.seq - b.seq);
    for (const c of changes) {
      if (c.kind === 'edit' && c.senderId === entry.senderId && readable(c)) { body = c.body; edited = true; }
      // In a group an owner or admin may delete anyone's message; the server checked the role when it stored it.
      else if (c.kind === 'delete' && (c.senderId === entry.senderId || this.kind === 'group')) deleted = true;
      else if (c.kind === 'reaction' && c.emoji) {
        if (!reactions.has(c.emoji)) reactions.set(c.emoji, new Map());
        reactions.get(c.emoji).set(c.senderId, c.on !== false);
      }
    }
    const counts = [];
    for (const [emoji, users] of reactions) {
      const who = [...users].filter(([, on]) => on).map(([u]) => u);
      if (who.length) counts.push({ emoji, count: who.length, users: who });
    }
    const locked = this.e2ee && entry.mls !== 'ok' ? entry.mls || 'pending' : null;
    return { entry, body: deleted ? null : body, edited, deleted, reactions: counts, locked, lockedWhy: entry.mlsReason };
  }

  /** Message entries in the main timeline (thread replies live in their thread), ascending. */
  timeline() {
    return [...this.entries.values()]
      .filter((e) => (isMessage(e) && !e.threadRoot) || e.kind === 'system')
      .sort((a, b) => a.seq - b.seq);
  }

  threadReplies(root) {
    return [...(this.threads.get(root) || [])].sort((a, b) => a - b).map((s) => this.entries.get(s));
  }

  /** Highest seq of a text/media entry held, for read receipts. */
  highestMessageSeq() {
    let max = 0;
    for (const e of this.entries.values()) if (e.seq > max) max = e.seq;
    return max;
  }

  /** Last activity time, for sorting the conversation list. */
  activityMs() {
    const pendings = [...this.pending.values()].map((p) => p.createdAtMs);
    return Math.max(this.lastMessage?.sentAtMs || 0, this.createdAtMs || 0, ...pendings);
  }
}

/** Everything the client holds; emits `change` (detail: {conversationId?}) when something moved. */
export class Store extends EventTarget {
  constructor(me) {
    super();
    this.me = me;                       // {userId, handle, displayName, deviceId}
    this.conversations = new Map();     // id -> ConversationState
    this.users = new Map();             // userId -> {userId, handle, displayName}
    this.presence = new Map();          // userId -> {state, lastSeenMs}
    this.typing = new Map();            // conversationId -> Map(userId -> expiresAtMs)
    this.syncToken = null;
  }

  changed(conversationId) {
    this.dispatchEvent(new CustomEvent('change', { detail: { conversationId } }));
  }

  upsertConversation(view) {
    let conv = this.conversations.get(view.conversationId);
    if (conv) conv.applyView(view);
    else {
      conv = new ConversationState(view);
      this.conversations.set(conv.id, conv);
    }
    this.changed(conv.id);
    return conv;
  }

  removeConversation(id) {
    this.conversations.delete(id);
    this.changed(id);
  }

  sortedConversations() {
    return [...this.conversations.values()].sort((a, b) => b.activityMs() - a.activityMs());
  }

  userName(userId) {
    if (userId === this.me.userId) return 'You';
    const u = this.users.get(userId);
    return u ? (u.displayName || u.handle) : '…';
  }

  /** The other member of a direct conversation, if known. */
  peerOf(conv) {
    if (conv.kind !== 'direct') return null;
    return conv.members.find((m) => m !== this.me.userId) || null;
  }

  titleOf(conv) {
    if (conv.title) return conv.title;
    const peer = this.peerOf(conv);
    if (peer) return this.userName(peer);
    const others = conv.members.filter((m) => m !== this.me.userId).map((m) => this.userName(m));
    return others.join(', ') || 'Just you';
  }

  /** Sets the newest sync token of the conversation list (GET /v1/conversations?since=). */
  setSyncToken(token) {
    if (token !== undefined && token !== null) this.syncToken = token;
  }

  setUser(user) {
    this.users.set(user.userId, user);
  }

  /** My own profile changed (or was fetched): the header and my entries pick it up. */
  updateMe(me) {
    Object.assign(this.me, { handle: me.handle ?? this.me.handle, displayName: me.displayName });
    this.users.set(me.userId, me);
  }

  /**
   * The ids of `ids` that are not known yet, each held as a placeholder ("…") from now on so that it is
   * fetched once; the caller replaces each with setUser or drops it with forgetUser.
   */
  claimUnknownUsers(ids) {
    const missing = [...new Set(ids)].filter((id) => id && !this.users.has(id));
    for (const id of missing) this.users.set(id, { userId: id, handle: '…', loading: true });
    return missing;
  }

  /** A user that could not be fetched: asked for again next time. */
  forgetUser(userId) {
    this.users.delete(userId);
  }

  /** The connection dropped: who was online is now unknown (offline and last-seen stay). */
  presenceUnknown() {
    for (const p of this.presence.values()) p.state = p.state === 'online' ? 'unknown' : p.state;
  }

  setPresence(userId, state, lastSeenMs) {
    const old = this.presence.get(userId) || {};
    this.presence.set(userId, { state, lastSeenMs: lastSeenMs ?? (state === 'offline' ? Date.now() : old.lastSeenMs) });
    this.changed(null);
  }

  setTyping(conversationId, userId, on) {
    if (!this.typing.has(conversationId)) this.typing.set(conversationId, new Map());
    const map = this.typing.get(conversationId);
    if (on) map.set(userId, Date.now() + 6000); // expires if the stop frame is lost
    else map.delete(userId);
    this.changed(conversationId);
  }

  typingUsers(conversationId) {
    const map = this.typing.get(conversationId);
    if (!map) return [];
    const now = Date.now();
    for (const [u, until] of map) if (until <= now) map.delete(u); // the stop frame was lost
    return [...map.keys()];
  }

  /**
   * Tick state of one of my messages: pending, sent, delivered or read, plus how many of the other
   * members have read it (for groups).
   */
  tickOf(conv, seq) {
    if (!seq) return { state: 'pending' };
    const others = conv.members.filter((m) => m !== this.me.userId);
    if (!others.length) return { state: 'sent' };
    let delivered = 0;
    let read = 0;
    for (const m of others) {
      const r = conv.receipts.get(m);
      if (!r) continue;
      if (r.readSeq >= seq) read++;
      if (r.deliveredSeq >= seq || r.readSeq >= seq) delivered++;
    }
    const total = others.length;
    if (read === total) return { state: 'read', read, total };
    if (delivered === total) return { state: 'delivered', read, total };
    return { state: 'sent', read, total };
  }
}
