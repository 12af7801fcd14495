// Account settings: the name others see, the password (changing it signs out every other
// device), the list of signed-in devices with a button to sign each out, and deleting the account.

import { h } from '../dom.js';
import { lastSeen } from '../format.js';
import { confirmDialog, errorLine, modal, showError } from './dialogs.js';

export function accountSettingsDialog(app) {
  const api = app.client.api;
  const store = app.store;

  // ---- name --------------------------------------------------------------------------------
  const nameInput = h('input', {
    id: 'settings-name', value: store.me.displayName || '', maxlength: 64, autocomplete: 'name',
    'data-testid': 'settings-name',
  });
  const nameError = errorLine();
  const nameDone = h('span', { class: 'form-ok', role: 'status', 'data-testid': 'settings-name-saved' });
  const nameForm = h('form', {
    class: 'settings-section',
    onsubmit: async (ev) => {
      ev.preventDefault();
      showError(nameError, '');
      nameDone.textContent = '';
      try {
        const me = await api.updateMe(nameInput.value);
        store.updateMe(me);
        store.changed();
        nameInput.value = me.displayName || '';
        nameDone.textContent = 'Saved';
      } catch (e) {
        showError(nameError, e.message);
      }
    },
  },
  h('h3', {}, 'Your name'),
  h('label', { for: 'settings-name' }, 'Shown to the people you talk with (empty shows your handle)'),
  h('div', { class: 'settings-row' }, nameInput,
    h('button', { type: 'submit', class: 'button primary', 'data-testid': 'settings-name-save' }, 'Save'), nameDone),
  nameError);

  // ---- password ----------------------------------------------------------------------------
  const oldPw = h('input', { id: 'settings-old-pw', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'settings-old-password' });
  const newPw = h('input', { id: 'settings-new-pw', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, 'data-testid': 'settings-new-password' });
  const pwError = errorLine();
  pwError.dataset.testid = 'settings-password-error';
  const pwDone = h('p', { class: 'form-ok', role: 'status', 'data-testid': 'settings-password-changed' });
  const pwForm = h('form', {
    class: 'settings-section',
    onsubmit: async (ev) => {
      ev.preventDefault();
      showError(pwError, '');
      pwDone.textContent = '';
      try {
        await api.changePassword(oldPw.value, newPw.value);
        oldPw.value = '';
        newPw.value = '';
        pwDone.textContent = 'Password changed. Your other devices were signed out.';
        loadSessions();
      } catch (e) {
        showError(pwError, e.code === 'forbidden' ? 'The current password is wrong.' : e.message);
      }
    },
  },
  h('h3', {}, 'Password'),
  h('label', { for: 'settings-old-pw' }, 'Current password'), oldPw,
  h('label', { for: 'settings-new-pw' }, 'New password (at least 8 characters)'), newPw,
  h('p', { class: 'hint' }, 'Changing it signs out every other device.'),
  h('div', { class: 'modal-actions' }, h('button', { type: 'submit', class: 'button primary', 'data-testid': 'settings-password-save' }, 'Change password')),
  pwError, pwDone);

  // ---- devices -----------------------------------------------------------------------------
  const list = h('ul', { class: 'session-list', 'aria-label': 'Signed-in devices', 'data-testid': 'session-list' });
  const sessionsError = errorLine();
  async function loadSessions() {
    try {
      const res = await api.sessions();
      list.replaceChildren(...res.sessions.map((s) => h('li', { class: 'session', 'data-testid': 'session', 'data-device-id': s.deviceId },
        h('div', { class: 'session-text' },
          h('strong', {}, s.deviceName || 'Device'),
          h('span', {}, s.current ? 'This device' : lastSeen(s.lastSeenMs).replace('last seen', 'Active'))),
        s.current ? null : h('button', {
          type: 'button', class: 'button ghost small', 'data-testid': 'session-revoke',
          onclick: async () => {
            try {
              await api.revokeDevice(s.deviceId);
              loadSessions();
            } catch (e) {
              showError(sessionsError, e.message);
            }
          },
        }, 'Sign out'))));
    } catch (e) {
      showError(sessionsError, e.message);
    }
  }

  // ---- deletion ----------------------------------------------------------------------------
  const deleteError = errorLine();
  const deleteButton = h('button', {
    type: 'button', class: 'button danger', 'data-testid': 'settings-delete-account',
    onclick: async () => {
      const sure = await confirmDialog({
        title: 'Delete your account?',
        text: 'You will be signed out everywhere and your name and handle removed. Messages you sent stay in their conversations.',
        confirm: 'Delete account', danger: true,
      });
      if (!sure) return;
      try {
        await api.deleteAccount();
        dlg.close();
        app.onSignOut();
      } catch (e) {
        showError(deleteError, e.message);
      }
    },
  }, 'Delete account');

  const dlg = modal('Account settings', h('div', { class: 'modal-body settings', 'data-testid': 'settings' },
    nameForm, pwForm,
    h('section', { class: 'settings-section' }, h('h3', {}, 'Signed-in devices'), list, sessionsError),
    h('section', { class: 'settings-section danger-zone' }, h('h3', {}, 'Delete account'), deleteButton, deleteError)));
  loadSessions();
  return dlg;
}
