"""The HTTP clients people use, each doing what the library really does against barcoded:
plain and streamed (chunked) uploads, HEAD, conditional GETs, Expect: 100-continue. Each
must get the right image or JSON; the expected bytes come from a plain Content-Length
request over a raw socket, not from the client under test."""
import asyncio
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

import aiohttp
import httpx
import pytest
import requests
import urllib3
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = b"SKU-4711-chunked"
PNG = "/v1/ean13/590123412345.png"


def raw_request(base, req):
    """Sends `req` on a new socket and returns (status, headers, body) of the answer."""
    u = urllib.parse.urlsplit(base)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(req)
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        head, body = buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(headers.get("content-length", 0))
        while len(body) < n:
            body += s.recv(65536)
        return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
def expected(server):
    """What each request must return, fetched with Content-Length bodies over a raw socket."""
    base = server["base"]
    _, png_h, png = raw_request(base, f"GET {PNG} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
    _, qr_h, qr = raw_request(base, b"POST /v1/qr.png HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n%s" % (len(DATA), DATA))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and qr[:8] == b"\x89PNG\r\n\x1a\n"
    return {"png": png, "png_etag": png_h["etag"], "qr": qr, "qr_etag": qr_h["etag"]}


def stream():
    """A body whose length the client cannot know: clients send it chunked."""
    for i in range(0, len(DATA), 5):
        yield DATA[i:i + 5]


def test_requests(server, expected):
    base = server["base"]
    with requests.Session() as s:
        r = s.get(base + PNG)
        assert r.status_code == 200 and r.content == expected["png"]
        h = s.head(base + PNG)
        assert h.status_code == 200 and h.headers["Content-Length"] == str(len(expected["png"])) and h.content == b""
        p = s.post(base + "/v1/qr.png", data=DATA)
        assert p.status_code == 200 and p.content == expected["qr"]
        c = s.post(base + "/v1/qr.png", data=stream())
        assert c.request.headers.get("Transfer-Encoding") == "chunked"
        assert c.status_code == 200 and c.content == expected["qr"]
        n = s.get(base + PNG, headers={"If-None-Match": expected["png_etag"]})
        assert n.status_code == 304 and n.content == b""
        j = s.post(base + "/v1/parse", json={"code": "5901234123457"})
        assert j.status_code == 200 and j.json()["valid"] is True


def test_httpx(server, expected):
    base = server["base"]
    with httpx.Client() as c:
        assert c.get(base + PNG).content == expected["png"]
        r = c.post(base + "/v1/qr.png", content=stream())
        assert r.request.headers.get("transfer-encoding") == "chunked"
        assert r.status_code == 200 and r.content == expected["qr"]


def test_urllib3_streamed_body(server, expected):
    base = server["base"]
    http = urllib3.PoolManager()
    r = http.request("POST", base + "/v1/qr.png", body=stream(), chunked=True)
    assert r.status == 200 and r.data == expected["qr"]
    r = http.request("GET", base + PNG)
    assert r.status == 200 and r.data == expected["png"]


def test_aiohttp(server, expected):
    base = server["base"]

    async def gen():
        for part in stream():
            yield part

    async def run():
        async with aiohttp.ClientSession() as s:
            async with s.get(base + PNG) as r:
                assert r.status == 200 and await r.read() == expected["png"]
            async with s.post(base + "/v1/qr.png", data=gen()) as r:
                assert r.status == 200 and await r.read() == expected["qr"]
            async with s.post(base + "/v1/parse", json={"code": "5901234123457"}) as r:
                assert r.status == 200 and (await r.json())["valid"] is True

    asyncio.run(run())


def big_label_png():
    """The decode fixture's label photo as an uncompressed grey PNG over 1 MiB, so curl sends
    `Expect: 100-continue` with it."""
    photo = Image.open(os.path.join(ROOT, "benches", "fixtures", "label-1mp.jpg")).convert("L")
    canvas = Image.new("L", (1400, 820), 255)
    canvas.paste(photo, (0, 0))
    buf = io.BytesIO()
    canvas.save(buf, "PNG", compress_level=0)
    data = buf.getvalue()
    assert len(data) > 1024 * 1024
    return data


def curl(*args):
    t = time.monotonic()
    p = subprocess.run(["curl", "-sS", *args], capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p, time.monotonic() - t


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl(server, expected):
    base = server["base"]
    p, _ = curl(base + PNG)
    assert p.stdout == expected["png"]
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(big_label_png())
        f.flush()
        url = base + "/v1/decode"
        # curl sends Expect: 100-continue for a body over 1 MiB and waits up to a second for
        # the answer: we send 100 Continue at once, so the upload costs no more than without.
        # The best of three each, so that a busy machine does not decide the comparison.
        runs = [curl("-v", "--data-binary", "@" + f.name, "-H", "Content-Type: image/png", url) for _ in range(3)]
        with_expect, t_expect = runs[0][0], min(t for _, t in runs)
        assert b"Expect: 100-continue" in with_expect.stderr
        assert b"HTTP/1.1 100 Continue" in with_expect.stderr
        plain = [curl("--data-binary", "@" + f.name, "-H", "Content-Type: image/png", "-H", "Expect:", url)
                 for _ in range(3)]
        without, t_plain = plain[0][0], min(t for _, t in plain)
        doc = json.loads(with_expect.stdout)
        assert sorted(b["text"] for b in doc["barcodes"]) == sorted(b["text"] for b in json.loads(without.stdout)["barcodes"])
        assert "5901234123457" in [b["text"] for b in doc["barcodes"]], doc
        print(f"curl decode upload: with Expect {t_expect:.3f} s, without {t_plain:.3f} s")
        assert t_expect < t_plain + 0.2, (t_expect, t_plain)
    # -T - uploads standard input chunked.
    p = subprocess.run(["curl", "-sS", "-X", "POST", "-T", "-", base + "/v1/qr.png"], input=DATA, capture_output=True,
                       timeout=30)
    assert p.returncode == 0 and p.stdout == expected["qr"], p.stderr
    p, _ = curl("-H", "Transfer-Encoding: chunked", "--data-binary", DATA.decode(), base + "/v1/qr.png")
    assert p.stdout == expected["qr"]


NODE = """
const [base, data] = process.argv.slice(1);
const enc = new TextEncoder().encode(data);
const body = new ReadableStream({
  start(c) { for (let i = 0; i < enc.length; i += 5) c.enqueue(enc.slice(i, i + 5)); c.close(); }
});
const r = await fetch(base + '/v1/qr.png', { method: 'POST', body, duplex: 'half' });
const buf = Buffer.from(await r.arrayBuffer());
process.stdout.write(JSON.stringify({ status: r.status, body: buf.toString('base64') }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed (apt nodejs)")
def test_node_fetch_stream_body(server, expected):
    import base64
    p = subprocess.run(["node", "--input-type=module", "-e", NODE, server["base"], DATA.decode()],
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["status"] == 200 and base64.b64decode(doc["body"]) == expected["qr"]


def test_admin_listener(server):
    assert requests.get(server["admin"] + "/metrics").status_code == 200
    assert requests.get(server["base"] + "/metrics").status_code == 404
    assert requests.post(server["base"] + "/admin/reload").status_code == 404


def test_invalid_utf8_names_the_field(server):
    r = requests.get(server["base"] + "/v1/parse?code=5901234123457&symbology=%FF")
    assert r.status_code == 400
    assert r.json() == {"error": "symbology: not valid UTF-8", "code": "not_utf8"}
