// Formatting of times, names and avatars. Uses the browser's locale for dates and times.

const MINUTE = 60_000;
const DAY = 86_400_000;

function startOfDay(ms) {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** "14:05" */
export function clockTime(ms) {
  return new Date(ms).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

/** For the conversation list: the time today, "Yesterday", a weekday this week, or a short date. */
export function listTime(ms, now = Date.now()) {
  if (!ms) return '';
  const days = Math.round((startOfDay(now) - startOfDay(ms)) / DAY);
  if (days <= 0) return clockTime(ms);
  if (days === 1) return 'Yesterday';
  if (days < 7) return new Date(ms).toLocaleDateString(undefined, { weekday: 'short' });
  return new Date(ms).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

/** For day separators in a conversation. */
export function dayLabel(ms, now = Date.now()) {
  const days = Math.round((startOfDay(now) - startOfDay(ms)) / DAY);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 7) return new Date(ms).toLocaleDateString(undefined, { weekday: 'long' });
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return new Date(ms).toLocaleDateString(undefined,
    sameYear ? { weekday: 'long', day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' });
}

export function dayKey(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** "last seen 5 minutes ago", "last seen today at 14:05", ... */
export function lastSeen(ms, now = Date.now()) {
  if (!ms) return 'offline';
  const ago = now - ms;
  if (ago < MINUTE) return 'last seen just now';
  if (ago < 60 * MINUTE) {
    const m = Math.floor(ago / MINUTE);
    return `last seen ${m} minute${m === 1 ? '' : 's'} ago`;
  }
  const days = Math.round((startOfDay(now) - startOfDay(ms)) / DAY);
  if (days === 0) return `last seen today at ${clockTime(ms)}`;
  if (days === 1) return `last seen yesterday at ${clockTime(ms)}`;
  return `last seen ${new Date(ms).toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}`;
}

export function initials(name) {
  const parts = String(name || '?').trim().split(/[\s._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] || '?').slice(0, 2);
  return letters.toUpperCase();
}

const HUES = [211, 262, 338, 12, 32, 152, 174, 190, 290, 48];

/** A stable hue for a user or conversation id, for avatars and sender names. */
export function hueFor(id) {
  let hash = 0;
  for (const ch of String(id)) hash = (hash * 31 + ch.codePointAt(0)) | 0;
  return HUES[Math.abs(hash) % HUES.length];
}

/** Splits text into strings and {url} parts so links can be rendered as anchors safely. */
export function linkParts(text) {
  const parts = [];
  const re = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ url: m[0] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** A short, single-line preview of a message body. */
export function preview(body, max = 80) {
  const one = String(body || '').replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}
