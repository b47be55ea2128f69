// The router: location.hash names the page (docs/admin-api.md, "Pages"); each page is
// a module under pages/ loaded on first use, so the first paint loads only what it shows.
import { session, api } from './api.js';
import { h, mount } from './dom.js';

const routes = [
  [/^\/login$/, 'login'],
  [/^\/devices$/, 'devices'],
  [/^\/devices\/([^/]+)$/, 'device'],
  [/^\/profiles$/, 'profiles'],
  [/^\/profiles\/([^/]+)$/, 'profile'],
  [/^\/certificates$/, 'certificates'],
  [/^\/settings$/, 'settings'],
  [/^\/capf$/, 'capf'],
  [/^\/faults$/, 'faults'],
  [/^\/fleet$/, 'fleet'],
  [/^\/ladder\/([^/]+)$/, 'ladder'],
  [/^\/password$/, 'password'],
];

const view = document.getElementById('view');
let cleanup = null;
let generation = 0;

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/devices';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

export async function refreshWho() {
  const s = await session().catch(() => null);
  document.getElementById('who').textContent = s ? `Logged in as ${s.user}${s.role === 'viewer' ? ' (viewer: read-only)' : ''}` : '';
  document.getElementById('logout').hidden = !s;
  document.getElementById('password').hidden = !s;
  document.body.classList.toggle('anon', !s);
  document.body.classList.toggle('viewer', s?.role === 'viewer');
}

async function route() {
  const mine = ++generation;
  if (cleanup) { try { cleanup(); } catch { /* a page's teardown must not stop the next page */ } }
  cleanup = null;
  const { path, query } = parseHash();
  const hit = routes.find(([re]) => re.test(path));
  if (!hit) { location.hash = '#/devices'; return; }
  const params = hit[0].exec(path).slice(1).map(decodeURIComponent);
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', path.startsWith(a.getAttribute('href').slice(1)));
  }
  try {
    const page = await import(`./pages/${hit[1]}.js`);
    if (mine !== generation) return; // the user moved on while the module loaded
    mount(view);
    view.dataset.page = hit[1];
    const done = await page.default(view, params, query);
    if (mine === generation) cleanup = done || null;
    else if (done) done();
  } catch (e) {
    if (mine !== generation || e.status === 401) return; // 401: api.js already went to login
    mount(view, h('div', { class: 'error', test: 'page-error' }, e.message));
  }
}

document.getElementById('logout').addEventListener('click', async () => {
  await api('POST', '/logout').catch(() => {});
  await refreshWho();
  location.hash = '#/login';
});

window.addEventListener('hashchange', route);
// The first page is drawn once the session is known: a viewer's pages differ (dom.js, isViewer).
refreshWho().finally(route);
