#!/usr/bin/env python3
"""A hostile lab neighbour (issue 16): one address floods TFTP, HTTP and CAPF at once, as fast
as this process can, until it is stopped (SIGTERM) or its time is up. Loopback only.

usage: hostile_flood.py SOURCE SERVER TFTP_PORT HTTP_PORT CAPF_PORT SECONDS [CAPF_CONNECTIONS]

What it does, all from SOURCE (e.g. 127.0.0.2):
  tftp   read requests as fast as it can send them: half for a real file with `timeout 255`
         and never acknowledged (slots held as long as the server lets it), half for names that
         do not exist (404s for the event log); answers are read and dropped
  http   200 keep-alive connections asking for names that do not exist, request after request,
         and 200 more that send header lines (`a:`) forever without ending the head
  capf   CAPF_CONNECTIONS (300: more than the 256 sessions serve allows by default) connections
         that finish the TLS handshake and then say nothing (sessions held until the server's
         deadline), each reopened as soon as it is closed

At the end it prints one line: key=value counts of what it sent and what it got back.
"""
import asyncio
import signal
import socket
import ssl
import struct
import sys

counts = {"tftp_rrq": 0, "tftp_replies": 0, "http_requests": 0, "http_replies": 0, "http_closed": 0,
          "header_lines": 0, "capf_sessions": 0, "capf_refused": 0}


def rrq(name, options):
    body = name.encode() + b"\0octet\0"
    for k, v in options:
        body += k.encode() + b"\0" + v.encode() + b"\0"
    return struct.pack("!H", 1) + body


async def tftp_flood(source, server, port, stop):
    loop = asyncio.get_running_loop()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((source, 0))
    s.setblocking(False)
    held = rrq("ITLFile.tlv", [("timeout", "255"), ("blksize", "1428")])
    i = 0
    while not stop.is_set():
        for _ in range(64):
            packet = held if i % 2 == 0 else rrq(f"SEPDEADBEEF{i % 9999:04d}.cnf.xml", [])
            try:
                s.sendto(packet, (server, port))
                counts["tftp_rrq"] += 1
            except (BlockingIOError, OSError):
                pass
            i += 1
        while True:  # drop the answers (OACK, DATA, ERROR "Server busy" or "File not found")
            try:
                s.recvfrom(65536)
                counts["tftp_replies"] += 1
            except (BlockingIOError, OSError):
                break
        await asyncio.sleep(0)
    s.close()


async def connect(source, server, port):
    """A connection from SOURCE, or None after a short pause when it cannot be made."""
    try:
        return await asyncio.open_connection(server, port, local_addr=(source, 0))
    except OSError:
        await asyncio.sleep(0.01)
        return None


async def http_keepalive(source, server, port, stop, n):
    while not stop.is_set():
        if (conn := await connect(source, server, port)) is None:
            continue
        reader, writer = conn
        try:
            while not stop.is_set():
                writer.write(f"GET /nothing-{n}-{counts['http_requests']}.bin HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                counts["http_requests"] += 1
                head = await reader.readuntil(b"\r\n\r\n")
                counts["http_replies"] += 1
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                if length:
                    await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            counts["http_closed"] += 1
        finally:
            writer.close()


async def http_endless_head(source, server, port, stop):
    while not stop.is_set():
        if (conn := await connect(source, server, port)) is None:
            continue
        reader, writer = conn
        try:
            writer.write(b"GET / HTTP/1.1\r\n")
            while not stop.is_set():
                writer.write(b"a:\r\n" * 64)
                counts["header_lines"] += 64
                await writer.drain()
                await asyncio.sleep(0.05)
                if reader.at_eof():
                    break
        except OSError:
            pass
        finally:
            counts["http_closed"] += 1
            writer.close()


async def capf_silent(source, server, port, stop, ctx):
    while not stop.is_set():
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(server, port, local_addr=(source, 0), ssl=ctx), 5)
        except (OSError, ssl.SSLError, asyncio.TimeoutError):
            counts["capf_refused"] += 1
            await asyncio.sleep(0.01)
            continue
        counts["capf_sessions"] += 1
        try:
            while not stop.is_set() and await reader.read(4096):
                pass  # AuthRequest, then End or a close at the server's deadline
        except (OSError, ssl.SSLError):
            pass
        finally:
            writer.close()


async def main():
    source, server = sys.argv[1], sys.argv[2]
    tftp_port, http_port, capf_port, seconds = (int(a) for a in sys.argv[3:7])
    capf_connections = int(sys.argv[7]) if len(sys.argv) > 7 else 300
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.call_later(seconds, stop.set)  # bounded: it stops by itself
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    tasks = [asyncio.create_task(tftp_flood(source, server, tftp_port, stop))]
    tasks += [asyncio.create_task(http_keepalive(source, server, http_port, stop, n)) for n in range(200)]
    tasks += [asyncio.create_task(http_endless_head(source, server, http_port, stop)) for _ in range(200)]
    tasks += [asyncio.create_task(capf_silent(source, server, capf_port, stop, ctx)) for _ in range(capf_connections)]
    await stop.wait()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(" ".join(f"{k}={v}" for k, v in counts.items()), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
