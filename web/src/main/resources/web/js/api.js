// The HTTP half of the protocol (/v1/...), same origin as the page. The token only ever travels in
// the Authorization header.

export class ApiError extends Error {
  constructor(status, code, message, retryAfterMs) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  /** True when the request never reached a server (offline, server down). */
  get network() {
    return this.status === 0;
  }
}

export class Api {
  constructor(tokenProvider) {
    this.tokenProvider = tokenProvider;
    this.onUnauthorized = () => {};
  }

  async request(method, path, body, { auth = true } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = auth ? this.tokenProvider() : null;
    if (token) headers.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit', cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, 'network', 'Cannot reach the server');
    }
    if (res.status === 204) return null;
    let json = null;
    const text = await res.text();
    if (text) {
      try { json = JSON.parse(text); } catch { json = null; }
    }
    if (!res.ok) {
      const err = json && json.error ? json.error : {};
      const retry = err.retryAfterMs ?? (Number(res.headers.get('Retry-After')) * 1000 || undefined);
      if (res.status === 401 && auth && token) this.onUnauthorized();
      throw new ApiError(res.status, err.code || 'http_' + res.status, err.message, retry);
    }
    return json;
  }

  createAccount(handle, password, displayName) {
    return this.request('POST', '/v1/accounts', { handle, password, displayName: displayName || undefined }, { auth: false });
  }

  createSession(handle, password, deviceName) {
    return this.request('POST', '/v1/sessions', { handle, password, deviceName }, { auth: false });
  }

  revokeSession() {
    return this.request('DELETE', '/v1/sessions/current');
  }

  me() {
    return this.request('GET', '/v1/me');
  }

  user(userId) {
    return this.request('GET', `/v1/users/${encodeURIComponent(userId)}`);
  }

  userByHandle(handle) {
    return this.request('GET', `/v1/users?handle=${encodeURIComponent(handle)}`);
  }

  conversations(since) {
    return this.request('GET', '/v1/conversations' + (since ? `?since=${encodeURIComponent(since)}` : ''));
  }

  conversation(id) {
    return this.request('GET', `/v1/conversations/${encodeURIComponent(id)}`);
  }

  createConversation(kind, members, title) {
    return this.request('POST', '/v1/conversations', { kind, members, title: title || undefined });
  }

  /** Entries before `before` (exclusive), ascending; `before` omitted means the newest page. */
  messagesBefore(id, before, limit = 50) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before) q.set('before', String(before));
    return this.request('GET', `/v1/conversations/${encodeURIComponent(id)}/messages?${q}`);
  }
}
