#!/usr/bin/env bash
# A restart swap under load: loadgen drives keep-alive connections at one instance; a second
# instance is started with exactly the same flags (it takes the listening sockets, public and
# admin, from the first: server/handover.rs), then the first gets SIGTERM. Prints, per round,
# loadgen's failed requests (resets, connections closed with a request unanswered, other I/O
# errors, non-2xx) and how long the old instance took to exit. Servers on CPU 1, loadgen on 0.
# Usage: benches/swap.sh   (env: ROUNDS=3, DUR=6, CONNS=64, WORKLOAD=hot, RATE= for open loop)
# shellcheck source=benches/instances.sh
. "$(dirname "$0")/instances.sh"
ROUNDS="${ROUNDS:-3}" DUR="${DUR:-6}" CONNS="${CONNS:-64}" WORKLOAD="${WORKLOAD:-hot}" RATE="${RATE:-}"
printf '/v1/ean13/590123412345.png\n' > "$dir/warm.txt"
for round in $(seq "$ROUNDS"); do
  port=$((20000 + RANDOM % 10000)) admin=$((30000 + RANDOM % 10000))
  flags=(--listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --threads 1 --warm "$dir/warm.txt")
  taskset -c 1 "$bin/barcoded" "${flags[@]}" 2> "$dir/old.log" & old=$!; pids+=("$old")
  started "$dir/old.log"
  taskset -c 0 "$bin/loadgen" --url "http://127.0.0.1:$port/v1/ean13/590123412345.png" -c "$CONNS" -d "$DUR" \
    --workload "$WORKLOAD" ${RATE:+--rate "$RATE"} --json > "$dir/load.json" 2>/dev/null & lg=$!
  sleep "$(echo "$DUR / 3" | bc -l)"
  taskset -c 1 "$bin/barcoded" "${flags[@]}" 2> "$dir/new.log" & new=$!; pids+=("$new")
  started "$dir/new.log"
  sleep 0.5
  t0=$(date +%s%N)
  kill -TERM "$old"; wait "$old"; rc=$?
  exit_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  wait "$lg"
  python3 - "$dir/load.json" "$round" "$exit_ms" "$rc" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f"round {sys.argv[2]}: {r['requests']} requests, failed {r['errors']} "
      f"(reset {r['errors_reset']}, closed unanswered {r['errors_closed']}, io {r['errors_io']}, "
      f"connect {r['errors_connect']}, 5xx {r['errors_5xx']}), polite closes {r['server_closes']}; "
      f"old instance exited (rc {sys.argv[4]}) {sys.argv[3]} ms after SIGTERM")
PY
  grep -h "took over\|handed" "$dir/new.log" "$dir/old.log" | sed 's/^/  /'
  kill -TERM "$new"; wait "$new" || true
done
