#!/usr/bin/env bash
# Rewrites the golden corpus (tests/golden/corpus.tsv) from the current build. Refuses when
# image bytes changed under the same RENDERER_VERSION: bump it first (src/api/options.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
BARCODED_GOLDEN=update cargo test --test golden -- --nocapture
git --no-pager diff --stat -- tests/golden/corpus.tsv
