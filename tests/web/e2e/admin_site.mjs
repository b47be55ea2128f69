// The admin site driven in headless Chromium against a running `cucm-emu serve` (run.sh
// starts it and passes the ports in E2E_* variables). One scenario, in the order an admin
// would work through seed 004: log in, add a phone, give it a profile with TFTP Encrypted
// Config, schedule a CAPF install, watch its ladder while a simulated phone boots, visit
// every other page, then change the password and log in with the new one. Each page is saved
// as a PNG in E2E_OUT_DIR.
import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (run this through run.sh)`);
  return v;
};
const base = env('E2E_BASE_URL');
const out = env('E2E_OUT_DIR');
const bin = env('E2E_CUCM_EMU');
const data = env('E2E_DATA_DIR');

// Every wait is bounded; this is the bound of the whole scenario.
const watchdog = setTimeout(() => { console.error('admin_site: over 200 s, giving up'); process.exit(1); }, 200_000);

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

let shots = 0;
async function shot(page, name) {
  await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => {}); // the ladder's stream never idles
  const file = path.join(out, `${String(++shots).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

const visible = (test) => `[data-test="${test}"]:not([hidden])`;
const text = async (page, test) => (await page.textContent(`[data-test="${test}"]`)).trim();

function bootPhone(name) {
  const args = ['--data-dir', data, 'phone', 'boot', name, '--server', '127.0.0.1',
    '--tftp-port', env('E2E_TFTP_PORT'), '--http-port', env('E2E_HTTP_PORT'), '--https-port', env('E2E_HTTPS_PORT'),
    '--capf-port', env('E2E_CAPF_PORT'), '--sip-tls-port', env('E2E_SIP_TLS_PORT'), '--timeout-ms', '5000'];
  if (process.env.E2E_SIP_PORT) args.push('--sip-port', process.env.E2E_SIP_PORT);
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 90_000 }, (err, stdout, stderr) => resolve({ code: err ? err.code ?? 1 : 0, stdout, stderr }));
  });
}

async function main() {
  const browser = await chromium.launch({ executablePath: env('E2E_CHROMIUM'), headless: true, timeout: 30_000 });
  try {
    // The cluster's certificate is its own; only 127.0.0.1 may be reached, anything else is aborted.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    const foreign = [];
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === '127.0.0.1') return route.continue();
      foreign.push(u.href);
      return route.abort();
    });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    await loginFlow(page);
    await invalidDevice(page);
    const name = 'SEP' + randomBytes(6).toString('hex').toUpperCase();
    await addDevice(page, name);
    const profile = await encryptedProfile(page);
    await configureDevice(page, name, profile);
    await ladder(page, name);
    await deviceAfterBoot(page, name);
    await fleet(page);
    await otherPages(page, name);
    await bulkImport(page);
    await faults(page, name);
    await settings(page);
    const changed = await changePassword(page);
    await writeAfterPasswordChange(page);
    await page.click('[data-test=logout]');
    await page.waitForSelector('[data-test=login-form]');
    check(true, 'logout returns to the login page');
    await page.fill('[data-test=login-user]', 'admin');
    await page.fill('[data-test=login-password]', changed);
    await page.click('[data-test=login-submit]');
    await page.waitForSelector('[data-test=device-table]');
    check(true, 'the new password logs in');
    await viewerPages(page, name, profile);

    check(pageErrors.length === 0, `no JavaScript error on any page (${pageErrors.join('; ')})`);
    check(foreign.length === 0, `no request left 127.0.0.1 (${foreign.join(' ')})`);
  } catch (e) {
    // What the page showed when a check failed, for the log reader.
    for (const p of browser.contexts().flatMap((c) => c.pages())) {
      await p.screenshot({ path: path.join(out, 'failure.png'), fullPage: true }).catch(() => {});
      const errors = await p.$$eval('.error:not([hidden])', (els) => els.map((x) => x.textContent)).catch(() => []);
      console.error(`admin_site: at ${p.url()}, errors shown: ${JSON.stringify(errors)}`);
    }
    throw e;
  } finally {
    await browser.close();
  }
}

async function loginFlow(page) {
  await page.goto(base + '/');
  await page.waitForSelector('[data-test=login-form]');
  check(page.url().includes('#/login'), 'an anonymous visit lands on #/login');
  await page.fill('[data-test=login-user]', 'admin');
  await page.fill('[data-test=login-password]', 'not-the-password');
  await page.click('[data-test=login-submit]');
  await page.waitForSelector(visible('login-error'));
  check((await text(page, 'login-error')) === 'wrong user name or password', 'a wrong password shows the API\'s error');
  await shot(page, 'login-wrong-password');
  await page.fill('[data-test=login-password]', env('E2E_PASSWORD'));
  await page.click('[data-test=login-submit]');
  await page.waitForSelector('[data-test=device-table]');
  await page.waitForFunction(() => document.querySelector('[data-test=who]').textContent.includes('admin'));
  check(true, 'the right password opens Find and List Phones');
}

// Bad input through the browser: the page shows the server's message, word for word.
async function invalidDevice(page) {
  const bad = 'SEP12ZZ';
  await page.fill('[data-test=add-name]', bad);
  await page.fill('[data-test=add-product]', 'Cisco 8845');
  await page.click('[data-test=add-submit]');
  await page.waitForSelector(visible('add-error'));
  const shown = await text(page, 'add-error');
  const fromApi = await page.evaluate(async (n) => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/devices', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
      body: JSON.stringify({ name: n, product: 'Cisco 8845', protocol: 'SIP' }),
    });
    return { status: r.status, body: await r.json() };
  }, bad);
  check(fromApi.status === 400, `the API refuses ${bad} with 400 (got ${fromApi.status})`);
  check(shown.length > 0 && shown === fromApi.body.error, `the form shows the server's message: "${shown}"`);
  await shot(page, 'devices-invalid-name');
}

async function addDevice(page, name) {
  await page.fill('[data-test=add-name]', name);
  await page.fill('[data-test=add-description]', 'added by the browser test');
  await page.fill('[data-test=add-product]', 'Cisco 8845');
  await page.selectOption('[data-test=add-protocol]', 'SIP');
  await page.click('[data-test=add-submit]');
  await page.waitForSelector(visible('add-ok'));
  await page.waitForSelector(`[data-test=device-link]:text-is("${name}")`);
  await page.fill('[data-test=device-search]', name.slice(-6));
  await page.waitForFunction((n) => {
    const links = [...document.querySelectorAll('[data-test=device-link]')];
    return links.length === 1 && links[0].textContent === n;
  }, name);
  check(true, `${name} added, and the search finds it alone`);
  await shot(page, 'devices');
}

// Seed 004 step 2: a profile with "TFTP Encrypted Config" ticked.
async function encryptedProfile(page) {
  const name = 'E2E 8845 - Encrypted Config';
  await page.goto(base + '/#/profiles');
  await page.waitForSelector('[data-test=profile-table]');
  await page.fill('[data-test=profile-add-name]', name);
  await page.fill('[data-test=profile-add-product]', 'Cisco 8845');
  await page.selectOption('[data-test=profile-add-protocol]', 'SIP');
  await page.click('[data-test=profile-add-submit]');
  await page.waitForSelector('[data-test=profile-form]');
  await page.check('[data-test=profile-tftp-encrypted]');
  await page.selectOption('[data-test=profile-security-mode]', '3');
  await page.click('[data-test=profile-save]');
  await page.waitForSelector(visible('profile-status'));
  await page.reload();
  await page.waitForSelector('[data-test=profile-form]');
  check(await page.isChecked('[data-test=profile-tftp-encrypted]'), 'TFTP Encrypted Config is saved on the new profile');
  await shot(page, 'profile');
  await page.goto(base + '/#/profiles');
  await page.click('[data-test=profile-link]:text-is("Cisco 8845 - Standard SIP Non-Secure Profile")');
  await page.waitForSelector('[data-test=profile-readonly]');
  check(await page.isDisabled('[data-test=profile-tftp-encrypted]'), 'a predefined profile is read-only');
  await page.goto(base + '/#/profiles');
  await page.waitForSelector('[data-test=profile-table]');
  await shot(page, 'profiles');
  return name;
}

async function configureDevice(page, name, profile) {
  await page.goto(`${base}/#/devices/${name}`);
  await page.waitForSelector('[data-test=device-form]');
  // Each save redraws the page; the status names what was saved, which tells the new page
  // from the old one.
  const saved = (what) => page.waitForSelector(`[data-test=device-status]:not([hidden]):text-is("Update successful: ${what}")`);
  await page.selectOption('[data-test=device-profile]', profile);
  await page.click('[data-test=device-save]');
  await saved('device information');
  check((await page.inputValue('[data-test=device-profile]')) === profile, `${name} is on "${profile}"`);
  await page.click('[data-test=line-add]');
  await page.fill('[data-test=line-dn]', '1001');
  await page.click('[data-test=lines-save]');
  await saved('lines');
  check((await page.inputValue('[data-test=line-dn]')) === '1001', 'line 1001 is saved');
  await page.selectOption('[data-test=capf-operation]', 'install');
  await page.click('[data-test=capf-save]');
  await saved('CAPF information');
  check((await page.inputValue('[data-test=capf-operation]')) === 'install', 'the page shows the operation the server recorded');
  check(true, 'a CAPF Install/Upgrade is scheduled from the CAPF Information section');
  await shot(page, 'device');
}

// The live ladder: opened before the phone boots, so every row after the history arrives
// through the event stream.
async function ladder(page, name) {
  await page.goto(`${base}/#/ladder/${name}`);
  await page.waitForSelector('[data-test=ladder-live].on');
  const boot = await bootPhone(name);
  console.log(boot.stdout.split('\n').map((l) => '  phone| ' + l).join('\n'));
  if (boot.stderr) console.log(boot.stderr.split('\n').map((l) => '  phone! ' + l).join('\n'));
  check(/result: full config/.test(boot.stdout), 'the simulated phone reached its full config');
  // The rows come in the event writer's batches (every 200 ms at most), so the boot's last
  // request may arrive after its first ones: wait for the rows checked below themselves.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-test=ladder-row]')];
    const has = (lane, re) => rows.some((e) => e.dataset.lane === lane && re.test(e.textContent));
    return has('TFTP/HTTP', /cnf\.xml\.enc\.sgn/) && has('CAPF', /./);
  }, null, { timeout: 20_000 });
  const rows = await page.$$eval('[data-test=ladder-row]', (els) => els.map((e) => `${e.dataset.lane}: ${e.textContent}`));
  check(rows.some((r) => /^TFTP\/HTTP: .*cnf\.xml\.enc\.sgn/.test(r)), 'the ladder shows the encrypted config request');
  check(rows.some((r) => /^CAPF: /.test(r)), 'the ladder shows the CAPF session');
  await shot(page, 'ladder');
}

async function deviceAfterBoot(page, name) {
  await page.goto(`${base}/#/devices/${name}`);
  await page.waitForSelector('[data-test=certificate-section] table[data-test=certificate]');
  check((await text(page, 'md5hash')).length === 32, 'the phone page shows the LSC CAPF recorded and its certHash');
  await shot(page, 'device-after-boot');
}

async function fleet(page) {
  await page.goto(base + '/#/fleet');
  await page.waitForSelector('[data-test=fleet-total]');
  const total = Number(await text(page, 'fleet-total'));
  const states = await page.$$eval('[data-test=fleet-state] b', (els) => els.reduce((a, e) => a + Number(e.textContent), 0));
  check(total === 1, `the fleet page counts the one phone (${total})`);
  check(states === total, `the states add up to the phones (${states})`);
  await shot(page, 'fleet');
}

async function otherPages(page, name) {
  await page.goto(base + '/#/certificates');
  await page.waitForSelector('[data-test=identities]');
  await page.waitForSelector('[data-test=trust-store]');
  check((await page.textContent('[data-test=issued-section]')).includes(name), 'Certificates lists the LSC issued to the phone');
  await shot(page, 'certificates');
  await page.goto(base + '/#/capf');
  await page.waitForSelector('[data-test=capf-table]');
  await shot(page, 'capf');
}

// Bulk Import: a file with one bad row imports nothing and names the row; the good file imports
// every row, the list pages through them, and one is deleted from its own page.
async function bulkImport(page) {
  const prefix = 'SEPB0B0B0B0';
  const names = Array.from({ length: 55 }, (_, i) => prefix + i.toString(16).toUpperCase().padStart(4, '0'));
  const profile = 'Cisco 7942 - Standard SCCP Non-Secure Profile';
  const csv = (extra) => ['name,product,protocol,profile', ...names.map((n) => `${n},Cisco 7942,SCCP,${profile}`), ...extra]
    .join('\n') + '\n';
  const upload = async (text) => {
    await page.setInputFiles('[data-test=csv-file]', { name: 'phones.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.click('[data-test=csv-submit]');
  };
  const count = async (want) => {
    await page.waitForFunction((w) => document.querySelector('[data-test=device-count]')?.textContent === w, want);
    return true;
  };
  await page.goto(base + '/#/devices');
  await page.waitForSelector('[data-test=csv-form]');
  await upload(csv([`SEP12,Cisco 7942,SCCP,${profile}`]));
  await page.waitForSelector(visible('csv-error'));
  const refused = await text(page, 'csv-error');
  check(refused.includes('row 56') && refused.includes('SEP12'), `a bad row is named and nothing imported (${refused})`);
  await page.fill('[data-test=device-search]', prefix);
  check(await count('0 phones'), 'none of the file\'s phones was imported');
  await upload(csv([]));
  await page.waitForSelector(visible('csv-ok'));
  check((await text(page, 'csv-ok')) === 'Imported 55 phone(s)', 'the good file imports every row');
  check(await count('1–50 of 55'), 'the list shows the first page of 50');
  await shot(page, 'bulk-import');
  await page.click('[data-test=page-next]');
  check(await count('51–55 of 55'), 'Next shows the second page');
  const last = names[names.length - 1];
  check((await page.$$('[data-test=device-link]')).length === 5 &&
    (await page.textContent('[data-test=device-table]')).includes(last), 'the second page holds the last five');
  await page.click(`[data-test=device-link]:has-text("${last}")`);
  await page.waitForSelector('[data-test=device-form]');
  page.once('dialog', (d) => d.accept());
  await page.click('[data-test=device-delete]');
  await page.waitForSelector('[data-test=device-search]');
  await page.fill('[data-test=device-search]', prefix);
  check(await count('1–50 of 54'), 'a phone deleted from its page is gone from the list');
}

async function faults(page, name) {
  await page.goto(base + '/#/faults');
  await page.waitForSelector('[data-test=fault-form]');
  const fault = await page.$eval('[data-test=fault-select] option', (o) => o.value);
  await page.selectOption('[data-test=fault-select]', fault);
  await page.fill('[data-test=fault-device]', name);
  await page.click('[data-test=fault-arm]');
  await page.waitForFunction((n) => document.querySelector('[data-test=armed-table]')?.textContent.includes(n), name);
  check(true, `fault ${fault} armed for ${name}`);
  await shot(page, 'faults');
  await page.click('[data-test=fault-clear]');
  await page.waitForFunction((n) => !document.querySelector('[data-test=armed-table]')?.textContent.includes(n), name);
  check(true, 'the fault is cleared');
}


// Cluster Settings: a bad value shows the server's rule, a new default load is stored, then
// changed again in its own row.
async function settings(page) {
  await page.click('[data-test=nav-settings]');
  await page.waitForSelector('[data-test=settings-table]');
  await page.fill('[data-test=setting-key]', 'mixed_mode');
  await page.fill('[data-test=setting-value]', '2');
  await page.click('[data-test=setting-other-save]');
  await page.waitForSelector(visible('settings-error'));
  check((await text(page, 'settings-error')) === "invalid mixed_mode '2': 0 or 1", 'a bad setting shows the server\'s rule');
  const key = 'load.Cisco 8845';
  await page.fill('[data-test=setting-key]', key);
  await page.fill('[data-test=setting-value]', 'sip8845_65.14-2-1SR1');
  await page.click('[data-test=setting-other-save]');
  await page.waitForSelector(visible('settings-ok'));
  check((await text(page, 'settings-ok')) === `${key} = sip8845_65.14-2-1SR1`, 'a new setting is stored and confirmed');
  const row = `[data-test="setting-value-${key}"]`;
  check((await page.inputValue(row)) === 'sip8845_65.14-2-1SR1', 'the new setting has its row');
  await page.fill(row, 'sip8845_65.14-2-1SR2');
  await page.click(`[data-test="setting-save-${key}"]`);
  await page.waitForFunction(() => document.querySelector('[data-test=settings-ok]')?.textContent.endsWith('SR2'));
  check(true, 'a setting changed in its own row is confirmed');
  await shot(page, 'settings');
}
// Change Password (beside Logout): the confirmation checked on the page, the server's rule shown
// word for word, then the change; the caller logs in with it afterwards.
async function changePassword(page) {
  await page.click('[data-test=change-password]');
  await page.waitForSelector('[data-test=password-form]');
  check((await text(page, 'password-user')) === 'admin', 'Change Password names the logged-in user');
  const old = env('E2E_PASSWORD');
  await page.fill('[data-test=password-current]', old);
  await page.fill('[data-test=password-new]', 'short');
  await page.fill('[data-test=password-again]', 'shorter');
  await page.click('[data-test=password-submit]');
  await page.waitForSelector(visible('password-error'));
  check((await text(page, 'password-error')).includes('differ'), 'a confirmation that differs is refused on the page');
  await page.fill('[data-test=password-again]', 'short');
  await page.click('[data-test=password-submit]');
  await page.waitForFunction(() => document.querySelector('[data-test=password-error]').textContent.startsWith('password too short'));
  check(true, 'a short new password shows the rule of admin passwd');
  const next = `${old}-changed`;
  await page.fill('[data-test=password-new]', next);
  await page.fill('[data-test=password-again]', next);
  await page.click('[data-test=password-submit]');
  await page.waitForSelector(visible('password-ok'));
  check((await text(page, 'password-ok')).startsWith('Password changed'), 'the change is confirmed on the page');
  await shot(page, 'change-password');
  return next;
}

// A viewer (run.sh makes student1 one) sees the same records with nothing to write them with:
// no add, import, arm or delete; the forms that show a record are disabled, without buttons.
// The change re-keyed the session: the page's next write must carry the new CSRF token.
async function writeAfterPasswordChange(page) {
  await page.click('[data-test=nav-settings]');
  await page.waitForSelector('[data-test=settings-table]');
  const row = '[data-test="setting-value-load.Cisco 8845"]';
  await page.fill(row, 'sip8845_65.14-2-1SR3');
  await page.click('[data-test="setting-save-load.Cisco 8845"]');
  await page.waitForFunction(() => document.querySelector('[data-test=settings-ok]')?.textContent.endsWith('SR3'));
  check(true, 'a write after the password change goes through with the re-keyed session');
}

async function viewerPages(page, name, profile) {
  await page.click('[data-test=logout]');
  await page.waitForSelector('[data-test=login-form]');
  await page.fill('[data-test=login-user]', 'student1');
  await page.fill('[data-test=login-password]', env('E2E_VIEWER_PASSWORD'));
  await page.click('[data-test=login-submit]');
  await page.waitForSelector('[data-test=device-table]');
  check((await page.textContent('#who')).includes('student1 (viewer: read-only)'), 'a viewer is told it reads only');
  check(await page.isVisible('[data-test=change-password]'), 'a viewer may still change its own password');
  check(!(await page.$('[data-test=add-section]')) && !(await page.$('[data-test=csv-section]')),
    'the phone list offers a viewer no add and no import');
  check(await page.isVisible('[data-test=csv-export]'), 'a viewer may export the list');
  await page.goto(`${base}/#/devices/${encodeURIComponent(name)}`);
  await page.waitForSelector('[data-test=device-form][data-read-only=viewer]');
  check((await page.inputValue('[data-test=device-profile]')) === profile, 'a viewer sees the phone\'s profile');
  check(await page.isDisabled('[data-test=device-description]'), 'the phone\'s fields are disabled for a viewer');
  check(!(await page.isVisible('[data-test=device-save]')) && !(await page.isVisible('[data-test=capf-save]'))
    && !(await page.$('[data-test=device-delete]')), 'a viewer has no Save and no Delete on a phone');
  await shot(page, 'viewer-device');
  await page.click('[data-test=nav-profiles]');
  await page.waitForSelector('[data-test=profile-table]');
  check(!(await page.$('[data-test=profile-add-section]')), 'a viewer is offered no new profile');
  await page.click('[data-test=nav-faults]');
  await page.waitForSelector('[data-test=catalog-table]');
  check(!(await page.$('[data-test=arm-section]')), 'a viewer arms no fault');
  await page.click('[data-test=nav-settings]');
  await page.waitForSelector('[data-test=settings-table]');
  check(!(await page.$('[data-test=settings-other-section]'))
    && await page.isDisabled('[data-test="setting-value-load.Cisco 8845"]'), 'a viewer reads the settings, changes none');
  await shot(page, 'viewer-settings');
}

main().then(() => { clearTimeout(watchdog); console.log(`admin_site: passed, ${shots} screenshots in ${out}`); },
  (e) => { console.error(`admin_site: FAILED: ${e.stack || e}`); process.exit(1); });
