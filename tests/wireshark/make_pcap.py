#!/usr/bin/env python3
"""Builds pcap files that carry given files the way cucm-emu serves them, for the Wireshark
dissector tests. Standard library only; pcap and packet headers are written by hand.

  make_pcap.py OUT.pcap tftp FILE...       each file as one TFTP read (RRQ, DATA blocks of 512, ACKs)
  make_pcap.py OUT.pcap http FILE...       each file as one HTTP/1.1 GET and its 200 response
  make_pcap.py OUT.pcap tcp PORT FILE...   each file as the payload of one TCP connection to PORT,
                                           client to server, in segments of 1000 bytes

  --segment N (before OUT.pcap): TCP segments of N bytes instead of 1000.
  --mutate N (before OUT.pcap): also carry N damaged copies of each file: cut short at N places
  and with bytes overwritten (half of them 0xff, which makes lengths run past their bounds),
  chosen by a random generator seeded with the file's name, so the same inputs give the same pcap.

Every packet goes between 127.0.0.1 and 127.0.0.2; each file gets its own client port.
The file's base name is the name requested over TFTP and HTTP.
"""
import os
import random
import struct
import sys

LINKTYPE_ETHERNET = 1
CLIENT, SERVER = bytes([127, 0, 0, 1]), bytes([127, 0, 0, 2])


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        self.t = 1_700_000_000_000_000  # microseconds

    def frame(self, data):
        self.t += 1000
        self.f.write(struct.pack("<IIII", self.t // 1_000_000, self.t % 1_000_000, len(data), len(data)))
        self.f.write(data)

    def ip(self, src, dst, proto, payload):
        eth = b"\x00\x00\x00\x00\x00\x02" + b"\x00\x00\x00\x00\x00\x01" + b"\x08\x00"
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst)
        s = sum(struct.unpack("!10H", hdr))
        while s > 0xFFFF:
            s = (s & 0xFFFF) + (s >> 16)
        hdr = hdr[:10] + struct.pack("!H", ~s & 0xFFFF) + hdr[12:]
        self.frame(eth + hdr + payload)

    def udp(self, src, sport, dst, dport, payload):
        self.ip(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)

    def tcp(self, src, sport, dst, dport, seq, ack, flags, payload=b""):
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        self.ip(src, dst, 6, hdr + payload)


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
SEGMENT = 1000


class TcpConn:
    """One connection, handshake included, with both sides' sequence numbers tracked."""

    def __init__(self, w, cport, sport):
        self.w, self.cport, self.sport = w, cport, sport
        self.cseq, self.sseq = 1000, 5000
        w.tcp(CLIENT, cport, SERVER, sport, self.cseq, 0, SYN)
        w.tcp(SERVER, sport, CLIENT, cport, self.sseq, self.cseq + 1, SYN | ACK)
        self.cseq += 1
        self.sseq += 1
        w.tcp(CLIENT, cport, SERVER, sport, self.cseq, self.sseq, ACK)

    def send(self, from_client, data, mss=None):
        mss = mss or SEGMENT
        for i in range(0, len(data), mss):
            part = data[i:i + mss]
            if from_client:
                self.w.tcp(CLIENT, self.cport, SERVER, self.sport, self.cseq, self.sseq, PSH | ACK, part)
                self.cseq += len(part)
            else:
                self.w.tcp(SERVER, self.sport, CLIENT, self.cport, self.sseq, self.cseq, PSH | ACK, part)
                self.sseq += len(part)

    def close(self):
        self.w.tcp(CLIENT, self.cport, SERVER, self.sport, self.cseq, self.sseq, FIN | ACK)
        self.w.tcp(SERVER, self.sport, CLIENT, self.cport, self.sseq, self.cseq + 1, FIN | ACK)
        self.w.tcp(CLIENT, self.cport, SERVER, self.sport, self.cseq + 1, self.sseq + 1, ACK)


def tftp(w, n, name, data):
    cport, sport = 20000 + n % 20000, 40000 + n % 20000
    w.udp(CLIENT, cport, SERVER, 69, struct.pack("!H", 1) + name.encode() + b"\0octet\0")
    block = 1
    while True:
        part = data[(block - 1) * 512:block * 512]
        w.udp(SERVER, sport, CLIENT, cport, struct.pack("!HH", 3, block & 0xFFFF) + part)
        w.udp(CLIENT, cport, SERVER, sport, struct.pack("!HH", 4, block & 0xFFFF))
        if len(part) < 512:
            break
        block += 1


def http(w, n, name, data):
    c = TcpConn(w, 20000 + n % 20000, 6970)
    c.send(True, f"GET /{name} HTTP/1.1\r\nHost: 127.0.0.2:6970\r\n\r\n".encode())
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(data)}\r\nContent-Type: */*\r\n\r\n".encode()
    c.send(False, head + data)
    c.close()


def tcp(w, n, port, data):
    c = TcpConn(w, 20000 + n % 20000, port)
    c.send(True, data)
    c.close()


def variants(name, data, n):
    yield data
    rng = random.Random(name)
    for i in range(n):
        if len(data) < 2:
            return
        if i % 2 == 0:
            yield data[:rng.randrange(1, len(data))]
        else:
            b = bytearray(data)
            for _ in range(1 + len(b) // 64):
                b[rng.randrange(len(b))] = 0xFF if rng.random() < 0.5 else rng.randrange(256)
            yield bytes(b)


def main(argv):
    global SEGMENT
    mutate = 0
    while len(argv) > 2 and argv[1] in ("--mutate", "--segment"):
        if argv[1] == "--mutate":
            mutate = int(argv[2])
        else:
            SEGMENT = int(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) < 4:
        sys.exit(__doc__)
    out, mode = argv[1], argv[2]
    w = Writer(out)
    args = argv[3:]
    port = None
    if mode == "tcp":
        port, args = int(args[0]), args[1:]
    inputs = []
    for path in args:
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(path)
        inputs += [(name, v) for v in variants(name, data, mutate)]
    for n, (name, data) in enumerate(inputs):
        if mode == "tftp":
            tftp(w, n, name, data)
        elif mode == "http":
            http(w, n, name, data)
        elif mode == "tcp":
            tcp(w, n, port, data)
        else:
            sys.exit(f"make_pcap: unknown mode {mode}")
    w.f.close()


if __name__ == "__main__":
    main(sys.argv)
