// Unit tests of the web client's state (store.js): pure logic, no DOM, no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationState, Store } from '../../main/resources/web/js/store.js';

const ME = { userId: 'usr_me', handle: 'me', displayName: 'Me' };

function conv(extra = {}) {
  return new ConversationState({ conversationId: 'cnv_1', kind: 'group', members: ['usr_me', 'usr_a', 'usr_b'], ...extra });
}

function msg(seq, extra = {}) {
  return { conversationId: 'cnv_1', seq, kind: 'text', senderId: 'usr_a', body: `m${seq}`, sentAtMs: seq * 1000, ...extra };
}

test('an entry delivered twice is held once, and only new entries are reported', () => {
  const c = conv();
  assert.equal(c.addEntries([msg(1), msg(2)]).length, 2);
  assert.deepEqual(c.addEntries([msg(2), msg(3)]).map((e) => e.seq), [3]);
  assert.equal(c.entries.size, 3);
  assert.equal(c.lastSeq, 3);
});

test('the contiguous window grows both ways and stops at a gap', () => {
  const c = conv();
  c.addEntries([msg(10), msg(11)]);
  assert.deepEqual([c.lowSeq, c.highSeq], [10, 11]);
  c.addEntries([msg(13)]);
  assert.deepEqual([c.lowSeq, c.highSeq], [10, 11], 'a gap at 12 keeps the window');
  c.addEntries([msg(12), msg(9)]);
  assert.deepEqual([c.lowSeq, c.highSeq], [9, 13]);
});

test('edits and deletes fold into their target only when the sender made them', () => {
  const c = conv();
  c.addEntries([msg(1, { body: 'helo' })]);
  c.addEntries([{ ...msg(2), kind: 'edit', target: 1, body: 'hijacked', senderId: 'usr_b' }]);
  assert.equal(c.folded(1).body, 'helo');
  assert.equal(c.folded(1).edited, false);
  c.addEntries([{ ...msg(3), kind: 'edit', target: 1, body: 'hello' }]);
  assert.equal(c.folded(1).body, 'hello');
  assert.equal(c.folded(1).edited, true);
  c.addEntries([{ ...msg(4), kind: 'delete', target: 1, body: undefined }]);
  assert.equal(c.folded(1).deleted, true);
  assert.equal(c.folded(1).body, null);
  assert.deepEqual(c.timeline().map((e) => e.seq), [1], 'changes never show as messages');
});

test('reactions count each user once and a later "off" removes theirs, whatever order entries arrive in', () => {
  const c = conv();
  const react = (seq, who, on) => ({ ...msg(seq), kind: 'reaction', target: 1, emoji: '👍', on, senderId: who, body: undefined });
  c.addEntries([react(4, 'usr_a', false), msg(1), react(2, 'usr_a', true), react(3, 'usr_b', true)]);
  assert.deepEqual(c.folded(1).reactions, [{ emoji: '👍', count: 1, users: ['usr_b'] }]);
});

test('thread replies live in their thread, not in the main timeline', () => {
  const c = conv();
  c.addEntries([msg(1), msg(2, { threadRoot: 1 }), msg(3), msg(4, { threadRoot: 1 })]);
  assert.deepEqual(c.timeline().map((e) => e.seq), [1, 3]);
  assert.deepEqual(c.threadReplies(1).map((e) => e.seq), [2, 4]);
});

test('receipt watermarks never move back, and read implies delivered', () => {
  const c = conv();
  c.applyReceipt('usr_a', 5, 3);
  c.applyReceipt('usr_a', 2, 1);
  assert.deepEqual(c.receipts.get('usr_a'), { deliveredSeq: 5, readSeq: 3 });
  c.applyReceipt('usr_b', 0, 7);
  assert.deepEqual(c.receipts.get('usr_b'), { deliveredSeq: 7, readSeq: 7 });
});

test('an acknowledged message leaves the pending list when its entry arrives', () => {
  const c = conv();
  c.pending.set('c1', { clientMsgId: 'c1', body: 'hi', createdAtMs: 1 });
  c.addEntries([msg(1, { clientMsgId: 'c1', senderId: 'usr_me' })]);
  assert.equal(c.pending.size, 0);
});

test('ticks go from sent to delivered to read as every other member moves', () => {
  const store = new Store(ME);
  const c = store.upsertConversation({ conversationId: 'cnv_1', kind: 'group', members: ['usr_me', 'usr_a', 'usr_b'] });
  assert.equal(store.tickOf(c, 0).state, 'pending');
  assert.equal(store.tickOf(c, 4).state, 'sent');
  c.applyReceipt('usr_a', 4, 4);
  assert.deepEqual(store.tickOf(c, 4), { state: 'sent', read: 1, total: 2 });
  c.applyReceipt('usr_b', 4, 0);
  assert.equal(store.tickOf(c, 4).state, 'delivered');
  c.applyReceipt('usr_b', 4, 9);
  assert.deepEqual(store.tickOf(c, 4), { state: 'read', read: 2, total: 2 });
});

test('direct conversations are titled by the other person, and unknown people are not invented', () => {
  const store = new Store(ME);
  const c = store.upsertConversation({ conversationId: 'cnv_2', kind: 'direct', members: ['usr_me', 'usr_a'] });
  assert.equal(store.titleOf(c), '…');
  store.users.set('usr_a', { userId: 'usr_a', handle: 'alice', displayName: 'Alice Martin' });
  assert.equal(store.titleOf(c), 'Alice Martin');
  assert.equal(store.userName('usr_me'), 'You');
});

test('a typing indicator whose stop frame was lost expires', (t) => {
  const store = new Store(ME);
  let now = 1_000_000;
  t.mock.method(Date, 'now', () => now);
  store.setTyping('cnv_1', 'usr_a', true);
  assert.deepEqual(store.typingUsers('cnv_1'), ['usr_a']);
  now += 6_001;
  assert.deepEqual(store.typingUsers('cnv_1'), []);
});

test('the conversation list is sorted by latest activity, pending messages included', () => {
  const store = new Store(ME);
  const older = store.upsertConversation({ conversationId: 'cnv_old', kind: 'group', members: ['usr_me'], createdAtMs: 1 });
  store.upsertConversation({ conversationId: 'cnv_new', kind: 'group', members: ['usr_me'], createdAtMs: 5 });
  assert.deepEqual(store.sortedConversations().map((c) => c.id), ['cnv_new', 'cnv_old']);
  older.pending.set('p', { clientMsgId: 'p', createdAtMs: 10 });
  assert.deepEqual(store.sortedConversations().map((c) => c.id), ['cnv_old', 'cnv_new']);
});

test('pending messages change only through setPending/dropPending, each bumping the render version', () => {
  const c = conv();
  const v = c.version;
  c.setPending({ clientMsgId: 'c1', body: 'hi', createdAtMs: 1 });
  assert.ok(c.version > v);
  assert.equal(c.holdsClientMsgId('c1'), false);
  c.addEntries([msg(1, { clientMsgId: 'c1', senderId: 'usr_me' })]);
  assert.equal(c.holdsClientMsgId('c1'), true);
  c.setPending({ clientMsgId: 'c2', body: 'bye', createdAtMs: 2 });
  const w = c.version;
  c.dropPending('c2');
  assert.equal(c.pending.size, 0);
  assert.ok(c.version > w);
});

test('unread counts only messages of others after the read mark; reading up to the end clears it', () => {
  const c = conv({ lastSeq: 0 });
  const added = c.addEntries([msg(1), msg(2, { senderId: 'usr_me' }), { ...msg(3), kind: 'reaction', target: 1 }, msg(4)]);
  assert.equal(c.countUnread(added, 'usr_me'), 2);
  assert.equal(c.unread, 2);
  c.readUpTo('usr_me', 2);
  assert.equal(c.clearUnreadIfRead(), false, 'not read to the end yet');
  assert.equal(c.unread, 2);
  c.readUpTo('usr_me', 4);
  c.readUpTo('usr_me', 3);
  assert.equal(c.readSeq, 4, 'never moves back');
  assert.deepEqual(c.receipts.get('usr_me'), { deliveredSeq: 4, readSeq: 4 });
  assert.equal(c.clearUnreadIfRead(), true);
  assert.equal(c.unread, 0);
  c.setDelivered(4);
  c.setDelivered(2);
  assert.equal(c.deliveredSeq, 4);
});

test('loading pages: the newest page knows whether there is more; scroll-back stops at seq 1', () => {
  const c = conv({ lastSeq: 60 });
  c.addEntries(Array.from({ length: 50 }, (_, i) => msg(i + 11)));
  c.markLoaded(true);
  assert.deepEqual([c.loaded, c.hasOlder], [true, true]);
  c.addEntries(Array.from({ length: 10 }, (_, i) => msg(i + 1)));
  c.olderLoaded(true);
  assert.equal(c.hasOlder, false, 'the window reaches seq 1');
  const empty = conv({ conversationId: 'cnv_2' });
  empty.markLoaded(true);
  assert.equal(empty.hasOlder, false, 'nothing was ever written');
});

test('users are fetched once: unknown ones are claimed as placeholders, a failed fetch is forgotten', () => {
  const store = new Store({ ...ME });
  store.setUser({ userId: 'usr_a', handle: 'alice' });
  assert.deepEqual(store.claimUnknownUsers(['usr_a', 'usr_b', 'usr_b', null, 'usr_c']), ['usr_b', 'usr_c']);
  assert.deepEqual(store.claimUnknownUsers(['usr_b']), [], 'already being fetched');
  assert.equal(store.userName('usr_b'), '…');
  store.forgetUser('usr_c');
  assert.deepEqual(store.claimUnknownUsers(['usr_c']), ['usr_c']);
  store.updateMe({ userId: 'usr_me', handle: 'me', displayName: 'Renamed' });
  assert.equal(store.me.displayName, 'Renamed');
  assert.equal(store.users.get('usr_me').displayName, 'Renamed');
});

test('after a disconnect who was online is unknown; offline people keep their last-seen time', () => {
  const store = new Store(ME);
  store.setPresence('usr_a', 'online');
  store.setPresence('usr_b', 'offline', 42);
  store.presenceUnknown();
  assert.equal(store.presence.get('usr_a').state, 'unknown');
  assert.deepEqual(store.presence.get('usr_b'), { state: 'offline', lastSeenMs: 42 });
  store.setSyncToken('7');
  store.setSyncToken(null);
  assert.equal(store.syncToken, '7', 'an answer without a token keeps the last one');
});

test('e2ee: an entry reads only once its plaintext is set; an undecryptable one stays locked with its reason', () => {
  const c = conv({ e2ee: true });
  c.addEntries([msg(1, { body: 'ciphertext-1' }), msg(2, { body: 'ciphertext-2' })]);
  assert.equal(c.folded(1).body, undefined);
  assert.equal(c.folded(1).locked, 'pending');
  c.setPlaintext(c.entries.get(1), 'hello', [{ mediaId: 'med_1' }]);
  c.setUndecryptable(c.entries.get(2), 'not-kept');
  assert.equal(c.folded(1).body, 'hello');
  assert.equal(c.folded(1).locked, null);
  assert.equal(c.entries.get(1).cipher, 'ciphertext-1');
  assert.deepEqual(c.entries.get(1).sealed, [{ mediaId: 'med_1' }]);
  assert.deepEqual([c.folded(2).body, c.folded(2).locked, c.folded(2).lockedWhy], [undefined, 'undecryptable', 'not-kept']);
});
