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


# ---- the rest of the symbologies (issue 4) ----

F = zxingcpp.BarcodeFormat
FORMAT.update({"ean8": F.EAN8, "upca": F.UPCA, "upce": F.UPCE, "itf": F.ITF, "itf14": F.ITF, "code39": F.Code39,
               "code93": F.Code93, "codabar": F.Codabar, "gs1-128": F.Code128, "datamatrix": F.DataMatrix,
               "pdf417": F.PDF417, "aztec": F.Aztec})


def decode_hri(png_bytes, sym):
    img = to_gray(Image.open(io.BytesIO(png_bytes)))
    return [r.text for r in zxingcpp.read_barcodes(img, formats=FORMAT[sym], text_mode=zxingcpp.TextMode.HRI)]


def gtin(d):
    return d + ean_check(d)


def rand_digits(n):
    return "".join(rng.choice("0123456789") for _ in range(n))


CASES = {
    "ean8": [(d, gtin(d)) for d in ["9638507", "0000000", "9999999"] + [rand_digits(7) for _ in range(17)]]
    + [("96385074", "96385074")],
    "upca": [(d, gtin(d)) for d in ["03600029145", "01234567890", "00000000000"] + [rand_digits(11) for _ in range(17)]]
    + [("036000291452", "036000291452")],
    "upce": [("0425261", "04252614"), ("425261", "04252614"), ("04252614", "04252614"), ("042100005264", "04252614"),
             ("01234565", "01234565"), ("11234562", None)]
    + [(ns + rand_digits(5) + str(last), None) for ns in "01" for last in range(10)],
    "itf": [(d, d) for d in ["123456", "00000000", "1234567890", "98765432109876543210"] + [rand_digits(2 * k) for k in range(3, 19)]],
    "itf14": [(d, gtin(d)) for d in ["1540014128876", "0001234560001"] + [rand_digits(13) for _ in range(17)]]
    + [("15400141288763", "15400141288763")],
    "code39": [(d, d) for d in ["CODE39", "ABC-123", "HELLO WORLD", "$/+%.", "0", "A" * 40, "1234567890",
                                "ORD 2026 0001", "X.Y-Z", "PART/NO+42%"] + [
        # Random data leaves out $ / + %: readers that auto-detect full ASCII would take a
        # pair like "+W" for "w" (the fixed cases above keep those characters).
        "".join(rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. ") for _ in range(rng.randint(1, 30)))
        for _ in range(10)]],
    "code93": [(d, d) for d in ["CODE93", "abc", "Hello, World!", "1234567890", "\t\x01ctrl", "ÿ"[:0] + "~{}|",
                                "a" * 40, "MIXED case 123", "x", "A" * 80] + [
        "".join(rng.choice(PRINTABLE) for _ in range(rng.randint(1, 35))) for _ in range(10)]],
    "codabar": [("123", "A123A"), ("A123B", "A123B"), ("c40156d", "C40156D"), ("31117013206375", "A31117013206375A"),
                ("-$:/.+", "A-$:/.+A"), ("D0123D", "D0123D")] + [
        (x, "A" + x + "A") for x in ["".join(rng.choice("0123456789-$:/.+") for _ in range(rng.randint(3, 40)))  # readers refuse shorter
                                     for _ in range(14)]],
}


def upce_expand(ns, e):
    """The UPC-A digits (no check) a UPC-E number system and six digits stand for."""
    d1, d2, d3, d4, d5, d6 = e
    if d6 <= 2:
        a = [ns, d1, d2, d6, 0, 0, 0, 0, d3, d4, d5]
    elif d6 == 3:
        a = [ns, d1, d2, d3, 0, 0, 0, 0, 0, d4, d5]
    elif d6 == 4:
        a = [ns, d1, d2, d3, d4, 0, 0, 0, 0, 0, d5]
    else:
        a = [ns, d1, d2, d3, d4, d5, 0, 0, 0, 0, d6]
    return "".join(map(str, a))


def upce_expected(data):
    """UPC-E digits for a 7-digit input: the check digit is the expanded UPC-A's."""
    return data[:7] + ean_check(upce_expand(int(data[0]), [int(c) for c in data[1:7]]))


def upce_as_gtin13(upce8):
    """zxing-cpp 3 reports UPC-E as the GTIN-13 it expands to."""
    a = upce_expand(int(upce8[0]), [int(c) for c in upce8[1:7]])
    assert upce8[7] == ean_check(a), "the service's UPC-E check digit must be the expanded UPC-A's"
    return "0" + a + upce8[7]


LINEAR_PARAMS = [(sym, d, w) for sym, cases in CASES.items() for d, w in cases]


@pytest.mark.parametrize("sym,data,want", LINEAR_PARAMS)
def test_linear_png_and_svg(base_url, sym, data, want):
    if want is None:
        want = upce_expected(data)
    got = decode(fetch(base_url, sym, data), sym)
    got_svg = decode_svg(fetch(base_url, sym, data, "svg", scale=2, text="false"), sym)
    if sym == "upca":
        # zxing-cpp 3 reports UPC-A as the EAN-13 it is: the same digits behind a leading 0.
        assert got == ["0" + want] and got_svg == ["0" + want]
    elif sym == "upce":
        assert got == [upce_as_gtin13(want)] and got_svg == [upce_as_gtin13(want)]
    else:
        assert got == [want] and got_svg == [want]


def test_code39_full_ascii_and_check(base_url):
    # Full ASCII: zxing-cpp reads the shift pairs back as the original characters.
    assert decode(fetch(base_url, "code39", "Mixed case!", full_ascii="true"), "code39") == ["Mixed case!"]
    # check=true appends the mod-43 character: CODE39 -> C12+O24+D13+E14+3+9 = 75 -> 75 % 43 = 32 -> 'W'.
    assert decode(fetch(base_url, "code39", "CODE39", check="true"), "code39") in (["CODE39W"], ["CODE39"])


@pytest.mark.parametrize("sym", ["itf", "itf14"])
def test_bearer_bars_decode(base_url, sym):
    data = "12345678901231"
    png = fetch(base_url, sym, data, bearer="true")
    assert decode(png, sym) == [data]


GS1_INPUTS = ["(01)09506000134352(17)261231(10)ABC", "(01)09506000134352(10)ABC(17)261231",
              "(00)106141411234567897", "(01)09506000134352", "(10)LOT-42(21)SERIAL99", "(3103)001234(15)270101",
              "(8200)https://example.com", "(02)09506000134352(37)12", "(400)PO123(20)01"]


@pytest.mark.parametrize("data", GS1_INPUTS)
def test_gs1_128_hri(base_url, data):
    assert decode_hri(fetch(base_url, "gs1-128", data), "gs1-128") == [data]


@pytest.mark.parametrize("data", GS1_INPUTS[:5])
def test_gs1_datamatrix_hri(base_url, data):
    assert decode_hri(fetch(base_url, "datamatrix", data, gs1="true"), "datamatrix") == [data]


TEXT_2D = ["hello", "HELLO WORLD 123", "0123456789" * 3, "https://shop.example.com/o/123456789", "zażółć gęślą jaźń",
           "日本語のテキスト", "line1\nline2", "a", "A" * 200, "mixed Ünïcödé and ASCII", "€100 ключ",
           "".join(rng.choice(PRINTABLE) for _ in range(150)), "1" * 300, "WIFI:S:net;T:WPA;P:pass;;",
           "tab\tseparated", "~!@#$%^&*()", "space at end ", "12345", "émoji 📦", "A1B2C3D4E5"]


@pytest.mark.parametrize("data", TEXT_2D)
@pytest.mark.parametrize("sym", ["datamatrix", "pdf417", "aztec"])
def test_2d_png(base_url, sym, data):
    assert decode(fetch(base_url, sym, data), sym) == [data]


@pytest.mark.parametrize("data", TEXT_2D[:6])
@pytest.mark.parametrize("sym", ["datamatrix", "pdf417", "aztec"])
def test_2d_svg(base_url, sym, data):
    assert decode_svg(fetch(base_url, sym, data, "svg", scale=3), sym) == [data]


@pytest.mark.parametrize("sym,opts", [("datamatrix", {"shape": "rect"}), ("pdf417", {"ecc": "0"}),
                                      ("pdf417", {"ecc": "8", "columns": "12"}), ("aztec", {"ecc": "50"}),
                                      ("aztec", {"ecc": "5"})])
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_2d_options_and_rotation(base_url, sym, opts, rotate):
    data = "OPT-" + sym
    assert decode(fetch(base_url, sym, data, rotate=rotate, **opts), sym) == [data]


@pytest.mark.parametrize("sym,fits,over", [("datamatrix", "1" * 3116, "1" * 3117), ("pdf417", "1" * 2628, "1" * 2629),
                                          ("aztec", "1" * 3832, "1" * 3833)])
def test_2d_capacity(base_url, sym, fits, over):
    opts = {"ecc": "0"} if sym == "pdf417" else ({"ecc": "5"} if sym == "aztec" else {})
    assert decode(fetch(base_url, sym, fits, scale=2, **opts), sym) == [fits]
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, sym, over, **opts)
    assert e.value.code == 400
    assert b"data_over_capacity" in e.value.read()
