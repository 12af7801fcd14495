// The message composer: an auto-growing textarea, Enter to send (Shift+Enter for a new line),
// reply and edit modes shown in a bar above it, Escape to cancel them, ArrowUp in an empty
// composer to edit your last message.

import { h, icon } from '../dom.js';
import { preview } from '../format.js';

export class Composer {
  /**
   * hooks: {onSend(body, {replyTo}), onEdit(seq, body), onTyping(), onEditLast(), describe(seq) -> {name, text}}
   */
  constructor(hooks, { placeholder = 'Message', label = 'Message', testId = 'composer' } = {}) {
    this.hooks = hooks;
    this.mode = null; // {kind: 'reply'|'edit', seq}
    this.bar = h('div', { class: 'composer-bar', hidden: true });
    this.input = h('textarea', {
      class: 'composer-input', rows: '1', placeholder, 'aria-label': label, 'data-testid': testId,
      enterkeyhint: 'send', autocomplete: 'off',
      oninput: () => {
        this.autosize();
        if (this.input.value.trim()) this.hooks.onTyping();
        else this.hooks.onStopTyping?.();
      },
      onkeydown: (ev) => this.onKey(ev),
    });
    this.button = h('button', { type: 'submit', class: 'send', 'aria-label': 'Send', title: 'Send (Enter)', 'data-testid': 'send' }, icon('send'));
    this.el = h('form', {
      class: 'composer', onsubmit: (ev) => { ev.preventDefault(); this.submit(); },
    }, this.bar, h('div', { class: 'composer-row' }, this.input, this.button));
  }

  onKey(ev) {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      this.submit();
    } else if (ev.key === 'Escape' && this.mode) {
      ev.preventDefault();
      this.cancelMode();
    } else if (ev.key === 'ArrowUp' && !this.input.value && !this.mode) {
      if (this.hooks.onEditLast()) ev.preventDefault();
    }
  }

  submit() {
    const body = this.input.value.trim();
    if (!body) return;
    if (this.mode?.kind === 'edit') this.hooks.onEdit(this.mode.seq, body);
    else this.hooks.onSend(body, { replyTo: this.mode?.kind === 'reply' ? this.mode.seq : undefined });
    this.input.value = '';
    this.cancelMode();
    this.autosize();
    this.input.focus();
  }

  startReply(seq) {
    this.setMode({ kind: 'reply', seq });
  }

  startEdit(seq, body) {
    this.setMode({ kind: 'edit', seq });
    this.input.value = body;
    this.autosize();
    this.input.setSelectionRange(body.length, body.length);
  }

  setMode(mode) {
    this.mode = mode;
    const about = this.hooks.describe(mode.seq);
    this.bar.replaceChildren(
      icon(mode.kind === 'edit' ? 'edit' : 'reply'),
      h('div', { class: 'composer-bar-text' },
        h('strong', {}, mode.kind === 'edit' ? 'Edit message' : `Replying to ${about.name}`),
        h('span', {}, preview(about.text, 90))),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Cancel', title: 'Cancel (Esc)', onclick: () => this.cancelMode() }, icon('close')));
    this.bar.hidden = false;
    this.input.focus();
  }

  cancelMode() {
    if (this.mode?.kind === 'edit') {
      this.input.value = '';
      this.autosize();
    }
    this.mode = null;
    this.bar.hidden = true;
    this.bar.replaceChildren();
  }

  autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = Math.min(this.input.scrollHeight, 160) + 'px';
  }

  focus() {
    this.input.focus({ preventScroll: true });
  }
}
