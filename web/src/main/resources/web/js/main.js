// Entry point: restores the session from localStorage (the token never goes into a URL), then
// shows either the sign-in screen or the app.

import { Api } from './api.js';
import { Connection } from './connection.js';
import { Store } from './store.js';
import { Client } from './client.js';
import { renderAuth } from './ui/auth.js';
import { App } from './ui/app.js';
import { WebPush } from './push.js';

const SESSION_KEY = 'parley.session';
const root = document.getElementById('root');
let current = null;

function loadSession() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
  } catch {
    return null;
  }
}

function showAuth() {
  const api = new Api(() => null);
  renderAuth(root, api, (session) => {
    localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    start(session);
  });
}

async function start(session) {
  const api = new Api(() => session.token);
  const connection = new Connection(() => session.token);
  const store = new Store({ userId: session.userId, deviceId: session.deviceId, handle: session.handle, displayName: session.displayName });
  const client = new Client({ session, api, store, connection });
  const push = new WebPush(api);
  const signOut = async (revoke = true) => {
    if (!current) return;
    const was = current;
    current = null;
    was.connection.stop();
    was.app.destroy();
    if (revoke) {
      await push.disable().catch(() => {}); // while the session can still delete it
      await api.revokeSession().catch(() => {});
    }
    localStorage.removeItem(SESSION_KEY);
    history.replaceState(null, '', location.pathname);
    showAuth();
  };
  api.onUnauthorized = () => signOut(false);
  connection.addEventListener('unauthorized', () => signOut(false));

  // Fill in the display name before drawing the header; fine to skip when offline.
  try {
    const me = await api.me();
    store.updateMe(me);
    session.displayName = me.displayName;
    localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // keep what the stored session says
  }
  if (!loadSession()) return; // signed out meanwhile (token rejected)
  const app = new App({ root, client, store, connection, push, onSignOut: () => signOut(true) });
  push.onOpen((id) => { if (current?.app === app) { window.focus(); app.openConversation(id); } });
  push.enable().catch((e) => console.warn('push notifications are unavailable:', e.message));
  current = { connection, app };
  window.parley = { client, store, connection }; // for debugging from the console
  client.start();
}

const session = loadSession();
if (session && session.token) start(session);
else showAuth();
