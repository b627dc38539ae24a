#!/usr/bin/env bash
# Bounded fuzzing of every decoder entry point (cargo-fuzz: libFuzzer + AddressSanitizer),
# as CI runs it after the tests: the upload's image decoding and size checks, the reader
# (zxing-cpp and our own readers) on arbitrary luma, the decode worker's wire frames, the
# HTTP head parser. Each target runs FUZZ_SECONDS (default 30) with single allocations
# over its limit counted as failures; a crash or a failed assertion fails the script and
# leaves the reproducer in fuzz/artifacts/.
# Usage: scripts/fuzz.sh [TARGET...]   (env: FUZZ_SECONDS)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-30}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2 --quiet
# cargo-fuzz needs nightly features; the stable toolchain allows them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(image_decode zxing_read decoder_wire http_head)
cd fuzz
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  case "$t" in
    image_decode) mem=256 ;;
    zxing_read) mem=512 ;;
    *) mem=64 ;;
  esac
  echo "fuzz: $t for ${secs} s"
  rc=0
  cargo fuzz run -O "$t" -- -max_total_time="$secs" -malloc_limit_mb="$mem" -print_final_stats=1 >"$log" 2>&1 || rc=$?
  grep -E "^stat::number_of_executed_units|^Done|^==[0-9]+==|^SUMMARY|panicked" "$log" || true
  if [ "$rc" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: $t failed (exit $rc; the input is in fuzz/artifacts/$t/)" >&2
    exit 1
  fi
done
