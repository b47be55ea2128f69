#!/usr/bin/env python3
"""Tables for run_tftp_bench.sh: medians over the runs, the spread, server CPU per file, and the
ratios of each cucm-emu instance to the peers against the targets of the issue.

usage: tftp_bench_report.py results.jsonl
"""
import collections
import json
import statistics
import sys


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def med(xs):
    return statistics.median(xs) if xs else 0.0


def spread(xs):
    """min-max as a share of the median, in percent."""
    m = med(xs)
    return 100.0 * (max(xs) - min(xs)) / m if xs and m else 0.0


def fmt_rate(xs, unit=""):
    return f"{med(xs):,.0f}{unit} ({min(xs):,.0f}-{max(xs):,.0f}, ±{spread(xs) / 2:.0f}%)" if xs else "-"


def verdict(ok):
    return "**met**" if ok else "**not met**"


def ratio(a, b):
    return a / b if b else float("nan")


def main():
    rows = load(sys.argv[1])
    servers = sorted({r["server"] for r in rows})
    cucm = [s for s in servers if s.startswith("cucm")]
    groups = collections.defaultdict(list)
    for r in rows:
        lg = r["lg"]
        if r["scenario"] == "tftp1pin":
            key = ("tftp1pin", "tftp", lg.get("file"), r.get("placement"), lg.get("blksize"), 0, r["server"])
        elif r["scenario"] in ("tftp10k", "tftp2m") or (r["scenario"] == "dynamic" and "blksize" in lg):
            key = (r["scenario"], "tftp", lg.get("file"), lg.get("clients"), lg.get("blksize"),
                   lg.get("windowsize"), r["server"])
        else:
            key = (r["scenario"], "http", lg.get("file"), lg.get("clients"), lg.get("mode"), 0, r["server"])
        groups[key].append(r)

    def stat(key):
        rs = groups.get(key, [])
        if not rs:
            return None
        lg = [r["lg"] for r in rs]
        if key[1] == "tftp":
            rate = [x.get("files_per_s", 0) for x in lg]
            mbs = [x.get("mb_per_s", 0) for x in lg]
            cpu_per = [1000.0 * r["cpu_s"] / r["lg"]["files"] for r in rs if r["lg"].get("files")]
            cpu_mb = [r["cpu_s"] / (r["lg"]["bytes"] / 1e6) for r in rs if r["lg"].get("bytes")]
            lg_share = [x.get("loadgen_cpu_s", 0) / x["elapsed_s"] for x in lg if x.get("elapsed_s")]
        else:
            rate = [x.get("rps", 0) for x in lg]
            mbs = []
            cpu_per = [1e6 * r["cpu_s"] / r["lg"]["requests"] for r in rs if r["lg"].get("requests")]
            cpu_mb = []
            lg_share = []
        srv_share = [r["cpu_s"] / r["lg"]["elapsed_s"] for r in rs if r["lg"].get("elapsed_s")]
        errors = sum(max(x.get("errors", 0), 0) for x in lg)
        return dict(rate=rate, mbs=mbs, cpu=med(cpu_per), cpu_mb=med(cpu_mb), errors=errors, n=len(rs),
                    srv_share=med(srv_share), lg_share=med(lg_share), load=[r["load"] for r in rs])

    loads = [r["load"] for r in rows]
    print(f"{len(rows)} measurements; load average during them {min(loads):.2f}-{max(loads):.2f} "
          f"(median {med(loads):.2f})\n")
    print("Server CPU is perf task-clock over the process tree, children included. Cross-check, the "
          "/proc utime+stime(+cutime+cstime) of the same tree as a share of it (median over all runs):")
    for s in servers:
        xs = [r["proc_cpu_s"] / r["cpu_s"] for r in rows if r["server"] == s and r.get("cpu_s")]
        print(f"- {s}: {med(xs):.2f}")
    print()

    scenarios = {r["scenario"] for r in rows}
    # --- TFTP 10 KB ---
    if "tftp10k" in scenarios:
        tftp10k_tables(stat, servers, cucm)
    if "tftp1pin" in scenarios:
        tftp1pin_tables(stat, servers, cucm)
    if "tftp2m" in scenarios:
        tftp2m_tables(stat, servers, cucm)
    if "http" in scenarios:
        http_tables(stat, cucm)
    if "dynamic" in scenarios:
        dynamic_tables(stat, cucm)


def tftp10k_tables(stat, servers, cucm):
    print("### TFTP, 10 KB file (files/s: median (min-max, ± half the range); server CPU per file)\n")
    print("| blksize | clients | server | files/s | CPU ms/file | server CPU (cores) | loadgen CPU (cores) | errors |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    peers = [s for s in ("tftpd-hpa", "atftpd") if s in servers]
    for b in (512, 1428):
        for c in (1, 16, 128):
            for s in cucm + peers:
                st = stat(("tftp10k", "tftp", "cfg10k.bin", c, b, 0, s))
                if st:
                    print(f"| {b} | {c} | {s} | {fmt_rate(st['rate'])} | {st['cpu']:.3f} | {st['srv_share']:.2f} | "
                          f"{st['lg_share']:.2f} | {st['errors']} |")
    print()
    print("| target | instance | blksize | measured | verdict |")
    print("|---|---|---:|---|---|")
    for s in cucm:
        for b in (512, 1428):
            ours = stat(("tftp10k", "tftp", "cfg10k.bin", 128, b, 0, s))
            at = stat(("tftp10k", "tftp", "cfg10k.bin", 128, b, 0, "atftpd"))
            if ours and at:
                r = ratio(med(ours["rate"]), med(at["rate"]))
                print(f"| files/s ≥ 2× atftpd at 128 clients | {s} | {b} | {r:.2f}× | {verdict(r >= 2)} |")
                r = ratio(ours["cpu"], at["cpu"])
                print(f"| CPU/file ≤ 0.5× atftpd at 128 clients | {s} | {b} | {r:.2f}× | {verdict(r <= 0.5)} |")
            ours1 = stat(("tftp10k", "tftp", "cfg10k.bin", 1, b, 0, s))
            for p in peers:
                pst = stat(("tftp10k", "tftp", "cfg10k.bin", 1, b, 0, p))
                if ours1 and pst:
                    r = ratio(med(ours1["rate"]), med(pst["rate"]))
                    print(f"| files/s ≥ 1× {p} at 1 client | {s} | {b} | {r:.2f}× | {verdict(r >= 1)} |")
    print()


def tftp1pin_tables(stat, servers, cucm):
    print("### TFTP, 10 KB file, 1 client, pinned (cross: server on CPU 0, client on CPU 1; same: both "
          "on CPU 0)\n")
    print("| placement | blksize | server | files/s | CPU ms/file | errors |")
    print("|---|---:|---|---:|---:|---:|")
    peers = [s for s in ("tftpd-hpa", "atftpd") if s in servers]
    for placement in ("cross", "same"):
        for b in (512, 1428):
            for s in cucm + peers:
                st = stat(("tftp1pin", "tftp", "cfg10k.bin", placement, b, 0, s))
                if st:
                    print(f"| {placement} | {b} | {s} | {fmt_rate(st['rate'])} | {st['cpu']:.3f} | {st['errors']} |")
    print()
    print("| target | instance | placement | blksize | measured | verdict |")
    print("|---|---|---|---:|---|---|")
    for s in cucm:
        for placement in ("cross", "same"):
            for b in (512, 1428):
                ours = stat(("tftp1pin", "tftp", "cfg10k.bin", placement, b, 0, s))
                for p in peers:
                    pst = stat(("tftp1pin", "tftp", "cfg10k.bin", placement, b, 0, p))
                    if ours and pst:
                        r = ratio(med(ours["rate"]), med(pst["rate"]))
                        print(f"| files/s ≥ 1× {p} at 1 client | {s} | {placement} | {b} | {r:.2f}× | {verdict(r >= 1)} |")
    print()


def tftp2m_tables(stat, servers, cucm):
    peers = [s for s in ("tftpd-hpa", "atftpd") if s in servers]
    print("### TFTP, 2 MB file, 8 clients, blksize 1428 (MB/s = 10^6 B/s)\n")
    print("| windowsize | server | MB/s | CPU s per 100 MB | server CPU (cores) | loadgen CPU (cores) | errors |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for w in (0, 8):
        for s in cucm + peers:
            st = stat(("tftp2m", "tftp", "fw2m.bin", 8, 1428, w, s))
            if st:
                print(f"| {w or 'none'} | {s} | {fmt_rate(st['mbs'])} | {100 * st['cpu_mb']:.2f} | "
                      f"{st['srv_share']:.2f} | {st['lg_share']:.2f} | {st['errors']} |")
    print()
    print("| target | instance | measured | verdict |")
    print("|---|---|---|---|")
    at0 = stat(("tftp2m", "tftp", "fw2m.bin", 8, 1428, 0, "atftpd"))
    at8 = stat(("tftp2m", "tftp", "fw2m.bin", 8, 1428, 8, "atftpd"))
    for s in cucm:
        o0 = stat(("tftp2m", "tftp", "fw2m.bin", 8, 1428, 0, s))
        o8 = stat(("tftp2m", "tftp", "fw2m.bin", 8, 1428, 8, s))
        if o8 and at0:
            r = ratio(med(o8["mbs"]), med(at0["mbs"]))
            print(f"| windowsize 8 ≥ 2× atftpd without a window | {s} | {r:.2f}× | {verdict(r >= 2)} |")
        if o8 and at8:
            r = ratio(med(o8["mbs"]), med(at8["mbs"]))
            print(f"| windowsize 8 vs atftpd also with windowsize 8 (stricter reading) | {s} | {r:.2f}× | {verdict(r >= 2)} |")
        if o0 and at0:
            r = ratio(med(o0["mbs"]), med(at0["mbs"]))
            print(f"| no window ≥ 1× atftpd | {s} | {r:.2f}× | {verdict(r >= 1)} |")
    print()


def http_tables(stat, cucm):
    print("### HTTP, 10 KB file (wrk; requests/s: median (min-max); server CPU per request)\n")
    print("| mode | connections | server | requests/s | CPU µs/request | server CPU (cores) | errors |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for mode in ("keepalive", "close"):
        for c in (1, 16, 128):
            for s in cucm + ["nginx"]:
                st = stat(("http", "http", "cfg10k.bin", c, mode, 0, s))
                if st:
                    print(f"| {mode} | {c} | {s} | {fmt_rate(st['rate'])} | {st['cpu']:.1f} | {st['srv_share']:.2f} | "
                          f"{st['errors']} |")
    print()
    print("| target | instance | mode | connections | measured | verdict |")
    print("|---|---|---|---:|---|---|")
    for s in cucm:
        for mode in ("keepalive", "close"):
            for c in (1, 16, 128):
                o = stat(("http", "http", "cfg10k.bin", c, mode, 0, s))
                n = stat(("http", "http", "cfg10k.bin", c, mode, 0, "nginx"))
                if o and n:
                    r = ratio(med(o["rate"]), med(n["rate"]))
                    print(f"| ≥ 1.0× nginx | {s} | {mode} | {c} | {r:.2f}× | {verdict(r >= 1)} |")
    print()


def dynamic_tables(stat, cucm):
    print("### Dynamic signed configs from the catalog cache vs the same bytes as a static file\n")
    print("Measured back to back in each run, so the ratio is also given per run (paired): its median "
          "and range.\n")
    print("| instance | file | protocol | dynamic | static copy | ratio of medians | paired ratio | "
          "verdict (≥ 0.9) |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for s in cucm:
        for dev, label in (("SEP0011223344AA", "full .sgn"), ("SEP001122334455", "partial .sgn")):
            dyn, sta = f"{dev}.cnf.xml.sgn", f"static-{s}-{dev}.cnf.xml.sgn"
            for proto, extra in (("tftp", (128, 512, 0)), ("http", (128, "keepalive", 0)), ("http", (128, "close", 0))):
                d = stat(("dynamic", proto, dyn, *extra, s))
                t = stat(("dynamic", proto, sta, *extra, s))
                if d and t:
                    r = ratio(med(d["rate"]), med(t["rate"]))
                    pairs = [ratio(a, b) for a, b in zip(d["rate"], t["rate"])]
                    pr = med(pairs)
                    what = "TFTP 128 clients b512" if proto == "tftp" else f"HTTP 128 conns {extra[1]}"
                    unit = " files/s" if proto == "tftp" else " req/s"
                    print(f"| {s} | {label} | {what} | {fmt_rate(d['rate'], unit)} | {fmt_rate(t['rate'], unit)} | "
                          f"{r:.2f} | {pr:.2f} ({min(pairs):.2f}-{max(pairs):.2f}) | {verdict(pr >= 0.9)} |")


if __name__ == "__main__":
    main()
