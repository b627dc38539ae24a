#!/usr/bin/env bash
# What operations features cost on the hit path, side by side (../shared/bench/sidebyside.py:
# server on CPU 1, wrk on CPU 0, rounds interleaved): no switches; 20 switches that cannot
# touch a hit (degrade, no-l2, breaker-*: the hit path reads one flag); 20 plus a `refuse`
# scoped to another symbology (every hit is then routed and checked).
# access: the access log off, on at 1 % sampling, on at 100 % (a file in a temporary folder).
# shadow: shadow traffic off, and on at 1 % against a second instance (pinned to wrk's CPU,
# so the server's figure is its own cost: the copy, the queue, its shadow thread's compare).
# Usage: benches/ops_cost.sh [switches|access|shadow|all]   (env: DUR, ROUNDS, CONNS)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="${SHARED_BENCH:-$root/../shared/bench}"
[ -f "$bench/sidebyside.py" ] || { echo "ops_cost.sh: $bench/sidebyside.py not found (set SHARED_BENCH)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "ops_cost.sh: wrk missing (apt-get install wrk)" >&2; exit 2; }
(cd "$root" && cargo build --release --bin barcoded -q)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
actions=(degrade no-l2 breaker-open breaker-closed l1-only)
for i in $(seq 0 19); do
  a=${actions[$((i % 5))]}
  printf '{"name":"sw-%d","action":"%s","scope":{"family":"qr"},"match":{"header":{"X-Channel":["app-%d"]}},"percent":%d,"updated_at":1,"updated_by":"bench"}\n' "$i" "$a" "$i" $((i * 5))
done > "$tmp/sw20.jsonl"
cp "$tmp/sw20.jsonl" "$tmp/sw21.jsonl"
printf '{"name":"refuse-aztec","action":"refuse","scope":{"symbology":"aztec"},"updated_at":1,"updated_by":"bench"}\n' >> "$tmp/sw21.jsonl"
P="$root/target/release/barcoded --listen 127.0.0.1:PORT --admin-listen off --threads 1"
export DUR="${DUR:-5}" ROUNDS="${ROUNDS:-3}"
what="${1:-all}"
if [ "$what" = switches ] || [ "$what" = all ]; then
  python3 "$bench/sidebyside.py" hit none="$P" sw20="$P --switches $tmp/sw20.jsonl" sw20_refuse="$P --switches $tmp/sw21.jsonl"
fi
if [ "$what" = access ] || [ "$what" = all ]; then
  python3 "$bench/sidebyside.py" hit off="$P" log1pct="$P --access-log $tmp/a1.log --access-log-sample 0.01" \
    log100pct="$P --access-log $tmp/a100.log --access-log-sample 1"
fi
if [ "$what" = shadow ] || [ "$what" = all ]; then
  sport=$((30000 + RANDOM % 5000))
  taskset -c 0 "$root/target/release/barcoded" --listen "127.0.0.1:$sport" --admin-listen off --threads 1 >/dev/null 2>&1 &
  spid=$!
  trap 'kill $spid 2>/dev/null; rm -rf "$tmp"' EXIT
  sleep 1
  python3 "$bench/sidebyside.py" hit off="$P" shadow1pct="$P --shadow http://127.0.0.1:$sport --shadow-sample 0.01"
fi
