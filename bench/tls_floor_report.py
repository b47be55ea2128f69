"""The table of run_tvs_bench.sh and run_sip_bench.sh: a TLS service's requests/s next to the
handshake floor (openssl s_server against s_time) of the same round.

usage: tls_floor_report.py tvs|sip FLOOR.jsonl RESULTS.jsonl "PEER TLS FLAGS"
Each ratio pairs a bench run with the floor measured just before it at the same concurrency
(same round), so that load from the rest of the machine weighs on both; the table gives the
median over rounds and the spread.
"""
import json
import statistics
import sys

# Per service: the issue's target (>= that share of the floor), the results' rate field, the
# column's and the notes' words, and how the floor was run.
KINDS = {
    "tvs": {"target": 0.8, "rate_key": "verifications_per_s", "column": "verif/s", "noun": "verification",
            "floor": "openssl s_server ({tls}, the TVS certificate and key, no tickets or cache), "
                     "C x openssl s_time -new at once"},
    "sip": {"target": 0.7, "rate_key": "registrations_per_s", "column": "reg/s", "noun": "registration",
            "floor": "openssl s_server -Verify 1 ({tls}, the CallManager certificate and key, CAfile the CAPF "
                     "certificate, no tickets or cache), C x openssl s_time -new -cert <a phone's LSC> at once"},
}


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def spread(xs, fmt):
    return f"{fmt.format(min(xs))}..{fmt.format(max(xs))}"


def main():
    kind = KINDS[sys.argv[1]]
    target, noun = kind["target"], kind["noun"]
    floors = {(f["round"], f["concurrency"]): f for f in load(sys.argv[2])}
    results = load(sys.argv[3])
    peer_tls = sys.argv[4]

    print("floor: " + kind["floor"].format(tls=peer_tls))
    print(f"{'C':>3} {'handshakes/s':>12} {'min..max':>15} {'s_server us':>11}")
    for c in sorted({k[1] for k in floors}):
        fs = [f for (r, cc), f in floors.items() if cc == c and f["handshakes"] and f["wall_s"] > 0]
        if not fs:
            print(f"{c:>3} no figure (see s_time's output)")
            continue
        rates = [f["handshakes"] / f["wall_s"] for f in fs]
        cpu = [f["server_cpu_s"] / f["handshakes"] * 1e6 for f in fs]
        print(f"{c:>3} {statistics.median(rates):>12.1f} {spread(rates, '{:.0f}'):>15} {statistics.median(cpu):>11.0f}")
    print()

    rows = {}
    for r in results:
        f = floors.get((r["round"], r["concurrency"]))
        if not f or not f["handshakes"] or not r["ok"]:
            continue
        floor_rate = f["handshakes"] / f["wall_s"]
        floor_us = f["server_cpu_s"] / f["handshakes"] * 1e6
        srv_us = r["server_all_cpu_s"] / r["ok"] * 1e6
        rows.setdefault((r["server_threads"], r["concurrency"]), []).append({
            "rate": r[kind["rate_key"]], "x_rate": r[kind["rate_key"]] / floor_rate,
            "srv_us": srv_us, "loop_us": r["server_cpu_s"] / r["ok"] * 1e6,
            "cli_us": r["client_cpu_s"] / r["ok"] * 1e6, "x_cpu": floor_us / srv_us if srv_us else 0.0,
            "p99": r["p99_ms"], "tls": r["tls"]})

    head = (f"{'T':>2} {'C':>3} {kind['column']:>8} {'min..max':>11} {'p99 ms':>7} {'srv us':>7} {'loop us':>7} "
            f"{'cli us':>7} {'x floor/s':>9} {'min..max':>11} {'x floor CPU':>11} {'min..max':>11}")
    print(head)
    print("-" * len(head))
    verdicts = []
    for (t, c), rs in sorted(rows.items()):
        med = lambda k: statistics.median(x[k] for x in rs)  # noqa: E731
        xr, xc = med("x_rate"), med("x_cpu")
        print(f"{t:>2} {c:>3} {med('rate'):>8.1f} {spread([x['rate'] for x in rs], '{:.0f}'):>11} "
              f"{med('p99'):>7.2f} {med('srv_us'):>7.0f} {med('loop_us'):>7.0f} {med('cli_us'):>7.0f} "
              f"{xr:>9.2f} {spread([x['x_rate'] for x in rs], '{:.2f}'):>11} "
              f"{xc:>11.2f} {spread([x['x_cpu'] for x in rs], '{:.2f}'):>11}")
        verdicts.append((t, c, xr, xc))
    print()
    print("T = server threads, C = concurrent clients; figures are medians over rounds (min..max); srv us =")
    print(f"the server's CPU per {noun} (its loops and the event writer), loop us = its loops only,")
    print(f"cli us = the client threads'; x floor/s = {noun}s/s / s_server's handshakes/s with C")
    print("s_time at once in the same round; x floor CPU = s_server's CPU per handshake / srv us (both")
    print(f"ratios: higher is better, target >= {target}). s_server is one thread: with T = 2 the")
    print("throughput ratio compares two loops against one, the CPU ratio does not depend on T.")
    if rows:
        tls = next(iter(rows.values()))[0]["tls"]
        print(f"phones negotiated: {tls}")
    print()
    for t, c, xr, xc in verdicts:
        print(f"  {'met    ' if xr >= target else 'NOT met'} throughput {xr:.2f}, "
              f"{'met    ' if xc >= target else 'NOT met'} CPU {xc:.2f} of the floor at T={t} C={c}")
    print("note: the clients, the server and s_time share the machine's cores, and other work on the")
    print("machine moves every figure; the ratios pair runs of the same round")


if __name__ == "__main__":
    main()
