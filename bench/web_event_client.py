#!/usr/bin/env python3
"""An admin-site event-stream client for run_web_bench.sh (python3 stdlib only).

Connects to https://127.0.0.1:PORT/api/v1/events/stream with a bearer token (the certificate
verified against the admin site's own, DATA/pki/tomcat.pem, without a host name check), reads
the text/event-stream until SIGTERM/SIGINT, the server closes it, or --max-seconds, and for every
event computes delay = the time its bytes were received (UTC, ms, stamped at the recv() that
brought the event's last line) - the event's "time" field (UTC with milliseconds, stamped by the
server when it handled the request). Touches --ready once the response head is in (200,
text/event-stream). At the end prints one JSON line: count, ids (first, last, missing in
between, repeated), delays (p50, p90, p99, max, min, mean, how many over 200 ms) and how it ended.
"""
import argparse
import calendar
import json
import signal
import socket
import ssl
import sys
import time

stop = False


def on_signal(signum, frame):  # noqa: ARG001
    global stop
    stop = True


def event_ms(text):
    """'YYYY-MM-DD HH:MM:SS.mmm' (UTC) as ms since the epoch."""
    whole, _, frac = text.partition(".")
    seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%d %H:%M:%S"))
    return seconds * 1000 + int((frac + "000")[:3])


def percentile(sorted_values, p):
    """Nearest rank."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--ready", required=True, help="a file made once the stream's head is read")
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--records", help="write 'id recv_ms event_ms' per event here")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    token = open(a.token_file).read().strip()

    ctx = ssl.create_default_context(cafile=a.cafile)
    ctx.check_hostname = False  # the certificate names the cluster's node, not 127.0.0.1
    raw = socket.create_connection(("127.0.0.1", a.port), timeout=10)
    sock = ctx.wrap_socket(raw)
    sock.sendall((f"GET /api/v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1:{a.port}\r\n"
                  f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n").encode())
    buf = b""
    deadline = time.monotonic() + a.max_seconds
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            print(json.dumps({"error": "closed before the response head", "got": buf[:300].decode("latin-1")}))
            return 2
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].decode("latin-1")
    if " 200 " not in status + " " or b"text/event-stream" not in head:
        print(json.dumps({"error": "not an event stream", "head": head.decode("latin-1")[:500]}))
        return 2
    open(a.ready, "w").close()

    sock.settimeout(0.2)  # so that a signal is seen within 0.2 s
    ended = "signal"
    records = []  # (id, recv_ms, event_ms)
    cur_id, cur_data = None, None
    pending = buf
    while True:
        if stop:
            break
        if time.monotonic() > deadline:
            ended = "max-seconds"
            break
        if pending:
            chunk, pending = pending, b""
            now_ms = time.time() * 1000.0
        else:
            try:
                chunk = sock.recv(1 << 20)
            except (socket.timeout, TimeoutError):
                continue
            except ssl.SSLWantReadError:
                continue
            now_ms = time.time() * 1000.0
            if not chunk:
                ended = "closed by the server"
                break
        buf += chunk
        while b"\n" in buf:
            line, _, buf = buf.partition(b"\n")
            line = line.rstrip(b"\r")
            if not line:
                if cur_data is not None:
                    e = json.loads(cur_data)
                    records.append((int(e.get("id", cur_id or 0)), now_ms, event_ms(e["time"])))
                cur_id, cur_data = None, None
            elif line.startswith(b"id:"):
                cur_id = int(line[3:].strip())
            elif line.startswith(b"data:"):
                cur_data = line[5:].strip().decode()
            # "event:" and ": comment" lines need nothing
    try:
        sock.close()
    except OSError:
        pass

    if a.records:
        with open(a.records, "w") as f:
            for r in records:
                f.write(f"{r[0]} {r[1]:.1f} {r[2]}\n")
    ids = [r[0] for r in records]
    delays = sorted(r[1] - r[2] for r in records)
    out = {"ended": ended, "count": len(records)}
    if ids:
        unique = set(ids)
        out.update({
            "first_id": min(ids), "last_id": max(ids),
            "missing": (max(ids) - min(ids) + 1) - len(unique), "repeated": len(ids) - len(unique),
            "in_order": all(x < y for x, y in zip(ids, ids[1:])),
            "delay_ms": {"p50": percentile(delays, 50), "p90": percentile(delays, 90),
                         "p99": percentile(delays, 99), "max": delays[-1], "min": delays[0],
                         "mean": sum(delays) / len(delays),
                         "over_200": sum(1 for d in delays if d > 200)},
        })
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
