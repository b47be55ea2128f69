#!/usr/bin/env bash
# Warm boot storm with and without one TVS query per phone (issue 17): N phones that already hold
# their keys boot against `cucm-emu serve` on 127.0.0.1, alternately plain and with
# `phone fleet --ask-tvs` (each phone also asks TVS about the ITL's CallManager certificate, one
# full TLS handshake), and the server's CPU per boot is printed for each, from /proc. A report,
# not a test: it exits 0 whatever the figures, 2 when a step fails.
#
# usage: bench/run_tvs_boot_storm.sh [build-dir] [N] [TVS key: rsa:2048 | ec:P-256]
#   defaults: build, 300, rsa:2048 (what `pki init` makes); ports 26969-26971, 23804, 22445
# Warm boots (configs cached, no CAPF) cost the server well under a millisecond, so one TLS
# handshake per phone weighs more here than in the cold storm of run_boot_storm.sh.
set -euo pipefail
build=${1:-build}
n=${2:-300}
tvs_key=${3:-rsa:2048}
emu=$build/app/cucm-emu
[[ -x $emu ]] || { echo "run_tvs_boot_storm: $emu is not built (cmake --build $build --target cucm-emu)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/cucm-tvs-storm.XXXXXX")
phones=$(mktemp -d /dev/shm/cucm-tvs-storm.XXXXXX 2>/dev/null || mktemp -d)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work" "$phones"
}
trap cleanup EXIT
d=(--data-dir "$work/d" --log-level error)
"$emu" "${d[@]}" pki init --tvs-key "$tvs_key" >/dev/null || exit 2
for kv in tvs_port=22445 capf_port=23804 node_address=127.0.0.1; do
  "$emu" "${d[@]}" cluster set "${kv%%=*}" "${kv#*=}" >/dev/null || exit 2
done
python3 - "$n" >"$work/devices.csv" <<'PY'
import sys
print("name,description,product,protocol,profile,load_information,vpn_group,directory_number,display_name,"
      "auth_name,auth_password,capf_operation,capf_auth_string")
for i in range(int(sys.argv[1])):
    print(f"SEPF1{i:010X},,Cisco 8845,SIP,Cisco 8845 - Standard SIP Encrypted Config,,,{1000 + i},,,,,")
PY
"$emu" "${d[@]}" device import "$work/devices.csv" >/dev/null || exit 2
"$emu" "${d[@]}" serve --tftp-port 26969 --http-port 26970 --https-port 26971 --capf-port 23804 --tvs-port 22445 \
  --exit-after 900 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q '^serving' "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
grep -q '^serving' "$work/serve.log" || { cat "$work/serve.log" >&2; exit 2; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
fleet() {
  "$emu" "${d[@]}" phone fleet --count "$n" --concurrency 50 --tftp-port 26969 --http-port 26970 --https-port 26971 \
    --state-dir "$phones" "$@" 2>&1 | grep '^fleet:' || true
}
fleet >/dev/null  # CAPF records every phone's key: the runs below are warm boots
hz=$(getconf CLK_TCK)
echo "N=$n phones, TVS key $tvs_key, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
for r in 1 2 3; do
  for mode in plain tvs; do
    c0=$(cpu_ticks)
    if [[ $mode == tvs ]]; then out=$(fleet --ask-tvs); else out=$(fleet); fi
    c1=$(cpu_ticks)
    printf '%-5s run %d: server CPU %.3f ms per boot | %s\n' "$mode" "$r" \
      "$(echo "($c1 - $c0) * 1000 / $hz / $n" | bc -l)" "$out"
  done
done
