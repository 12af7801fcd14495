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

  createConversation(kind, members, title, e2ee = false) {
    return this.request('POST', '/v1/conversations', { kind, members, title: title || undefined, e2ee: e2ee || undefined });
  }

  /** MLS KeyPackage directory: uploads base64 MLSMessages for this device; answers {count}. */
  uploadKeyPackages(keyPackages) {
    return this.request('POST', '/v1/mls/key-packages', { keyPackages });
  }

  keyPackageCount() {
    return this.request('GET', '/v1/mls/key-packages/count');
  }

  /** Leaves of revoked devices in this user's e2ee conversations (a member commits their removal). */
  revokedLeaves() {
    return this.request('GET', '/v1/mls/revoked-leaves');
  }

  /** One KeyPackage for each device of each user: {keyPackages: [{userId, deviceId, keyPackage}]}. */
  claimKeyPackages(userIds) {
    return this.request('POST', '/v1/mls/key-packages/claim', { userIds });
  }

  /**
   * Uploads one file as the raw request body (POST /v1/media). XMLHttpRequest rather than fetch
   * because only it reports upload progress: `onProgress(loaded, total)`. Resolves with the Upload
   * answer; rejects with an ApiError (413 too_large, 415 unsupported_media, 0 network, 'aborted').
   * `signal` (an AbortSignal) cancels it.
   */
  uploadMedia(file, { onProgress, signal, encrypted = false } = {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      // Encrypted (e2ee) uploads go without a name: the name travels inside the MLS message.
      const q = encrypted ? '?encrypted=true' : file.name ? `?filename=${encodeURIComponent(file.name)}` : '';
      xhr.open('POST', `/v1/media${q}`);
      const token = this.tokenProvider();
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.responseType = 'text';
      xhr.upload.onprogress = (ev) => onProgress?.(ev.loaded, ev.lengthComputable ? ev.total : file.size);
      xhr.onload = () => {
        let json = null;
        try { json = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { json = null; }
        if (xhr.status >= 200 && xhr.status < 300 && json) {
          onProgress?.(file.size, file.size);
          resolve(json);
          return;
        }
        const err = json && json.error ? json.error : {};
        if (xhr.status === 401 && token) this.onUnauthorized();
        reject(new ApiError(xhr.status, err.code || 'http_' + xhr.status, err.message));
      };
      // A refused upload may be answered and the connection closed while the body is still
      // going out; some browsers then report a network error instead of the answer.
      xhr.onerror = () => reject(new ApiError(0, 'network', 'Cannot reach the server'));
      xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled'));
      if (signal) {
        if (signal.aborted) { reject(new ApiError(0, 'aborted', 'Upload cancelled')); return; }
        signal.addEventListener('abort', () => xhr.abort(), { once: true });
      }
      xhr.send(file);
    });
  }

  /** A short-lived signed link to a medium: {url, expiresAtMs, mediaId, variant, mime, size, kind, ...}. */
  mediaLink(mediaId, { variant = 'original', download = false } = {}) {
    const q = new URLSearchParams({ variant });
    if (download) q.set('download', '1');
    return this.request('GET', `/v1/media/${encodeURIComponent(mediaId)}?${q}`);
  }

  /** Entries before `before` (exclusive), ascending; `before` omitted means the newest page. */
  messagesBefore(id, before, limit = 50) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before) q.set('before', String(before));
    return this.request('GET', `/v1/conversations/${encodeURIComponent(id)}/messages?${q}`);
  }

  /** Messages containing every word of `q`, best first: {results: [{conversationId, seq, senderId, sentAtMs, snippet}]}. */
  search(q, { conversationId, limit = 20 } = {}) {
    const p = new URLSearchParams({ q, limit: String(limit) });
    if (conversationId) p.set('conversationId', conversationId);
    return this.request('GET', `/v1/search?${p}`);
  }

  /** Sets the name others see (blank shows the handle); answers the profile. */
  updateMe(displayName) {
    return this.request('PATCH', '/v1/me', { displayName });
  }

  /** Changes the password; every other session is signed out. */
  changePassword(oldPassword, newPassword) {
    return this.request('PUT', '/v1/me/password', { oldPassword, newPassword });
  }

  /** This account's signed-in devices: {sessions: [{deviceId, deviceName, createdAtMs, lastSeenMs, current}]}. */
  sessions() {
    return this.request('GET', '/v1/me/sessions');
  }

  /** Signs out one of this account's devices. */
  revokeDevice(deviceId) {
    return this.request('DELETE', `/v1/me/sessions/${encodeURIComponent(deviceId)}`);
  }

  /** Deletes the account: signed out everywhere, profile erased. */
  deleteAccount() {
    return this.request('DELETE', '/v1/me');
  }

  /** The server's VAPID public key (base64url), for PushManager.subscribe. */
  vapidKey() {
    return this.request('GET', '/v1/push/vapid', undefined, { auth: false });
  }

  /** Registers this device's push subscription: {type: 'webpush', endpoint, keys: {p256dh, auth}}. */
  pushSubscribe(subscription) {
    return this.request('POST', '/v1/push/subscriptions', subscription);
  }

  pushUnsubscribe(subscriptionId) {
    return this.request('DELETE', `/v1/push/subscriptions/${encodeURIComponent(subscriptionId)}`);
  }
}
