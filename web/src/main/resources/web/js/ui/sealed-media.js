// Attachments of e2ee conversations in the timeline: the ciphertext is fetched through an ordinary
// signed link, opened in the page (e2ee/files.js: AES-GCM tag and SHA-256 checked) and shown from an
// object URL (the CSP allows blob: images). Images show their thumbnail (made and encrypted by the
// sender) and open full size in the photo viewer; other files download decrypted.

import { h, icon } from '../dom.js';
import { formatSize, guessKind, kindLabel } from '../media.js';
import { openFile } from '../e2ee/files.js';
import { openViewer } from './viewer.js';

const THUMB_BOX = 280; // as ui/messages.js
const opened = new Map(); // `${mediaId}|${variant}` -> Promise(object URL)

/** The file this page just sent: shown from memory, not fetched back and decrypted. */
export function seedSealed(desc, file) {
  if (guessKind(file.type) !== 'image' || opened.has(`${desc.mediaId}|original`)) return;
  const url = Promise.resolve(URL.createObjectURL(file));
  opened.set(`${desc.mediaId}|original`, url);
  opened.set(`${desc.mediaId}|thumbnail`, url);
}

/** An object URL of the decrypted file (variant 'thumbnail': its thumbnail, or the file if it has none). */
function plainUrl(media, desc, variant) {
  const part = variant === 'thumbnail' && desc.thumbnail ? desc.thumbnail : desc;
  const key = `${desc.mediaId}|${part === desc ? 'original' : 'thumbnail'}`;
  if (!opened.has(key)) {
    const run = (async () => {
      const link = await media.get(part.mediaId, 'original');
      const res = await fetch(link.url, { credentials: 'omit' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return URL.createObjectURL(await openFile(await res.arrayBuffer(), part));
    })();
    run.catch(() => opened.delete(key)); // a later render may try again
    opened.set(key, run);
  }
  return opened.get(key);
}

/** What the photo viewer asks of a media source, served from decrypted blobs. */
function viewerSource(media, desc) {
  return {
    cached: () => null,
    forget: () => {},
    get: () => plainUrl(media, desc, 'original').then((url) => ({ url, expiresAtMs: Infinity })),
  };
}

function broken(why) {
  return h('div', { class: 'file-card unavailable', 'data-testid': 'sealed-broken', role: 'note' },
    h('span', { class: 'file-icon', 'aria-hidden': 'true' }, icon('alert')),
    h('span', { class: 'file-info' }, h('span', { class: 'file-name' }, 'Attachment cannot be opened'),
      h('span', { class: 'file-size' }, why)));
}

function imageNode(ctx, desc) {
  const name = desc.name || 'Photo';
  const w = desc.thumbnail?.width || desc.width;
  const hgt = desc.thumbnail?.height || desc.height;
  const scale = w && hgt ? Math.min(1, THUMB_BOX / w, THUMB_BOX / hgt) : 0;
  const box = scale ? { w: Math.max(48, Math.round(w * scale)), h: Math.max(48, Math.round(hgt * scale)) } : null;
  const img = h('img', { alt: name, decoding: 'async', draggable: 'false', 'data-testid': 'media-image', width: box?.w, height: box?.h });
  const button = h('button', {
    type: 'button', class: 'media-thumb', 'data-testid': 'media-thumb', 'data-media-id': desc.mediaId, 'data-sealed': 'true',
    'aria-label': `Open photo ${name}`, title: name,
    style: box ? `width:${box.w}px;aspect-ratio:${box.w} / ${box.h}` : null,
    onclick: () => openViewer(viewerSource(ctx.media, desc), desc.mediaId, name),
  }, img);
  img.addEventListener('load', () => button.classList.add('loaded'));
  plainUrl(ctx.media, desc, 'thumbnail').then((url) => { img.src = url; })
    .catch((e) => button.replaceWith(broken(e.message || 'It could not be decrypted.')));
  return button;
}

function fileCard(ctx, desc) {
  const kind = guessKind(desc.mime);
  const name = desc.name || kindLabel(kind);
  const link = h('a', {
    class: 'file-download', href: '#', download: name, 'aria-label': `Download ${name}`, title: 'Download',
    'data-testid': 'file-download',
    onclick: (ev) => {
      if (link.dataset.ready) return;
      ev.preventDefault();
      plainUrl(ctx.media, desc, 'original')
        .then((url) => { link.href = url; link.dataset.ready = '1'; link.click(); })
        .catch((e) => ctx.actions.notice?.(`The file cannot be opened: ${e.message}`));
    },
  }, icon('download'));
  return h('div', { class: 'file-card', 'data-testid': 'file-card', 'data-sealed': 'true' },
    h('span', { class: `file-icon kind-${kind}`, 'aria-hidden': 'true' }, icon(kind === 'document' ? 'file' : kind)),
    h('span', { class: 'file-info' },
      h('span', { class: 'file-name', title: name }, name),
      h('span', { class: 'file-size' }, formatSize(desc.size))),
    link);
}

/** The attachments of a decrypted e2ee message (`sealed`: what its MLS message carried). */
export function sealedAttachments(ctx, sealed) {
  return h('div', { class: 'attachments', 'data-testid': 'attachments' },
    sealed.map((desc) => (guessKind(desc.mime) === 'image' ? imageNode(ctx, desc) : fileCard(ctx, desc))));
}
