"""Issue 17's symbologies that zxing-cpp reads (Micro QR, PZN, Code 32, ISBN): our PNGs and
rasterised SVGs decode to the data sent, at every rotation and at 1-3 pixels per module."""
import io
import json
import urllib.error
import urllib.request

import urllib.parse

import cairosvg
import pytest
import zxingcpp
from PIL import Image

F = zxingcpp.BarcodeFormat
FMT = {"microqr": F.MicroQRCode, "pzn": F.PZN, "code32": F.Code32, "isbn": F.EAN13}


def fetch(base, sym, data, ext="png", **opts):
    q = urllib.parse.urlencode(opts)
    with urllib.request.urlopen(f"{base}/v1/{sym}/{urllib.parse.quote(data, safe='')}.{ext}" + (f"?{q}" if q else "")) as r:
        return r.read()


def read(png, sym):
    img = Image.open(io.BytesIO(png)).convert("RGBA")
    img = Image.alpha_composite(Image.new("RGBA", img.size, (255, 255, 255, 255)), img).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(img, formats=FMT[sym], text_mode=zxingcpp.TextMode.Plain)]


MICRO = [("1", {}), ("12345", {}), ("123456", {}), ("HELLO", {}), ("A1-B2", {"ecc": "M"}), ("ABCDEF", {"ecc": "Q"}),
         ("1" * 35, {}), ("A" * 21, {}), ("bytes!", {}), ("x" * 15, {}), ("1" * 30, {"ecc": "M"}),
         ("1" * 21, {"ecc": "Q"}), ("Ünïcödé", {}), ("7", {"version": "M4"}), ("42", {"version": "M2", "ecc": "M"}),
         ("abc", {"version": "M3"}),
         # Data ending inside M3's 4-bit last codeword (a panic in `qrcode` that took the core down).
         ("cBC008B", {"ecc": "M"}), ("ABCDEFGHIJKLM", {"version": "M3"})]


@pytest.mark.parametrize("data,opts", MICRO)
def test_microqr_reads(base_url, data, opts):
    assert read(fetch(base_url, "microqr", data, **opts), "microqr") == [data]
    svg = fetch(base_url, "microqr", data, "svg", scale=3, **opts)
    assert read(cairosvg.svg2png(bytestring=svg), "microqr") == [data]


@pytest.mark.parametrize("data,size", [("12345", 11), ("123456", 13), ("HELLO", 13), ("1" * 35, 17)])
def test_microqr_is_the_smallest_version(base_url, data, size):
    with urllib.request.urlopen(f"{base_url}/v1/microqr/{data}.json") as r:
        assert json.load(r)["modules"] == {"width": size, "height": size}


@pytest.mark.parametrize("path,code", [("microqr/" + "1" * 36, "data_over_capacity"),
                                       ("microqr/1.png?ecc=H", "bad_option"),
                                       ("microqr/1.png?ecc=Q&version=M3", "data_over_capacity"),
                                       ("microqr/123456.png?version=M1", "data_over_capacity"),
                                       ("microqr/1.png?version=M5", "bad_option"),
                                       ("microqr/%C5%82.png", "data_bad_character"),
                                       ("microqr/1.png?mask=1", "option_not_applicable"),
                                       ("micropdf417/" + "7" * 367, "data_over_capacity"),
                                       ("micropdf417/" + "Q" * 41 + ".png?columns=1", "data_over_capacity"),
                                       ("micropdf417/x.png?columns=5", "bad_option"),
                                       ("micropdf417/x.png?ecc=2", "option_not_applicable"),
                                       ("rmqr/" + "7" * 362, "data_over_capacity"),
                                       ("rmqr/abc.png?version=R7x43&ecc=H", "data_over_capacity"),
                                       ("rmqr/x.png?ecc=Q", "bad_option"),
                                       ("rmqr/x.png?version=R8x43", "bad_option"),
                                       ("rmqr/x.png?columns=2", "option_not_applicable")])
def test_micro_refusals(base_url, path, code):
    path = path if "." in path else path + ".png"
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{base_url}/v1/{path}")
    assert e.value.code == 400 and json.load(e.value)["code"] == code


ROTATE = {"microqr": ("ROT 42", "ROT 42"), "pzn": ("1234562", "-12345626"), "code32": ("12345678", "A123456788"),
          "isbn": ("0306406152", "9780306406157")}


@pytest.mark.parametrize("sym", sorted(ROTATE))
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_every_rotation_at_one_to_three_pixels(base_url, sym, rotate, scale):
    data, want = ROTATE[sym]
    assert read(fetch(base_url, sym, data, scale=scale, rotate=rotate), sym) == [want]


@pytest.mark.parametrize("data", ["0000000", "4908802", "12345626", "9999990"])
def test_pzn_reads(base_url, data):
    with urllib.request.urlopen(f"{base_url}/v1/pzn/{data}.json") as r:
        full = json.load(r)["data"]
    assert read(fetch(base_url, "pzn", data), "pzn") == ["-" + full]


@pytest.mark.parametrize("data", ["00000000", "99999999", "01234567", "123456788"])
def test_code32_reads(base_url, data):
    with urllib.request.urlopen(f"{base_url}/v1/code32/{data}.json") as r:
        full = json.load(r)["data"]
    assert read(fetch(base_url, "code32", data), "code32") == ["A" + full]


DATABAR = {"databar": F.DataBar, "databar-truncated": F.DataBar, "databar-stacked": F.DataBarStk,
           "databar-stacked-omni": F.DataBarStkOmni, "databar-limited": F.DataBarLtd}
FMT.update(DATABAR)


@pytest.mark.parametrize("sym", sorted(DATABAR))
@pytest.mark.parametrize("data", ["0950110153000", "(01)10012345678902", "0000000000000", "1999999999999"])
def test_databar_reads(base_url, sym, data):
    with urllib.request.urlopen(f"{base_url}/v1/{sym}/{urllib.parse.quote(data)}.json") as r:
        gtin = json.load(r)["data"]
    assert gtin[:13] == data.removeprefix("(01)")[:13] and len(gtin) == 14
    assert read(fetch(base_url, sym, data), sym) == ["01" + gtin]
    svg = fetch(base_url, sym, data, "svg", scale=2)
    assert read(cairosvg.svg2png(bytestring=svg), sym) == ["01" + gtin]


@pytest.mark.parametrize("sym", sorted(DATABAR))
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_databar_every_rotation_at_one_to_three_pixels(base_url, sym, rotate, scale):
    assert read(fetch(base_url, sym, "0950110153000", scale=scale, rotate=rotate), sym) == ["0109501101530003"]


@pytest.mark.parametrize("sym,data,code", [("databar", "09501101530004", "check_digit"),
                                           ("databar", "095011015300", "data_length"),
                                           ("databar-limited", "2950110153000", "data_out_of_range"),
                                           ("databar-stacked", "09501101530x0", "data_bad_character")])
def test_databar_refusals(base_url, sym, data, code):
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, sym, data)
    assert e.value.code == 400 and json.load(e.value)["code"] == code


EXPANDED = ["(01)09501101530003", "(01)99501101530006(3103)001750", "(01)99501101530006(3922)1234",
            "(01)09501101530003(17)261231(10)LOT-42", "(10)ABC123", "(21)abc-DEF/12.3", "(90)12345678901234567890",
            "(01)99501101530006(3203)001750(17)260100", "(8020)ABCDEF123456"]


def read_hri(png, fmt):
    img = Image.open(io.BytesIO(png)).convert("RGBA")
    img = Image.alpha_composite(Image.new("RGBA", img.size, (255, 255, 255, 255)), img).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(img, formats=fmt, text_mode=zxingcpp.TextMode.HRI)]


@pytest.mark.parametrize("data", EXPANDED)
def test_databar_expanded_reads(base_url, data):
    assert read_hri(fetch(base_url, "databar-expanded", data), F.DataBarExp) == [data]
    svg = fetch(base_url, "databar-expanded", data, "svg", scale=2)
    assert read_hri(cairosvg.svg2png(bytestring=svg), F.DataBarExp) == [data]
    for segments in (2, 4, 6):
        png = fetch(base_url, "databar-expanded-stacked", data, segments=segments, scale=2)
        assert read_hri(png, F.DataBarExpStk) == [data], segments


@pytest.mark.parametrize("sym,fmt", [("databar-expanded", F.DataBarExp), ("databar-expanded-stacked", F.DataBarExpStk)])
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_databar_expanded_every_rotation_at_one_to_three_pixels(base_url, sym, fmt, rotate, scale):
    data = "(01)09501101530003(17)261231(10)LOT-42"
    assert read_hri(fetch(base_url, sym, data, scale=scale, rotate=rotate), fmt) == [data]


@pytest.mark.parametrize("path,code", [("databar-expanded/(01)09501101530004.png", "gs1_syntax"),
                                       ("databar-expanded/ABC.png", "gs1_syntax"),
                                       ("databar-expanded/(10)" + "A" * 20 + "(21)" + "B" * 20 + ".png", "data_over_capacity"),
                                       ("databar-expanded-stacked/(10)A.png?segments=3", "bad_option"),
                                       ("databar-expanded-stacked/(10)A.png?segments=24", "bad_option"),
                                       ("databar-expanded/(10)A.png?segments=4", "option_not_applicable")])
def test_databar_expanded_refusals(base_url, path, code):
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{base_url}/v1/{urllib.parse.quote(path, safe='/.?=')}")
    assert e.value.code == 400 and json.load(e.value)["code"] == code


UPS = ("[)>\x1e01\x1d96152382802\x1d840\x1d001\x1d1Z00004951\x1dUPSN\x1d06X610\x1d159\x1d1234567\x1d1/1\x1d\x1dY"
       "\x1d634 ALPHA DR\x1dPITTSBURGH\x1dPA\x1e\x04")
MAXI = [("Hello MaxiCode 0123456789", {}, None), ("lower and UPPER ;<=>? àéÀÉ\x01\x7f", {}, None),
        ("A" * 93, {}, None), ("1" * 138, {}, None), ("mode five", {"mode": 5}, None), ("r", {"mode": 6}, None),
        (UPS, {"mode": 2}, None), (UPS.replace("152382802", "K1A0B1").replace("840", "124"), {"mode": 3}, None),
        ("Secondary", {"mode": 2, "postcode": "1234", "country": "840", "service": "1"}, "1234\x1d840\x1d001\x1dSecondary"),
        ("x", {"mode": 3, "postcode": "AB1", "country": "826", "service": "1"}, "AB1   \x1d826\x1d001\x1dx")]


def read_maxi(png):
    img = Image.open(io.BytesIO(png)).convert("RGBA")
    img = Image.alpha_composite(Image.new("RGBA", img.size, (255, 255, 255, 255)), img).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(img, formats=F.MaxiCode, text_mode=zxingcpp.TextMode.Plain)]


@pytest.mark.parametrize("data,opts,want", MAXI)
def test_maxicode_reads(base_url, data, opts, want):
    """Modes 2-6, all five code sets, the numeric shift, the UPS envelope; with the primary
    given as options a reader returns it first (postcode GS country GS service GS), as the
    standard transmits it."""
    want = want or data
    assert read_maxi(fetch(base_url, "maxicode", data, **opts)) == [want]
    svg = fetch(base_url, "maxicode", data, "svg", **opts)
    assert read_maxi(cairosvg.svg2png(bytestring=svg)) == [want]


@pytest.mark.parametrize("scale", [2, 3, 4, 6, 10])
def test_maxicode_reads_from_two_pixels_a_module_and_turns_exactly(base_url, scale):
    """Hexagons need 2 px a module to be read (zxing-cpp reads MaxiCode upright only, Zint's
    turned symbols neither): each rotation is the upright image turned, pixel for pixel."""
    data = "MAXICODE 1Z 12345"
    up = fetch(base_url, "maxicode", data, scale=scale)
    assert read_maxi(up) == [data]
    base = Image.open(io.BytesIO(up)).convert("L")
    turn = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
    for rotate, t in turn.items():
        img = Image.open(io.BytesIO(fetch(base_url, "maxicode", data, scale=scale, rotate=rotate))).convert("L")
        assert img.tobytes() == base.transpose(t).tobytes(), rotate


def test_maxicode_has_its_physical_size_at_a_resolution(base_url):
    """At 300 dpi (or in ZPL at 203) the module is the nominal 0.88 mm in whole dots: the
    symbol about 26.4 x 25.3 mm plus its quiet zone."""
    with urllib.request.urlopen(f"{base_url}/v1/maxicode/PHYSICAL.png?dpi=300") as r:
        assert r.headers["X-Barcode-Xdim-Mm"] == "0.8467"
        img = Image.open(io.BytesIO(r.read()))
    assert img.size == (320, 308)
    with urllib.request.urlopen(f"{base_url}/v1/maxicode/PHYSICAL.json?dpi=203") as r:
        doc = json.load(r)
    assert doc["modules"] == {"width": 30, "height": 33} and 26 <= doc["size_mm"]["width"] <= 29


@pytest.mark.parametrize("query,code", [("mode=2", "data_incomplete"), ("mode=3&postcode=AB%2A&country=1&service=1", "bad_option"),
                                        ("mode=2&postcode=AB1&country=1&service=1", "data_incomplete"),
                                        ("mode=7", "bad_option"), ("postcode=1", "data_incomplete")])
def test_maxicode_refusals(base_url, query, code):
    with pytest.raises(urllib.error.HTTPError) as e:
        fetch(base_url, "maxicode", "DATA", **dict(urllib.parse.parse_qsl(query)))
    assert e.value.code == 400 and json.load(e.value)["code"] == code


def test_maxicode_capacity(base_url):
    for data, opts in [("A" * 94, {}), ("1" * 139, {}), ("A" * 78, {"mode": 5})]:
        with pytest.raises(urllib.error.HTTPError) as e:
            fetch(base_url, "maxicode", data, **opts)
        assert json.load(e.value)["code"] == "data_over_capacity"


# MicroPDF417: zxing-cpp finds a symbol only when it is at least ~32 pixels tall (measured:
# the same image stretched from 28 to 32 px goes from unread to read, whatever its rows) and
# its rows are more than 2 px high: limits of the reader's detector, not of the symbol (rows
# 2 modules high, the standard's minimum, as Zint draws them). Images below them are checked
# pixel for pixel against a larger one that is read: the image at `scale` s is the one at
# s x k subsampled.
FMT["micropdf417"] = F.MicroPDF417
MICROPDF = [("HELLO", {}), ("Hello World", {}), ("123", {}), ("1234567890123", {}), ("zażółć gęślą jaźń", {}),
            ("Q" * 252, {}), ("7" * 366, {}), ("\x7f" * 150, {}), ("mixed 123 TEXT and 4567890123 digits", {}),
            ("x", {"columns": 4}), ("abc", {"columns": 3}), ("Q" * 40, {"columns": 1}), ("b" * 30, {"columns": 2}),
            ("https://example.com/track?id=1Z999AA10123456784", {}), ("\t\r\n~|}", {})]
READABLE_PX = 32


def symbol_rows(base, data, opts):
    with urllib.request.urlopen(f"{base}/v1/micropdf417/{urllib.parse.quote(data, safe='')}.json?"
                                + urllib.parse.urlencode(opts)) as r:
        return json.load(r)["modules"]["height"]


@pytest.mark.parametrize("data,opts", MICROPDF)
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_micropdf417_reads_at_one_to_three_pixels(base_url, data, opts, rotate):
    height = symbol_rows(base_url, data, opts)
    big = max(2, -(-READABLE_PX // height))  # the least scale zxing-cpp reads
    for scale in (1, 2, 3):
        png = fetch(base_url, "micropdf417", data, scale=scale, rotate=rotate, quiet=2, **opts)
        if height * scale >= READABLE_PX and scale >= 2:
            assert read(png, "micropdf417") == [data], scale
            continue
        k = -(-big // scale)
        tall = fetch(base_url, "micropdf417", data, scale=scale * k, rotate=rotate, quiet=2, **opts)
        assert read(tall, "micropdf417") == [data], scale * k
        small, tall = Image.open(io.BytesIO(png)).convert("L"), Image.open(io.BytesIO(tall)).convert("L")
        assert tall.size == (small.size[0] * k, small.size[1] * k)
        assert tall.resize(small.size, Image.Resampling.NEAREST).tobytes() == small.tobytes(), scale


@pytest.mark.parametrize("data,opts", MICROPDF[:6])
def test_micropdf417_svg_reads(base_url, data, opts):
    svg = fetch(base_url, "micropdf417", data, "svg", scale=4, **opts)
    assert read(cairosvg.svg2png(bytestring=svg), "micropdf417") == [data]


FMT["rmqr"] = F.RMQRCode
RMQR = [("1", {}), ("HELLO WORLD", {}), ("hello", {}), ("zażółć gęślą jaźń", {}), ("7" * 361, {}), ("Q" * 219, {}),
        ("b" * 150, {}), ("ABC123abc0123456789xyz", {}), ("https://example.com/track?id=1Z999AA10123456784", {}),
        ("H", {"ecc": "H"}), ("7" * 178, {"ecc": "H"}), ("x", {"version": "R17x139"}), ("x", {"version": "R7x43"}),
        ("x", {"version": "r9x43"}), ("12", {"version": "R11x27", "ecc": "H"})]


@pytest.mark.parametrize("data,opts", RMQR)
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_rmqr_reads_at_every_rotation_and_one_to_three_pixels(base_url, data, opts, rotate):
    for scale in (1, 2, 3):
        assert read(fetch(base_url, "rmqr", data, scale=scale, rotate=rotate, **opts), "rmqr") == [data], scale


@pytest.mark.parametrize("data,opts", RMQR[:5])
def test_rmqr_svg_reads(base_url, data, opts):
    svg = fetch(base_url, "rmqr", data, "svg", scale=3, **opts)
    assert read(cairosvg.svg2png(bytestring=svg), "rmqr") == [data]


@pytest.mark.parametrize("data,size", [("1", (27, 11)), ("12345678901234", (27, 11)), ("HELLO WORLD", (27, 13)),
                                       ("7" * 361, (139, 17))])
def test_rmqr_is_the_smallest_area(base_url, data, size):
    with urllib.request.urlopen(f"{base_url}/v1/rmqr/{urllib.parse.quote(data)}.json") as r:
        assert json.load(r)["modules"] == {"width": size[0], "height": size[1]}
