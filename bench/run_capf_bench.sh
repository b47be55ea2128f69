#!/usr/bin/env bash
# Runs capf_bench (CAPF install/upgrade sessions against an in-process server on 127.0.0.1) at
# 1, 8 and 32 concurrent sessions, with 1 and 2 server threads, 3 runs each, next to
# `openssl speed rsa2048`, and prints sessions/s as a fraction of the RSA limit and of the
# reference Python CAPF server (issue 6). A report, not a test: it exits 0 whatever the figures.
#
# usage: bench/run_capf_bench.sh [build-dir] [extra capf_bench flags...]
#   e.g. `bench/run_capf_bench.sh build-bench --phone-tls 1.0`: phones as the seed's 79xx (TLS 1.0,
#   AES128-SHA: the handshake's private operation is an RSA decryption, no key exchange)
#   build-dir defaults to "build"; build first with
#   cmake --build <build-dir> --target capf_bench
# environment (optional):
#   CAPF_BENCH_RUNS=3                 runs per configuration
#   CAPF_BENCH_CONCURRENCY="1 8 32"   concurrent sessions
#   CAPF_BENCH_SERVER_THREADS="1 2"   io_context threads of the server
#   CAPF_BENCH_SESSIONS="1:600 8:1500 32:3000"   measured sessions per concurrency (default 1500)
#   CAPF_BENCH_PEER_PORT=17443        loopback port of the openssl s_server handshake peer
#
# The peer: `openssl s_time -new` against `openssl s_server` (RSA-2048 certificate, no session
# tickets or cache, as the CAPF server; the same TLS as the phones) counts full handshakes and
# the s_server's CPU per handshake. That plus one RSA-2048 signature is what a CAPF session would
# cost with nothing but OpenSSL's own handshake code and the LSC's signature: the report gives it
# next to the RSA-only limit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

build_dir=${1:-build}
if [[ $# -gt 0 ]]; then shift; fi
bench=$build_dir/bench/capf_bench

bench_need_binary run_capf_bench "$bench" capf_bench
bench_need_tools run_capf_bench openssl python3

runs=${CAPF_BENCH_RUNS:-3}
concurrency=${CAPF_BENCH_CONCURRENCY:-"1 8 32"}
server_threads=${CAPF_BENCH_SERVER_THREADS:-"1 2"}
sessions_map=${CAPF_BENCH_SESSIONS:-"1:600 8:1500 32:3000"}

sessions_for() {
  local c=$1 kv
  for kv in $sessions_map; do
    if [[ ${kv%%:*} == "$c" ]]; then echo "${kv#*:}"; return; fi
  done
  echo 1500
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { bench_run run_capf_bench "$tmp" "$@"; }  # run <label> <cmd...>

# handshake_peer: runs the s_server/s_time peer and writes its figures to $tmp/peer.json.
handshake_peer() {
  local port=${CAPF_BENCH_PEER_PORT:-17443} tls=(-tls1_3) spid ticks0 ticks1 hz i prev='' phone_tls=1.3
  for i in "$@"; do  # the phones' TLS, from capf_bench's --phone-tls
    if [[ $prev == --phone-tls ]]; then phone_tls=$i; fi
    if [[ $i == --phone-tls=* ]]; then phone_tls=${i#--phone-tls=}; fi
    prev=$i
  done
  case $phone_tls in
    1.0) tls=(-tls1 -cipher 'AES128-SHA:@SECLEVEL=0') ;;  # what the 79xx profile offers
    1.2) tls=(-tls1_2) ;;
  esac
  bench_tls_peer_start "$tmp" "$port" "$tmp/s_server.log" "${tls[@]}"
  spid=$bench_peer_pid
  hz=$(getconf CLK_TCK)
  ticks0=$(awk '{print $14 + $15}' "/proc/$spid/stat")
  echo "== openssl s_time -connect 127.0.0.1:$port -new -time 4 ${tls[*]}"
  openssl s_time -connect "127.0.0.1:$port" -new -time 4 "${tls[@]}" >"$tmp/s_time.out" 2>&1 || true
  ticks1=$(awk '{print $14 + $15}' "/proc/$spid/stat")
  bench_tls_peer_stop
  python3 - "$tmp/s_time.out" "$((ticks1 - ticks0))" "$hz" "${tls[*]}" >"$tmp/peer.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
m = re.search(r"(\d+) connections in ([\d.]+)s;", text)
print(json.dumps({"handshakes": int(m.group(1)) if m else 0, "seconds": float(m.group(2)) if m else 0.0,
                  "server_cpu_s": int(sys.argv[2]) / int(sys.argv[3]), "tls": sys.argv[4]}))
PY
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# openssl speed runs before and after, so drift from other load shows as a gap between the two.
run speed_before openssl speed -seconds 3 rsa2048
handshake_peer "$@"
: >"$tmp/results.jsonl"
for t in $server_threads; do
  for c in $concurrency; do
    n=$(sessions_for "$c")
    for r in $(seq 1 "$runs"); do
      label="t${t}_c${c}_r${r}"
      run "$label" "$bench" --server-threads "$t" --concurrency "$c" --sessions "$n" "$@"
      sed -n 's/^capf_bench: /   /p' "$tmp/$label.err"
      cat "$tmp/$label.out" >>"$tmp/results.jsonl"
    done
  done
done
run speed_after openssl speed -seconds 3 rsa2048
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
echo

bench_machine
echo "load avg: $load_start at the start, $load_end at the end (1, 5, 15 min)"

PYTHONPATH="$here" python3 - "$tmp/speed_before.out" "$tmp/speed_after.out" "$tmp/results.jsonl" "$tmp/peer.json" <<'PY'
import json
import statistics
import sys

from openssl_speed import rsa2048

REFERENCE = {1: 12.0, 8: 50.0, 32: 45.0}  # usecallmanager capfd, installs/s (issue 6)
TARGET_RATIO, TARGET_X_REF, TARGET_P99_MS = 0.6, 20.0, 100.0




(sb, vb), (sa, va) = rsa2048(sys.argv[1], "run_capf_bench"), rsa2048(sys.argv[2], "run_capf_bench")
sign = (sb + sa) / 2
per_core = sign / 2  # one TLS handshake signature + one LSC signature per session
print(f"openssl speed rsa2048 sign/s: {sb:.1f} before, {sa:.1f} after, mean {sign:.1f} "
      f"(verify/s {vb:.0f}, {va:.0f})")
print(f"limit: {per_core:.1f} sessions/s per server core (sign/s / 2); "
      f"with T server threads the limit is T x that")
noisy = abs(sb - sa) / sign > 0.05
peer = json.load(open(sys.argv[4]))
floor_us = None
if peer["handshakes"] > 0 and peer["server_cpu_s"] > 0:
    hs_us = peer["server_cpu_s"] / peer["handshakes"] * 1e6
    floor_us = hs_us + 1e6 / sign
    print(f"peer: openssl s_server ({peer['tls']}, RSA-2048, no tickets): {peer['handshakes']} full handshakes "
          f"with s_time -new, {hs_us:.0f} us of s_server CPU each; + one RSA-2048 signature ({1e6 / sign:.0f} us) "
          f"= {floor_us:.0f} us per session with OpenSSL's own handshake, "
          f"{(1e6 / floor_us) / per_core:.2f} of the limit per core")
    print(f"      0.6 of the limit needs <= {1e6 / (0.6 * per_core):.0f} us of server CPU per session")
else:
    print("peer: openssl s_server/s_time gave no figure (see s_time's output); no handshake floor")

rows = {}
with open(sys.argv[3]) as f:
    for line in f:
        line = line.strip()
        if line:
            r = json.loads(line)
            rows.setdefault((r["server_threads"], r["concurrency"]), []).append(r)

print()
head = (f"{'T':>2} {'C':>3} {'sessions/s':>10} {'min..max':>15} {'cv':>6} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'err':>4} {'refused':>7} {'lq drop':>7} {'srv us':>7} {'cli us':>7} {'vs limit':>8} "
        f"{'srv CPU':>7} {'vs ref':>7} {'vs peer':>7}")
print(head)
print("-" * len(head))
summary = {}
for (t, c), rs in sorted(rows.items()):
    rates = [r["sessions_per_s"] for r in rs]
    med = statistics.median(rates)
    cv = statistics.pstdev(rates) / med if med and len(rates) > 1 else 0.0
    noisy = noisy or cv > 0.05
    p50 = statistics.median(r["p50_ms"] for r in rs)
    p99 = statistics.median(r["p99_ms"] for r in rs)
    p99_worst = max(r["p99_ms"] for r in rs)
    err = sum(r["errors"] for r in rs)
    refused = sum(r["refused"] + r["server_refused"] for r in rs)
    drops = sum(max(0, r["listen_overflows"]) + max(0, r["listen_drops"]) for r in rs)
    # server CPU = its I/O threads plus the event writer thread (the whole process minus clients)
    srv_us = statistics.median(r.get("server_all_cpu_s", r["server_cpu_s"]) / r["ok"] * 1e6 for r in rs if r["ok"])
    cli_us = statistics.median(r["client_cpu_s"] / r["ok"] * 1e6 for r in rs if r["ok"])
    limit = per_core * min(t, 64)
    # srv CPU: what the server would do per fully busy core, as a fraction of the per-core limit
    srv_ratio = (1e6 / srv_us) / per_core if srv_us else 0.0
    ref = REFERENCE.get(c)
    vs_ref = f"{med / ref:6.1f}x" if ref else "n/a"
    recorded_ok = all(r["recorded"] == r["expected_recorded"] for r in rs)
    print(f"{t:>2} {c:>3} {med:>10.1f} {min(rates):>7.1f}..{max(rates):<7.1f} {cv:>6.1%} {p50:>8.2f} "
          f"{p99:>8.2f} {err:>4} {refused:>7} {drops:>7} {srv_us:>7.0f} {cli_us:>7.0f} "
          f"{med / limit:>8.3f} {srv_ratio:>7.3f} {vs_ref:>7} {(srv_us / floor_us if floor_us else 0):>6.2f}x"
          + ("" if recorded_ok else "  (database count mismatch!)"))
    summary[(t, c)] = (med, p99_worst, err, refused, drops, med / limit)
print()
print("T = server threads, C = concurrent sessions; sessions/s is the median of the runs; p50/p99 are")
print("medians over runs; err/refused/lq drop are totals over runs (lq drop = TcpExt ListenOverflows +")
print("ListenDrops); srv us / cli us = CPU per session of the server (I/O threads and event writer) /")
print("of the client threads;")
print("vs limit = sessions/s / (T x sign/s / 2); srv CPU = (1 / server CPU per session) / (sign/s / 2),")
print("the ratio the server would reach on a core of its own; vs ref = sessions/s / the reference capfd;")
print("vs peer = server CPU per session / (s_server's CPU per handshake + one RSA signature).")
print()
for t in sorted({k[0] for k in summary}):
    if (t, 32) not in summary:
        continue
    med, p99w, err, refused, drops, ratio = summary[(t, 32)]
    checks = [
        (f"ratio to limit {ratio:.3f} >= {TARGET_RATIO}", ratio >= TARGET_RATIO),
        (f"{med / REFERENCE[32]:.1f}x reference >= {TARGET_X_REF:.0f}x ({TARGET_X_REF * REFERENCE[32]:.0f}/s)",
         med >= TARGET_X_REF * REFERENCE[32]),
        (f"worst p99 {p99w:.1f} ms < {TARGET_P99_MS:.0f} ms", p99w < TARGET_P99_MS),
        (f"{err} errors, {refused} refused, {drops} listen-queue drops", err == 0 and refused == 0 and drops == 0),
    ]
    print(f"targets at 32 sessions, {t} server thread(s):")
    for text, ok in checks:
        print(f"  {'met    ' if ok else 'NOT met'}  {text}")
if noisy:
    print("note: noisy (openssl before/after differ by more than 5% or a rate cv is above 5%); "
          "rerun on an idle machine")
PY
exit 0
