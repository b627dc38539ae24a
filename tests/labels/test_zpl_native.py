"""The printer's own commands, checked by both independent ZPL renderers (zplkit and
zpl-renderer-js/Zebrash) against our PNG at the same resolution: for every native case at
0/90/180/270° and 203/300 dpi, the ZPL holds the command with its orientation letter and no
graphic field, and each renderer's image decodes to the data sent, has our PNG's ink box
within a dot (the printer's EAN/UPC guard bars may reach further on their own side), and,
for linear codes, the same bars as our PNG on a scan line across them. Where a renderer
lacks a command the gap is listed and asserted exactly, both ways. The byte sizes of turned
GS1-128 and ITF-14 labels, native against the graphic field they were, are asserted too."""
import io
import re

import pytest
import zxingcpp
from PIL import Image

from test_labels import LIMITS, fetch, found, gs1_text, pad
from test_second_renderer import INSTALLED, render_all
import zplkit

ROTATIONS = {0: "N", 90: "R", 180: "I", 270: "B"}
EAN_FAMILY = {"ean13", "ean8", "upca", "upce", "isbn"}

# A UPS envelope (ISO/IEC 15434): mode 2 takes its primary message from it.
UPS = "[)>\x1e01\x1d96152382802\x1d840\x1d001\x1d1Z00004951\x1dUPSN\x1e\x04"

# (symbology, data, options, the command, what a reader returns, linear?)
CASES = [
    ("ean13", "590123412345", {}, "^BE", "5901234123457", True),
    ("ean13", "590123412345", {"addon": "12"}, "^BE", "590123412345712", True),
    ("ean13", "590123412345", {"addon": "52495"}, "^BE", "590123412345752495", True),
    ("isbn", "978-0-306-40615-7", {}, "^BE", "9780306406157", True),
    ("ean8", "5512345", {}, "^B8", "55123457", True),
    ("upca", "03600029145", {}, "^BU", "036000291452", True),
    ("upca", "03600029145", {"addon": "12345"}, "^BU", "03600029145212345", True),
    ("upce", "0425261", {}, "^B9", "04252614", True),
    # With its add-on zxing-cpp returns a UPC-E as its UPC-A.
    ("upce", "0425261", {"addon": "07"}, "^B9", "042100005264" "07", True),
    ("itf", "1234567890", {}, "^B2", "1234567890", True),
    ("itf", "1234567890", {"bearer": "true"}, "^B2", "1234567890", True),
    ("itf14", "1540014128876", {}, "^B2", "15400141288763", True),
    ("itf14", "1540014128876", {"bearer": "false"}, "^B2", "15400141288763", True),
    ("code39", "CODE39-TEST", {}, "^B3", "CODE39-TEST", True),
    ("code39", "CODE39", {"check": "true"}, "^B3", "CODE39W", True),
    ("code39", "Order-42/ab", {"full_ascii": "true"}, "^B3", "Order-42/ab", True),
    ("code93", "CODE93", {}, "^BA", "CODE93", True),
    ("code93", "abc&def~", {}, "^BA", "abc&def~", True),
    ("codabar", "A40156B", {}, "^BK", "A40156B", True),
    ("databar", "0950110153000", {}, "^BR", "0109501101530003", True),
    ("databar-truncated", "0950110153000", {}, "^BR", "0109501101530003", True),
    ("databar-limited", "0950110153000", {}, "^BR", "0109501101530003", True),
    ("databar-stacked", "0950110153000", {}, "^BR", "0109501101530003", False),
    ("databar-stacked-omni", "0950110153000", {}, "^BR", "0109501101530003", False),
    ("code128", "ORD-2026-000123", {}, "^BC", "ORD-2026-000123", True),
    ("gs1-128", "(01)09506000134352(10)ABC(17)261231", {}, "^BC", "0109506000134352" "10ABC\x1d17261231", True),
    ("qr", "https://shop.example.com/o/1", {}, "^BQ", "https://shop.example.com/o/1", False),
    ("datamatrix", "HELLO LABEL", {}, "^BX", "HELLO LABEL", False),
    ("datamatrix", "(01)09506000134352(10)ABC(17)261231", {"gs1": "true"}, "^BX",
     "0109506000134352" "10ABC\x1d17261231", False),
    ("pdf417", "PDF417 LABEL", {}, "^B7", "PDF417 LABEL", False),
    ("pdf417", "PDF417 LABEL", {"scale": "2"}, "^B7", "PDF417 LABEL", False),
    ("aztec", "AZTEC LABEL", {}, "^BO", "AZTEC LABEL", False),
    # Upright at 203 dpi only: the printer's fixed size is ours there (docs/API.md).
    ("maxicode", "Hello MaxiCode 0123456789", {}, "^BD", "Hello MaxiCode 0123456789", False),
    ("maxicode", UPS, {"mode": "2"}, "^BD", UPS, False),
]

# Where Zebrash does not draw a command as the ZPL II guide describes it (zplkit draws them
# all), by what the ZPL holds. Asserted exactly: a case meeting a gap must fail there, every
# other case must pass, and every gap is met.
GAPS = {
    "^B8": "Zebrash draws no ^B8",
    "^BU": "Zebrash draws no ^BU",
    "^B9": "Zebrash draws no ^B9",
    "^BA": "Zebrash draws no ^BA",
    "^BK": "Zebrash draws no ^BK",
    "^BS": "Zebrash draws no ^BS bars (only the add-on's digits)",
    "^BR": "Zebrash draws no ^BR",
    "^B3 check": "Zebrash leaves out ^B3's mod-43 check character",
    "^BC >5": "Zebrash reads the invocation code >5 (to code set C) inside a field as a character",
    "^B7 ^BY3": "Zebrash draws ^B7 at 2 dots a module whatever ^BY says",
    "^BD4": "Zebrash refuses ^BD data without a UPS envelope ('invalid length of maxicode data')",
}


def zebrash_gaps(z):
    """The gaps a ZPL document meets."""
    met = {cmd for cmd in ("^B8", "^BU", "^B9", "^BA", "^BK", "^BS", "^BR") if cmd in z}
    if re.search(r"\^B3[NRIB],Y", z):
        met.add("^B3 check")
    if re.search(r"\^BC[^^]*\^FD[^^]*>5", z):
        met.add("^BC >5")
    if "^B7" in z and "^BY2^B7" not in z:
        met.add("^B7 ^BY3")
    if "^BD" in z and "[)>" not in z:
        met.add("^BD4")
    return met


def read(img, addon):
    opts = {"text_mode": zxingcpp.TextMode.Plain}
    if addon:
        opts["ean_add_on_symbol"] = zxingcpp.EanAddOnSymbol.Require
    return [gs1_text(r.text.replace("]C1", "")) for r in zxingcpp.read_barcodes(pad(img), **opts)]


def ink(img):
    return Image.eval(img, lambda p: 255 if p < 128 else 0).getbbox()


def scan(img, rot, box):
    """Dark runs across the bars: a row through the middle of the bars when they stand, a
    column when they lie."""
    x0, y0, x1, y1 = box
    if rot in (0, 180):
        y = (y0 + y1) // 2
        return "".join("1" if img.getpixel((x, y)) < 128 else "0" for x in range(img.width))
    x = (x0 + x1) // 2
    return "".join("1" if img.getpixel((x, y)) < 128 else "0" for y in range(img.height))


def problems(sym, rot, linear, want, addon, img, ours):
    """What differs between a renderer's image and our PNG (an empty list: nothing)."""
    bad = []
    got = read(img, addon)
    if not found(gs1_text(want), got):
        bad.append(f"read {got}, not {want!r}")
    if img.size != ours.size:
        return bad + [f"size {img.size}, ours {ours.size}"]
    a, b = ink(img), ink(ours)
    if a is None:
        return bad + ["nothing drawn"]
    # The printer's guard bars reach below EAN/UPC bars (turned with them) even without
    # its text line; our PNG has them only with ours.
    guard_side = {0: 3, 90: 0, 180: 1, 270: 2}[rot] if sym in EAN_FAMILY else None
    for k in range(4):
        if k == guard_side:
            continue
        if abs(a[k] - b[k]) > 1:
            bad.append(f"ink box {a}, ours {b}")
            break
    if linear:
        # Through the middle of our bars (the add-on's too).
        ra, rb = scan(img, rot, b), scan(ours, rot, b)
        if ra != rb:
            bad.append(f"bars differ at {sum(x != y for x, y in zip(ra, rb))} dots")
    return bad


def cases():
    for sym, data, opts, cmd, want, linear in CASES:
        for rot in ROTATIONS:
            for dpi in (203, 300):
                if cmd != "^BD" or (rot, dpi) == (0, 203):
                    yield sym, data, opts, cmd, want, linear, rot, dpi


def label(server, sym, data, opts, cmd, rot, dpi, text):
    """Our ZPL (checked for the command) and PNG; `text` for linear codes (2D have none)."""
    size = {} if "scale" in opts or cmd == "^BD" else {"xdim": "0.33"}
    q = dict(opts, rotate=rot, dpi=dpi, **size, **({"text": text} if text else {}))
    z = fetch(server, sym, data, "zpl", **q)[0].decode()
    # ^BQ takes N only, ^BD its mode in place of an orientation.
    letter = {"^BQ": "N", "^BD": opts.get("mode", "4")}.get(cmd, ROTATIONS[rot])
    assert f"{cmd}{letter}," in z and "^GF" not in z, (sym, opts, rot, z)
    w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
    png = Image.open(io.BytesIO(fetch(server, sym, data, "png", **q)[0])).convert("L")
    return z, w, h, png


def test_native_commands_draw_our_symbol_in_zplkit(server):
    bad = []
    n = 0
    for sym, data, opts, cmd, want, linear, rot, dpi in cases():
        # Bars and box without text lines (the printer's font is not ours); read with them.
        for text in ("false", "true") if linear else (None,):
            z, w, h, ours = label(server, sym, data, opts, cmd, rot, dpi, text=text)
            doc = zplkit.render(z, zplkit.Options(dpi=dpi, width=w, height=h), limits=LIMITS)
            img = Image.open(io.BytesIO(doc.labels[0].png())).convert("L")
            if text != "true":
                why = problems(sym, rot, linear, want, "addon" in opts, img, ours)
            else:
                got = read(img, "addon" in opts)
                why = [] if found(gs1_text(want), got) else [f"with text: read {got}"]
            n += 1
            if why:
                bad.append(f"{sym} {opts} rotate={rot} dpi={dpi} text={text}: {why}")
    assert n == sum(16 if linear else 1 if cmd == "^BD" else 8 for _, _, _, cmd, _, linear in CASES)
    assert not bad, "\n".join(bad)


@pytest.mark.skipif(not INSTALLED, reason="zpl-renderer-js is not installed")
def test_native_commands_draw_our_symbol_in_zebrash(server):
    jobs, meta = [], []
    for sym, data, opts, cmd, want, linear, rot, dpi in cases():
        z, w, h, ours = label(server, sym, data, opts, cmd, rot, dpi, "false" if linear else None)
        jobs.append((z, w, h, dpi))
        meta.append((sym, opts, cmd, want, linear, rot, dpi, ours, z))
    met_all, bad = set(), []
    for (sym, opts, cmd, want, linear, rot, dpi, ours, z), img in zip(meta, render_all(jobs, refused_ok=True)):
        why = ["refused"] if img is None else problems(sym, rot, linear, want, "addon" in opts,
                                                       img.crop((0, 0) + ours.size), ours)
        met = zebrash_gaps(z)
        met_all |= met
        if bool(why) != bool(met):
            bad.append(f"{sym} {opts} rotate={rot} dpi={dpi}: gaps {sorted(met)}, problems {why}")
    assert not bad, "\n".join(bad)
    assert met_all == set(GAPS), met_all


def test_turned_labels_shrink_to_the_printers_commands(server):
    """A turned GS1-128 or ITF-14 was a graphic field; now it is a few dozen bytes."""
    for sym, data in (("gs1-128", "(01)09506000134352(17)261231(10)ABC"), ("itf14", "1540014128876")):
        for dpi in (203, 300):
            native = fetch(server, sym, data, "zpl", rotate=90, dpi=dpi)[0]
            graphic = fetch(server, sym, data, "zpl", rotate=90, dpi=dpi, zpl="graphic")[0]
            z64 = fetch(server, sym, data, "zpl", rotate=90, dpi=dpi, zpl="graphic", zpl_compress="z64")[0]
            assert b"^GF" not in native and len(native) < 300, native
            assert len(native) * 3 < min(len(graphic), len(z64)), (sym, dpi, len(native), len(graphic), len(z64))


def test_turned_fields_move_with_the_field_origin(server):
    """`x`/`y` move every field of a turned symbol (bars, bearer bars, add-on, our text line)
    together: zplkit draws the same dots, shifted, and nothing else."""
    for sym, data, opts in (("gs1-128", "(01)09506000134352(10)ABC", {}), ("itf14", "1540014128876", {}),
                            ("ean13", "590123412345", {"addon": "12"}), ("qr", "hello", {}),
                            ("datamatrix", "(01)09506000134352(10)ABC", {"gs1": "true"})):
        for rot in (90, 270):
            imgs = []
            for x, y in ((0, 0), (40, 30)):
                z = fetch(server, sym, data, "zpl", rotate=rot, x=x, y=y, **opts)[0].decode()
                assert "^GF" not in z, z
                w, h = (int(v) for v in re.search(r"\^PW(\d+)\^LL(\d+)", z).groups())
                doc = zplkit.render(z, zplkit.Options(dpi=203, width=w, height=h), limits=LIMITS)
                imgs.append(Image.open(io.BytesIO(doc.labels[0].png())).convert("L"))
            plain, moved = imgs
            assert moved.size == (plain.width + 40, plain.height + 30), (sym, rot)
            shifted = Image.new("L", moved.size, 255)
            shifted.paste(plain, (40, 30))
            assert [p < 128 for p in moved.tobytes()] == [p < 128 for p in shifted.tobytes()], (sym, rot)
