// End-to-end encryption for the browser: this device's MLS identity and KeyPackages, one MLS group
// (RFC 9420, ciphersuite 1, ts-mls) per e2ee conversation, and the translation between log entries
// and plaintext. The wire contract is PROTOCOL.md "End-to-end encryption with MLS"; docs/e2ee.md
// explains the design.
//
// Ordering: a group changes only by Commits, which must be applied in log order. So this engine does
// not trust whatever order entries reach the page in: per conversation it keeps `processedSeq` and
// pulls the log after it with `sync` (a complete page: a missing seq is an entry for other devices,
// such as their Welcome), handling each entry in seq order. Everything for one conversation runs
// one step at a time (`serial`), so an encryption never interleaves with a Commit being applied.
//
// Plaintext: an MLS message decrypts once (its key is deleted), and a sender cannot decrypt its own.
// So what was read, and what this device sent, is kept in the Vault by seq, encrypted at rest.

import { Vault } from './vault.js';
import { decodeContent, encodeContent } from './files.js';
import { uuidv7 } from '../uuid7.js';

const SUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';
const VENDOR = '../../vendor/ts-mls/dist/src/';
const KEY_PACKAGES_LOW = 10;
const KEY_PACKAGES_UPLOAD = 20;
const KEY_PACKAGE_DAYS = 28; // ts-mls refuses lifetimes over a month
const SYNC_PAGE = 200;
const MAX_PAGES = 10_000;
const APPLICATION_KINDS = new Set(['text', 'media', 'edit']);
const MAX_EARLY = 100;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** What is kept of a readable message: its text, and its files when it has any. */
function plainOf(text, attachments) {
  return attachments?.length ? { text, attachments } : { text };
}

let libPromise = null;
/** ts-mls, loaded on first use only (the rest of the client does not need its 165 modules). */
function lib() {
  libPromise ??= (async () => {
    const [m, config, context] = await Promise.all([
      import(VENDOR + 'index.js'), import(VENDOR + 'clientConfig.js'), import(VENDOR + 'groupContext.js')]);
    const impl = await m.getCiphersuiteImpl(m.getCiphersuiteFromName(SUITE));
    return { ...m, defaultClientConfig: config.defaultClientConfig, encodeGroupContext: context.encodeGroupContext, impl };
  })();
  return libPromise;
}

function decodeMessage(mls, base64, wireformat) {
  const bytes = fromBase64(base64);
  const decoded = mls.decodeMlsMessage(bytes, 0);
  if (!decoded || decoded[1] !== bytes.length) throw new Error('not an MLSMessage');
  if (wireformat && decoded[0].wireformat !== wireformat) throw new Error(`expected ${wireformat}`);
  return decoded[0];
}

export class E2ee {
  /**
   * @param onEntries (conversationId, entries) the log entries a catch-up fetched, for the Store
   * @param onChange (conversationId) plaintext or state changed: re-render
   */
  constructor({ session, api, connection, onEntries, onChange }) {
    this.session = session;
    this.api = api;
    this.conn = connection;
    this.onEntries = onEntries;
    this.onChange = onChange;
    this.me = `${session.userId}/${session.deviceId}`; // the device's MLS credential identity
    this.groups = new Map();  // conversationId -> {state, processedSeq} (state: ts-mls ClientState or null)
    this.plain = new Map();   // conversationId -> Map(seq -> {text} | {undecryptable})
    this.chains = new Map();  // conversationId -> tail of its serial work
    this.queued = new Map();  // conversationId -> a catch-up not started yet
    this.redo = new Set();    // `${conversationId}:${seq}` shown undecryptable, readable since
    this.problem = null;      // why encryption is unavailable on this device, if it is
    this.ready = this.start();
  }

  /** Opens the vault, loads or makes the device's signature key, and tops up its KeyPackages. */
  async start() {
    try {
      this.vault = await Vault.open();
      this.mls = await lib();
      let identity = await this.vault.get(`device:${this.me}`);
      if (!identity) {
        const pair = await this.mls.impl.signature.keygen();
        identity = { signKey: toBase64(pair.signKey), publicKey: toBase64(pair.publicKey) };
        await this.vault.put(`device:${this.me}`, identity);
      }
      this.signatureKeys = { signKey: fromBase64(identity.signKey), publicKey: fromBase64(identity.publicKey) };
      await this.topUpKeyPackages();
    } catch (e) {
      this.problem = `End-to-end encryption is not available in this browser: ${e.message || e}`;
      console.warn(this.problem);
    }
  }

  async newKeyPackage() {
    const now = BigInt(Math.floor(Date.now() / 1000));
    return this.mls.generateKeyPackageWithKey(
      { credentialType: 'basic', identity: utf8.encode(this.me) }, this.mls.defaultCapabilities(),
      { notBefore: now - 3600n, notAfter: now + BigInt(KEY_PACKAGE_DAYS * 86400) }, [], this.signatureKeys, this.mls.impl);
  }

  /** Uploads fresh KeyPackages when the server holds few for this device; their private keys go to the vault first. */
  async topUpKeyPackages() {
    const { count } = await this.api.keyPackageCount();
    if (count >= KEY_PACKAGES_LOW) return;
    const held = (await this.vault.get(`kps:${this.me}`)) || [];
    const upload = [];
    for (let i = 0; i < KEY_PACKAGES_UPLOAD; i++) {
      const kp = await this.newKeyPackage();
      const wire = toBase64(this.mls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage: kp.publicPackage }));
      held.push({
        keyPackage: wire,
        init: toBase64(kp.privatePackage.initPrivateKey), hpke: toBase64(kp.privatePackage.hpkePrivateKey),
      });
      upload.push(wire);
    }
    await this.vault.put(`kps:${this.me}`, held);
    await this.api.uploadKeyPackages(upload);
  }

  // ---- per-conversation state -------------------------------------------------------------------

  /** Runs `work` after everything queued before it for this conversation. */
  serial(conversationId, work) {
    const tail = (this.chains.get(conversationId) || Promise.resolve()).then(work, work);
    const settled = tail.catch(() => {});
    this.chains.set(conversationId, settled);
    settled.then(() => { if (this.chains.get(conversationId) === settled) this.chains.delete(conversationId); });
    return tail;
  }

  async group(conversationId) {
    if (this.groups.has(conversationId)) return this.groups.get(conversationId);
    const stored = await this.vault.get(`group:${this.me}:${conversationId}`);
    let state = null;
    if (stored?.state) {
      const decoded = this.mls.decodeGroupState(fromBase64(stored.state), 0);
      if (decoded) state = { ...decoded[0], clientConfig: this.mls.defaultClientConfig };
    }
    // early: messages seen before joining, since the last Commit (see pull).
    const g = { state, processedSeq: stored?.processedSeq || 0, early: stored?.early || [] };
    this.groups.set(conversationId, g);
    return g;
  }

  async saveGroup(conversationId, g) {
    await this.vault.put(`group:${this.me}:${conversationId}`, {
      state: g.state ? toBase64(this.mls.encodeGroupState(g.state)) : null, processedSeq: g.processedSeq,
      early: g.state ? [] : g.early,
    });
  }

  plainOf(conversationId) {
    if (!this.plain.has(conversationId)) this.plain.set(conversationId, new Map());
    return this.plain.get(conversationId);
  }

  async keepPlain(conversationId, seq, value) {
    this.plainOf(conversationId).set(seq, value);
    await this.vault.put(`plain:${this.me}:${conversationId}:${seq}`, value);
  }

  /** 'none' (not joined, or not known yet), 'member', or 'removed' (a Commit removed this device). */
  statusOf(conversationId) {
    const g = this.groups.get(conversationId);
    if (!g?.state) return 'none';
    return g.state.groupActiveState?.kind === 'removedFromGroup' ? 'removed' : 'member';
  }

  /** The epoch this device's group is at, or null when it has not joined. */
  epochOf(conversationId) {
    const g = this.groups.get(conversationId);
    return g?.state ? Number(g.state.groupContext.epoch) : null;
  }

  /** The epoch and its epoch authenticator (RFC 9420 §8.7, bytes), or null when this device has not joined. */
  authenticatorOf(conversationId) {
    const g = this.groups.get(conversationId);
    if (!g?.state || g.state.groupActiveState?.kind === 'removedFromGroup') return null;
    return { epoch: Number(g.state.groupContext.epoch), authenticator: g.state.keySchedule.epochAuthenticator };
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** Brings the conversation's group up to the end of the log; calls coalesce while one waits to start. */
  catchUp(conversationId) {
    if (this.queued.has(conversationId)) return this.queued.get(conversationId);
    const run = this.serial(conversationId, async () => {
      this.queued.delete(conversationId);
      await this.ready;
      if (this.problem) return;
      await this.pull(conversationId);
    });
    this.queued.set(conversationId, run);
    return run.catch((e) => console.warn('e2ee catch-up failed', e));
  }

  async pull(conversationId) {
    const g = await this.group(conversationId);
    // Messages seen before this device joined: one sent in the new epoch before the Welcome was stored
    // is readable once joined, so those since the last Commit are kept (ciphertext, in the vault with the
    // group record, across catch-ups and reloads) and tried again right after the join.
    for (let page = 0; page < MAX_PAGES && this.conn.online; page++) {
      const res = await this.conn.request({ t: 'sync', conversationId, afterSeq: g.processedSeq, limit: SYNC_PAGE });
      const entries = (res.messages || []).slice().sort((a, b) => a.seq - b.seq);
      for (const e of entries) {
        if (e.seq <= g.processedSeq) continue;
        const joined = !!g.state;
        await this.handle(conversationId, g, e);
        g.processedSeq = e.seq;
        if (!joined && e.kind === 'mls-commit') g.early = [];
        if (!joined && APPLICATION_KINDS.has(e.kind) && e.body) {
          g.early.push({ seq: e.seq, body: e.body, senderDeviceId: e.senderDeviceId });
          if (g.early.length > MAX_EARLY) g.early.shift();
        }
        if (!joined && g.state) {
          for (const m of g.early.splice(0)) await this.retryEarly(conversationId, g, m);
        }
      }
      if (entries.length) await this.saveGroup(conversationId, g);
      this.onEntries(conversationId, entries);
      if (!res.hasMore || !entries.length) break;
    }
    this.onChange(conversationId);
  }

  async handle(conversationId, g, e) {
    if (e.kind === 'mls-welcome') {
      if (!g.state) await this.join(g, e);
      return;
    }
    if (e.kind === 'mls-commit') {
      if (!g.state) return; // before this device joined: the Welcome carries its result
      if (typeof e.epoch === 'number' && BigInt(e.epoch) < g.state.groupContext.epoch) return; // ours, or applied
      try {
        const message = decodeMessage(this.mls, e.body);
        const r = await this.mls.processMessage(message, g.state, this.mls.emptyPskIndex, this.mls.acceptAll, this.mls.impl);
        g.state = r.newState;
      } catch (err) {
        console.warn(`e2ee: commit at seq ${e.seq} could not be applied`, err);
      }
      return;
    }
    if (!APPLICATION_KINDS.has(e.kind) || !e.body) return;
    const known = this.plainOf(conversationId).get(e.seq) || await this.vault.get(`plain:${this.me}:${conversationId}:${e.seq}`);
    if (known) { this.plainOf(conversationId).set(e.seq, known); return; } // handled before a reload
    if (e.senderDeviceId === this.session.deviceId) {
      // Our own message: MLS cannot decrypt it here, but we kept what we wrote.
      const sent = e.clientMsgId && await this.vault.get(`sent:${this.me}:${e.clientMsgId}`);
      await this.keepPlain(conversationId, e.seq, sent ? plainOf(sent.text, sent.attachments) : { undecryptable: 'own-lost' });
      if (sent) await this.vault.delete(`sent:${this.me}:${e.clientMsgId}`);
      return;
    }
    if (!g.state) {
      await this.keepPlain(conversationId, e.seq, { undecryptable: 'before-join' });
      return;
    }
    try {
      const message = decodeMessage(this.mls, e.body, 'mls_private_message');
      const r = await this.mls.processMessage(message, g.state, this.mls.emptyPskIndex, this.mls.acceptAll, this.mls.impl);
      g.state = r.newState;
      if (r.kind !== 'applicationMessage') throw new Error('not an application message');
      const content = decodeContent(r.message);
      await this.keepPlain(conversationId, e.seq, plainOf(content.text, content.attachments));
    } catch (err) {
      await this.keepPlain(conversationId, e.seq, { undecryptable: 'failed' });
    }
  }

  async retryEarly(conversationId, g, e) {
    if (e.senderDeviceId === this.session.deviceId) return;
    try {
      const message = decodeMessage(this.mls, e.body, 'mls_private_message');
      if (message.privateMessage.epoch < g.state.groupContext.epoch) return; // really before: stays undecryptable
      const r = await this.mls.processMessage(message, g.state, this.mls.emptyPskIndex, this.mls.acceptAll, this.mls.impl);
      g.state = r.newState;
      if (r.kind === 'applicationMessage') {
        const content = decodeContent(r.message);
        await this.keepPlain(conversationId, e.seq, plainOf(content.text, content.attachments));
        this.redo.add(`${conversationId}:${e.seq}`); // shown as undecryptable already: show it again
      }
    } catch {
      // stays undecryptable
    }
  }

  async join(g, e) {
    let welcome;
    try {
      welcome = decodeMessage(this.mls, e.body, 'mls_welcome').welcome;
    } catch {
      return;
    }
    const held = (await this.vault.get(`kps:${this.me}`)) || [];
    for (const kp of held) {
      const publicPackage = decodeMessage(this.mls, kp.keyPackage, 'mls_key_package').keyPackage;
      const privatePackage = {
        initPrivateKey: fromBase64(kp.init), hpkePrivateKey: fromBase64(kp.hpke), signaturePrivateKey: this.signatureKeys.signKey,
      };
      try {
        g.state = await this.mls.joinGroup(welcome, publicPackage, privatePackage, this.mls.emptyPskIndex, this.mls.impl);
        return;
      } catch {
        // not this KeyPackage
      }
    }
  }

  /**
   * Puts what this device knows about the plaintext of each entry on the Store's entries:
   * `e.mls` = 'ok' (body replaced by the plaintext, the ciphertext kept as `e.cipher`), 'undecryptable',
   * or unset while not processed yet. Entries before `processedSeq` that were never processed here
   * (history older than this device's membership) are undecryptable.
   */
  async decorate(conv) {
    await this.ready;
    if (this.problem || !this.vault) return;
    const g = this.groups.get(conv.id);
    const processed = g ? g.processedSeq : 0;
    let changed = false;
    for (const e of conv.entries.values()) {
      const again = e.mls === 'undecryptable' && this.redo.delete(`${conv.id}:${e.seq}`);
      if ((e.mls && !again) || !APPLICATION_KINDS.has(e.kind) || !e.body || e.seq > processed) continue;
      const value = this.plainOf(conv.id).get(e.seq) || await this.vault.get(`plain:${this.me}:${conv.id}:${e.seq}`);
      if (value?.text !== undefined) conv.setPlaintext(e, value.text, value.attachments);
      else conv.setUndecryptable(e, value?.undecryptable || 'not-kept');
      changed = true;
    }
    if (changed) conv.touch();
    return changed;
  }

  // ---- writing ----------------------------------------------------------------------------------

  /** Our message was accepted at `seq`: keep its plaintext there (MLS cannot decrypt it for us later). */
  async sent(conversationId, seq, clientMsgId, text, attachments) {
    await this.keepPlain(conversationId, seq, plainOf(text, attachments));
    await this.vault.delete(`sent:${this.me}:${clientMsgId}`);
  }

  /**
   * Encrypts one application message for the conversation's current epoch: the base64 MLSMessage.
   * `attachments`: what e2ee/files.js sealAndUpload returned for each file, if any.
   */
  async encrypt(conversationId, text, clientMsgId, attachments) {
    await this.catchUp(conversationId);
    return this.serial(conversationId, async () => {
      if (this.problem) throw new Error(this.problem);
      const g = await this.group(conversationId);
      if (!g.state) throw new Error('This device has not received the keys of this conversation yet.');
      await this.vault.put(`sent:${this.me}:${clientMsgId}`, plainOf(text, attachments));
      const r = await this.mls.createApplicationMessage(g.state, encodeContent(text, attachments), this.mls.impl);
      g.state = r.newState;
      await this.saveGroup(conversationId, g);
      return toBase64(this.mls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage: r.privateMessage }));
    });
  }

  /**
   * Makes the MLS group of a conversation just created with e2ee: this device alone at epoch 0, then
   * Commits that add one device of each member (KeyPackages claimed from the directory) and a Welcome
   * for them. ts-mls leaves the UpdatePath out of a Commit that only adds, and the server takes the
   * creator's signature key from the UpdatePath of the epoch-0 Commit, so the first Commit is an empty
   * one (it has a path) and the Adds follow at epoch 1.
   */
  async establish(conversationId, memberIds) {
    await this.ready;
    if (this.problem) throw new Error(this.problem);
    const claimed = await this.api.claimKeyPackages(memberIds);
    const adds = [];
    const recipients = [];
    const reached = new Set([this.session.userId]);
    for (const k of claimed.keyPackages || []) {
      if (k.deviceId === this.session.deviceId) continue;
      try {
        const kp = decodeMessage(this.mls, k.keyPackage, 'mls_key_package').keyPackage;
        if (fromUtf8.decode(kp.leafNode.credential.identity) !== `${k.userId}/${k.deviceId}`) continue;
        adds.push({ proposalType: 'add', add: { keyPackage: kp } });
        recipients.push(k.deviceId);
        reached.add(k.userId);
      } catch (e) {
        console.warn('e2ee: skipped a malformed KeyPackage of', k.userId, e);
      }
    }
    const unreachable = memberIds.filter((id) => !reached.has(id));
    await this.serial(conversationId, async () => {
      const g = await this.group(conversationId);
      if (g.state) return; // made already (a retry)
      const own = await this.newKeyPackage();
      const created = await this.mls.createGroup(utf8.encode(conversationId), own.publicPackage, own.privatePackage, [], this.mls.impl);
      g.state = (await this.commit(conversationId, created, [])).newState;
      await this.saveGroup(conversationId, g);
      if (!adds.length) return;
      const r = await this.commit(conversationId, g.state, adds);
      g.state = r.newState;
      await this.saveGroup(conversationId, g);
      await this.conn.request({
        t: 'send', conversationId, clientMsgId: uuidv7(), kind: 'mls-welcome', recipients,
        body: toBase64(this.mls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome })),
      });
    });
    return { unreachable };
  }

  /** Builds a Commit (PublicMessage, as the Delivery Service requires) and has the server accept it. */
  async commit(conversationId, state, proposals) {
    const r = await this.mls.createCommit({ state, cipherSuite: this.mls.impl },
      { extraProposals: proposals, wireAsPublicMessage: true, ratchetTreeExtension: true });
    await this.sendCommit(conversationId, state, r.commit);
    return r;
  }

  sendCommit(conversationId, before, commit) {
    return this.conn.request({
      t: 'send', conversationId, clientMsgId: uuidv7(), kind: 'mls-commit',
      body: toBase64(this.mls.encodeMlsMessage(commit)), epoch: Number(before.groupContext.epoch),
      groupContext: toBase64(this.mls.encodeGroupContext(before.groupContext)),
    });
  }
}
