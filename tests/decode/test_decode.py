"""Decode check: render many inputs per symbology through the HTTP API, as PNG and as
rasterised SVG, and read them back with an independent decoder (zxing-cpp). The decoded
text must equal the input exactly."""
import io
import random
import urllib.error
import urllib.parse
import urllib.request

import cairosvg
import pytest
import zxingcpp
from PIL import Image

FORMAT = {"ean13": zxingcpp.BarcodeFormat.EAN13, "code128": zxingcpp.BarcodeFormat.Code128,
          "qr": zxingcpp.BarcodeFormat.QRCode}


def ean_check(d12):
    s = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(d12)))
    return str((10 - s % 10) % 10)


def fetch(base, sym, data, ext="png", **opts):
    q = urllib.parse.urlencode(opts)
    path = f"/v1/{sym}/{urllib.parse.quote(data, safe='')}.{ext}" + (f"?{q}" if q else "")
    with urllib.request.urlopen(base + path, timeout=10) as r:
        assert r.status == 200
        return r.read()


def to_gray(img):
    """Composite onto white (transparent backgrounds) and convert to 8-bit gray."""
    img = img.convert("RGBA")
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, img).convert("L")


def decode(png_bytes, sym):
    img = to_gray(Image.open(io.BytesIO(png_bytes)))
    res = zxingcpp.read_barcodes(img, formats=FORMAT[sym], text_mode=zxingcpp.TextMode.Plain)
    return [r.text for r in res]


def decode_svg(svg_bytes, sym):
    png = cairosvg.svg2png(bytestring=svg_bytes)
    return decode(png, sym)


rng = random.Random(20261125)

EAN_INPUTS = ["590123412345", "5901234123457", "400638133393", "000000000000", "999999999999",
              "978014300723"] + ["".join(rng.choice("0123456789") for _ in range(12)) for _ in range(16)]

PRINTABLE = "".join(chr(c) for c in range(32, 127))
CODE128_INPUTS = [
    "Hello-World-12345678", "1234567890", "12345678901", "A", "0", "ORD-2026-000123",
    PRINTABLE, "\t\x1dCTRL\x01\x02", "mixed123456abcDEF7890", "ÀÉÎõü ÿ Latin-1", "a" * 80,
    "".join(rng.choice(PRINTABLE) for _ in range(256)), "0" * 256, "lower case only",
    "~!@#$%^&*()_+{}|:\"<>?", "SSCC 00 1234567890123456", "x1y2z3", "99", "1a2b3c4d5e",
    "Tab\tSeparated\tValues",
]

QR_INPUTS = [
    "https://shop.example.com/o/123456789", "HELLO WORLD", "0123456789" * 5, "zażółć gęślą jaźń",
    "日本語のテキスト", "emoji 📦🚚", "line1\nline2\r\nline3", "a", "A" * 100,
    "https://id.gs1.org/01/09506000134352/10/ABC?17=261231", "mixed Ünïcödé and ASCII",
    "".join(rng.choice(PRINTABLE) for _ in range(300)), "1" * 500, "WIFI:S:net;T:WPA;P:pass;;",
    "BEGIN:VCARD\nVERSION:3.0\nFN:A B\nEND:VCARD", "€100", "ключ", "%20 not decoded twice",
    "space at end ", "trailing+plus",
]


@pytest.mark.parametrize("data", EAN_INPUTS)
def test_ean13_png_and_svg(base_url, data):
    want = data if len(data) == 13 else data + ean_check(data)
    assert decode(fetch(base_url, "ean13", data), "ean13") == [want]
    assert decode_svg(fetch(base_url, "ean13", data, "svg", scale=2), "ean13") == [want]


@pytest.mark.parametrize("data", CODE128_INPUTS)
def test_code128_png_and_svg(base_url, data):
    assert decode(fetch(base_url, "code128", data), "code128") == [data]
    assert decode_svg(fetch(base_url, "code128", data, "svg", scale=2, text="false"), "code128") == [data]


@pytest.mark.parametrize("data", QR_INPUTS)
@pytest.mark.parametrize("ecc", ["L", "M", "Q", "H"])
def test_qr_png(base_url, data, ecc):
    assert decode(fetch(base_url, "qr", data, ecc=ecc), "qr") == [data]


@pytest.mark.parametrize("data", QR_INPUTS[:8])
def test_qr_svg(base_url, data):
    assert decode_svg(fetch(base_url, "qr", data, "svg", scale=3), "qr") == [data]


@pytest.mark.parametrize("sym,data", [("ean13", "590123412345"), ("code128", "ROT-123abc"),
                                      ("qr", "rotate me")])
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("scale", [1, 2, 3, 4])
def test_every_rotation_and_scale(base_url, sym, data, rotate, scale):
    want = data + ean_check(data) if sym == "ean13" else data
    png = fetch(base_url, sym, data, scale=scale, rotate=rotate)
    assert decode(png, sym) == [want]
    img = Image.open(io.BytesIO(png))
    assert img.mode in ("1", "L", "P")
    if rotate in (90, 270):
        assert img.width < img.height or sym == "qr"
    svg = fetch(base_url, sym, data, "svg", scale=max(scale, 2), rotate=rotate)
    assert decode_svg(svg, sym) == [want]


@pytest.mark.parametrize("fg,bg", [("000000", "ffffff"), ("1a237e", "fff8e1"), ("000000", "ffffff00"),
                                   ("003300ff", "00000000"), ("800000", "ffffffcc")])
@pytest.mark.parametrize("sym,data", [("ean13", "400638133393"), ("code128", "COLOUR-42"),
                                      ("qr", "coloured qr")])
def test_colours_and_transparency(base_url, sym, data, fg, bg):
    want = data + ean_check(data) if sym == "ean13" else data
    png = fetch(base_url, sym, data, fg=fg, bg=bg)
    img = Image.open(io.BytesIO(png))
    if (fg, bg) == ("000000", "ffffff"):
        assert img.mode == "1"  # 1-bit grayscale when black on white
    else:
        assert img.mode == "P"  # 1-bit palette otherwise
    assert decode(png, sym) == [want]
    assert decode_svg(fetch(base_url, sym, data, "svg", fg=fg, bg=bg), sym) == [want]


def test_quiet_zone_and_size_are_exact(base_url):
    # EAN-13 at scale 3: (11 + 95 + 7) modules wide; quiet=0 removes exactly 18 modules.
    img = Image.open(io.BytesIO(fetch(base_url, "ean13", "590123412345", scale=3)))
    assert img.width == 113 * 3
    img0 = Image.open(io.BytesIO(fetch(base_url, "ean13", "590123412345", scale=3, quiet=0, text="false")))
    assert img0.width == 95 * 3 and img0.height == 69 * 3
    # QR version 1 at scale 4 with the default 4-module quiet zone: 29 modules.
    q = Image.open(io.BytesIO(fetch(base_url, "qr", "HELLO", scale=4, ecc="L")))
    assert q.size == (29 * 4, 29 * 4)
    # Bars never blur: only the two colours appear.
    assert set(to_gray(img).getdata()) <= {0, 255}


def test_dpi_is_written(base_url):
    img = Image.open(io.BytesIO(fetch(base_url, "qr", "dpi", dpi=300)))
    assert round(img.info["dpi"][0]) == 300


def test_longest_inputs(base_url):
    longest_qr = "a" * 2953
    assert decode(fetch(base_url, "qr", longest_qr, ecc="L", scale=2), "qr") == [longest_qr]
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, "qr", longest_qr + "a", ecc="L")
    assert e.value.code == 400
    assert b"capacity 2953" in e.value.read()
