#!/usr/bin/env python3
"""Prints run_boot_storm.sh's tables: boots/s, p50/p99, server RSS and CPU per N, and the share of
server CPU in RSA operations from `perf script -F comm,ip,sym` output of the profiled pass.

usage: boot_storm_report.py <openssl speed before> <openssl speed after> <results.txt> [<perf script output>]
"""
import re
import sys

from openssl_speed import rsa2048

# Server RSA operations per boot of an encrypted-config phone that has only a MIC (fleet's phones):
# private: ITL<MAC>.tlv, partial .cnf.xml.sgn twice (before and after CAPF records the MIC), the
# CAPF TLS handshake, .cnf.xml.enc.sgn; public: the AES key wrap in .enc.sgn. The CTL request is
# a 404 in a non-mixed-mode cluster. Every one of these is a cache miss on a first boot.
PRIV_PER_BOOT, PUB_PER_BOOT = 5, 1

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
    runs = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"n=(\d+) (.*)", line.strip())
            if not m:
                continue
            n, rest = int(m.group(1)), m.group(2)
            r = runs.setdefault(n, {"server": []})
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


def main():
    (sb, vb), (sa, va) = rsa2048(sys.argv[1], "boot_storm_report"), rsa2048(sys.argv[2], "boot_storm_report")
    sign, verify = (sb + sa) / 2, (vb + va) / 2
    runs = parse_results(sys.argv[3])
    t_priv, t_pub = 1e6 / sign, 1e6 / verify
    print(f"openssl speed rsa2048 sign/s: {sb:.1f} before, {sa:.1f} after"
          + (" (more than 5% apart: noisy)" if abs(sb - sa) / sign > 0.05 else ""))
    floor_us = PRIV_PER_BOOT * t_priv + PUB_PER_BOOT * t_pub
    print(f"mean: {sign:.1f} sign/s ({t_priv:.0f} us), {verify:.0f} verify/s ({t_pub:.1f} us)")
    print(f"RSA floor per boot on the server: {PRIV_PER_BOOT} private + {PUB_PER_BOOT} public = {floor_us:.0f} us "
          f"-> at most {1e6 / floor_us:.0f} boots/s per server core")
    print()
    head = (f"{'N':>6} {'ok':>6} {'failed':>6} {'wall s':>7} {'boots/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'peak RSS':>9} {'srv CPU s':>9} {'srv us/boot':>11} {'srv util':>8} {'RSA floor':>9} "
            f"{'cli us/boot':>11} {'MIC prep s':>10}")
    print(head)
    print("-" * len(head))
    for n in sorted(runs):
        r = runs[n]
        if "rate" not in r:
            print(f"{n:>6} fleet produced no summary (rc={r.get('rc')}): stopped by the time bound or failed")
            continue
        cpu = float(r["cpu1"]) - float(r["cpu0"])
        per_boot = cpu / r["ok"] * 1e6 if r["ok"] else 0.0
        util = cpu / r["wall"] if r["wall"] else 0.0
        hwm = int(r.get("hwm_kb", 0)) / 1024
        cli, prep = "n/a", "n/a"
        if float(r.get("prepare_cpu", -1)) >= 0 and r["ok"]:
            cli = f"{(float(r['client_cpu']) - float(r['prepare_cpu'])) / r['ok'] * 1e6:.0f}"
            prep = f"{float(r['prepare_s']):.1f}"
        print(f"{n:>6} {r['ok']:>6} {r['failed']:>6} {r['wall']:>7.2f} {r['rate']:>8.1f} {r['p50']:>8.1f} "
              f"{r['p99']:>8.1f} {hwm:>7.1f}MB {cpu:>9.2f} {per_boot:>11.0f} {util:>7.0%} "
              f"{floor_us / per_boot if per_boot else 0:>9.2f} {cli:>11} {prep:>10}")
    print()
    print("srv CPU s = server user+system CPU during the storm; srv util = that / wall (cores busy);")
    print("RSA floor = the RSA floor per boot / server CPU per boot (what the RSA operations alone would cost);")
    print("cli us/boot = fleet's CPU after its boot threads started, per boot; MIC prep s = fleet's set-up time")
    print("(one MIC certificate per phone, before its clock starts).")
    for n in sorted(runs):
        for s in runs[n]["server"]:
            print(f"  N={n} server {s}")
    if len(sys.argv) > 4 and sys.argv[4]:
        samples, priv, pub, other = perf_shares(sys.argv[4])
        if samples:
            print()
            print(f"profiled pass: {samples} samples of the server process (cpu-clock, 499 Hz)")
            print(f"  RSA private operations (signing: ITL, .sgn, .enc.sgn, TLS)  {priv / samples:6.1%}")
            print(f"  RSA public operations (key wrap)                              {pub / samples:6.1%}")
            print(f"  all RSA                                                       {(priv + pub) / samples:6.1%}")
            for label, count in other.items():
                print(f"  {label:<62}{count / samples:6.1%}")


main()
