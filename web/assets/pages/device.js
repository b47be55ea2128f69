// Phone Configuration: the sections of CUCM's page of one phone, each saved on its
// own (PATCH for the device, PUT/DELETE .../capf for the certificate operation).
import { api, get, enc } from '../api.js';
import { forAdmins, readOnlyForViewers, h, mount, heading, errorBox, showError, showStatus, field, select, section, kv, autoTable, fmtTime } from '../dom.js';
import { AUTH_MODES, KEY_ORDERS, label } from './profile_fields.js';

export default async function render(view, [name]) {
  const [device, { profiles }] = await Promise.all([get(`/devices/${enc(name)}`), get('/profiles')]);
  const path = `/devices/${enc(name)}`;
  // Each save redraws the page from the server's answer and says what was saved, so the
  // user (and the browser test) can tell the new page from the old one.
  const rerender = async (saved) => {
    await render(view, [name]);
    if (saved) showStatus(view.querySelector('[data-test=device-status]'), saved);
  };
  const status = h('div', { class: 'ok', test: 'device-status', hidden: true });

  mount(view,
    heading(`Phone Configuration: ${device.name}`),
    h('div', { class: 'toolbar' },
      h('a', { href: '#/devices' }, '◀ Find and List Phones'),
      h('a', { href: `#/ladder/${enc(device.name)}`, class: 'button', test: 'ladder-link' }, 'Live ladder'),
      forAdmins(deleteButton(device, path))),
    status,
    infoSection(device, profiles, path, status, rerender),
    capfSection(device, profiles, path, rerender),
    linesSection(device, path, rerender),
    section('Certificate on record (LSC or MIC)', 'certificate-section',
      device.certificate ? kv(device.certificate, 'certificate')
        : h('p', { class: 'muted', test: 'certificate' }, 'No certificate recorded: CAPF has not seen this phone yet.'),
      device.md5hash ? h('p', {}, 'certHash (MD5): ', h('code', { test: 'md5hash' }, device.md5hash)) : null),
    section('SIP Registrations', 'sip-section',
      autoTable(device.sip_registrations || [], 'sip-registrations', 'No line is registered')));
}

function deleteButton(device, path) {
  const err = errorBox('delete-error');
  return h('span', {},
    h('button', {
      class: 'danger', test: 'device-delete', onclick: async () => {
        if (!confirm(`Delete ${device.name}?`)) return;
        try { await api('DELETE', path); location.hash = '#/devices'; } catch (ex) { showError(err, ex); }
      },
    }, 'Delete'), err);
}

// Device Information and Protocol Specific Information share the Save button, as on CUCM.
function infoSection(device, profiles, path, status, rerender) {
  const description = h('input', { test: 'device-description', value: device.description || '' });
  const load = h('input', { test: 'device-load', value: device.load_information || '' });
  const vpn = h('input', { test: 'device-vpn-group', value: device.vpn_group || '' });
  // CUCM lists only the profiles of the phone's model and protocol, and the universal ones.
  const fits = profiles.filter((p) => p.name === device.profile || p.product === device.product
    || /universal|any/i.test(p.product || '') || /universal/i.test(p.name));
  const profile = select(fits.map((p) => p.name), device.profile, { test: 'device-profile' });
  const err = errorBox('device-error');
  const form = h('form', { test: 'device-form' },
    h('h3', {}, 'Device Information'),
    field('Device Name', h('input', { value: device.name, readOnly: true, test: 'device-name' })),
    field('Description', description),
    field('Device Type', h('span', { test: 'device-product' }, device.product)),
    field('Device Protocol', h('span', { test: 'device-protocol' }, device.protocol)),
    field('Phone Load Name', load),
    field('VPN Group', vpn),
    field('Config version', h('span', { test: 'config-version' }, String(device.config_version ?? ''))),
    h('h3', {}, 'Protocol Specific Information'),
    field('Device Security Profile', profile, { required: true }),
    err,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', test: 'device-save' }, 'Save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    const changes = {};
    if (description.value !== (device.description || '')) changes.description = description.value;
    if (load.value !== (device.load_information || '')) changes.load_information = load.value;
    if (vpn.value !== (device.vpn_group || '')) changes.vpn_group = vpn.value;
    if (profile.value !== device.profile) changes.profile = profile.value;
    try {
      if (Object.keys(changes).length) await api('PATCH', path, changes);
      await rerender('Update successful: device information');
    } catch (ex) { showError(err, ex); }
  });
  return section('Phone', 'info-section', readOnlyForViewers(form));
}

const OPERATIONS = [['none', 'No Pending Operation'], ['install', 'Install/Upgrade'], ['delete', 'Delete'], ['troubleshoot', 'Troubleshoot']];

function capfSection(device, profiles, path, rerender) {
  const capf = device.capf || {};
  const current = OPERATIONS.find(([v, t]) => v === capf.operation || t === capf.operation)?.[0] || (capf.operation ? capf.operation : 'none');
  const op = select(OPERATIONS, current, { test: 'capf-operation' });
  const prof = profiles.find((p) => p.name === device.profile);
  const auth = h('input', { test: 'capf-auth-string', inputMode: 'numeric', placeholder: capf.has_auth_string ? '(set; type to replace)' : '' });
  const gen = h('button', {
    type: 'button', test: 'capf-generate', onclick: () => {
      // CUCM's "Generate String": a random 4-10 digit string the user then keys into the phone.
      const a = new Uint32Array(1); crypto.getRandomValues(a);
      auth.value = String(a[0] % 100000000).padStart(8, '0');
    },
  }, 'Generate String');
  const deadline = h('input', { test: 'capf-deadline', placeholder: 'YYYY-MM-DD HH:MM:SS (UTC)', value: capf.deadline || '' });
  const err = errorBox('capf-error');
  const form = h('form', { test: 'capf-form' },
    field('Certificate Operation', op, { required: true }),
    field('Authentication Mode', h('span', { test: 'capf-auth-mode' }, prof ? label(AUTH_MODES, prof.capf_auth_mode) : '(from the security profile)'),
      { note: 'Set by the phone security profile.' }),
    field('Authentication String', h('span', {}, auth, gen)),
    field('Key Order', h('span', { test: 'capf-key-order' }, prof ? `${label(KEY_ORDERS, prof.key_order)} (RSA ${prof.rsa_key_size} bits, EC ${prof.ec_key_size} bits)` : '')),
    field('Operation Completes By', deadline),
    field('Certificate Operation Status', h('span', { test: 'capf-status' }, capf.status || 'none')),
    field('Last attempt', h('span', { test: 'capf-last-attempt' }, fmtTime(capf.last_attempt))),
    err,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', test: 'capf-save' }, 'Save'),
      h('button', {
        type: 'button', test: 'capf-cancel', onclick: async () => {
          showError(err, null);
          try { await api('DELETE', path + '/capf'); await rerender('CAPF operation cancelled'); } catch (ex) { showError(err, ex); }
        },
      }, 'Cancel Operation')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    try {
      if (op.value === 'none') await api('DELETE', path + '/capf');
      else {
        const body = { operation: op.value };
        if (auth.value) body.auth_string = auth.value;
        if (deadline.value && deadline.value !== capf.deadline) body.deadline = deadline.value;
        await api('PUT', path + '/capf', body);
      }
      await rerender('Update successful: CAPF information');
    } catch (ex) { showError(err, ex); }
  });
  return section('Certification Authority Proxy Function (CAPF) Information', 'capf-section', readOnlyForViewers(form));
}

// Lines in button order. A password is sent only when typed: the API never returns one.
function linesSection(device, path, rerender) {
  const rows = (device.lines || []).map((l) => ({ ...l }));
  const body = h('tbody');
  const err = errorBox('lines-error');
  function draw() {
    mount(body, rows.map((l, i) => h('tr', { test: 'line-row' },
      h('td', {}, String(i + 1)),
      h('td', {}, h('input', { test: 'line-dn', value: l.directory_number || '', required: true, oninput: (e) => { l.directory_number = e.target.value; } })),
      h('td', {}, h('input', { value: l.display_name || '', oninput: (e) => { l.display_name = e.target.value; } })),
      h('td', {}, h('input', { value: l.auth_name || '', oninput: (e) => { l.auth_name = e.target.value; } })),
      h('td', {}, h('input', { type: 'password', placeholder: l.has_password ? '(set)' : '', oninput: (e) => { l.auth_password = e.target.value; } })),
      h('td', {}, h('button', { type: 'button', onclick: () => { rows.splice(i, 1); draw(); } }, 'Remove')))));
  }
  draw();
  const form = h('form', { test: 'lines-form' },
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ['Button', 'Directory Number', 'Display', 'Digest User', 'Digest Password', ''].map((t) => h('th', {}, t)))),
      body),
    err,
    h('div', { class: 'actions' },
      h('button', { type: 'button', test: 'line-add', onclick: () => { rows.push({}); draw(); } }, 'Add a New DN'),
      h('button', { type: 'submit', class: 'primary', test: 'lines-save' }, 'Save Lines')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    const lines = rows.map((l) => {
      const w = { directory_number: l.directory_number };
      if (l.display_name) w.display_name = l.display_name;
      if (l.auth_name) w.auth_name = l.auth_name;
      if (l.auth_password) w.auth_password = l.auth_password;
      return w;
    });
    try { await api('PATCH', path, { lines }); await rerender('Update successful: lines'); } catch (ex) { showError(err, ex); }
  });
  return section('Association: Lines', 'lines-section', readOnlyForViewers(form));
}
