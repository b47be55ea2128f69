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
