// Fleet overview: how many phones are in each state and why boots fail. Refreshed on
// every event from the stream (at most once a second) and every 5 s as a fallback.
import { get } from '../api.js';
import { h, mount, heading, section, table } from '../dom.js';

export default async function render(view) {
  const body = h('div', { test: 'fleet-body' });
  const stamp = h('span', { class: 'muted', test: 'fleet-updated' });
  mount(view, heading('Fleet Overview'), h('div', { class: 'toolbar' }, stamp), body);

  async function load() {
    const f = await get('/fleet');
    const states = Object.entries(f.states || {}).sort((a, b) => b[1] - a[1]);
    mount(body,
      h('div', { class: 'tiles' },
        h('div', { class: 'tile', test: 'fleet-devices' }, h('b', { 'data-test': 'fleet-total' }, String(f.devices ?? 0)), 'phones'),
        states.map(([s, n]) => h('div', { class: 'tile', test: 'fleet-state', 'data-state': s },
          h('b', {}, String(n)), s))),
      section('Phones by state', 'states-section',
        table(states, [['State', ([s]) => s], ['Phones', ([, n]) => String(n)]], { test: 'states-table', empty: 'No phone yet' })),
      section('Failures by reason', 'failures-section',
        table(f.failures || [], [['Reason', (r) => r.reason], ['Count', (r) => String(r.count)]], { test: 'failures-table', empty: 'No failure' })));
    stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
  }

  await load();
  let pending = 0;
  const soon = () => { if (!pending) pending = setTimeout(() => { pending = 0; load().catch(() => {}); }, 1000); };
  const es = new EventSource('/api/v1/events/stream');
  es.addEventListener('event', soon);
  const timer = setInterval(() => load().catch(() => {}), 5000);
  return () => { es.close(); clearInterval(timer); clearTimeout(pending); };
}
