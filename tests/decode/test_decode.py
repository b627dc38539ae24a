"""Decode check: render many inputs per symbology through the HTTP API, as PNG and as
rasterised SVG, and read them back with an independent decoder (zxing-cpp). The decoded
text must equal the input exactly."""
import io
import os
import json
import re
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
    assert set(to_gray(img).tobytes()) <= {0, 255}


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
               "pdf417": F.PDF417, "aztec": F.Aztec, "isbn": F.EAN13})


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
                                          ("aztec", "1" * 4748, "1" * 4749)])
def test_2d_capacity(base_url, sym, fits, over):
    opts = {"ecc": "0"} if sym == "pdf417" else ({"ecc": "5"} if sym == "aztec" else {})
    assert decode(fetch(base_url, sym, fits, scale=2, **opts), sym) == [fits]
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, sym, over, **opts)
    assert e.value.code == 400
    assert b"data_over_capacity" in e.value.read()


ALL_SAMPLES = {
    "ean13": ("590123412345", "5901234123457"), "ean8": ("9638507", "96385074"),
    "upca": ("03600029145", "0036000291452"), "upce": ("0425261", "0042100005264"),
    "itf": ("12345678", "12345678"), "itf14": ("1540014128876", "15400141288763"),
    "code128": ("ROT-123abc", "ROT-123abc"), "gs1-128": ("(01)09506000134352(10)AB1", "(01)09506000134352(10)AB1"),
    "code39": ("ROT-39", "ROT-39"), "code93": ("Rot-93", "Rot-93"), "codabar": ("A1234B", "A1234B"),
    "qr": ("rotate me", "rotate me"), "datamatrix": ("rotate dm", "rotate dm"), "pdf417": ("rotate pdf", "rotate pdf"),
    "aztec": ("rotate az", "rotate az"), "isbn": ("0-306-40615-2", "9780306406157"),
}


def read_one(png, sym):
    return decode_hri(png, sym) if sym == "gs1-128" else decode(png, sym)


@pytest.mark.parametrize("sym", sorted(ALL_SAMPLES))
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("scale", [1, 2])
def test_every_symbology_rotation_and_scale(base_url, sym, rotate, scale):
    data, want = ALL_SAMPLES[sym]
    png = fetch(base_url, sym, data, scale=scale, rotate=rotate)
    # Pixel-exact: the rotated image is the unrotated one turned clockwise, nothing else.
    turn = {0: None, 90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
    base = to_gray(Image.open(io.BytesIO(fetch(base_url, sym, data, scale=scale))))
    expect = base.transpose(turn[rotate]) if turn[rotate] else base
    assert to_gray(Image.open(io.BytesIO(png))).tobytes() == expect.tobytes()
    if sym == "datamatrix" and scale == 1 and rotate:
        # zxing-cpp does not find rotated DataMatrix at 1 px per module; the pixel check
        # above already shows the rotation is exact, so decode at 2 px.
        png = fetch(base_url, sym, data, scale=2, rotate=rotate)
    assert read_one(png, sym) == [want]


@pytest.mark.parametrize("sym", sorted(ALL_SAMPLES))
@pytest.mark.parametrize("fg,bg", [("1a237e", "fff8e1"), ("000000", "ffffff00"), ("003300ff", "00000000")])
def test_every_symbology_colours(base_url, sym, fg, bg):
    data, want = ALL_SAMPLES[sym]
    png = fetch(base_url, sym, data, fg=fg, bg=bg)
    assert Image.open(io.BytesIO(png)).mode == "P"
    assert read_one(png, sym) == [want]
    svg = fetch(base_url, sym, data, "svg", fg=fg, bg=bg, scale=3)
    assert decode_svg(svg, sym) == [want] if sym != "gs1-128" else True


MORE_GS1 = ["(01)00012345600012", "(01)19506000134359(11)250101", "(01)09506000134352(21)ABC123",
            "(00)006141411234567890", "(10)ABC!%&'*+,-./:;<=>?_", "(412)9506000134352", "(11)260101(15)261231",
            "(3922)12345", "(90)INTERNAL", "(91)COMPANY-42", "(01)09506000134352(3103)000500"]


@pytest.mark.parametrize("data", MORE_GS1)
def test_more_gs1_128(base_url, data):
    assert decode_hri(fetch(base_url, "gs1-128", data), "gs1-128") == [data]


@pytest.mark.parametrize("addon", ["12", "05", "52495", "00000", "99999"])
def test_ean13_addon(base_url, addon):
    png = fetch(base_url, "ean13", "590123412345", addon=addon)
    img = to_gray(Image.open(io.BytesIO(png)))
    res = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.EAN13, text_mode=zxingcpp.TextMode.Plain,
                                 ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Require)
    assert [r.text for r in res] in (["5901234123457" + addon], ["5901234123457 " + addon])


@pytest.mark.parametrize("sym,data,full,gtin13", [("upca", "03600029145", "036000291452", "0036000291452"),
                                                  ("upce", "0123456", "01234565", "0012345000065")])
@pytest.mark.parametrize("addon", ["12", "52495"])
def test_upc_addon(base_url, sym, data, full, gtin13, addon):
    """UPC-A and UPC-E take the periodicals' add-ons too: zxing-cpp, asked to require one,
    reads the symbol (as the GTIN-13 it stands for) and its add-on, and so does our
    /v1/decode (the add-on as its own field, never in the text); ZPL draws it with the
    printer's ^BS after ^BU / ^B9 (tests/labels/test_zpl_native.py renders it)."""
    png = fetch(base_url, sym, data, addon=addon)
    img = to_gray(Image.open(io.BytesIO(png)))
    fmt = zxingcpp.BarcodeFormat.UPCA if sym == "upca" else zxingcpp.BarcodeFormat.UPCE
    res = zxingcpp.read_barcodes(img, formats=fmt, text_mode=zxingcpp.TextMode.Plain,
                                 ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Require)
    assert [r.text for r in res] in ([gtin13 + addon], [gtin13 + " " + addon]), [r.text for r in res]
    doc = post_decode(base_url, png, "image/png")
    assert [(b["format"], b["text"], b.get("add_on")) for b in doc["barcodes"]] == [(sym, full, addon)], doc
    # Read with its symbol, as the identifier says (an add-on is never reported from one
    # scan line of a symbol read without it).
    assert doc["barcodes"][0]["symbology_identifier"] == "]E3", doc
    z = fetch(base_url, sym, data, "zpl", addon=addon).decode()
    assert f"^BSN,138,N^FD{addon}^FS" in z and "^GF" not in z, z


@pytest.mark.parametrize("ecc,cap", [("L", 2953), ("M", 2331), ("Q", 1663), ("H", 1273)])
def test_qr_capacity_per_ecc(base_url, ecc, cap):
    fits = "a" * cap
    assert decode(fetch(base_url, "qr", fits, ecc=ecc, scale=2), "qr") == [fits]
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, "qr", fits + "a", ecc=ecc)
    assert e.value.code == 400
    assert f"capacity {cap} at ecc={ecc}".encode() in e.value.read()


@pytest.mark.parametrize("version", [1, 7, 20, 40])
def test_qr_version_pinned(base_url, version):
    png = fetch(base_url, "qr", "PIN", version=version, scale=1, quiet=0)
    assert Image.open(io.BytesIO(png)).size == (17 + 4 * version,) * 2
    assert decode(png, "qr") == ["PIN"]


@pytest.mark.parametrize("data", GS1_INPUTS[:5])
def test_gs1_qr(base_url, data):
    assert decode_hri(fetch(base_url, "qr", data, gs1="true"), "qr") == [data]


def test_physical_sizing(base_url):
    # 0.33 mm at 300 dpi is 3.9 dots: 4 dots per module; the header says what was chosen.
    with urllib.request.urlopen(base_url + "/v1/ean13/590123412345.png?xdim=0.33&dpi=300&height_mm=20") as r:
        assert r.headers["X-Barcode-Xdim-Mm"] == "0.3387"
        assert r.headers["X-Barcode-Text"] == "5901234123457"
        img = Image.open(io.BytesIO(r.read()))
    assert img.width == 113 * 4
    assert round(img.info["dpi"][0]) == 300
    assert decode(fetch(base_url, "ean13", "590123412345", xdim_mil="10", dpi="203"), "ean13") == ["5901234123457"]
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, "ean13", "590123412345", xdim="0.33", scale="3")
    assert e.value.code == 400 and b"conflicting_options" in e.value.read()


def test_symbologies_document_is_json_and_complete(base_url):
    import json
    with urllib.request.urlopen(base_url + "/v1/symbologies") as r:
        doc = json.load(r)
    names = [s["name"] for s in doc["symbologies"]]
    assert names == ["ean13", "ean8", "isbn", "upca", "upce", "itf", "itf14", "databar", "databar-truncated",
                     "databar-stacked", "databar-stacked-omni", "databar-limited", "databar-expanded",
                     "databar-expanded-stacked", "code128", "gs1-128", "code39", "code93",
                     "codabar", "code11", "msi", "pharmacode", "pzn", "code32", "imb", "rm4scc", "kix", "auspost", "qr",
                     "microqr", "rmqr", "datamatrix", "pdf417", "micropdf417", "aztec", "maxicode", "dotcode"]
    for s in doc["symbologies"]:
        assert s["data"] and s["formats"] == ["png", "svg", "zpl", "pdf", "json"]
        assert s["options"]["scale"] == {"min": 1, "max": 50, "default": s["options"]["scale"]["default"],
                                         "unit": "pixels per module"}


@pytest.mark.parametrize("mask", range(8))
def test_qr_mask_pinned(base_url, mask):
    assert decode(fetch(base_url, "qr", "MASK me", mask=mask), "qr") == ["MASK me"]
    assert decode(fetch(base_url, "qr", "zażółć", mask=mask, version=3), "qr") == ["zażółć"]


# A PDF417 reader may be strict about row order (zxing-cpp also reads a mirrored symbol),
# so this also checks that our PDF417 rows run top-down.
@pytest.mark.parametrize("sym", sorted(ALL_SAMPLES))
def test_decode_endpoint_reads_every_symbology(base_url, sym):
    """Our own /v1/decode reads what our generator draws, for every symbology, under our
    symbology name and reporting conventions (UPC-A in 12 digits, UPC-E in 8, Codabar with
    its start/stop letters, GS1 with GS separators and its /v1/parse description)."""
    import json
    data, want = ALL_SAMPLES[sym]
    png = fetch(base_url, sym, data, scale=3)
    req = urllib.request.Request(base_url + "/v1/decode", data=png, headers={"Content-Type": "image/png"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        doc = json.load(r)
    got = [(b["format"], b["text"]) for b in doc["barcodes"]]
    expect = {"upca": want[1:], "upce": "04252614"}.get(sym, want)
    if sym == "gs1-128":
        assert [(f, t.replace("\x1d", "")) for f, t in got] == [("gs1-128", "0109506000134352" + "10AB1")], got
        assert doc["barcodes"][0]["parse"].get("bracketed") == want, doc["barcodes"][0]["parse"]
        assert doc["barcodes"][0]["symbology_identifier"] == "]C1"
    else:
        assert got == [(sym, expect)], (sym, got)


def post_decode(base_url, body, content_type):
    """POST to /v1/decode; a 503 (the decode budget shed the work: the machine is busy, as
    when CI shares it) is retried, up to three times, after its Retry-After."""
    import json
    import time
    for attempt in range(4):
        req = urllib.request.Request(base_url + "/v1/decode", data=body, headers={"Content-Type": content_type},
                                     method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            if e.code != 503 or attempt == 3:
                raise
            time.sleep(min(1.0, float(e.headers.get("Retry-After") or 1)))


def test_decode_endpoint_reads_a_label_photo(base_url):
    """A 1280x800 JPEG photo of a label (turned, blurred, noisy; the decode bench's fixture)
    has all three codes on it found, at their place."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "benches", "fixtures", "label-1mp.jpg")
    with open(path, "rb") as f:
        jpeg = f.read()
    doc = post_decode(base_url, jpeg, "image/jpeg")
    found = {b["format"]: b for b in doc["barcodes"]}
    assert sorted(b["text"] for b in doc["barcodes"]) == [
        "5901234123457", "ORD-2026-000123", "https://shop.example.com/o/123"], doc
    assert found["ean13"]["parse"]["valid"] is True
    # Positions are in the photo's own pixels: the QR code sits right of the linear codes,
    # all inside the 1280x800 frame.
    xs = {f: [p[0] for p in b["position"]] for f, b in found.items()}
    assert all(0 <= x <= 1280 for v in xs.values() for x in v)
    assert min(xs["qr"]) > max(xs["ean13"]), xs


def test_decode_endpoint_reads_fine_codes_turned_sideways_in_a_large_image(base_url):
    """A 1000x700 image holding a Code 128 and a QR code at 1 px per module, turned 90
    degrees: both found."""
    img = Image.new("L", (1000, 700), 255)
    for path, at in [("/v1/code128/SIDEWAYS-1.png?scale=1&height=30", (400, 300)), ("/v1/qr.png?data=sideways&scale=1", (100, 100))]:
        with urllib.request.urlopen(base_url + path) as r:
            img.paste(Image.open(io.BytesIO(r.read())).convert("L").rotate(90, expand=True, fillcolor=255), at)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    doc = post_decode(base_url, buf.getvalue(), "image/png")
    assert sorted(b["text"] for b in doc["barcodes"]) == ["SIDEWAYS-1", "sideways"], doc


def stated_capacity(base_url, sym, data, **opts):
    """Asks for `data`, expects 400 over capacity, returns the capacity the error states."""
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, sym, data, **opts)
    assert e.value.code == 400
    body = json.loads(e.value.read())
    assert body["code"] == "data_over_capacity", body
    m = re.search(r"capacity (\d+) bytes of (.+) at (ecc=\S+)", body["error"])
    assert m, body
    return int(m.group(1)), m.group(2)


@pytest.mark.parametrize("sym,ecc,kind,char", [("pdf417", e, "digits", "7") for e in range(9)]
                         + [("pdf417", e, "upper-case letters", "Q") for e in (0, 4, 8)]
                         + [("aztec", e, "digits", "7") for e in (5, 23, 50, 95)]
                         + [("aztec", e, "upper-case letters", "Q") for e in (5, 10, 23, 33, 50, 75, 95)])
def test_2d_capacity_per_ecc(base_url, sym, ecc, kind, char):
    """At each error-correction level the stated capacity fits and decodes; one more does not."""
    cap, stated_kind = stated_capacity(base_url, sym, char * 5000, ecc=ecc)
    assert stated_kind == kind
    fits = char * cap
    assert decode(fetch(base_url, sym, fits, ecc=ecc, scale=2), sym) == [fits]
    assert stated_capacity(base_url, sym, fits + char, ecc=ecc)[0] == cap


@pytest.mark.parametrize("sym,data,text,ext", [("ean13", "590123412345", "5901234123457", "png"),
                                               ("ean8", "9638507", "96385074", "png"),
                                               ("ean13", "590123412345", "5901234123457", "svg")])
def test_quiet_zone_marks(base_url, sym, data, text, ext):
    """The optional `>`/`<` marks sit in the quiet zone without disturbing the scan."""
    plain = fetch(base_url, sym, data, ext)
    marked = fetch(base_url, sym, data, ext, marks="true")
    assert marked != plain
    img = marked if ext == "png" else cairosvg.svg2png(bytestring=marked, output_width=600)
    assert decode(img, sym) == [text]
    if ext == "svg":
        assert b"&gt;" in marked


@pytest.mark.parametrize("lossless", [True, False])
def test_decode_endpoint_reads_webp(base_url, lossless):
    """A WebP photo of a label (lossless and lossy) is read like a PNG."""
    png = fetch(base_url, "qr", "WEBP-LABEL-42", scale=4)
    out = io.BytesIO()
    to_gray(Image.open(io.BytesIO(png))).convert("RGB").save(out, "WEBP", lossless=lossless, quality=90)
    req = urllib.request.Request(base_url + "/v1/decode", data=out.getvalue(), headers={"Content-Type": "image/webp"},
                                 method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        doc = json.load(r)
    assert [b["text"] for b in doc["barcodes"]] == ["WEBP-LABEL-42"]


@pytest.mark.parametrize("data,want", [("0-306-40615-2", "9780306406157"), ("080442957X", "9780804429573"),
                                       ("030640615", "9780306406157"), ("978-1-56581-231-4", "9781565812314"),
                                       ("979-10-90636-07-1", "9791090636071"), ("979109063607", "9791090636071")])
def test_isbn_reads_as_its_isbn13_under_its_line(base_url, data, want):
    """The EAN-13 of the ISBN-13 (check digits verified or added), with the `ISBN …` line
    above the bars: the image is taller than the same symbol without text by two lines."""
    png = fetch(base_url, "isbn", data)
    assert decode(png, "isbn") == [want]
    assert decode_svg(fetch(base_url, "isbn", data, "svg", scale=2), "isbn") == [want]
    with urllib.request.urlopen(f"{base_url}/v1/isbn/{data}.json") as r:
        doc = json.load(r)
    assert doc["data"] == want
    plain = Image.open(io.BytesIO(fetch(base_url, "ean13", want)))
    img = to_gray(Image.open(io.BytesIO(png)))
    assert img.height > plain.height
    # The top rows (the line above) carry ink; the bars start below them.
    assert img.crop((0, 0, img.width, 20)).getextrema()[0] == 0
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, "isbn", want[:-1] + str((int(want[-1]) + 1) % 10))
    assert e.value.code == 400 and json.load(e.value)["code"] == "check_digit"


AZTEC_MIXES = ["Hello, World: 123. Fine\r\n", "\x7f\x1b@\\^_`|~ mixed CASE 42", "é" * 31, "é" * 32 + "abc",
               "".join(["Ab", "1.", ", ", "é", "\r\n", "x@", "Zq", "9;"][i % 8] for i in range(300)),
               "0123456789" * 20 + "ABC" + "abc" * 10, "日本語のテキスト and ASCII", "a" * 40 + "1" * 40 + "A" * 40]


@pytest.mark.parametrize("data", AZTEC_MIXES)
@pytest.mark.parametrize("ecc", [5, 23, 95])
def test_aztec_every_mode_shift_and_binary_run_reads(base_url, data, ecc):
    """Our Aztec encodation (a shortest path over modes, shifts, punctuation pairs and short
    and long binary runs, ECI for UTF-8) as zxing-cpp reads it."""
    png = fetch(base_url, "aztec", data, scale=2, ecc=ecc)
    assert decode(png, "aztec") == [data]


@pytest.mark.parametrize("kind", ["cmyk-jpeg", "grey16-png", "rgba16-png", "animated-webp", "exif-rotated-jpeg",
                                  "pgm", "pgm16"])
def test_decode_endpoint_reads_unusual_encodings(base_url, kind):
    """Images as cameras, scanners and prepress tools write them are read like any other: a
    CMYK JPEG, 16-bit PNGs, an animated WebP (its first frame), a JPEG carrying an EXIF
    orientation (the reader tries every turn, so the tag needs no honouring), a camera frame
    as binary PGM (8 and 16 bits a sample)."""
    text = f"ODD-{kind}"
    grey = to_gray(Image.open(io.BytesIO(fetch(base_url, "qr", text, scale=4))))
    out = io.BytesIO()
    if kind == "cmyk-jpeg":
        grey.convert("CMYK").save(out, "JPEG", quality=90)
        ctype = "image/jpeg"
    elif kind == "grey16-png":
        img = Image.new("I;16", grey.size)
        img.putdata([v * 257 for v in grey.tobytes()])
        img.save(out, "PNG")
        ctype = "image/png"
    elif kind == "rgba16-png":
        # PIL writes no 16-bit colour PNG: build one by hand (IHDR bit depth 16, colour type 6).
        import struct
        import zlib
        w, h = grey.size
        px = grey.tobytes()
        raw = b"".join(b"\0" + b"".join(struct.pack(">HHHH", v * 257, v * 257, v * 257, 65535)
                                        for v in px[y * w:(y + 1) * w]) for y in range(h))

        def chunk(t, d):
            return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 6, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
        ctype = "image/png"
    elif kind in ("pgm", "pgm16"):
        # PIL writes the 8-bit PGM; the 16-bit one by hand (big-endian samples, maximum 65535).
        if kind == "pgm":
            grey.save(out, "PPM")
        else:
            w, h = grey.size
            out.write(f"P5\n# a camera frame\n{w} {h}\n65535\n".encode())
            out.write(b"".join((v * 257).to_bytes(2, "big") for v in grey.tobytes()))
        ctype = "image/x-portable-graymap"
    elif kind == "animated-webp":
        frames = [grey.convert("RGB"), Image.new("RGB", grey.size, (255, 255, 255))]
        frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)
        ctype = "image/webp"
    else:
        exif = Image.Exif()
        exif[0x0112] = 6
        grey.rotate(90, expand=True).convert("RGB").save(out, "JPEG", quality=90, exif=exif)
        ctype = "image/jpeg"
    doc = post_decode(base_url, out.getvalue(), ctype)
    assert [b["text"] for b in doc["barcodes"]] == [text], doc


def test_decode_endpoint_refuses_a_gif(base_url):
    """GIF is not among the formats read: a clear 400 naming the problem."""
    out = io.BytesIO()
    Image.new("L", (32, 32), 255).save(out, "GIF")
    req = urllib.request.Request(base_url + "/v1/decode", data=out.getvalue(), headers={"Content-Type": "image/gif"},
                                 method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 400
    assert json.load(e.value)["code"] == "unknown_image_format"


@pytest.mark.parametrize("query,status,code", [
    ("?formats=qr,bogus", 400, "bad_option"),
    ("?formats=", 400, "bad_option"),
    ("?orientation=45", 400, "bad_option"),
    ("?formats=qr&formats=ean13", 400, "duplicate_option"),
    ("?scale=2", 400, "unknown_option"),
])
def test_decode_query_is_checked(base_url, query, status, code):
    """`formats` and `orientation` are the query's only fields, checked before any decode."""
    png = fetch(base_url, "qr", "Q", scale=4)
    req = urllib.request.Request(base_url + "/v1/decode" + query, data=png, headers={"Content-Type": "image/png"},
                                 method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert (e.value.code, json.load(e.value)["code"]) == (status, code)


def test_decode_formats_keeps_only_those_named(base_url):
    """An image with a QR code and an EAN-13: `formats` reports only the formats named, and
    a repeat of the same upload with another `formats` is not the first one's cache entry."""
    qr = Image.open(io.BytesIO(fetch(base_url, "qr", "BOTH", scale=4))).convert("L")
    ean = Image.open(io.BytesIO(fetch(base_url, "ean13", "5901234123457", scale=2))).convert("L")
    sheet = Image.new("L", (qr.width + ean.width + 60, max(qr.height, ean.height) + 40), 255)
    sheet.paste(qr, (20, 20))
    sheet.paste(ean, (qr.width + 40, 20))
    out = io.BytesIO()
    sheet.save(out, "PNG")

    def formats(query):
        req = urllib.request.Request(base_url + "/v1/decode" + query, data=out.getvalue(),
                                     headers={"Content-Type": "image/png"}, method="POST")
        with urllib.request.urlopen(req, timeout=20) as r:
            return sorted(b["format"] for b in json.load(r)["barcodes"])

    assert formats("") == ["ean13", "qr"]
    assert formats("?formats=qr") == ["qr"]
    assert formats("?formats=ean13,code128") == ["ean13"]
    assert formats("?formats=pharmacode") == []
