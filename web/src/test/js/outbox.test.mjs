// Unit tests of the web client's offline outbox (outbox.js) on an in-memory IndexedDB.
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox } from '../../main/resources/web/js/outbox.js';

const item = (id, conversationId, createdAtMs) => ({ clientMsgId: id, conversationId, body: `b-${id}`, createdAtMs });

test('queued messages survive a reload (a new Outbox) and come back oldest first', async () => {
  const first = new Outbox('usr_persist');
  await first.put(item('c3', 'cnv_1', 30));
  await first.put(item('c1', 'cnv_1', 10));
  await first.put(item('c2', 'cnv_2', 20));
  const afterReload = new Outbox('usr_persist');
  assert.deepEqual((await afterReload.all()).map((i) => i.clientMsgId), ['c1', 'c2', 'c3']);
});

test('an acknowledged message is removed for good', async () => {
  const box = new Outbox('usr_remove');
  await box.put(item('a', 'cnv_1', 1));
  await box.put(item('b', 'cnv_1', 2));
  await box.remove('a');
  assert.deepEqual((await new Outbox('usr_remove').all()).map((i) => i.clientMsgId), ['b']);
});

test('writing the same clientMsgId again keeps one item (a resend never doubles it)', async () => {
  const box = new Outbox('usr_same');
  await box.put(item('x', 'cnv_1', 1));
  await box.put({ ...item('x', 'cnv_1', 1), body: 'edited before sending' });
  const all = await box.all();
  assert.equal(all.length, 1);
  assert.equal(all[0].body, 'edited before sending');
});

test('each user of a shared browser sees only their own outbox', async () => {
  await new Outbox('usr_alice').put(item('alice-1', 'cnv_1', 1));
  await new Outbox('usr_bob').put(item('bob-1', 'cnv_1', 2));
  assert.deepEqual((await new Outbox('usr_alice').all()).map((i) => i.clientMsgId), ['alice-1']);
  assert.deepEqual((await new Outbox('usr_bob').all()).map((i) => i.clientMsgId), ['bob-1']);
});
