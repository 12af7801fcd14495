// Unit tests of the coordinator (client.js): the Connection's events drive the two halves, sync.js and
// sender.js, in the right order. A fake server behind a fake Connection and Api (fakes.mjs); the real
// Store, Outbox (in-memory IndexedDB), Sync and Sender. The e2ee groups find no MLS library here (it is
// copied into the build output only), which only matters to e2ee conversations, not used here.
import 'fake-indexeddb/auto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../main/resources/web/js/store.js';
import { Client } from '../../main/resources/web/js/client.js';
import { DEVICE, FakeApi, FakeConnection, FakeServer, ME, until } from './fakes.mjs';

globalThis.document ??= { visibilityState: 'visible' }; // markRead asks whether the page is visible
const warn = console.warn;
console.warn = (...args) => { if (!String(args[0]).startsWith('End-to-end encryption is not available')) warn(...args); };

let users = 0;

async function setup() {
  const userId = `${ME}_${++users}`; // one outbox per test
  const server = new FakeServer(userId);
  server.addConversation('cnv_1');
  server.appendMany('cnv_1', 3);
  const conn = new FakeConnection(server);
  const api = new FakeApi(server);
  api.revokedLeaves = async () => ({ conversations: [] });
  const store = new Store({ userId, deviceId: DEVICE, handle: 'me' });
  const client = new Client({ session: { userId, deviceId: DEVICE, token: 't' }, api, store, connection: conn });
  await client.start();
  await until(() => client.listLoaded, 'the list fetched');
  return { server, conn, api, store, client, userId };
}

test('a reconnect catches up from the last seq held, then sends what was written offline, in that order', async () => {
  const t = await setup();
  await t.client.open('cnv_1'); // offline: the newest page comes over HTTP
  t.conn.goOnline();
  await until(() => t.conn.frames('read').length, 'first welcome handled');
  const conv = t.store.conversations.get('cnv_1');
  assert.equal(conv.highSeq, 3);
  assert.equal(t.conn.frames('read').at(-1).seq, 3);

  t.conn.goOffline();
  await t.client.sendMessage('cnv_1', 'written offline');
  t.server.appendMany('cnv_1', 2); // 4 and 5, from usr_a while this client was away
  t.conn.requests.length = 0;
  t.conn.goOnline();
  await until(() => conv.pending.size === 0, 'the queued message acknowledged');

  assert.deepEqual(t.conn.requests.map((f) => [f.t, f.afterSeq ?? f.body]), [['sync', 3], ['send', 'written offline']]);
  assert.deepEqual(conv.timeline().map((e) => e.body), ['m1', 'm2', 'm3', 'm4', 'm5', 'written offline']);
  assert.equal(t.conn.frames('read').at(-1).seq, 6, 'the open conversation is read up to the newest entry');
});

test('a dropped connection makes online people unknown and releases sends in flight for the next welcome', async () => {
  const t = await setup();
  t.conn.goOnline();
  await until(() => t.conn.frames('delivered').length, 'first welcome handled');
  t.conn.push({ t: 'presence', userId: 'usr_a', state: 'online' });
  t.conn.push({ t: 'presence', userId: 'usr_b', state: 'offline', lastSeenMs: 5 });
  t.conn.hold();
  await t.client.sendMessage('cnv_1', 'in flight');
  assert.equal(t.client.sender.inFlight.size, 1);

  t.conn.goOffline();
  assert.equal(t.store.presence.get('usr_a').state, 'unknown');
  assert.deepEqual(t.store.presence.get('usr_b'), { state: 'offline', lastSeenMs: 5 });
  assert.equal(t.client.sender.inFlight.size, 0);

  t.conn.held = null;
  t.conn.goOnline();
  const conv = t.store.conversations.get('cnv_1');
  await until(() => conv.pending.size === 0, 'resent and acknowledged');
  const sends = t.conn.requestsOf('send');
  assert.equal(sends.length, 2);
  assert.equal(sends[0].clientMsgId, sends[1].clientMsgId);
});

test('typing: start at most every few seconds, and stop when the message is sent', async () => {
  const t = await setup();
  t.conn.goOnline();
  await until(() => t.conn.frames('delivered').length, 'first welcome handled');
  t.client.typing('cnv_1');
  t.client.typing('cnv_1');
  await t.client.sendMessage('cnv_1', 'typed');
  assert.deepEqual(t.conn.frames('typing').map((f) => f.state), ['start', 'stop']);
});
