// The live ladder of one phone: one arrow row per event, Phone on the left and the
// service it reached in its lane, as in seed 004's sequence. The history comes from
// GET .../events; new events are appended from the event stream as they happen.
import { get, enc } from '../api.js';
import { h, mount, heading } from '../dom.js';
import { LANES, laneOf, resultClass, clock } from './event_kind.js';

export default async function render(view, [name]) {
  const rows = h('div', { class: 'ladder-rows', test: 'ladder-rows' });
  const live = h('span', { class: 'live', test: 'ladder-live' }, 'connecting…');
  const seen = new Set();
  let lastId = 0;

  function add(ev) {
    if (ev.id !== undefined) {
      if (seen.has(ev.id)) return; // the history and the stream may overlap
      seen.add(ev.id);
      lastId = Math.max(lastId, Number(ev.id) || 0);
    }
    rows.querySelector('.ladder-empty')?.remove();
    rows.append(row(ev));
  }

  mount(view,
    heading(`Ladder: ${name}`),
    h('div', { class: 'toolbar' },
      h('a', { href: `#/devices/${enc(name)}`, test: 'ladder-device-link' }, '◀ Phone Configuration'), live),
    h('div', { class: 'ladder', test: 'ladder' },
      h('div', { class: 'ladder-row ladder-head' },
        h('div', { class: 'l-time' }, 'Time (UTC)'),
        LANES.map((l, i) => h('div', { class: `l-lane lane-${i}` }, l)),
        h('div', { class: 'l-result' }, 'Result')),
      rows));

  const { events } = await get(`/devices/${enc(name)}/events?limit=200`);
  events.forEach(add);
  if (!events.length) rows.append(h('div', { class: 'ladder-empty muted', test: 'ladder-empty' }, 'No event yet: boot the phone.'));

  const es = new EventSource(`/api/v1/events/stream?device=${enc(name)}`);
  es.addEventListener('event', (m) => { try { add(JSON.parse(m.data)); } catch { /* a malformed line is skipped, not fatal */ } });
  es.onopen = async () => {
    live.textContent = '● live';
    live.className = 'live on';
    // Events written between the history fetch and the stream's start: fetched once more.
    const more = await get(`/events?device=${enc(name)}&after=${lastId}&limit=1000`).catch(() => null);
    more?.events?.forEach(add);
  };
  es.onerror = () => { live.textContent = 'reconnecting…'; live.className = 'live'; };
  return () => es.close();
}

function row(ev) {
  const lane = laneOf(ev.service);
  const cls = resultClass(ev.result);
  const label = `${ev.service ? ev.service.toUpperCase() + ' ' : ''}${ev.what || ''}`;
  const el = h('div', {
    class: `ladder-row r-${cls}`, test: 'ladder-row', 'data-service': ev.service || '', 'data-lane': lane ? LANES[lane] : 'note',
    'data-result': cls, title: `${ev.time} ${ev.source || ''}`,
  }, h('div', { class: 'l-time' }, clock(ev.time)), h('div', { class: 'l-lanes' }));
  if (lane) {
    // The arrow spans from the Phone lane to the service's lane (class to-N; the server's
    // Content-Security-Policy allows no inline style, so the geometry lives in style.css).
    el.append(h('div', { class: `arrow to-${lane}` }, h('span', {}, label)));
  } else {
    el.append(h('div', { class: 'note-text' }, label, ev.source ? ` (${ev.source})` : ''));
  }
  el.append(h('div', { class: 'l-result', test: 'ladder-result' }, ev.result || ''));
  return el;
}
