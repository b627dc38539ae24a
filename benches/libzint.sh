#!/usr/bin/env bash
# Our render (PNG included) against libzint's encode + rasterise, per symbology, same data
# (benches/libzint_cases.tsv), one run, both pinned to the same CPU one after the other.
# Two ratios: our render (options, validation, encoding, layout, raster, PNG: libzint's work
# plus the PNG) and our whole cold request path (that plus cache key, ETag, response head).
# Needs libzint-dev (apt); the C shim is built here into target/, never into the service.
#   bash benches/libzint.sh [CPU] [SECONDS per case]
set -euo pipefail
cd "$(dirname "$0")/.."
cpu=${1:-1}
secs=${2:-0.5}
mkdir -p target/libzint
gcc -O2 -o target/libzint/zint_bench benches/zint_bench.c -lzint
cargo bench --bench vs_libzint --no-run >/dev/null 2>&1
ours=$(taskset -c "$cpu" cargo bench --bench vs_libzint -- "$secs" 2>/dev/null)
theirs=$(taskset -c "$cpu" target/libzint/zint_bench "$secs" < benches/libzint_cases.tsv)
printf '%-17s %10s %10s %10s %8s %8s\n' symbology "render us" "request us" "libzint us" "render" "request"
join -t $'\t' <(echo "$ours" | sort) <(echo "$theirs" | sort) |
  awk -F'\t' '{ printf "%-17s %10.2f %10.2f %10.2f %8.2f %8.2f%s\n", $1, $2, $3, $4, $2 / $4, $3 / $4, ($2 < $4 ? "" : "  slower") }'
