// Unit tests of the WebSocket channel (connection.js) with a fake WebSocket class: hello and welcome,
// answers matched by id, and reconnection with capped exponential backoff and jitter. Timers are Node's
// mock timers (no waiting); the jitter comes from a mocked Math.random.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../main/resources/web/js/connection.js';

const sockets = [];
class FakeWebSocket {
  constructor(url) {
    this.url = url;
    this.sent = [];
    sockets.push(this);
  }
  send(data) { this.sent.push(JSON.parse(data)); }
  close(code) { this.onclose?.({ code }); }
  /** The server side: opens, answers, closes. */
  open() { this.onopen(); }
  receive(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
  drop(code = 1006) { this.onclose({ code }); }
}

globalThis.WebSocket = FakeWebSocket;
globalThis.location = { protocol: 'http:', host: '127.0.0.1:8080' };
globalThis.window = { addEventListener() {}, removeEventListener() {} };
globalThis.document = { visibilityState: 'visible', addEventListener() {}, removeEventListener() {} };

function connect(t) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  sockets.length = 0;
  const conn = new Connection(() => 'tok_1');
  const states = [];
  conn.addEventListener('state', (ev) => states.push(ev.detail.state));
  conn.start();
  return { conn, states };
}

test('hello carries the token; welcome makes the channel online; answers resolve by id, errors reject with their code', async (t) => {
  const { conn, states } = connect(t);
  const ws = sockets[0];
  assert.equal(ws.url, 'ws://127.0.0.1:8080/v1/ws');
  ws.open();
  assert.deepEqual(ws.sent, [{ t: 'hello', token: 'tok_1', id: 'hello', protocol: 1 }]);
  assert.equal(conn.online, false);
  ws.receive({ t: 'welcome' });
  assert.equal(conn.online, true);
  assert.deepEqual(states, ['connecting', 'online']);

  const first = conn.request({ t: 'sync', conversationId: 'cnv_1', afterSeq: 0, limit: 200 });
  const second = conn.request({ t: 'send', conversationId: 'cnv_1', clientMsgId: 'c1', body: 'x' });
  const [a, b] = ws.sent.slice(1);
  assert.notEqual(a.id, b.id);
  ws.receive({ t: 'error', id: b.id, code: 'rate_limited', message: 'slow down', retryAfterMs: 250 });
  ws.receive({ t: 'ok', id: a.id, messages: [], hasMore: false });
  assert.deepEqual(await first, { t: 'ok', id: a.id, messages: [], hasMore: false });
  await assert.rejects(second, (e) => e.code === 'rate_limited' && e.retryAfterMs === 250);
  conn.stop();
});

test('a dropped socket rejects what waited as offline and reconnects after a jittered, doubling, capped backoff', async (t) => {
  const { conn } = connect(t);
  t.mock.method(Math, 'random', () => 1); // the top of each jitter range
  sockets[0].open();
  sockets[0].receive({ t: 'welcome' });
  const waiting = conn.request({ t: 'react', conversationId: 'cnv_1', target: 1, emoji: '👍', on: true });
  sockets[0].drop();
  await assert.rejects(waiting, (e) => e.code === 'offline');
  assert.equal(conn.state, 'waiting');
  assert.equal(conn.send({ t: 'typing' }), false, 'nothing is sent while waiting');

  const delays = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    const before = sockets.length;
    delays.push(conn.retryAt - Date.now());
    t.mock.timers.tick(conn.retryAt - Date.now() - 1);
    assert.equal(sockets.length, before, 'not before the backoff is over');
    t.mock.timers.tick(1);
    assert.equal(sockets.length, before + 1, 'a new socket once it is');
    sockets.at(-1).drop(); // the server is still down
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 20000, 20000]);

  // Back: the welcome resets the backoff.
  t.mock.timers.tick(conn.retryAt - Date.now());
  sockets.at(-1).open();
  sockets.at(-1).receive({ t: 'welcome' });
  assert.equal(conn.online, true);
  sockets.at(-1).drop();
  assert.equal(conn.retryAt - Date.now(), 500);
  conn.stop();
});

test('the jitter keeps each delay within the upper half of its ceiling', (t) => {
  const { conn } = connect(t);
  t.mock.method(Math, 'random', () => 0);
  sockets[0].drop();
  assert.equal(conn.retryAt - Date.now(), 250);
  conn.stop();
});

test('a socket refused as unauthorized (4401) stops for good and says so', (t) => {
  const { conn } = connect(t);
  let told = 0;
  conn.addEventListener('unauthorized', () => told++);
  sockets[0].open();
  sockets[0].drop(4401);
  assert.equal(told, 1);
  assert.equal(conn.state, 'stopped');
  t.mock.timers.tick(60_000);
  assert.equal(sockets.length, 1, 'no reconnection');
});
