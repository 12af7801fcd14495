// Rendering of timeline items: day separators, the unread marker, system lines and message
// bubbles with their reply quote, reactions, ticks and actions. Each item has a key and a
// signature so the timeline can be reconciled without rebuilding what did not change.

import { h, icon } from '../dom.js';
import { clockTime, dayKey, dayLabel, hueFor, initials, linkParts, preview } from '../format.js';

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
    const senderId = e ? e.senderId : me;
    const firstInRun = !prev || prev.senderId !== senderId || (row.at - prev.at) > RUN_GAP_MS;
    prev = { senderId, at: row.at };
    items.push(e ? messageItem(ctx, e, firstInRun, group) : pendingItem(ctx, row.pending, group));
  }
  return items;
}

function systemItem(store, e) {
  const who = store.userName(e.senderId);
  const names = (e.system?.userIds || []).map((u) => store.userName(u)).join(', ');
  const action = e.system?.action;
  const text = action === 'added' ? `${who} added ${names}`
    : action === 'removed' ? `${who} removed ${names}`
    : action === 'left' ? `${names || who} left`
    : action === 'renamed' ? `${who} renamed the group to “${e.system.title}”`
    : 'The conversation changed';
  return { key: `m-${e.seq}`, sig: text, build: () => h('div', { class: 'system-line' }, h('span', {}, text)) };
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
  const sig = JSON.stringify([f.body, f.edited, f.deleted, f.reactions, tick, firstInRun, senderName,
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
    sig: JSON.stringify(['p', p.body, p.failed || '', !!quoted]),
    build: () => buildMessage(ctx, {
      e: { seq: 0, senderId: ctx.store.me.userId, sentAtMs: p.createdAtMs, clientMsgId: p.clientMsgId, replyTo: p.replyTo },
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

  const bubble = h('div', { class: 'bubble' },
    group && !mine && firstInRun ? h('div', { class: 'sender', style: `--hue:${hueFor(e.senderId)}` }, senderName) : null,
    quoted ? h('button', {
      class: 'quote', type: 'button', title: 'Show the original message',
      onclick: () => actions.jumpTo(quoted.entry.seq),
    }, h('span', { class: 'quote-name' }, store.userName(quoted.entry.senderId)),
    h('span', { class: 'quote-text' }, quoted.deleted ? 'Deleted message' : preview(quoted.body, 120)))
      : (e.replyTo ? h('div', { class: 'quote missing' }, 'Reply to an earlier message') : null),
    h('div', { class: 'body', 'data-testid': 'message-body' },
      f.deleted ? h('em', {}, 'This message was deleted')
        : ctx.conv.e2ee ? h('em', {}, 'Encrypted message') : bodyNodes(f.body || '')),
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
      h('button', { type: 'button', class: 'link', onclick: () => actions.retry(pending.clientMsgId) }, 'Retry'),
      h('button', { type: 'button', class: 'link', onclick: () => actions.discard(pending.clientMsgId) }, 'Discard')) : null;
  } else if (!f.deleted) {
    tools = h('div', { class: 'tools', role: 'toolbar', 'aria-label': 'Message actions' },
      toolButton('smile', 'React', (ev) => actions.pickReaction(e.seq, ev.currentTarget)),
      toolButton('reply', 'Reply', () => actions.reply(e.seq)),
      ctx.inThread ? null : toolButton('thread', 'Reply in thread', () => actions.openThread(e.seq)),
      mine ? toolButton('edit', 'Edit', () => actions.edit(e.seq)) : null,
      mine ? toolButton('trash', 'Delete', () => actions.remove(e.seq)) : null);
  }

  return h('div', {
    class: classes.join(' '), 'data-testid': 'message', 'data-seq': e.seq || null,
    'data-client-msg-id': e.clientMsgId || null, 'data-tick': tick ? tick.state : null,
    'data-mine': mine ? 'true' : null, tabindex: '-1', 'aria-label': label, role: 'article',
  },
  group && !mine ? (firstInRun ? avatar(senderName, e.senderId, 'sm') : h('span', { class: 'avatar-space' })) : null,
  h('div', { class: 'stack' }, bubble, reactions, threadLink, tools));
}

function toolButton(name, label, onclick) {
  return h('button', { type: 'button', class: 'tool', 'aria-label': label, title: label, onclick }, icon(name));
}
