// Unit tests of the e2ee vault (js/e2ee/vault.js) on an in-memory IndexedDB and Node's WebCrypto, and of the
// base64 helpers of js/e2ee/groups.js.
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vault } from '../../main/resources/web/js/e2ee/vault.js';
import { fromBase64, toBase64 } from '../../main/resources/web/js/e2ee/groups.js';

const rawRecord = (id) => new Promise((resolve, reject) => {
  const req = indexedDB.open('parley-e2ee');
  req.onsuccess = () => {
    const get = req.result.transaction('records', 'readonly').objectStore('records').get(id);
    get.onsuccess = () => resolve(get.result);
    get.onerror = () => reject(get.error);
  };
  req.onerror = () => reject(req.error);
});

test('a record comes back after a reopen (the same key is found again), and is not stored in the clear', async () => {
  const first = await Vault.open();
  await first.put('group:u/d:cnv_1', { state: 'c2VjcmV0LXN0YXRl', processedSeq: 7, note: 'meet at the mill' });
  const again = await Vault.open();
  assert.deepEqual(await again.get('group:u/d:cnv_1'), { state: 'c2VjcmV0LXN0YXRl', processedSeq: 7, note: 'meet at the mill' });
  const raw = await rawRecord('group:u/d:cnv_1');
  const stored = new TextDecoder('latin1').decode(new Uint8Array(raw.data));
  assert.ok(!stored.includes('mill') && !stored.includes('processedSeq'), 'the stored bytes are ciphertext');
  assert.equal(raw.iv.length, 12);
});

test('the key cannot be exported', async () => {
  const vault = await Vault.open();
  assert.equal(vault.key.extractable, false);
  await assert.rejects(crypto.subtle.exportKey('raw', vault.key));
});

test('a record moved to another id, or altered, reads as absent', async () => {
  const vault = await Vault.open();
  await vault.put('plain:u/d:cnv_1:5', { text: 'five' });
  const raw = await rawRecord('plain:u/d:cnv_1:5');
  await new Promise((resolve) => {
    const req = indexedDB.open('parley-e2ee');
    req.onsuccess = () => {
      const tx = req.result.transaction('records', 'readwrite');
      tx.objectStore('records').put(raw, 'plain:u/d:cnv_1:6'); // the id is the associated data
      const bytes = new Uint8Array(raw.data.slice(0));
      bytes[0] ^= 1;
      tx.objectStore('records').put({ iv: raw.iv, data: bytes.buffer }, 'plain:u/d:cnv_1:7');
      tx.oncomplete = resolve;
    };
  });
  assert.deepEqual(await vault.get('plain:u/d:cnv_1:5'), { text: 'five' });
  assert.equal(await vault.get('plain:u/d:cnv_1:6'), undefined);
  assert.equal(await vault.get('plain:u/d:cnv_1:7'), undefined);
  await vault.delete('plain:u/d:cnv_1:5');
  assert.equal(await vault.get('plain:u/d:cnv_1:5'), undefined);
});

test('base64 helpers round-trip every byte value and long inputs', () => {
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
  assert.equal(toBase64(new Uint8Array([0, 1, 2, 253, 254, 255])), Buffer.from([0, 1, 2, 253, 254, 255]).toString('base64'));
});
