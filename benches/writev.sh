#!/usr/bin/env bash
# Writes by reference (writev of the cached Bytes) against copies into the connection's
# buffer, for a small, a middling and a large cached body: builds the default binary and
# one with every body copied (feature bench-copy-bodies, into target/copy-bodies), then
# runs benches/writev.py on both. Usage: benches/writev.sh   (env: DUR, ROUNDS, CONNS)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v wrk >/dev/null || { echo "writev.sh: wrk missing (apt-get install wrk)" >&2; exit 2; }
cargo build --release -q --bin barcoded
CARGO_TARGET_DIR=target/copy-bodies cargo build --release -q --bin barcoded --features bench-copy-bodies
python3 benches/writev.py writev="$root/target/release/barcoded" copy="$root/target/copy-bodies/release/barcoded"
