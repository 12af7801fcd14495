// What an MLS application message carries, and the files of e2ee conversations (docs/e2ee.md,
// "Inside an application message"). Text is plain UTF-8, as always; a message with attachments is
// the byte 0xFF (never found in UTF-8) followed by {"v":1,"text"?,"attachments":[...]}. Each file
// and thumbnail is encrypted here with AES-256-GCM (WebCrypto) under a fresh random key and 96-bit
// nonce, uploaded as `encrypted` media without its name, and opened on the way back only if the GCM
// tag and the SHA-256 the message names both check out.

const MARK = 0xff;
const VERSION = 1;
const MAX_ATTACHMENTS = 32;
const THUMB_EDGE = 320;
const OPAQUE = 'application/octet-stream';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function b64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function unb64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The application data of a message: plain UTF-8 text, or 0xFF + JSON when it carries files. */
export function encodeContent(text, attachments) {
  if (!attachments || !attachments.length) return utf8.encode(text || '');
  const json = utf8.encode(JSON.stringify({ v: VERSION, ...(text ? { text } : {}), attachments }));
  const out = new Uint8Array(json.length + 1);
  out[0] = MARK;
  out.set(json, 1);
  return out;
}

function checkFile(a) {
  const ok = a && typeof a.mediaId === 'string' && a.mediaId && /^[0-9a-f]{64}$/.test(a.sha256 || '')
    && typeof a.key === 'string' && typeof a.nonce === 'string';
  if (!ok || unb64(a.key).length !== 32 || unb64(a.nonce).length !== 12) throw new Error('a malformed attachment');
  return a;
}

/** {text, attachments?} of decrypted application data; throws for a malformed or unknown JSON form. */
export function decodeContent(bytes) {
  if (!bytes.length || bytes[0] !== MARK) return { text: fromUtf8.decode(bytes) };
  const o = JSON.parse(fromUtf8.decode(bytes.subarray(1)));
  if (!o || o.v !== VERSION || !Array.isArray(o.attachments) || o.attachments.length > MAX_ATTACHMENTS) {
    throw new Error('unknown message content');
  }
  const attachments = o.attachments.map((a) => {
    checkFile(a);
    if (a.thumbnail) checkFile(a.thumbnail);
    return a;
  });
  return { text: typeof o.text === 'string' ? o.text : '', attachments };
}

/** Every medium a message with these files must list as `attachments` (files and thumbnails). */
export function mediaIdsOf(sealed) {
  return (sealed || []).flatMap((a) => (a.thumbnail ? [a.mediaId, a.thumbnail.mediaId] : [a.mediaId]));
}

async function seal(bytes) {
  const rawKey = crypto.getRandomValues(new Uint8Array(32));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const key = await crypto.subtle.importKey('raw', rawKey, 'AES-GCM', false, ['encrypt']);
  const [cipher, digest] = await Promise.all([
    crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, tagLength: 128 }, key, bytes),
    crypto.subtle.digest('SHA-256', bytes)]);
  const out = { blob: new Blob([cipher], { type: OPAQUE }), key: b64(rawKey), nonce: b64(nonce), sha256: hex(digest), size: bytes.byteLength };
  rawKey.fill(0);
  return out;
}

/** A JPEG of at most 320 px of an image the browser can decode, or null. */
async function thumbnail(file) {
  if (!file.type?.startsWith('image/')) return null;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, THUMB_EDGE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const g = canvas.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8));
    const out = blob && { blob, width: canvas.width, height: canvas.height, sourceWidth: bitmap.width, sourceHeight: bitmap.height };
    bitmap.close();
    return out;
  } catch {
    return null; // not an image this browser decodes: the file goes without a thumbnail
  }
}

/**
 * Encrypts a file (and a thumbnail of an image), uploads the ciphertexts as `encrypted` media and
 * returns what the message carries for it.
 */
export async function sealAndUpload(api, file, { signal, onProgress } = {}) {
  const thumb = await thumbnail(file);
  let thumbDesc;
  if (thumb) {
    const t = await seal(await thumb.blob.arrayBuffer());
    const up = await api.uploadMedia(t.blob, { encrypted: true, signal });
    thumbDesc = { mediaId: up.mediaId, key: t.key, nonce: t.nonce, sha256: t.sha256, size: t.size, mime: 'image/jpeg', width: thumb.width, height: thumb.height };
  }
  const s = await seal(await file.arrayBuffer());
  const up = await api.uploadMedia(s.blob, { encrypted: true, signal, onProgress });
  return {
    mediaId: up.mediaId, key: s.key, nonce: s.nonce, sha256: s.sha256, size: s.size, mime: file.type || OPAQUE,
    ...(file.name ? { name: file.name } : {}),
    ...(thumb ? { width: thumb.sourceWidth, height: thumb.sourceHeight, thumbnail: thumbDesc } : {}),
  };
}

/** Decrypts a downloaded ciphertext; throws unless the tag and the message's SHA-256 both match. */
export async function openFile(cipher, desc) {
  const key = await crypto.subtle.importKey('raw', unb64(desc.key), 'AES-GCM', false, ['decrypt']);
  let plain;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(desc.nonce), tagLength: 128 }, key, cipher);
  } catch {
    throw new Error('the attachment was altered');
  }
  if (hex(await crypto.subtle.digest('SHA-256', plain)) !== desc.sha256) {
    throw new Error('the attachment is not the file its message names');
  }
  return new Blob([plain], { type: desc.mime || OPAQUE });
}
