// Encrypted storage for end-to-end encryption state in IndexedDB: the device's signature key, the
// private halves of its KeyPackages, each MLS group's state and the plaintext of messages already
// decrypted (an MLS message can be decrypted only once, so what was read must be kept).
//
// Every record is AES-256-GCM encrypted under one key made by WebCrypto with extractable = false and
// kept in the same database as a CryptoKey object: script in this origin can use it but never read
// its bytes, and a copy of the database files alone does not reveal the records. (The key lives in
// the same profile, so this guards against reading the files, not against code running in the page.)

const DB_NAME = 'parley-e2ee';
const DB_VERSION = 1;
const KEYS = 'keys';
const RECORDS = 'records';
const KEY_ID = 'vault';

function promisify(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
}

function openDb() {
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS);
    if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS);
  };
  return promisify(req);
}

export class Vault {
  static async open() {
    const db = await openDb();
    let key = await promisify(db.transaction(KEYS, 'readonly').objectStore(KEYS).get(KEY_ID));
    if (!key) {
      key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      const tx = db.transaction(KEYS, 'readwrite');
      // Another tab may have made one meanwhile: keep the first (add fails on an existing key).
      tx.objectStore(KEYS).add(key, KEY_ID);
      await done(tx).catch(() => {});
      key = await promisify(db.transaction(KEYS, 'readonly').objectStore(KEYS).get(KEY_ID));
    }
    return new Vault(db, key);
  }

  constructor(db, key) {
    this.db = db;
    this.key = key;
  }

  /** Stores a JSON value under `id`, encrypted; the id is bound to the ciphertext as associated data. */
  async put(id, value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify(value));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(id) }, this.key, plain);
    const tx = this.db.transaction(RECORDS, 'readwrite');
    tx.objectStore(RECORDS).put({ iv, data }, id);
    await done(tx);
  }

  /** The value stored under `id`, or undefined. A record that does not decrypt counts as absent. */
  async get(id) {
    const rec = await promisify(this.db.transaction(RECORDS, 'readonly').objectStore(RECORDS).get(id));
    if (!rec) return undefined;
    try {
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv, additionalData: new TextEncoder().encode(id) }, this.key, rec.data);
      return JSON.parse(new TextDecoder().decode(plain));
    } catch {
      return undefined;
    }
  }

  async delete(id) {
    const tx = this.db.transaction(RECORDS, 'readwrite');
    tx.objectStore(RECORDS).delete(id);
    await done(tx);
  }
}
