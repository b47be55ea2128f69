#!/usr/bin/env bash
# The admin site (issue 22), two measurements against `cucm-emu serve` on 127.0.0.1:
#
# 1. API reads/s. A data folder with N devices (default 10,000, `device import` of a generated
#    CSV), a bearer token (`admin passwd --password-stdin`, `admin token create`), serve with the
#    admin site and TFTP only (on a free port), and wrk (HTTPS, keep-alive, `Authorization:
#    Bearer ...`) reading `GET /api/v1/devices?offset=K&limit=100`, K rotating over every page
#    (web_pages.lua), at 1, 8 and 32 connections. The peer, in the same run and rounds: nginx
#    with the same certificate and key (DATA/pki/tomcat.pem, tomcat.key) serving the same page's
#    JSON bytes (fetched from our API with curl) as a static file at the same path, the same wrk
#    command. Prints requests/s for both, ours/nginx, and each server's CPU per request
#    (utime+stime of the server and its processes, from /proc, before and after each wrk run).
# 2. The event stream's delay under a boot storm. M phones (default 1,000) of the SCCP 7942
#    encrypted-config profile boot (`phone fleet`, bounded concurrency) through TFTP, HTTP and
#    CAPF while web_event_client.py reads `/api/v1/events/stream` with the token; for each event,
#    delay = receive time - the event's "time" (both UTC ms). Prints count, p50/p90/p99/max, and
#    the count `cucm-emu events` shows for the same window. The limit it is held to: the event
#    writer commits a batch at most every 200 ms (db/event_writer.cpp), so an event waits up to
#    200 ms before any reader can see it.
#
# A report, not a test: it exits 0 whatever the figures, 2 when a tool is missing or a step fails.
# Everything listens on 127.0.0.1; every server is stopped on exit and the temporary folders go.
#
# usage: bench/run_web_bench.sh [build-dir]       (default build; needs app/cucm-emu)
# environment (optional):
#   WEB_BENCH_PARTS="reads stream"   which measurements
#   WEB_BENCH_DEVICES=10000          devices in the reads' data folder (100..100000)
#   WEB_BENCH_CONNECTIONS="1 8 32"   wrk connections (wrk threads: min(C, WEB_BENCH_WRK_THREADS))
#   WEB_BENCH_WRK_THREADS=2
#   WEB_BENCH_DURATION=5             seconds per wrk run (1..60)
#   WEB_BENCH_RUNS=3                 rounds; each runs ours and nginx at every C, the order
#                                    alternating from round to round; medians are printed
#   WEB_BENCH_STORM=1000             phones in the storm (1..20000)
#   WEB_BENCH_STORM_CONCURRENCY=50   phones booting at once
#   WEB_BENCH_MAX_SECONDS=600        bound on the storm's fleet run; servers exit after it + 300 s
#   WEB_BENCH_KEEP=1                 keep the temporary folder (printed)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

build_dir=${1:-build}
emu=$build_dir/app/cucm-emu
parts=${WEB_BENCH_PARTS:-"reads stream"}
devices=${WEB_BENCH_DEVICES:-10000}
connections=${WEB_BENCH_CONNECTIONS:-"1 8 32"}
wrk_threads=${WEB_BENCH_WRK_THREADS:-2}
duration=${WEB_BENCH_DURATION:-5}
runs=${WEB_BENCH_RUNS:-3}
storm=${WEB_BENCH_STORM:-1000}
storm_concurrency=${WEB_BENCH_STORM_CONCURRENCY:-50}
max_seconds=${WEB_BENCH_MAX_SECONDS:-600}

if [[ ! -x $emu ]]; then
  echo "run_web_bench: $emu not found (ninja -C $build_dir cucm-emu)" >&2
  exit 2
fi
bench_need_tools run_web_bench python3 curl openssl
if [[ $parts == *reads* ]]; then bench_need_tools run_web_bench wrk nginx; fi
number_in() {  # number_in NAME VALUE LOW HIGH
  if ! [[ $2 =~ ^[0-9]+$ ]] || (($2 < $3 || $2 > $4)); then
    echo "run_web_bench: $1 must be $3..$4, got '$2'" >&2
    exit 2
  fi
}
number_in WEB_BENCH_DEVICES "$devices" 100 100000
number_in WEB_BENCH_WRK_THREADS "$wrk_threads" 1 16
number_in WEB_BENCH_DURATION "$duration" 1 60
number_in WEB_BENCH_RUNS "$runs" 1 20
number_in WEB_BENCH_STORM "$storm" 1 20000
number_in WEB_BENCH_STORM_CONCURRENCY "$storm_concurrency" 1 500
number_in WEB_BENCH_MAX_SECONDS "$max_seconds" 10 3600
for c in $connections; do number_in "a connection count" "$c" 1 256; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cucm-web-bench.XXXXXX")
chmod 755 "$tmp"  # nginx's workers drop to an unprivileged user when started as root
phones=$(mktemp -d /dev/shm/cucm-web-bench-phones.XXXXXX 2>/dev/null || mktemp -d "$tmp/phones.XXXXXX")
server_pid="" nginx_pid="" client_pid=""
stop_pid() {  # stop_pid PID: TERM, wait up to 5 s, then KILL
  local p=$1
  [[ -n $p ]] || return 0
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  stop_pid "$client_pid"
  stop_pid "$nginx_pid"
  stop_pid "$server_pid"
  if [[ ${WEB_BENCH_KEEP:-0} == 1 ]]; then echo "kept $tmp and $phones"; else rm -rf "$tmp" "$phones"; fi
}
trap cleanup EXIT

hz=$(getconf CLK_TCK)
# tree_ticks PID: utime+stime+cutime+cstime of PID and its live descendants (nginx's workers).
tree_ticks() {
  local total=0 p stat f kids
  local -a todo=("$1")
  while ((${#todo[@]})); do
    p=${todo[-1]}
    unset 'todo[-1]'
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    read -r -a f <<<"$stat"
    total=$((total + f[11] + f[12] + f[13] + f[14]))
    kids=$(cat /proc/"$p"/task/*/children 2>/dev/null || true)
    for k in $kids; do todo+=("$k"); done
  done
  echo "$total"
}

# make_data DIR N PROFILE: a data folder with N devices named as `phone fleet` names them
# (SEPF1 + 10 hex digits), a password and a bearer token in DIR/token.
make_data() {
  local dir=$1 n=$2 profile=$3
  mkdir -p "$dir"
  python3 - "$n" "$profile" >"$dir/devices.csv" <<'PY'
import sys
n, profile = int(sys.argv[1]), sys.argv[2]
print("name,product,protocol,profile")
for i in range(n):
    print(f"SEPF1{i:010X},Cisco 7942,SCCP,{profile}")
PY
  bench_run run_web_bench "$dir" import "$emu" --data-dir "$dir/data" --log-level warn device import "$dir/devices.csv"
  # A random password: the benchmark logs in with the token only.
  python3 -c 'import secrets; print(secrets.token_urlsafe(18))' >"$dir/password"
  echo "== $emu --data-dir $dir/data admin passwd --password-stdin < $dir/password"
  "$emu" --data-dir "$dir/data" --log-level warn admin passwd --password-stdin <"$dir/password" >"$dir/passwd.log" 2>&1 || {
    echo "run_web_bench: admin passwd failed:" >&2
    cat "$dir/passwd.log" >&2
    exit 2
  }
  bench_run run_web_bench "$dir" token "$emu" --data-dir "$dir/data" --log-level warn admin token create --name web-bench
  tr -d '\n' <"$dir/token.out" >"$dir/token"
  [[ -s $dir/token ]] || { echo "run_web_bench: admin token create printed no token" >&2; exit 2; }
}

# start_server DIR ADMIN_PORT ARGS...: serve in the background (server_pid), up when it says "serving".
start_server() {
  local dir=$1 port=$2
  shift 2
  echo "== $emu --data-dir $dir/data serve --admin-port $port $* --exit-after $((max_seconds + 300))"
  "$emu" --data-dir "$dir/data" --log-level warn serve --admin-address 127.0.0.1 --admin-port "$port" "$@" \
    --exit-after $((max_seconds + 300)) >"$dir/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if grep -q '^serving' "$dir/serve.log" 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "run_web_bench: cucm-emu serve did not start:" >&2
  cat "$dir/serve.log" >&2
  exit 2
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
reads_results=$tmp/reads.jsonl
stream_result=$tmp/stream.json
: >"$reads_results"

# ---------------------------------------------------------------------------------------------
# 1. API reads against nginx
if [[ $parts == *reads* ]]; then
  dir=$tmp/reads
  echo "== reads: $devices devices (Cisco 7942, SCCP, Standard SCCP Non-Secure Profile)"
  make_data "$dir" "$devices" "Cisco 7942 - Standard SCCP Non-Secure Profile"
  ours_port=$(bench_free_port)
  start_server "$dir" "$ours_port" --threads 1 --tftp-address 127.0.0.1 --tftp-port 0 \
    --no-http --no-https --no-capf --no-tvs --no-sip
  ours_pid=$server_pid
  token=$(<"$dir/token")
  pki=$dir/data/pki
  [[ -s $pki/tomcat.pem && -s $pki/tomcat.key ]] || { echo "run_web_bench: serve made no $pki/tomcat.pem" >&2; exit 2; }
  page_url="https://127.0.0.1:$ours_port/api/v1/devices?offset=0&limit=100"
  mkdir -p "$dir/www/api/v1"
  code=$(curl -sk -H "Authorization: Bearer $token" -o "$dir/www/api/v1/devices" \
    -w '%{http_code}' "$page_url") || true
  if [[ $code != 200 ]]; then
    echo "run_web_bench: GET $page_url answered ${code:-nothing}:" >&2
    cat "$dir/www/api/v1/devices" >&2 || true
    exit 2
  fi
  chmod -R a+rX "$dir/www" "$dir"
  page_bytes=$(stat -c %s "$dir/www/api/v1/devices")
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d["devices"]) == 100 and d["total"] == int(sys.argv[2]), d.get("total")' \
    "$dir/www/api/v1/devices" "$devices" || { echo "run_web_bench: the page is not 100 of $devices devices" >&2; exit 2; }

  nginx_port=$(bench_free_port)
  mkdir -p "$dir/nginx"
  # As the TFTP/HTTP bench's nginx (access_log off, sendfile, keep-alive without a request cap),
  # with TLS; 2 workers as the admin site's 2 threads (web::WebConfig::threads).
  cat >"$dir/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $pki/tomcat.pem;
    ssl_certificate_key $pki/tomcat.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $dir/www;
    default_type application/json;
  }
}
EOF
  echo "== nginx -c $dir/nginx/nginx.conf (127.0.0.1:$nginx_port, TLS with $pki/tomcat.pem, $dir/www/api/v1/devices: $page_bytes bytes)"
  nginx -e "$dir/nginx/error.log" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" >"$dir/nginx/out.log" 2>&1 &
  nginx_pid=$!
  ok=0
  for _ in $(seq 1 50); do
    if curl -sfk -o "$dir/nginx_page.json" "https://127.0.0.1:$nginx_port/api/v1/devices?offset=100&limit=100"; then ok=1; break; fi
    sleep 0.1
  done
  if ((ok == 0)) || ! cmp -s "$dir/nginx_page.json" "$dir/www/api/v1/devices"; then
    echo "run_web_bench: nginx does not serve the page:" >&2
    cat "$dir/nginx/error.log" "$dir/nginx/out.log" >&2 || true
    exit 2
  fi
  declare -A srv_port=([ours]=$ours_port [nginx]=$nginx_port) srv_pid=([ours]=$ours_pid [nginx]=$nginx_pid)
  for s in ours nginx; do
    proto=$(openssl s_client -connect "127.0.0.1:${srv_port[$s]}" -brief </dev/null 2>&1 |
      sed -n 's/^Ciphersuite: *//p;s/^Protocol version: *//p' | paste -sd' ' || true)
    echo "   $s on 127.0.0.1:${srv_port[$s]}: $proto"
  done
  pages=$((devices / 100))
  lua=$here/web_pages.lua
  # wrk_run SERVER C SECONDS ROUND: one wrk run; a JSON line when ROUND > 0.
  wrk_run() {
    local s=$1 c=$2 secs=$3 round=$4 t t0 t1 out
    t=$((c < wrk_threads ? c : wrk_threads))
    out=$dir/wrk_${s}_c${c}_r${round}.txt
    t0=$(tree_ticks "${srv_pid[$s]}")
    WEB_BENCH_PAGES=$pages wrk -t"$t" -c"$c" -d"${secs}s" --latency -s "$lua" -H "Authorization: Bearer $token" \
      "https://127.0.0.1:${srv_port[$s]}" >"$out" 2>&1 || true
    t1=$(tree_ticks "${srv_pid[$s]}")
    kill -0 "${srv_pid[$s]}" 2>/dev/null || { echo "run_web_bench: $s died during wrk" >&2; exit 2; }
    ((round > 0)) || return 0
    python3 - "$s" "$c" "$t" "$round" "$((t1 - t0))" "$hz" "$out" >>"$reads_results" <<'PY'
import json, re, sys
s, c, t, r, ticks, hz, path = sys.argv[1:8]
text = open(path).read()
def num(pattern, default=0.0):
    m = re.search(pattern, text)
    return float(m.group(1)) if m else default
def ms(pattern):
    m = re.search(pattern + r"\s+([\d.]+)(us|ms|s)\b", text)
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(json.dumps({"server": s, "connections": int(c), "wrk_threads": int(t), "round": int(r),
                  "requests": int(num(r"(\d+) requests in")), "seconds": num(r"requests in ([\d.]+)s"),
                  "rps": num(r"Requests/sec:\s+([\d.]+)"), "non2xx": int(num(r"Non-2xx or 3xx responses: (\d+)")),
                  "socket_errors": sum(map(int, errors.groups())) if errors else 0,
                  "p50_ms": ms(r"\n\s+50%"), "p99_ms": ms(r"\n\s+99%"),
                  "server_cpu_s": int(ticks) / int(hz)}))
PY
  }
  echo "== warm-up: 1 s of wrk at 8 connections on each (not counted)"
  for s in ours nginx; do wrk_run "$s" 8 1 0; done
  echo "== $runs rounds: wrk -t min(C,$wrk_threads) -cC -d${duration}s --latency -s $lua -H 'Authorization: Bearer <token>'" \
    "https://127.0.0.1:PORT, C in $connections; pages offset=0..$(((pages - 1) * 100)) step 100, limit=100"
  for r in $(seq 1 "$runs"); do
    order=(ours nginx)
    if ((r % 2 == 0)); then order=(nginx ours); fi
    echo "   round $r (load $(cut -d' ' -f1 /proc/loadavg)): ${order[*]}"
    for c in $connections; do
      for s in "${order[@]}"; do wrk_run "$s" "$c" "$duration" "$r"; done
    done
  done
  stop_pid "$nginx_pid"
  nginx_pid=""
  stop_pid "$server_pid"
  server_pid=""
  grep -E '^admin:' "$dir/serve.log" | grep -v listening | sed 's/^/   server /' || true
fi

# ---------------------------------------------------------------------------------------------
# 2. The event stream during a boot storm
if [[ $parts == *stream* ]]; then
  dir=$tmp/stream
  echo "== stream: $storm phones (Cisco 7942, SCCP, Standard SCCP Encrypted Config), fleet concurrency $storm_concurrency"
  make_data "$dir" "$storm" "Cisco 7942 - Standard SCCP Encrypted Config"
  admin_port=$(bench_free_port)
  # CAPF's port is chosen and set before serve starts: a `cluster set` while the stream is open
  # would be an event of another process, which the hub reads on its 1 s poll, not a storm's.
  capf_port=$(bench_free_port)
  bench_run run_web_bench "$dir" capf_port "$emu" --data-dir "$dir/data" --log-level warn cluster set capf_port "$capf_port"
  # The caps a fleet from one machine would hit are lifted, as in run_boot_storm.sh.
  start_server "$dir" "$admin_port" --threads 1 --no-tvs --no-sip \
    --tftp-address 127.0.0.1 --tftp-port 0 --http-address 127.0.0.1 --http-port 0 \
    --https-address 127.0.0.1 --https-port 0 --capf-address 127.0.0.1 --capf-port "$capf_port" \
    --client-rate 1000000 --max-transfers 4000 --max-transfers-per-client 4000 \
    --http-max-per-address 0 --capf-max-per-address 0
  tftp_port=$(bench_serve_port "$dir/serve.log" tftp udp)
  http_port=$(bench_serve_port "$dir/serve.log" http tcp)
  https_port=$(bench_serve_port "$dir/serve.log" https tcp)
  if [[ -z $tftp_port || -z $http_port || -z $https_port ]]; then
    echo "run_web_bench: no ports in the serve output:" >&2
    cat "$dir/serve.log" >&2
    exit 2
  fi
  echo "== python3 $here/web_event_client.py --port $admin_port (GET /api/v1/events/stream, bearer token)"
  python3 "$here/web_event_client.py" --port "$admin_port" --token-file "$dir/token" --cafile "$dir/data/pki/tomcat.pem" \
    --ready "$dir/stream.ready" --records "$dir/stream.records" --max-seconds $((max_seconds + 60)) \
    >"$stream_result" 2>"$dir/client.err" &
  client_pid=$!
  for _ in $(seq 1 100); do
    [[ -e $dir/stream.ready ]] && break
    kill -0 "$client_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ ! -e $dir/stream.ready ]]; then
    echo "run_web_bench: the event stream did not start:" >&2
    cat "$stream_result" "$dir/client.err" >&2 || true
    exit 2
  fi
  sleep 1  # the hub starts the subscriber on its own thread, at the newest event
  count_events() { "$emu" --data-dir "$dir/data" --log-level error events --limit 10000000 | wc -l; }
  events0=$(count_events)
  cpu0=$(tree_ticks "$server_pid")
  echo "== timeout -s INT $max_seconds $emu phone fleet --no-register --count $storm --concurrency $storm_concurrency" \
    "--profile 88xx --tftp-port $tftp_port --http-port $http_port --https-port $https_port (load $(cut -d' ' -f1 /proc/loadavg))"
  t0=$(date +%s.%N)
  rc=0
  timeout -s INT "$max_seconds" "$emu" --data-dir "$dir/data" --log-level error phone fleet --no-register \
    --count "$storm" --concurrency "$storm_concurrency" --server 127.0.0.1 --tftp-port "$tftp_port" \
    --http-port "$http_port" --https-port "$https_port" --profile 88xx --state-dir "$phones" >"$dir/fleet.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  cpu1=$(tree_ticks "$server_pid")
  grep -v '^$' "$dir/fleet.log" | sed 's/^/   /' | tail -n 5
  # The last batch: committed within 200 ms, read by the hub on its nudge (or its 1 s poll).
  sleep 2
  events1=$(count_events)
  stop_pid "$client_pid"
  client_pid=""
  stop_pid "$server_pid"
  server_pid=""
  grep -E '^(events|admin):' "$dir/serve.log" | grep -v listening | sed 's/^/   server /' || true
  python3 - "$stream_result" "$events0" "$events1" "$rc" "$t0" "$t1" "$((cpu1 - cpu0))" "$hz" >"$tmp/stream_summary.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r.update({"events_in_log": int(sys.argv[3]) - int(sys.argv[2]), "fleet_rc": int(sys.argv[4]),
          "fleet_s": float(sys.argv[6]) - float(sys.argv[5]), "server_cpu_s": int(sys.argv[7]) / int(sys.argv[8])})
print(json.dumps(r))
PY
fi
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo
bench_machine
echo "load avg: $load_start at the start, $load_end at the end (1, 5, 15 min)"
if [[ $parts == *reads* ]]; then
  echo "peers:    nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), wrk $(dpkg-query -W -f '${Version}' wrk 2>/dev/null || echo '?')"
  python3 - "$reads_results" "$page_bytes" "$devices" <<'PY'
import collections, json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = collections.defaultdict(list)
for r in rows:
    by[(r["server"], r["connections"])].append(r)
print(f"\nAPI reads: GET /api/v1/devices?offset=K&limit=100 over {sys.argv[3]} devices ({sys.argv[2]} bytes a page);"
      f" nginx: the same bytes as a static file. Medians of {max(r['round'] for r in rows)} rounds.")
print(f"{'C':>3} | {'ours req/s':>10} {'nginx req/s':>11} {'ours/nginx':>10} | {'ours us CPU/req':>15} {'nginx us CPU/req':>16}"
      f" {'x nginx':>7} | {'ours p50/p99 ms':>15} {'nginx p50/p99 ms':>16} | errors")
for c in sorted({k[1] for k in by}):
    o, n = by[("ours", c)], by[("nginx", c)]
    med = lambda rs, f: statistics.median(f(r) for r in rs)
    rps_o, rps_n = med(o, lambda r: r["rps"]), med(n, lambda r: r["rps"])
    cpu = lambda r: r["server_cpu_s"] * 1e6 / r["requests"] if r["requests"] else float("nan")
    cpu_o, cpu_n = med(o, cpu), med(n, cpu)
    lat = lambda rs: f"{med(rs, lambda r: r['p50_ms'] or 0):.2f}/{med(rs, lambda r: r['p99_ms'] or 0):.1f}"
    errs = sum(r["non2xx"] + r["socket_errors"] for r in o + n)
    runs = " ".join(f"{r['rps']:.0f}" for r in o) + " vs " + " ".join(f"{r['rps']:.0f}" for r in n)
    print(f"{c:>3} | {rps_o:>10.0f} {rps_n:>11.0f} {rps_o / rps_n:>10.3f} | {cpu_o:>15.0f} {cpu_n:>16.0f}"
          f" {cpu_o / cpu_n:>7.1f} | {lat(o):>15} {lat(n):>16} | {errs}   (req/s by round: {runs})")
PY
fi
if [[ $parts == *stream* ]]; then
  python3 - "$tmp/stream_summary.json" "$storm" "$storm_concurrency" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"\nEvent stream during a boot storm of {sys.argv[2]} phones (concurrency {sys.argv[3]}):"
      f" fleet {r['fleet_s']:.1f} s (exit {r['fleet_rc']}), server CPU {r['server_cpu_s']:.2f} s")
if "error" in r:
    print(f"  the stream failed: {r['error']}")
    sys.exit(0)
d = r.get("delay_ms")
print(f"  received {r['count']} events, `cucm-emu events` shows {r['events_in_log']} in the window"
      f" (difference {r['events_in_log'] - r['count']}); ids {r.get('first_id')}..{r.get('last_id')},"
      f" {r.get('missing', 0)} missing, {r.get('repeated', 0)} repeated, in order: {r.get('in_order')}; stream ended: {r['ended']}")
if d:
    print(f"  delay (receive - event time), ms: p50 {d['p50']:.0f}, p90 {d['p90']:.0f}, p99 {d['p99']:.0f}, max {d['max']:.0f}"
          f" (min {d['min']:.0f}, mean {d['mean']:.0f}; {d['over_200']} over 200 ms)")
    print("  limit: the event writer commits at most every 200 ms (db/event_writer.cpp), so up to 200 ms"
          f" is the batching itself: p99 = {d['p99'] / 200:.2f}x, max = {d['max'] / 200:.2f}x that period")
PY
fi
exit 0
