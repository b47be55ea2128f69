#!/usr/bin/env bash
# Runs every libFuzzer target of a CUCM_FUZZ=ON build for a fixed time, two at a time, seeded from
# the fixtures (and from files the built cucm-emu makes) plus each target's own seeds in
# tests/fuzz/corpus/<target>/, and fails when any target crashed.
#
# usage: run_fuzzers.sh BUILD_DIR SECONDS
# Crash, timeout and OOM inputs, and one log per target, are kept in BUILD_DIR/fuzz-artifacts.
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR SECONDS" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
[[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "run_fuzzers: SECONDS must be a positive integer (got '$2')" >&2; exit 2; }
[[ -d $1 ]] || { echo "run_fuzzers: build dir '$1' does not exist" >&2; exit 2; }

build=$(cd "$1" && pwd)
seconds=$2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fuzz_dir=$build/tests/fuzz
artifacts=$build/fuzz-artifacts
parallel=2  # the CI and dev machines have 2 cores

mapfile -t targets < <(find "$fuzz_dir" -maxdepth 1 -type f -name '*_fuzz' -perm -u+x 2>/dev/null | sort)
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "run_fuzzers: no *_fuzz executables in $fuzz_dir (configure with -DCUCM_FUZZ=ON and build)" >&2
  exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cucm-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
seeds=$tmp/seeds
mkdir -p "$seeds" "$tmp/status" "$artifacts"

# Seeds are named by content hash, as libFuzzer names its own corpus files, so copies collapse.
add_seed() {
  local sum
  sum=$(sha1sum "$1" | cut -d' ' -f1)
  cp "$1" "$seeds/$sum"
}

# Every file in our fixtures, those made by other implementations (fixtures/third_party) included.
for dir in "$repo/fixtures"; do
  [[ -d $dir ]] || continue
  while IFS= read -r -d '' f; do add_seed "$f"; done < <(find "$dir" -type f -print0)
done

# Fresh files from our own builders: an ITL, a CTL, a config with its .sgn and .enc.sgn. Optional;
# any failure only costs seeds. Keys and certificates are not copied.
# A fuzz build has no cucm-emu of its own; the release build's does (CI builds it first).
emu=$build/app/cucm-emu
[[ -x $emu ]] || emu=$repo/build/app/cucm-emu
generate_seeds() {
  local f
  ASAN_OPTIONS=detect_leaks=0 "$emu" --data-dir "$gen" --log-level off demo >"$tmp/gen.log" 2>&1 || return 1
  ASAN_OPTIONS=detect_leaks=0 "$emu" --data-dir "$gen" --log-level off tlv build --type ctl \
    -o "$gen/CTLFile.tlv" >>"$tmp/gen.log" 2>&1 || return 1
  # The demo leaves its phone's key on record, so every config variant exists.
  for f in SEPA45630BBFA40.cnf.xml.sgn SEPA45630BBFA40.cnf.xml.enc.sgn XMLDefault.cnf.xml; do
    ASAN_OPTIONS=detect_leaks=0 "$emu" --data-dir "$gen/demo" --log-level off cnf fetch "$f" -o "$gen/$f" \
      >>"$tmp/gen.log" 2>&1 || return 1
  done
}
if [[ -x $emu ]]; then
  gen=$tmp/gen
  if generate_seeds; then
    while IFS= read -r -d '' f; do add_seed "$f"; done \
      < <(find "$gen" -type f \( -name '*.tlv' -o -name '*.sgn' -o -name '*.xml' \) -print0)
  else
    echo "run_fuzzers: seed generation with $emu failed, continuing without those seeds" >&2
  fi
fi
echo "run_fuzzers: ${#targets[@]} targets, ${seconds}s each, $(find "$seeds" -type f | wc -l) seeds"

# UB in the libraries is built recoverable (cucm_build_flags); halt_on_error makes it a crash here.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1

run_one() {
  local exe=$1 name log corpus runs speed rc=0
  name=$(basename "$exe")
  log=$artifacts/$name.log
  corpus=$tmp/corpus/$name  # new inputs go here; the seed dirs are only read
  mkdir -p "$corpus"
  local -a inputs=("$corpus" "$seeds")
  if [[ -d $repo/tests/fuzz/corpus/$name ]]; then
    inputs+=("$repo/tests/fuzz/corpus/$name")  # the target's own committed seeds
  fi
  # The outer timeout only catches a fuzzer that stops honouring -max_total_time.
  timeout --kill-after=30 $((seconds + 120)) "$exe" "${inputs[@]}" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$name-" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
  if [[ $rc -eq 0 ]]; then
    echo "fuzz $name: PASS (${runs:-0} runs, ${speed:-0} exec/s)"
    echo pass >"$tmp/status/$name"
  else
    echo "fuzz $name: FAIL (exit $rc, log $log)"
    echo fail >"$tmp/status/$name"
  fi
}

for exe in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $parallel ]]; do wait -n || true; done
  run_one "$exe" &
done
wait

failed=0
for exe in "${targets[@]}"; do
  [[ $(cat "$tmp/status/$(basename "$exe")" 2>/dev/null) == pass ]] || failed=1
done
if [[ $failed -ne 0 ]]; then
  echo "run_fuzzers: failures; reproducers and logs are in $artifacts" >&2
fi
exit $failed
