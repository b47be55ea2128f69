// Which lane of the ladder an event belongs to, and whether its result is a failure.
// Results are free text ("ok", "LSC installed, serial …", "not found: …", "refused: …"),
// so a failure is recognised by its words; "not found" is a warning, because a phone
// asking for a CTL that a non-mixed-mode cluster does not have is normal (seed 004).

export const LANES = ['Phone', 'TFTP/HTTP', 'CAPF', 'TVS', 'SIP'];

const LANE_OF = { tftp: 1, http: 1, https: 1, capf: 2, tvs: 3, sip: 4 };

// The lane index (1..4) of the service the phone talked to; 0 for a note (admin, web, ...).
export function laneOf(service) {
  return LANE_OF[String(service || '').toLowerCase()] || 0;
}

const FAILURE = /fail|error|refus|denied|invalid|timeout|timed out|reject|forbidden|bad |wrong|expired|busy|mismatch|untrusted|not trusted|abort|unauthori|\b(4\d\d|5\d\d)\b/i;

export function resultClass(result) {
  const r = String(result || '');
  if (r === '' || /^ok\b/i.test(r)) return 'ok';
  if (/^not found/i.test(r)) return 'warn';
  return FAILURE.test(r) ? 'fail' : 'ok';
}

export function clock(time) {
  const m = /(\d\d:\d\d:\d\d(?:\.\d+)?)/.exec(String(time || ''));
  return m ? m[1] : String(time || '');
}
