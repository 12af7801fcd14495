// Adding and removing members of an existing e2ee conversation from the browser: one MLS Commit made by
// this device (the server's member routes answer 409 there: members follow accepted Commits). Adding a user
// adds every device of theirs not in the group yet (KeyPackages claimed from the directory), then a Welcome
// goes to those devices; removing a user removes every leaf of theirs. A Commit that loses the epoch race
// (`conflict`: another member's Commit was accepted first) is dropped, the winner is applied by pulling the
// log, and the change is planned again on the new epoch and retried, up to MAX_ATTEMPTS times.

import { toBase64 } from './groups.js';
import { uuidv7 } from '../uuid7.js';

const MAX_ATTEMPTS = 8;
const fromUtf8 = new TextDecoder();

/** The occupied leaves of a ts-mls group state: [{index, identity}] ("userId/deviceId"). */
export function leavesOf(state) {
  const out = [];
  for (let node = 0; node < state.ratchetTree.length; node += 2) {
    const n = state.ratchetTree[node];
    if (n?.nodeType === 'leaf') out.push({ index: node / 2, identity: fromUtf8.decode(n.leaf.credential.identity) });
  }
  return out;
}

/** The proposals that make the change on this state (devices already in are not added twice). */
function plan(e2ee, state, claimed, removeUserIds, removeIdentities) {
  const leaves = leavesOf(state);
  const present = new Set(leaves.map((l) => l.identity));
  const own = state.privatePath.leafIndex;
  const proposals = [];
  const recipients = [];
  for (const k of claimed) {
    const id = `${k.userId}/${k.deviceId}`;
    if (present.has(id) || k.deviceId === e2ee.session.deviceId || recipients.includes(k.deviceId)) continue;
    let kp;
    try {
      kp = e2ee.mls.decodeMlsMessage(Uint8Array.from(atob(k.keyPackage), (c) => c.charCodeAt(0)), 0)?.[0]?.keyPackage;
    } catch {
      kp = null;
    }
    if (!kp || fromUtf8.decode(kp.leafNode.credential.identity) !== id) continue; // not what the directory says
    proposals.push({ proposalType: 'add', add: { keyPackage: kp } });
    recipients.push(k.deviceId);
  }
  for (const l of leaves) {
    if (l.index !== own && (removeIdentities.has(l.identity) || removeUserIds.some((u) => l.identity.startsWith(`${u}/`)))) {
      proposals.push({ proposalType: 'remove', remove: { removed: l.index } });
    }
  }
  return { proposals, recipients };
}

/**
 * Commits the change: `add` and `remove` are user ids. Resolves with {added, removed, attempts} (devices
 * added, leaves removed, Commits sent), or throws (not in the group, refused, or lost the race too often).
 */
export async function changeMembers(e2ee, conversationId, { add = [], remove = [], removeDevices = new Set() } = {}) {
  await e2ee.ready;
  if (e2ee.problem) throw new Error(e2ee.problem);
  const claimed = add.length ? (await e2ee.api.claimKeyPackages(add)).keyPackages || [] : [];
  await e2ee.catchUp(conversationId);
  const result = await e2ee.serial(conversationId, async () => {
    for (let attempt = 1; ; attempt++) {
      const g = await e2ee.group(conversationId);
      if (!g.state || e2ee.statusOf(conversationId) !== 'member') {
        throw new Error('This device is not in the conversation’s encryption group.');
      }
      const { proposals, recipients } = plan(e2ee, g.state, claimed, remove, removeDevices);
      if (!proposals.length) return { added: 0, removed: 0, attempts: attempt - 1 };
      let r;
      try {
        r = await e2ee.commit(conversationId, g.state, proposals);
      } catch (err) {
        if (err.code !== 'conflict' || attempt >= MAX_ATTEMPTS) throw err;
        // Another Commit won this epoch: ours is forgotten (ts-mls states are values; g.state is untouched),
        // the winner is applied from the log, and the change is planned again.
        await e2ee.pull(conversationId);
        continue;
      }
      g.state = r.newState;
      await e2ee.saveGroup(conversationId, g);
      if (recipients.length && r.welcome) {
        await e2ee.conn.request({
          t: 'send', conversationId, clientMsgId: uuidv7(), kind: 'mls-welcome', recipients,
          body: toBase64(e2ee.mls.encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome: r.welcome })),
        });
      }
      return { added: recipients.length, removed: proposals.length - recipients.length, attempts: attempt };
    }
  });
  e2ee.catchUp(conversationId);
  e2ee.onChange(conversationId);
  return result;
}

/**
 * Removes the leaves of revoked devices (signed out, password changed, disabled) that the server reports in the
 * groups this device is in: one Commit per conversation (nothing to do if another member was first). Run after
 * every connection. Resolves with how many conversations were changed.
 */
export async function removeRevoked(e2ee) {
  await e2ee.ready;
  if (e2ee.problem) return 0;
  const { conversations = [] } = await e2ee.api.revokedLeaves();
  let changed = 0;
  for (const r of conversations) {
    await e2ee.catchUp(r.conversationId);
    if (e2ee.statusOf(r.conversationId) !== 'member') continue; // not in this group: its members will do it
    const removeDevices = new Set(r.leaves.map((l) => `${l.userId}/${l.deviceId}`));
    try {
      const res = await changeMembers(e2ee, r.conversationId, { removeDevices });
      if (res.removed) changed++;
    } catch (e) {
      console.warn('e2ee: could not remove revoked devices from', r.conversationId, e);
    }
  }
  return changed;
}
