// Parley's service worker: shows a notification for each push (sender, conversation and preview;
// the server sends no preview for end-to-end encrypted conversations), and opens that conversation
// when the notification is clicked. Pushes arrive only while this device has no live connection.

function notificationFor(data) {
  const sender = data.senderName || 'Someone';
  const title = data.title ? `${sender} · ${data.title}` : sender;
  const count = Number(data.count) || 1;
  const body = typeof data.preview === 'string' && data.preview
    ? (count > 1 ? `${data.preview} (+${count - 1} more)` : data.preview)
    : (count > 1 ? `${count} new messages` : 'New message');
  return { title, options: { body, tag: data.conversationId, renotify: true, icon: '/icon.svg', data: { conversationId: data.conversationId } } };
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  if (typeof data.conversationId !== 'string') return;
  const { title, options } = notificationFor(data);
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const conversationId = event.notification.data?.conversationId;
  if (typeof conversationId !== 'string') return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (open) {
      open.postMessage({ type: 'open-conversation', conversationId });
      await open.focus();
    } else {
      await self.clients.openWindow(`/#/c/${encodeURIComponent(conversationId)}`);
    }
  })());
});
