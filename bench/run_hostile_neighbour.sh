#!/usr/bin/env bash
# Hostile neighbour (issue 16): a fleet of simulated phones boots through the whole
# encrypted-config flow against `cucm-emu serve` with its default limits, once on a quiet server
# and once while one address (127.0.0.2, bench/hostile_flood.py) floods TFTP, HTTP and CAPF as
# fast as it can. Reports the fleet's p50/p99 and failures for both, the ratio of the p99s
# (target: every phone boots and p99 within 3x of the quiet run), and the server's peak RSS
# (VmHWM; target under 256 MB). Loopback only; every run is bounded. A report, not a test: it
# exits 0 whatever the figures.
#
# usage: bench/run_hostile_neighbour.sh [build-dir] [phones]
#   build-dir defaults to "build", phones to 200; build first with
#   cmake --build <build-dir> --target cucm-emu
# environment (optional):
#   HOSTILE_CONCURRENCY=50      phones booting at once
#   HOSTILE_THREADS=1           `serve --threads`
#   HOSTILE_MAX_SECONDS=300     bound on each fleet run and on the flood
#   HOSTILE_RUNS=1              quiet/flood pairs
#   HOSTILE_PROFILE=88xx        fleet firmware: 88xx (HTTP first) or 79xx (TFTP only, TLS 1.0 to CAPF)
#   HOSTILE_SERVER=<cucm-emu>   serve (and import) with another build, e.g. one from before the
#                               hardening; the phones are always this build's
set -euo pipefail

build_dir=${1:-build}
phones=${2:-200}
emu=$build_dir/app/cucm-emu
server=${HOSTILE_SERVER:-$emu}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
concurrency=${HOSTILE_CONCURRENCY:-50}
threads=${HOSTILE_THREADS:-1}
max_seconds=${HOSTILE_MAX_SECONDS:-300}
runs=${HOSTILE_RUNS:-1}
profile=${HOSTILE_PROFILE:-88xx}
serve_tls=()
[[ $profile == 79xx ]] && serve_tls=(--capf-tls-min 1.0)

bench_need_binary run_hostile_neighbour "$emu" cucm-emu
bench_need_tools run_hostile_neighbour python3 timeout

work=$(mktemp -d)
server_pid=""
flood_pid=""
cleanup() {
  for p in $flood_pid $server_pid; do
    if kill -0 "$p" 2>/dev/null; then kill -TERM "$p" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

data=$work/data
# Two sets of devices: the quiet run's phones and the flood run's, each booting for the first time.
python3 - "$work/devices.csv" "$phones" "$runs" <<'PY'
import sys
path, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    f.write("name,product,protocol,profile\n")
    for r in range(runs):
        for prefix in (f"SEPA{r}", f"SEPB{r}"):
            for i in range(n):
                h = format(i, "X")
                name = prefix + "0" * (15 - len(prefix) - len(h)) + h
                f.write(f"{name},Cisco 7942,SCCP,Cisco 7942 - Standard SCCP Encrypted Config\n")
PY
"$server" --data-dir "$data" --log-level warn device import "$work/devices.csv" >/dev/null

no_sip=()
if [[ $("$server" serve --help 2>/dev/null || true) == *--no-sip* ]]; then no_sip=(--no-sip); fi
if [[ $("$server" serve --help 2>/dev/null || true) == *--no-admin* ]]; then no_sip+=(--no-admin); fi
"$server" --data-dir "$data" --log-level warn serve --threads "$threads" "${no_sip[@]}" \
  --tftp-address 127.0.0.1 --tftp-port 0 --http-address 127.0.0.1 --http-port 0 \
  --capf-address 127.0.0.1 --capf-port 0 "${serve_tls[@]}" --exit-after $((max_seconds * 2 * runs + 120)) >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q '^serving' "$work/serve.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 2; }
  sleep 0.1
done
tftp_port=$(bench_serve_port "$work/serve.log" tftp udp)
http_port=$(bench_serve_port "$work/serve.log" http tcp)
capf_port=$(bench_serve_port "$work/serve.log" capf tcp)
"$server" --data-dir "$data" --log-level warn cluster set capf_port "$capf_port" >/dev/null

# fleet PREFIX: boots the phones named PREFIX…, prints fleet's summary line.
fleet() {
  timeout "$max_seconds" "$emu" --data-dir "$data" --log-level error phone fleet --no-register --count "$phones" \
    --concurrency "$concurrency" --prefix "$1" --profile "$profile" --server 127.0.0.1 --tftp-port "$tftp_port" \
    --http-port "$http_port" --state-dir "$work/phones-$1" 2>&1 | grep -E '^fleet:|failed:' || true
}
figure() { sed -n "s/.*$1 \([0-9.]*\) ms.*/\1/p" <<<"$2" | head -n 1; }
reached() { sed -n 's/.*: \([0-9]*\) reached a full config.*/\1/p' <<<"$1"; }

bench_machine
echo "hostile neighbour: $phones $profile phones at concurrency $concurrency, serve --threads $threads (default limits)"
echo "server:   $server; phones: $emu"
for r in $(seq 0 $((runs - 1))); do
  quiet=$(fleet "SEPA$r")
  python3 "$here/hostile_flood.py" 127.0.0.2 127.0.0.1 "$tftp_port" "$http_port" "$capf_port" "$max_seconds" \
    >"$work/flood.out" 2>&1 &
  flood_pid=$!
  sleep 2  # the flood takes what it can of every server before the phones start
  flooded=$(fleet "SEPB$r")
  kill -TERM "$flood_pid" 2>/dev/null || true
  wait "$flood_pid" 2>/dev/null || true
  flood_pid=""
  qp99=$(figure p99 "$quiet")
  fp99=$(figure p99 "$flooded")
  echo "run $((r + 1)):"
  echo "  quiet:  $quiet" | head -n 2
  echo "  flood:  $flooded" | head -n 2
  echo "  flood sent: $(tail -n 1 "$work/flood.out")"
  python3 - "$qp99" "$fp99" "$(reached "$quiet")" "$(reached "$flooded")" "$phones" <<'PY'
import sys
q, f, rq, rf, n = sys.argv[1:]
ratio = float(f) / float(q) if q and f and float(q) > 0 else float("nan")
print(f"  phones booted: quiet {rq or 0}/{n}, flood {rf or 0}/{n}; p99 flood/quiet = {ratio:.2f}x (target <= 3x)")
PY
done
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
echo "server peak RSS (VmHWM): $((hwm / 1024)) MB (target < 256 MB)"
kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
echo "server at exit:"
sed -n '/^tftp:\|^http:\|^capf:\|^events:/p' "$work/serve.log" | grep -v listening | sed 's/^/  /'
