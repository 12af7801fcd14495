// The engine between the wire and the state: catch-up after every (re)connect, live frames, the
// outbox, receipts and typing. The UI calls its methods and listens to the Store.

import { Outbox } from './outbox.js';
import { isMessage } from './store.js';
import { MediaLinks } from './media.js';
import { E2ee } from './e2ee/groups.js';
import { mediaIdsOf, sealAndUpload } from './e2ee/files.js';
import { removeRevoked } from './e2ee/members.js';
import { seedSealed } from './ui/sealed-media.js';

const SYNC_PAGE = 200;
const HISTORY_PAGE = 50;
const TYPING_RESEND_MS = 3000;
const TYPING_IDLE_MS = 4000;

/** True when every file of a media item is on the server. */
function uploaded(item) {
  return (item.attachments || []).length > 0 && item.attachments.every(Boolean);
}

function uploadErrorText(e, file) {
  const name = file?.name ? `“${file.name}”` : 'The file';
  if (e.status === 413) return `${name} is too large to send.`;
  if (e.status === 415) return `${name} is not a file type Parley can send. Images, video, audio, PDF and plain text work.`;
  if (e.network) return `${name} could not be uploaded: the server cannot be reached. Retry when you are back online.`;
  return `${name} could not be uploaded: ${e.message}`;
}

function newClientMsgId() {
  return crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Events: `incoming` (detail: {conv, entry}) for each new text/media entry from someone else
 * received live; `toast` (detail: {message}) for things the user should know about.
 */
export class Client extends EventTarget {
  constructor({ session, api, store, connection }) {
    super();
    this.session = session;
    this.api = api;
    this.store = store;
    this.conn = connection;
    this.outbox = new Outbox(session.userId);
    this.media = new MediaLinks(api, () => this.store.changed(null));
    // clientMsgId -> {files, loaded, total, controller, running}: uploads of this page. The File
    // objects live only in memory, so an upload cut short by a reload is lost (and says so).
    this.uploads = new Map();
    this.inFlight = new Set();
    this.activeId = null;
    this.typingState = new Map(); // conversationId -> {sentAt, idleTimer}
    this.syncing = new Map();     // conversationId -> promise
    this.listLoaded = false;
    // End-to-end encryption: its catch-ups hand the entries they fetched to the Store like any sync.
    this.e2ee = new E2ee({
      session, api, connection,
      onEntries: (id, entries) => {
        const conv = this.store.conversations.get(id);
        if (conv) this.ingest(conv, entries, false, { fromE2ee: true });
      },
      onChange: (id) => this.decorate(id),
    });

    this.conn.addEventListener('welcome', () => this.onWelcome());
    this.conn.addEventListener('frame', (ev) => this.onFrame(ev.detail));
    this.conn.addEventListener('state', (ev) => {
      if (ev.detail.state !== 'online') {
        this.inFlight.clear(); // their requests were rejected; the outbox resends them
        for (const p of this.store.presence.values()) p.state = p.state === 'online' ? 'unknown' : p.state;
      }
    });
  }

  async start() {
    const items = await this.outbox.all();
    for (const item of items) {
      if (item.kind === 'media' && !uploaded(item) && !item.noRetry) { // the files were only in memory
        item.failed = 'upload_lost';
        item.failedText = 'The upload was interrupted when the page was closed or reloaded. Attach the file again.';
        item.noRetry = true;
        await this.outbox.put(item);
      }
      this.addPending(item);
    }
    this.refreshList().catch(() => {});
    this.conn.start();
  }

  // ---- catch-up -------------------------------------------------------------------------------

  async onWelcome() {
    try {
      await this.refreshList();
      // Everything the list told us about is now on this device (the list may have been fetched
      // before the socket was up, when acknowledgements could not be sent).
      for (const c of this.store.conversations.values()) this.ackDelivered(c, c.lastSeq);
      // Every e2ee group follows its log, opened or not: Welcomes are joined and Commits applied in order.
      for (const c of this.store.conversations.values()) if (c.e2ee) this.e2ee.catchUp(c.id);
      removeRevoked(this.e2ee).catch((e) => console.warn('e2ee: removing revoked devices failed', e));
      const loaded = [...this.store.conversations.values()].filter((c) => c.loaded);
      await Promise.all(loaded.map((c) => this.syncConversation(c.id)));
      if (this.activeId) {
        const active = this.store.conversations.get(this.activeId);
        if (active && !active.loaded) await this.loadLatest(this.activeId); // opened while offline
        const view = await this.api.conversation(this.activeId).catch(() => null);
        if (view) this.store.upsertConversation(view);
        this.markRead(this.activeId);
      }
    } catch (e) {
      // The socket may have dropped again; the next welcome retries.
    }
    this.flushOutbox();
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
    if (res.syncToken !== undefined && res.syncToken !== null) this.store.syncToken = res.syncToken;
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

  async loadLatest(id) {
    const conv = this.store.conversations.get(id);
    if (!conv || conv.loaded) return;
    const res = await this.api.messagesBefore(id, conv.lastSeq + 1, HISTORY_PAGE);
    this.ingest(conv, res.messages || [], false);
    conv.loaded = true;
    conv.hasOlder = !!res.hasMore;
    if (!conv.lowSeq && conv.lastSeq === 0) conv.hasOlder = false;
    conv.version++;
    this.store.changed(id);
    if (this.conn.online) await this.syncConversation(id);
  }

  /** Scroll-back: the page before the oldest entry held. Returns the number of entries added. */
  async loadOlder(id) {
    const conv = this.store.conversations.get(id);
    if (!conv || !conv.hasOlder || !conv.lowSeq) return 0;
    const res = await this.api.messagesBefore(id, conv.lowSeq, HISTORY_PAGE);
    const added = this.ingest(conv, res.messages || [], false);
    conv.hasOlder = !!res.hasMore && conv.lowSeq > 1;
    conv.version++;
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
        this.dispatchEvent(new CustomEvent('incoming', { detail: { conv, entry: e } }));
      }
    }
  }

  /** Adds entries to a conversation, updates unread and acknowledges delivery. */
  ingest(conv, entries, live, { fromE2ee = false } = {}) {
    const added = conv.addEntries(entries);
    if (!added.length) return added;
    if (conv.e2ee) {
      if (fromE2ee) this.decorate(conv.id);
      else this.e2ee.catchUp(conv.id);
    }
    const me = this.store.me.userId;
    if (live) {
      for (const e of added) {
        if (isMessage(e) && e.senderId !== me && e.seq > conv.readSeq) conv.unread++;
      }
    }
    this.ackDelivered(conv, conv.lastSeq);
    this.ensureUsers(added.map((e) => e.senderId));
    this.store.changed(conv.id);
    if (conv.id === this.activeId) this.markRead(conv.id);
    return added;
  }

  onReceipt(f) {
    const conv = this.store.conversations.get(f.conversationId);
    if (!conv) return;
    conv.applyReceipt(f.userId, f.deliveredSeq, f.readSeq);
    if (f.userId === this.store.me.userId) {
      // My other device read it: clear the badge here too.
      if (f.readSeq > conv.readSeq) conv.readSeq = f.readSeq;
      if (conv.readSeq >= conv.lastSeq) conv.unread = 0;
    }
    this.store.changed(conv.id);
  }

  onConversation(view) {
    const me = this.store.me.userId;
    if (view.members && !view.members.includes(me)) {
      this.store.removeConversation(view.conversationId);
      if (this.activeId === view.conversationId) this.activeId = null;
      return;
    }
    const conv = this.store.upsertConversation(view);
    if (conv?.e2ee) this.e2ee.catchUp(conv.id);
    this.ensureUsers(view.members || []);
  }

  ackDelivered(conv, seq) {
    if (conv.request) return; // a message request gets no receipts until accepted (ui/requests.js)
    if (seq > conv.deliveredSeq && this.conn.send({ t: 'delivered', conversationId: conv.id, seq })) {
      conv.deliveredSeq = seq;
    }
  }

  // ---- reading --------------------------------------------------------------------------------

  async open(id) {
    this.activeId = id;
    const conv = this.store.conversations.get(id);
    if (!conv) return;
    if (!conv.loaded) await this.loadLatest(id);
    else if (this.conn.online) this.syncConversation(id);
  }

  close() {
    this.activeId = null;
  }

  /** Marks everything held in the active conversation as read, if the user can actually see it. */
  markRead(id) {
    const conv = this.store.conversations.get(id);
    if (!conv || id !== this.activeId || document.visibilityState !== 'visible') return;
    if (this.readBlocked && this.readBlocked(id)) return;
    const seq = conv.highestMessageSeq();
    if (seq > conv.readSeq) {
      if (this.conn.send({ t: 'read', conversationId: id, seq })) {
        conv.readSeq = seq;
        conv.applyReceipt(this.store.me.userId, seq, seq);
      }
    }
    if (conv.unread && conv.readSeq >= conv.lastSeq) {
      conv.unread = 0;
      conv.version++;
      this.store.changed(id);
    }
  }

  // ---- writing --------------------------------------------------------------------------------

  addPending(item) {
    const conv = this.store.conversations.get(item.conversationId);
    if (conv) {
      conv.pending.set(item.clientMsgId, item);
      conv.version++;
    } else {
      // The list is not loaded yet; attach once it is.
      const attach = () => {
        const c = this.store.conversations.get(item.conversationId);
        if (!c) return;
        this.store.removeEventListener('change', attach);
        if (![...c.entries.values()].some((e) => e.clientMsgId === item.clientMsgId)) c.pending.set(item.clientMsgId, item);
      };
      this.store.addEventListener('change', attach);
    }
  }

  /**
   * Queues a message. With `files`, it is a media message: it shows at once as pending with an
   * upload progress bar, each file is uploaded (POST /v1/media), and the send (kind media, the
   * caption as body) goes through the outbox like any other message once every upload is done.
   */
  async sendMessage(conversationId, body, { replyTo, threadRoot, files } = {}) {
    const item = {
      clientMsgId: newClientMsgId(), conversationId, body, kind: 'text',
      replyTo: replyTo || undefined, threadRoot: threadRoot || undefined, createdAtMs: Date.now(),
    };
    if (files && files.length) {
      item.kind = 'media';
      item.files = files.map((f) => ({ name: f.name, size: f.size, type: f.type }));
      item.attachments = files.map(() => null);
      this.uploads.set(item.clientMsgId, {
        files, loaded: 0, total: files.reduce((n, f) => n + f.size, 0), controller: new AbortController(),
      });
    }
    this.addPending(item);
    this.store.changed(conversationId);
    this.stopTyping(conversationId);
    await this.outbox.put(item);
    if (item.kind === 'media') this.upload(item);
    else this.trySend(item);
  }

  /** Uploads the files of a media item that are not on the server yet, then sends it. */
  async upload(item) {
    const up = this.uploads.get(item.clientMsgId);
    if (!up || up.running) return;
    up.running = true;
    let file = null;
    try {
      let base = 0;
      for (let i = 0; i < up.files.length; i++) {
        file = up.files[i];
        if (!item.attachments[i]) {
          const start = base;
          const options = {
            signal: up.controller.signal,
            onProgress: (loaded) => this.progress(item, up, start + Math.min(loaded, file.size)),
          };
          if (this.store.conversations.get(item.conversationId)?.e2ee) {
            // e2ee: encrypted here, uploaded opaque; the key travels in the MLS message (e2ee/files.js).
            (item.sealed ||= [])[i] = await sealAndUpload(this.api, file, options);
            item.attachments[i] = item.sealed[i].mediaId;
            seedSealed(item.sealed[i], file);
          } else {
            const res = await this.api.uploadMedia(file, options);
            item.attachments[i] = res.mediaId;
            this.media.seedLocal(res.mediaId, file, res);
          }
          await this.outbox.put(item); // from here on a reload can still send it
        }
        base += file.size;
        this.progress(item, up, base);
      }
    } catch (e) {
      if (e.code === 'aborted') return; // discarded
      item.failed = e.code || 'error';
      item.failedText = uploadErrorText(e, file);
      item.noRetry = e.status === 413 || e.status === 415;
      await this.outbox.put(item);
      const conv = this.store.conversations.get(item.conversationId);
      if (conv) { conv.pending.set(item.clientMsgId, item); conv.version++; this.store.changed(conv.id); }
      // The message itself says what went wrong (role=alert); elsewhere a toast does.
      if (item.conversationId !== this.activeId) this.toast(item.failedText);
      return;
    } finally {
      up.running = false;
    }
    this.trySend(item);
  }

  progress(item, up, loaded) {
    up.loaded = loaded;
    this.dispatchEvent(new CustomEvent('upload-progress', {
      detail: { clientMsgId: item.clientMsgId, loaded, total: up.total },
    }));
  }

  async flushOutbox() {
    const items = await this.outbox.all();
    for (const item of items) {
      if (!item.failed) this.trySend(item);
    }
  }

  async trySend(item) {
    if (!this.conn.online || this.inFlight.has(item.clientMsgId)) return;
    if (item.kind === 'media' && !uploaded(item)) return; // upload() sends it when it is done
    this.inFlight.add(item.clientMsgId);
    const media = item.kind === 'media';
    const e2ee = this.store.conversations.get(item.conversationId)?.e2ee;
    try {
      if (e2ee && !item.cipher) {
        // Encrypted once; a resend after a lost answer carries the same ciphertext and clientMsgId.
        item.cipher = await this.e2ee.encrypt(item.conversationId, item.body || '', item.clientMsgId, item.sealed);
        await this.outbox.put(item);
      }
      const sent = await this.conn.request({
        t: 'send', conversationId: item.conversationId, clientMsgId: item.clientMsgId,
        body: (e2ee ? item.cipher : item.body) || undefined,
        kind: media ? 'media' : 'text', attachments: media ? (e2ee ? mediaIdsOf(item.sealed) : item.attachments) : undefined,
        replyTo: item.replyTo, threadRoot: item.threadRoot,
      });
      this.uploads.delete(item.clientMsgId);
      if (e2ee) await this.e2ee.sent(item.conversationId, sent.seq, item.clientMsgId, item.body || '', item.sealed);
      await this.outbox.remove(item.clientMsgId);
      const conv = this.store.conversations.get(item.conversationId);
      if (conv) {
        this.ingest(conv, [{
          conversationId: item.conversationId, seq: sent.seq, messageId: sent.messageId,
          senderId: this.store.me.userId, senderDeviceId: this.session.deviceId, clientMsgId: item.clientMsgId,
          kind: media ? 'media' : 'text', body: item.body || undefined, attachments: media ? item.attachments : undefined,
          replyTo: item.replyTo, threadRoot: item.threadRoot, sentAtMs: sent.sentAtMs,
          ...(e2ee ? { mls: 'ok', cipher: item.cipher, sealed: item.sealed } : {}),
        }], false);
        if (sent.seq > conv.highSeq + 1 && conv.loaded) this.syncConversation(conv.id);
      }
    } catch (e) {
      if (e.code === 'rate_limited') {
        setTimeout(() => { this.inFlight.delete(item.clientMsgId); this.trySend(item); }, e.retryAfterMs || 1000);
        return;
      }
      if (e.code !== 'offline' && e.code !== 'timeout') {
        item.failed = e.code || 'error';
        if (!e.code) item.failedText = e.message; // e2ee: not encrypted (no keys yet on this device)
        await this.outbox.put(item);
        const conv = this.store.conversations.get(item.conversationId);
        if (conv) { conv.pending.set(item.clientMsgId, item); conv.version++; this.store.changed(conv.id); }
        this.toast(`Message not sent: ${e.message}`);
      }
    } finally {
      this.inFlight.delete(item.clientMsgId);
    }
  }

  async retry(conversationId, clientMsgId) {
    const conv = this.store.conversations.get(conversationId);
    const item = conv?.pending.get(clientMsgId);
    if (!item || item.noRetry) return;
    const needsUpload = item.kind === 'media' && !uploaded(item);
    if (needsUpload && !this.uploads.has(clientMsgId)) return;
    delete item.failed;
    delete item.failedText;
    await this.outbox.put(item);
    conv.version++;
    this.store.changed(conversationId);
    if (needsUpload) this.upload(item);
    else this.trySend(item);
  }

  async discard(conversationId, clientMsgId) {
    const up = this.uploads.get(clientMsgId);
    if (up) { up.controller.abort(); this.uploads.delete(clientMsgId); }
    const conv = this.store.conversations.get(conversationId);
    conv?.pending.delete(clientMsgId);
    if (conv) conv.version++;
    await this.outbox.remove(clientMsgId);
    this.store.changed(conversationId);
  }

  /** react/edit/delete need the server now (they are not queued); the answer's seq is the new entry. */
  async change(conversationId, frame, entryFields) {
    if (!this.conn.online) {
      this.toast('You are offline. Try again when the connection is back.');
      return;
    }
    try {
      const ok = await this.conn.request({ ...frame, conversationId });
      const conv = this.store.conversations.get(conversationId);
      if (conv && ok.seq) {
        this.ingest(conv, [{
          conversationId, seq: ok.seq, senderId: this.store.me.userId, senderDeviceId: this.session.deviceId,
          sentAtMs: Date.now(), ...entryFields,
        }], false);
      }
    } catch (e) {
      this.toast(e.code === 'forbidden' ? 'You can only change your own messages.' : `That did not work: ${e.message}`);
    }
  }

  react(conversationId, target, emoji, on) {
    return this.change(conversationId, { t: 'react', target, emoji, on }, { kind: 'reaction', target, emoji, on });
  }

  edit(conversationId, target, body) {
    return this.change(conversationId, { t: 'edit', target, body }, { kind: 'edit', target, body });
  }

  delete(conversationId, target) {
    return this.change(conversationId, { t: 'delete', target }, { kind: 'delete', target });
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

  // ---- people and conversations ---------------------------------------------------------------

  async ensureUsers(ids) {
    const missing = [...new Set(ids)].filter((id) => id && !this.store.users.has(id));
    if (!missing.length) return;
    for (const id of missing) this.store.users.set(id, { userId: id, handle: '…', loading: true });
    await Promise.all(missing.map(async (id) => {
      try {
        this.store.users.set(id, await this.api.user(id));
      } catch {
        this.store.users.delete(id); // try again next time
      }
    }));
    this.store.changed(null);
  }

  async startDirect(handle, { e2ee = false } = {}) {
    const user = await this.api.userByHandle(handle.replace(/^@/, '').trim());
    if (user.userId === this.store.me.userId) throw new Error('That is you. Pick someone else.');
    this.store.users.set(user.userId, user);
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
    for (const u of users) this.store.users.set(u.userId, u);
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

  /** Puts decrypted text (or "undecryptable") on the entries of an e2ee conversation, then re-renders. */
  decorate(id) {
    const conv = this.store.conversations.get(id);
    if (!conv) return;
    this.e2ee.decorate(conv).then(() => this.store.changed(id)).catch(() => {});
  }

  toast(message) {
    this.dispatchEvent(new CustomEvent('toast', { detail: { message } }));
  }
}
