// The one way the pages talk to the server (docs/admin-api.md). Writes carry the
// CSRF token of the session; a 401 anywhere sends the user to the login page.

const BASE = '/api/v1';
let csrf = null;

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function setCsrf(token) { csrf = token; }

// The session's user and CSRF token, or null when not logged in.
export async function session() {
  const r = await fetch(BASE + '/session', { credentials: 'same-origin' });
  if (!r.ok) { csrf = null; return null; }
  const s = await r.json();
  csrf = s.csrf;
  return s;
}

function toLogin() {
  if (!location.hash.startsWith('#/login')) {
    const back = location.hash && location.hash !== '#/login' ? location.hash : '';
    location.hash = '#/login' + (back ? '?next=' + encodeURIComponent(back) : '');
  }
}

// method, path under /api/v1, optional body (object: JSON; string: sent as it is with
// `type`). Returns the parsed JSON, the text for non-JSON answers, or null for 204.
// A write refused for its CSRF token is sent once more with the session's token read again:
// a password change in another tab re-keys the session this tab shares.
export async function api(method, path, body, { type, noRedirect, again = false } = {}) {
  const headers = {};
  const write = method !== 'GET' && method !== 'HEAD';
  if (write) {
    if (!csrf) await session();
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string') { payload = body; headers['Content-Type'] = type || 'text/plain'; }
    else { payload = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
  }
  const r = await fetch(BASE + path, { method, headers, body: payload, credentials: 'same-origin' });
  if (r.status === 204) return null;
  const ct = r.headers.get('Content-Type') || '';
  const data = ct.includes('json') ? await r.json().catch(() => null) : await r.text();
  if (!r.ok) {
    const csrfRefused = r.status === 403 && String(data?.error || '').startsWith('missing or wrong X-CSRF-Token');
    if (write && csrfRefused && !again) {
      await session();
      return api(method, path, body, { type, noRedirect, again: true });
    }
    if (r.status === 401 && !noRedirect) toLogin();
    throw new ApiError(r.status, typeof data === 'object' ? data : { error: data || r.statusText });
  }
  return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const enc = encodeURIComponent;
