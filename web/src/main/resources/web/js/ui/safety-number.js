// The safety-number screen of an e2ee conversation: the group's current epoch and its epoch authenticator
// (RFC 9420 §8.7) as 30 digits (e2ee/safety-number.js), for two members to compare in person or over
// another channel. Every member sees the same number in the same epoch; it changes at every Commit, and
// the dialog follows while open. docs/e2ee.md, "Verifying a contact".

import { h, icon } from '../dom.js';
import { modal } from './dialogs.js';
import { safetyNumber, toHex } from '../e2ee/safety-number.js';

/** The header button, shown for e2ee conversations this device is in. */
export function safetyNumberButton(client, conversationId) {
  return h('button', {
    type: 'button', class: 'icon-button', 'aria-label': 'Verify safety number', title: 'Verify safety number',
    'data-testid': 'safety-number-open', onclick: () => openSafetyNumber(client, conversationId),
  }, icon('lock'));
}

export function openSafetyNumber(client, conversationId) {
  const store = client.store;
  const epochEl = h('p', { class: 'safety-epoch', 'data-testid': 'safety-epoch' });
  const digits = h('div', { class: 'safety-digits', 'data-testid': 'safety-number', role: 'group', 'aria-label': 'Safety number' });
  const hex = h('code', { class: 'safety-hex', 'data-testid': 'safety-hex' });
  const render = () => {
    const now = client.e2ee.authenticatorOf(conversationId);
    if (!now) {
      epochEl.textContent = 'This device is not in the group, so it has no safety number.';
      digits.replaceChildren();
      hex.textContent = '';
      return;
    }
    const number = safetyNumber(now.authenticator);
    if (digits.dataset.value === number) return;
    digits.dataset.value = number;
    digits.dataset.epoch = String(now.epoch);
    epochEl.textContent = `Epoch ${now.epoch}`;
    digits.replaceChildren(...number.split(' ').map((group) => h('span', { class: 'safety-group' }, group)));
    hex.textContent = toHex(now.authenticator);
  };
  const body = h('div', { class: 'modal-body safety-body' },
    h('p', {}, 'Every member of this conversation sees the same number while the group is in the same epoch. '
      + 'Compare it with someone in person, or over a call or another channel you trust: if yours match, no one — '
      + 'not even the server — is reading in between.'),
    epochEl, digits,
    h('details', { class: 'safety-details' }, h('summary', {}, 'Epoch authenticator (hex)'), hex),
    h('p', { class: 'form-hint' }, 'The number changes whenever someone is added or removed, or a device updates its keys (a new epoch). '
      + 'Compare again after a change. If the numbers differ in the same epoch, do not trust the conversation.'));
  const onChange = () => render();
  store.addEventListener('change', onChange);
  render();
  const dlg = modal('Safety number', body, { onClose: () => store.removeEventListener('change', onChange) });
  dlg.setAttribute('data-testid', 'safety-dialog');
  return dlg;
}
