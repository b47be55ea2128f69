#!/usr/bin/env bash
# Runs sip_bench (SIP-over-TLS registrations, each a new connection, a full TLS handshake with the
# phone's LSC as client certificate and one REGISTER answered 200, against an in-process server on
# 127.0.0.1) at 1, 8 and 32 concurrent clients with 1 and 2 server threads, and in the same run the
# floor: `openssl s_time -new -cert LSC -key KEY` against `openssl s_server -Verify 1` with the
# same CallManager certificate and key as the SIP server and the CAPF certificate (the LSCs'
# issuer) as CAfile, C s_time processes at once for concurrency C, each with its own phone's LSC.
# Prints registrations/s and their ratio to the floor, in throughput and in server CPU per request
# (issue 21: target >= 0.7 of the floor). A report, not a test: it exits 0 whatever the figures,
# 2 when a step fails (a REGISTER not answered 200 fails sip_bench, so it is a failed step).
#
# usage: bench/run_sip_bench.sh [build-dir] [extra sip_bench flags...]
#   e.g. `bench/run_sip_bench.sh build-bench --phone-tls 1.2`: phones and peer on TLS 1.2
#   build-dir defaults to "build"; build first with
#   cmake --build <build-dir> --target sip_bench
# environment (optional):
#   SIP_BENCH_RUNS=3                  rounds; each round measures the floor and then ours at every C
#   SIP_BENCH_CONCURRENCY="1 8 32"    concurrent clients
#   SIP_BENCH_SERVER_THREADS="1 2"    event loops of the SIP server
#   SIP_BENCH_REQUESTS="1:800 8:1500 32:1500"   measured registrations per concurrency (default 1500)
#   SIP_BENCH_PEER_SECONDS=4          s_time's -time for the floor
#   SIP_BENCH_PEER_PORT=              loopback port of s_server (default: a free one)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

build_dir=${1:-build}
if [[ $# -gt 0 ]]; then shift; fi
bench=$build_dir/bench/sip_bench

bench_need_binary run_sip_bench "$bench" sip_bench
bench_need_tools run_sip_bench openssl python3

runs=${SIP_BENCH_RUNS:-3}
concurrency=${SIP_BENCH_CONCURRENCY:-"1 8 32"}
server_threads=${SIP_BENCH_SERVER_THREADS:-"1 2"}
requests_map=${SIP_BENCH_REQUESTS:-"1:800 8:1500 32:1500"}
peer_seconds=${SIP_BENCH_PEER_SECONDS:-4}

requests_for() {
  local c=$1 kv
  for kv in $requests_map; do
    if [[ ${kv%%:*} == "$c" ]]; then echo "${kv#*:}"; return; fi
  done
  echo 1500
}

tmp=$(mktemp -d)
cleanup() {
  if [[ -n ${bench_peer_pid:-} ]]; then bench_tls_peer_stop; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

run() { bench_run run_sip_bench "$tmp" "$@"; }  # run <label> <cmd...>

# The phones' TLS (sip_bench's --phone-tls) decides what the peer speaks.
phone_tls=1.3 prev=''
for i in "$@"; do
  if [[ $prev == --phone-tls ]]; then phone_tls=$i; fi
  if [[ $i == --phone-tls=* ]]; then phone_tls=${i#--phone-tls=}; fi
  prev=$i
done
case $phone_tls in
  1.2) tls=(-tls1_2) ;;
  *) tls=(-tls1_3) ;;
esac

# One data folder for every run: the cluster (the CallManager identity s_server serves, the CAPF
# certificate it verifies with) and a phone per client with its LSC (lsc-NNN.pem/.key), made once.
max_c=1
for c in $concurrency; do if ((c > max_c)); then max_c=$c; fi; done
data=$tmp/data
run setup "$bench" --data-dir "$data" --setup-only --concurrency "$max_c"
sed -n 's/^sip_bench: /   /p' "$tmp/setup.err"
lsc() { printf '%s/sip-bench/lsc-%03d.%s' "$data" "$1" "$2"; }
if ! openssl verify -CAfile "$data/pki/capf.pem" "$(lsc 0 pem)" >"$tmp/verify.log" 2>&1; then
  echo "run_sip_bench: the CAPF certificate does not verify the LSCs:" >&2
  cat "$tmp/verify.log" >&2
  exit 2
fi
mkdir -p "$tmp/peer"
cp "$data/pki/callmanager.pem" "$tmp/peer/peer.pem"
cp "$data/pki/callmanager.key" "$tmp/peer/peer.key"
port=${SIP_BENCH_PEER_PORT:-$(bench_free_port)}
# -verify_return_error: a certificate that does not verify fails the handshake (s_server only logs
# it otherwise); -verify_quiet: no log line per certificate of every handshake, only the errors.
peer_args=(-Verify 1 -CAfile "$data/pki/capf.pem" -verify_return_error -verify_quiet "${tls[@]}")
bench_tls_peer_start "$tmp/peer" "$port" "$tmp/s_server.log" "${peer_args[@]}"
if ! kill -0 "$bench_peer_pid" 2>/dev/null; then
  echo "run_sip_bench: openssl s_server did not start:" >&2
  cat "$tmp/s_server.log" >&2
  exit 2
fi
echo "== openssl s_server on 127.0.0.1:$port with $data/pki/callmanager.pem ${peer_args[*]} -num_tickets 0 -no_cache"
hz=$(getconf CLK_TCK)
server_ticks() { awk '{print $14 + $15}' "/proc/$bench_peer_pid/stat"; }

# floor ROUND C: C `s_time -new` processes at once for $peer_seconds, process k presenting phone
# k's LSC; one JSON line with the sum of their handshakes, the wall time and s_server's CPU over it.
floor() {
  local r=$1 c=$2 k t0 t1 ticks0 ticks1 pids=()
  echo "== round $r: $c x openssl s_time -connect 127.0.0.1:$port -new -time $peer_seconds -cert $(lsc 0 pem)" \
    "-key $(lsc 0 key) ${tls[*]} (lsc-000 .. lsc-$(printf %03d $((c - 1))))" >&2
  ticks0=$(server_ticks)
  t0=$(date +%s.%N)
  for k in $(seq 0 $((c - 1))); do
    openssl s_time -connect "127.0.0.1:$port" -new -time "$peer_seconds" -cert "$(lsc "$k" pem)" \
      -key "$(lsc "$k" key)" "${tls[@]}" >"$tmp/s_time_r${r}_c${c}_$k.out" 2>&1 &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || true; done
  t1=$(date +%s.%N)
  ticks1=$(server_ticks)
  python3 - "$r" "$c" "$t0" "$t1" "$((ticks1 - ticks0))" "$hz" "$tmp"/s_time_r"${r}"_c"${c}"_*.out <<'PY'
import json, re, sys
r, c, t0, t1, ticks, hz = sys.argv[1:7]
n = 0
for path in sys.argv[7:]:
    m = re.search(r"(\d+) connections in [\d.]+s;", open(path).read())
    n += int(m.group(1)) if m else 0
print(json.dumps({"round": int(r), "concurrency": int(c), "handshakes": n, "wall_s": float(t1) - float(t0),
                  "server_cpu_s": int(ticks) / int(hz)}))
PY
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$tmp/floor.jsonl"
: >"$tmp/results.jsonl"
# Rounds interleave the floor and ours, so that both see the same load from the rest of the machine.
for r in $(seq 1 "$runs"); do
  for c in $concurrency; do
    floor "$r" "$c" >>"$tmp/floor.jsonl"
    for t in $server_threads; do
      label="r${r}_c${c}_t${t}"
      run "$label" "$bench" --data-dir "$data" --server-threads "$t" --concurrency "$c" \
        --requests "$(requests_for "$c")" "$@"
      sed -n 's/^sip_bench: /   /p' "$tmp/$label.err"
      sed "s/^{/{\"round\":$r,/" "$tmp/$label.out" >>"$tmp/results.jsonl"
    done
  done
done
bench_tls_peer_stop
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
echo

bench_machine
echo "load avg: $load_start at the start, $load_end at the end (1, 5, 15 min)"
# s_time cannot tell (TLS 1.3 sends the client's certificate after its handshake is done): did
# s_server refuse any LSC?
refused=$(grep -c 'verify error' "$tmp/s_server.log" || true)
echo "s_server: $refused verify errors in its log (the LSCs it refused)"
python3 "$here/tls_floor_report.py" sip "$tmp/floor.jsonl" "$tmp/results.jsonl" "${tls[*]}"
exit 0
