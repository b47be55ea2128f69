// Find and List Phone Security Profiles, and the short form that adds one.
import { api, get, enc } from '../api.js';
import { forAdmins, h, mount, heading, errorBox, showError, field, select, table, section } from '../dom.js';
import { SECURITY_MODES, label } from './profile_fields.js';

export default async function render(view) {
  const { profiles } = await get('/profiles');
  const name = h('input', { test: 'profile-add-name', required: true });
  const product = h('input', { test: 'profile-add-product', required: true, placeholder: 'Cisco 7942' });
  const protocol = select(['SIP', 'SCCP', 'ANY'], 'SIP', { test: 'profile-add-protocol' });
  const err = errorBox('profile-add-error');
  const form = h('form', { test: 'profile-add-form' },
    field('Name', name, { required: true }), field('Product Type', product, { required: true }),
    field('Device Protocol', protocol), err,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', test: 'profile-add-submit' }, 'Add New')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    try {
      const p = await api('POST', '/profiles', { name: name.value, product: product.value, protocol: protocol.value });
      location.hash = `#/profiles/${enc(p.name)}`;
    } catch (ex) { showError(err, ex); }
  });
  mount(view,
    heading('Find and List Phone Security Profiles'),
    table(profiles, [
      ['Name', (p) => h('a', { href: `#/profiles/${enc(p.name)}`, test: 'profile-link' }, p.name)],
      ['Product Type', (p) => p.product],
      ['Device Protocol', (p) => p.protocol],
      ['Device Security Mode', (p) => label(SECURITY_MODES, p.security_mode)],
      ['TFTP Encrypted Config', (p) => (p.tftp_encrypted ? '✔' : '')],
      ['CAPF Authentication Mode', (p) => p.capf_auth_mode],
      ['', (p) => (p.builtin ? h('span', { class: 'tag' }, 'predefined') : '')],
    ], { test: 'profile-table' }),
    forAdmins(section('Add a New Phone Security Profile', 'profile-add-section', form)));
}
