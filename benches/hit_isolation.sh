#!/usr/bin/env bash
# Cache-hit latency with and without a cold-render flood on the same core: barcoded on
# CPU 1 (one thread); the flood (loadgen, unique EAN-13s, 64 connections, 4-deep pipelines,
# niced so that the hit client is not starved of CPU 0) and the hit client (loadgen, 4
# connections, closed loop or --rate) on CPU 0. Prints both latency lines, the flood's rate
# and the server's render/shed counters. Extra arguments go to the server
# (e.g. --render-nice 0 to run renders at the event loop's priority).
# Usage: benches/hit_isolation.sh [server flags...]
#   env: HITS="--rate 2000"; FLOOD="--workload mixed --mix decode:1 -c 16" for a decode flood
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --release -q -p barcoded -p loadgen
port=18099
admin=18098
hits="${HITS:-}"
flood="${FLOOD:---workload cold -c 64 --pipeline 4}"
taskset -c 1 ./target/release/barcoded --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --threads 1 "$@" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/v1/ean13/590123412345.png"
curl -sf -o /dev/null "$url"
# shellcheck disable=SC2086
echo "hits alone:      $(taskset -c 0 ./target/release/loadgen --url "$url" -c 4 -d 3 $hits | grep latency)"
# shellcheck disable=SC2086
nice -n 19 taskset -c 0 ./target/release/loadgen --url "http://127.0.0.1:$port/" $flood -d 6 >/tmp/hit_isolation_flood.txt 2>&1 &
sleep 1
# shellcheck disable=SC2086
echo "hits with flood: $(taskset -c 0 ./target/release/loadgen --url "$url" -c 4 -d 3 $hits | grep latency)"
wait %2 2>/dev/null || sleep 3
echo "flood: $(grep '^requests' /tmp/hit_isolation_flood.txt)"
curl -s "http://127.0.0.1:$admin/metrics" | grep -E 'events_total\{event="(shed|render|degraded)"'
