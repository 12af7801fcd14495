// The real-time channel: one WebSocket to /v1/ws, authenticated by a `hello` frame, with
// request/answer correlation by `id`, a heartbeat, and reconnection with exponential backoff and
// full jitter so that a restarted server is not hit by every client at the same instant.

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 20_000;
const REQUEST_TIMEOUT_MS = 15_000;
const HEARTBEAT_MS = 20_000;
const WELCOME_TIMEOUT_MS = 10_000;
const CLOSE_UNAUTHORIZED = 4401;

export class RequestError extends Error {
  constructor(code, message, retryAfterMs) {
    super(message || code);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Events: `state` (detail: {state, retryAt?}), `welcome` (detail: welcome frame), `frame` (detail:
 * a pushed server frame), `unauthorized`. States: connecting, online, waiting (a retry is
 * scheduled), stopped.
 */
export class Connection extends EventTarget {
  constructor(tokenProvider) {
    super();
    this.tokenProvider = tokenProvider;
    this.state = 'stopped';
    this.ws = null;
    this.attempt = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.retryAt = 0;
    this.welcome = null;
    this.onOnline = () => this.retryNow();
    this.onVisible = () => { if (document.visibilityState === 'visible') this.retryNow(); };
  }

  start() {
    if (this.state !== 'stopped') return;
    window.addEventListener('online', this.onOnline);
    document.addEventListener('visibilitychange', this.onVisible);
    this.open();
  }

  stop() {
    window.removeEventListener('online', this.onOnline);
    document.removeEventListener('visibilitychange', this.onVisible);
    clearTimeout(this.retryTimer);
    this.setState('stopped');
    if (this.ws) this.ws.close(1000);
    this.ws = null;
  }

  /** Skips the remaining backoff (the "Retry now" button, the browser coming back online). */
  retryNow() {
    if (this.state === 'waiting') {
      clearTimeout(this.retryTimer);
      this.open();
    }
  }

  get online() {
    return this.state === 'online';
  }

  /** Sends a frame that expects no answer; false when not connected (the caller decides what to do). */
  send(frame) {
    if (!this.online) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame with a fresh `id` and resolves with the answer carrying the same `id`. */
  request(frame) {
    if (!this.online) return Promise.reject(new RequestError('offline', 'Not connected'));
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError('timeout', 'No answer from the server'));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  open() {
    const token = this.tokenProvider();
    if (!token) return;
    this.setState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/v1/ws`);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', token, id: 'hello', protocol: 1 }));
    // A socket that opens but never says welcome (a proxy stuck half-way) is as good as closed.
    setTimeout(() => { if (this.ws === ws && this.state === 'connecting') ws.close(4000, 'no welcome'); }, WELCOME_TIMEOUT_MS);
    ws.onmessage = (ev) => this.onMessage(ws, ev.data);
    ws.onclose = (ev) => this.onClose(ws, ev);
    ws.onerror = () => {}; // onclose follows and handles it
  }

  onMessage(ws, data) {
    if (ws !== this.ws) return;
    let frame;
    try { frame = JSON.parse(data); } catch { return; }
    if (frame.t === 'welcome') {
      this.attempt = 0;
      this.welcome = frame;
      this.setState('online');
      this.startHeartbeat();
      this.dispatchEvent(new CustomEvent('welcome', { detail: frame }));
      return;
    }
    const waiting = frame.id !== undefined && frame.id !== null ? this.pending.get(String(frame.id)) : null;
    if (waiting && ['ok', 'sent', 'error', 'pong'].includes(frame.t)) {
      this.pending.delete(String(frame.id));
      clearTimeout(waiting.timer);
      if (frame.t === 'error') waiting.reject(new RequestError(frame.code, frame.message, frame.retryAfterMs));
      else waiting.resolve(frame);
      return;
    }
    this.dispatchEvent(new CustomEvent('frame', { detail: frame }));
  }

  onClose(ws, ev) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.heartbeatTimer);
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new RequestError('offline', 'Connection lost'));
    }
    this.pending.clear();
    if (this.state === 'stopped') return;
    if (ev.code === CLOSE_UNAUTHORIZED) {
      this.setState('stopped');
      this.dispatchEvent(new Event('unauthorized'));
      return;
    }
    this.scheduleRetry();
  }

  scheduleRetry() {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.attempt = Math.min(this.attempt + 1, 16);
    this.retryAt = Date.now() + delay;
    this.setState('waiting');
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  startHeartbeat() {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      const ws = this.ws;
      this.request({ t: 'ping' }).catch(() => {
        // No pong in time: the path is dead even if the socket looks open. Reconnect.
        if (ws && ws === this.ws) ws.close(4000, 'heartbeat');
      });
    }, HEARTBEAT_MS);
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, retryAt: this.retryAt } }));
  }
}
