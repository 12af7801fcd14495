// The offline outbox: messages the user has written but the server has not yet acknowledged with
// `sent`. Kept in IndexedDB so they survive a reload or a closed tab, and re-sent with the SAME
// clientMsgId, which the server treats idempotently (a resend never creates a second message).

const DB_NAME = 'parley';
const DB_VERSION = 1;
const STORE = 'outbox';

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openDb() {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(STORE)) {
      const store = db.createObjectStore(STORE, { keyPath: 'clientMsgId' });
      store.createIndex('byUser', 'userId');
    }
  };
  return promisify(req);
}

/** One user's outbox. Items: {clientMsgId, userId, conversationId, body, replyTo?, threadRoot?, createdAtMs}. */
export class Outbox {
  constructor(userId) {
    this.userId = userId;
    this.dbPromise = openDb().catch(() => null); // private mode without IndexedDB: memory only
    this.memory = new Map();
  }

  async put(item) {
    const record = { ...item, userId: this.userId };
    this.memory.set(record.clientMsgId, record);
    const db = await this.dbPromise;
    if (!db) return;
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(record);
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
  }

  async remove(clientMsgId) {
    this.memory.delete(clientMsgId);
    const db = await this.dbPromise;
    if (!db) return;
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(clientMsgId);
    await new Promise((resolve) => { tx.oncomplete = resolve; tx.onerror = resolve; });
  }

  /** Every waiting item of this user, oldest first. */
  async all() {
    const db = await this.dbPromise;
    if (!db) return [...this.memory.values()];
    const tx = db.transaction(STORE, 'readonly');
    const items = await promisify(tx.objectStore(STORE).index('byUser').getAll(this.userId));
    for (const item of items) this.memory.set(item.clientMsgId, item);
    return items.sort((a, b) => a.createdAtMs - b.createdAtMs);
  }
}
