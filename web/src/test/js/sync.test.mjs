// Unit tests of the receiving half of the web client (sync.js) against a fake server behind a fake
// Connection and Api (fakes.mjs): no socket, no HTTP, the real Store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../main/resources/web/js/store.js';
import { Sync, SYNC_PAGE, HISTORY_PAGE } from '../../main/resources/web/js/sync.js';
import { DEVICE, FakeApi, FakeConnection, FakeE2ee, FakeServer, ME, until } from './fakes.mjs';

function setup() {
  const server = new FakeServer();
  const conn = new FakeConnection(server);
  const api = new FakeApi(server);
  const store = new Store({ userId: ME, deviceId: DEVICE, handle: 'me' });
  const e2ee = new FakeE2ee();
  const seen = { incoming: [], reads: [], closed: [], afterList: 0 };
  let activeId = null;
  const sync = new Sync({
    api, conn, store, e2ee,
    hooks: {
      activeId: () => activeId,
      closed: (id) => { seen.closed.push(id); if (activeId === id) activeId = null; },
      markRead: (id) => seen.reads.push(id),
      incoming: (conv, entry) => seen.incoming.push(entry.seq),
      afterList: () => { seen.afterList++; },
    },
  });
  conn.addEventListener('frame', (ev) => sync.onFrame(ev.detail)); // as client.js wires it
  return { server, conn, api, store, e2ee, sync, seen, open: (id) => { activeId = id; } };
}

/** Online, the list fetched and `id` opened (its newest page loaded). */
async function connectedWith(t, id) {
  t.conn.goOnline();
  await t.sync.catchUp();
  await t.sync.loadLatest(id);
  return t.store.conversations.get(id);
}

const live = (entry) => ({ t: 'message', ...entry });

test('a reconnect resumes a loaded conversation right after the last seq it holds, one sync page after another', async () => {
  const t = setup();
  t.server.addConversation('cnv_1');
  t.server.appendMany('cnv_1', 3);
  const conv = await connectedWith(t, 'cnv_1');
  assert.deepEqual([conv.lowSeq, conv.highSeq, conv.loaded], [1, 3, true]);
  const token = t.store.syncToken;

  t.conn.goOffline();
  t.server.appendMany('cnv_1', SYNC_PAGE + 50); // written while this client was away: more than one page
  t.conn.requests.length = 0;
  t.conn.goOnline();
  await t.sync.catchUp();

  assert.deepEqual(t.api.listCalls, [null, token], 'the list is asked only for what changed since the last token');
  assert.deepEqual(t.conn.requestsOf('sync').map((f) => [f.afterSeq, f.limit]), [[3, SYNC_PAGE], [3 + SYNC_PAGE, SYNC_PAGE]]);
  assert.deepEqual([conv.lowSeq, conv.highSeq, conv.entries.size], [1, 253, 253]);
  assert.deepEqual(conv.timeline().map((e) => e.seq), Array.from({ length: 253 }, (_, i) => i + 1));
  assert.equal(t.conn.frames('delivered').at(-1).seq, 253);
  assert.equal(conv.deliveredSeq, 253);
  assert.equal(t.seen.afterList, 2, 'the e2ee upkeep runs after the list on every (re)connect');
});

test('a conversation never opened is not synced on reconnect: the list says enough', async () => {
  const t = setup();
  t.server.addConversation('cnv_1');
  t.server.appendMany('cnv_1', 5);
  t.conn.goOnline();
  await t.sync.catchUp();
  assert.equal(t.conn.requestsOf('sync').length, 0);
  const conv = t.store.conversations.get('cnv_1');
  assert.equal(conv.lastSeq, 5);
  assert.equal(conv.entries.size, 0);
  assert.equal(t.conn.frames('delivered').at(-1).seq, 5, 'delivery is acknowledged up to the list\'s lastSeq');
});

test('live messages show once each and in seq order, duplicated or out of order, and a gap is filled by sync', async () => {
  const t = setup();
  t.server.addConversation('cnv_1');
  t.server.appendMany('cnv_1', 2);
  const conv = await connectedWith(t, 'cnv_1');
  const [m3, m4, m5] = [3, 4, 5].map((n) => t.server.append('cnv_1', { body: `m${n}` }));

  t.conn.push(live(m3));
  t.conn.push(live(m3)); // at-least-once: the same entry again
  t.conn.push(live(m5)); // 4 not here yet: a gap, which the client fills by itself
  await until(() => conv.highSeq === 5, 'the gap filled');
  t.conn.push(live(m4)); // the late copy of what sync brought
  const m6 = t.server.append('cnv_1', { body: 'm6' });
  t.conn.push(live(m6));

  assert.deepEqual(conv.timeline().map((e) => e.body), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  assert.equal(conv.entries.size, 6);
  assert.deepEqual([conv.lowSeq, conv.highSeq], [1, 6]);
  assert.deepEqual(t.conn.requestsOf('sync').map((f) => f.afterSeq), [2, 3], 'opening synced after 2; the gap after 3');
  assert.deepEqual(t.seen.incoming, [3, 5, 6], 'each live message is announced once; 4 came by sync');
  const acks = t.conn.frames('delivered').map((f) => f.seq);
  assert.deepEqual(acks, [...acks].sort((a, b) => a - b), 'delivery receipts only move forward');
  assert.equal(new Set(acks).size, acks.length, 'and are never sent twice for the same seq');
  assert.equal(acks.at(-1), 6);
});

test('unread counts live messages of others once; my own do not count; my other device reading clears it', async () => {
  const t = setup();
  t.server.addConversation('cnv_1');
  const conv = await connectedWith(t, 'cnv_1');
  const m1 = t.server.append('cnv_1', { body: 'hi' });
  const m2 = t.server.append('cnv_1', { body: 'mine', senderId: ME, senderDeviceId: 'dev_other' });
  const m3 = t.server.append('cnv_1', { body: 'there' });
  for (const m of [m1, m1, m2, m3, m3]) t.conn.push(live(m));
  assert.equal(conv.unread, 2);
  assert.deepEqual(t.seen.incoming, [1, 3]);

  t.conn.push({ t: 'receipt', conversationId: 'cnv_1', userId: 'usr_a', deliveredSeq: 3, readSeq: 2 });
  assert.equal(conv.unread, 2, "someone else's receipt is not mine");
  assert.equal(t.store.tickOf(conv, 2).state, 'read');
  assert.equal(t.store.tickOf(conv, 3).state, 'delivered');

  t.conn.push({ t: 'receipt', conversationId: 'cnv_1', userId: ME, deliveredSeq: 3, readSeq: 3 });
  assert.equal(conv.unread, 0);
  assert.equal(conv.readSeq, 3);
});

test('the open conversation is marked read as entries land in it; another one is not', async () => {
  const t = setup();
  t.server.addConversation('cnv_1');
  t.server.addConversation('cnv_2');
  await connectedWith(t, 'cnv_1');
  t.open('cnv_1');
  t.seen.reads.length = 0;
  t.conn.push(live(t.server.append('cnv_2', { body: 'elsewhere' })));
  assert.deepEqual(t.seen.reads, []);
  t.conn.push(live(t.server.append('cnv_1', { body: 'here' })));
  assert.deepEqual(t.seen.reads, ['cnv_1']);
});

test('the list: in full first, then only changes since the syncToken; conversations I left go away', async () => {
  const t = setup();
  t.server.addConversation('cnv_1');
  t.server.addConversation('cnv_2');
  t.conn.goOnline();
  await t.sync.catchUp();
  assert.deepEqual([...t.store.conversations.keys()].sort(), ['cnv_1', 'cnv_2']);
  assert.equal(t.sync.listLoaded, true);
  const token = t.store.syncToken;

  t.server.removeConversation('cnv_2');
  await t.sync.refreshList();
  assert.deepEqual(t.api.listCalls, [null, token]);
  assert.deepEqual([...t.store.conversations.keys()], ['cnv_1']);

  // Pushed: a view of cnv_1 in which I am no longer a member (removed from the group).
  t.open('cnv_1');
  t.conn.push({ t: 'conversation', conversationId: 'cnv_1', kind: 'group', members: ['usr_a'] });
  assert.equal(t.store.conversations.has('cnv_1'), false);
  assert.deepEqual(t.seen.closed, ['cnv_1']);
});

test('a message from a conversation not known yet fetches that conversation', async () => {
  const t = setup();
  t.conn.goOnline();
  await t.sync.catchUp();
  t.server.addConversation('cnv_new', { members: [ME, 'usr_b'] });
  t.conn.push(live(t.server.append('cnv_new', { body: 'hello', senderId: 'usr_b' })));
  await until(() => t.store.users.get('usr_b')?.handle === 'b', 'the sender fetched');
  assert.equal(t.store.conversations.get('cnv_new')?.lastSeq, 1);
  assert.equal(t.store.users.get('usr_b')?.handle, 'b');
});

test('typing: my own echo is ignored, and a message from someone ends their typing indicator', async () => {
  const t = setup();
  t.server.addConversation('cnv_1');
  await connectedWith(t, 'cnv_1');
  t.conn.push({ t: 'typing', conversationId: 'cnv_1', userId: 'usr_a', state: 'start' });
  t.conn.push({ t: 'typing', conversationId: 'cnv_1', userId: ME, state: 'start' });
  assert.deepEqual(t.store.typingUsers('cnv_1'), ['usr_a']);
  t.conn.push(live(t.server.append('cnv_1', { body: 'done typing' })));
  assert.deepEqual(t.store.typingUsers('cnv_1'), []);
  t.conn.push({ t: 'presence', userId: 'usr_a', state: 'online' });
  assert.equal(t.store.presence.get('usr_a').state, 'online');
});

test('scroll-back pages go back from the oldest entry held and stop at the first', async () => {
  const t = setup();
  t.server.addConversation('cnv_1');
  t.server.appendMany('cnv_1', 2 * HISTORY_PAGE + 20);
  const conv = await connectedWith(t, 'cnv_1');
  assert.deepEqual([conv.lowSeq, conv.highSeq, conv.hasOlder], [HISTORY_PAGE + 21, 2 * HISTORY_PAGE + 20, true]);
  assert.equal(await t.sync.loadOlder('cnv_1'), HISTORY_PAGE);
  assert.equal(await t.sync.loadOlder('cnv_1'), 20);
  assert.deepEqual([conv.lowSeq, conv.hasOlder], [1, false]);
  assert.equal(await t.sync.loadOlder('cnv_1'), 0);
  assert.equal(conv.entries.size, 2 * HISTORY_PAGE + 20);
});

test('e2ee: new entries start the group catch-up; entries that catch-up hands over are decrypted, not caught up again', async () => {
  const t = setup();
  t.server.addConversation('cnv_e', { e2ee: true });
  const conv = await connectedWith(t, 'cnv_e');
  assert.ok(t.e2ee.catchUps.includes('cnv_e'), 'every e2ee group follows its log after a (re)connect');
  t.e2ee.catchUps.length = 0;
  t.conn.push(live(t.server.append('cnv_e', { body: 'ciphertext' })));
  assert.deepEqual(t.e2ee.catchUps, ['cnv_e']);
  const fromLog = t.server.append('cnv_e', { body: 'ciphertext 2' });
  t.sync.ingest(conv, [fromLog], false, { fromE2ee: true });
  assert.deepEqual(t.e2ee.catchUps, ['cnv_e']);
  assert.equal(t.e2ee.decorated, 1);
});
