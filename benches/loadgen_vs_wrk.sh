#!/usr/bin/env bash
# loadgen against wrk, both with one thread on CPU 0, driving limit-server on CPU 1, rounds
# interleaved: req/s and client CPU us per request, plain keep-alive and 16-deep pipelining.
# Usage: benches/loadgen_vs_wrk.sh   (env: DUR seconds per run, ROUNDS, CONNS)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bench="${SHARED_BENCH:-$root/../shared/bench}"
DUR="${DUR:-5}"; ROUNDS="${ROUNDS:-3}"; CONNS="${CONNS:-64}"
peers=/tmp/peers
[ -d "$peers" ] || cp -r "$bench/peers" "$peers"
[ -x "$peers/limit-server/target/release/limit-server" ] || (cd "$peers/limit-server" && cargo build --release -q)
(cd "$root" && cargo build --release -p loadgen -q)
[ -f /tmp/bench-body.png ] || head -c 1000 /dev/urandom > /tmp/bench-body.png
port=18181
taskset -c 1 "$peers/limit-server/target/release/limit-server" 127.0.0.1:$port /tmp/bench-body.png 1 2>/dev/null & srv=$!
trap 'kill $srv 2>/dev/null || true' EXIT
sleep 0.5
url="http://127.0.0.1:$port/v1/ean13/590123412345.png"
lua=$(mktemp --suffix=.lua)
echo 'init=function(a) local r={} for i=1,16 do r[i]=wrk.format(nil) end req=table.concat(r) end
request=function() return req end' > "$lua"

# CPU seconds (user+sys) of a finished child, from /usr/bin/time's output file.
run_timed() { local out=$1; shift; /usr/bin/time -f "%U %S" -o "$out.cpu" "$@" > "$out" 2>/dev/null; }
cpu_of() { awk '{print $1+$2}' "$1.cpu"; }

declare -A rps cpu
for _round in $(seq "$ROUNDS"); do
  for mode in plain pipe; do
    t=$(mktemp)
    if [ $mode = plain ]; then
      run_timed "$t" taskset -c 0 wrk -t1 -c"$CONNS" -d"${DUR}s" "$url"
    else
      run_timed "$t" taskset -c 0 wrk -t1 -c"$CONNS" -d"${DUR}s" -s "$lua" "$url"
    fi
    n=$(awk '/requests in/{print $1}' "$t"); c=$(cpu_of "$t")
    rps[wrk-$mode]+="$(awk -v n="$n" -v d="$DUR" 'BEGIN{printf "%.0f ", n/d}')"
    cpu[wrk-$mode]+="$(awk -v n="$n" -v c="$c" 'BEGIN{printf "%.2f ", c*1e6/n}')"
    depth=1; [ $mode = pipe ] && depth=16
    run_timed "$t" taskset -c 0 "$root/target/release/loadgen" --url "$url" -c "$CONNS" -d "$DUR" --pipeline $depth --json
    n=$(python3 -c "import json,sys; print(json.load(open('$t'))['requests'])"); c=$(cpu_of "$t")
    rps[loadgen-$mode]+="$(awk -v n="$n" -v d="$DUR" 'BEGIN{printf "%.0f ", n/d}')"
    cpu[loadgen-$mode]+="$(awk -v n="$n" -v c="$c" 'BEGIN{printf "%.2f ", c*1e6/n}')"
    rm -f "$t" "$t.cpu"
  done
done
rm -f "$lua"
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
printf '%-10s %-8s %14s %20s\n' client mode 'req/s (median)' 'client CPU us/req'
for mode in plain pipe; do
  for c in wrk loadgen; do
    printf '%-10s %-8s %14s %20s\n' "$c" "$mode" "$(echo "${rps[$c-$mode]}" | median)" "$(echo "${cpu[$c-$mode]}" | median)"
  done
done
