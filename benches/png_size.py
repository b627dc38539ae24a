#!/usr/bin/env python3
"""PNG size check: our output per symbology against the same image squeezed by oxipng
(-o 2, the pyoxipng binding). usage: png_size.py [BASE_URL] (default http://127.0.0.1:8080)."""
import sys
import urllib.parse
import urllib.request

import oxipng

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
SAMPLES = [("ean13", "590123412345"), ("ean8", "9638507"), ("upca", "03600029145"), ("upce", "0425261"),
           ("itf", "12345678901234"), ("itf14", "1540014128876"), ("code128", "ORD-123456789-42"),
           ("gs1-128", "(01)09506000134352(17)261231(10)ABC"), ("code39", "CODE39-LABEL"),
           ("code93", "Code93-label"), ("codabar", "A40156B"), ("qr", "https://shop.example.com/o/1234567890"),
           ("datamatrix", "https://shop.example.com/o/1234567890"), ("pdf417", "https://shop.example.com/o/1234567890"),
           ("aztec", "https://shop.example.com/o/1234567890")]

print(f"{'symbology':<12}{'ours B':>8}{'oxipng -o2 B':>14}{'ratio':>8}")
tot_a = tot_b = 0
for sym, data in SAMPLES:
    ours = urllib.request.urlopen(f"{BASE}/v1/{sym}/{urllib.parse.quote(data, safe='')}.png").read()
    best = oxipng.optimize_from_memory(ours, level=2)
    tot_a += len(ours)
    tot_b += len(best)
    print(f"{sym:<12}{len(ours):>8}{len(best):>14}{len(ours) / len(best):>8.2f}")
print(f"{'total':<12}{tot_a:>8}{tot_b:>14}{tot_a / tot_b:>8.2f}")
