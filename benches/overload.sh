#!/usr/bin/env bash
# Overload: one core offered FACTOR x the cold renders it can make, with the adaptive
# concurrency limit (`--concurrency-limit auto`, the default) and without it (`off`), in
# interleaved rounds. Server pinned to CPU 1 (one core), loadgen to CPU 0. Cold QR renders
# (unique data), so every request is work. Capacity: the best of three closed-loop runs
# (the machine is shared; a slow run is noise, not capacity), each on a fresh server. Unloaded p99: open loop at a
# quarter of capacity. Then open loop at FACTOR x capacity, latency from the intended send
# time (the client's own backlog counts). Goodput = 2xx per second; the p99 is of the 2xx.
# Extra server flags for both configurations after `--`.
# Usage: benches/overload.sh [-- FLAGS]   (env: DUR=5, FACTOR=3, CONNS=256, ROUNDS=2, MIX=qr:1, QUERY=, LIMITS="auto off")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$root" && cargo build --release -q -p barcoded -p loadgen)
bin="$root/target/release"
DUR="${DUR:-5}" FACTOR="${FACTOR:-3}" CONNS="${CONNS:-256}" ROUNDS="${ROUNDS:-2}" MIX="${MIX:-qr:1}" QUERY="${QUERY:-}"
[ "${1:-}" = -- ] && shift
extra=("$@")
port=$((20000 + RANDOM % 10000))
pid=
serve() {
  taskset -c 1 "$bin/barcoded" --listen "127.0.0.1:$port" --admin-listen off --threads 1 "${extra[@]}" "$@" \
    >/dev/null 2>&1 & pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && { sleep 1; return; }; sleep 0.1; done
  echo "overload.sh: the server did not start" >&2; exit 1
}
stop() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; pid=; }
trap stop EXIT
load() {
  taskset -c 0 "$bin/loadgen" --url "http://127.0.0.1:$port/" --workload mixed --mix "$MIX" ${QUERY:+--query "$QUERY"} -d "$DUR" --json "$@" | tail -1
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

# A fresh server for every run: loadgen's data repeats from run to run (fixed seeds), and
# a second run would be answered from the cache.
cap=0
for _ in 1 2 3; do
  serve --concurrency-limit off
  c=$(field "$(load -c 32)" ok_rps)
  stop
  cap=$(python3 -c "print(max($cap, $c))")
done
serve --concurrency-limit off
base=$(field "$(load -c "$CONNS" --rate "$(python3 -c "print(int($cap / 4))")")" ok_p99_us)
stop
offer=$(python3 -c "print(int($cap * $FACTOR))")
echo "capacity (best of 3 closed-loop runs, 32 connections): $cap req/s; unloaded p99 (open loop at 1/4): $base us"
echo "offered $offer req/s (${FACTOR} x capacity) for ${DUR} s, ${CONNS} connections"
printf '%-22s %10s %8s %12s %10s %10s %14s\n' limit goodput/s "of cap" "p99 2xx us" "x unloaded" "503/s" "client us/req"
for _ in $(seq "$ROUNDS"); do
  for limit in ${LIMITS:-auto off}; do
    serve --concurrency-limit "$limit"
    r=$(load -c "$CONNS" --rate "$offer")
    stop
    python3 - "$r" "$cap" "$base" "$DUR" "$limit" <<'PY'
import json, sys
r, cap, base, dur, limit = json.loads(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
print(f"{limit:<22} {r['ok_rps']:>10.0f} {r['ok_rps'] / cap:>8.0%} {r['ok_p99_us']:>12} {r['ok_p99_us'] / base:>10.1f}"
      f" {r['errors_5xx'] / dur:>10.0f} {r['client_cpu_us_per_req']:>14}")
PY
  done
done
