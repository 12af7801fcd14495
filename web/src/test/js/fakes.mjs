// Test doubles for the web client's sync and sending halves (sync.js, sender.js): a server's conversation
// logs kept in memory, answering the same frames and HTTP calls the real one does (PROTOCOL.md), behind a
// fake Connection (no socket) and a fake Api (no HTTP). Not a test file itself.
import { RequestError } from '../../main/resources/web/js/connection.js';

export const ME = 'usr_me';
export const DEVICE = 'dev_me';

/** Conversation logs in memory: seq per conversation, `send` idempotent per clientMsgId. */
export class FakeServer {
  constructor(me = ME) {
    this.me = me;             // the user of the client under test
    this.views = new Map();   // id -> view without lastSeq
    this.logs = new Map();    // id -> [entry], entry seq = index + 1
    this.byClientMsgId = new Map();
    this.changedAt = new Map(); // id -> list version of its last change
    this.removed = [];         // [{id, at}]
    this.version = 0;
    this.nextMessage = 1;
  }

  addConversation(id, { kind = 'group', members = [this.me, 'usr_a'], e2ee = false, title } = {}) {
    this.views.set(id, { conversationId: id, kind, members, e2ee, title });
    this.logs.set(id, []);
    this.changedAt.set(id, ++this.version);
  }

  removeConversation(id) {
    this.views.delete(id);
    this.removed.push({ id, at: ++this.version });
  }

  view(id) {
    const v = this.views.get(id);
    return v && { ...v, lastSeq: this.logs.get(id).length };
  }

  /** Appends an entry to a conversation's log and returns it. */
  append(conversationId, fields) {
    const log = this.logs.get(conversationId);
    const entry = {
      conversationId, seq: log.length + 1, messageId: `msg_${this.nextMessage++}`, senderId: 'usr_a',
      senderDeviceId: 'dev_a', kind: 'text', sentAtMs: 1_000 * (log.length + 1), ...fields,
    };
    log.push(entry);
    this.changedAt.set(conversationId, ++this.version);
    return entry;
  }

  /** Appends `n` text messages from usr_a. */
  appendMany(conversationId, n) {
    for (let i = 0; i < n; i++) this.append(conversationId, { body: `m${this.logs.get(conversationId).length + 1}` });
  }

  log(conversationId) {
    return this.logs.get(conversationId);
  }

  /** Answers one request frame as the server would; throws RequestError for a refusal. */
  answer(frame) {
    const log = this.logs.get(frame.conversationId);
    if (!log) throw new RequestError('not_found', 'No such conversation');
    switch (frame.t) {
      case 'sync': {
        const after = log.filter((e) => e.seq > frame.afterSeq);
        return { t: 'ok', id: frame.id, messages: after.slice(0, frame.limit), hasMore: after.length > frame.limit };
      }
      case 'send': {
        let entry = this.byClientMsgId.get(frame.clientMsgId);
        if (!entry) {
          entry = this.append(frame.conversationId, {
            senderId: this.me, senderDeviceId: DEVICE, clientMsgId: frame.clientMsgId, kind: frame.kind || 'text',
            body: frame.body, attachments: frame.attachments, replyTo: frame.replyTo, threadRoot: frame.threadRoot,
          });
          this.byClientMsgId.set(frame.clientMsgId, entry);
        }
        return { t: 'sent', id: frame.id, conversationId: frame.conversationId, clientMsgId: frame.clientMsgId,
          seq: entry.seq, messageId: entry.messageId, sentAtMs: entry.sentAtMs };
      }
      case 'react': case 'edit': case 'delete': {
        const kind = frame.t === 'react' ? 'reaction' : frame.t;
        const entry = this.append(frame.conversationId, {
          senderId: this.me, senderDeviceId: DEVICE, kind, target: frame.target, emoji: frame.emoji, on: frame.on, body: frame.body,
        });
        return { t: 'ok', id: frame.id, seq: entry.seq };
      }
      default:
        throw new RequestError('bad_request', `unknown frame ${frame.t}`);
    }
  }
}

/**
 * The Connection's surface (connection.js) over a FakeServer: `online`, `send` (recorded in `sent`),
 * `request` (recorded in `requests`, answered by the server), `state`/`welcome`/`frame` events.
 */
export class FakeConnection extends EventTarget {
  constructor(server) {
    super();
    this.server = server;
    this.state = 'stopped';
    this.sent = [];
    this.requests = [];
    this.faults = [];    // [{t, code, message, retryAfterMs, deliver}] consumed in order by matching requests
    this.held = null;    // when an array: answers wait here until release()
    this.nextId = 1;
  }

  get online() {
    return this.state === 'online';
  }

  start() {}

  /** The socket is up and the server said welcome. */
  goOnline() {
    this.state = 'online';
    this.dispatchEvent(new CustomEvent('state', { detail: { state: 'online' } }));
    this.dispatchEvent(new CustomEvent('welcome', { detail: { t: 'welcome' } }));
  }

  /** The socket dropped; a retry is scheduled (requests still waiting are rejected, as connection.js does). */
  goOffline() {
    this.state = 'waiting';
    for (const h of this.held || []) h.reject(new RequestError('offline', 'Connection lost'));
    if (this.held) this.held = [];
    this.dispatchEvent(new CustomEvent('state', { detail: { state: 'waiting' } }));
  }

  /** The next request of type `t` fails with `code`; with deliver, the server still handles it (the answer is lost). */
  failNext(t, { code, message, retryAfterMs, deliver = false }) {
    this.faults.push({ t, code, message, retryAfterMs, deliver });
  }

  /** Answers wait until release() (a request in flight). */
  hold() {
    this.held = [];
  }

  release() {
    const waiting = this.held || [];
    this.held = null;
    for (const h of waiting) h.run();
  }

  /** The server pushes a frame. */
  push(frame) {
    this.dispatchEvent(new CustomEvent('frame', { detail: frame }));
  }

  send(frame) {
    if (!this.online) return false;
    this.sent.push(frame);
    return true;
  }

  frames(t) {
    return this.sent.filter((f) => f.t === t);
  }

  requestsOf(t) {
    return this.requests.filter((f) => f.t === t);
  }

  request(frame) {
    if (!this.online) return Promise.reject(new RequestError('offline', 'Not connected'));
    const withId = { ...frame, id: String(this.nextId++) };
    this.requests.push(withId);
    const i = this.faults.findIndex((f) => f.t === frame.t);
    const fault = i >= 0 ? this.faults.splice(i, 1)[0] : null;
    return new Promise((resolve, reject) => {
      const run = () => {
        try {
          if (fault) {
            if (fault.deliver) this.server.answer(withId);
            reject(new RequestError(fault.code, fault.message, fault.retryAfterMs));
          } else {
            resolve(this.server.answer(withId));
          }
        } catch (e) {
          reject(e);
        }
      };
      if (this.held) this.held.push({ run, reject });
      else queueMicrotask(run);
    });
  }
}

/** The Api's surface used by sync.js and sender.js (api.js), over a FakeServer. */
export class FakeApi {
  constructor(server) {
    this.server = server;
    this.listCalls = []; // the `since` of each conversations() call
  }

  async conversations(since) {
    this.listCalls.push(since);
    const after = since === null || since === undefined ? 0 : Number(since);
    const conversations = [...this.server.views.keys()]
      .filter((id) => this.server.changedAt.get(id) > after)
      .map((id) => this.server.view(id));
    const removed = this.server.removed.filter((r) => r.at > after).map((r) => r.id);
    return { conversations, removed, syncToken: String(this.server.version) };
  }

  async conversation(id) {
    const v = this.server.view(id);
    if (!v) throw Object.assign(new Error('not found'), { status: 404 });
    return v;
  }

  async messagesBefore(id, before, limit = 50) {
    const older = this.server.log(id).filter((e) => e.seq < before);
    return { messages: older.slice(-limit), hasMore: older.length > limit };
  }

  async user(userId) {
    return { userId, handle: userId.replace(/^usr_/, '') };
  }
}

/** The E2ee surface sync.js and sender.js call (e2ee/groups.js), recording the calls. */
export class FakeE2ee {
  constructor() {
    this.catchUps = [];
    this.encrypted = [];
    this.sentCalls = [];
    this.decorated = 0;
  }

  catchUp(id) {
    this.catchUps.push(id);
    return Promise.resolve();
  }

  async decorate() {
    this.decorated++;
    return false;
  }

  async encrypt(conversationId, text, clientMsgId) {
    this.encrypted.push(clientMsgId);
    return `mls(${text})#${this.encrypted.length}`;
  }

  async sent(conversationId, seq, clientMsgId, text) {
    this.sentCalls.push({ conversationId, seq, clientMsgId, text });
  }
}

/** Lets pending promises and timers run until `done()` holds; gives up after a bounded number of turns. */
export async function until(done, what = 'condition') {
  for (let i = 0; i < 2000; i++) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`never happened: ${what}`);
}
