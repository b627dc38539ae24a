"""Starts one barcoded server (the release binary) for the real-client and label tests, with its admin
listener on a port of its own; yields both base URLs."""
import os
import subprocess
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _address(line):
    """The address after 'http://' in a start-up line."""
    assert "http://" in line, line
    return "http://" + line.split("http://", 1)[1].split()[0]


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("BARCODED_BIN", os.path.join(ROOT, "target", "release", "barcoded"))
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "--release", "--bin", "barcoded"], cwd=ROOT, check=True)
    proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--threads", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = _address(proc.stderr.readline())
        admin = _address(proc.stderr.readline())
    except AssertionError:
        proc.kill()
        raise
    # Keep draining stderr so the server never blocks on a full pipe.
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    yield {"base": base, "admin": admin}
    proc.terminate()
    proc.wait(timeout=10)
