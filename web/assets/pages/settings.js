// Cluster settings (CUCM's Enterprise Parameters, as `cucm-emu cluster show|set` has them): each
// stored setting editable in place, and any other known one (a default load `load.<product>`,
// say) set by name. The server checks every value and its message is shown as it is.
import { api, get, enc } from '../api.js';
import { forAdmins, readOnlyForViewers, h, mount, heading, errorBox, showError, showStatus, field, section, table } from '../dom.js';

export default async function render(view) {
  const all = await get('/settings');
  const rows = Object.entries(all).map(([key, value]) => ({ key, value }));
  const err = errorBox('settings-error');
  const ok = h('div', { class: 'ok', test: 'settings-ok', hidden: true });
  const save = async (key, value) => {
    showError(err, null); showStatus(ok, '');
    try {
      const r = await api('PUT', `/settings/${enc(key)}`, { value });
      if (view.dataset.page !== 'settings') return; // the user moved on: leave that page alone
      await render(view);
      showStatus(view.querySelector('[data-test=settings-ok]'), `${r.key} = ${r.value}`);
    } catch (ex) { showError(err, ex); }
  };
  const editor = (r) => {
    const input = h('input', { value: r.value, test: `setting-value-${r.key}` });
    const form = h('form', { class: 'inline', test: `setting-form-${r.key}` }, input,
      h('button', { type: 'submit', test: `setting-save-${r.key}` }, 'Save'));
    form.addEventListener('submit', (e) => { e.preventDefault(); save(r.key, input.value); });
    return readOnlyForViewers(form);
  };
  const key = h('input', { test: 'setting-key', required: true, placeholder: 'e.g. load.Cisco 8845, itl_version' });
  const value = h('input', { test: 'setting-value', required: true });
  const other = h('form', { test: 'setting-other-form' },
    field('Setting', key, { required: true }), field('Value', value, { required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', test: 'setting-other-save' }, 'Save')));
  other.addEventListener('submit', (e) => { e.preventDefault(); save(key.value.trim(), value.value); });
  mount(view,
    heading('Cluster Settings'),
    h('p', { class: 'muted' }, 'What the configuration files and trust lists are built from; a change reaches the next phone that asks. The CLI: cucm-emu cluster show, cluster set.'),
    err, ok,
    section('Settings', 'settings-section',
      table(rows, [['Setting', (r) => h('code', {}, r.key)], ['Value', editor]], { test: 'settings-table', empty: 'No setting stored' })),
    forAdmins(section('Set another', 'settings-other-section', other)));
}
