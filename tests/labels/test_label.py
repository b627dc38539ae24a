"""POST /v1/label read back by independent tools: a 4x6 in shipping label (an SSCC in
GS1-128, a QR code, five text lines, a frame and a rule) as ZPL rendered by zplkit, as PDF
rasterised by pdftoppm, and as our PNG — every barcode decodes in each, at the same place
within one dot, and the frame and rule are at the same dots. Refusals name the element."""
import io
import json
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request

import pytest
import zxingcpp
import zplkit
import zplkit.rendering
from PIL import Image

SSCC = "(00)106141411234567897"
URL = "https://track.example.com/p/00106141411234567897"


def shipping(fmt, dpi=203):
    return {"size": {"width_in": 4, "height_in": 6}, "dpi": dpi, "format": fmt, "elements": [
        {"type": "box", "x_mm": 2, "y_mm": 2, "width_mm": 97.6, "height_mm": 148.4, "thickness_mm": 0.5},
        {"type": "text", "x_mm": 6, "y_mm": 6, "text": "FROM: ACME WAREHOUSE 7", "height_mm": 3.5},
        {"type": "text", "x_mm": 6, "y_mm": 12, "text": "TO: JANE DOE", "height_mm": 5},
        {"type": "text", "x_mm": 6, "y_mm": 19, "text": "12 MAIN STREET", "height_mm": 4},
        {"type": "text", "x_mm": 6, "y_mm": 25, "text": "SPRINGFIELD 12345", "height_mm": 4},
        {"type": "text", "x_mm": 6, "y_mm": 31, "text": "PARCEL 1 OF 1", "height_mm": 3.5, "width_mm": 60},
        {"type": "line", "x_mm": 2, "y_mm": 38, "x2_mm": 99.6, "y2_mm": 38, "thickness_mm": 0.5},
        {"type": "barcode", "x_mm": 55, "y_mm": 42, "symbology": "qr", "data": URL, "options": {"xdim": 0.5}},
        {"type": "barcode", "x_mm": 6, "y_mm": 100, "symbology": "gs1-128", "data": SSCC,
         "options": {"xdim_mil": 15, "height_mm": 25}},
    ]}


def post(server, doc):
    req = urllib.request.Request(f"{server['base']}/v1/label", data=json.dumps(doc).encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def render(fmt, body, dpi, size):
    if fmt == "png":
        return Image.open(io.BytesIO(body)).convert("L")
    if fmt == "zpl":
        doc = zplkit.render(body.decode(), zplkit.Options(dpi=dpi, width=size[0], height=size[1]),
                            limits=zplkit.rendering.Limits(graphic_bytes=64 * 1024 * 1024))
        assert len(doc.labels) == 1
        return Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
    with tempfile.TemporaryDirectory() as d:
        open(f"{d}/l.pdf", "wb").write(body)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", f"{d}/l.pdf", f"{d}/l"], check=True)
        return Image.open(f"{d}/l.png").convert("L")


def barcodes(img):
    found = {}
    for r in zxingcpp.read_barcodes(img, text_mode=zxingcpp.TextMode.HRI):
        p = r.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        found[r.text] = (min(xs), min(ys), max(xs), max(ys))
    return found


def dark(img, x, y):
    return img.getpixel((x, y)) < 128


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("dpi", [203, 300])
def test_shipping_label_in_three_formats_decodes_at_the_same_places(server, dpi):
    size = (round(4 * dpi), round(6 * dpi))
    images = {}
    for fmt in ("png", "zpl", "pdf"):
        st, headers, body = post(server, shipping(fmt, dpi))
        assert st == 200, body
        assert headers["Content-Type"].startswith({"png": "image/png", "zpl": "application/zpl",
                                                   "pdf": "application/pdf"}[fmt])
        img = render(fmt, body, dpi, size)
        assert img.size == size, (fmt, img.size)
        images[fmt] = img
    where = {fmt: barcodes(img) for fmt, img in images.items()}
    for fmt, found in where.items():
        assert set(found) == {SSCC, URL}, (fmt, found)
    for code in (SSCC, URL):
        ours = where["png"][code]
        for fmt in ("zpl", "pdf"):
            theirs = where[fmt][code]
            assert all(abs(a - b) <= 1 for a, b in zip(ours, theirs)), (fmt, code, ours, theirs)
    dots = lambda mm: round(mm * dpi / 25.4)
    for fmt, img in images.items():
        # The frame's left side and the rule, at their dots; white just outside them.
        x, y = dots(2), dots(80)
        assert dark(img, x, y) and dark(img, x + 1, y) and not dark(img, x - 2, y), fmt
        ry = dots(38)
        assert dark(img, dots(50), ry) and not dark(img, dots(50), ry - 3), fmt
        # Each text line puts ink inside its cells' box, and (our own fonts' glyphs: the
        # printer's font 0 has its own metrics) none just above it.
        for top_mm, h_mm in ((6, 3.5), (12, 5), (19, 4), (25, 4), (31, 3.5)):
            top = dots(top_mm)
            band = img.crop((dots(6), top, dots(6) + dots(40), top + dots(h_mm)))
            assert min(band.tobytes()) < 128, (fmt, top_mm)
            above = img.crop((dots(6), top - 4, dots(6) + dots(40), top - 1))
            assert fmt == "zpl" or min(above.tobytes()) >= 128, (fmt, top_mm)


def test_turned_barcodes_are_the_printers_commands_at_our_places(server):
    """Barcodes turned on a label are drawn by the printer's own commands (no graphic field)
    where our PNG draws them: zxing-cpp finds each at the same place within one dot."""
    elements = [
        {"type": "barcode", "x_mm": 4, "y_mm": 4, "symbology": "gs1-128", "data": "(01)09506000134352(10)ABC",
         "rotate": 90, "options": {"xdim": 0.375}},
        {"type": "barcode", "x_mm": 40, "y_mm": 4, "symbology": "itf14", "data": "1540014128876", "rotate": 270},
        {"type": "barcode", "x_mm": 40, "y_mm": 60, "symbology": "datamatrix", "rotate": 180,
         "data": "(01)09506000134352(17)261231", "options": {"gs1": True, "xdim": 0.5}},
        {"type": "barcode", "x_mm": 4, "y_mm": 110, "symbology": "code128", "data": "TURNED-128", "rotate": 180},
    ]
    dpi = 203
    size = (round(4 * dpi), round(6 * dpi))
    where = {}
    for fmt in ("png", "zpl"):
        doc = {"size": {"width_in": 4, "height_in": 6}, "dpi": dpi, "format": fmt, "elements": elements}
        st, _, body = post(server, doc)
        assert st == 200, body
        if fmt == "zpl":
            z = body.decode()
            assert "^GF" not in z and all(c in z for c in ("^BCR,", "^B2B,", "^BXI,", "^BCI,")), z
        where[fmt] = barcodes(render(fmt, body, dpi, size))
    assert len(where["png"]) == 4, where["png"]
    for code, ours in where["png"].items():
        theirs = where["zpl"].get(code)
        assert theirs and all(abs(a - b) <= 1 for a, b in zip(ours, theirs)), (code, ours, theirs)


def test_refusals_name_the_element(server):
    base = {"size": {"width_mm": 60, "height_mm": 40}, "format": "png"}
    cases = [
        ([{"type": "text", "x_mm": 50, "y_mm": 2, "text": "TOO LONG", "height_mm": 3}], 0, "label_invalid", "outside"),
        ([{"type": "barcode", "x_mm": 2, "y_mm": 2, "symbology": "qr", "data": "x"},
          {"type": "text", "x_mm": 3, "y_mm": 3, "text": "ON IT", "height_mm": 2}], 1, "label_invalid", "quiet zone"),
        ([{"type": "text", "x_mm": 2, "y_mm": 2, "text": "ABCDEFGHIJ", "height_mm": 3, "width_mm": 10}], 0,
         "label_invalid", "does not fit"),
        ([{"type": "box", "x_mm": 1, "y_mm": 1, "width_mm": 5, "height_mm": 5},
          {"type": "barcode", "x_mm": 10, "y_mm": 2, "symbology": "ean13", "data": "123"}], 1, "data_length", "ean13"),
        ([{"type": "line", "x_mm": 1, "y_mm": 1, "x2_mm": 5, "y2_mm": 5}], 0, "bad_line", "horizontal"),
    ]
    for elements, index, code, words in cases:
        st, _, body = post(server, {**base, "elements": elements})
        doc = json.loads(body)
        assert st == 422, doc
        assert doc["code"] == code and doc["error"].startswith(f"elements[{index}]:"), doc
        assert words in doc["error"], doc
    st, _, body = post(server, {"size": {"width_mm": 60}, "elements": []})
    assert st == 400 and json.loads(body)["code"] == "bad_label"
    st, _, body = post(server, {**base, "elements": [{"type": "circle", "x_mm": 1}]})
    assert st == 400 and json.loads(body)["code"] == "bad_label"
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{server['base']}/v1/label")
    assert e.value.code == 405
