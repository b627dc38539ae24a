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
         ("abc", {"version": "M3"})]


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
                                       ("microqr/1.png?mask=1", "option_not_applicable")])
def test_microqr_refusals(base_url, path, code):
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
