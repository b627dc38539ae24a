#!/usr/bin/env bash
# The dual-track comparison (`loadgen compare`) on the golden corpus: three instances of
# this build agree on every request (exit 0), and a candidate that answers differently
# (a smaller --max-pixels turns large images into 400s) is caught (exit 1). With
# PREV=1 (CI), the build of the previous commit is the primary and secondary and this
# build the candidate: a content or status difference fails, unless the commit changed
# the golden corpus (its declared changes of answers).
set -euo pipefail
cd "$(dirname "$0")/.."
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# Not called as $(start ...): in a subshell its pid would never reach `pids`, and the
# instances would outlive the script.
start() { # NAME BINARY FLAGS... -> sets $NAME to the URL
  local port; port=$(free_port)
  "$2" --listen 127.0.0.1:"$port" --admin-listen off --threads 1 "${@:3}" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
  printf -v "$1" '%s' "http://127.0.0.1:$port"
}
bin=target/release/barcoded
a="" b="" c="" d="" p="" s=""  # set by start
start a $bin; start b $bin; start c $bin; start d $bin --max-pixels 50000
target/release/loadgen compare --primary "$a" --secondary "$b" --candidate "$c"
rc=0; target/release/loadgen compare --primary "$a" --secondary "$b" --candidate "$d" --examples 1 >/tmp/compare_bad.txt || rc=$?
[ "$rc" = 1 ] || { cat /tmp/compare_bad.txt; echo "compare_smoke: a different candidate was not caught (exit $rc)" >&2; exit 1; }
grep -q "different status .* FAIL" /tmp/compare_bad.txt
echo "compare_smoke: a candidate with other answers is caught: $(grep -c '' /tmp/compare_bad.txt) lines of report, exit 1"
if [ "${PREV:-0}" = 1 ] && git rev-parse -q --verify HEAD~1 >/dev/null; then
  prev=$(mktemp -d); prev_target=$(mktemp -d)
  git worktree add -q --detach "$prev" HEAD~1
  (cd "$prev" && CARGO_TARGET_DIR="$prev_target" cargo build --release -q --bin barcoded)
  old="$prev_target/release/barcoded"
  start p "$old"; start s "$old"
  rc=0; target/release/loadgen compare --primary "$p" --secondary "$s" --candidate "$c" || rc=$?
  git worktree remove --force "$prev"
  rm -rf "$prev_target"
  # A commit that changes answers on purpose says so in the golden corpus: then the
  # differences are reported, not failed.
  if [ "$rc" != 0 ] && ! git diff --quiet HEAD~1 HEAD -- tests/golden/corpus.tsv; then
    echo "compare_smoke: the golden corpus changed in this commit: the differences above are declared"
    rc=0
  fi
  exit "$rc"
fi
