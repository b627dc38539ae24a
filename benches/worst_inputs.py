"""Worst inputs against typical ones, per 2D symbology: each request a `POST` at scale 1 whose
data differs from every earlier one (a counter written into it), so each renders cold; the
median of ROUNDS round trips in ms over loopback, and worst / typical. Start the server first,
pinned (`taskset -c 1 target/release/barcoded --listen 127.0.0.1:8099 --admin-listen off
--threads 1`), and run this on another CPU:
    taskset -c 0 python3 benches/worst_inputs.py [http://127.0.0.1:8099] [ROUNDS] [SYMBOLOGY,...]
"""
import http.client
import statistics
import sys
import time
import urllib.parse

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8099"
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 7
URL = "https://shop.example.com/orders/2026/00012345"
MIXED = "".join(["Ab", "1.", ", ", "é", "\r\n", "x@", "Zq", "9;"][i % 8] for i in range(750))

# symbology: (query, typical, [(name, worst input), ...]); a counter replaces the first
# characters of each, in the input's own alphabet, so that every request is new.
CASES = {
    "qr": ("ecc=L", URL, [("7,089 digits", "7" * 7089), ("2,953 bytes", "é" * 1476), ("mixed", MIXED)]),
    "datamatrix": ("", URL, [("2,335 capitals", "Q" * 2335), ("3,116 digits", "7" * 3116), ("mixed", MIXED[:1100])]),
    "pdf417": ("ecc=0", URL, [("1,000 bytes", "é" * 500), ("2,628 digits", "7" * 2628), ("mixed", MIXED[:1000])]),
    "aztec": ("ecc=5", URL, [("4,748 digits", "7" * 4748), ("3,799 capitals", "Q" * 3799), ("1,183 é", "é" * 1183),
                             ("1,500 mixed", MIXED)]),
    "micropdf417": ("", "https://ex.com/o/1", [("366 digits", "7" * 366), ("140 bytes", "é" * 70),
                                                ("mixed", MIXED[:90])]),
    "rmqr": ("", "https://ex.com/o/1", [("361 digits", "7" * 361), ("140 bytes", "é" * 70), ("mixed", MIXED[:100])]),
    "maxicode": ("", "1Z00004951 UPSN 06X610", [("138 digits", "7" * 138), ("93 capitals", "Q" * 93)]),
    "dotcode": ("", URL, [("2,938 digits", "7" * 2938), ("1,470 capitals", "Q" * 1470), ("1,225 é", "é" * 1225),
                          ("1,100 mixed", MIXED[:1100])]),
}
ONLY = sys.argv[3].split(",") if len(sys.argv) > 3 else None

counter = 0


def fresh(data):
    global counter
    counter += 1
    tag = str(counter)
    digits = all(c.isdigit() for c in data)
    upper = all(c.isupper() for c in data)
    tag = tag if digits else "".join("QRSTUVWXYZ"[int(d)] for d in tag) if upper else tag
    return tag + data[len(tag):]


def once(conn, sym, query, data):
    body = fresh(data).encode()
    t = time.perf_counter()
    conn.request("POST", f"/v1/{sym}.png?scale=1" + (f"&{query}" if query else ""), body=body)
    r = conn.getresponse()
    r.read()
    dt = (time.perf_counter() - t) * 1000
    if r.status != 200:
        raise SystemExit(f"{sym}: {r.status} for {len(body)} bytes")
    return dt


def median(conn, sym, query, data):
    once(conn, sym, query, data)
    return statistics.median(once(conn, sym, query, data) for _ in range(ROUNDS))


def main():
    u = urllib.parse.urlparse(BASE)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    print(f"{'symbology':<12} {'input':<16} {'ms':>8} {'x typical':>10}")
    for sym, (query, typical, worst) in CASES.items():
        if ONLY and sym not in ONLY:
            continue
        base = median(conn, sym, query, typical)
        print(f"{sym:<12} {'typical':<16} {base:8.3f} {1:10.1f}")
        for name, data in worst:
            ms = median(conn, sym, query, data)
            print(f"{sym:<12} {name:<16} {ms:8.3f} {ms / base:10.1f}")


main()
