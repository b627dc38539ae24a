#!/usr/bin/env bash
# Server-vs-peers over real sockets: barcoded against nginx (static file), limit-server,
# hyper-peer and bwip-js, each pinned to CPU 1 with wrk on CPU 0, rounds interleaved, via
# the shared runner ../shared/bench/sidebyside.py. Builds the peers in /tmp on first use.
# Usage: benches/sidebyside.sh [hit|cold|2d|drivers|all]   (env: DUR, ROUNDS, CONNS)
# (2d: cold DataMatrix, PDF417, Aztec and MaxiCode against cold QR, benches/sidebyside_2d.py)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="${SHARED_BENCH:-$root/../shared/bench}"
[ -f "$bench/sidebyside.py" ] || { echo "sidebyside.sh: $bench/sidebyside.py not found (set SHARED_BENCH)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "sidebyside.sh: wrk missing (apt-get install wrk nginx)" >&2; exit 2; }
peers=/tmp/peers
[ -d "$peers" ] || cp -r "$bench/peers" "$peers"
(cd "$root" && cargo build --release --bin barcoded -q)
[ -x "$peers/hyper-peer/target/release/hyper-peer" ] || (cd "$peers/hyper-peer" && cargo build --release -q)
[ -x "$peers/limit-server/target/release/limit-server" ] || (cd "$peers/limit-server" && cargo build --release -q)

# nginx and limit-server serve the PNG barcoded itself produces for the hit path.
port=18080
"$root/target/release/barcoded" --listen 127.0.0.1:$port --admin-listen off --threads 1 & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
mkdir -p /tmp/bench-static/v1/ean13
curl -sf -o /tmp/bench-static/v1/ean13/590123412345.png "http://127.0.0.1:$port/v1/ean13/590123412345.png"
cp /tmp/bench-static/v1/ean13/590123412345.png /tmp/bench-body.png
kill $pid; trap - EXIT

N="sh $peers/run-nginx.sh PORT"
L="$peers/limit-server/target/release/limit-server 127.0.0.1:PORT /tmp/bench-body.png 1"
H="$peers/hyper-peer/target/release/hyper-peer 127.0.0.1:PORT"
B="node $peers/bwipjs-peer/server.js PORT"
P="$root/target/release/barcoded --listen 127.0.0.1:PORT --admin-listen off --threads 1"
export DUR="${DUR:-5}" ROUNDS="${ROUNDS:-3}"
what="${1:-all}"
if [ "$what" = hit ] || [ "$what" = all ]; then
  python3 "$bench/sidebyside.py" hit,pipe nginx="$N" limit="$L" hyper="$H" ours="$P"
fi
if [ "$what" = cold ] || [ "$what" = all ]; then
  if [ ! -d "$peers/bwipjs-peer/node_modules" ]; then (cd "$peers/bwipjs-peer" && npm install --silent); fi
  python3 "$bench/sidebyside.py" cold-ean13,cold-code128,cold-qr hyper="$H" bwipjs="$B" ours="$P"
fi
if [ "$what" = 2d ] || [ "$what" = all ]; then
  SHARED_BENCH="$bench" python3 "$root/benches/sidebyside_2d.py" ours="$P"
fi
if [ "$what" = drivers ] || [ "$what" = all ]; then
  python3 "$bench/sidebyside.py" hit,pipe,cold-ean13 uring="$P --driver uring" epoll="$P --driver epoll"
fi
