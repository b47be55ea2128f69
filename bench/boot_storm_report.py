#!/usr/bin/env python3
"""Prints run_boot_storm.sh's tables: boots/s, p50/p99, server RSS and CPU per N (and per server
and run when it compared two), the floor per boot (one `openssl s_server` full handshake + four
RSA-2048 signatures) and the server's CPU per boot as a multiple of it, and the share of server
CPU in RSA operations from `perf script -F comm,ip,sym` output of the profiled pass.

usage: boot_storm_report.py [--peer <peer figures>]... <openssl speed before> <openssl speed after>
                            <results.txt> [<perf script output>]
"""
import argparse
import re
import statistics
import sys

from openssl_speed import rsa2048

# Server RSA operations per boot of an encrypted-config phone that has only a MIC (fleet's phones):
# private: ITL<MAC>.tlv, partial .cnf.xml.sgn twice (before and after CAPF records the MIC), the
# CAPF TLS handshake, .cnf.xml.enc.sgn; public: the AES key wrap in .enc.sgn. The CTL request is
# a 404 in a non-mixed-mode cluster. Every one of these is a cache miss on a first boot.
PRIV_PER_BOOT, PUB_PER_BOOT = 5, 1
# The floor of issue 5: what a boot would cost with nothing but OpenSSL's own TLS server (one full
# handshake, as `openssl s_server` does it) and the four files' signatures (the ITL, the partial
# .cnf.xml.sgn twice, the .enc.sgn); the target is at most 1.3x that.
SIGNATURES_PER_BOOT, FLOOR_TARGET = 4, 1.3

RSA_PRIV = re.compile(r"^(EVP_DigestSignFinal|EVP_DigestSign|EVP_PKEY_sign|RSA_sign|RSA_private_encrypt|"
                      r"RSA_private_decrypt|BN_mod_exp_mont_consttime(_x2)?)$")
RSA_PUB = re.compile(r"^(EVP_PKEY_encrypt|RSA_public_encrypt|RSA_public_decrypt|EVP_DigestVerify(Final)?|"
                     r"EVP_PKEY_verify(_recover)?|RSA_verify|BN_mod_exp_mont)$")
# Where the rest goes: the first of these found walking up from the leaf names the sample.
OTHER = [
    ("OpenSSL decoders (d2i, key/cert parsing)", re.compile(r"OSSL_DECODER|^d2i_|PEM_read")),
    ("OpenSSL encoders (i2d)", re.compile(r"OSSL_ENCODER|^i2d_")),
    ("other TLS handshake work (X25519, state machine)", re.compile(r"handshake_op|SSL_do_handshake")),
    ("SQLite", re.compile(r"^sqlite3")),
    ("libxml2 (config build, partial config)", re.compile(r"^xml|^html")),
    ("AES / SHA (file bodies)", re.compile(r"^EVP_(Encrypt|Decrypt|Cipher|Digest)(Update|Final)|^SHA(1|256|512)")),
    ("write_file_atomic (issued LSC PEM)", re.compile(r"write_file_atomic")),
    ("kernel (sockets, syscalls)", re.compile(r"^(entry_SYSCALL|do_syscall|__sys_|tcp_|udp_|ip_)")),
    ("malloc/free", re.compile(r"malloc|^_int_|^free$|cfree")),
]




def parse_results(path):
    """{(n, server label, run): figures} from run_boot_storm.sh's results lines."""
    runs = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"n=(\d+) bin=(\S+) run=(\d+) (.*)", line.strip())
            if not m:
                continue
            key, rest = (int(m.group(1)), m.group(2), int(m.group(3))), m.group(4)
            r = runs.setdefault(key, {"server": []})
            if rest.startswith("rc="):
                for kv in rest.split():
                    k, v = kv.split("=", 1)
                    r[k] = v
            elif rest.startswith("fleet:"):
                r["fleet"] = rest
                m2 = re.search(r"(\d+) reached a full config, (\d+) failed in ([0-9.]+) s \(([0-9.]+) boots/s\); "
                               r"boot time p50 ([0-9.]+) ms, p99 ([0-9.]+) ms", rest)
                if m2:
                    r.update(ok=int(m2.group(1)), failed=int(m2.group(2)), wall=float(m2.group(3)),
                             rate=float(m2.group(4)), p50=float(m2.group(5)), p99=float(m2.group(6)))
            elif rest.startswith("server "):
                r["server"].append(rest[len("server "):])
    return runs


def perf_shares(path):
    samples, priv, pub, other = 0, 0, 0, {label: 0 for label, _ in OTHER}
    other["(rest)"] = 0
    frames = []

    def flush():
        nonlocal samples, priv, pub
        if not frames:
            return
        samples += 1
        if any(RSA_PRIV.match(f) for f in frames):
            priv += 1
        elif any(RSA_PUB.match(f) for f in frames):
            pub += 1
        else:
            for label, rx in OTHER:
                if any(rx.search(f) for f in frames):
                    other[label] += 1
                    break
            else:
                other["(rest)"] += 1

    started = False
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            if not line[0].isspace():
                flush()
                frames = []
                started = True
            elif started:
                parts = line.strip().split(None, 1)
                frames.append(parts[1] if len(parts) > 1 else parts[0])
    flush()
    return samples, priv, pub, other


def parse_peer(path):
    """The s_server figures of one handshake_peer pass: handshakes, seconds, server_cpu_s, tls."""
    try:
        with open(path) as f:
            kv = dict(item.split("=", 1) for item in f.read().split())
        return {"handshakes": int(kv["handshakes"]), "seconds": float(kv["seconds"]),
                "server_cpu_s": float(kv["server_cpu_s"]), "tls": kv.get("tls", "?")}
    except (OSError, KeyError, ValueError):
        return None


def order(label):
    return (0 if label == "ours" else 1, label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", action="append", default=[], help="handshake_peer figures (start, end)")
    ap.add_argument("speed_before")
    ap.add_argument("speed_after")
    ap.add_argument("results")
    ap.add_argument("perf", nargs="?", default="")
    args = ap.parse_args()
    (sb, vb), (sa, va) = rsa2048(args.speed_before, "boot_storm_report"), rsa2048(args.speed_after, "boot_storm_report")
    sign, verify = (sb + sa) / 2, (vb + va) / 2
    runs = parse_results(args.results)
    t_priv, t_pub = 1e6 / sign, 1e6 / verify
    print(f"openssl speed rsa2048 sign/s: {sb:.1f} before, {sa:.1f} after"
          + (" (more than 5% apart: noisy)" if abs(sb - sa) / sign > 0.05 else ""))
    floor_us = PRIV_PER_BOOT * t_priv + PUB_PER_BOOT * t_pub
    print(f"mean: {sign:.1f} sign/s ({t_priv:.0f} us), {verify:.0f} verify/s ({t_pub:.1f} us)")
    print(f"RSA floor per boot on the server: {PRIV_PER_BOOT} private + {PUB_PER_BOOT} public = {floor_us:.0f} us "
          f"-> at most {1e6 / floor_us:.0f} boots/s per server core")

    # The handshake floor: s_server's CPU per full handshake, start and end of the run pooled.
    peers = [p for p in (parse_peer(path) for path in args.peer) if p and p["handshakes"] > 0]
    hs_floor_us = None
    for name, p in zip(("start", "end"), peers):
        print(f"openssl s_server ({p['tls']}, RSA-2048, no tickets or cache), {name}: {p['handshakes']} full "
              f"handshakes with s_time -new ({p['seconds']:.2f} s of s_time's user CPU), "
              f"{p['server_cpu_s'] / p['handshakes'] * 1e6:.0f} us "
              f"of s_server CPU each")
    if peers and sum(p["server_cpu_s"] for p in peers) > 0:
        hs_us = sum(p["server_cpu_s"] for p in peers) / sum(p["handshakes"] for p in peers) * 1e6
        if len(peers) > 1:
            each = [p["server_cpu_s"] / p["handshakes"] * 1e6 for p in peers]
            if abs(each[0] - each[1]) / hs_us > 0.10:
                print("  (start and end more than 10% apart: noisy)")
        hs_floor_us = hs_us + SIGNATURES_PER_BOOT * t_priv
        print(f"floor per boot: one s_server handshake ({hs_us:.0f} us) + {SIGNATURES_PER_BOOT} RSA-2048 signatures "
              f"({SIGNATURES_PER_BOOT} x {t_priv:.0f} us) = {hs_floor_us / 1000:.2f} ms; target: server CPU per boot "
              f"<= {FLOOR_TARGET}x = {FLOOR_TARGET * hs_floor_us / 1000:.2f} ms")
    else:
        print("floor per boot: openssl s_server/s_time gave no figure (see s_time's output); no floor")
    print()

    head = (f"{'server':>6} {'run':>3} {'N':>6} {'ok':>6} {'failed':>6} {'wall s':>7} {'boots/s':>8} {'p50 ms':>8} "
            f"{'p99 ms':>8} {'peak RSS':>9} {'srv CPU s':>9} {'srv us/boot':>11} {'srv util':>8} {'RSA floor':>9} "
            f"{'x floor':>7} {'cli us/boot':>11} {'MIC prep s':>10} {'load':>5}")
    print(head)
    print("-" * len(head))
    per = {}  # (n, label) -> [(boots/s, us/boot, p50, p99, failed)]
    for key in sorted(runs, key=lambda k: (k[0], k[2], order(k[1]))):
        n, label, run = key
        r = runs[key]
        if "rate" not in r:
            print(f"{label:>6} {run:>3} {n:>6} fleet produced no summary (rc={r.get('rc')}): "
                  f"stopped by the time bound or failed")
            continue
        cpu = float(r["cpu1"]) - float(r["cpu0"])
        per_boot = cpu / r["ok"] * 1e6 if r["ok"] else 0.0
        util = cpu / r["wall"] if r["wall"] else 0.0
        hwm = int(r.get("hwm_kb", 0)) / 1024
        cli, prep = "n/a", "n/a"
        if float(r.get("prepare_cpu", -1)) >= 0 and r["ok"]:
            cli = f"{(float(r['client_cpu']) - float(r['prepare_cpu'])) / r['ok'] * 1e6:.0f}"
            prep = f"{float(r['prepare_s']):.1f}"
        x_floor = f"{per_boot / hs_floor_us:.2f}x" if hs_floor_us and per_boot else "n/a"
        print(f"{label:>6} {run:>3} {n:>6} {r['ok']:>6} {r['failed']:>6} {r['wall']:>7.2f} {r['rate']:>8.1f} "
              f"{r['p50']:>8.1f} {r['p99']:>8.1f} {hwm:>7.1f}MB {cpu:>9.2f} {per_boot:>11.0f} {util:>7.0%} "
              f"{floor_us / per_boot if per_boot else 0:>9.2f} {x_floor:>7} {cli:>11} {prep:>10} "
              f"{r.get('load1', '?'):>5}")
        per.setdefault((n, label), []).append((r["rate"], per_boot, r["p50"], r["p99"], r["failed"]))
    print()
    print("srv CPU s = server user+system CPU during the storm (every thread of the process); srv util = that /")
    print("wall (cores busy); RSA floor = the RSA floor per boot / server CPU per boot (what the RSA operations")
    print(f"alone would cost); x floor = server CPU per boot / (one s_server handshake + {SIGNATURES_PER_BOOT} signatures),")
    print(f"target <= {FLOOR_TARGET}x; cli us/boot = fleet's CPU after its boot threads started, per boot; MIC prep s =")
    print("fleet's set-up time (one MIC certificate per phone, before its clock starts); load = 1-min load")
    print("average when that storm started.")

    # Per server: medians over the runs; with two servers, ours / alt.
    labels = sorted({label for _, label in per}, key=order)
    if len(labels) > 1 or any(len(v) > 1 for v in per.values()):
        print()
        head = (f"{'N':>6} {'server':>6} {'runs':>4} {'boots/s':>8} {'min..max':>15} {'p50 ms':>8} {'p99 ms':>8} "
                f"{'failed':>6} {'srv us/boot':>11} {'x floor':>7} {'target':>7}")
        print("medians over the runs:")
        print(head)
        print("-" * len(head))
        for n in sorted({n for n, _ in per}):
            med = {}
            for label in labels:
                rows = per.get((n, label))
                if not rows:
                    continue
                rates = [x[0] for x in rows]
                us = statistics.median(x[1] for x in rows)
                med[label] = (statistics.median(rates), us)
                mult = us / hs_floor_us if hs_floor_us else 0
                print(f"{n:>6} {label:>6} {len(rows):>4} {statistics.median(rates):>8.1f} "
                      f"{min(rates):>7.1f}..{max(rates):<7.1f} {statistics.median(x[2] for x in rows):>8.1f} "
                      f"{statistics.median(x[3] for x in rows):>8.1f} {sum(x[4] for x in rows):>6} {us:>11.0f} "
                      + (f"{mult:>6.2f}x {'met' if mult <= FLOOR_TARGET else 'NOT met':>7}" if hs_floor_us else f"{'n/a':>7}"))
            if "ours" in med and "alt" in med and med["alt"][0] and med["alt"][1]:
                print(f"{n:>6}  ours / alt: boots/s {med['ours'][0] / med['alt'][0]:.2f}x, server CPU per boot "
                      f"{med['ours'][1] / med['alt'][1]:.2f}x ({med['ours'][1] / 1000:.2f} ms vs {med['alt'][1] / 1000:.2f} ms)")
        print("boots/s, p50, p99, srv us/boot: medians over the runs; failed: total; x floor: the median server CPU")
        print(f"per boot / the floor; target: <= {FLOOR_TARGET}x the floor.")

    for key in sorted(runs, key=lambda k: (k[0], k[2], order(k[1]))):
        n, label, run = key
        for s in runs[key]["server"]:
            if len(labels) > 1 or run > 1 or any(len(v) > 1 for v in per.values()):
                print(f"  N={n} {label} run {run} server {s}")
            else:
                print(f"  N={n} server {s}")
    if args.perf:
        samples, priv, pub, other = perf_shares(args.perf)
        if samples:
            print()
            print(f"profiled pass (ours): {samples} samples of the server process (cpu-clock, 499 Hz)")
            print(f"  RSA private operations (signing: ITL, .sgn, .enc.sgn, TLS)  {priv / samples:6.1%}")
            print(f"  RSA public operations (key wrap)                              {pub / samples:6.1%}")
            print(f"  all RSA                                                       {(priv + pub) / samples:6.1%}")
            for label, count in other.items():
                print(f"  {label:<62}{count / samples:6.1%}")


main()
