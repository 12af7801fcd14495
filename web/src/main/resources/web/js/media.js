// Attachments: short-lived signed links (GET /v1/media/{id}) cached until shortly before they
// expire, what is known about each medium (kind, name, size, dimensions), and local previews of
// files this page uploaded itself, so a just-sent photo does not have to come back over the wire.

import { ApiError } from './api.js';

const EXPIRY_MARGIN_MS = 30_000; // ask for a new link this long before the old one stops working

/** "12 KB", "3.4 MB" */
export function formatSize(bytes) {
  if (bytes === undefined || bytes === null) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

const KIND_LABEL = { image: 'Photo', video: 'Video', audio: 'Audio', document: 'Document', encrypted: 'Encrypted file' };

export function kindLabel(kind) {
  return KIND_LABEL[kind] || 'File';
}

/** The kind the server will most likely give a file, from its declared type (for pending items). */
export function guessKind(type) {
  const t = String(type || '');
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('video/')) return 'video';
  if (t.startsWith('audio/')) return 'audio';
  return 'document';
}

/** A one-line description of a message for list previews and notifications. */
export function messageSummary(body, attachments, media, files) {
  if (body) return body;
  const n = (attachments || files || []).length;
  if (!n) return '';
  if (n > 1) return `📎 ${n} attachments`;
  const kind = attachments?.length ? media?.info(attachments[0])?.kind : guessKind(files?.[0]?.type);
  if (!kind) return '📎 Attachment';
  const emoji = kind === 'image' ? '📷' : kind === 'video' ? '🎬' : kind === 'audio' ? '🎵' : '📎';
  return `${emoji} ${kindLabel(kind)}`;
}

export class MediaLinks {
  /** `onLearned()` is called when the kind of a medium becomes known (previews may change). */
  constructor(api, onLearned = () => {}) {
    this.api = api;
    this.onLearned = onLearned;
    this.links = new Map();    // `${id}|${variant}|${download}` -> link
    this.inflight = new Map(); // same key -> promise
    this.meta = new Map();     // mediaId -> {kind, mime, size, filename, width, height}
    this.local = new Map();    // mediaId -> object URL of the file this page uploaded
    this.noThumbnail = new Set();
  }

  /** What is known about a medium, or undefined (then call describe()). */
  info(mediaId) {
    return this.meta.get(mediaId);
  }

  /** A link that is still good for a while, or null. Synchronous, for rendering without a flash. */
  cached(mediaId, variant = 'original', download = false) {
    const local = this.local.get(mediaId);
    if (local && !download) return { url: local, expiresAtMs: Infinity, local: true };
    if (variant === 'thumbnail' && this.noThumbnail.has(mediaId)) variant = 'original';
    const link = this.links.get(`${mediaId}|${variant}|${download}`);
    return link && link.expiresAtMs - EXPIRY_MARGIN_MS > Date.now() ? link : null;
  }

  /** A usable link, from the cache or fresh from the server. */
  get(mediaId, variant = 'original', download = false) {
    const hit = this.cached(mediaId, variant, download);
    if (hit) return Promise.resolve(hit);
    if (variant === 'thumbnail' && this.noThumbnail.has(mediaId)) variant = 'original';
    const key = `${mediaId}|${variant}|${download}`;
    if (this.inflight.has(key)) return this.inflight.get(key);
    const run = this.api.mediaLink(mediaId, { variant, download }).then((link) => {
      // The url may be path-only (served by this origin) or absolute (a public base URL, S3).
      const resolved = { ...link, url: new URL(link.url, location.href).href };
      this.links.set(key, resolved);
      const learned = !this.meta.has(mediaId);
      if (variant === 'original') {
        const { kind, mime, size, filename, width, height, durationMs } = link;
        this.meta.set(mediaId, { kind, mime, size, filename, width, height, durationMs });
      } else if (!this.meta.has(mediaId)) {
        this.meta.set(mediaId, { kind: link.kind, filename: link.filename, width: link.width, height: link.height });
      }
      if (learned) this.onLearned(mediaId);
      return resolved;
    }).catch((e) => {
      if (variant === 'thumbnail' && e instanceof ApiError && e.status === 404) {
        this.noThumbnail.add(mediaId); // nothing to preview: the original is the picture
        return this.get(mediaId, 'original', download);
      }
      throw e;
    }).finally(() => this.inflight.delete(key));
    this.inflight.set(key, run);
    return run;
  }

  /** Kind, name, size and dimensions of a medium (one link request when not known yet). */
  async describe(mediaId) {
    const known = this.meta.get(mediaId);
    if (known && known.size !== undefined) return known;
    await this.get(mediaId, 'original');
    return this.meta.get(mediaId);
  }

  /** Drops a link that stopped working (expired, or the server restarted with new keys). */
  forget(mediaId, variant = 'original', download = false) {
    this.links.delete(`${mediaId}|${variant}|${download}`);
  }

  /** Remembers a file this page uploaded: it is shown from memory instead of being fetched back. */
  seedLocal(mediaId, file, upload) {
    const { kind, mime, size, filename, width, height, durationMs } = upload;
    this.meta.set(mediaId, { kind, mime, size, filename: filename || file.name, width, height, durationMs });
    if (kind === 'image' && file && !this.local.has(mediaId)) this.local.set(mediaId, URL.createObjectURL(file));
  }
}
