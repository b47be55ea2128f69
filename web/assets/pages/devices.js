// Find and List Phones: a paged, searchable table, the Add form, and CSV export/import
// (the same CSV as `cucm-emu device export`).
import { api, get, enc } from '../api.js';
import { forAdmins, h, mount, heading, errorBox, showError, showStatus, field, select, table, section } from '../dom.js';

const PAGE = 50;

export default async function render(view, _params, query) {
  let offset = 0;
  let q = query.get('q') || '';
  const { profiles } = await get('/profiles');

  const search = h('input', { type: 'search', test: 'device-search', placeholder: 'name or description contains…', value: q });
  const results = h('div', { test: 'device-results' });
  const pager = h('div', { class: 'pager', test: 'device-pager' });

  // Only the newest request draws: an answer to an earlier search or page that comes back later
  // must not overwrite it.
  let latest = 0;
  async function load() {
    const mine = ++latest;
    const r = await get(`/devices?offset=${offset}&limit=${PAGE}&q=${enc(q)}`);
    if (mine !== latest) return;
    mount(results, table(r.devices, [
      ['Device Name', (d) => h('a', { href: `#/devices/${enc(d.name)}`, test: 'device-link' }, d.name)],
      ['Description', (d) => d.description],
      ['Device Type', (d) => d.product],
      ['Protocol', (d) => d.protocol],
      ['Device Security Profile', (d) => d.profile],
      ['Certificate', (d) => d.certificate ? d.certificate.type : 'none'],
      ['CAPF', (d) => d.capf?.operation || ''],
      ['', (d) => h('a', { href: `#/ladder/${enc(d.name)}` }, 'ladder')],
    ], { test: 'device-table', empty: 'No phones match' }));
    const last = Math.min(r.offset + r.devices.length, r.total);
    mount(pager,
      h('button', { test: 'page-prev', disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, '◀ Previous'),
      h('span', { test: 'device-count' }, r.total ? `${r.offset + 1}–${last} of ${r.total}` : '0 phones'),
      h('button', { test: 'page-next', disabled: last >= r.total, onclick: () => { offset += PAGE; load(); } }, 'Next ▶'));
  }

  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer); // one request per pause in typing, not per key
    timer = setTimeout(() => { q = search.value; offset = 0; load(); }, 250);
  });

  mount(view,
    heading('Find and List Phones'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Find Phone where ', search),
      h('a', { href: '/api/v1/devices.csv', download: 'devices.csv', test: 'csv-export', class: 'button' }, 'Export CSV')),
    results, pager,
    forAdmins(addForm(profiles, load)),
    forAdmins(importForm(load)));
  await load();
  return () => clearTimeout(timer);
}

function addForm(profiles, reload) {
  const name = h('input', { name: 'name', test: 'add-name', required: true, placeholder: 'SEP001122334455' });
  const description = h('input', { name: 'description', test: 'add-description' });
  const products = [...new Set(profiles.map((p) => p.product).filter((p) => p && !/Universal/.test(p)))];
  const product = h('input', { name: 'product', test: 'add-product', required: true, list: 'product-list', value: products[0] || '' });
  const list = h('datalist', { id: 'product-list' }, products.map((p) => h('option', { value: p })));
  const protocol = select(['SIP', 'SCCP'], 'SIP', { name: 'protocol', test: 'add-protocol' });
  const profile = select([['', '(default: Universal Device Template)'], ...profiles.map((p) => p.name)], '',
    { name: 'profile', test: 'add-profile' });
  const err = errorBox('add-error');
  const ok = h('div', { class: 'ok', test: 'add-ok', hidden: true });
  const form = h('form', { test: 'add-form' },
    field('Device Name', name, { required: true, note: 'SEP followed by the MAC address, 12 hex digits' }),
    field('Description', description),
    field('Phone Type', h('span', {}, product, list), { required: true }),
    field('Device Protocol', protocol),
    field('Device Security Profile', profile),
    err, ok,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', test: 'add-submit' }, 'Add New')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null); showStatus(ok, '');
    const body = { name: name.value.trim(), description: description.value, product: product.value, protocol: protocol.value };
    if (profile.value) body.profile = profile.value;
    try {
      const d = await api('POST', '/devices', body);
      showStatus(ok, `Added ${d.name}`);
      form.reset();
      await reload();
    } catch (ex) { showError(err, ex); }
  });
  return section('Add a New Phone', 'add-section', form);
}

function importForm(reload) {
  const file = h('input', { type: 'file', accept: '.csv,text/csv', test: 'csv-file', required: true });
  const err = errorBox('csv-error');
  const ok = h('div', { class: 'ok', test: 'csv-ok', hidden: true });
  const form = h('form', { test: 'csv-form' },
    h('p', { class: 'muted' }, 'The file is imported whole or not at all; errors name their row.'),
    field('CSV file', file, { required: true }), err, ok,
    h('div', { class: 'actions' }, h('button', { type: 'submit', test: 'csv-submit' }, 'Import')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null); showStatus(ok, '');
    try {
      const text = await file.files[0].text();
      const r = await api('POST', '/devices.csv', text, { type: 'text/csv' });
      showStatus(ok, `Imported ${r.imported} phone(s)`);
      await reload();
    } catch (ex) { showError(err, ex); }
  });
  return section('Bulk Import (CSV)', 'csv-section', form);
}
