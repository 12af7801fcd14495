// Sign in / create account. On success hands a session {token, userId, deviceId, handle} back.

import { h } from '../dom.js';

function deviceName() {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom/.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return `Web · ${browser}${os ? ' on ' + os : ''}`;
}

export function renderAuth(root, api, onSession) {
  let mode = 'signin';
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'auth-error' });
  const handle = h('input', { id: 'auth-handle', name: 'handle', required: true, autocomplete: 'username', spellcheck: 'false', autocapitalize: 'none', 'data-testid': 'auth-handle' });
  const nameRow = h('div', { class: 'field', hidden: true },
    h('label', { for: 'auth-name' }, 'Display name ', h('span', { class: 'optional' }, '(optional)')),
    h('input', { id: 'auth-name', name: 'displayName', autocomplete: 'name', 'data-testid': 'auth-display-name' }));
  const password = h('input', { id: 'auth-password', name: 'password', type: 'password', required: true, minlength: '8', autocomplete: 'current-password', 'data-testid': 'auth-password' });
  const submit = h('button', { type: 'submit', class: 'button primary wide', 'data-testid': 'auth-submit' }, 'Sign in');
  const tabIn = h('button', { type: 'button', role: 'tab', id: 'tab-signin', 'aria-selected': 'true', 'data-testid': 'tab-signin', onclick: () => setMode('signin') }, 'Sign in');
  const tabUp = h('button', { type: 'button', role: 'tab', id: 'tab-signup', 'aria-selected': 'false', 'data-testid': 'tab-signup', onclick: () => setMode('signup') }, 'Create account');

  function setMode(m) {
    mode = m;
    tabIn.setAttribute('aria-selected', String(m === 'signin'));
    tabUp.setAttribute('aria-selected', String(m === 'signup'));
    nameRow.hidden = m !== 'signup';
    password.autocomplete = m === 'signup' ? 'new-password' : 'current-password';
    submit.textContent = m === 'signup' ? 'Create account' : 'Sign in';
    error.hidden = true;
    handle.focus();
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    const h0 = handle.value.trim().replace(/^@/, '');
    try {
      if (mode === 'signup') {
        await api.createAccount(h0, password.value, root.querySelector('#auth-name').value.trim());
      }
      const s = await api.createSession(h0, password.value, deviceName());
      onSession({ token: s.token, userId: s.userId, deviceId: s.deviceId, handle: h0 });
    } catch (e) {
      error.textContent = e.status === 401 ? 'That handle and password do not match.'
        : e.status === 409 ? 'That handle is taken. Try another one.'
        : e.status === 429 ? 'Too many attempts. Wait a moment and try again.'
        : e.network ? 'Cannot reach the server. Check your connection.'
        : e.message;
      error.hidden = false;
      submit.disabled = false;
    }
  }

  root.replaceChildren(h('main', { class: 'auth' },
    h('div', { class: 'auth-card' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), h('h1', {}, 'Parley')),
      h('p', { class: 'tagline' }, 'Conversations that stay yours.'),
      h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Sign in or create an account' }, tabIn, tabUp),
      h('form', { class: 'auth-form', onsubmit: onSubmit, 'aria-labelledby': 'tab-signin' },
        h('div', { class: 'field' }, h('label', { for: 'auth-handle' }, 'Handle'), handle),
        nameRow,
        h('div', { class: 'field' }, h('label', { for: 'auth-password' }, 'Password'), password),
        error, submit)),
    h('p', { class: 'auth-foot' }, 'Self-hosted. Your messages live on this server.')));
  handle.focus();
}
