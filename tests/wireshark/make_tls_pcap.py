#!/usr/bin/env python3
"""Builds a pcap of one TLS connection between two in-memory TLS endpoints of Python's ssl module
(no socket, no capture), with the session keys written to a key log, for the Wireshark tests.

  make_tls_pcap.py OUT.pcap KEYLOG CERT KEY PORT [--tls1.2] STEP...

CERT and KEY (PEM) are the server's. Each STEP is `c=FILE` (the client sends the file's bytes in
one TLS record) or `s=FILE` (the server does), or `c=FILE:N` / `s=FILE:N` to send them in records
of N bytes. The TLS bytes go into TCP segments of 1000 bytes (make_pcap.py's writer), client
127.0.0.1:20000, server 127.0.0.2:PORT.
"""
import os
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_pcap  # noqa: E402


def main(argv):
    if len(argv) < 7:
        sys.exit(__doc__)
    out, keylog, cert, key, port = argv[1], argv[2], argv[3], argv[4], int(argv[5])
    steps = argv[6:]
    version = ssl.TLSVersion.TLSv1_3
    if steps and steps[0] == "--tls1.2":
        version, steps = ssl.TLSVersion.TLSv1_2, steps[1:]

    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    cctx.maximum_version = version
    cctx.keylog_filename = keylog

    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = cctx.wrap_bio(c_in, c_out, server_side=False)
    server = sctx.wrap_bio(s_in, s_out, server_side=True)

    w = make_pcap.Writer(out)
    conn = make_pcap.TcpConn(w, 20000, port)

    def flush():
        """Moves what each side wrote to the other, as TCP segments; True if anything moved."""
        moved = False
        data = c_out.read()
        if data:
            conn.send(True, data)
            s_in.write(data)
            moved = True
        data = s_out.read()
        if data:
            conn.send(False, data)
            c_in.write(data)
            moved = True
        return moved

    done = {"c": False, "s": False}
    for _ in range(20):
        for name, obj in (("c", client), ("s", server)):
            if not done[name]:
                try:
                    obj.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        if not flush() and all(done.values()):
            break

    def drain(obj):
        try:
            while obj.read(65536):
                pass
        except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
            pass

    for step in steps:
        side, _, spec = step.partition("=")
        path, _, size = spec.partition(":")
        with open(path, "rb") as f:
            data = f.read()
        n = int(size) if size else len(data)
        sender, receiver = (client, server) if side == "c" else (server, client)
        for i in range(0, len(data), n):
            sender.write(data[i:i + n])
            flush()  # one record per write, sent before the next
        drain(receiver)
        flush()
    conn.close()
    w.f.close()


if __name__ == "__main__":
    main(sys.argv)
