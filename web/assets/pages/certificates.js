// Certificate Management: the cluster's own identities, the LSCs CAPF issued, and the
// trust stores (CallManager-trust, CAPF-trust, ...). Read-only: changes go through the CLI.
import { get, enc } from '../api.js';
import { h, mount, heading, section, autoTable, table } from '../dom.js';

export default async function render(view) {
  const [certs, { stores }] = await Promise.all([get('/certificates'), get('/trust-stores')]);
  mount(view,
    heading('Certificate Management'),
    section('Cluster identities', 'identities-section', autoTable(certs.identities || [], 'identities', 'No identity yet')),
    section('Issued by CAPF (LSCs)', 'issued-section', issued(certs.issued || [])),
    section('Trust stores', 'trust-section',
      (stores || []).map((s) => h('div', { class: 'store', test: 'trust-store' },
        h('h3', {}, `${s.name} (${(s.certificates || []).length})`),
        autoTable(s.certificates || [], 'trust-' + s.name, 'Empty')))));
}

function issued(rows) {
  if (!rows.length) return autoTable(rows, 'issued', 'CAPF has issued no certificate yet');
  // The device column links to the phone; the rest are shown as the API names them.
  const keys = Object.keys(rows[0]).filter((k) => k !== 'device');
  return table(rows, [
    ['device', (r) => (r.device ? h('a', { href: `#/devices/${enc(r.device)}` }, r.device) : '')],
    ...keys.map((k) => [k.replace(/_/g, ' '), (r) => (r[k] === null || r[k] === undefined ? '' : String(r[k]))]),
  ], { test: 'issued', cls: 'auto' });
}
