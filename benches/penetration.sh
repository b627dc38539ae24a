#!/usr/bin/env bash
# Cache penetration: what a flood of one invalid request costs against a flood of one cache
# hit. One server (--threads 1, CPU 1), loadgen on CPU 0 (16 connections, DUR seconds per
# run); rounds interleave a cache hit, a bad EAN-13 check digit (422) and an unknown
# symbology (404). Server CPU µs per request from /proc/PID/stat (user + system) over each
# run. Extra server flags after `--` (e.g. a build without the negative cache to compare).
# Usage: benches/penetration.sh [-- FLAGS]   (env: ROUNDS=3, DUR=3)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$root" && cargo build --release -q -p barcoded -p loadgen)
bin="$root/target/release"
ROUNDS="${ROUNDS:-3}" DUR="${DUR:-3}"
[ "${1:-}" = -- ] && shift
port=$((20000 + RANDOM % 10000))
taskset -c 1 "$bin/barcoded" --listen "127.0.0.1:$port" --admin-listen off --threads 1 "$@" 2>/dev/null & pid=$!
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
  for case in "hit /v1/ean13/5901234123457.png" "check-digit /v1/ean13/5901234123458.png" "unknown-symbology /v1/nosuch/123.png"; do
    read -r name target <<< "$case"
    t0=$(ticks)
    n=$(taskset -c 0 "$bin/loadgen" --url "http://127.0.0.1:$port$target" -c 16 -d "$DUR" --json 2>/dev/null | tail -1 |
      python3 -c "import json, sys; print(json.load(sys.stdin)['requests'])")
    t1=$(ticks)
    python3 -c "print(f'round $round  $name: {($t1 - $t0) / $hz * 1e6 / $n:.2f} us of server CPU per request ({$n} requests)')"
  done
done
