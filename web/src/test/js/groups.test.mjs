// Unit tests of group roles on the client (groups.js and their fold in store.js): pure logic, no DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationState } from '../../main/resources/web/js/store.js';
import { manages, mayRemove, maySetRole, roleOf } from '../../main/resources/web/js/groups.js';

function group(extra = {}) {
  return new ConversationState({
    conversationId: 'cnv_1', kind: 'group', title: 'team', members: ['usr_o', 'usr_a', 'usr_m'], lastSeq: 3,
    roles: { usr_o: 'owner', usr_a: 'admin', usr_m: 'member' }, ...extra,
  });
}

function system(seq, system, senderId = 'usr_o') {
  return { conversationId: 'cnv_1', seq, kind: 'system', senderId, system, sentAtMs: seq * 1000 };
}

test('controls follow the server rules: act only below you, give at most your own rank', () => {
  const c = group();
  assert.equal(manages(c, 'usr_o'), true);
  assert.equal(manages(c, 'usr_a'), true);
  assert.equal(manages(c, 'usr_m'), false);
  assert.equal(mayRemove(c, 'usr_o', 'usr_a'), true);
  assert.equal(mayRemove(c, 'usr_a', 'usr_o'), false);
  assert.equal(mayRemove(c, 'usr_a', 'usr_m'), true);
  assert.equal(mayRemove(c, 'usr_m', 'usr_a'), false);
  assert.equal(maySetRole(c, 'usr_o', 'usr_a', 'owner'), true);
  assert.equal(maySetRole(c, 'usr_a', 'usr_m', 'admin'), true);
  assert.equal(maySetRole(c, 'usr_a', 'usr_m', 'owner'), false);
  assert.equal(maySetRole(c, 'usr_a', 'usr_o', 'member'), false);
  assert.equal(roleOf(c, 'usr_x'), null);
  assert.equal(roleOf(new ConversationState({ conversationId: 'd', kind: 'direct', members: ['usr_o', 'usr_a'] }), 'usr_o'), null);
});

test('system entries after the view fold into members, title and roles; older ones do not', () => {
  const c = group();
  c.addEntries([system(2, { action: 'renamed', userIds: [], title: 'old name' })]);
  assert.equal(c.title, 'team', 'seq 2 is already in the view (lastSeq 3)');
  c.addEntries([system(4, { action: 'renamed', userIds: [], title: 'Lagoon trip' })]);
  c.addEntries([system(5, { action: 'added', userIds: ['usr_n'] })]);
  c.addEntries([system(6, { action: 'role', userIds: ['usr_m'], roles: { usr_m: 'admin' } })]);
  c.addEntries([system(7, { action: 'left', userIds: ['usr_o'], roles: { usr_a: 'owner' } }, 'usr_o')]);
  assert.equal(c.title, 'Lagoon trip');
  assert.deepEqual(c.members, ['usr_a', 'usr_m', 'usr_n']);
  assert.deepEqual(c.roles, { usr_a: 'owner', usr_m: 'admin', usr_n: 'member' });
});

test("a moderator's delete folds in a group, but not someone else's delete in a direct conversation", () => {
  const c = group();
  c.addEntries([{ conversationId: 'cnv_1', seq: 4, kind: 'text', senderId: 'usr_m', body: 'spam', sentAtMs: 1 }]);
  c.addEntries([{ conversationId: 'cnv_1', seq: 5, kind: 'delete', target: 4, senderId: 'usr_a', sentAtMs: 2 }]);
  assert.equal(c.folded(4).deleted, true);
  assert.equal(c.folded(4).body, null);
  const d = new ConversationState({ conversationId: 'd', kind: 'direct', members: ['usr_o', 'usr_a'] });
  d.addEntries([{ conversationId: 'd', seq: 1, kind: 'text', senderId: 'usr_a', body: 'hi', sentAtMs: 1 }]);
  d.addEntries([{ conversationId: 'd', seq: 2, kind: 'delete', target: 1, senderId: 'usr_o', sentAtMs: 2 }]);
  assert.equal(d.folded(1).deleted, false);
});
