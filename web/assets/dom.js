// Tiny DOM helpers: the pages build their markup with h() so no text from the
// server is ever parsed as HTML (device descriptions and event texts are free text).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'test') el.dataset.test = v;
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

// Replaces everything inside `el`.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A page heading with the CUCM-style "Status" line under it.
export function heading(title, test) {
  return h('h1', { test: test || 'page-title' }, title);
}

// The box next to a form where the API's own `error` text goes; the server is the
// validator, so the page shows its words rather than inventing its own.
export function errorBox(test) {
  return h('div', { class: 'error', test: test || 'error', role: 'alert', hidden: true });
}

export function showError(box, err) {
  if (!err) { box.hidden = true; box.replaceChildren(); return; }
  const lines = [err.message];
  for (const r of err.body?.rows || []) lines.push(`row ${r.row}: ${r.message}`);
  mount(box, ...lines.map((l) => h('div', {}, l)));
  box.hidden = false;
}

export function showStatus(box, text) {
  mount(box, text);
  box.hidden = !text;
}

// A label + control row in the two-column layout of CUCM's configuration pages.
export function field(label, control, { required = false, note } = {}) {
  const id = control.id || (control.id = 'f-' + Math.random().toString(36).slice(2, 9));
  return h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'req' }, '*') : null),
    h('div', {}, control, note ? h('div', { class: 'note' }, note) : null));
}

export function select(options, value, attrs = {}) {
  const el = h('select', attrs);
  for (const o of options) {
    const [v, text] = Array.isArray(o) ? o : [o, o];
    el.append(h('option', { value: v, selected: String(v) === String(value) }, text));
  }
  return el;
}

// A table from rows and [header, cell(row)] columns.
export function table(rows, columns, { test, empty = 'None found', cls = '' } = {}) {
  const head = h('tr', {}, columns.map(([title]) => h('th', {}, title)));
  const body = rows.length
    ? rows.map((r) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(r) ?? ''))))
    : [h('tr', {}, h('td', { class: 'muted', colSpan: columns.length }, empty))];
  return h('table', { class: `grid ${cls}`.trim(), test }, h('thead', {}, head), h('tbody', {}, body));
}

export function section(title, test, ...children) {
  return h('section', { class: 'box', test }, h('h2', {}, title), ...children);
}

export function fmtTime(t) {
  return t ? String(t).replace('T', ' ').replace(/Z$/, '') : '';
}

// A two-column key/value table of an object whose fields the page does not know in
// advance (a certificate, a registration): the API's names, as they are.
export function kv(obj, test) {
  const rows = Object.entries(obj || {}).map(([k, v]) =>
    h('tr', {}, h('th', {}, k.replace(/_/g, ' ')), h('td', {}, v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))));
  return h('table', { class: 'kv', test }, h('tbody', {}, rows));
}

// The columns of a list of objects, from the keys of its first row.
export function autoTable(rows, test, empty) {
  const keys = rows.length ? Object.keys(rows[0]) : [];
  return table(rows, keys.map((k) => [k.replace(/_/g, ' '), (r) => {
    const v = r[k];
    return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }]), { test, empty, cls: 'auto' });
}

// A viewer (`admin passwd --role viewer`) reads every page and may change only its own password;
// the server refuses its other writes (403). The pages follow: what only writes is left out, and
// a form that shows a record keeps its values but disables its controls and hides its buttons.
// app.js sets the body's class from the session before the first page is drawn.
export const isViewer = () => document.body.classList.contains('viewer');

export function forAdmins(el) {
  return isViewer() ? null : el;
}

export function readOnlyForViewers(form) {
  if (!isViewer()) return form;
  for (const c of form.querySelectorAll('input, select, textarea')) c.disabled = true;
  for (const b of form.querySelectorAll('button')) b.hidden = true;
  form.classList.add('read-only');
  form.dataset.readOnly = 'viewer';
  return form;
}
