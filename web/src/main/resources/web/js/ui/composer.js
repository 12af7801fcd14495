// The message composer: an auto-growing textarea, Enter to send (Shift+Enter for a new line),
// reply and edit modes shown in a bar above it, Escape to cancel them, ArrowUp in an empty
// composer to edit your last message. Files (the attach button, a paste, or a drop on the
// conversation) wait in a tray above the input until the message is sent; the text is the caption.

import { h, icon } from '../dom.js';
import { preview } from '../format.js';
import { formatSize, guessKind } from '../media.js';

const ACCEPT = 'image/*,video/*,audio/*,application/pdf,text/plain';
const MAX_FILES = 32; // attachments per message (protocol limit)

export class Composer {
  /**
   * hooks: {onSend(body, {replyTo}), onEdit(seq, body), onTyping(), onEditLast(), describe(seq) -> {name, text}}
   */
  constructor(hooks, { placeholder = 'Message', label = 'Message', testId = 'composer' } = {}) {
    this.hooks = hooks;
    this.placeholder = placeholder;
    this.mode = null; // {kind: 'reply'|'edit', seq}
    this.files = [];  // [{file, url?}] waiting to be sent
    this.bar = h('div', { class: 'composer-bar', hidden: true });
    this.tray = h('ul', { class: 'composer-files', hidden: true, 'aria-label': 'Files to send', 'data-testid': `${testId}-files` });
    this.fileInput = h('input', {
      type: 'file', multiple: true, accept: ACCEPT, class: 'file-input', tabindex: '-1', 'aria-hidden': 'true',
      'data-testid': `${testId}-file`,
      onchange: () => { this.addFiles([...this.fileInput.files]); this.fileInput.value = ''; },
    });
    this.attachButton = h('button', {
      type: 'button', class: 'attach', 'aria-label': 'Attach files', title: 'Attach files', 'data-testid': `${testId}-attach`,
      onclick: () => this.fileInput.click(),
    }, icon('attach'));
    this.input = h('textarea', {
      class: 'composer-input', rows: '1', placeholder, 'aria-label': label, 'data-testid': testId,
      enterkeyhint: 'send', autocomplete: 'off',
      oninput: () => {
        this.autosize();
        if (this.input.value.trim()) this.hooks.onTyping();
        else this.hooks.onStopTyping?.();
      },
      onkeydown: (ev) => this.onKey(ev),
      onpaste: (ev) => {
        const files = [...(ev.clipboardData?.files || [])];
        if (files.length && !this.attachButton.hidden) { ev.preventDefault(); this.addFiles(files); }
      },
    });
    this.button = h('button', { type: 'submit', class: 'send', 'aria-label': 'Send', title: 'Send (Enter)', 'data-testid': 'send' }, icon('send'));
    this.el = h('form', {
      class: 'composer', onsubmit: (ev) => { ev.preventDefault(); this.submit(); },
    }, this.bar, this.tray, h('div', { class: 'composer-row' }, this.attachButton, this.fileInput, this.input, this.button));
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
    const editing = this.mode?.kind === 'edit';
    if (!body && (editing || !this.files.length)) return;
    if (editing) this.hooks.onEdit(this.mode.seq, body);
    else {
      const files = this.files.map((f) => f.file);
      this.hooks.onSend(body, { replyTo: this.mode?.kind === 'reply' ? this.mode.seq : undefined, files: files.length ? files : undefined });
      this.clearFiles();
    }
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

  /** Offers attachments or not (not in e2ee conversations a browser cannot encrypt in). */
  setAttachments(on) {
    this.attachButton.hidden = !on;
    if (!on && this.files.length) this.clearFiles();
  }

  /** Adds files to the tray (from the picker, a paste or a drop); the text typed becomes the caption. */
  addFiles(files) {
    const room = MAX_FILES - this.files.length;
    for (const file of files.slice(0, Math.max(0, room))) {
      this.files.push({ file, url: guessKind(file.type) === 'image' ? URL.createObjectURL(file) : null });
    }
    if (files.length > room) this.hooks.onNotice?.(`At most ${MAX_FILES} files per message.`);
    this.renderTray();
    this.input.focus();
  }

  removeFile(index) {
    const [gone] = this.files.splice(index, 1);
    if (gone?.url) URL.revokeObjectURL(gone.url);
    this.renderTray();
    this.input.focus();
  }

  clearFiles() {
    for (const f of this.files) if (f.url) URL.revokeObjectURL(f.url);
    this.files = [];
    this.renderTray();
  }

  renderTray() {
    this.tray.hidden = !this.files.length;
    this.tray.replaceChildren(...this.files.map(({ file, url }, i) => h('li', { class: 'file-chip', 'data-testid': 'file-chip' },
      url ? h('img', { class: 'file-chip-preview', src: url, alt: '' })
        : h('span', { class: 'file-chip-icon', 'aria-hidden': 'true' }, icon(guessKind(file.type) === 'image' ? 'image' : 'file')),
      h('span', { class: 'file-chip-text' },
        h('span', { class: 'file-chip-name' }, file.name || 'Pasted file'),
        h('span', { class: 'file-chip-size' }, formatSize(file.size))),
      h('button', {
        type: 'button', class: 'icon-button', 'aria-label': `Remove ${file.name || 'file'}`, title: 'Remove',
        onclick: () => this.removeFile(i),
      }, icon('close')))));
    this.input.placeholder = this.files.length ? 'Add a caption' : this.placeholder;
  }
}
