#!/usr/bin/env bash
# Shared by the benches that start instances of the binary themselves (swap.sh,
# warm_restart.sh): builds the release binaries, sets `bin` and a scratch `dir`, records
# started processes in `pids` (killed, and `dir` removed, on exit) and waits for an
# instance's start-up line (`started LOG`). Sourced, not run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && cargo build --release -q -p barcoded -p loadgen)
# shellcheck disable=SC2034 # used by the scripts that source this one
bin="$root/target/release"
dir="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
started() { # LOG: waits for the start-up line
  for _ in $(seq 200); do grep -q "listening on" "$1" 2>/dev/null && return; sleep 0.05; done
  echo "an instance did not start: $(cat "$1")" >&2
  exit 1
}
