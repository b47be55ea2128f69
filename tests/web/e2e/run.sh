#!/usr/bin/env bash
# The admin site in a real browser: starts `cucm-emu serve` on a fresh data folder with every
# port chosen by the kernel on 127.0.0.1, then drives Debian's /usr/bin/chromium through
# admin_site.mjs (playwright-core, no browser download) and leaves one PNG per page in OUT_DIR.
#   tests/web/e2e/run.sh CUCM_EMU_BINARY OUT_DIR
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 CUCM_EMU_BINARY OUT_DIR" >&2; exit 2; }
bin=$(realpath "$1")
out=$(mkdir -p "$2" && realpath "$2")
rm -f "$out"/*.png  # this run's pages only: a page added or dropped would leave a stale picture
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}

# What the test needs and does not install itself: scripts/bootstrap.sh does.
for tool in node curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing: run scripts/bootstrap.sh" >&2; exit 1; }
done
[ -x "$chromium" ] || { echo "run.sh: $chromium is missing: run scripts/bootstrap.sh (Debian package chromium)" >&2; exit 1; }
[ -d "$here/node_modules/playwright-core" ] ||
  { echo "run.sh: tests/web/e2e/node_modules is missing: run scripts/bootstrap.sh (npm ci there)" >&2; exit 1; }

data=$(mktemp -d "${TMPDIR:-/tmp}/cucm-web-e2e.XXXXXX")
serve_pid=""
cleanup() {
  local rc=$?
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    # serve stops on SIGTERM; a server that hangs is killed after 10 s rather than left behind.
    for _ in $(seq 100); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$data/serve.log" ]; then
    echo "---- serve log (last 60 lines) ----" >&2
    tail -n 60 "$data/serve.log" >&2
  fi
  rm -rf "$data"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

password="e2e-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" | "$bin" --data-dir "$data" admin passwd --user admin --password-stdin
# A trainee's account: reads every page, writes nothing but its own password.
viewer_password="e2e-viewer-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$viewer_password" |
  "$bin" --data-dir "$data" admin passwd --user student1 --role viewer --password-stdin

lo=127.0.0.1
ports="$data/ports.json"
"$bin" --data-dir "$data" serve \
  --tftp-address $lo --tftp-port 0 --http-address $lo --http-port 0 --https-address $lo --https-port 0 \
  --capf-address $lo --capf-port 0 --tvs-address $lo --tvs-port 0 \
  --sip-address $lo --sip-tls-port 0 --sip-port 0 \
  --admin-address $lo --admin-port 0 --ports-file "$ports" --exit-after 600 >"$data/serve.log" 2>&1 &
serve_pid=$!

# serve writes the ports file once every service listens (bounded wait: 30 s).
for _ in $(seq 300); do
  kill -0 "$serve_pid" 2>/dev/null || { echo "run.sh: serve exited early" >&2; exit 1; }
  [ -s "$ports" ] && break
  sleep 0.1
done
[ -s "$ports" ] || { echo "run.sh: serve did not write $ports within 30 s" >&2; exit 1; }
# The port of one service in the ports file, empty when that service is off.
port_of() {
  node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]];
           console.log(s ? s.port : "")' "$ports" "$1"
}
admin_port=$(port_of admin)
[ -n "$admin_port" ] || { echo "run.sh: $ports names no admin port" >&2; exit 1; }

base="https://$lo:$admin_port"
# Every service listens once the file is there; the API answers at once (the certificate is the
# cluster's own: -k).
curl -sk --max-time 5 -o /dev/null "$base/api/v1/setup" || { echo "run.sh: $base does not answer" >&2; exit 1; }

E2E_BASE_URL=$base E2E_PASSWORD=$password E2E_VIEWER_PASSWORD=$viewer_password E2E_OUT_DIR=$out E2E_CHROMIUM=$chromium \
E2E_CUCM_EMU=$bin E2E_DATA_DIR=$data \
E2E_TFTP_PORT=$(port_of tftp) E2E_HTTP_PORT=$(port_of http) E2E_HTTPS_PORT=$(port_of https) \
E2E_CAPF_PORT=$(port_of capf) E2E_TVS_PORT=$(port_of tvs) \
E2E_SIP_TLS_PORT=$(port_of sip_tls) E2E_SIP_PORT=$(port_of sip) \
  timeout 220 node "$here/admin_site.mjs"
