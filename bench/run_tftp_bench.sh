#!/usr/bin/env bash
# Serves the same files from `cucm-emu serve`, tftpd-hpa, atftpd and nginx on loopback high
# ports, loads them with tftp_loadgen (TFTP) and wrk (HTTP), and prints files/s, MB/s, requests/s
# and server CPU per file as medians of RUNS runs, with the ratios to the targets of the issue.
# A report, not a test: it exits 0 whatever the figures are, 2 when a tool is missing or a server
# does not start. Every server it starts is stopped on exit (trap), and a watchdog stops them
# after MAX_SECONDS even if this script is killed with SIGKILL.
#
# usage: bench/run_tftp_bench.sh [build-dir]     (build-dir defaults to build-bench)
#   env: RUNS=3 DURATION=5 SCENARIOS="tftp10k tftp1pin tftp2m http dynamic" CUCM_THREADS="1 2" WRK_THREADS=2
#        PORT_BASE=17000 MAX_SECONDS=3600 PEERS_DIR=/opt/cucm-bench-peers KEEP=1 (keep the temp dir)
#        EMU_ALT=/path/to/another/cucm-emu: also runs that build as cucm-alt-tN (an A/B of a change;
#        every scenario but "dynamic")
# Peers: bench/bootstrap_peers.sh installs them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build_dir=${1:-build-bench}
RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
SCENARIOS=${SCENARIOS:-tftp10k tftp1pin tftp2m http dynamic}
CUCM_THREADS=${CUCM_THREADS:-1 2}
PORT_BASE=${PORT_BASE:-17000}
MAX_SECONDS=${MAX_SECONDS:-3600}
PEERS_DIR=${PEERS_DIR:-/opt/cucm-bench-peers}

emu=$build_dir/app/cucm-emu
loadgen=$build_dir/bench/tftp_loadgen
atftpd=$PEERS_DIR/usr/sbin/atftpd
for f in "$emu" "$loadgen"; do
  [[ -x $f ]] || { echo "run_tftp_bench: $f not found (ninja -C $build_dir cucm-emu tftp_loadgen)" >&2; exit 2; }
done
[[ -x $atftpd ]] || { echo "run_tftp_bench: $atftpd not found (bench/bootstrap_peers.sh)" >&2; exit 2; }
for tool in in.tftpd nginx wrk perf python3 openssl curl; do
  command -v "$tool" >/dev/null || { echo "run_tftp_bench: $tool not found (bench/bootstrap_peers.sh)" >&2; exit 2; }
done
if ! [[ $DURATION =~ ^[1-9][0-9]*$ && $DURATION -le 300 ]]; then
  echo "run_tftp_bench: DURATION must be 1..300 s (wrk takes whole seconds)" >&2
  exit 2
fi
[[ $RUNS =~ ^[1-9][0-9]*$ && $RUNS -le 20 ]] || { echo "run_tftp_bench: RUNS must be 1..20" >&2; exit 2; }
[[ -z ${EMU_ALT:-} || -x $EMU_ALT ]] || { echo "run_tftp_bench: EMU_ALT=$EMU_ALT is not executable" >&2; exit 2; }

tmp=$(mktemp -d /tmp/cucm-tftp-bench.XXXXXX)
chmod 755 "$tmp"  # tftpd-hpa, atftpd and nginx workers drop to an unprivileged user
# Copies, so a rebuild of the build directory during the run changes nothing.
mkdir -p "$tmp/bin"
cp "$emu" "$loadgen" "$tmp/bin/"
emu=$tmp/bin/cucm-emu
loadgen=$tmp/bin/tftp_loadgen
emu_alt=
if [[ -n ${EMU_ALT:-} ]]; then
  cp "$EMU_ALT" "$tmp/bin/cucm-emu-alt"
  emu_alt=$tmp/bin/cucm-emu-alt
fi
static=$tmp/static
results=$tmp/results.jsonl
mkdir -p "$static" "$tmp/logs"
declare -A pid=()   # server name -> pid
watchdog=

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for name in "${!pid[@]}"; do kill -TERM "${pid[$name]}" 2>/dev/null || true; done
  for name in "${!pid[@]}"; do
    for _ in $(seq 1 30); do kill -0 "${pid[$name]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pid[$name]}" 2>/dev/null || true
  done
  [[ -n $watchdog ]] && kill "$watchdog" 2>/dev/null || true
  [[ -n ${perf_pid:-} ]] && kill -INT "$perf_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Server CPU time over a measurement, two ways:
# - perf stat -e task-clock attached to the server's process and its live descendants, with
#   inheritance (the default), so processes forked during the run are counted when they exit.
#   This is the figure reported: tftpd-hpa forks one child per transfer and ignores SIGCHLD, so
#   its children are reaped by the kernel and never reach the parent's cutime/cstime.
# - /proc/<pid>/stat utime+stime+cutime+cstime summed over the same tree, as a cross-check (exact
#   for the threaded servers, cucm-emu and atftpd, and for nginx's workers; blind to tftpd-hpa's
#   children, see above).
tree_pids() {
  local p kids
  local -a todo=("$1") out=()
  while ((${#todo[@]})); do
    p=${todo[-1]}
    unset 'todo[-1]'
    [[ -r /proc/$p/stat ]] || continue
    out+=("$p")
    kids=$(cat /proc/"$p"/task/*/children 2>/dev/null || true)
    for k in $kids; do todo+=("$k"); done
  done
  echo "${out[*]}"
}
tree_ticks() {
  local total=0 p stat f
  for p in $(tree_pids "$1"); do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    read -r -a f <<<"$stat"
    total=$((total + f[11] + f[12] + f[13] + f[14]))
  done
  echo "$total"
}
perf_pid=
perf_out=$tmp/perf.csv
ticks_before=0 cpu_perf_ms=0 cpu_proc_ms=0
cpu_begin() {  # cpu_begin PID: starts perf, notes the /proc ticks
  local pids
  pids=$(tree_pids "$1")
  perf stat -x, -e task-clock -p "${pids// /,}" -o "$perf_out" >/dev/null 2>&1 &
  perf_pid=$!
  sleep 0.2  # perf attaches before the load starts
  ticks_before=$(tree_ticks "$1")
}
cpu_end() {  # cpu_end PID: sets cpu_perf_ms and cpu_proc_ms
  local after
  sleep 0.3  # transfers cut off at the deadline end; tftpd-hpa's children exit
  after=$(tree_ticks "$1")
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  perf_pid=
  cpu_perf_ms=$(awk -F, '$3 ~ /task-clock/ {print $1; exit}' "$perf_out" 2>/dev/null)
  cpu_perf_ms=${cpu_perf_ms:-0}
  cpu_proc_ms=$(((after - ticks_before) * 1000 / clk_tck))
}

# --- the files ------------------------------------------------------------------------------
head -c 10240 /dev/urandom >"$static/cfg10k.bin"     # a signed config's size
head -c 2097152 /dev/urandom >"$static/fw2m.bin"     # a firmware load
clk_tck=$(getconf CLK_TCK)
data=$tmp/data
cli() { "$emu" --log-level warn --data-dir "$data" "$@" >>"$tmp/logs/setup.log" 2>&1; }
cli pki init
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/phone.key" -out "$tmp/phone.pem" \
  -subj "/CN=SEP001122334455" -days 30 2>/dev/null
# An encrypted-config phone with a recorded LSC: its partial .sgn is about 0.9 KB.
cli device add SEP001122334455 --product "Cisco 8845" --protocol SIP \
  --profile "Cisco 8845 - Standard SIP Encrypted Config" --line 1001,Bench
cli device cert SEP001122334455 --cert "$tmp/phone.pem"
# A SIP phone whose full signed config is about 10 KB: 24 lines.
lines=()
for i in $(seq 1 24); do lines+=(--line "$((2000 + i)),Bench line $i with a long display name,auth$i,secret$i"); done
cli device add SEP0011223344AA --product "Cisco 8845" --protocol SIP \
  --profile "Cisco 8845 - Standard SIP Non-Secure Profile" "${lines[@]}"
chmod -R a+rX "$static"

# --- the servers ----------------------------------------------------------------------------
declare -A tftp_port=() http_port=()
start_cucm() {  # start_cucm NAME THREADS OFFSET BINARY
  local name=$1 threads=$2 off=$3 bin=$4 dir=$tmp/data-$1 per_client=()
  cp -a "$data" "$dir"  # each instance its own database: the event writers do not contend
  # Every load generator client comes from 127.0.0.1: lift the per-address cap where there is one.
  local help
  help=$("$bin" serve --help 2>/dev/null || true)
  if [[ $help == *--max-transfers-per-client* ]]; then per_client+=(--max-transfers-per-client 100000); fi
  if [[ $help == *--http-max-per-address* ]]; then per_client+=(--http-max-per-address 0); fi
  tftp_port[$name]=$((PORT_BASE + off + 69))
  http_port[$name]=$((PORT_BASE + off + 70))
  "$bin" --log-level warn --data-dir "$dir" serve --threads "$threads" \
    --tftp-address 127.0.0.1 --tftp-port "${tftp_port[$name]}" \
    --http-address 127.0.0.1 --http-port "${http_port[$name]}" --static-dir "$static" \
    --client-rate 1000000000 --max-transfers 100000 --max-connections 100000 "${per_client[@]}" \
    --exit-after "$MAX_SECONDS" "${serve_extra[@]}" >"$tmp/logs/$name.log" 2>&1 &
  pid[$name]=$!
}
# Newer builds also serve CAPF (TLS 3804 on 0.0.0.0 by default): not measured here, so off.
serve_extra=()
if "$emu" serve --help 2>/dev/null | grep -q -- --no-capf; then serve_extra+=(--no-capf); fi
if "$emu" serve --help 2>/dev/null | grep -q -- --no-admin; then serve_extra+=(--no-admin); fi
cucm_names=()
off=0
for t in $CUCM_THREADS; do start_cucm "cucm-t$t" "$t" "$off" "$emu"; cucm_names+=("cucm-t$t"); off=$((off + 100)); done
dynamic_names=("${cucm_names[@]}")
if [[ -n $emu_alt ]]; then
  for t in $CUCM_THREADS; do
    start_cucm "cucm-alt-t$t" "$t" "$off" "$emu_alt"
    cucm_names+=("cucm-alt-t$t")
    off=$((off + 100))
  done
fi

tftp_user=tftp; id tftp >/dev/null 2>&1 || tftp_user=nobody
tftp_port[tftpd-hpa]=$((PORT_BASE + 79))
/usr/sbin/in.tftpd -L -u "$tftp_user" -s "$static" -a "127.0.0.1:${tftp_port[tftpd-hpa]}" \
  >"$tmp/logs/tftpd-hpa.log" 2>&1 &
pid[tftpd-hpa]=$!

# --no-fork keeps it a child of ours; --maxthread above the 128 clients (the default, 100, would
# refuse some). At its default verbosity it logs one line per request; the file is made for it
# because it opens it after dropping to nobody (else it falls back to syslog).
tftp_port[atftpd]=$((PORT_BASE + 89))
touch "$tmp/logs/atftpd.file.log"
chown nobody "$tmp/logs/atftpd.file.log" 2>/dev/null || chmod 666 "$tmp/logs/atftpd.file.log"
"$atftpd" --daemon --no-fork --port "${tftp_port[atftpd]}" --bind-address 127.0.0.1 \
  --maxthread 512 --user nobody --group nogroup --logfile "$tmp/logs/atftpd.file.log" "$static" \
  >"$tmp/logs/atftpd.log" 2>&1 &
pid[atftpd]=$!

http_port[nginx]=$((PORT_BASE + 80))
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/logs/nginx.error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:${http_port[nginx]};
    root $static;
  }
}
EOF
nginx -e "$tmp/logs/nginx.error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" >"$tmp/logs/nginx.log" 2>&1 &
pid[nginx]=$!

# The watchdog: a bound on the whole run even if the trap never runs.
(
  sleep "$MAX_SECONDS"
  for p in "${pid[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
) >/dev/null 2>&1 &
watchdog=$!

# Ready checks: one TFTP transfer, one HTTP GET, 50 tries 0.1 s apart.
ready() {
  for _ in $(seq 1 50); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}
for name in "${cucm_names[@]}" tftpd-hpa atftpd; do
  if ! ready "$loadgen" --server "127.0.0.1:${tftp_port[$name]}" --file cfg10k.bin \
    --expect "$static/cfg10k.bin" --files 1 --timeout-ms 100 --retries 2 --max-seconds 2; then
    echo "run_tftp_bench: $name did not serve TFTP on port ${tftp_port[$name]}; its log:" >&2
    cat "$tmp/logs/$name.log" >&2
    exit 2
  fi
done
for name in "${cucm_names[@]}" nginx; do
  if ! ready curl -sf -o /dev/null "http://127.0.0.1:${http_port[$name]}/cfg10k.bin"; then
    echo "run_tftp_bench: $name did not serve HTTP on port ${http_port[$name]}" >&2
    cat "$tmp/logs/$name.log" "$tmp/logs/nginx.error.log" 2>/dev/null >&2 || true
    exit 2
  fi
done

# The dynamic files, fetched once from the catalog and copied byte for byte into the static
# directory under a name the catalog treats as a plain file.
# Each instance signs its own copy, so each gets its own static copy.
for name in "${cucm_names[@]}"; do
  for dev in SEP001122334455 SEP0011223344AA; do
    curl -sf -o "$static/static-$name-$dev.cnf.xml.sgn" "http://127.0.0.1:${http_port[$name]}/$dev.cnf.xml.sgn"
  done
done
chmod a+r "$static"/static-*
first=${cucm_names[0]}
echo "files: cfg10k.bin 10240 B, fw2m.bin 2097152 B, SEP0011223344AA.cnf.xml.sgn" \
  "$(stat -c %s "$static/static-$first-SEP0011223344AA.cnf.xml.sgn") B (full, signed)," \
  "SEP001122334455.cnf.xml.sgn $(stat -c %s "$static/static-$first-SEP001122334455.cnf.xml.sgn") B (partial, signed)"
echo "servers: ${cucm_names[*]} (cucm-emu serve --threads N), tftpd-hpa $(dpkg-query -W -f '${Version}' tftpd-hpa)," \
  "atftpd $("$atftpd" -V 2>&1 | head -n 1 | awk '{print $1}'), nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')," \
  "wrk $(dpkg-query -W -f '${Version}' wrk)"

# Warm-up: every cache (page cache, catalog cache, nginx open files) sees every file once.
for name in "${cucm_names[@]}" tftpd-hpa atftpd; do
  for f in cfg10k.bin fw2m.bin; do
    "$loadgen" --server "127.0.0.1:${tftp_port[$name]}" --file "$f" --expect "$static/$f" --clients 4 \
      --files 40 --blksize 1428 >/dev/null || true
  done
done
for name in "${cucm_names[@]}"; do
  for f in SEP001122334455.cnf.xml.sgn SEP0011223344AA.cnf.xml.sgn static-"$name"-SEP001122334455.cnf.xml.sgn \
    static-"$name"-SEP0011223344AA.cnf.xml.sgn; do
    curl -sf -o /dev/null "http://127.0.0.1:${http_port[$name]}/$f"
  done
done

# --- measurements ---------------------------------------------------------------------------
load() { cut -d' ' -f1 /proc/loadavg; }

# tftp_run SCENARIO SERVER FILE REFERENCE CLIENTS BLKSIZE WINDOWSIZE RUN [PLACEMENT]
# PLACEMENT (one client only): "cross" runs the server on CPU 0 and the load generator on CPU 1,
# "same" both on CPU 0. Unpinned, a lone client's files/s mostly measures where the scheduler
# happens to put the two ends: on this VM a wake-up across vCPUs costs tens of µs (an idle vCPU
# halts and the host must resume it), so the same server does 3× more files/s when it shares the
# client's CPU. Pinned, every server gets the same placement.
tftp_run() {
  local sc=$1 srv=$2 file=$3 ref=$4 c=$5 b=$6 w=$7 run=$8 placement=${9:-} out la client_cpu=() p
  if [[ -n $placement ]]; then
    for p in $(tree_pids "${pid[$srv]}"); do taskset -a -p -c 0 "$p" >/dev/null 2>&1 || true; done
    client_cpu=(taskset -c "$([[ $placement == same ]] && echo 0 || echo 1)")
  fi
  la=$(load)
  cpu_begin "${pid[$srv]}"
  out=$("${client_cpu[@]}" "$loadgen" --server "127.0.0.1:${tftp_port[$srv]}" --file "$file" --expect "$ref" \
    --clients "$c" --duration "$DURATION" --blksize "$b" --windowsize "$w") || true
  cpu_end "${pid[$srv]}"
  if [[ -n $placement ]]; then
    for p in $(tree_pids "${pid[$srv]}"); do taskset -a -p -c "0-$(($(nproc) - 1))" "$p" >/dev/null 2>&1 || true; done
  fi
  [[ -n $out ]] || out='{"files":0,"errors":-1}'
  python3 - "$sc" "$srv" "$run" "$la" "$cpu_perf_ms" "$cpu_proc_ms" "$out" "$placement" >>"$results" <<'PY'
import json, sys
sc, srv, run, la, perf_ms, proc_ms, out, placement = sys.argv[1:]
row = {"scenario": sc, "server": srv, "run": int(run), "load": float(la),
       "cpu_s": float(perf_ms) / 1e3, "proc_cpu_s": float(proc_ms) / 1e3, "lg": json.loads(out)}
if placement:
    row["placement"] = placement
print(json.dumps(row))
PY
  show "$(printf '%-8s %-10s %-42s c=%-3s b=%-4s w=%s%s run %s' "$sc" "$srv" "$file" "$c" "$b" "$w" \
    "${placement:+ $placement}" "$run")"
}

# show LABEL: the last result in one line
show() {
  tail -n 1 "$results" | python3 -c '
import json, sys
d = json.load(sys.stdin); lg = d["lg"]
rate = "%s files/s, %s MB/s" % (lg.get("files_per_s"), lg.get("mb_per_s")) if "files_per_s" in lg else "%s req/s" % lg.get("rps")
print("  %s: %s, errors %s, server CPU %.2f s (proc %.2f s)" % (sys.argv[1], rate, lg.get("errors"), d["cpu_s"], d["proc_cpu_s"]))' "$1"
}

# http_run SCENARIO SERVER FILE CONNECTIONS MODE RUN  (MODE: keepalive or close)
http_run() {
  local sc=$1 srv=$2 file=$3 c=$4 mode=$5 run=$6 out la threads=${WRK_THREADS:-2} hdr=()
  ((c < 2)) && threads=1
  [[ $mode == close ]] && hdr=(-H "Connection: close")
  la=$(load)
  cpu_begin "${pid[$srv]}"
  out=$(wrk -t"$threads" -c"$c" -d"${DURATION}s" --timeout 5s "${hdr[@]}" \
    "http://127.0.0.1:${http_port[$srv]}/$file" 2>&1) || true
  cpu_end "${pid[$srv]}"
  python3 - "$sc" "$srv" "$file" "$c" "$mode" "$run" "$la" "$cpu_perf_ms" "$cpu_proc_ms" "$out" >>"$results" <<'PY'
import json, re, sys
sc, srv, f, c, mode, run, la, perf_ms, proc_ms, out = sys.argv[1:]
m = re.search(r"(\d+) requests in ([\d.]+)s", out)
rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
err = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
errors = (sum(int(x) for x in err.groups()) if err else 0) + (int(non2xx.group(1)) if non2xx else 0)
print(json.dumps({"scenario": sc, "server": srv, "run": int(run), "load": float(la),
                  "cpu_s": float(perf_ms) / 1e3, "proc_cpu_s": float(proc_ms) / 1e3,
                  "lg": {"file": f, "clients": int(c), "mode": mode, "requests": int(m.group(1)) if m else 0,
                         "elapsed_s": float(m.group(2)) if m else 0, "rps": float(rps.group(1)) if rps else 0,
                         "errors": errors, "socket_errors": err.group(0) if err else "",
                         "raw": out if not rps else ""}}))
PY
  show "$(printf '%-8s %-10s %-42s c=%-3s %-9s run %s' "$sc" "$srv" "$file" "$c" "$mode" "$run")"
}

echo "tree: $(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1);" \
  "load $(load) at start; RUNS=$RUNS DURATION=${DURATION}s"
tftp_servers=("${cucm_names[@]}" tftpd-hpa atftpd)
http_servers=("${cucm_names[@]}" nginx)
for run in $(seq 1 "$RUNS"); do
  echo "== run $run of $RUNS (load $(load))"
  # The server order rotates with each run, so a slow spell of other load does not always hit
  # the same server.
  rot=$((run % ${#tftp_servers[@]}))
  ts=("${tftp_servers[@]:rot}" "${tftp_servers[@]:0:rot}")
  rot=$((run % ${#http_servers[@]}))
  hs=("${http_servers[@]:rot}" "${http_servers[@]:0:rot}")
  if [[ " $SCENARIOS " == *" tftp10k "* ]]; then
    for b in 512 1428; do
      for c in 1 16 128; do
        for s in "${ts[@]}"; do tftp_run tftp10k "$s" cfg10k.bin "$static/cfg10k.bin" "$c" "$b" 0 "$run"; done
      done
    done
  fi
  if [[ " $SCENARIOS " == *" tftp1pin "* ]] && (($(nproc) >= 2)) && command -v taskset >/dev/null; then
    for placement in cross same; do
      for b in 512 1428; do
        for s in "${ts[@]}"; do
          tftp_run tftp1pin "$s" cfg10k.bin "$static/cfg10k.bin" 1 "$b" 0 "$run" "$placement"
        done
      done
    done
  fi
  if [[ " $SCENARIOS " == *" tftp2m "* ]]; then
    for w in 0 8; do
      for s in "${ts[@]}"; do tftp_run tftp2m "$s" fw2m.bin "$static/fw2m.bin" 8 1428 "$w" "$run"; done
    done
  fi
  if [[ " $SCENARIOS " == *" http "* ]]; then
    for mode in keepalive close; do
      for c in 1 16 128; do
        for s in "${hs[@]}"; do http_run http "$s" cfg10k.bin "$c" "$mode" "$run"; done
      done
    done
  fi
  if [[ " $SCENARIOS " == *" dynamic "* ]]; then
    for s in "${dynamic_names[@]}"; do
      for dev in SEP0011223344AA SEP001122334455; do
        for f in "$dev.cnf.xml.sgn" "static-$s-$dev.cnf.xml.sgn"; do
          tftp_run dynamic "$s" "$f" "$static/static-$s-$dev.cnf.xml.sgn" 128 512 0 "$run"
          for mode in keepalive close; do http_run dynamic "$s" "$f" 128 "$mode" "$run"; done
        done
      done
    done
  fi
done
echo "load $(load) at the end"
echo
python3 "$here/tftp_bench_report.py" "$results"
cp "$results" "${RESULTS_OUT:-/tmp/tftp_bench_results.jsonl}"
echo "raw results: ${RESULTS_OUT:-/tmp/tftp_bench_results.jsonl}"
