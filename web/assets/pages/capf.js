// CAPF operations: every phone with a pending certificate operation or a status.
import { get, enc } from '../api.js';
import { h, mount, heading, table, fmtTime } from '../dom.js';

export default async function render(view) {
  const { operations } = await get('/capf');
  mount(view,
    heading('CAPF Operations'),
    h('p', { class: 'muted' }, 'Schedule or cancel an operation from the phone\'s page, in its CAPF Information section.'),
    table(operations, [
      ['Device', (o) => h('a', { href: `#/devices/${enc(o.device)}`, test: 'capf-device' }, o.device)],
      ['Certificate Operation', (o) => o.operation],
      ['Status', (o) => o.status],
      ['Operation Completes By', (o) => fmtTime(o.deadline)],
      ['Certificate', (o) => (o.certificate && typeof o.certificate === 'object' ? o.certificate.serial || JSON.stringify(o.certificate) : o.certificate || '')],
      ['', (o) => h('a', { href: `#/ladder/${enc(o.device)}` }, 'ladder')],
    ], { test: 'capf-table', empty: 'No pending operation' }));
}
