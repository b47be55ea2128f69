// Faults (`cucm-emu scenario`): what is armed, arming one from the catalog, clearing.
import { api, get } from '../api.js';
import { forAdmins, h, mount, heading, errorBox, showError, field, select, section, table } from '../dom.js';

export default async function render(view) {
  const { armed, catalog } = await get('/faults');
  const rerender = () => render(view);
  const fault = select(catalog.map((f) => f.name), catalog[0]?.name, { test: 'fault-select', required: true });
  const help = h('div', { class: 'note', test: 'fault-help' });
  const showHelp = () => { help.textContent = catalog.find((f) => f.name === fault.value)?.help || ''; };
  fault.addEventListener('change', showHelp);
  showHelp();
  const device = h('input', { test: 'fault-device', placeholder: 'SEP… (empty: every device)' });
  const count = h('input', { test: 'fault-count', type: 'number', min: '1', placeholder: 'every time' });
  const until = h('input', { test: 'fault-until', placeholder: 'YYYY-MM-DD HH:MM:SS (UTC)' });
  const params = h('input', { test: 'fault-params', placeholder: 'NAME=VALUE NAME=VALUE' });
  const err = errorBox('fault-error');
  const form = h('form', { test: 'fault-form' },
    field('Fault', h('div', {}, fault, help), { required: true }),
    field('Device', device), field('Applications', count), field('Until', until), field('Parameters', params),
    err, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', test: 'fault-arm' }, 'Arm')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showError(err, null);
    const body = { fault: fault.value };
    if (device.value.trim()) body.device = device.value.trim(); else body.all = true;
    if (count.value) body.count = Number(count.value);
    if (until.value) body.until = until.value;
    if (params.value.trim()) body.params = params.value.trim().split(/\s+/);
    try { await api('POST', '/faults', body); await rerender(); } catch (ex) { showError(err, ex); }
  });

  const clearErr = errorBox('fault-clear-error');
  const clear = (a) => forAdmins(h('button', {
    test: 'fault-clear', onclick: async () => {
      const q = new URLSearchParams({ fault: a.fault || a.name || '' });
      if (a.device) q.set('device', a.device);
      try { await api('DELETE', `/faults?${q}`); await rerender(); } catch (ex) { showError(clearErr, ex); }
    },
  }, 'Clear'));
  const keys = armed.length ? Object.keys(armed[0]) : ['fault', 'device'];
  mount(view,
    heading('Faults'),
    section('Armed', 'armed-section',
      table(armed, [...keys.map((k) => [k.replace(/_/g, ' '), (a) => (a[k] === null || a[k] === undefined ? '' : typeof a[k] === 'object' ? JSON.stringify(a[k]) : String(a[k]))]), ['', clear]],
        { test: 'armed-table', empty: 'No fault armed: the server behaves' }),
      clearErr),
    forAdmins(section('Arm a fault', 'arm-section', form)),
    section('Catalog', 'catalog-section', table(catalog, [['Fault', (f) => h('code', {}, f.name)], ['What the server does', (f) => f.help]], { test: 'catalog-table' })));
}
