#!/usr/bin/env bash
# Warm restarts: the hit ratio in the first second after a restart against steady state.
# One instance (--hot-file, --threads 1, CPU 1) serves loadgen's zipf workload (open loop,
# CPU 0) until steady; its hit ratio over one more second is the baseline. A new instance
# is started with the same flags (it takes the sockets over: server/handover.rs; the old
# one writes the hot file just before, and the new one pre-renders it into the pool before
# accepting), the old one gets SIGTERM, and the new one's hit ratio over its first second of
# the same load is measured. Hit ratio = generate answers from a cache (L1 or pool) / all
# generate answers (refused ones count as misses), from the server's /metrics. Then the
# same restart with no hot file (a cold start) for comparison.
# Usage: benches/warm_restart.sh   (env: RATE=20000, SKUS=10000, ZIPF=1.0, WARMUP=8, ROUNDS=2,
# MODES="hot cold"; CHECK=0.9 fails the run when a warm restart's first second is below
# that share of steady state — scripts/test.sh runs it so, small and bounded)
# shellcheck source=benches/instances.sh
. "$(dirname "$0")/instances.sh"
RATE="${RATE:-20000}" SKUS="${SKUS:-10000}" ZIPF="${ZIPF:-1.0}" WARMUP="${WARMUP:-8}" ROUNDS="${ROUNDS:-2}"
MODES="${MODES:-hot cold}" CHECK="${CHECK:-}"
counts() { # ADMIN -> "hits all" (generate answers)
  curl -s "http://127.0.0.1:$1/metrics" | awk '
    /^barcoded_requests_total\{route="generate_hit"/ { h += $2; a += $2 }
    /^barcoded_requests_total\{route="generate",/ { a += $2 }
    END { print h + 0, a + 0 }'
}
load() { taskset -c 0 "$bin/loadgen" --url "http://127.0.0.1:$1/" -c 32 -d "$2" --workload zipf --skus "$SKUS" --zipf-s "$ZIPF" --rate "$RATE" >/dev/null; }
ratio() { # ADMIN PORT SECONDS -> hit ratio of a window of load
  local h0 a0 h1 a1
  read -r h0 a0 < <(counts "$1"); load "$2" "$3"; read -r h1 a1 < <(counts "$1")
  python3 -c "print(f'{($h1 - $h0) / max(1, $a1 - $a0):.3f}')"
}
for round in $(seq "$ROUNDS"); do
  for mode in $MODES; do
    port=$((20000 + RANDOM % 10000)) admin=$((30000 + RANDOM % 10000))
    flags=(--listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --threads 1)
    [ "$mode" = hot ] && flags+=(--hot-file "$dir/hot-$round.txt")
    taskset -c 1 "$bin/barcoded" "${flags[@]}" 2> "$dir/old.log" & old=$!; pids+=("$old")
    started "$dir/old.log"
    load "$port" "$WARMUP"
    steady=$(ratio "$admin" "$port" 1)
    taskset -c 1 "$bin/barcoded" "${flags[@]}" 2> "$dir/new.log" & new=$!; pids+=("$new")
    started "$dir/new.log"
    kill -TERM "$old"; wait "$old" || true
    first=$(ratio "$admin" "$port" 1)
    preheat=$(grep -o "pre-heated.*" "$dir/new.log" || echo "no pre-heat")
    echo "round $round, $mode: steady $steady, first second after the restart $first ($(python3 -c "print(f'{$first / max($steady, 1e-9):.0%}')") of steady); $preheat"
    if [ -n "$CHECK" ] && [ "$mode" = hot ] && ! python3 -c "import sys; sys.exit($first < $CHECK * $steady)"; then
      echo "warm restart: the first second's hit ratio $first is below $CHECK of steady $steady" >&2
      exit 1
    fi
    kill -TERM "$new"; wait "$new" || true
  done
done
