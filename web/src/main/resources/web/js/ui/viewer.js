// The photo viewer: the original image in a modal <dialog> over the app. Escape, the close button
// or a click beside the picture closes it and focus goes back to the thumbnail that opened it.

import { h, icon } from '../dom.js';

export function openViewer(media, mediaId, name) {
  const opener = document.activeElement;
  const status = h('p', { class: 'viewer-status', role: 'status' }, 'Loading…');
  const img = h('img', { class: 'viewer-img', alt: name, 'data-testid': 'viewer-image', hidden: true });
  const download = h('a', {
    class: 'viewer-action', href: '#', download: name, 'aria-label': `Download ${name}`, title: 'Download',
    'data-testid': 'viewer-download',
    onclick: (ev) => {
      const fresh = media.cached(mediaId, 'original', true);
      if (fresh && download.href === fresh.url) return;
      ev.preventDefault();
      media.get(mediaId, 'original', true).then((l) => { download.href = l.url; download.click(); }).catch(() => {});
    },
  }, icon('download'));
  const close = h('button', { type: 'button', class: 'viewer-action', 'aria-label': 'Close', title: 'Close (Esc)', onclick: () => dlg.close() }, icon('close'));
  const stage = h('div', { class: 'viewer-stage' }, status, img);
  const dlg = h('dialog', { class: 'viewer', 'aria-label': `Photo ${name}`, 'data-testid': 'viewer' },
    h('header', { class: 'viewer-bar' }, h('span', { class: 'viewer-name' }, name), download, close),
    stage);
  dlg.addEventListener('click', (ev) => { if (ev.target === dlg || ev.target === stage) dlg.close(); });
  dlg.addEventListener('close', () => {
    dlg.remove();
    opener?.focus?.({ preventScroll: true });
  });
  let retried = false;
  img.addEventListener('load', () => { status.hidden = true; img.hidden = false; });
  img.addEventListener('error', () => {
    if (!retried) { // an expired link: one more try with a new one
      retried = true;
      media.forget(mediaId, 'original');
      load();
      return;
    }
    status.textContent = 'This photo cannot be shown right now.';
  });
  const load = () => media.get(mediaId, 'original')
    .then((l) => { img.src = l.url; })
    .catch(() => { status.textContent = 'This photo cannot be shown right now.'; });
  document.body.append(dlg);
  dlg.showModal();
  close.focus();
  load();
  return dlg;
}
