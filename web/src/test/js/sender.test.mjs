// Unit tests of the sending half of the web client (sender.js): the real Outbox on an in-memory IndexedDB,
// the real Store and Sync, and a fake server behind a fake Connection (fakes.mjs): no socket.
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../main/resources/web/js/store.js';
import { Sync } from '../../main/resources/web/js/sync.js';
import { Sender } from '../../main/resources/web/js/sender.js';
import { Outbox } from '../../main/resources/web/js/outbox.js';
import { DEVICE, FakeApi, FakeConnection, FakeE2ee, FakeServer, ME, until } from './fakes.mjs';

let outboxes = 0;

/** A conversation cnv_1 (e2ee with `e2ee`), listed and opened, and a Sender with a fresh outbox; offline. */
async function setup({ e2ee = false, outboxUser = `usr_outbox_${++outboxes}` } = {}) {
  const server = new FakeServer();
  server.addConversation('cnv_1', { e2ee });
  const conn = new FakeConnection(server);
  const api = new FakeApi(server);
  const store = new Store({ userId: ME, deviceId: DEVICE, handle: 'me' });
  const groups = new FakeE2ee();
  const toasts = [];
  const hooks = { activeId: () => 'cnv_1', closed: () => {}, markRead: () => {}, incoming: () => {} };
  const sync = new Sync({ api, conn, store, e2ee: groups, hooks });
  conn.addEventListener('frame', (ev) => sync.onFrame(ev.detail)); // as client.js wires it
  const outbox = new Outbox(outboxUser);
  const sender = new Sender({
    session: { userId: ME, deviceId: DEVICE }, api, conn, store, sync, e2ee: groups, media: null, outbox,
    hooks: { activeId: () => 'cnv_1', toast: (m) => toasts.push(m), progress: () => {} },
  });
  conn.goOnline();
  await sync.catchUp();
  await sync.loadLatest('cnv_1');
  conn.goOffline();
  conn.requests.length = 0;
  const conv = store.conversations.get('cnv_1');
  return { server, conn, api, store, sync, sender, outbox, outboxUser, conv, toasts, e2ee: groups };
}

const sends = (t) => t.conn.requestsOf('send');
const stored = async (t) => (await new Outbox(t.outboxUser).all()).map((i) => i.clientMsgId);

test('a message written offline shows pending, is kept in the outbox, and is sent once when back online', async () => {
  const t = await setup();
  const item = await t.sender.sendMessage('cnv_1', 'written offline');
  assert.deepEqual([...t.conv.pending.keys()], [item.clientMsgId]);
  assert.deepEqual(await stored(t), [item.clientMsgId], 'it survives a reload');
  assert.equal(sends(t).length, 0);

  t.conn.goOnline();
  await t.sender.flush();
  await until(() => t.conv.pending.size === 0, 'acknowledged');

  assert.deepEqual(sends(t).map((f) => [f.clientMsgId, f.body, f.kind]), [[item.clientMsgId, 'written offline', 'text']]);
  const entry = t.conv.entries.get(1);
  assert.equal(entry.clientMsgId, item.clientMsgId);
  assert.equal(entry.senderId, ME);
  assert.equal(t.store.tickOf(t.conv, entry.seq).state, 'sent');
  assert.deepEqual(await stored(t), []);
});

test('a send whose answer was lost is retried with the same clientMsgId and shows once', async () => {
  const t = await setup();
  t.conn.goOnline();
  t.conn.failNext('send', { code: 'timeout', message: 'No answer from the server', deliver: true });
  const item = await t.sender.sendMessage('cnv_1', 'once only');
  await until(() => sends(t).length === 1 && !t.sender.inFlight.size, 'first attempt over');
  assert.equal(t.server.log('cnv_1').length, 1, 'the server stored it; only the answer was lost');
  assert.equal(t.conv.entries.size, 0);
  assert.deepEqual([...t.conv.pending.keys()], [item.clientMsgId], 'still pending, not failed');
  assert.equal(t.conv.pending.get(item.clientMsgId).failed, undefined);
  assert.deepEqual(t.toasts, []);

  t.conn.goOffline(); // the next welcome flushes the outbox
  t.conn.goOnline();
  await t.sender.flush();
  await until(() => t.conv.pending.size === 0, 'acknowledged');

  assert.deepEqual(sends(t).map((f) => f.clientMsgId), [item.clientMsgId, item.clientMsgId]);
  assert.equal(t.server.log('cnv_1').length, 1);
  assert.deepEqual([...t.conv.entries.keys()], [1]);
  // The server's live copy of the same entry changes nothing.
  t.conn.push({ t: 'message', ...t.server.log('cnv_1')[0] });
  assert.equal(t.conv.entries.size, 1);
  assert.deepEqual(await stored(t), []);
});

test('a message is sent once while its answer is awaited, however often the outbox is flushed', async () => {
  const t = await setup();
  t.conn.goOnline();
  t.conn.hold();
  const item = await t.sender.sendMessage('cnv_1', 'patience');
  await t.sender.flush();
  await t.sender.flush();
  assert.equal(sends(t).length, 1);
  t.conn.release();
  await until(() => t.conv.entries.size === 1, 'acknowledged');
  await t.sender.flush();
  await until(() => !t.sender.inFlight.size, 'settled');
  assert.deepEqual(sends(t).map((f) => f.clientMsgId), [item.clientMsgId]);
  assert.equal(t.server.log('cnv_1').length, 1);
});

test('a send cut off by a dropped connection goes again with the same clientMsgId after the reconnect', async () => {
  const t = await setup();
  t.conn.goOnline();
  t.conn.hold();
  const item = await t.sender.sendMessage('cnv_1', 'across the drop');
  t.conn.goOffline(); // the request is rejected as connection.js does on close
  t.sender.connectionLost();
  await until(() => !t.sender.inFlight.size, 'rejected');
  t.conn.held = null;
  t.conn.goOnline();
  await t.sender.flush();
  await until(() => t.conv.entries.size === 1, 'acknowledged');
  assert.deepEqual(sends(t).map((f) => f.clientMsgId), [item.clientMsgId, item.clientMsgId]);
  assert.equal(t.conv.pending.size, 0);
});

test('rate limited: sent again after the delay the server asked for, with the same clientMsgId', async () => {
  const t = await setup();
  t.conn.goOnline();
  t.conn.failNext('send', { code: 'rate_limited', message: 'Slow down', retryAfterMs: 1 });
  const item = await t.sender.sendMessage('cnv_1', 'eventually');
  await until(() => t.conv.entries.size === 1, 'sent after the delay');
  assert.deepEqual(sends(t).map((f) => f.clientMsgId), [item.clientMsgId, item.clientMsgId]);
  assert.deepEqual(t.toasts, []);
});

test('a refused message is marked failed and not resent by a flush; Retry sends the same item', async () => {
  const t = await setup();
  t.conn.goOnline();
  t.conn.failNext('send', { code: 'forbidden', message: 'Not a member of this conversation' });
  const item = await t.sender.sendMessage('cnv_1', 'refused');
  await until(() => t.toasts.length === 1, 'the user told');
  assert.equal(t.conv.pending.get(item.clientMsgId).failed, 'forbidden');
  assert.deepEqual(t.toasts, ['Message not sent: Not a member of this conversation']);
  assert.equal((await new Outbox(t.outboxUser).all())[0].failed, 'forbidden', 'failed, still kept');

  await t.sender.flush();
  await until(() => !t.sender.inFlight.size, 'settled');
  assert.equal(sends(t).length, 1, 'a failed item waits for the user');

  await t.sender.retry('cnv_1', item.clientMsgId);
  await until(() => t.conv.entries.size === 1, 'sent on retry');
  assert.deepEqual(sends(t).map((f) => f.clientMsgId), [item.clientMsgId, item.clientMsgId]);
  assert.equal(t.conv.entries.get(1).body, 'refused');
});

test('messages carry time-ordered clientMsgIds (UUIDv7): later messages sort later', async () => {
  const t = await setup();
  const items = [];
  for (let i = 0; i < 20; i++) items.push(await t.sender.sendMessage('cnv_1', `number ${i}`));
  t.conn.goOnline();
  await t.sender.flush();
  await until(() => t.conv.pending.size === 0, 'acknowledged');

  const ids = sends(t).map((f) => f.clientMsgId);
  assert.deepEqual(ids, items.map((i) => i.clientMsgId));
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

test('a discarded message leaves the outbox and is never sent', async () => {
  const t = await setup();
  const keep = await t.sender.sendMessage('cnv_1', 'keep');
  const drop = await t.sender.sendMessage('cnv_1', 'drop');
  await t.sender.discard('cnv_1', drop.clientMsgId);
  assert.deepEqual([...t.conv.pending.keys()], [keep.clientMsgId]);
  t.conn.goOnline();
  await t.sender.flush();
  await until(() => t.conv.entries.size === 1, 'the kept one sent');
  assert.deepEqual(sends(t).map((f) => f.body), ['keep']);
  assert.deepEqual(await stored(t), []);
});

test('after a reload the outbox shows again as pending, and a half-uploaded media message says its files are lost', async () => {
  const outboxUser = `usr_reload_${++outboxes}`;
  const before = new Outbox(outboxUser);
  await before.put({ clientMsgId: 'c-text', conversationId: 'cnv_1', body: 'queued', kind: 'text', createdAtMs: 1 });
  await before.put({ clientMsgId: 'c-media', conversationId: 'cnv_1', body: 'photo', kind: 'media', createdAtMs: 2,
    files: [{ name: 'a.jpg', size: 3, type: 'image/jpeg' }], attachments: [null] });
  const t = await setup({ outboxUser });
  await t.sender.restore();
  assert.deepEqual([...t.conv.pending.keys()].sort(), ['c-media', 'c-text']);
  const media = t.conv.pending.get('c-media');
  assert.equal(media.failed, 'upload_lost');
  assert.equal(media.noRetry, true);

  t.conn.goOnline();
  await t.sender.flush();
  await t.sender.retry('cnv_1', 'c-media');
  await until(() => t.conv.entries.size === 1, 'the text sent');
  assert.deepEqual(sends(t).map((f) => f.clientMsgId), ['c-text']);
  assert.deepEqual(await stored(t), ['c-media'], 'the lost upload waits for Discard');
});

test('reactions, edits and deletes go out at once and their entries fold into the target', async () => {
  const t = await setup();
  t.conn.goOnline();
  await t.sender.sendMessage('cnv_1', 'helo');
  await until(() => t.conv.entries.size === 1, 'sent');

  await t.sender.react('cnv_1', 1, '👍', true);
  await t.sender.edit('cnv_1', 1, 'hello');
  assert.deepEqual(t.conn.requestsOf('react').map(({ t: k, conversationId, target, emoji, on }) => ({ k, conversationId, target, emoji, on })),
    [{ k: 'react', conversationId: 'cnv_1', target: 1, emoji: '👍', on: true }]);
  assert.deepEqual(t.conn.requestsOf('edit').map((f) => [f.target, f.body]), [[1, 'hello']]);
  let f = t.conv.folded(1);
  assert.deepEqual(f.reactions, [{ emoji: '👍', count: 1, users: [ME] }]);
  assert.equal(f.body, 'hello');
  assert.equal(f.edited, true);

  await t.sender.delete('cnv_1', 1);
  f = t.conv.folded(1);
  assert.equal(f.deleted, true);
  assert.equal(f.body, null);
  assert.deepEqual([...t.conv.entries.keys()], [1, 2, 3, 4], 'each change is one entry, at the seq the server gave it');
  assert.deepEqual(t.conv.timeline().map((e) => e.seq), [1]);
});

test('offline, a reaction, an edit or a delete is refused with a notice and not queued (as before the split)', async () => {
  const t = await setup();
  t.server.append('cnv_1', { body: 'theirs' });
  await t.sender.react('cnv_1', 1, '🎉', true);
  await t.sender.edit('cnv_1', 1, 'x');
  await t.sender.delete('cnv_1', 1);
  assert.deepEqual(t.toasts, Array(3).fill('You are offline. Try again when the connection is back.'));
  assert.deepEqual(await stored(t), []);
  t.conn.goOnline();
  await t.sender.flush();
  assert.deepEqual(t.conn.requests, []);
});

test('a change the server refuses says so and changes nothing', async () => {
  const t = await setup();
  t.conn.goOnline();
  t.conn.failNext('edit', { code: 'forbidden', message: 'not yours' });
  await t.sender.edit('cnv_1', 1, 'hijack');
  assert.deepEqual(t.toasts, ['You can only change your own messages.']);
  assert.equal(t.conv.entries.size, 0);
});

test('e2ee: a message is encrypted once, and a resend after a lost answer carries the same ciphertext', async () => {
  const t = await setup({ e2ee: true });
  t.conn.goOnline();
  t.conn.failNext('send', { code: 'timeout', deliver: false });
  const item = await t.sender.sendMessage('cnv_1', 'secret');
  await until(() => sends(t).length === 1 && !t.sender.inFlight.size, 'first attempt over');
  await t.sender.flush();
  await until(() => t.conv.entries.size === 1, 'acknowledged');

  assert.deepEqual(t.e2ee.encrypted, [item.clientMsgId]);
  assert.deepEqual(sends(t).map((f) => f.body), ['mls(secret)#1', 'mls(secret)#1']);
  assert.deepEqual(t.e2ee.sentCalls, [{ conversationId: 'cnv_1', seq: 1, clientMsgId: item.clientMsgId, text: 'secret' }]);
  const entry = t.conv.entries.get(1);
  assert.equal(entry.mls, 'ok');
  assert.equal(t.conv.folded(1).body, 'secret', 'my own message reads as plaintext here');
  assert.equal(t.server.log('cnv_1')[0].body, 'mls(secret)#1', 'the server only saw ciphertext');
});
