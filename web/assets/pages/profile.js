// Phone Security Profile Configuration (seed 004, step 2: the "TFTP Encrypted Config"
// box). Predefined profiles are shown read-only, as CUCM does.
import { api, get, enc } from '../api.js';
import { readOnlyForViewers, h, mount, heading, errorBox, showError, showStatus, field, select, section } from '../dom.js';
import { SECURITY_MODES, AUTH_MODES, KEY_ORDERS, RSA_SIZES, EC_SIZES, withCurrent } from './profile_fields.js';

export default async function render(view, [name]) {
  const p = await get(`/profiles/${enc(name)}`);
  const ro = !!p.builtin;
  const c = (el) => { el.disabled = ro; return el; };
  const description = c(h('input', { test: 'profile-description', value: p.description || '' }));
  const mode = c(select(withCurrent(SECURITY_MODES, p.security_mode), p.security_mode, { test: 'profile-security-mode' }));
  const tftp = c(h('input', { type: 'checkbox', test: 'profile-tftp-encrypted', checked: !!p.tftp_encrypted }));
  const auth = c(select(withCurrent(AUTH_MODES, p.capf_auth_mode), p.capf_auth_mode, { test: 'profile-auth-mode' }));
  const order = c(select(withCurrent(KEY_ORDERS, p.key_order), p.key_order, { test: 'profile-key-order' }));
  const rsa = c(select(withCurrent(RSA_SIZES, p.rsa_key_size), p.rsa_key_size, { test: 'profile-rsa-size' }));
  const ec = c(select(withCurrent(EC_SIZES, p.ec_key_size), p.ec_key_size, { test: 'profile-ec-size' }));
  const sipPort = c(h('input', { test: 'profile-sip-port', value: p.sip_phone_port ?? '' }));
  const err = errorBox('profile-error');
  const status = h('div', { class: 'ok', test: 'profile-status', hidden: true });

  const form = h('form', { test: 'profile-form' },
    h('h3', {}, 'Phone Security Profile Information'),
    field('Product Type', h('span', { test: 'profile-product' }, p.product)),
    field('Device Protocol', h('span', { test: 'profile-protocol' }, p.protocol)),
    field('Name', h('span', { test: 'profile-name' }, p.name), { required: true }),
    field('Description', description),
    field('Device Security Mode', mode),
    field('', h('label', { class: 'check' }, tftp, ' TFTP Encrypted Config')),
    p.protocol === 'SIP' ? field('SIP Phone Port', sipPort) : null,
    h('h3', {}, 'Phone Security Profile CAPF Information'),
    field('Authentication Mode', auth, { required: true }),
    field('Key Order', order, { required: true }),
    field('RSA Key Size (Bits)', rsa, { required: true }),
    field('EC Key Size (Bits)', ec, { required: true,
      note: 'These fields are related to the CAPF Information settings on the Phone Configuration page.' }),
    err, status,
    ro ? h('p', { class: 'muted', test: 'profile-readonly' }, 'A predefined profile cannot be changed: copy it with `cucm-emu profile copy`.')
      : h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', test: 'profile-save' }, 'Save'),
        h('button', { type: 'button', class: 'danger', test: 'profile-delete', onclick: del }, 'Delete')));

  async function del() {
    if (!confirm(`Delete ${p.name}?`)) return;
    try { await api('DELETE', `/profiles/${enc(p.name)}`); location.hash = '#/profiles'; } catch (ex) { showError(err, ex); }
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null); showStatus(status, '');
    const now = {
      description: description.value, security_mode: Number(mode.value), tftp_encrypted: tftp.checked,
      capf_auth_mode: auth.value, key_order: order.value, rsa_key_size: Number(rsa.value), ec_key_size: Number(ec.value),
    };
    if (p.protocol === 'SIP' && sipPort.value !== '') now.sip_phone_port = Number(sipPort.value);
    const changes = Object.fromEntries(Object.entries(now).filter(([k, v]) => String(v) !== String(p[k] ?? '')));
    try {
      if (Object.keys(changes).length) Object.assign(p, await api('PATCH', `/profiles/${enc(p.name)}`, changes));
      showStatus(status, 'Update successful');
    } catch (ex) { showError(err, ex); }
  });

  mount(view,
    heading('Phone Security Profile Configuration'),
    h('div', { class: 'toolbar' }, h('a', { href: '#/profiles' }, '◀ Find and List Phone Security Profiles')),
    section(ro ? 'Status: predefined (read-only)' : 'Status: Ready', 'profile-section', readOnlyForViewers(form)));
}
