#!/usr/bin/env bash
# Runs tvs_bench (TVS verifications, one full TLS handshake each, against an in-process server on
# 127.0.0.1) at 1, 8 and 32 concurrent clients with 1 and 2 server threads, and in the same run
# the handshake floor: `openssl s_time -new` against `openssl s_server` with the same certificate
# and key as the TVS identity, C s_time processes at once for concurrency C. Prints
# verifications/s and their ratio to the floor, in throughput and in server CPU per request
# (issue 17: target >= 0.8 of the floor). A report, not a test: it exits 0 whatever the figures,
# 2 when a step fails (a wrong TVS answer fails tvs_bench, so it is a failed step).
#
# usage: bench/run_tvs_bench.sh [build-dir] [extra tvs_bench flags...]
#   e.g. `bench/run_tvs_bench.sh build --phone-tls 1.0`: phones as the seed's 79xx (TLS 1.0,
#   AES128-SHA); the peer then speaks the same (s_server and s_time -tls1 -cipher AES128-SHA)
#   build-dir defaults to "build"; build first with
#   cmake --build <build-dir> --target tvs_bench
# environment (optional):
#   TVS_BENCH_RUNS=3                  rounds; each round measures the floor and then ours at every C
#   TVS_BENCH_CONCURRENCY="1 8 32"    concurrent clients
#   TVS_BENCH_SERVER_THREADS="1 2"    event loops of the TVS server
#   TVS_BENCH_REQUESTS="1:800 8:1500 32:1500"   measured verifications per concurrency (default 1500)
#   TVS_BENCH_PEER_SECONDS=4          s_time's -time for the floor
#   TVS_BENCH_PEER_PORT=              loopback port of s_server (default: a free one)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

build_dir=${1:-build}
if [[ $# -gt 0 ]]; then shift; fi
bench=$build_dir/bench/tvs_bench

bench_need_binary run_tvs_bench "$bench" tvs_bench
bench_need_tools run_tvs_bench openssl python3

runs=${TVS_BENCH_RUNS:-3}
concurrency=${TVS_BENCH_CONCURRENCY:-"1 8 32"}
server_threads=${TVS_BENCH_SERVER_THREADS:-"1 2"}
requests_map=${TVS_BENCH_REQUESTS:-"1:800 8:1500 32:1500"}
peer_seconds=${TVS_BENCH_PEER_SECONDS:-4}

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

run() { bench_run run_tvs_bench "$tmp" "$@"; }  # run <label> <cmd...>

# The phones' TLS (tvs_bench's --phone-tls) decides what the peer speaks: the same version, and
# for 1.0 the 79xx's only suite.
phone_tls=1.3 prev=''
for i in "$@"; do
  if [[ $prev == --phone-tls ]]; then phone_tls=$i; fi
  if [[ $i == --phone-tls=* ]]; then phone_tls=${i#--phone-tls=}; fi
  prev=$i
done
case $phone_tls in
  1.0) tls=(-tls1 -cipher 'AES128-SHA:@SECLEVEL=0') ;;
  1.2) tls=(-tls1_2) ;;
  *) tls=(-tls1_3) ;;
esac

# One data folder for every run, so that s_server serves the TVS identity the runs serve.
data=$tmp/data
run setup "$bench" --data-dir "$data" --setup-only
mkdir -p "$tmp/peer"
cp "$data/pki/tvs.pem" "$tmp/peer/peer.pem"
cp "$data/pki/tvs.key" "$tmp/peer/peer.key"
port=${TVS_BENCH_PEER_PORT:-$(bench_free_port)}
bench_tls_peer_start "$tmp/peer" "$port" "$tmp/s_server.log" "${tls[@]}"
if ! kill -0 "$bench_peer_pid" 2>/dev/null; then
  echo "run_tvs_bench: openssl s_server did not start:" >&2
  cat "$tmp/s_server.log" >&2
  exit 2
fi
echo "== openssl s_server on 127.0.0.1:$port with $data/pki/tvs.pem ${tls[*]} -num_tickets 0 -no_cache"
hz=$(getconf CLK_TCK)
server_ticks() { awk '{print $14 + $15}' "/proc/$bench_peer_pid/stat"; }

# floor ROUND C: C `s_time -new` processes at once for $peer_seconds; one JSON line with the sum of
# their handshakes, the wall time and s_server's CPU over it.
floor() {
  local r=$1 c=$2 k t0 t1 ticks0 ticks1 pids=()
  echo "== round $r: $c x openssl s_time -connect 127.0.0.1:$port -new -time $peer_seconds ${tls[*]}" >&2
  ticks0=$(server_ticks)
  t0=$(date +%s.%N)
  for k in $(seq 1 "$c"); do
    openssl s_time -connect "127.0.0.1:$port" -new -time "$peer_seconds" "${tls[@]}" \
      >"$tmp/s_time_r${r}_c${c}_$k.out" 2>&1 &
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
      sed -n 's/^tvs_bench: /   /p' "$tmp/$label.err"
      sed "s/^{/{\"round\":$r,/" "$tmp/$label.out" >>"$tmp/results.jsonl"
    done
  done
done
bench_tls_peer_stop
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
echo

bench_machine
echo "load avg: $load_start at the start, $load_end at the end (1, 5, 15 min)"
python3 "$here/tls_floor_report.py" tvs "$tmp/floor.jsonl" "$tmp/results.jsonl" "${tls[*]}"
exit 0
