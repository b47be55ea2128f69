#!/usr/bin/env bash
# Runs signer_bench next to `openssl speed rsa2048` and prints each rate as a fraction of the
# RSA-2048 signing limit. A report, not a test: it exits 0 whatever the figures are.
#
# usage: bench/run_signer_bench.sh [build-dir] [extra signer_bench flags...]
#   build-dir defaults to "build"; build first with
#   cmake --build <build-dir> --target signer_bench
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

build_dir=${1:-build}
if [[ $# -gt 0 ]]; then shift; fi
bench=$build_dir/bench/signer_bench

bench_need_binary run_signer_bench "$bench" signer_bench
bench_need_tools run_signer_bench openssl python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# openssl speed runs before and after the benchmark so drift from other load shows up as a gap
# between the two; the ratios use their mean. Both openssl speed (without -elapsed) and Google
# Benchmark's items/s divide by CPU time, so the two sides measure the same thing.
speed_cmd=(openssl speed -seconds 3 rsa2048)
bench_cmd=("$bench" --benchmark_min_time=1 --benchmark_repetitions=3
           --benchmark_report_aggregates_only=true --benchmark_format=json "$@")

run() { bench_run run_signer_bench "$tmp" "$@"; }  # run <label> <cmd...>
run speed_before "${speed_cmd[@]}"
run bench "${bench_cmd[@]}"
run speed_after "${speed_cmd[@]}"
echo

bench_machine

PYTHONPATH="$here" python3 - "$tmp/speed_before.out" "$tmp/speed_after.out" "$tmp/bench.out" <<'PY'
import json
import sys

from openssl_speed import rsa2048

TARGET = 0.9
HEADLINE = "BM_SgnBuild/sha1"




before, after = rsa2048(sys.argv[1], "run_signer_bench")[0], rsa2048(sys.argv[2], "run_signer_bench")[0]
limit = (before + after) / 2

with open(sys.argv[3]) as f:
    report = json.load(f)
ctx = report.get("context", {})

rows, errors = {}, {}
for b in report.get("benchmarks", []):
    name = b.get("run_name", b["name"])
    if b.get("error_occurred"):
        errors[name] = b.get("error_message", "error")
        continue
    if b.get("run_type") == "aggregate":
        rows.setdefault(name, {})[b["aggregate_name"]] = b.get("items_per_second", 0.0)

load = ", ".join(f"{x:.2f}" for x in ctx.get("load_avg", []))
print(f"load avg: {load or 'n/a'} (at benchmark start); benchmark library build type: "
      f"{ctx.get('library_build_type', 'n/a')}")
print(f"openssl speed rsa2048 sign/s: {before:.1f} before, {after:.1f} after, "
      f"limit = mean {limit:.1f}")
print()

raw = rows.get("BM_RsaSign2048", {}).get("median")
header = (f"{'benchmark':<20} {'median items/s':>15} {'stddev':>9} {'cv':>6} {'vs openssl':>11} "
          f"{'vs RsaSign2048':>15}")
print(header)
print("-" * len(header))
noisy = abs(before - after) / limit > 0.05
for name, agg in rows.items():
    med = agg.get("median", 0.0)
    sd = agg.get("stddev", 0.0)
    cv = sd / med if med else 0.0
    noisy = noisy or cv > 0.03
    vs_raw = f"{med / raw:.3f}" if raw else "n/a"
    print(f"{name:<20} {med:>15.1f} {sd:>9.1f} {cv:>6.1%} {med / limit:>11.3f} {vs_raw:>15}")
for name, msg in errors.items():
    print(f"{name:<20} error: {msg}")
print()

head = rows.get(HEADLINE, {}).get("median")
if HEADLINE in errors:
    print(f"headline: {HEADLINE} failed; below target")
elif head is None:
    print(f"headline: {HEADLINE} was not run (filtered out?)")
else:
    ratio = head / limit
    verdict = "meets target" if ratio >= TARGET else "below target"
    print(f"headline: .sgn (sha1, 8 KB) builds at {ratio:.3f} of the RSA-2048 signing limit "
          f"(target >= {TARGET}): {verdict}")
if noisy:
    print("note: noisy run (openssl before/after differ by more than 5% or a cv is above 3%); "
          "rerun on an idle machine")
PY
exit 0
