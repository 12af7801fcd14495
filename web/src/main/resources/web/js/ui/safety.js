// Blocking and reporting in the web client: the caller's block list (loaded at start, changed from a
// message's menu or the conversation header), the placeholder a blocked user's messages show as, the
// notice that replaces the composer in a direct conversation with someone blocked, and the report dialog.
// The server sends nothing live from a blocked user; what the log still holds (groups) is hidden here.

import { h, icon } from '../dom.js';
import { confirmDialog, errorLine, modal, showError } from './dialogs.js';

const MAX_REASON = 1000;

/** The users this account blocks. Fires `change` when the set changes. */
export class Blocks extends EventTarget {
  constructor(api) {
    super();
    this.api = api;
    this.ids = new Set();
  }

  async load() {
    const res = await this.api.request('GET', '/v1/me/blocks');
    this.ids = new Set((res?.blocks || []).map((b) => b.userId));
    this.dispatchEvent(new Event('change'));
  }

  has(userId) {
    return !!userId && this.ids.has(userId);
  }

  async block(userId) {
    await this.api.request('PUT', `/v1/me/blocks/${encodeURIComponent(userId)}`);
    this.ids.add(userId);
    this.dispatchEvent(new Event('change'));
  }

  async unblock(userId) {
    await this.api.request('DELETE', `/v1/me/blocks/${encodeURIComponent(userId)}`);
    this.ids.delete(userId);
    this.dispatchEvent(new Event('change'));
  }
}

/** A timeline item standing in for a blocked user's message. */
export function blockedItem(e) {
  return {
    key: `m-${e.seq}`, sig: 'blocked',
    build: () => h('div', { class: 'blocked-line', 'data-testid': 'blocked-message', 'data-seq': e.seq },
      h('span', {}, 'Message from a blocked user')),
  };
}

/** Asks before blocking someone, then blocks them. */
export async function confirmBlock(app, userId) {
  const name = app.store.userName(userId);
  const ok = await confirmDialog({
    title: `Block ${name}?`,
    text: `${name} will not be able to message you directly, and you will not see their messages, reactions or typing anywhere. They are not told, but their messages to you will fail.`,
    confirm: 'Block', danger: true,
  });
  if (!ok) return;
  try {
    await app.blocks.block(userId);
    app.toast(`You blocked ${name}.`);
  } catch (e) {
    app.toast(`Could not block ${name}: ${e.message}`);
  }
}

export async function unblock(app, userId) {
  const name = app.store.userName(userId);
  try {
    await app.blocks.unblock(userId);
    app.toast(`You unblocked ${name}.`);
  } catch (e) {
    app.toast(`Could not unblock ${name}: ${e.message}`);
  }
}

/** The "Report message" dialog: a reason, sent to the operator with a copy of the message. */
export function reportDialog(app, conversationId, seq) {
  const reason = h('textarea', {
    id: 'report-reason', rows: 3, maxlength: MAX_REASON, required: true, 'data-testid': 'report-reason',
    placeholder: 'e.g. spam, harassment', oninput: () => showError(error, ''),
  });
  const error = errorLine();
  const submit = h('button', { type: 'submit', class: 'button danger', 'data-testid': 'report-submit' }, 'Report');
  const form = h('form', {
    class: 'modal-body',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const text = reason.value.trim();
      if (!text) { showError(error, 'Say what is wrong with this message.'); return; }
      submit.disabled = true;
      try {
        await app.client.api.request('POST', '/v1/reports', { conversationId, seq, reason: text });
        dlg.close();
        app.toast('Reported. Thank you: the operator will look at it.');
      } catch (e) {
        showError(error, e.code === 'rate_limited' ? 'Too many reports just now. Try again in a little while.' : e.message);
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('p', {}, 'The operator of this server will see the message and your reason.'),
  h('label', { for: 'report-reason' }, 'Reason'), reason, error,
  h('div', { class: 'modal-actions' },
    h('button', { type: 'button', class: 'button ghost', onclick: () => dlg.close() }, 'Cancel'), submit));
  const dlg = modal('Report message', form);
  reason.focus();
}

/** A small menu of actions next to `anchor`, inside `host`; closes on choice, Escape or a click elsewhere. */
export function popupMenu(host, anchor, items, testId) {
  const close = () => { menu.remove(); document.removeEventListener('pointerdown', outside, true); anchor.focus(); };
  const outside = (ev) => { if (!menu.contains(ev.target)) close(); };
  const menu = h('div', {
    class: 'popup-menu', role: 'menu', 'data-testid': testId,
    onkeydown: (ev) => {
      const buttons = [...menu.querySelectorAll('button')];
      const i = buttons.indexOf(document.activeElement);
      if (ev.key === 'Escape') close();
      if (ev.key === 'ArrowDown') buttons[(i + 1) % buttons.length].focus();
      if (ev.key === 'ArrowUp') buttons[(i - 1 + buttons.length) % buttons.length].focus();
    },
  }, items.map((it) => h('button', {
    type: 'button', role: 'menuitem', class: it.danger ? 'danger' : '', 'data-testid': it.testId,
    onclick: () => { close(); it.run(); },
  }, icon(it.icon), h('span', {}, it.label))));
  const rect = anchor.getBoundingClientRect();
  const box = host.getBoundingClientRect();
  menu.style.top = `${Math.max(8, rect.bottom - box.top + 4)}px`;
  menu.style.left = `${Math.min(Math.max(8, rect.right - box.left - 200), box.width - 210)}px`;
  host.append(menu);
  menu.querySelector('button')?.focus();
  setTimeout(() => document.addEventListener('pointerdown', outside, true));
}

/** The menu of someone else's message: report it, block or unblock its sender. */
export function messageMenu(app, host, anchor, conversationId, seq, senderId) {
  const blocked = app.blocks.has(senderId);
  const name = app.store.userName(senderId);
  popupMenu(host, anchor, [
    { icon: 'alert', label: 'Report message', testId: 'menu-report', run: () => reportDialog(app, conversationId, seq) },
    blocked
      ? { icon: 'person', label: `Unblock ${name}`, testId: 'menu-unblock', run: () => unblock(app, senderId) }
      : { icon: 'close', label: `Block ${name}`, testId: 'menu-block', danger: true, run: () => confirmBlock(app, senderId) },
  ], 'message-menu');
}

/** The header's menu for a direct conversation: block or unblock the other person. */
export function headerButton(app, host, peerOf) {
  const button = h('button', {
    type: 'button', class: 'icon-button', 'aria-label': 'Conversation options', 'data-testid': 'conversation-menu',
    onclick: (ev) => {
      const peer = peerOf();
      if (!peer) return;
      const name = app.store.userName(peer);
      popupMenu(host, ev.currentTarget, [app.blocks.has(peer)
        ? { icon: 'person', label: `Unblock ${name}`, testId: 'menu-unblock', run: () => unblock(app, peer) }
        : { icon: 'close', label: `Block ${name}`, testId: 'menu-block', danger: true, run: () => confirmBlock(app, peer) }],
      'header-menu');
    },
  }, icon('more'));
  return button;
}

/** What stands instead of the composer in a direct conversation with someone this account blocks. */
export function blockedNotice(app, peer) {
  return h('div', { class: 'blocked-notice', role: 'note', 'data-testid': 'blocked-notice' },
    h('span', {}, `You blocked ${app.store.userName(peer)}.`),
    h('button', { type: 'button', class: 'button ghost', 'data-testid': 'blocked-unblock', onclick: () => unblock(app, peer) }, 'Unblock'));
}
