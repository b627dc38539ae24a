#!/usr/bin/env bash
# Builds GS1's Barcode Syntax Engine (the reference oracle, from ../shared/reference, never
# part of the project) and our test driver tests/gs1diff/driver.c against it, into
# target/gs1-engine/. tests/gs1_differential.rs runs the driver. Prints the driver's path;
# exits 1 when the reference copy or a C compiler is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
src="${GS1_ENGINE_SRC:-../shared/reference/gs1-syntax-engine}"
out=target/gs1-engine
if [ ! -d "$src/src/c-lib" ]; then
  echo "gs1_engine.sh: $src not found (the GS1 Barcode Syntax Engine's C source)" >&2
  exit 1
fi
command -v cc >/dev/null || { echo "gs1_engine.sh: no C compiler (cc)" >&2; exit 1; }
mkdir -p "$out"
if [ ! -f "$out/src/c-lib/build/libgs1encoders.a" ]; then
  rm -rf "$out/src"
  cp -r "$src/src" "$out/src"
  cp "$src/CHANGES" "$out/CHANGES" 2>/dev/null || true
  chmod -R u+w "$out/src"
  make -s -C "$out/src/c-lib" libstatic >/dev/null
fi
cc -O2 -Wall -I "$out/src/c-lib" -o "$out/driver" tests/gs1diff/driver.c "$out/src/c-lib/build/libgs1encoders.a"
echo "$out/driver"
