// "Group info": a group's members with their roles, and what the signed-in user may do about them —
// add members, remove, make admin / member / owner, rename, leave. Controls appear only when the
// server's rules allow them (../groups.js); the server still decides, and its refusals are shown.

import { h } from '../dom.js';
import { confirmDialog, errorLine, modal, showError } from './dialogs.js';
import { manages, mayRemove, maySetRole, roleOf } from '../groups.js';

const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', member: 'Member' };

export function groupInfoDialog(app, convId) {
  const client = app.client;
  const store = app.store;
  const api = client.api;
  const me = store.me.userId;
  const path = (...parts) => '/v1/conversations/' + [convId, ...parts].map(encodeURIComponent).join('/');
  const conv = () => store.conversations.get(convId);

  const error = errorLine();
  error.dataset.testid = 'group-error';
  const list = h('ul', { class: 'member-list', 'aria-label': 'Members', 'data-testid': 'group-members-list' });
  const titleInput = h('input', { id: 'group-rename', maxlength: 128, 'data-testid': 'group-rename-input' });
  const renameForm = h('form', {
    class: 'settings-row', 'data-testid': 'group-rename',
    onsubmit: (ev) => { ev.preventDefault(); act(() => api.request('PATCH', path(), { title: titleInput.value.trim() })); },
  }, titleInput, h('button', { type: 'submit', class: 'button primary small', 'data-testid': 'group-rename-save' }, 'Rename'));
  const addInput = h('input', { id: 'group-add', placeholder: 'handle', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'group-add-input' });
  const addForm = h('form', {
    class: 'settings-row', 'data-testid': 'group-add',
    onsubmit: (ev) => {
      ev.preventDefault();
      act(async () => {
        const handles = addInput.value.split(/[,\s]+/).map((x) => x.replace(/^@/, '')).filter(Boolean);
        const ids = [];
        for (const handle of handles) ids.push((await api.userByHandle(handle)).userId);
        const view = await api.request('POST', path('members'), { userIds: ids });
        addInput.value = '';
        return view;
      });
    },
  }, addInput, h('button', { type: 'submit', class: 'button primary small', 'data-testid': 'group-add-save' }, 'Add'));
  const leaveButton = h('button', {
    type: 'button', class: 'button danger', 'data-testid': 'group-leave',
    onclick: async () => {
      const sure = await confirmDialog({
        title: 'Leave this group?', confirm: 'Leave', danger: true,
        text: roleOf(conv(), me) === 'owner' && ownerCount() === 1
          ? 'You are its only owner: the longest-standing admin (else member) becomes owner.'
          : 'You will no longer see its new messages.',
      });
      if (!sure) return;
      try {
        await api.request('DELETE', path('members', me));
        dlg.close();
        client.onConversation({ conversationId: convId, members: [] });
        app.closeConversation?.();
      } catch (e) {
        showError(error, e.message);
      }
    },
  }, 'Leave group');

  const ownerCount = () => Object.values(conv()?.roles || {}).filter((r) => r === 'owner').length;

  /** Runs a change; the answer (a view) is applied at once, and the server's refusal is shown. */
  async function act(change) {
    showError(error, '');
    try {
      const view = await change();
      if (view && view.conversationId) client.onConversation(view);
    } catch (e) {
      showError(error, e.code === 'forbidden' ? `Not allowed: ${e.message}` : e.message);
    }
    render();
  }

  function memberRow(c, userId) {
    const role = roleOf(c, userId);
    const u = store.users.get(userId);
    const name = userId === me ? 'You' : (u?.displayName || u?.handle || '…');
    const controls = [];
    if (userId !== me) {
      for (const [to, label] of [['admin', 'Make admin'], ['member', 'Make member'], ['owner', 'Make owner']]) {
        if (to !== role && maySetRole(c, me, userId, to)) {
          controls.push(h('button', {
            type: 'button', class: 'button ghost small', 'data-testid': `member-make-${to}`,
            onclick: () => act(() => api.request('PUT', path('members', userId), { role: to })),
          }, label));
        }
      }
      if (mayRemove(c, me, userId)) {
        controls.push(h('button', {
          type: 'button', class: 'button ghost small danger-text', 'data-testid': 'member-remove',
          onclick: () => act(() => api.request('DELETE', path('members', userId))),
        }, 'Remove'));
      }
    }
    return h('li', { class: 'member', 'data-testid': 'group-member', 'data-user-id': userId, 'data-role': role },
      h('div', { class: 'member-text' },
        h('strong', {}, name),
        u?.handle && userId !== me ? h('span', { class: 'hint' }, ` @${u.handle}`) : null),
      h('span', { class: `role-badge role-${role}`, 'data-testid': 'member-role' }, ROLE_LABEL[role] || role),
      h('div', { class: 'member-actions' }, ...controls));
  }

  function render() {
    const c = conv();
    if (!c) { dlg.close(); return; }
    const can = manages(c, me);
    if (document.activeElement !== titleInput) titleInput.value = c.title || '';
    renameSection.hidden = !can;
    addSection.hidden = !can || c.e2ee; // e2ee members change by MLS commits from a member's device
    const order = (u) => -['member', 'admin', 'owner'].indexOf(roleOf(c, u));
    const members = [...c.members].sort((a, b) => order(a) - order(b));
    list.replaceChildren(...members.map((u) => memberRow(c, u)));
    heading.textContent = `${c.members.length} members · you are ${(ROLE_LABEL[roleOf(c, me)] || '').toLowerCase()}`;
  }

  const heading = h('p', { class: 'hint', 'data-testid': 'group-summary' });
  const renameSection = h('section', { class: 'settings-section' }, h('label', { for: 'group-rename' }, 'Group name'), renameForm);
  const addSection = h('div', { class: 'group-add' }, h('label', { for: 'group-add' }, 'Add people'), addForm);
  const dlg = modal('Group info', h('div', { class: 'modal-body settings', 'data-testid': 'group-info' },
    heading,
    renameSection,
    h('section', { class: 'settings-section' }, h('h3', {}, 'Members'), list, addSection),
    error,
    h('section', { class: 'settings-section danger-zone' }, leaveButton)),
  { onClose: () => store.removeEventListener('change', onChange) });
  const onChange = (ev) => { if (!ev.detail?.conversationId || ev.detail.conversationId === convId) render(); };
  store.addEventListener('change', onChange);
  client.ensureUsers(conv()?.members || []).then(render, () => {});
  render();
  return dlg;
}
