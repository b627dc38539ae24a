#!/usr/bin/env bash
# A Redis Cluster failing over under load: three masters and three replicas of redis-server
# (CPU 0, with loadgen), one instance (CPU 1) with --redis redis+cluster://… and a 1 MiB L1
# so that most requests ask the cluster; loadgen's zipf workload at a fixed rate. A master
# gets SIGKILL at a third of the run (its replica takes over after the node timeout, 1 s),
# a manual CLUSTER FAILOVER of another at two thirds. Prints loadgen's failed requests
# (resets, closed unanswered, I/O, 5xx), the L2 outcomes of the instance, and both failovers'
# durations. Needs redis-server and redis-cli.
# The six redis-servers share CPU 0 with loadgen, so a lookup's budget is 10 ms here (2 ms
# in service, where Redis has CPUs of its own): a Redis starved of CPU is a breaker's
# matter, which tests/redis.rs covers, not a failover's.
# RATE is one the instance carries with no L2 at all (it renders what the cluster cannot
# give while slots move); REDIS_ARGS adds redis-server flags (e.g. --cluster-allow-reads-when-down yes).
# Usage: benches/cluster_failover.sh   (env: DUR=18, RATE=1000, SKUS=20000, CONNS=32, BUDGET_MS=10, REDIS_ARGS=)
# shellcheck source=benches/instances.sh
. "$(dirname "$0")/instances.sh"
DUR="${DUR:-18}" RATE="${RATE:-1000}" SKUS="${SKUS:-20000}" CONNS="${CONNS:-32}" BUDGET_MS="${BUDGET_MS:-10}"
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "needs redis-server and redis-cli" >&2
  exit 1
fi
ports=() seeds=""
read -ra extra <<< "${REDIS_ARGS:-}"
for i in $(seq 0 5); do
  p=$((21000 + RANDOM % 9000 + i)) b=$((41000 + RANDOM % 9000 + i))
  taskset -c 0 redis-server --port "$p" --cluster-port "$b" --bind 127.0.0.1 --cluster-enabled yes \
    --cluster-config-file "nodes-$p.conf" --cluster-node-timeout 1000 --save "" --appendonly no \
    --repl-diskless-sync-delay 0 "${extra[@]}" --dir "$dir" --logfile "$dir/redis-$p.log" & pids+=("$!")
  ports+=("$p") seeds="$seeds${seeds:+,}127.0.0.1:$p"
done
for p in "${ports[@]}"; do until [ "$(redis-cli -p "$p" ping 2>/dev/null)" = PONG ]; do sleep 0.05; done; done
nodes=()
for p in "${ports[@]}"; do nodes+=("127.0.0.1:$p"); done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
role() { redis-cli -p "$1" role 2>/dev/null | head -1; }
whole() { # every live node ok, three masters, every replica synced
  local masters=0 p
  for p in "$@"; do
    redis-cli -p "$p" cluster info | grep -q cluster_state:ok || return 1
    case "$(role "$p")" in
      master) masters=$((masters + 1)) ;;
      slave) redis-cli -p "$p" info replication | grep -q master_link_status:up || return 1 ;;
    esac
  done
  [ "$masters" = 3 ]
}
until whole "${ports[@]}"; do sleep 0.1; done
port=$((20000 + RANDOM % 1000)) admin=$((31000 + RANDOM % 1000))
taskset -c 1 "$bin/barcoded" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --threads 1 \
  --l1-bytes 1048576 --redis "redis+cluster://$seeds" --redis-budget-ms "$BUDGET_MS" --hot-keys 0 2> "$dir/server.log" & pids+=("$!")
started "$dir/server.log"
events() { curl -s "http://127.0.0.1:$admin/metrics" | awk '/^barcoded_events_total\{event="(l2_|shed)/ { sub(/.*event="/, ""); sub(/"\}/, ""); printf "%s ", $0 }'; }
taskset -c 0 "$bin/loadgen" --url "http://127.0.0.1:$port/" -c "$CONNS" -d "$DUR" --workload zipf --skus "$SKUS" \
  --rate "$RATE" --json > "$dir/load.json" 2>/dev/null & lg=$!
sleep "$(echo "$DUR / 3" | bc -l)"
echo "before the kill: $(events)"
victim=""
for p in "${ports[@]}"; do [ "$(role "$p")" = master ] && { victim=$p; break; }; done
live=()
for p in "${ports[@]}"; do [ "$p" != "$victim" ] && live+=("$p"); done
for i in "${!ports[@]}"; do [ "${ports[$i]}" = "$victim" ] && kill -9 "${pids[$i]}"; done
t0=$(date +%s%N)
until whole "${live[@]}"; do sleep 0.05; done
echo "master $victim killed: the cluster whole again after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
sleep "$(echo "$DUR / 3 - 2" | bc -l)"
replica=""
for p in "${live[@]}"; do [ "$(role "$p")" = slave ] && { replica=$p; break; }; done
t0=$(date +%s%N)
redis-cli -p "$replica" cluster failover >/dev/null
until [ "$(role "$replica")" = master ]; do sleep 0.02; done
echo "manual failover at $replica: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
wait "$lg"
echo "after the failovers: $(events)"
curl -s "http://127.0.0.1:$admin/metrics" | grep -E '^barcoded_requests_total\{.*status="5' | grep -v ' 0$' || true
curl -s "http://127.0.0.1:$admin/metrics" | grep -E "event=\"(shed|degraded)\"|concurrency_refused"; grep -h ERROR "$dir/server.log" | tail -8
python3 - "$dir/load.json" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f"{r['requests']} requests, failed {r['errors']} (reset {r['errors_reset']}, closed unanswered "
      f"{r['errors_closed']}, io {r['errors_io']}, connect {r['errors_connect']}, 5xx {r['errors_5xx']})")
PY
