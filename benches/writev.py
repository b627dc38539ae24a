#!/usr/bin/env python3
"""Cache hits of a small and a large body, written by copy or by reference (writev), side by
side: each server pinned to CPU 1, wrk to CPU 0, one at a time, rounds interleaved. Prints
req/s and the server's own CPU time per request (utime + stime from /proc).

usage: benches/writev.py NAME=BINARY [NAME=BINARY ...]   (env: DUR, ROUNDS, CONNS)
benches/writev.sh builds the two variants (default, and --features bench-copy-bodies).
"""
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

DUR = int(os.environ.get("DUR", "5"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
CONNS = int(os.environ.get("CONNS", "64"))
HZ = os.sysconf("SC_CLK_TCK")
PATHS = {
    "small-png": "/v1/ean13/590123412345.png",  # 234 bytes
    "qr-svg": "/v1/qr.svg?data=https%3A%2F%2Fshop.example.com%2Fo%2F123456",  # about 3.6 KB
    "pdf417-9k": "/v1/pdf417.svg?data=A1B2C3D4E5",  # about 9 KB
    "pdf417-13k": "/v1/pdf417.svg?data=" + "A1B2C3D4E5" * 3,  # about 13 KB
    "large-svg": "/v1/pdf417.svg?scale=3&data=" + "A1B2C3D4E5" * 60,  # about 160 KB
}


def wait_port(port):
    end = time.time() + 20
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def cpu_ticks(pid):
    tot = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        f = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
        tot += int(f[11]) + int(f[12])
    return tot


def run(binary, path, port):
    p = subprocess.Popen(["taskset", "-c", "1", binary, "--listen", f"127.0.0.1:{port}", "--admin-listen", "off",
                          "--threads", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_port(port)
        url = f"http://127.0.0.1:{port}{path}"
        size = len(urllib.request.urlopen(url).read())
        args = ["taskset", "-c", "0", "wrk", "-t1", f"-c{CONNS}"]
        subprocess.run(args + ["-d1s", url], capture_output=True)
        c0 = cpu_ticks(p.pid)
        out = subprocess.run(args + [f"-d{DUR}s", url], capture_output=True, text=True).stdout
        c1 = cpu_ticks(p.pid)
        reqs = int(re.search(r"(\d+) requests in", out).group(1))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        return dict(rps=rps, cpu_us=(c1 - c0) / HZ * 1e6 / reqs, size=size)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait()


def main():
    servers = [a.split("=", 1) for a in sys.argv[1:]]
    res, port = {}, 9400
    for _ in range(ROUNDS):
        for scen, path in PATHS.items():
            for name, binary in servers:
                port += 1
                res.setdefault((scen, name), []).append(run(binary, path, port))
    print(f"{'body':<12}{'bytes':>8} {'server':<10}{'req/s (median)':>16}{'cpu us/req':>12}")
    for scen in PATHS:
        for name, _ in servers:
            xs = res[(scen, name)]
            print(f"{scen:<12}{xs[0]['size']:>8} {name:<10}{statistics.median(x['rps'] for x in xs):>16.0f}"
                  f"{statistics.median(x['cpu_us'] for x in xs):>12.2f}")


if __name__ == "__main__":
    main()
