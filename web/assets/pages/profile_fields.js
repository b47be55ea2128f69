// The choices of a phone security profile, with CUCM's labels. The values are the
// ones the CLI takes (`cucm-emu profile add --help`); a value the server sends that is
// not listed here is still shown, as it is, so the page never hides the truth.
export const SECURITY_MODES = [[1, 'Non Secure'], [2, 'Authenticated'], [3, 'Encrypted']];
export const AUTH_MODES = [
  ['auth-string', 'By Authentication String'],
  ['null-string', 'By Null String'],
  ['lsc-first', 'By Existing Certificate (precedence to LSC)'],
  ['mic-first', 'By Existing Certificate (precedence to MIC)'],
];
export const KEY_ORDERS = [['rsa', 'RSA Only'], ['ec', 'EC Only'], ['ec-rsa', 'EC Preferred, RSA Backup']];
export const RSA_SIZES = [1024, 2048, 3072, 4096];
export const EC_SIZES = [256, 384, 521];

export function withCurrent(options, value) {
  const list = options.map((o) => (Array.isArray(o) ? o : [o, String(o)]));
  if (value !== undefined && value !== null && value !== '' && !list.some(([v]) => String(v) === String(value))) {
    list.push([value, String(value)]);
  }
  return list;
}

export function label(options, value) {
  return options.find(([v]) => String(v) === String(value))?.[1] ?? String(value ?? '');
}
