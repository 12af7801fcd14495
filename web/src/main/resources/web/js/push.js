// Web Push for this device: registers the service worker (sw.js), subscribes through PushManager
// with the server's VAPID key and hands the subscription to the server; on sign-out it deletes it
// there and unsubscribes here. The server pushes only while this device has no live connection.

const SUBSCRIPTION_KEY = 'parley.push.subscription';

function bytesOf(base64url) {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function sameKey(a, b) {
  if (!a || !b) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

export class WebPush {
  constructor(api) {
    this.api = api;
  }

  static supported() {
    return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  }

  /** Subscribes (or re-registers the existing subscription); true when the server has it. */
  async enable() {
    if (!WebPush.supported() || Notification.permission !== 'granted') return false;
    const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    const key = bytesOf((await this.api.vapidKey()).publicKey);
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription.options?.applicationServerKey, key)) {
      await subscription.unsubscribe(); // made for another server key: start again
      subscription = null;
    }
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    }
    const json = subscription.toJSON();
    const created = await this.api.pushSubscribe({ type: 'webpush', endpoint: json.endpoint, keys: json.keys });
    localStorage.setItem(SUBSCRIPTION_KEY, created.subscriptionId);
    return true;
  }

  /** Deletes this device's subscription on the server (while the session is still valid) and here. */
  async disable() {
    const id = localStorage.getItem(SUBSCRIPTION_KEY);
    localStorage.removeItem(SUBSCRIPTION_KEY);
    if (id) await this.api.pushUnsubscribe(id).catch(() => {});
    if (!('serviceWorker' in navigator)) return;
    const registration = await navigator.serviceWorker.getRegistration('/');
    const subscription = await registration?.pushManager?.getSubscription();
    await subscription?.unsubscribe().catch(() => {});
  }

  /** Calls `open(conversationId)` when a notification of this app is clicked. */
  onOpen(open) {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.addEventListener('message', (ev) => {
      if (ev.data?.type === 'open-conversation' && typeof ev.data.conversationId === 'string') open(ev.data.conversationId);
    });
  }
}
