// Rendering of timeline items: day separators, the unread marker, system lines and message
// bubbles with their reply quote, reactions, ticks and actions. Each item has a key and a
// signature so the timeline can be reconciled without rebuilding what did not change.

import { manages } from '../groups.js';
import { h, icon } from '../dom.js';
import { clockTime, dayKey, dayLabel, hueFor, initials, linkParts, preview } from '../format.js';
import { formatSize, guessKind, kindLabel, messageSummary } from '../media.js';
import { sealedAttachments } from './sealed-media.js';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉'];
const RUN_GAP_MS = 5 * 60_000;

export function avatar(name, id, size = '') {
  return h('span', { class: `avatar ${size}`, style: `--hue:${hueFor(id)}`, 'aria-hidden': 'true' }, initials(name));
}

function bodyNodes(text) {
  return linkParts(text).map((p) => (typeof p === 'string' ? p
    : h('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer' }, p.url)));
}

const TICK_LABEL = { pending: 'Sending', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Not sent' };

function tickNode(tick, group) {
  let label = TICK_LABEL[tick.state];
  if (group && tick.total > 1) {
    if (tick.state === 'read') label = 'Read by everyone';
    else if (tick.read > 0) label = `Read by ${tick.read} of ${tick.total}`;
  }
  const name = tick.state === 'pending' ? 'clock' : tick.state === 'failed' ? 'alert'
    : tick.state === 'sent' ? 'check' : 'checks';
  return h('span', { class: `tick tick-${tick.state}`, title: label, 'data-testid': 'tick' },
    icon(name), h('span', { class: 'sr-only' }, label),
    group && tick.state !== 'read' && tick.read > 0 ? h('span', { class: 'tick-count', 'aria-hidden': 'true' }, String(tick.read)) : null);
}

/**
 * Builds the reconcile items for a list of message/system entries (plus pending outbox items, for
 * the main timeline). `ctx`: {store, conv, unreadFrom, actions, inThread}.
 */
export function timelineItems(ctx, entries, pendings) {
  const { store, conv } = ctx;
  const me = store.me.userId;
  const group = conv.kind === 'group';
  const rows = entries.map((e) => ({ entry: e, at: e.sentAtMs }))
    .concat(pendings.map((p) => ({ pending: p, at: p.createdAtMs })));
  const items = [];
  let lastDay = null;
  let prev = null;
  // unreadFrom is the read watermark when the conversation was opened (null: nothing unread).
  let unreadPlaced = ctx.unreadFrom === null || ctx.unreadFrom === undefined;
  for (const row of rows) {
    const day = dayKey(row.at || Date.now());
    if (day !== lastDay) {
      lastDay = day;
      prev = null;
      const label = dayLabel(row.at || Date.now());
      items.push({ key: `day-${day}`, sig: label, build: () => h('div', { class: 'day-sep', role: 'separator' }, h('span', {}, label)) });
    }
    const e = row.entry;
    if (!unreadPlaced && e && e.senderId !== me && e.kind !== 'system' && e.seq > ctx.unreadFrom) {
      unreadPlaced = true;
      prev = null;
      items.push({ key: 'unread', sig: 'u', build: () => h('div', { class: 'unread-sep', 'data-testid': 'unread-marker' }, h('span', {}, 'New messages')) });
    }
    if (e && e.kind === 'system') {
      items.push(systemItem(store, e));
      prev = null;
      continue;
    }
    const hidden = e && ctx.hide?.(e); // a blocked user's message: a placeholder instead (ui/safety.js)
    if (hidden) {
      items.push(hidden);
      prev = null;
      continue;
    }
    const senderId = e ? e.senderId : me;
    const firstInRun = !prev || prev.senderId !== senderId || (row.at - prev.at) > RUN_GAP_MS;
    prev = { senderId, at: row.at };
    items.push(e ? messageItem(ctx, e, firstInRun, group) : pendingItem(ctx, row.pending, group));
  }
  return items;
}

function systemItem(store, e) {
  if (e.system?.action === 'notice') { // posted by the operator: no sender, the text is the body
    const notice = typeof e.body === 'string' ? e.body : '';
    return { key: `m-${e.seq}`, sig: notice, build: () => h('div', { class: 'system-line' }, h('span', {}, notice)) };
  }
  const who = store.userName(e.senderId);
  const names = (e.system?.userIds || []).map((u) => store.userName(u)).join(', ');
  const action = e.system?.action;
  const text = action === 'added' ? `${who} added ${names}`
    : action === 'removed' ? `${who} removed ${names}`
    : action === 'left' ? `${names || who} left`
    : action === 'renamed' ? `${who} renamed the group to “${e.system.title}”`
    : action === 'role' ? roleText(store, who, e.system.roles)
    : 'The conversation changed';
  const successor = action !== 'role' && e.system?.roles
    ? Object.keys(e.system.roles).map((u) => store.userName(u)).join(', ') : '';
  if (successor) return systemLine(e, `${text}; ${successor} ${successor === 'You' ? 'are' : 'is'} now owner`);
  return systemLine(e, text);
}

function systemLine(e, text) {
  return { key: `m-${e.seq}`, sig: text, build: () => h('div', { class: 'system-line' }, h('span', {}, text)) };
}

/** "Alice made Bob admin" (several at once when an account's deletion handed ownership on). */
function roleText(store, who, roles) {
  const parts = Object.entries(roles || {}).map(([u, r]) => `${store.userName(u)} ${r === 'admin' ? 'an admin' : r === 'owner' ? 'an owner' : 'a member'}`);
  return `${who} made ${parts.join(', ') || 'a change'}`;
}

function messageItem(ctx, e, firstInRun, group) {
  const { store, conv } = ctx;
  const me = store.me.userId;
  const mine = e.senderId === me;
  const f = conv.folded(e.seq);
  const tick = mine ? store.tickOf(conv, e.seq) : null;
  const quoted = e.replyTo ? conv.folded(e.replyTo) : null;
  const replies = ctx.inThread ? 0 : (conv.threads.get(e.seq)?.size || 0);
  const senderName = store.userName(e.senderId);
  const key = mine && e.clientMsgId ? `c-${e.clientMsgId}` : `m-${e.seq}`;
  const sig = JSON.stringify([f.body, f.locked, f.lockedWhy, f.edited, f.deleted, f.reactions, tick, firstInRun, senderName, e.attachments, !!e.sealed,
    quoted && [quoted.body, quoted.deleted, store.userName(quoted.entry.senderId)], !!e.replyTo, replies, ctx.highlight === e.seq]);
  return {
    key, sig,
    build: () => buildMessage(ctx, { e, f, mine, tick, quoted, replies, senderName, firstInRun, group }),
  };
}

function pendingItem(ctx, p, group) {
  const { conv } = ctx;
  const tick = { state: p.failed ? 'failed' : 'pending' };
  const quoted = p.replyTo ? conv.folded(p.replyTo) : null;
  return {
    key: `c-${p.clientMsgId}`,
    sig: JSON.stringify(['p', p.body, p.failed || '', p.failedText || '', !!quoted, p.files?.length || 0]),
    build: () => buildMessage(ctx, {
      e: { seq: 0, senderId: ctx.store.me.userId, sentAtMs: p.createdAtMs, clientMsgId: p.clientMsgId, replyTo: p.replyTo, kind: p.kind },
      f: { body: p.body, edited: false, deleted: false, reactions: [] },
      mine: true, tick, quoted, replies: 0, senderName: 'You', firstInRun: true, group, pending: p,
    }),
  };
}

function buildMessage(ctx, m) {
  const { e, f, mine, tick, quoted, replies, senderName, firstInRun, group, pending } = m;
  const { actions, store } = ctx;
  const classes = ['msg', mine ? 'mine' : 'theirs', firstInRun ? 'first' : 'cont'];
  if (pending) classes.push('pending');
  if (f.deleted) classes.push('deleted');
  if (ctx.highlight === e.seq) classes.push('highlight');
  const time = clockTime(e.sentAtMs || Date.now());
  const label = `${senderName}, ${time}${f.deleted ? ', deleted' : ''}`;

  const attachments = f.deleted ? null
    : pending?.files ? pendingAttachments(ctx, pending)
      : ctx.conv.e2ee ? (e.sealed?.length && !f.locked ? sealedAttachments(ctx, e.sealed) : null)
      : e.attachments?.length ? h('div', { class: 'attachments', 'data-testid': 'attachments' },
        e.attachments.map((id) => attachmentNode(ctx, id))) : null;
  const bubble = h('div', { class: `bubble${attachments ? ' has-media' : ''}${attachments && !f.body ? ' media-only' : ''}` },
    group && !mine && firstInRun ? h('div', { class: 'sender', style: `--hue:${hueFor(e.senderId)}` }, senderName) : null,
    quoted ? h('button', {
      class: 'quote', type: 'button', title: 'Show the original message',
      onclick: () => actions.jumpTo(quoted.entry.seq),
    }, h('span', { class: 'quote-name' }, store.userName(quoted.entry.senderId)),
    h('span', { class: 'quote-text' }, quoted.deleted ? 'Deleted message' : quoted.locked ? 'Encrypted message' : preview(messageSummary(quoted.body, quoted.entry.attachments, ctx.media), 120)))
      : (e.replyTo ? h('div', { class: 'quote missing' }, 'Reply to an earlier message') : null),
    attachments,
    h('div', { class: 'body', 'data-testid': 'message-body' },
      f.deleted ? h('em', {}, 'This message was deleted')
        : f.locked ? lockedBody(f.locked, f.lockedWhy) : bodyNodes(f.body || '')),
    h('div', { class: 'meta' },
      f.edited && !f.deleted ? h('span', { class: 'edited', 'data-testid': 'edited' }, 'edited') : null,
      h('time', { datetime: new Date(e.sentAtMs || Date.now()).toISOString() }, time),
      mine && !f.deleted ? tickNode(tick, group) : null));

  const reactions = f.reactions.length ? h('div', { class: 'reactions' },
    f.reactions.map((r) => {
      const minePressed = r.users.includes(store.me.userId);
      const who = r.users.map((u) => store.userName(u)).join(', ');
      return h('button', {
        type: 'button', class: `reaction${minePressed ? ' on' : ''}`, 'aria-pressed': String(minePressed),
        'data-testid': 'reaction', 'data-emoji': r.emoji, title: who,
        'aria-label': `${r.emoji} ${r.count}, by ${who}. ${minePressed ? 'Remove yours' : 'Add yours'}`,
        onclick: () => actions.react(e.seq, r.emoji, !minePressed),
      }, h('span', { class: 'emoji', 'aria-hidden': 'true' }, r.emoji), h('span', { class: 'count', 'aria-hidden': 'true' }, String(r.count)));
    })) : null;

  const threadLink = replies ? h('button', {
    type: 'button', class: 'thread-link', onclick: () => actions.openThread(e.seq),
  }, icon('thread'), `${replies} ${replies === 1 ? 'reply' : 'replies'}`) : null;

  let tools = null;
  if (pending) {
    tools = pending.failed ? h('div', { class: 'failed-tools' },
      pending.failedText ? h('span', { class: 'upload-error', role: 'alert', 'data-testid': 'upload-error' }, pending.failedText) : null,
      pending.noRetry ? null : h('button', { type: 'button', class: 'link', onclick: () => actions.retry(pending.clientMsgId) }, 'Retry'),
      h('button', { type: 'button', class: 'link', onclick: () => actions.discard(pending.clientMsgId) }, 'Discard')) : null;
  } else if (!f.deleted) {
    tools = h('div', { class: 'tools', role: 'toolbar', 'aria-label': 'Message actions' },
      toolButton('smile', 'React', (ev) => actions.pickReaction(e.seq, ev.currentTarget)),
      toolButton('reply', 'Reply', () => actions.reply(e.seq)),
      ctx.inThread ? null : toolButton('thread', 'Reply in thread', () => actions.openThread(e.seq)),
      mine && !ctx.conv.e2ee ? toolButton('edit', 'Edit', () => actions.edit(e.seq)) : null,
      mine || manages(ctx.conv, store.me.userId) ? toolButton('trash', 'Delete', () => actions.remove(e.seq)) : null,
      !mine && actions.menu ? toolButton('more', 'More actions', (ev) => actions.menu(e.seq, e.senderId, ev.currentTarget)) : null);
  }

  return h('div', {
    class: classes.join(' '), 'data-testid': 'message', 'data-seq': e.seq || null,
    'data-client-msg-id': e.clientMsgId || null, 'data-tick': tick ? tick.state : null,
    'data-mine': mine ? 'true' : null, tabindex: '-1', 'aria-label': label, role: 'article',
  },
  group && !mine ? (firstInRun ? avatar(senderName, e.senderId, 'sm') : h('span', { class: 'avatar-space' })) : null,
  h('div', { class: 'stack' }, bubble, reactions, threadLink, tools));
}

/** What an e2ee message shows while it is not (or cannot be) decrypted on this device. */
const UNDECRYPTABLE = {
  'before-join': 'Sent before this device joined the conversation, so it cannot be decrypted here.',
  'not-kept': 'Not decrypted on this device: it is older than this device’s membership.',
  'own-lost': 'Sent from this device, but its text was not kept here.',
  failed: 'This message could not be decrypted. It may be damaged, or not meant for this conversation.',
};

function lockedBody(state, why) {
  const text = state === 'pending' ? 'Decrypting…' : UNDECRYPTABLE[why] || UNDECRYPTABLE.failed;
  return h('span', { class: `locked locked-${state}`, 'data-testid': 'locked', 'data-state': state },
    icon('lock'), h('em', {}, text));
}

function toolButton(name, label, onclick) {
  return h('button', { type: 'button', class: 'tool', 'aria-label': label, title: label, onclick }, icon(name));
}

// ---- attachments --------------------------------------------------------------------------------

const THUMB_BOX = 280; // longest edge of an image preview in a bubble, CSS px

/** Display size of an image preview, keeping its aspect ratio. */
function fitBox(width, height) {
  if (!width || !height) return null;
  const scale = Math.min(1, THUMB_BOX / width, THUMB_BOX / height);
  return { w: Math.max(48, Math.round(width * scale)), h: Math.max(48, Math.round(height * scale)) };
}

/** One attachment of a sent message: an image preview or a file card, filled in once its details are known. */
function attachmentNode(ctx, mediaId) {
  const info = ctx.media.info(mediaId);
  if (info && info.kind) return info.kind === 'image' ? imageNode(ctx, mediaId, info) : fileCard(ctx, mediaId, info);
  const slot = h('div', { class: 'attachment-loading', 'aria-busy': 'true' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading attachment…');
  ctx.media.describe(mediaId)
    .then((meta) => slot.replaceWith(meta.kind === 'image' ? imageNode(ctx, mediaId, meta) : fileCard(ctx, mediaId, meta)))
    .catch(() => slot.replaceWith(h('div', { class: 'file-card unavailable' },
      h('span', { class: 'file-icon', 'aria-hidden': 'true' }, icon('alert')),
      h('span', { class: 'file-info' }, h('span', { class: 'file-name' }, 'Attachment unavailable'),
        h('span', { class: 'file-size' }, 'It may have been removed, or you are offline.')))));
  return slot;
}

function imageNode(ctx, mediaId, info) {
  const name = info.filename || 'Photo';
  const box = fitBox(info.width, info.height);
  const img = h('img', {
    alt: name, decoding: 'async', draggable: 'false', 'data-testid': 'media-image',
    width: box?.w, height: box?.h,
  });
  let retried = false;
  img.addEventListener('error', () => {
    // The link expired (or the server's signing key rotated): ask for a new one, once.
    if (retried) { button.classList.add('broken'); return; }
    retried = true;
    ctx.media.forget(mediaId, 'thumbnail');
    ctx.media.forget(mediaId, 'original');
    ctx.media.get(mediaId, 'thumbnail').then((l) => { img.src = l.url; }).catch(() => button.classList.add('broken'));
  });
  img.addEventListener('load', () => button.classList.add('loaded'));
  const cached = ctx.media.cached(mediaId, 'thumbnail');
  if (cached) img.src = cached.url;
  else ctx.media.get(mediaId, 'thumbnail').then((l) => { img.src = l.url; }).catch(() => button.classList.add('broken'));
  const button = h('button', {
    type: 'button', class: 'media-thumb', 'data-testid': 'media-thumb', 'data-media-id': mediaId,
    'aria-label': `Open photo ${name}`, title: name,
    style: box ? `width:${box.w}px;aspect-ratio:${box.w} / ${box.h}` : null,
    onclick: () => ctx.actions.openMedia(mediaId, name),
  }, img);
  return button;
}

const KIND_ICON = { image: 'image', video: 'video', audio: 'audio' };

function fileCard(ctx, mediaId, info) {
  const name = info.filename || kindLabel(info.kind);
  const link = h('a', {
    class: 'file-download', href: ctx.media.cached(mediaId, 'original', true)?.url || '#',
    download: info.filename || '', 'aria-label': `Download ${name}`, title: 'Download', 'data-testid': 'file-download',
    onclick: (ev) => {
      // Signed links expire: follow this one only if it is still good, else get a new one first.
      const fresh = ctx.media.cached(mediaId, 'original', true);
      if (fresh && link.href === fresh.url) return;
      ev.preventDefault();
      ctx.media.get(mediaId, 'original', true)
        .then((l) => { link.href = l.url; link.click(); })
        .catch(() => ctx.actions.notice?.('The file cannot be downloaded right now.'));
    },
  }, icon('download'));
  return h('div', { class: 'file-card', 'data-testid': 'file-card' },
    h('span', { class: `file-icon kind-${info.kind}`, 'aria-hidden': 'true' }, icon(KIND_ICON[info.kind] || 'file')),
    h('span', { class: 'file-info' },
      h('span', { class: 'file-name', title: name }, name),
      h('span', { class: 'file-size' }, [formatSize(info.size), kindLabel(info.kind)].filter(Boolean).join(' · '))),
    link);
}

/** The files of a message still being uploaded: local previews, names and one progress bar. */
function pendingAttachments(ctx, p) {
  const up = ctx.uploads.get(p.clientMsgId);
  const files = p.files.map((meta, i) => {
    const file = up?.files[i];
    const kind = guessKind(meta.type);
    if (file && kind === 'image') {
      const url = URL.createObjectURL(file);
      const img = h('img', { alt: meta.name, onload: () => URL.revokeObjectURL(url), src: url });
      return h('div', { class: 'media-thumb local', title: meta.name }, img);
    }
    return h('div', { class: 'file-card' },
      h('span', { class: `file-icon kind-${kind}`, 'aria-hidden': 'true' }, icon(KIND_ICON[kind] || 'file')),
      h('span', { class: 'file-info' },
        h('span', { class: 'file-name', title: meta.name }, meta.name || 'File'),
        h('span', { class: 'file-size' }, formatSize(meta.size))));
  });
  const pct = up && up.total ? Math.floor((up.loaded / up.total) * 100) : 0;
  const progress = p.failed ? null : h('div', {
    class: 'upload-progress', role: 'progressbar', 'aria-label': 'Upload', 'aria-valuemin': '0', 'aria-valuemax': '100',
    'aria-valuenow': String(pct), 'data-upload': p.clientMsgId, 'data-testid': 'upload-progress',
  }, h('span', { class: 'upload-bar', style: `width:${pct}%` }),
  h('span', { class: 'upload-text' }, pct >= 100 ? 'Sending…' : `Uploading… ${pct}%`));
  const cancel = p.failed || !up ? null : h('button', {
    type: 'button', class: 'link upload-cancel', onclick: () => ctx.actions.discard(p.clientMsgId),
  }, 'Cancel');
  return h('div', { class: 'attachments pending' }, files, progress, cancel);
}

/** Moves the progress bars of one upload (called on every progress event, without a re-render). */
export function updateProgress(root, clientMsgId, loaded, total) {
  const pct = total ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
  for (const el of root.querySelectorAll(`[data-upload="${CSS.escape(clientMsgId)}"]`)) {
    el.setAttribute('aria-valuenow', String(pct));
    el.querySelector('.upload-bar').style.width = `${pct}%`;
    el.querySelector('.upload-text').textContent = pct >= 100 ? 'Sending…' : `Uploading… ${pct}%`;
  }
}
