#!/usr/bin/env python3
"""POST /v1/label cost: the 4x6 in shipping label of tests/labels/test_label.py (an SSCC in
GS1-128, a QR code, five text lines, a frame, a rule) in each format, at 203 and 300 dpi.
The release server runs pinned to one CPU with one core, this client on another; reports the
server's CPU time per label (all threads, /proc/PID/task/*/schedstat), labels per second on
one connection, and the answer's size. Rounds interleave the formats; medians.

    python3 benches/label.py [--rounds 5] [--n 200]
"""
import http.client
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "labels"))
sys.path.insert(0, os.path.join(ROOT, "benches"))
from batch import cpu_seconds, pinned  # noqa: E402
from test_label import shipping  # noqa: E402


def main():
    a, proc = pinned(18732, __doc__)
    cases = [(f, d) for d in (203, 300) for f in ("zpl", "pdf", "png")]
    res = {c: ([], [], 0) for c in cases}
    try:
        for _ in range(a.rounds):
            for c in cases:
                body = json.dumps(shipping(*c))
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
                c0, t0 = cpu_seconds(proc.pid), time.perf_counter()
                for _ in range(a.n):
                    conn.request("POST", "/v1/label", body=body)
                    r = conn.getresponse()
                    out = r.read()
                    assert r.status == 200, out[:200]
                wall = time.perf_counter() - t0
                cpu = cpu_seconds(proc.pid) - c0
                conn.close()
                res[c][0].append(cpu / a.n * 1e6)
                res[c][1].append(a.n / wall)
                res[c] = (res[c][0], res[c][1], len(out))
    finally:
        proc.terminate()
        proc.wait()
    print(f"{'format':7} {'dpi':>4} {'cpu us/label':>13} {'labels/s':>9} {'bytes':>8}")
    for (f, d), (cpu, rate, size) in res.items():
        print(f"{f:7} {d:4} {statistics.median(cpu):13.0f} {statistics.median(rate):9.0f} {size:8}")


if __name__ == "__main__":
    main()
