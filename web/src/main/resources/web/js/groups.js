// Group roles on the client: folding `system` entries (added, removed, left, renamed, role) into a
// conversation's members, title and roles, and the rules of who may do what — the server's rules
// (docs/security.md, "Group roles"), used only to decide which controls to show: the server decides.

const RANK = { owner: 3, admin: 2, member: 1 };

export const ROLES = ['owner', 'admin', 'member'];

export function rank(role) {
  return RANK[role] || 0;
}

/** A member's role in a group ('member' when none is known); null for a non-member or a direct conversation. */
export function roleOf(conv, userId) {
  if (conv.kind !== 'group' || !conv.members.includes(userId)) return null;
  return conv.roles?.[userId] || 'member';
}

/** Owners and admins add members, rename the group and delete anyone's message. */
export function manages(conv, userId) {
  return rank(roleOf(conv, userId)) >= RANK.admin;
}

/** Whether `actor` may remove `target` (someone else: leaving is always allowed). */
export function mayRemove(conv, actor, target) {
  return manages(conv, actor) && rank(roleOf(conv, target)) < rank(roleOf(conv, actor));
}

/** Whether `actor` may give `target` the role `role`: the target ranks below, the role at most the actor's. */
export function maySetRole(conv, actor, target, role) {
  const mine = rank(roleOf(conv, actor));
  return manages(conv, actor) && rank(roleOf(conv, target)) < mine && rank(role) > 0 && rank(role) <= mine;
}

/**
 * Applies a group's `system` entry newer than the last view the server sent, so every member's client follows
 * live; older entries (history paging) are already in that view.
 */
export function foldGroupChange(conv, e) {
  const s = e.system;
  if (!s || conv.kind !== 'group' || e.seq <= (conv.viewSeq || 0)) return;
  const ids = s.userIds || [];
  const roles = { ...(conv.roles || {}) };
  if (s.action === 'added') {
    conv.members = [...conv.members, ...ids.filter((u) => !conv.members.includes(u))];
    for (const u of ids) roles[u] = roles[u] || 'member';
  } else if (s.action === 'removed' || s.action === 'left') {
    conv.members = conv.members.filter((u) => !ids.includes(u));
    for (const u of ids) delete roles[u];
  } else if (s.action === 'renamed' && s.title) {
    conv.title = s.title;
  }
  Object.assign(roles, s.roles || {});
  conv.roles = roles;
}
