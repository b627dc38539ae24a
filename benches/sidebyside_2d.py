#!/usr/bin/env python3
"""Cold 2D requests side by side: the shared runner (../shared/bench/sidebyside.py: server on
CPU 1, wrk on CPU 0, rounds interleaved, server CPU µs per request from /proc) with scenarios
for DataMatrix, PDF417, Aztec and MaxiCode shaped as its cold-qr one — the same URL data, a
new one every request — so each 2D family's cold cost compares with QR's in one run.
usage: sidebyside_2d.py NAME=CMD [NAME=CMD ...]   (env: DUR, ROUNDS, CONNS, SHARED_BENCH)"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("SHARED_BENCH", os.path.join(here, "..", "..", "shared", "bench")))
import sidebyside  # noqa: E402

for sym in ("datamatrix", "pdf417", "aztec", "maxicode"):
    sidebyside.LUA[f"cold-{sym}"] = sidebyside.LUA["cold-qr"].replace("/v1/qr/", f"/v1/{sym}/")

if __name__ == "__main__":
    sys.argv = [sys.argv[0], "cold-qr,cold-datamatrix,cold-pdf417,cold-aztec,cold-maxicode"] + sys.argv[1:]
    sidebyside.main()
