#!/usr/bin/env bash
# Runs db_bench next to `openssl speed rsa2048` and prints config builds per second through the
# catalog, each signed variant as a fraction of the RSA-2048 signing limit, and where the time of
# each variant goes. A report, not a test: it exits 0 whatever the figures are.
#
# usage: bench/run_db_bench.sh [build-dir] [extra db_bench flags...]
#   build-dir defaults to "build"; build first with
#   cmake --build <build-dir> --target db_bench
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"

build_dir=${1:-build}
if [[ $# -gt 0 ]]; then shift; fi
bench=$build_dir/bench/db_bench

bench_need_binary run_db_bench "$bench" db_bench
bench_need_tools run_db_bench openssl python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# As in run_signer_bench.sh: openssl speed before and after, so drift from other load shows as a
# gap; both it (without -elapsed) and items/s divide by CPU time. BM_CsvImport10k is the
# exception: it writes a database, so its rate is per wall-clock second.
speed_cmd=(openssl speed -seconds 3 rsa2048)
bench_cmd=("$bench" --benchmark_min_time=0.5 --benchmark_repetitions=3
           --benchmark_report_aggregates_only=true --benchmark_format=json "$@")

run() { bench_run run_db_bench "$tmp" "$@"; }  # run <label> <cmd...>
run speed_before "${speed_cmd[@]}"
run bench "${bench_cmd[@]}"
run speed_after "${speed_cmd[@]}"
echo

bench_machine

PYTHONPATH="$here" python3 - "$tmp/speed_before.out" "$tmp/speed_after.out" "$tmp/bench.out" <<'PY'
import json
import sys

from openssl_speed import rsa2048

# Per variant: the signer benchmark that bounds it and how many RSA private (sign) and public
# (wrap) operations one file costs.
SIGNED = {
    "BM_FullSigned": ("BM_SgnBuild", 1, 0),
    "BM_PartialSigned": ("BM_SgnBuild", 1, 0),
    "BM_EncSigned": ("BM_EncSgnBuild", 1, 1),
}
# What each fetch is made of, as the catalog calls it (catalog/catalog.cpp): decide_for
# (settings, device, profile), full_config (device, profile, settings, then libxml2), then per
# variant a second device read, the partial config, the key parse and the signer.
PARTS = {
    "BM_FullUnsigned": ["BM_DecideFor", "BM_FullConfig"],
    "BM_FullSigned": ["BM_DecideFor", "BM_FullConfig", "BM_SgnBuild"],
    "BM_PartialSigned": ["BM_DecideFor", "BM_FullConfig", "BM_DeviceGet", "BM_MakePartial", "BM_SgnBuild"],
    "BM_EncSigned": ["BM_DecideFor", "BM_FullConfig", "BM_DeviceGet", "BM_LoadPublicKey", "BM_EncSgnBuild"],
}




(sign_b, verify_b), (sign_a, verify_a) = rsa2048(sys.argv[1], "run_db_bench"), rsa2048(sys.argv[2], "run_db_bench")
limit, verify = (sign_b + sign_a) / 2, (verify_b + verify_a) / 2

with open(sys.argv[3]) as f:
    report = json.load(f)
ctx = report.get("context", {})

rows, errors = {}, {}
for b in report.get("benchmarks", []):
    name = b.get("run_name", b["name"]).split("/")[0]
    if b.get("error_occurred"):
        errors[name] = b.get("error_message", "error")
        continue
    if b.get("run_type") == "aggregate":
        agg = rows.setdefault(name, {})
        agg[b["aggregate_name"]] = b.get("items_per_second", 0.0)
        agg.setdefault("bytes", b.get("bytes"))
        agg["wall"] = "/real_time" in b.get("run_name", "")
        if b["aggregate_name"] == "median":
            agg["times"] = (b.get("real_time"), b.get("cpu_time"), b.get("time_unit", "ns"))

load = ", ".join(f"{x:.2f}" for x in ctx.get("load_avg", []))
print(f"load avg: {load or 'n/a'} (at benchmark start); benchmark library build type: "
      f"{ctx.get('library_build_type', 'n/a')}")
print(f"openssl speed rsa2048 sign/s: {sign_b:.1f} before, {sign_a:.1f} after, limit = mean "
      f"{limit:.1f}; verify/s (public op) mean {verify:.1f}")
print()


def us(name):
    med = rows.get(name, {}).get("median")
    return 1e6 / med if med else None


header = (f"{'benchmark':<18} {'median items/s':>15} {'cv':>6} {'us/item':>9} {'vs openssl':>11} "
          f"{'non-RSA us':>11} {'bytes':>6}")
print(header)
print("-" * len(header))
noisy = abs(sign_b - sign_a) / limit > 0.05
for name, agg in rows.items():
    med, sd = agg.get("median", 0.0), agg.get("stddev", 0.0)
    cv = sd / med if med else 0.0
    noisy = noisy or cv > 0.03
    vs, non_rsa = "", ""
    if name in SIGNED:
        _, signs, wraps = SIGNED[name]
        vs = f"{med / limit:.3f}"
        non_rsa = f"{1e6 / med - signs * 1e6 / limit - wraps * 1e6 / verify:.1f}"
    elif name in ("BM_SgnBuild", "BM_EncSgnBuild", "BM_RsaSign2048"):
        vs = f"{med / limit:.3f}"
    size = f"{agg['bytes']:.0f}" if agg.get("bytes") else ""
    unit = " rows/s" if name.startswith("BM_Csv") else ""
    unit += " (wall clock)" if agg.get("wall") else ""
    print(f"{name:<18} {med:>15.1f} {cv:>6.1%} {1e6 / med if med else 0:>9.1f} {vs:>11} {non_rsa:>11} "
          f"{size:>6}{unit}")
for name, msg in errors.items():
    print(f"{name:<18} error: {msg}")
imp = rows.get("BM_CsvImport10k", {}).get("times")
if imp:
    print(f"BM_CsvImport10k per 10,000 rows (median): {imp[0]:.0f} {imp[2]} wall clock, "
          f"{imp[1]:.0f} {imp[2]} CPU")
print()

# The split of each fetch: signer (RSA and file format), database reads, libxml2, key parsing.
# The database share is decide_for, plus full_config without its XML, plus the second device read.
print(f"{'variant':<18} {'measured us':>12} {'signer':>8} {'database':>9} {'xml':>6} {'key':>6} "
      f"{'sum':>8} {'rest':>7} {'not signer':>11}")
for name, parts in PARTS.items():
    got = [us(p) for p in parts] + [us(name), us("BM_BuildFullConfig")]
    if any(x is None for x in got):
        print(f"{name:<18} (a part was not run)")
        continue
    t, build = us(name), us("BM_BuildFullConfig")
    signer = sum(us(p) for p in parts if p.endswith("SgnBuild"))
    xml = build + (us("BM_MakePartial") if "BM_MakePartial" in parts else 0.0)
    key = us("BM_LoadPublicKey") if "BM_LoadPublicKey" in parts else 0.0
    db = us("BM_DecideFor") + us("BM_FullConfig") - build
    db += us("BM_DeviceGet") if "BM_DeviceGet" in parts else 0.0
    total = signer + db + xml + key
    print(f"{name:<18} {t:>12.1f} {signer:>8.1f} {db:>9.1f} {xml:>6.1f} {key:>6.1f} {total:>8.1f} "
          f"{t - total:>7.1f} {(t - signer) / t:>11.0%}")
print()
if noisy:
    print("note: noisy run (openssl before/after differ by more than 5% or a cv is above 3%); "
          "rerun on an idle machine")
PY
exit 0
