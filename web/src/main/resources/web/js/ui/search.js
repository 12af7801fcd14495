// Message search under the conversation list: the server finds messages containing every word
// typed (the last one also as a prefix) in the user's conversations, never end-to-end encrypted
// ones; a click opens the conversation at that message. Queries wait for a pause in typing, and an
// answer that arrives after a newer query was typed is dropped.

import { h } from '../dom.js';
import { listTime } from '../format.js';

const PAUSE_MS = 300;
const MIN_CHARS = 2;

export class SearchResults {
  constructor(app) {
    this.app = app;
    this.store = app.store;
    this.text = '';
    this.asked = 0;
    this.timer = null;
    this.list = h('ul', { class: 'search-list', 'aria-label': 'Messages found' });
    this.status = h('p', { class: 'search-status', 'data-testid': 'search-status' });
    this.el = h('section', { class: 'search-results', 'aria-label': 'Messages', 'data-testid': 'search-results', hidden: true },
      h('h3', {}, 'Messages'), this.status, this.list);
  }

  query(text) {
    clearTimeout(this.timer);
    this.text = text;
    if (text.length < MIN_CHARS) {
      this.asked++;
      this.el.hidden = true;
      this.list.replaceChildren();
      return;
    }
    this.timer = setTimeout(() => this.run(text), PAUSE_MS);
  }

  async run(text) {
    const ticket = ++this.asked;
    this.el.hidden = false;
    this.status.textContent = 'Searching…';
    let res;
    try {
      res = await this.app.client.api.search(text);
    } catch (e) {
      if (ticket !== this.asked) return;
      this.status.textContent = e.code === 'bad_request' ? 'Type a word to search for.'
        : e.code === 'rate_limited' ? 'Searching too fast: try again in a moment.' : 'Search is not available offline.';
      this.list.replaceChildren();
      return;
    }
    if (ticket !== this.asked) return;
    const results = (res.results || []).filter((r) => !this.app.blocks?.has(r.senderId)); // ui/safety.js
    this.status.textContent = results.length ? '' : 'No messages found.';
    const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    this.list.replaceChildren(...results.map((r) => this.item(r, words)));
  }

  item(r, words) {
    const conv = this.store.conversations.get(r.conversationId);
    const title = conv ? this.store.titleOf(conv) : 'Conversation';
    const who = r.senderId === this.store.me.userId ? 'You' : this.store.userName(r.senderId);
    return h('li', {},
      h('button', {
        type: 'button', class: 'search-hit', 'data-testid': 'search-result',
        'data-conversation-id': r.conversationId, 'data-seq': String(r.seq),
        onclick: () => this.app.openMessage(r.conversationId, r.seq),
      },
      h('span', { class: 'conv-top' },
        h('span', { class: 'conv-title' }, title),
        h('span', { class: 'conv-time' }, listTime(r.sentAtMs))),
      h('span', { class: 'search-snippet' }, h('strong', {}, `${who}: `), ...highlight(r.snippet, words))));
  }
}

/** The snippet as text nodes with every word that starts like a query word in <mark> (no HTML parsing). */
function highlight(snippet, words) {
  const out = [];
  const re = /[\p{L}\p{N}]+/gu;
  let last = 0;
  for (const m of snippet.matchAll(re)) {
    const w = m[0].toLowerCase();
    if (!words.some((q) => w.startsWith(q))) continue;
    if (m.index > last) out.push(snippet.slice(last, m.index));
    out.push(h('mark', {}, m[0]));
    last = m.index + m[0].length;
  }
  if (last < snippet.length) out.push(snippet.slice(last));
  return out;
}
