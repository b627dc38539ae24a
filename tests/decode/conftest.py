"""Starts one barcoded server (the release binary) for the decode tests."""
import os
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url():
    binary = os.environ.get("BARCODED_BIN", os.path.join(ROOT, "target", "release", "barcoded"))
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "--release", "--bin", "barcoded"], cwd=ROOT, check=True)
    port = _free_port()
    proc = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}", "--admin-listen", "off", "--threads", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        raise RuntimeError("barcoded did not start: " + proc.stderr.read().decode())
    yield url
    proc.terminate()
    proc.wait(timeout=10)
