"""A second opinion on our ZPL: zpl-renderer-js (Zebrash, another independent ZPL
implementation, compiled to WASM; installed by `npm ci --prefix tests/labels/zplr`) renders
every symbology, native and graphic, at 203 and 300 dpi, and zxing-cpp decodes each to the
data sent; graphic fields, which leave nothing to the renderer's encoders, are pixel for
pixel our PNG; and the shipping label's barcodes decode."""
import io
import json
import os
import re
import subprocess
import tempfile

import pytest
from PIL import Image

from test_label import post, shipping
from test_labels import SAMPLES, fetch, found, gs1_text, pad, texts

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zplr")
INSTALLED = os.path.isdir(os.path.join(HERE, "node_modules", "zpl-renderer-js"))
pytestmark = pytest.mark.skipif(not INSTALLED and os.environ.get("BARCODED_REQUIRE_TOOLS") != "1",
                                reason="zpl-renderer-js is not installed (npm ci --prefix tests/labels/zplr)")

# Zebrash's resolutions, in dots per millimetre.
DPMM = {203: 8, 300: 12}

# Where this renderer and the ZPL II guide part: the native commands it does not draw as the
# guide describes them (zplkit draws all three; their graphic fields decode here too). The
# test fails if this set changes either way.
KNOWN_GAPS = {
    "codabar": "Zebrash draws no ^BK (only part of the interpretation line)",
    "code93": "Zebrash draws no ^BA",
    "ean8": "Zebrash draws no ^B8 (only the interpretation line)",
    "upca": "Zebrash draws no ^BU (only the interpretation line)",
    "upce": "Zebrash draws no ^B9",
    "code128": "Zebrash reads the invocation code >5 (to code set C) inside a field as a character",
}


def render_all(jobs, refused_ok=False):
    """Renders [(zpl, width_dots, height_dots, dpi)] in one node process; the images (with
    `refused_ok`, None for a label the renderer refused)."""
    with tempfile.TemporaryDirectory() as d:
        spec = [{"zpl": z, "width_mm": w / DPMM[dpi], "height_mm": h / DPMM[dpi], "dpmm": DPMM[dpi],
                 "out": f"{d}/{i}.png"} for i, (z, w, h, dpi) in enumerate(jobs)]
        r = subprocess.run(["node", os.path.join(HERE, "render.mjs")], input=json.dumps(spec),
                           capture_output=True, text=True, cwd=HERE, timeout=300)
        assert r.returncode == 0, r.stderr
        errors = [line for line in r.stdout.splitlines() if line.startswith("error")]
        assert refused_ok or not errors, errors
        return [Image.open(s["out"]).convert("L").copy() if os.path.exists(s["out"]) else None for s in spec]


def test_every_symbology_native_and_graphic_decodes(server):
    cases, jobs = [], []
    for sym in sorted(SAMPLES):
        data, want = SAMPLES[sym]
        # Zebrash's dots per millimetre are whole: 203 dpi is 8 (203.2), 300 is 12 (304.8); we
        # take the nominal resolutions only (ZPL: 152, 203, 300, 600).
        for dpi in (203, 300):
            for mode in ("native", "graphic"):
                z, _ = fetch(server, sym, data, "zpl", dpi=dpi, xdim="0.4", zpl=mode)
                z = z.decode()
                w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
                cases.append((sym, dpi, mode, want, z, w, h))
                jobs.append((z, w, h, dpi))
    # Code 128 without a switch inside the field: code set B only, code set C only, C then B.
    for data in ("ABCdef-12", "12345678", "1234AB"):
        z, _ = fetch(server, "code128", data, "zpl", dpi=203, xdim="0.4")
        z = z.decode()
        assert ">5" not in z, z
        w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
        cases.append(("code128 " + data, 203, "native", data, z, w, h))
        jobs.append((z, w, h, 203))
    images = render_all(jobs)
    failed = set()
    for (sym, dpi, mode, want, z, w, h), img in zip(cases, images):
        got = [gs1_text(t) for t in texts(pad(img))]
        if not found(want, got):
            assert mode == "native", (sym, dpi, mode, got)
            failed.add(sym)
    assert failed == set(KNOWN_GAPS), failed


def test_graphic_fields_are_our_png_pixel_for_pixel(server):
    cases, jobs = [], []
    for sym in ("ean13", "code128", "qr", "datamatrix", "pdf417", "aztec"):
        data, _ = SAMPLES[sym]
        for compress in ("ascii", "z64"):
            z, _ = fetch(server, sym, data, "zpl", dpi=203, xdim="0.4", zpl="graphic", zpl_compress=compress)
            z = z.decode()
            w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
            png, _ = fetch(server, sym, data, "png", dpi=203, xdim="0.4")
            cases.append((sym, compress, Image.open(io.BytesIO(png)).convert("L")))
            jobs.append((z, w, h, 203))
    for (sym, compress, ours), img in zip(cases, render_all(jobs)):
        crop = img.crop((0, 0, ours.width, ours.height))
        a = [p < 128 for p in crop.tobytes()]
        b = [p < 128 for p in ours.tobytes()]
        assert a == b, (sym, compress, sum(x != y for x, y in zip(a, b)))
        # Nothing drawn beyond the symbol.
        assert min(img.crop((ours.width, 0, img.width, img.height)).tobytes() or b"\xff") >= 128, sym


def test_shipping_label_decodes(server):
    st, _, body = post(server, shipping("zpl", 203))
    assert st == 200
    (img,) = render_all([(body.decode(), 812, 1218, 203)])
    got = [gs1_text(t) for t in texts(img)]
    assert "(00)106141411234567897" in got or "00106141411234567897" in got, got
    assert "https://track.example.com/p/00106141411234567897" in got, got
