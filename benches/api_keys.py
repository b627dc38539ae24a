#!/usr/bin/env python3
"""What API keys cost on the hit path, side by side (../shared/bench/sidebyside.py: server on
CPU 1, wrk on CPU 0, one server at a time, rounds interleaved). Every request of both runs
carries the same `X-Api-Key` header, so the bytes on the wire are equal: `off` runs without
--api-keys (the header is ignored), `keys` with a keys file holding that key (each hit is
then hashed, looked up, charged on the core's lease and answered with the RateLimit fields),
`keys_req` adds --require-api-key. The key's rate is high enough never to refuse.

usage: benches/api_keys.py   (env: DUR, ROUNDS, CONNS as sidebyside.py; SHARED_BENCH; ORDER=reverse)
"""
import os, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bench = os.environ.get("SHARED_BENCH", os.path.join(root, "..", "shared", "bench"))
sys.path.insert(0, bench)
import sidebyside  # noqa: E402

subprocess.run(["cargo", "build", "--release", "--bin", "barcoded", "-q"], cwd=root, check=True)
exe = os.path.join(root, "target", "release", "barcoded")
made = subprocess.run([exe, "api-key", "--id", "bench", "--rate", "100000000", "--burst", "100000000"],
                      capture_output=True, text=True, check=True)
key = made.stderr.strip()
tmp = tempfile.mkdtemp()
keys = os.path.join(tmp, "keys.toml")
open(keys, "w").write(made.stdout)

sidebyside.LUA["hit-keyed"] = f'wrk.headers["X-Api-Key"] = "{key}"\n'
sidebyside.PATH["hit-keyed"] = sidebyside.PATH["hit"]
p = f"{exe} --listen 127.0.0.1:PORT --admin-listen off --threads 1"
servers = [f"off={p}", f"keys={p} --api-keys {keys}", f"keys_req={p} --api-keys {keys} --require-api-key"]
if os.environ.get("ORDER") == "reverse":  # the machine drifts between positions in a round
    servers.reverse()
sys.argv = ["sidebyside.py", "hit-keyed"] + servers
sidebyside.main()
