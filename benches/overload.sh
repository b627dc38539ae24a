#!/usr/bin/env bash
# Overload: the service offered FACTOR x what one core can render. Server pinned to CPU 1
# (one core), loadgen to CPU 0. Cold QR renders (unique data), so every request is work:
# capacity is measured closed-loop first, the unloaded p99 open-loop at a quarter of it,
# then an open-loop offer of FACTOR x capacity (latency from the intended send time, so
# the client's own backlog counts). Goodput = 2xx per second; the p99 is of the answered
# (2xx) requests. Extra server flags after `--`.
# Usage: benches/overload.sh [-- FLAGS]   (env: DUR=5, FACTOR=3, CONNS=256)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$root" && cargo build --release -q -p barcoded -p loadgen)
bin="$root/target/release"
DUR="${DUR:-5}" FACTOR="${FACTOR:-3}" CONNS="${CONNS:-256}"
port=$((20000 + RANDOM % 10000))
pid=
serve() {
  taskset -c 1 "$bin/barcoded" --listen "127.0.0.1:$port" --admin-listen off --threads 1 "$@" >/dev/null 2>&1 & pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "overload.sh: the server did not start" >&2; exit 1
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT
load() {
  taskset -c 0 "$bin/loadgen" --url "http://127.0.0.1:$port/v1/qr/x.png" --workload mixed --mix qr:1 \
    -d "$DUR" --json "$@" | tail -1
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

serve
cap=$(field "$(load -c 32)" ok_rps)
base=$(load -c "$CONNS" --rate "$(python3 -c "print(int($cap / 4))")")
stop
echo "capacity (closed loop, 32 connections): $cap req/s; unloaded p99 (open loop at 1/4): $(field "$base" ok_p99_us) us"
offer=$(python3 -c "print(int($cap * $FACTOR))")
[ "${1:-}" = -- ] && shift
printf '%10s %12s %10s %12s %10s\n' offered goodput/s "of cap" "p99 2xx us" "503/s"
serve "$@"
r=$(load -c "$CONNS" --rate "$offer")
stop
python3 - "$r" "$cap" "$offer" "$DUR" <<'PY'
import json, sys
r, cap, offer, dur = json.loads(sys.argv[1]), float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
print(f"{offer:>10} {r['ok_rps']:>12.0f} {r['ok_rps'] / cap:>9.0%} {r['ok_p99_us']:>12} {r['errors_5xx'] / dur:>10.0f}")
PY
