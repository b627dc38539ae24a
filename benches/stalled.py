#!/usr/bin/env python3
"""A fresh client's latency while many connections stall and others churn, and the memory a
stalled connection costs. The server (release binary) is pinned to CPU 1, this client to
CPU 0 (taskset). Steps:
  1. STALL connections each pipeline up to REQS requests for a large cached image
     (a 160 KB PDF417 SVG) and never read;
  2. meanwhile CHURN connections are opened and reset (SO_LINGER 0), and FRESH new
     connections each make one request: their latency is reported (p50, p99, max);
  3. the server's RSS growth divided by STALL is the memory per stalled connection.
usage: taskset -c 0 benches/stalled.py [BINARY]   (env: STALL=1000 REQS=10000 CHURN=2000 FRESH=500,
       SERVER_ARGS="--admin-listen off": set it empty for a build older than the admin listener)
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/barcoded"
STALL = int(os.environ.get("STALL", "1000"))
REQS = int(os.environ.get("REQS", "10000"))
CHURN = int(os.environ.get("CHURN", "2000"))
FRESH = int(os.environ.get("FRESH", "500"))
BIG = "/v1/pdf417.svg?scale=3&data=" + "A1B2C3D4E5" * 60
SMALL = "/v1/ean13/590123412345.png"


def rss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def request(port, path):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                return data
            data += b


def main():
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port = 19500 + os.getpid() % 400
    extra = os.environ.get("SERVER_ARGS", "--admin-listen off").split()
    srv = subprocess.Popen(["taskset", "-c", "1", BIN, "--listen", f"127.0.0.1:{port}", "--threads", "1", *extra],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        assert request(port, BIG).startswith(b"HTTP/1.1 200"), "the large image renders"
        request(port, SMALL)
        time.sleep(0.5)
        base = rss(srv.pid)
        batch = (f"GET {BIG} HTTP/1.1\r\nHost: t\r\n\r\n" * REQS).encode()
        stalled, sent = [], 0
        for _ in range(STALL):
            s = socket.create_connection(("127.0.0.1", port))
            s.setblocking(False)
            off = 0
            while off < len(batch):
                try:
                    off += s.send(batch[off:off + (1 << 20)])
                except BlockingIOError:
                    break
            sent += off
            stalled.append(s)
        time.sleep(2)
        grown = rss(srv.pid) - base

        stop = threading.Event()

        def churn():
            n = 0
            while n < CHURN and not stop.is_set():
                try:
                    s = socket.create_connection(("127.0.0.1", port))
                    s.sendall(b"GET " + SMALL.encode() + b" HTTP/1.1\r\n")
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                except OSError:
                    pass
                n += 1
            return n

        t = threading.Thread(target=churn)
        t.start()
        lat = []
        for _ in range(FRESH):
            t0 = time.perf_counter()
            r = request(port, SMALL)
            lat.append(time.perf_counter() - t0)
            assert r.startswith(b"HTTP/1.1 200"), r[:80]
        stop.set()
        t.join()
        lat.sort()
        ms = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
        print(f"{STALL} stalled connections ({sent / 1e6:.0f} MB of requests accepted by the kernel), "
              f"{CHURN} opened and reset meanwhile")
        print(f"server RSS +{grown / 1024:.0f} KiB: {grown / STALL / 1024:.1f} KiB per stalled connection")
        print(f"fresh clients ({FRESH}, a new connection each): p50 {ms(0.5):.2f} ms, p99 {ms(0.99):.2f} ms, "
              f"max {lat[-1] * 1000:.2f} ms")
        for s in stalled:
            s.close()
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    main()
