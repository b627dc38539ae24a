#!/usr/bin/env bash
# The contract test: schemathesis (PyPI, 4.x) against a running barcoded over its own
# /openapi.json, every check (`--checks all`), the examples (each symbology's example data),
# coverage and fuzzing phases (the stateful one has no links to follow), a bounded number of examples per
# operation (ST_EXAMPLES, default 10: about 60,000 requests, 2-3 minutes) and a time bound.
# One worker (ST_WORKERS): the server has one thread, and two of schemathesis's threads
# raced in hypothesis's lambda-source cache ("AST constructor recursion depth mismatch", a
# runtime error in CI) without being faster.
# What JSON Schema cannot state is allowed in tests/contract/schemathesis.toml. Exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/release/barcoded --listen 127.0.0.1:"$port" --admin-listen off --threads 1 >/tmp/contract-server.log 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
timeout 1200 st --config-file tests/contract/schemathesis.toml run "http://127.0.0.1:$port/openapi.json" \
  --checks all --max-examples "${ST_EXAMPLES:-10}" --workers "${ST_WORKERS:-1}" --seed "${ST_SEED:-1}" \
  --suppress-health-check all --no-color 2>&1 | tee /tmp/contract-st.log | tail -n 40
# The server is still up and answering after all of it.
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null
echo "contract: schemathesis found nothing, and the server answers"
