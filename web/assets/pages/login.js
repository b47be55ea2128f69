// Login. There is no default password: when none is set the page says how to set
// one on the server instead of showing a form that cannot succeed.
import { api, get, setCsrf } from '../api.js';
import { h, mount, errorBox, showError, field } from '../dom.js';
import { refreshWho } from '../app.js';

export default async function render(view, _params, query) {
  const setup = await get('/setup', { noRedirect: true }).catch(() => ({ password_set: true }));
  const box = h('div', { class: 'login box' });
  mount(view, box);
  if (!setup.password_set) {
    mount(box,
      h('h1', { test: 'page-title' }, 'No administrator password yet'),
      h('p', {}, 'This server has no admin password. Set one on the server, then reload this page:'),
      h('pre', { test: 'setup-how' }, 'cucm-emu admin passwd --user admin'),
      setup.how ? h('p', { class: 'muted', test: 'setup-server-how' }, setup.how) : null);
    return;
  }
  const user = h('input', { name: 'user', id: 'login-user', test: 'login-user', value: 'admin', required: true, autocomplete: 'username' });
  const pass = h('input', { name: 'password', id: 'login-password', test: 'login-password', type: 'password', required: true, autocomplete: 'current-password' });
  const err = errorBox('login-error');
  const form = h('form', { test: 'login-form' },
    h('h1', { test: 'page-title' }, 'Cisco Unified CM Administration'),
    h('p', { class: 'muted' }, 'cucm-emu: log in with the account set by cucm-emu admin passwd.'),
    field('Username', user, { required: true }),
    field('Password', pass, { required: true }),
    err,
    h('div', { class: 'actions' }, h('button', { type: 'submit', test: 'login-submit', class: 'primary' }, 'Login')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    try {
      const s = await api('POST', '/login', { user: user.value, password: pass.value }, { noRedirect: true });
      setCsrf(s.csrf);
      await refreshWho();
      location.hash = query.get('next') || '#/devices';
    } catch (ex) {
      showError(err, ex);
      pass.select();
    }
  });
  mount(box, form);
  pass.focus();
}
