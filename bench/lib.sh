# Shared by the bench/run_*.sh scripts (source it): the checks every one of them starts with.
# Exit code 2 means "could not run", as each script's header says.

# bench_need_binary SCRIPT PATH TARGET: PATH must be an executable built from TARGET.
bench_need_binary() {
  if [[ ! -x $2 ]]; then
    echo "$1: $2 not found (configure with -DCUCM_BENCH=ON, then cmake --build <build-dir> --target $3)" >&2
    exit 2
  fi
}

# bench_need_tools SCRIPT TOOL...: each TOOL must be on PATH.
bench_need_tools() {
  local script=$1 tool
  shift
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null; then
      echo "$script: $tool not found on PATH" >&2
      exit 2
    fi
  done
}

# bench_run SCRIPT DIR LABEL CMD...: echoes CMD, runs it with stdout to DIR/LABEL.out and stderr
# to DIR/LABEL.err; when it fails, shows the stderr and exits 2.
bench_run() {
  local script=$1 dir=$2 label=$3
  shift 3
  echo "== $*"
  if ! "$@" >"$dir/$label.out" 2>"$dir/$label.err"; then
    echo "$script: '$1' failed:" >&2
    cat "$dir/$label.err" >&2
    exit 2
  fi
}

# bench_machine: the date, machine and OpenSSL lines every report starts with.
bench_machine() {
  local cpu_model
  cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine:  $(nproc) cores, ${cpu_model:-unknown CPU}, $(uname -sr)"
  echo "openssl:  $(openssl version)"
}

# bench_serve_port LOG SERVICE PROTO: the port `cucm-emu serve` printed in LOG for SERVICE on
# 127.0.0.1 ("tftp: listening on 127.0.0.1:N/udp"); empty when it printed none.
bench_serve_port() {
  sed -n "s/^$2: listening on 127.0.0.1:\([0-9]*\)\/$3.*/\1/p" "$1"
}

# bench_free_port: a TCP port on 127.0.0.1 that nothing listens on now.
bench_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_tls_peer_start DIR PORT LOG S_SERVER_TLS_ARGS...: the handshake floor's peer, `openssl
# s_server` on 127.0.0.1:PORT with DIR/peer.pem and DIR/peer.key (an RSA-2048 certificate made
# there when DIR has none; a script that wants the server's own certificate copies it there
# first), no session cache and no tickets, as our CAPF and TVS servers (a phone never resumes);
# output to LOG. Returns once the port accepts connections (at most 5 s) and sets bench_peer_pid;
# stop it with bench_tls_peer_stop.
bench_tls_peer_start() {
  local dir=$1 port=$2 log=$3 i
  shift 3
  if [[ ! -f $dir/peer.key ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/peer.key" -out "$dir/peer.pem" \
      -subj /CN=bench-peer -days 2 2>/dev/null
  fi
  openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$dir/peer.pem" -key "$dir/peer.key" \
    -num_tickets 0 -no_cache "$@" </dev/null >"$log" 2>&1 &
  bench_peer_pid=$!
  for i in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
}

bench_tls_peer_stop() {
  kill "$bench_peer_pid" 2>/dev/null || true
  wait "$bench_peer_pid" 2>/dev/null || true
  bench_peer_pid=""
}
