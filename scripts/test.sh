#!/usr/bin/env bash
# The test command: unit and end-to-end tests (cargo), then the decode check (pytest with
# zxing-cpp). Installs the Python packages it needs when they are missing, and libcairo2
# (for SVG rasterising), redis-server and nginx (L2 and L3 tests), curl and nodejs (the
# real-client tests), poppler-utils and qpdf (PDF checks) and zint (module matrices) through
# apt when they are missing and we are root, chromium (the playground's browser test), and the
# second ZPL renderer and playwright-core from npm.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c "import cairocffi" >/dev/null 2>&1 && ! ldconfig -p 2>/dev/null | grep -q libcairo.so.2; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq libcairo2 >/dev/null || { apt-get update -qq && apt-get install -y -qq libcairo2 >/dev/null; }
  else
    echo "scripts/test.sh: libcairo2 is missing (apt-get install libcairo2)" >&2
  fi
fi
# The L2 and L3 tests run a real redis-server and nginx.
if ! command -v redis-server >/dev/null || ! command -v nginx >/dev/null || ! command -v curl >/dev/null || ! command -v node >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v qpdf >/dev/null || ! command -v zint >/dev/null || ! command -v go >/dev/null || ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    pkgs="redis-server nginx curl poppler-utils qpdf zint golang-go chromium"
    command -v node >/dev/null || pkgs="$pkgs nodejs"
    command -v npm >/dev/null || pkgs="$pkgs npm"
    # shellcheck disable=SC2086
    apt-get install -y -qq $pkgs >/dev/null || { apt-get update -qq && apt-get install -y -qq $pkgs >/dev/null; }
  else
    echo "scripts/test.sh: redis-server, nginx, curl, nodejs, poppler-utils, qpdf, zint, golang-go and chromium are needed (apt-get install them)" >&2
  fi
fi
if ! python3 -c "import zxingcpp, pytest, PIL, cairosvg, requests, httpx, urllib3, aiohttp, zplkit" >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check -r tests/decode/requirements.txt -r tests/clients/requirements.txt
fi
# schemathesis for the contract test (tests/contract/run.sh).
if ! command -v st >/dev/null 2>&1 || ! python3 -c "import schemathesis" >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check -r tests/contract/requirements.txt
fi
# The second ZPL renderer (zpl-renderer-js), at the version package-lock.json pins.
if [ ! -d tests/labels/zplr/node_modules/zpl-renderer-js ]; then
  npm ci --prefix tests/labels/zplr --no-audit --no-fund --silent
fi

# playwright-core for the playground's browser test (tests/playground/run.mjs), pinned.
if [ ! -d tests/playground/node_modules/playwright-core ]; then
  npm ci --prefix tests/playground --no-audit --no-fund --silent
fi

# Unleash's client specification, the reference for the switches' constraints and rollout
# (tests/unleash_spec.rs), at the version package-lock.json pins.
if [ ! -d tests/unleash/node_modules/@unleash/client-specification ]; then
  npm ci --prefix tests/unleash --no-audit --no-fund --silent
fi

cargo build --release -p barcoded -p loadgen
# Tests that need redis-server or nginx skip without them under a bare `cargo test`; here
# they are installed above, so a missing one is a failure.
export BARCODED_REQUIRE_TOOLS=1
# The GS1 differential test needs GS1's Syntax Engine, built from ../shared/reference when
# that copy is there (CI has it); without it the test says so and skips.
if [ -d ../shared/reference/gs1-syntax-engine ] || [ -n "${GS1_ENGINE_SRC:-}" ]; then
  bash scripts/gs1_engine.sh >/dev/null
  export BARCODED_REQUIRE_GS1_ENGINE=1
fi
# Not --all-features: bench-copy-bodies is a benchmark variant, not the service.
cargo test --workspace --features barcoded/fault-injection
python3 -m pytest -q tests/decode tests/clients tests/labels tests/zint
# The API against its OpenAPI description (schemathesis, bounded).
bash tests/contract/run.sh
# The playground page at / in headless Chromium (playwright-core), bounded.
timeout 300 node tests/playground/run.mjs
bash scripts/loadgen_smoke.sh
# A warm restart keeps the hit ratio: the first second after it >= 90 % of steady state
# (zipf over 2,000 SKUs at 8,000 requests/s; about 15 s).
ROUNDS=1 MODES=hot RATE=8000 SKUS=2000 WARMUP=8 CHECK=0.9 bash benches/warm_restart.sh
# The dual-track comparison; in CI also this build against the previous commit's.
PREV="${CI:+1}" bash scripts/compare_smoke.sh
