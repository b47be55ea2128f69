#!/usr/bin/env bash
# Boot storm (issue 5): N phones through the full encrypted-config flow at concurrency 100,
# against `cucm-emu serve` on 127.0.0.1. For each N it reports boots/s and p50/p99 (from
# `cucm-emu phone fleet`), the server's peak RSS (VmHWM) and CPU time, and, from a separate
# profiled pass, the share of server CPU spent in RSA operations. It also measures, in the same
# run, the floor a boot is held to (issue 5): the CPU `openssl s_server` spends on one full
# handshake (timed by `openssl s_time -new` on loopback, RSA-2048, no session cache or tickets, the
# phones' TLS) plus four RSA-2048 signatures (`openssl speed rsa2048`: the ITL, two partial
# configs, the .enc.sgn), and prints the server's CPU per boot as a multiple of it (target <= 1.3x).
# With EMU_ALT it runs a second cucm-emu (another tree's build) against the same storm, alternating
# with this one, and prints both and their ratio. A report, not a test: it exits 0 whatever the
# figures.
#
# usage: bench/run_boot_storm.sh [build-dir] [N...]
#   build-dir defaults to "build", N to "1000 10000"; build first with
#   cmake --build <build-dir> --target cucm-emu
# environment (optional):
#   EMU_ALT=<path to cucm-emu>     a second server to compare with ("alt"; this build is "ours"):
#                                  every N runs ours, alt, ours, alt... in one run, so that both
#                                  see the same machine; the phones are always ours (the same load
#                                  generator for both), each server imports its own data directory
#   BOOT_STORM_RUNS=1              storms per N and server (with EMU_ALT: pairs ours, alt)
#   BOOT_STORM_CONCURRENCY=100     phones booting at once
#   BOOT_STORM_THREADS=1           `serve --threads`
#   BOOT_STORM_BUILD_THREADS=      `serve --build-threads` when set; given only to a server whose
#                                  `serve --help` lists it (older trees have no such flag)
#   BOOT_STORM_PEER_PORT=          loopback port of the openssl s_server handshake peer (default:
#                                  a free one)
#   BOOT_STORM_PROFILE=88xx        fleet firmware profile: 88xx (HTTP first) or 79xx (TFTP only)
#   BOOT_STORM_MAX_SECONDS=900     bound on one fleet run (it is stopped after that)
#   BOOT_STORM_PERF_N=1000         phones in the profiled pass (0: no profiled pass)
#   BOOT_STORM_KEEP=1              keep the data directories (printed)
#   BOOT_STORM_STATE_DIR=/dev/shm  where the simulated phones keep their files (their "flash"):
#                                  tmpfs by default, so that the load generator's file writes (a
#                                  new inode per file, which costs a lot on a busy ext4) do not
#                                  take the CPU the server is measured on; the server's own data
#                                  directory stays on disk
set -euo pipefail

build_dir=${1:-build}
if [[ $# -gt 0 ]]; then shift; fi
counts=("$@")
if [[ ${#counts[@]} -eq 0 ]]; then counts=(1000 10000); fi
emu=$build_dir/app/cucm-emu
# The storm measures boots to the full config: the phones do not register (a fleet from before
# SIP has no such flag and does not register anyway).
fleet_no_register=()
if [[ $("$emu" phone fleet --help 2>/dev/null || true) == *--no-register* ]]; then fleet_no_register=(--no-register); fi
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

concurrency=${BOOT_STORM_CONCURRENCY:-100}
threads=${BOOT_STORM_THREADS:-1}
build_threads=${BOOT_STORM_BUILD_THREADS:-}
profile=${BOOT_STORM_PROFILE:-88xx}
max_seconds=${BOOT_STORM_MAX_SECONDS:-900}
perf_n=${BOOT_STORM_PERF_N:-1000}
runs=${BOOT_STORM_RUNS:-1}
emu_alt=${EMU_ALT:-}
prefix=SEPF1  # fleet's default name prefix: SEPF1 + 10 hex digits

if [[ ! -x $emu ]]; then
  echo "run_boot_storm: $emu not found (cmake --build $build_dir --target cucm-emu)" >&2
  exit 2
fi
if [[ -n $emu_alt && ! -x $emu_alt ]]; then
  echo "run_boot_storm: EMU_ALT=$emu_alt is not an executable" >&2
  exit 2
fi
bench_need_tools run_boot_storm openssl python3
for n in "${counts[@]}"; do
  if ! [[ $n =~ ^[0-9]+$ ]] || (( n < 1 || n > 100000 )); then
    echo "run_boot_storm: N must be 1..100000, got '$n'" >&2
    exit 2
  fi
done
if ! [[ $runs =~ ^[0-9]+$ ]] || (( runs < 1 || runs > 20 )); then
  echo "run_boot_storm: BOOT_STORM_RUNS must be 1..20, got '$runs'" >&2
  exit 2
fi
if [[ -n $build_threads ]] && ! [[ $build_threads =~ ^[0-9]+$ ]]; then
  echo "run_boot_storm: BOOT_STORM_BUILD_THREADS must be a number, got '$build_threads'" >&2
  exit 2
fi

# The servers under test, by label: ours (this build) and, with EMU_ALT, alt. The phones (fleet)
# are always ours, so a difference between the two is the server's.
labels=(ours)
declare -A server_bin=([ours]=$emu)
if [[ -n $emu_alt ]]; then
  labels+=(alt)
  server_bin[alt]=$emu_alt
fi
# --build-threads goes only to a server that has it (`serve --help`): a tree from before the
# build workers would refuse the whole command line.
# The help text is read whole first: `grep -q` in a pipe could close it early, and with pipefail
# the server's SIGPIPE would read as "no such flag".
declare -A serve_extra=() build_threads_note=()
for label in "${labels[@]}"; do
  serve_extra[$label]=""
  build_threads_note[$label]="default"
  serve_help=$("${server_bin[$label]}" serve --help 2>/dev/null || true)
  if [[ $serve_help != *--build-threads* ]]; then
    build_threads_note[$label]="no such flag"
  elif [[ -n $build_threads ]]; then
    serve_extra[$label]="--build-threads $build_threads"
    build_threads_note[$label]=$build_threads
  fi
done

work=$(mktemp -d)
state_root=${BOOT_STORM_STATE_DIR:-/dev/shm}
if [[ ! -d $state_root || ! -w $state_root ]]; then state_root=$work; fi
state_root=$(mktemp -d "$state_root/cucm-storm-phones.XXXXXX")
server_pid=""
perf_pid=""
peer_pid=""
cleanup() {
  if [[ -n $perf_pid ]] && kill -0 "$perf_pid" 2>/dev/null; then kill -INT "$perf_pid" 2>/dev/null || true; fi
  if [[ -n $peer_pid ]] && kill -0 "$peer_pid" 2>/dev/null; then kill -TERM "$peer_pid" 2>/dev/null || true; fi
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [[ ${BOOT_STORM_KEEP:-0} == 1 ]]; then echo "kept $work and $state_root"; else rm -rf "$work" "$state_root"; fi
}
trap cleanup EXIT

clk_tck=$(getconf CLK_TCK)

# cpu_seconds <pid>: utime + stime of a live process.
cpu_seconds() {
  awk -v t="$clk_tck" '{ sub(/^.*\) /, ""); printf "%.3f\n", ($12 + $13) / t }' "/proc/$1/stat"
}

# setup <dir> <n> [server binary]: a cluster with n encrypted-config 7942 phones named as fleet
# names them, imported by the server that will serve it (trees differ in their schema).
setup() {
  local dir=$1 n=$2 bin=${3:-$emu}
  mkdir -p "$dir"
  python3 - "$dir/devices.csv" "$n" "$prefix" <<'PY'
import sys
path, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    f.write("name,product,protocol,profile\n")
    for i in range(n):
        h = format(i, "X")
        name = prefix + "0" * (15 - len(prefix) - len(h)) + h
        f.write(f"{name},Cisco 7942,SCCP,Cisco 7942 - Standard SCCP Encrypted Config\n")
PY
  "$bin" --data-dir "$dir/data" --log-level warn device import "$dir/devices.csv" >"$dir/import.log" 2>&1 || {
    echo "run_boot_storm: device import failed:" >&2
    cat "$dir/import.log" >&2
    exit 2
  }
}

# A 79xx offers only TLS 1.0 (AES128-SHA) to CAPF, which the default floor refuses.
serve_tls=()
[[ $profile == 79xx ]] && serve_tls=(--capf-tls-min 1.0)
# start_server <dir> [label]: serve (ours, or the server of that label) on free loopback ports;
# sets server_pid, tftp_port, http_port, capf_port.
start_server() {
  local dir=$1 label=${2:-ours} i bin extra
  bin=${server_bin[$label]}
  read -r -a extra <<<"${serve_extra[$label]}"
  # The fleet gives each phone its own 127.10.x.y; a fleet older than that sends everything from
  # 127.0.0.1, so the per-address caps are lifted where the server has them.
  local help
  help=$("$bin" serve --help 2>/dev/null || true)
  if [[ $help == *--max-transfers-per-client* ]]; then extra+=(--max-transfers-per-client 4000); fi
  if [[ $help == *--http-max-per-address* ]]; then extra+=(--http-max-per-address 0 --capf-max-per-address 0); fi
  # The storm measures boots to the full config; SIP would also hold 5060/5061.
  if [[ $help == *--no-sip* ]]; then extra+=(--no-sip); fi
  if [[ $help == *--no-admin* ]]; then extra+=(--no-admin); fi  # the admin site: not measured, and 8443 is one port
  "$bin" --data-dir "$dir/data" --log-level warn serve --threads "$threads" "${extra[@]}" \
    --tftp-address 127.0.0.1 --tftp-port 0 --http-address 127.0.0.1 --http-port 0 \
    --capf-address 127.0.0.1 --capf-port 0 --client-rate 1000000 --max-transfers 4000 \
    --exit-after $((max_seconds + 300)) "${serve_tls[@]}" >"$dir/serve.log" 2>&1 &
  server_pid=$!
  for i in $(seq 1 300); do
    if grep -q '^serving' "$dir/serve.log" 2>/dev/null; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "run_boot_storm: cucm-emu serve exited:" >&2
      cat "$dir/serve.log" >&2
      exit 2
    fi
    sleep 0.1
  done
  tftp_port=$(bench_serve_port "$dir/serve.log" tftp udp)
  http_port=$(bench_serve_port "$dir/serve.log" http tcp)
  capf_port=$(bench_serve_port "$dir/serve.log" capf tcp)
  if [[ -z $tftp_port || -z $http_port || -z $capf_port ]]; then
    echo "run_boot_storm: no ports in the serve output:" >&2
    cat "$dir/serve.log" >&2
    exit 2
  fi
  # The config's capfList tells phones where CAPF is; the server reads settings per request.
  "$bin" --data-dir "$dir/data" --log-level warn cluster set capf_port "$capf_port" >/dev/null
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# fleet <dir> <n>: runs the boot storm, output in $dir/fleet.log, its CPU figures in
# $dir/fleet.cpu; returns fleet's status. Fleet first makes every phone's MIC on its main thread,
# then starts its boot threads: the wrapper notes fleet's CPU time when the second thread
# appears, so the client CPU of the storm itself is the total minus that.
fleet() {
  local dir=$1 n=$2
  python3 - "$max_seconds" "$dir/fleet.cpu" "$emu" --data-dir "$dir/data" --log-level error phone fleet \
    "${fleet_no_register[@]}" --count "$n" --concurrency "$concurrency" --server 127.0.0.1 --tftp-port "$tftp_port" \
    --http-port "$http_port" --profile "$profile" --state-dir "$state_root/$(basename "$dir")" >"$dir/fleet.log" 2>&1 <<'PY'
import os, resource, signal, subprocess, sys, time
limit, out, cmd = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
tck = os.sysconf("SC_CLK_TCK")
p = subprocess.Popen(cmd)
start, prepare_cpu, storm_t0 = time.monotonic(), None, None
while p.poll() is None:
    if time.monotonic() - start > limit:
        p.send_signal(signal.SIGINT)
        break
    if prepare_cpu is None:
        try:
            if len(os.listdir(f"/proc/{p.pid}/task")) > 1:
                with open(f"/proc/{p.pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                prepare_cpu, storm_t0 = (int(fields[11]) + int(fields[12])) / tck, time.monotonic()
        except OSError:
            pass
    time.sleep(0.01)
rc = p.wait()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
total = ru.ru_utime + ru.ru_stime
with open(out, "w") as f:
    f.write(f"client_cpu={total:.3f} prepare_cpu={prepare_cpu if prepare_cpu is not None else -1} "
            f"prepare_s={(storm_t0 - start) if storm_t0 else -1:.2f}\n")
sys.exit(rc)
PY
}

# handshake_peer <label>: the floor's handshake. `openssl s_server` with an RSA-2048 certificate,
# no session cache and no tickets (as our CAPF server: a phone never resumes), the phones' TLS
# (88xx: TLS 1.2 or 1.3, which negotiates 1.3; 79xx: TLS 1.0, AES128-SHA), timed by `openssl
# s_time -new` for 4 s, one full handshake at a time on loopback; the s_server's CPU over that
# time / the handshakes goes to $work/peer_<label>.txt. Run at the start and at the end, as
# `openssl speed`, so that other load on the machine shows as a gap between the two.
peer_tls_server=(-min_protocol TLSv1.2)
peer_tls_client=()
if [[ $profile == 79xx ]]; then
  peer_tls_server=(-tls1 -cipher 'AES128-SHA:@SECLEVEL=0')
  peer_tls_client=(-tls1 -cipher 'AES128-SHA:@SECLEVEL=0')
fi
handshake_peer() {
  local label=$1 port=${BOOT_STORM_PEER_PORT:-} c0 c1 proto
  if [[ -z $port ]]; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  fi
  bench_tls_peer_start "$work" "$port" "$work/s_server_$label.log" "${peer_tls_server[@]}"
  peer_pid=$bench_peer_pid
  # One handshake to name the version both ends agree on; not counted.
  proto=$(openssl s_client -connect "127.0.0.1:$port" -brief "${peer_tls_client[@]}" </dev/null 2>&1 |
    sed -n 's/^Protocol version: *//p' | head -n 1)
  echo "== openssl s_time -connect 127.0.0.1:$port -new -time 4${peer_tls_client[*]:+ ${peer_tls_client[*]}}" \
    "(s_server: RSA-2048, -num_tickets 0 -no_cache ${peer_tls_server[*]}; negotiates ${proto:-?})"
  c0=$(cpu_seconds "$peer_pid")
  openssl s_time -connect "127.0.0.1:$port" -new -time 4 "${peer_tls_client[@]}" >"$work/s_time_$label.out" 2>&1 || true
  c1=$(cpu_seconds "$peer_pid")
  bench_tls_peer_stop
  peer_pid=""
  python3 - "$work/s_time_$label.out" "$c0" "$c1" "${proto:-?}" >"$work/peer_$label.txt" <<'PY'
import re, sys
m = re.search(r"(\d+) connections in ([\d.]+)s;", open(sys.argv[1]).read())
print(f"handshakes={m.group(1) if m else 0} seconds={m.group(2) if m else 0} "
      f"server_cpu_s={float(sys.argv[3]) - float(sys.argv[2]):.3f} tls={sys.argv[4].replace(' ', '')}")
PY
  sed 's/^/   /' "$work/peer_$label.txt"
}

# The fleet makes every phone's MIC before its clock starts; time that separately so the
# server's figures cover only the storm. Fleet's own timer starts after that step.
results=$work/results.txt
: >"$results"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# openssl speed runs before and after, so drift from other load shows as a gap between the two.
echo "== openssl speed -seconds 3 rsa2048"
openssl speed -seconds 3 rsa2048 >"$work/speed_before.out" 2>/dev/null
handshake_peer start

# With EMU_ALT the two servers alternate within each N (ours, alt, ours, alt...), so that a change
# in the machine's load during the run falls on both rather than on one.
for n in "${counts[@]}"; do
  for r in $(seq 1 "$runs"); do
    for label in "${labels[@]}"; do
      dir=$work/n${n}_${label}_r$r
      load_now=$(cut -d' ' -f1 /proc/loadavg)
      echo "== N=$n, $label (${server_bin[$label]}), run $r/$runs: import, serve, fleet (concurrency $concurrency," \
        "profile $profile, serve --threads $threads${serve_extra[$label]:+ ${serve_extra[$label]}}; load avg $load_now)"
      setup "$dir" "$n" "${server_bin[$label]}"
      start_server "$dir" "$label"
      cpu0=$(cpu_seconds "$server_pid")
      t0=$(date +%s.%N)
      rc=0
      fleet "$dir" "$n" || rc=$?
      t1=$(date +%s.%N)
      if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run_boot_storm: the server died during the storm:" >&2
        cat "$dir/serve.log" >&2
        exit 2
      fi
      cpu1=$(cpu_seconds "$server_pid")
      hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
      rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")
      stop_server
      sed -n 's/^/   /p' "$dir/fleet.log" | grep -v '^   $' || true
      grep -E '^(tftp|http|capf|cache):' "$dir/serve.log" | grep -v listening | sed 's/^/   server /' || true
      key="n=$n bin=$label run=$r"
      echo "$key rc=$rc cpu0=$cpu0 cpu1=$cpu1 hwm_kb=$hwm rss_kb=$rss $(cat "$dir/fleet.cpu" 2>/dev/null)" \
        "fleet_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') load1=$load_now" >>"$results"
      grep '^fleet:' "$dir/fleet.log" | sed "s/^/$key /" >>"$results" || true
      grep -E '^(tftp|http|capf|cache):' "$dir/serve.log" | grep -v listening | sed "s/^/$key server /" >>"$results" || true
      if [[ ${BOOT_STORM_KEEP:-0} != 1 ]]; then rm -rf "${state_root:?}/$(basename "$dir")"; fi
    done
  done
done

# Profiled pass: perf samples (cpu-clock, DWARF call graphs) of the server (ours) during a storm of
# perf_n phones; a separate run, so that perf's overhead is not in the figures above.
perf_report=""
if (( perf_n > 0 )) && command -v perf >/dev/null; then
  dir=$work/perf
  echo "== profiled pass: N=$perf_n under perf record -p <serve> (cpu-clock, 499 Hz, DWARF call graphs)"
  setup "$dir" "$perf_n"
  start_server "$dir"
  perf record -F 499 --call-graph dwarf,16384 -p "$server_pid" -o "$dir/perf.data" >"$dir/perf.log" 2>&1 &
  perf_pid=$!
  sleep 1
  rc=0
  fleet "$dir" "$perf_n" || rc=$?
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  perf_pid=""
  stop_server
  sed -n 's/^/   /p' "$dir/fleet.log" | grep -v '^   $' || true
  if perf script -i "$dir/perf.data" -F comm,ip,sym >"$dir/perf.txt" 2>/dev/null; then
    perf_report=$dir/perf.txt
  else
    echo "run_boot_storm: perf script failed; no RSA share" >&2
  fi
elif (( perf_n > 0 )); then
  echo "run_boot_storm: perf not found; no RSA share" >&2
fi
handshake_peer end
echo "== openssl speed -seconds 3 rsa2048"
openssl speed -seconds 3 rsa2048 >"$work/speed_after.out" 2>/dev/null
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
echo

bench_machine
echo "load avg: $load_start at the start, $load_end at the end (1, 5, 15 min)"
echo "storm:    concurrency $concurrency, fleet profile $profile, serve --threads $threads, phone state in $(df --output=fstype "$state_root" | tail -n 1)"
for label in "${labels[@]}"; do
  echo "server:   $label = ${server_bin[$label]} (serve --build-threads: ${build_threads_note[$label]})"
done
if (( ${#labels[@]} > 1 )); then echo "phones:   ours ($emu phone fleet) for every server"; fi

python3 "$here/boot_storm_report.py" --peer "$work/peer_start.txt" --peer "$work/peer_end.txt" \
  "$work/speed_before.out" "$work/speed_after.out" "$results" "$perf_report"
exit 0
