// The sending half of the client: what the user writes goes into the outbox (outbox.js, IndexedDB) and
// shows at once as pending; it is sent whenever the connection is up (now, or at the next welcome) with
// its clientMsgId, and the SAME clientMsgId on every retry, which the server treats idempotently; the
// `sent` answer is applied to the Store like any entry and only then is the item removed from the outbox.
// Media files are uploaded first (POST /v1/media; sealed first in an e2ee conversation). Reactions,
// edits and deletes need the server at once: offline they are refused with a notice, not queued.

import { Outbox } from './outbox.js';
import { mediaIdsOf, sealAndUpload } from './e2ee/files.js';
import { seedSealed } from './ui/sealed-media.js';
import { uuidv7 } from './uuid7.js';

/** True when every file of a media item is on the server. */
export function uploaded(item) {
  return (item.attachments || []).length > 0 && item.attachments.every(Boolean);
}

function uploadErrorText(e, file) {
  const name = file?.name ? `“${file.name}”` : 'The file';
  if (e.status === 413) return `${name} is too large to send.`;
  if (e.status === 415) return `${name} is not a file type Parley can send. Images, video, audio, PDF and plain text work.`;
  if (e.network) return `${name} could not be uploaded: the server cannot be reached. Retry when you are back online.`;
  return `${name} could not be uploaded: ${e.message}`;
}

export class Sender {
  /**
   * @param session {userId, deviceId}
   * @param api the HTTP API (api.js): uploadMedia
   * @param conn the Connection (connection.js): online, request
   * @param store the Store (store.js)
   * @param sync the Sync (sync.js): acknowledged sends are ingested like any entry, gaps filled by sync
   * @param e2ee the E2ee groups (e2ee/groups.js): encrypt, sent
   * @param media the MediaLinks (media.js): local previews of uploaded files
   * @param outbox the Outbox of this user (a new one by default)
   * @param hooks the coordinator's side: activeId(); toast(message); progress({clientMsgId, loaded, total})
   */
  constructor({ session, api, conn, store, sync, e2ee, media, outbox, hooks }) {
    this.session = session;
    this.api = api;
    this.conn = conn;
    this.store = store;
    this.sync = sync;
    this.e2ee = e2ee;
    this.media = media;
    this.outbox = outbox || new Outbox(session.userId);
    this.hooks = hooks;
    // clientMsgId -> {files, loaded, total, controller, running}: uploads of this page. The File
    // objects live only in memory, so an upload cut short by a reload is lost (and says so).
    this.uploads = new Map();
    this.inFlight = new Set(); // clientMsgIds whose send awaits its answer
  }

  /** At start: what the outbox still holds (from before a reload) shows as pending again. */
  async restore() {
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
  }

  /** The connection dropped: the requests in flight were rejected, and the next flush resends them. */
  connectionLost() {
    this.inFlight.clear();
  }

  addPending(item) {
    const conv = this.store.conversations.get(item.conversationId);
    if (conv) {
      conv.setPending(item);
    } else {
      // The list is not loaded yet; attach once it is.
      const attach = () => {
        const c = this.store.conversations.get(item.conversationId);
        if (!c) return;
        this.store.removeEventListener('change', attach);
        if (!c.holdsClientMsgId(item.clientMsgId)) c.setPending(item);
      };
      this.store.addEventListener('change', attach);
    }
  }

  /**
   * Queues a message. With `files`, it is a media message: it shows at once as pending with an
   * upload progress bar, each file is uploaded (POST /v1/media), and the send (kind media, the
   * caption as body) goes through the outbox like any other message once every upload is done.
   * Resolves with the item once it is in the outbox (the send itself goes on).
   */
  async sendMessage(conversationId, body, { replyTo, threadRoot, files } = {}) {
    const item = {
      clientMsgId: uuidv7(), conversationId, body, kind: 'text',
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
    await this.outbox.put(item);
    if (item.kind === 'media') this.upload(item);
    else this.trySend(item);
    return item;
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
      await this.showFailed(item);
      // The message itself says what went wrong (role=alert); elsewhere a toast does.
      if (item.conversationId !== this.hooks.activeId()) this.hooks.toast(item.failedText);
      return;
    } finally {
      up.running = false;
    }
    this.trySend(item);
  }

  progress(item, up, loaded) {
    up.loaded = loaded;
    this.hooks.progress({ clientMsgId: item.clientMsgId, loaded, total: up.total });
  }

  /** Sends every item of the outbox that has not failed (after each welcome). */
  async flush() {
    const items = await this.outbox.all();
    for (const item of items) {
      if (!item.failed) this.trySend(item);
    }
  }

  /**
   * Sends one item if connected and not already in flight. On `sent` the entry goes into the Store and the
   * item leaves the outbox; offline or a timeout leave it queued for the next flush; rate limiting retries
   * it after the server's delay; any other refusal marks it failed (retry() or discard() then).
   */
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
        this.sync.ingest(conv, [{
          conversationId: item.conversationId, seq: sent.seq, messageId: sent.messageId,
          senderId: this.store.me.userId, senderDeviceId: this.session.deviceId, clientMsgId: item.clientMsgId,
          kind: media ? 'media' : 'text', body: item.body || undefined, attachments: media ? item.attachments : undefined,
          replyTo: item.replyTo, threadRoot: item.threadRoot, sentAtMs: sent.sentAtMs,
          ...(e2ee ? { mls: 'ok', cipher: item.cipher, sealed: item.sealed } : {}),
        }], false);
        if (sent.seq > conv.highSeq + 1 && conv.loaded) this.sync.syncConversation(conv.id);
      }
    } catch (e) {
      if (e.code === 'rate_limited') {
        setTimeout(() => { this.inFlight.delete(item.clientMsgId); this.trySend(item); }, e.retryAfterMs || 1000);
        return;
      }
      if (e.code !== 'offline' && e.code !== 'timeout') {
        item.failed = e.code || 'error';
        if (!e.code) item.failedText = e.message; // e2ee: not encrypted (no keys yet on this device)
        await this.showFailed(item);
        this.hooks.toast(`Message not sent: ${e.message}`);
      }
    } finally {
      this.inFlight.delete(item.clientMsgId);
    }
  }

  /** Keeps a failed item in the outbox and shows it failed in its conversation. */
  async showFailed(item) {
    await this.outbox.put(item);
    const conv = this.store.conversations.get(item.conversationId);
    if (conv) {
      conv.setPending(item);
      this.store.changed(conv.id);
    }
  }

  /** The user's Retry on a failed message: the same item, the same clientMsgId. */
  async retry(conversationId, clientMsgId) {
    const conv = this.store.conversations.get(conversationId);
    const item = conv?.pending.get(clientMsgId);
    if (!item || item.noRetry) return;
    const needsUpload = item.kind === 'media' && !uploaded(item);
    if (needsUpload && !this.uploads.has(clientMsgId)) return;
    delete item.failed;
    delete item.failedText;
    await this.outbox.put(item);
    conv.setPending(item);
    this.store.changed(conversationId);
    if (needsUpload) this.upload(item);
    else this.trySend(item);
  }

  /** The user's Discard on a pending message: its upload stops and it leaves the outbox. */
  async discard(conversationId, clientMsgId) {
    const up = this.uploads.get(clientMsgId);
    if (up) { up.controller.abort(); this.uploads.delete(clientMsgId); }
    this.store.conversations.get(conversationId)?.dropPending(clientMsgId);
    await this.outbox.remove(clientMsgId);
    this.store.changed(conversationId);
  }

  // ---- reactions, edits, deletes --------------------------------------------------------------

  /** react/edit/delete need the server now (they are not queued); the answer's seq is the new entry. */
  async change(conversationId, frame, entryFields) {
    if (!this.conn.online) {
      this.hooks.toast('You are offline. Try again when the connection is back.');
      return;
    }
    try {
      const ok = await this.conn.request({ ...frame, conversationId });
      const conv = this.store.conversations.get(conversationId);
      if (conv && ok.seq) {
        this.sync.ingest(conv, [{
          conversationId, seq: ok.seq, senderId: this.store.me.userId, senderDeviceId: this.session.deviceId,
          sentAtMs: Date.now(), ...entryFields,
        }], false);
      }
    } catch (e) {
      this.hooks.toast(e.code === 'forbidden' ? 'You can only change your own messages.' : `That did not work: ${e.message}`);
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
}
