"""POST /v1/batch read back by independent tools: the ZIP by Python's zipfile and every image
in it by zxing-cpp; the PDF sheet by qpdf --check, pdfinfo (page count and size) and
pdftoppm + zxing-cpp (every label decodes, at its place on the sheet); the ZPL stream by
zplkit, one label per item. Refusals: every invalid item listed, item and body limits,
wrong shapes, the method."""
import io
import json
import re
import shutil
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
import zipfile

import pytest
import zxingcpp
import zplkit
from PIL import Image

from test_labels import SAMPLES, checked_pdf, found, gs1_text, pad, texts


def post(server, doc, raw=None):
    body = raw if raw is not None else json.dumps(doc).encode()
    req = urllib.request.Request(f"{server['base']}/v1/batch", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


ITEMS = [{"symbology": s, "data": d, "name": s} for s, (d, _) in sorted(SAMPLES.items())]


def test_zip_holds_one_decodable_file_per_item(server):
    st, headers, body = post(server, {"format": "png", "output": "zip", "items": ITEMS + [ITEMS[0]]})
    assert st == 200, body
    assert headers["Content-Type"] == "application/zip"
    assert headers["Transfer-Encoding"] == "chunked"
    z = zipfile.ZipFile(io.BytesIO(body))
    assert z.testzip() is None
    names = z.namelist()
    assert len(names) == len(ITEMS) + 1 and len(set(names)) == len(names), names
    assert names[-1] == f"{ITEMS[0]['name']}-2.png"
    for item, name in zip(ITEMS, names):
        sym = item["symbology"]
        img = Image.open(io.BytesIO(z.read(name)))
        got = [gs1_text(t) for t in texts(pad(img))]
        assert found(SAMPLES[sym][1], got), (sym, got)
        # The same bytes as the single request with the same options.
        with urllib.request.urlopen(f"{server['base']}/v1/{sym}.png?data={urllib.parse.quote(item['data'])}") as r:
            assert r.read() == z.read(name), sym


def test_zip_of_other_formats_and_item_options(server):
    items = [{"symbology": "qr", "data": "A", "options": {"ecc": "H", "scale": 3}},
             {"symbology": "ean13", "data": "590123412345", "options": {"text": False}}]
    st, _, body = post(server, {"format": "svg", "defaults": {"scale": 2}, "items": items})
    assert st == 200, body
    z = zipfile.ZipFile(io.BytesIO(body))
    assert z.namelist() == ["0.svg", "1.svg"]
    with urllib.request.urlopen(f"{server['base']}/v1/qr/A.svg?ecc=H&scale=3") as r:
        assert r.read() == z.read("0.svg")
    with urllib.request.urlopen(f"{server['base']}/v1/ean13/590123412345.svg?scale=2&text=false") as r:
        assert r.read() == z.read("1.svg")


def test_partial_zip_has_a_manifest(server):
    items = [{"symbology": "ean13", "data": "123"}, {"symbology": "qr", "data": "ok", "name": "good"}]
    st, _, body = post(server, {"partial": True, "items": items})
    assert st == 200, body
    z = zipfile.ZipFile(io.BytesIO(body))
    assert z.namelist() == ["good.png", "manifest.json"]
    m = json.loads(z.read("manifest.json"))
    assert m[0]["index"] == 0 and m[0]["status"] == "error" and m[0]["code"] == "data_length"
    assert m[1] == {"index": 1, "file": "good.png", "status": "ok"}


def test_invalid_items_are_all_listed(server):
    items = [{"symbology": "ean13", "data": "123"}, {"symbology": "qr", "data": "ok"},
             {"symbology": "nope", "data": "x"}, {"symbology": "qr", "data": "x", "options": {"scale": 0}}]
    st, _, body = post(server, {"items": items})
    assert st == 422
    doc = json.loads(body)
    assert doc["code"] == "batch_invalid"
    assert [(i["index"], i["code"]) for i in doc["items"]] == [(0, "data_length"), (2, "unknown_symbology"),
                                                              (3, "bad_option")]


def test_refusals(server):
    st, _, body = post(server, None, raw=b"{not json")
    assert st == 400 and json.loads(body)["code"] == "bad_batch"
    st, _, body = post(server, {"items": [{"symbology": "qr", "data": "x"}] * 1001})
    assert st == 413 and json.loads(body)["code"] == "batch_too_large", body
    st, _, body = post(server, {"output": "zpl", "format": "png", "items": ITEMS[:1]})
    assert st == 400 and "format" in json.loads(body)["error"]
    st, _, body = post(server, {"output": "pdf", "sheet": {"page": {"width_mm": 100, "height_mm": 100}, "rows": 2,
                                                           "cols": 2, "label": {"width_mm": 60, "height_mm": 40}},
                                "items": ITEMS[:1]})
    assert st == 400 and "wider than the page" in json.loads(body)["error"]
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{server['base']}/v1/batch")
    assert e.value.code == 405 and e.value.headers["Allow"] == "POST"
    # Over the body limit: refused from Content-Length, before the body is read.
    st, _, body = post(server, None, raw=b" " * (1024 * 1024 + 1))
    assert st == 413


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("sheet,per_page,page_mm", [("a4-3x7", 21, (210, 297)), ("letter-3x10", 30, (215.9, 279.4))])
def test_pdf_sheet_pages_and_every_label_decodes(server, sheet, per_page, page_mm):
    n = per_page + 3
    items = [{"symbology": "code128", "data": f"LBL-{i:04d}"} for i in range(n)]
    st, headers, body = post(server, {"output": "pdf", "sheet": sheet, "items": items})
    assert st == 200, body
    assert headers["Content-Type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as d:
        path = f"{d}/s.pdf"
        open(path, "wb").write(body)
        pages, (pw, ph) = checked_pdf(path)
        assert pages == 2
        assert abs(pw / 72 * 25.4 - page_mm[0]) < 0.01 and abs(ph / 72 * 25.4 - page_mm[1]) < 0.01
        subprocess.run(["pdftoppm", "-r", "200", "-png", path, f"{d}/p"], check=True)
        got = []
        for page in (1, 2):
            img = Image.open(f"{d}/p-{page}.png")
            got += [r.text for r in zxingcpp.read_barcodes(img.convert("L"))]
    assert sorted(got) == sorted(i["data"] for i in items)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_pdf_sheet_custom_and_mixed_symbologies(server):
    sheet = {"page": {"width_mm": 100, "height_mm": 150}, "rows": 3, "cols": 2,
             "label": {"width_mm": 48, "height_mm": 48}, "margin": {"top_mm": 2, "left_mm": 1},
             "gap": {"x_mm": 2, "y_mm": 1}}
    st, _, body = post(server, {"output": "pdf", "sheet": sheet, "items": ITEMS[:6]})
    assert st == 200, body
    with tempfile.TemporaryDirectory() as d:
        open(f"{d}/s.pdf", "wb").write(body)
        subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", f"{d}/s.pdf", f"{d}/p"], check=True)
        img = Image.open(f"{d}/p.png").convert("L")
    # Each label alone: its symbol decodes, inside its own cell.
    dots = lambda mm: round(mm * 300 / 25.4)
    for i, item in enumerate(ITEMS[:6]):
        r, c = divmod(i, 2)
        x0, y0 = dots(1 + c * 50), dots(2 + r * 49)
        cell = img.crop((x0, y0, x0 + dots(48), y0 + dots(48)))
        got = [gs1_text(t) for t in texts(pad(cell))]
        assert found(SAMPLES[item["symbology"]][1], got), (item, got)


def test_zpl_stream_is_one_label_per_item(server):
    items = [i for i in ITEMS if i["symbology"] in ("ean13", "code128", "qr", "datamatrix")]
    st, headers, body = post(server, {"output": "zpl", "items": items})
    assert st == 200, body
    assert headers["Content-Type"] == "application/zpl; charset=utf-8"
    z = body.decode()
    assert z.count("^XA") == len(items) == z.count("^XZ")
    doc = zplkit.render(z, zplkit.Options(dpi=203, width=600, height=600))
    assert len(doc.labels) == len(items)
    for item, label in zip(items, doc.labels):
        img = Image.open(io.BytesIO(label.png()))
        got = [gs1_text(t) for t in texts(pad(img))]
        assert found(SAMPLES[item["symbology"]][1], got), (item, got)


def test_http10_client_gets_a_close_delimited_body(server):
    host, port = server["base"].removeprefix("http://").split(":")
    body = json.dumps({"items": ITEMS[:2]}).encode()
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /v1/batch HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding" not in head and b"Connection: close" in head
    assert zipfile.ZipFile(io.BytesIO(payload)).namelist() == [ITEMS[0]["name"] + ".png", ITEMS[1]["name"] + ".png"]


def _start(*args):
    """A server of its own (the release binary the shared fixture built), for a test that
    measures it."""
    import os
    import threading
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    binary = os.environ.get("BARCODED_BIN", os.path.join(root, "target", "release", "barcoded"))
    proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--admin-listen", "off", "--threads", "1", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    assert "http://" in line, line
    base = "http://" + line.split("http://", 1)[1].split()[0]
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, base


def _established(port):
    """Server-side sockets of `port` in state ESTABLISHED (/proc/net/tcp, IPv4)."""
    n = 0
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        if int(f[1].split(":")[1], 16) == port and f[3] == "01":
            n += 1
    return n


def _rss_kib(pid):
    return int(open(f"/proc/{pid}/status").read().split("VmRSS:")[1].split()[0])


def test_batches_that_are_never_read_hold_bounded_memory_and_are_cut_off(server):
    """20 clients post 1,000-item batches whose ZIPs are about 13.5 MB each (more than the
    kernel's socket buffers hold) and never read: the server holds at most 2 MiB more per
    connection — its output queue bound, the request and what it keeps per item (about
    1 KB: the item's source, its ZIP directory entry), never the ZIP — and closes them once
    a write made no progress for --write-timeout."""
    proc, base = _start("--write-timeout", "2")
    try:
        host, port = base.removeprefix("http://").split(":")
        pad_ = "x" * 160
        items = [{"symbology": "qr", "data": f"https://shop.example.com/same/{i:06d}?{pad_}"} for i in range(1000)]
        body = json.dumps({"format": "svg", "items": items}).encode()
        req = b"POST /v1/batch HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        # Warm-up: the same batch read whole (its items are then in the L1, so what grows
        # below is the connections' own memory, not the cache's).
        with socket.create_connection((host, int(port)), timeout=30) as s:
            s.sendall(req)
            got = b""
            while not got.endswith(b"0\r\n\r\n"):
                chunk = s.recv(1 << 20)
                assert chunk
                got += chunk
        assert len(got) > 12_000_000, len(got)
        before = _rss_kib(proc.pid)
        conns = []
        for _ in range(20):
            c = socket.create_connection((host, int(port)), timeout=10)
            c.sendall(req)
            conns.append(c)
        import time
        time.sleep(2.0)
        grown = _rss_kib(proc.pid) - before
        print(f"20 stalled batches: RSS +{grown} KiB, {grown / 20:.0f} KiB per connection")
        assert grown / 20 <= 2048, f"{grown / 20:.0f} KiB per stalled batch connection"
        # A fresh client meanwhile.
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as r:
            assert r.status == 200
        # --write-timeout closes them: the server's side of each leaves ESTABLISHED (its FIN
        # waits behind the unread bytes), seen in /proc/net/tcp without reading a byte
        # (reading would let the batches go on).
        deadline = time.time() + 40
        while _established(int(port)) > 0 and time.time() < deadline:
            time.sleep(0.5)
        assert _established(int(port)) == 0, "stalled batch connections are closed by --write-timeout"
        for c in conns:
            c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
