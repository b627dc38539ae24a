#!/usr/bin/env python3
"""Batch cost per item against single cold requests, side by side in one run.

Starts the release server pinned to one CPU (default 1) with one core; this client runs
pinned to another (default 0). Each round makes 1,000 distinct EAN-13s (fresh data every
round and every mode, so every one is a cold render) as:
  single  1,000 GETs of .png on one keep-alive connection (each a cache miss)
  zip     one POST /v1/batch, output zip, format png
  sheet   one POST /v1/batch, output pdf, sheet a4-3x7 (48 pages)
  zpl     one POST /v1/batch, output zpl
and reports, per mode, the server's CPU time per item (all its threads, from
/proc/PID/task/*/schedstat), items per second (wall), and the server's peak RSS growth while the
batch runs (sampled every 2 ms). Rounds are interleaved; the median is reported.

    python3 benches/batch.py [--rounds 5] [--server-cpu 1] [--client-cpu 0]
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_seconds(pid):
    """CPU time of every thread of `pid` so far, in seconds (schedstat: nanoseconds)."""
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{t}/schedstat").read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / 1e9


def rss_kib(pid):
    return int(open(f"/proc/{pid}/status").read().split("VmRSS:")[1].split()[0])


def ean(round_, mode, i):
    body = f"{(round_ * 7 + mode) % 10}{i:011d}"[-12:]
    return body[:2] + f"{(round_ * 4 + mode):02d}"[-2:] + body[4:]


class Peak(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, False

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.002)


def pinned(port, doc):
    """Parses the common flags, pins this client, starts the release server (one core) pinned
    to its CPU on `port`; returns the flags and the server process."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--server-cpu", default="1")
    ap.add_argument("--client-cpu", type=int, default=0)
    ap.add_argument("--port", type=int, default=port)
    a = ap.parse_args()
    os.sched_setaffinity(0, {a.client_cpu})
    binary = os.path.join(ROOT, "target", "release", "barcoded")
    proc = subprocess.Popen(["taskset", "-c", a.server_cpu, binary, "--listen", f"127.0.0.1:{a.port}",
                             "--admin-listen", "off", "--threads", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    proc.stderr.readline()
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return a, proc


def main():
    a, proc = pinned(18731, __doc__)
    results = {m: {"cpu_us": [], "items_s": [], "rss_kib": []} for m in ("single", "zip", "sheet", "zpl")}
    try:
        for r in range(a.rounds):
            for m, mode in enumerate(results):
                codes = [ean(r, m, i) for i in range(1000)]
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
                base, c0, t0 = rss_kib(proc.pid), cpu_seconds(proc.pid), time.perf_counter()
                peak = Peak(proc.pid)
                peak.start()
                if mode == "single":
                    for code in codes:
                        conn.request("GET", f"/v1/ean13/{code}.png")
                        resp = conn.getresponse()
                        resp.read()
                        assert resp.status == 200, resp.status
                else:
                    doc = {"items": [{"symbology": "ean13", "data": c} for c in codes]}
                    doc.update({"zip": {"output": "zip", "format": "png"}, "sheet": {"output": "pdf", "sheet": "a4-3x7"},
                                "zpl": {"output": "zpl"}}[mode])
                    conn.request("POST", "/v1/batch", body=json.dumps(doc))
                    resp = conn.getresponse()
                    body = resp.read()
                    assert resp.status == 200 and len(body) > 10000, (resp.status, body[:200])
                wall = time.perf_counter() - t0
                peak.stop = True
                peak.join()
                cpu = cpu_seconds(proc.pid) - c0
                conn.close()
                results[mode]["cpu_us"].append(cpu / 1000 * 1e6)
                results[mode]["items_s"].append(1000 / wall)
                results[mode]["rss_kib"].append(peak.peak - base)
    finally:
        proc.terminate()
        proc.wait()
    single = statistics.median(results["single"]["cpu_us"])
    print(f"{'mode':8} {'cpu us/item':>12} {'x single':>9} {'items/s':>9} {'peak RSS +KiB':>14}")
    for mode, v in results.items():
        cpu = statistics.median(v["cpu_us"])
        print(f"{mode:8} {cpu:12.1f} {cpu / single:9.2f} {statistics.median(v['items_s']):9.0f} "
              f"{statistics.median(v['rss_kib']):14.0f}")


if __name__ == "__main__":
    main()
