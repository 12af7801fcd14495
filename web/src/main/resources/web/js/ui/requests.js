// Message requests (docs/security.md, "Privacy of presence"): a direct conversation someone else opened,
// which this user has not accepted or replied in. The server marks its view `request: true` and keeps this
// user's presence from the other person until then. Here: the "Message requests" section of the sidebar,
// and, in the open conversation, "X wants to chat" with Accept and Block instead of the composer. Reading a
// request sends no read receipt. Accept is POST /v1/conversations/{id}/accept; Block (the way to decline)
// is PUT /v1/me/blocks/{userId}, after which the request is no longer listed.

import { h, icon, reconcile } from '../dom.js';
import { avatar } from './messages.js';
import { listTime, preview } from '../format.js';

/** People this user blocks (GET /v1/me/blocks, loaded once per page): their requests are not listed. */
const blocked = new Set();

/** Whether the conversation is a request this user has not acted on (declined ones are not shown). */
export function isRequest(conv) {
  return !!conv && conv.request === true && !conv.declined;
}

/** Whether this user declined the request (blocked its sender), here or in an earlier session. */
function declined(store, conv) {
  if (conv.request === true && !conv.declined && blocked.has(store.peerOf(conv))) conv.decline();
  return !!conv.declined;
}

async function accept(client, conv) {
  const view = await client.api.request('POST', `/v1/conversations/${encodeURIComponent(conv.id)}/accept`);
  client.store.upsertConversation(view);
}

async function block(client, conv) {
  const peer = client.store.peerOf(conv);
  if (!peer) return;
  await client.api.request('PUT', `/v1/me/blocks/${encodeURIComponent(peer)}`);
  blocked.add(peer);
  conv.decline();
  client.store.changed(conv.id);
}

/** The sidebar's "Message requests" section: one row per request, above the conversations. */
export class RequestsList {
  constructor(app) {
    this.app = app;
    this.store = app.store;
    this.list = h('ul', { class: 'conv-list requests-list', 'aria-label': 'Message requests', 'data-testid': 'requests-list' });
    this.count = h('span', { class: 'badge', 'data-testid': 'requests-count' });
    this.el = h('section', { class: 'requests', hidden: true, 'data-testid': 'requests' },
      h('h3', { class: 'requests-heading' }, 'Message requests', this.count),
      this.list);
    app.client.api.request('GET', '/v1/me/blocks').then((res) => {
      for (const b of res?.blocks || []) blocked.add(b.userId);
      app.store.changed(null);
    }).catch(() => {}); // offline: requests of blocked people show until the next load
  }

  /** The conversations that are not requests, for the main list; renders the requests themselves. */
  render(all, filter) {
    all.forEach((c) => declined(this.store, c));
    const requests = all.filter(isRequest);
    const shown = requests.filter((c) => !filter || this.store.titleOf(c).toLowerCase().includes(filter));
    this.el.hidden = shown.length === 0;
    this.count.textContent = String(requests.length);
    reconcile(this.list, shown.map((conv) => {
      const title = this.store.titleOf(conv);
      const peer = this.store.peerOf(conv);
      const last = conv.lastMessage;
      const text = last && !last.deleted && last.body ? preview(last.body) : 'wants to chat';
      const active = this.app.activeId === conv.id;
      const time = listTime(last?.sentAtMs || conv.createdAtMs);
      return {
        key: conv.id, sig: JSON.stringify([title, text, active, time, conv.unread]),
        build: () => h('li', {},
          h('button', {
            type: 'button', class: `conv request${active ? ' active' : ''}`, 'aria-current': active ? 'true' : null,
            'data-testid': 'conversation-item', 'data-request': 'true', 'data-conversation-id': conv.id,
            'aria-label': `Message request from ${title}. ${text}`,
            onclick: () => this.app.openConversation(conv.id),
          },
          h('span', { class: 'avatar-wrap' }, avatar(title, peer || conv.id)),
          h('span', { class: 'conv-main' },
            h('span', { class: 'conv-top' },
              h('span', { class: 'conv-title', 'data-testid': 'conversation-title' }, title),
              h('span', { class: 'conv-time' }, time)),
            h('span', { class: 'conv-bottom' },
              h('span', { class: 'conv-preview' }, text),
              h('span', { class: 'request-tag' }, 'Request'),
              conv.unread && !active ? h('span', { class: 'badge', 'data-testid': 'unread-badge' }, conv.unread > 99 ? '99+' : String(conv.unread)) : null)))),
      };
    }));
    return all.filter((c) => !isRequest(c) && !c.declined);
  }
}

/** In the open conversation: "X wants to chat", Accept and Block, in place of the composer while it is a request. */
export class RequestPanel {
  constructor(view) {
    this.view = view;
    this.client = view.client;
    this.store = view.store;
    this.text = h('p', { class: 'request-text', 'data-testid': 'request-text' });
    this.acceptButton = h('button', {
      type: 'button', class: 'button primary', 'data-testid': 'request-accept', onclick: () => this.act(accept),
    }, 'Accept');
    this.blockButton = h('button', {
      type: 'button', class: 'button danger', 'data-testid': 'request-block', onclick: () => this.act(block),
    }, 'Block');
    this.el = h('div', { class: 'request-panel', hidden: true, role: 'region', 'aria-label': 'Message request', 'data-testid': 'request-panel' },
      icon('person'),
      h('div', { class: 'request-body' }, this.text,
        h('p', { class: 'request-hint' }, 'They can’t see when you’re online or have read their messages until you accept or reply.'),
        h('div', { class: 'request-actions' }, this.acceptButton, this.blockButton)));
  }

  /** A request is not marked read: a read receipt would tell the other person that this user looked. */
  blocksRead(id) {
    return isRequest(this.store.conversations.get(id));
  }

  async act(action) {
    const conv = this.view.conv;
    if (!conv) return;
    this.acceptButton.disabled = this.blockButton.disabled = true;
    try {
      await action(this.client, conv);
      if (action === block) {
        this.client.toast(`Blocked ${this.store.titleOf(conv)}`);
        this.view.app.closeConversation();
      } else {
        this.client.markRead(conv.id);
      }
    } catch (e) {
      this.client.toast(`Could not ${action === block ? 'block' : 'accept'}: ${e.message}`);
    } finally {
      this.acceptButton.disabled = this.blockButton.disabled = false;
    }
  }

  /** Shows the panel (and hides the composer) while the open conversation is a request. */
  render(conv) {
    const request = isRequest(conv);
    this.el.hidden = !request;
    if (!request) return;
    this.view.composer.el.hidden = true;
    this.text.replaceChildren(h('strong', {}, this.store.titleOf(conv)), ' wants to chat with you');
  }
}
