#!/usr/bin/env python3
"""Checks a scrape of serve's metrics (on stdin) with a parser that is not ours: prometheus_client's
(Debian's python3-prometheus-client). That parser is lax, so what it lets through is checked too:
every sample in a typed family, each family once, counters named _total, histogram buckets
cumulative up to +Inf, which equals _count. The arguments are families that must be there.

Exit 0: good; 1: a problem, printed; 77: the module is missing (the test skips)."""
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("python3-prometheus-client is not installed (apt-get install python3-prometheus-client)")
    sys.exit(77)


def check_histogram(family, problems):
    series = {}
    for s in family.samples:
        key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
        entry = series.setdefault(key, {"buckets": [], "count": None})
        if s.name.endswith("_bucket"):
            entry["buckets"].append((s.labels["le"], s.value))
        elif s.name.endswith("_count"):
            entry["count"] = s.value
    for key, entry in series.items():
        buckets = entry["buckets"]
        if not buckets or buckets[-1][0] != "+Inf":
            problems.append(f"{family.name}{dict(key)}: no +Inf bucket last")
            continue
        values = [v for _, v in buckets]
        if values != sorted(values):
            problems.append(f"{family.name}{dict(key)}: buckets not cumulative: {values}")
        bounds = [float(le) for le, _ in buckets]
        if bounds != sorted(bounds):
            problems.append(f"{family.name}{dict(key)}: bounds out of order: {bounds}")
        if entry["count"] != values[-1]:
            problems.append(f"{family.name}{dict(key)}: _count {entry['count']} vs +Inf bucket {values[-1]}")


def main():
    text = sys.stdin.read()
    if "# TYPE " not in text:
        print("no metrics in the input")
        return 1
    for line in text.splitlines():
        if line.startswith("# TYPE ") and line.split()[3] == "counter" and not line.split()[2].endswith("_total"):
            print(f"counter not named _total: {line}")
            return 1
    try:
        families = list(text_string_to_metric_families(text))
    except ValueError as e:
        print(f"prometheus_client cannot parse it: {e}")
        return 1
    problems, seen = [], set()
    for f in families:
        if f.type in ("untyped", "unknown"):
            problems.append(f"{f.name}: a sample outside any typed family")
        if f.name in seen:
            problems.append(f"{f.name}: more than one family of that name")
        seen.add(f.name)
        if f.type == "histogram":
            check_histogram(f, problems)
    for wanted in sys.argv[1:]:
        # prometheus_client names a counter family without its _total.
        if wanted not in seen and wanted.removesuffix("_total") not in seen:
            problems.append(f"{wanted}: missing")
    if problems:
        print("\n".join(problems))
        return 1
    print(f"{len(families)} families, {sum(len(f.samples) for f in families)} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
