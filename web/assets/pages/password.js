// Change Password: the logged-in user's own, checked against the current one by the server,
// with the same rules as `cucm-emu admin passwd` (the server's message is shown as it is).
// The user's other sessions end; this one goes on under the new cookie and CSRF token the answer
// brings (the server re-keys it).
import { api, session, setCsrf } from '../api.js';
import { h, mount, heading, errorBox, showError, showStatus, field, section } from '../dom.js';

export default async function render(view) {
  const s = await session();
  const current = h('input', { type: 'password', test: 'password-current', required: true, autocomplete: 'current-password' });
  const next = h('input', { type: 'password', test: 'password-new', required: true, autocomplete: 'new-password' });
  const again = h('input', { type: 'password', test: 'password-again', required: true, autocomplete: 'new-password' });
  const err = errorBox('password-error');
  const ok = h('div', { class: 'ok', test: 'password-ok', hidden: true });
  const form = h('form', { test: 'password-form' },
    field('User', h('span', { test: 'password-user' }, s ? s.user : '')),
    field('Current password', current, { required: true }),
    field('New password', next, { required: true, note: 'At least 8 printable characters.' }),
    field('Confirm new password', again, { required: true }),
    err, ok,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', test: 'password-submit' }, 'Save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null); showStatus(ok, '');
    if (next.value !== again.value) {
      showError(err, new Error('the new password and its confirmation differ; nothing changed'));
      again.select();
      return;
    }
    try {
      const r = await api('POST', '/password', { current: current.value, new: next.value });
      if (r.csrf) setCsrf(r.csrf);
      form.reset();
      showStatus(ok, r.sessions_ended
        ? `Password changed; ${r.sessions_ended} other session${r.sessions_ended === 1 ? '' : 's'} logged out`
        : 'Password changed');
    } catch (ex) { showError(err, ex); }
  });
  mount(view, heading('Change Password'), section('Password', 'password-section', form));
  current.focus();
}
