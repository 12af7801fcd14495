// Members of an e2ee group, from the chat header: who is in it, "Remove" per member and "Add" by handle.
// Each change is an MLS Commit made by this browser (e2ee/members.js); the member list follows the
// accepted Commit as the server reports it.

import { h, icon } from '../dom.js';
import { errorLine, modal, showError } from './dialogs.js';
import { changeMembers } from '../e2ee/members.js';

/** The header button, shown only for e2ee groups this device can commit in. */
export function e2eeMembersButton(client, conversationId) {
  return h('button', {
    // Beside "Group info" (roles, rename): adding and removing people here changes the group's keys.
    type: 'button', class: 'icon-button', 'aria-label': 'Add or remove members (encryption keys)',
    title: 'Add or remove members (encryption keys)', 'data-testid': 'e2ee-members',
    onclick: () => openE2eeMembers(client, conversationId),
  }, icon('person'));
}

export function openE2eeMembers(client, conversationId) {
  const store = client.store;
  const error = errorLine();
  const status = h('p', { class: 'form-hint', role: 'status', 'data-testid': 'e2ee-members-status' });
  const list = h('ul', { class: 'member-list e2ee-member-list', 'data-testid': 'e2ee-member-list' });
  const input = h('input', {
    id: 'e2ee-add-handle', autocomplete: 'off', spellcheck: 'false', placeholder: 'handle', 'data-testid': 'e2ee-add-handle',
  });
  // The server's member list follows accepted Commits; fetch it (existing members get no frame for others' changes).
  const refresh = () => client.api.conversation(conversationId).then((view) => client.onConversation(view)).catch(() => {});
  let busy = false;
  const run = async (what, work) => {
    if (busy) return;
    busy = true;
    showError(error, '');
    status.textContent = `${what}…`;
    try {
      const r = await work();
      await refresh();
      status.textContent = r.attempts > 1 ? `Done (another member changed the group meanwhile; retried ${r.attempts - 1}×).` : 'Done.';
    } catch (e) {
      status.textContent = '';
      showError(error, e.message || String(e));
    } finally {
      busy = false;
      render();
    }
  };
  const render = () => {
    const conv = store.conversations.get(conversationId);
    list.replaceChildren(...(conv?.members || []).map((id) => h('li', { 'data-testid': 'e2ee-member', 'data-user-id': id },
      h('span', {}, id === store.me.userId ? 'You' : store.userName(id)),
      id === store.me.userId ? null : h('button', {
        type: 'button', class: 'button ghost', 'data-testid': 'e2ee-remove',
        onclick: () => run(`Removing ${store.userName(id)}`, () => changeMembers(client.e2ee, conversationId, { remove: [id] })),
      }, 'Remove'))));
  };
  const form = h('form', {
    class: 'modal-body',
    onsubmit: (ev) => {
      ev.preventDefault();
      const handle = input.value.replace(/^@/, '').trim();
      if (!handle) return;
      run(`Adding @${handle}`, async () => {
        const user = await client.api.userByHandle(handle).catch((e) => {
          throw new Error(e.status === 404 ? `No one is called @${handle}.` : e.message);
        });
        store.setUser(user);
        const r = await changeMembers(client.e2ee, conversationId, { add: [user.userId] });
        if (!r.added) throw new Error(`@${handle} has no device that can be added right now.`);
        input.value = '';
        return r;
      });
    },
  },
  list,
  h('label', { for: 'e2ee-add-handle' }, 'Add someone'),
  h('div', { class: 'modal-actions' }, input,
    h('button', { type: 'submit', class: 'button primary', 'data-testid': 'e2ee-add-submit' }, icon('lock'), 'Add')),
  h('p', { class: 'form-hint' }, 'Adding or removing someone changes the encryption keys: their devices are added or removed by this one.'),
  status, error);
  const onChange = () => render();
  store.addEventListener('change', onChange);
  render();
  refresh();
  modal('Members', form, { onClose: () => store.removeEventListener('change', onChange) });
  input.focus();
}
