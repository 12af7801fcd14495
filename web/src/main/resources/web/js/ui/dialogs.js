// Modal dialogs built on <dialog>: focus moves in, Escape closes, focus returns to the opener.

import { h, icon } from '../dom.js';

export function modal(title, body, { onClose } = {}) {
  const opener = document.activeElement;
  const dlg = h('dialog', { class: 'modal', 'aria-labelledby': 'modal-title' },
    h('header', { class: 'modal-header' },
      h('h2', { id: 'modal-title' }, title),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: () => dlg.close() }, icon('close'))),
    body);
  dlg.addEventListener('close', () => {
    dlg.remove();
    onClose?.();
    opener?.focus?.();
  });
  dlg.addEventListener('click', (ev) => { if (ev.target === dlg) dlg.close(); }); // backdrop
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

/** Resolves true when the user confirms. */
export function confirmDialog({ title, text, confirm = 'OK', danger = false }) {
  return new Promise((resolve) => {
    let result = false;
    const dlg = modal(title, h('div', { class: 'modal-body' },
      h('p', {}, text),
      h('div', { class: 'modal-actions' },
        h('button', { type: 'button', class: 'button ghost', onclick: () => dlg.close() }, 'Cancel'),
        h('button', {
          type: 'button', class: `button ${danger ? 'danger' : 'primary'}`, 'data-testid': 'confirm',
          onclick: () => { result = true; dlg.close(); },
        }, confirm))), { onClose: () => resolve(result) });
    dlg.querySelector('[data-testid=confirm]').focus();
  });
}

/** The "end-to-end encrypted" switch of the new-conversation dialogs. */
function e2eeCheckbox(id) {
  const box = h('input', { type: 'checkbox', id, 'data-testid': id });
  const row = h('label', { class: 'check-row', for: id }, box, icon('lock'),
    h('span', {}, 'End-to-end encrypted', h('small', {}, 'Only the members’ devices can read the messages and files.')));
  return { box, row };
}

export function errorLine() {
  return h('p', { class: 'form-error', role: 'alert', hidden: true });
}

export function showError(el, message) {
  el.textContent = message;
  el.hidden = !message;
}

/** Asks for a handle and starts (or reopens) a direct conversation. Resolves with its id or null. */
export function newChatDialog(client) {
  return new Promise((resolve) => {
    let result = null;
    const input = h('input', {
      id: 'new-chat-handle', name: 'handle', required: true, autocomplete: 'off', spellcheck: 'false',
      placeholder: 'e.g. alice', 'data-testid': 'new-chat-handle', 'aria-describedby': 'new-chat-hint',
      oninput: () => showError(error, ''),
    });
    const error = errorLine();
    const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'new-chat-submit' }, 'Start chat');
    const secret = e2eeCheckbox('new-chat-e2ee');
    const form = h('form', {
      class: 'modal-body',
      onsubmit: async (ev) => {
        ev.preventDefault();
        showError(error, '');
        submit.disabled = true;
        try {
          result = await client.startDirect(input.value, { e2ee: secret.box.checked });
          dlg.close();
        } catch (e) {
          showError(error, e.status === 404 ? `No one is called @${input.value.replace(/^@/, '').trim()}.` : e.message);
          input.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('label', { for: 'new-chat-handle' }, 'Their handle'),
    h('div', { class: 'input-prefix' }, h('span', { 'aria-hidden': 'true' }, '@'), input),
    h('p', { id: 'new-chat-hint', class: 'hint' }, 'Ask them for the handle they signed up with.'),
    secret.row,
    error,
    h('div', { class: 'modal-actions' },
      h('button', { type: 'button', class: 'button ghost', onclick: () => dlg.close() }, 'Cancel'), submit));
    const dlg = modal('New chat', form, { onClose: () => resolve(result) });
    input.focus();
  });
}

/** Creates a group from a title and a list of handles. Resolves with its id or null. */
export function newGroupDialog(client) {
  return new Promise((resolve) => {
    let result = null;
    const title = h('input', { id: 'group-title', required: true, maxlength: '80', placeholder: 'e.g. Weekend trip', 'data-testid': 'group-title' });
    const members = h('input', {
      id: 'group-members', required: true, autocomplete: 'off', spellcheck: 'false',
      placeholder: 'alice, bob', 'data-testid': 'group-members', 'aria-describedby': 'group-hint',
    });
    const error = errorLine();
    const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'group-submit' }, 'Create group');
    const secret = e2eeCheckbox('group-e2ee');
    const form = h('form', {
      class: 'modal-body',
      onsubmit: async (ev) => {
        ev.preventDefault();
        showError(error, '');
        submit.disabled = true;
        try {
          result = await client.createGroup(title.value.trim(), members.value.split(/[,\s]+/), { e2ee: secret.box.checked });
          dlg.close();
        } catch (e) {
          showError(error, e.message);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('label', { for: 'group-title' }, 'Group name'), title,
    h('label', { for: 'group-members' }, 'Members'), members,
    h('p', { id: 'group-hint', class: 'hint' }, 'Handles separated by commas. You are added automatically.'),
    secret.row,
    error,
    h('div', { class: 'modal-actions' },
      h('button', { type: 'button', class: 'button ghost', onclick: () => dlg.close() }, 'Cancel'), submit));
    const dlg = modal('New group', form, { onClose: () => resolve(result) });
    title.focus();
  });
}
