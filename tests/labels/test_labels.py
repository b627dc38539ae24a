"""Label formats read back by independent tools: our ZPL rendered by zplkit (an offline ZPL
renderer) and decoded by zxing-cpp, pixel for pixel our PNG; our PDF rasterised by poppler
(pdftoppm) at 300 and 600 dpi and decoded, its page size the physical size, `qpdf --check`
clean; our JSON module matrix drawn by the test itself and decoded."""
import io
import json
import re
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request

import pytest
import zxingcpp
import zplkit
import zplkit.rendering
from PIL import Image

# Data per symbology and the text a reader returns for it.
SAMPLES = {
    "ean13": ("590123412345", "5901234123457"),
    "ean8": ("5512345", "55123457"),
    "upca": ("03600029145", "036000291452"),
    "upce": ("0425261", "04252614"),  # readers may expand it to UPC-A 042100005264
    "itf": ("1234567890", "1234567890"),
    "itf14": ("1540014128876", "15400141288763"),
    "code128": ("ORD-2026-000123", "ORD-2026-000123"),
    "gs1-128": ("(01)09506000134352(17)261231", "0109506000134352\x1d17261231"),
    "code39": ("CODE39-TEST", "CODE39-TEST"),
    "code93": ("CODE93", "CODE93"),
    "codabar": ("A40156B", "A40156B"),
    "qr": ("https://shop.example.com/o/1", "https://shop.example.com/o/1"),
    "datamatrix": ("HELLO LABEL", "HELLO LABEL"),
    "pdf417": ("PDF417 LABEL", "PDF417 LABEL"),
    "aztec": ("AZTEC LABEL", "AZTEC LABEL"),
}


def fetch(server, sym, data, ext, **opts):
    q = urllib.parse.urlencode(opts)
    url = f"{server['base']}/v1/{sym}/{urllib.parse.quote(data, safe='')}.{ext}" + (f"?{q}" if q else "")
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.status == 200
        return r.read(), r.headers


def texts(img):
    found = zxingcpp.read_barcodes(img.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    return [r.text.replace("]C1", "") for r in found]


def pad(img, border=40):
    """White border: 2D codes with a small quiet zone decode more reliably."""
    out = Image.new("L", (img.width + 2 * border, img.height + 2 * border), 255)
    out.paste(img.convert("L"), (border, border))
    return out


def checked_pdf(path):
    """`qpdf --check` clean (when qpdf is installed); the page count and page size in points."""
    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    size = tuple(float(v) for v in re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    return pages, size


def gs1_text(text):
    return text.replace("\x1d", "")


# What readers may return instead: a UPC-E expanded to its UPC-A (zxing's default).
EXPANDED = {"04252614": "042100005264"}


def found(want, got):
    """Whether a reader found `want` (a UPC-A also reads as the EAN-13 with a leading 0)."""
    w = gs1_text(want)
    forms = {w, "0" + w, EXPANDED.get(w, w), "0" + EXPANDED.get(w, w)}
    return any(f in got for f in forms)


# A 300-dpi label's graphic field is larger than zplkit's default limit.
LIMITS = zplkit.rendering.Limits(graphic_bytes=64 * 1024 * 1024)


@pytest.mark.parametrize("sym", sorted(SAMPLES))
@pytest.mark.parametrize("dpi,compress", [(203, "ascii"), (300, "ascii"), (203, "z64"), (300, "z64")])
def test_zpl_graphic_renders_and_decodes_and_equals_the_png(server, sym, dpi, compress):
    data, want = SAMPLES[sym]
    opts = {"dpi": dpi, "xdim": "0.4", "zpl": "graphic", "zpl_compress": compress}
    zpl, headers = fetch(server, sym, data, "zpl", **opts)
    assert headers["Content-Type"] == "application/zpl; charset=utf-8"
    z = zpl.decode()
    if compress == "z64":
        # zplkit checks the CRC itself and refuses the label when it is wrong.
        assert ":Z64:" in z
    else:
        assert "!" not in z.split("^GFA", 1)[1], "no '!' in the graphic data"
    w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
    doc = zplkit.render(z, zplkit.Options(dpi=dpi, width=w, height=h), limits=LIMITS)
    assert len(doc.labels) == 1
    img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
    png, _ = fetch(server, sym, data, "png", dpi=dpi, xdim="0.4")
    ours = Image.open(io.BytesIO(png)).convert("L")
    assert img.size == ours.size, (img.size, ours.size)
    # Pixel for pixel: black where our PNG is dark.
    a = [p < 128 for p in img.tobytes()]
    b = [p < 128 for p in ours.tobytes()]
    assert a == b, f"{sum(x != y for x, y in zip(a, b))} pixels differ"
    got = [gs1_text(t) for t in texts(pad(img))]
    assert found(want, got), got


# The printer's own barcode commands where they draw the same symbol.
NATIVE = {"ean13": "^BEN,", "ean8": "^B8N,", "upca": "^BUN,", "upce": "^B9N,", "itf": "^B2N,", "itf14": "^B2N,",
          "code39": "^B3N,", "qr": "^BQN,",
          "datamatrix": "^BXN,", "code128": "^BCN,", "gs1-128": "^BCN,", "code93": "^BAN,", "codabar": "^BKN,",
          "aztec": "^BON,", "pdf417": "^B7N,"}


def bar_row(img, y):
    """The dark runs of one row, as a string of 0/1."""
    return "".join("1" if img.getpixel((x, y)) < 128 else "0" for x in range(img.width))


@pytest.mark.parametrize("sym,data", [
    ("code128", "ORD-2026-000123"), ("code128", "1234567890123456"), ("code128", "AB12345678cd"), ("code128", "x"),
    ("gs1-128", "(01)09506000134352(10)ABC(17)261231"), ("gs1-128", "(00)106141411234567897"),
    ("gs1-128", "(400)ORDER-77(8004)4000123ABC"), ("gs1-128", "(10)12345678901234(21)A1"),
    ("gs1-128", "(01)09506000134352(17)261231(10)ABC")])
def test_zpl_native_code128_is_our_symbol(server, sym, data):
    """The printer draws the same bars as our PNG: our code sets and FNC1s, spelled out."""
    z, _ = fetch(server, sym, data, "zpl", text="false")
    z = z.decode()
    assert "^BCN," in z, z
    w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
    doc = zplkit.render(z, zplkit.Options(dpi=203, width=w, height=h), limits=LIMITS)
    img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
    png, _ = fetch(server, sym, data, "png", text="false")
    ours = Image.open(io.BytesIO(png)).convert("L")
    assert bar_row(img, 10).strip("0") == bar_row(ours, 10).strip("0")


@pytest.mark.parametrize("sym", sorted(SAMPLES))
@pytest.mark.parametrize("dpi", [203, 300])
def test_zpl_native_commands_render_and_decode(server, sym, dpi):
    data, want = SAMPLES[sym]
    z, _ = fetch(server, sym, data, "zpl", dpi=dpi, xdim="0.33")
    z = z.decode()
    if sym in NATIVE:
        assert NATIVE[sym] in z and "^GF" not in z, z
    else:
        assert "^GFA," in z, "no native command: our raster"
    w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
    doc = zplkit.render(z, zplkit.Options(dpi=dpi, width=w, height=h), limits=LIMITS)
    img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
    got = [gs1_text(t) for t in texts(pad(img))]
    assert found(want, got), (z[:200], got)


def test_zpl_field_block_and_offsets(server):
    z, _ = fetch(server, "ean13", "590123412345", "zpl", label="false", x=30, y=40, zpl="graphic")
    z = z.decode()
    assert z.startswith("^FO30,40^GFA,") and z.rstrip().endswith("^FS") and "^XA" not in z
    full, _ = fetch(server, "ean13", "590123412345", "zpl", x=30, y=40)
    w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", full.decode()).groups())
    doc = zplkit.render(full.decode(), zplkit.Options(dpi=203, width=w, height=h))
    img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
    assert all(p > 128 for p in img.crop((0, 0, 30, h)).tobytes()), "nothing left of x=30"
    assert "5901234123457" in texts(img)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("sym", sorted(SAMPLES))
def test_pdf_rasterises_decodes_and_has_its_physical_size(server, sym):
    data, want = SAMPLES[sym]
    pdf, headers = fetch(server, sym, data, "pdf", dpi=300)
    assert headers["Content-Type"] == "application/pdf"
    png, _ = fetch(server, sym, data, "png", dpi=300)
    ours = Image.open(io.BytesIO(png))
    with tempfile.TemporaryDirectory() as d:
        path = f"{d}/b.pdf"
        open(path, "wb").write(pdf)
        _, (pw, ph) = checked_pdf(path)
        # The page is the symbol at 300 dpi: width px / 300 in, within 0.01 mm.
        assert abs(pw / 72 * 25.4 - ours.width / 300 * 25.4) < 0.01, (pw, ours.width)
        assert abs(ph / 72 * 25.4 - ours.height / 300 * 25.4) < 0.01, (ph, ours.height)
        for res in (300, 600):
            subprocess.run(["pdftoppm", "-r", str(res), "-png", "-singlefile", path, f"{d}/r{res}"], check=True)
            img = Image.open(f"{d}/r{res}.png")
            got = [gs1_text(t) for t in texts(pad(img))]
            assert found(want, got), (res, got)


@pytest.mark.parametrize("sym", sorted(SAMPLES))
def test_json_matrix_draws_a_symbol_that_decodes(server, sym):
    data, want = SAMPLES[sym]
    body, headers = fetch(server, sym, data, "json")
    assert headers["Content-Type"] == "application/json"
    doc = json.loads(body)
    assert doc["symbology"] == sym
    rows = doc["matrix"]
    assert doc["modules"] == {"width": len(rows[0]), "height": len(rows)}
    # Drawn by this test: 4 px per module, 10 modules of quiet zone, linear rows 60 high.
    s, q = 4, 10
    height = len(rows) if len(rows) > 1 else 15
    img = Image.new("L", ((len(rows[0]) + 2 * q) * s, (height + 2 * q) * s), 255)
    px = img.load()
    for y in range(height):
        row = rows[y if len(rows) > 1 else 0]
        for x, c in enumerate(row):
            if c == "1":
                for dy in range(s):
                    for dx in range(s):
                        px[(x + q) * s + dx, (y + q) * s + dy] = 0
    got = [gs1_text(t) for t in texts(img)]
    assert found(want, got), got
    png, _ = fetch(server, sym, data, "png")
    ours = Image.open(io.BytesIO(png))
    assert doc["pixels"] == {"width": ours.width, "height": ours.height}
    if sym == "gs1-128":
        assert doc["gs1"] == "(01)09506000134352(17)261231"


def _ink_box(img):
    return Image.eval(img, lambda p: 255 - p).getbbox()


@pytest.mark.parametrize("sym,data,ecc", [
    ("pdf417", "PDF417 LABEL", 2), ("pdf417", "PDF417 LABEL", 5), ("pdf417", "1234567890123456789012345", 2),
    ("pdf417", "https://shop.example.com/o/1?x=42", 5), ("pdf417", "Hello, World! 2026", 3),
    ("qr", "https://shop.example.com/o/1", None), ("datamatrix", "HELLO LABEL", None), ("aztec", "AZTEC LABEL", None)])
def test_zpl_native_2d_symbols_have_our_size_and_place(server, sym, data, ecc):
    """The printer's own 2D encoders may pick other modules, never another size or place:
    zplkit draws the native symbol on exactly the dots our PNG's symbol covers."""
    opts = {"scale": 3, **({"ecc": ecc} if ecc is not None else {})}
    z, _ = fetch(server, sym, data, "zpl", **opts)
    z = z.decode()
    assert NATIVE[sym] in z, z
    w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
    doc = zplkit.render(z, zplkit.Options(dpi=203, width=w + 40, height=h + 40), limits=LIMITS)
    img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
    png, _ = fetch(server, sym, data, "png", **opts)
    assert _ink_box(img) == _ink_box(Image.open(io.BytesIO(png)).convert("L"))


@pytest.mark.parametrize("sym,data", [
    ("code128", "A^B~C_D"), ("code128", "PRICE^100_2"), ("qr", "a^b~c_d>e"), ("aztec", "X^Y~Z_"),
    ("pdf417", "caret^tilde~under_"), ("code39", "A-B.C"), ("datamatrix", "A^B~C")])
def test_zpl_native_field_data_escapes_what_zpl_reads_as_commands(server, data, sym):
    """`^`, `~` and `_` in the data go through `^FH` hex escapes: the printer's own command
    still draws it, and it decodes to the data sent."""
    z, _ = fetch(server, sym, data, "zpl", dpi=203, xdim="0.4")
    z = z.decode()
    assert NATIVE[sym] in z and "^GF" not in z, z
    if any(c in data for c in "^~_"):
        assert "^FH_^FD" in z, z
    w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
    doc = zplkit.render(z, zplkit.Options(dpi=203, width=w, height=h), limits=LIMITS)
    img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
    assert data in texts(pad(img)), texts(pad(img))
    if sym == "code128":
        png, _ = fetch(server, sym, data, "png", dpi=203, xdim="0.4", text="false")
        z2, _ = fetch(server, sym, data, "zpl", dpi=203, xdim="0.4", text="false")
        w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z2.decode()).groups())
        doc = zplkit.render(z2.decode(), zplkit.Options(dpi=203, width=w, height=h), limits=LIMITS)
        img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
        assert bar_row(img, 10).strip("0") == bar_row(Image.open(io.BytesIO(png)).convert("L"), 10).strip("0")


def test_zpl_code128_with_a_greater_than_sign_is_our_raster(server):
    """`>` has no invocation code renderers agree on (zplkit reads `><` as `^`): graphic."""
    z, _ = fetch(server, "code128", "A>B", "zpl")
    assert b"^GFA" in z and b"^BC" not in z


UPS = ("[)>\x1e01\x1d96152382802\x1d840\x1d001\x1d1Z00004951\x1dUPSN\x1d06X610\x1d159\x1d1234567\x1d1/1\x1d\x1dY"
       "\x1d634 ALPHA DR\x1dPITTSBURGH\x1dPA\x1e\x04")


@pytest.mark.parametrize("data,query,want,native", [
    ("HELLO MAXICODE 123", {}, None, True),
    (UPS, {"mode": 2}, None, True),
    (UPS.replace("152382802", "K1A0B1").replace("840", "124"), {"mode": 3}, None, True),
    ("x", {"mode": 2, "postcode": "152382802", "country": "840", "service": "1"}, "152382802\x1d840\x1d001\x1dx", True),
    ("Secondary", {"mode": 2, "postcode": "15238", "country": "840", "service": "1"}, "15238\x1d840\x1d001\x1dSecondary", False),
    ("mode five", {"mode": 5}, None, False),
    ("mode six", {"mode": 6}, None, True),
    ("a_b^c~d", {}, None, True)])
def test_maxicode_zpl_is_printer_native_and_reads(server, data, query, want, native):
    """`^BD` with the primary message first (class of service, country, a 9-digit or
    6-character postcode) and control characters as `^FH` escapes, rendered by zplkit and
    read by zxing-cpp; other postcodes and mode 5 are drawn as a graphic field."""
    z, _ = fetch(server, "maxicode", data, "zpl", **query)
    z = z.decode()
    assert ("^BD" in z) == native, z
    doc = zplkit.render(z, zplkit.Options(dpi=203, width=600, height=600))
    img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
    got = [r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.MaxiCode,
                                                  text_mode=zxingcpp.TextMode.Plain)]
    assert got == [want or data]
