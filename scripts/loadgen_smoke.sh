#!/usr/bin/env bash
# A short loadgen run against a freshly started barcoded: every workload must complete
# requests with no errors (status, framing, body checks). Bounded: 1 s per workload.
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/release/barcoded --listen 127.0.0.1:"$port" --admin-listen off --threads 1 2>/dev/null & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
base="http://127.0.0.1:$port"
check() {
  python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["requests"] > 0, r
assert r["errors"] == 0, r
print("loadgen smoke %s: %d requests, %.0f req/s, p99 %d us, 0 errors" % (sys.argv[1], r["requests"], r["rps"], r["p99_us"]))
' "$1"
}
target/release/loadgen --url "$base/v1/ean13/590123412345.png" -d 1 -c 16 --json | check hot
target/release/loadgen --url "$base/v1/ean13/590123412345.png" -d 1 -c 8 --pipeline 16 --json | check pipelined
target/release/loadgen --url "$base/" -d 1 -c 8 --workload zipf --json | check zipf
target/release/loadgen --url "$base/" -d 1 -c 8 --workload cold --rate 2000 --json | check cold-open-loop
target/release/loadgen --url "$base/" -d 1 -c 8 --workload mixed --mix ean13:3,code128:2,qr:1,datamatrix:1,parse:2,decode:1 --json | check mixed
