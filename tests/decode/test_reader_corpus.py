"""Issue 28's reader corpus: our renders made hard to read — turned, in perspective, blurred,
noisy, JPEG at low quality, inverted, low contrast, tiny modules, partly covered, curved,
two codes on a textured background — read by our /v1/decode and by zxing-cpp (PyPI, its
thorough settings) side by side, plus barcode-free images (noise, stripes like fabric,
checkerboards, text, gradients, blobs).

Fails on any misread of ours (a result whose text is not the code's content), any result of
ours on a barcode-free image, or a format where zxing-cpp reads more images than we do.
Prints the per-format table the README shows (`pytest -s` to see it)."""
import io
import json
import math
import random
import urllib.error
import urllib.parse
import urllib.request

import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageOps

# symbology, data, the text our reader reports, other texts zxing-cpp may give for the same
# content (its own conventions).
SAMPLES = [
    ("ean13", "590123412345", "5901234123457", ()),
    ("ean8", "9638507", "96385074", ()),
    ("upca", "03600029145", "036000291452", ("0036000291452",)),
    ("upce", "0425261", "04252614", ("0042100005264",)),
    ("isbn", "0-306-40615-2", "9780306406157", ()),
    ("code128", "ORD-2026-000123", "ORD-2026-000123", ()),
    ("gs1-128", "(01)09506000134352(10)AB1", "010950600013435210AB1", ()),
    ("code39", "CODE39-TEST", "CODE39-TEST", ()),
    ("code93", "CODE93 TEST", "CODE93 TEST", ()),
    ("codabar", "A40156B", "A40156B", ()),
    ("itf", "12345678", "12345678", ()),
    ("itf14", "1540014128876", "15400141288763", ()),
    ("pzn", "1234562", "12345626", ("-12345626",)),
    ("qr", "https://shop.example.com/o/123", "https://shop.example.com/o/123", ()),
    ("microqr", "12345", "12345", ()),
    ("rmqr", "HELLO WORLD", "HELLO WORLD", ()),
    ("datamatrix", "DM-0042-LOT7", "DM-0042-LOT7", ()),
    ("pdf417", "PDF417 SHIPPING 0042", "PDF417 SHIPPING 0042", ()),
    ("micropdf417", "MicroPDF417", "MicroPDF417", ()),
    ("aztec", "AZTEC TICKET 42", "AZTEC TICKET 42", ()),
    ("maxicode", "Hello MaxiCode 0123456789", "Hello MaxiCode 0123456789", ()),
    ("databar", "0950110153000", "0109501101530003", ()),
    ("databar-limited", "0950110153000", "0109501101530003", ()),
    ("databar-expanded", "(01)99501101530006(3103)001750", "01995011015300063103001750", ()),
    # zxing-cpp reads no DotCode: its column is 0, ours is our own reader's.
    ("dotcode", "https://example.com/dotcode", "https://example.com/dotcode", ()),
]
NAMES = {s[0] for s in SAMPLES}


def fetch(base, sym, data, **opts):
    q = urllib.parse.urlencode(opts)
    path = f"/v1/{sym}/{urllib.parse.quote(data, safe='')}.png" + (f"?{q}" if q else "")
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return Image.open(io.BytesIO(r.read())).convert("L")


def ours(base, img, query=""):
    """Our /v1/decode of the image as a JPEG or PNG upload: [(format, text)]."""
    return [(b["format"], b["text"].replace("\x1d", "")) for b in our_barcodes(base, img, query)]


def our_barcodes(base, img, query=""):
    """Our /v1/decode of the image as a JPEG or PNG upload: its barcodes as answered."""
    out = io.BytesIO()
    if img.info.get("jpeg_quality"):
        img.save(out, "JPEG", quality=img.info["jpeg_quality"])
        ctype = "image/jpeg"
    else:
        img.save(out, "PNG")
        ctype = "image/png"
    for attempt in range(4):
        req = urllib.request.Request(base + "/v1/decode" + query, data=out.getvalue(), headers={"Content-Type": ctype},
                                     method="POST")
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return json.load(r)["barcodes"]
        except urllib.error.HTTPError as e:
            # The decode budget shed it (a busy CI machine): again after its Retry-After.
            if e.code != 503 or attempt == 3:
                raise


def zxing(img):
    """zxing-cpp on the same upload bytes (decoded by PIL), its thorough settings: [texts]."""
    if img.info.get("jpeg_quality"):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=img.info["jpeg_quality"])
        img = Image.open(io.BytesIO(out.getvalue())).convert("L")
    found = zxingcpp.read_barcodes(img, try_rotate=True, try_invert=True, try_downscale=True,
                                   text_mode=zxingcpp.TextMode.Plain)
    return [r.text.replace("\x1d", "") for r in found]


# The degradations, each deterministic (seeded by the sample's name).

def pad(img, px=40, fill=255):
    return ImageOps.expand(img, border=px, fill=fill)


def turned(img, rnd):
    return pad(img).rotate(rnd.choice([8, -12, 95, 183, 267]), resample=Image.BILINEAR, expand=True, fillcolor=255)


def perspective(img, rnd):
    img = pad(img, 60)
    w, h = img.size
    d = lambda: rnd.uniform(0.02, 0.08)
    quad = (w * d(), h * d(), w * d(), h * (1 - d()), w * (1 - d()), h * (1 - d()), w * (1 - d()), h * d())
    return img.transform((w, h), Image.QUAD, quad, resample=Image.BILINEAR, fillcolor=255)


def blurred(img, rnd):
    return pad(img).filter(ImageFilter.GaussianBlur(rnd.uniform(0.7, 1.1)))


def noisy_jpeg(img, rnd):
    img = pad(img)
    px = img.load()
    for y in range(img.height):
        for x in range(img.width):
            px[x, y] = max(0, min(255, px[x, y] + int(rnd.gauss(0, 14))))
    img.info["jpeg_quality"] = 40
    return img


def inverted(img, rnd):
    return ImageOps.invert(pad(img))


def low_contrast(img, rnd):
    return pad(img).point(lambda v: 95 + v * 70 // 255).filter(ImageFilter.GaussianBlur(0.6))


def tiny(img, rnd):
    img = pad(img, 20)
    f = 0.7
    return img.resize((int(img.width * f), int(img.height * f)), Image.BILINEAR)


def covered(img, rnd):
    img = pad(img)
    d = ImageDraw.Draw(img)
    w, h = img.size
    x, y = rnd.uniform(0.35, 0.55) * w, rnd.uniform(0.05, 0.2) * h
    d.rectangle([x, y, x + 0.06 * w, y + 0.12 * h], fill=200)
    return img


def curved(img, rnd):
    img = pad(img, 30)
    w, h = img.size
    out = Image.new("L", (w, h + 24), 255)
    amp = rnd.uniform(4, 8)
    for x in range(0, w, 2):
        strip = img.crop((x, 0, min(w, x + 2), h))
        out.paste(strip, (x, int(12 + amp * math.sin(math.pi * x / w))))
    return out


def on_texture(img, rnd, other):
    w, h = img.width + other.width + 160, max(img.height, other.height) + 120
    bg = Image.new("L", (w, h), 0)
    px = bg.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = 150 + (x * 7 + y * 13) % 40 + rnd.randrange(20)
    bg.paste(pad(img, 20), (30, 30))
    bg.paste(pad(other, 20), (img.width + 100, 40))
    return bg


DEGRADATIONS = [turned, perspective, blurred, noisy_jpeg, inverted, low_contrast, tiny, covered, curved]


def corpus(base):
    """(format, expected text, other acceptable texts, image, what was done) per image."""
    clean = {s[0]: fetch(base, s[0], s[1], scale=3) for s in SAMPLES}
    out = []
    for i, (sym, data, text, alts) in enumerate(SAMPLES):
        rnd = random.Random(sym)
        out.append((sym, text, alts, pad(clean[sym]), "plain"))
        for deg in DEGRADATIONS:
            out.append((sym, text, alts, deg(clean[sym].copy(), rnd), deg.__name__))
        other = SAMPLES[(i + 7) % len(SAMPLES)]
        out.append((sym, text, alts, on_texture(clean[sym], rnd, clean[other[0]]), f"with {other[0]}"))
    return out


def negatives():
    """Barcode-free images: what a camera sees that is not a barcode."""
    rnd = random.Random(28)
    imgs = []
    for i in range(6):
        # Noise, coarse and fine.
        img = Image.new("L", (320, 240))
        img.putdata([rnd.randrange(256) for _ in range(320 * 240)])
        imgs.append(("noise", img.resize((640, 480), Image.NEAREST if i % 2 else Image.BILINEAR)))
    for i in range(8):
        # Stripes like fabric or shelves: bars of random widths, the hardest case for 1D.
        img = Image.new("L", (640, 360), 255)
        d = ImageDraw.Draw(img)
        x = 0
        while x < 640:
            wdt = rnd.choice([2, 3, 4, 6, 8, 12]) + i % 3
            d.rectangle([x, 0, x + wdt - 1, 360], fill=rnd.choice([20, 40, 200, 230]))
            x += wdt + rnd.choice([2, 3, 5, 7])
        imgs.append(("stripes", img.rotate(rnd.choice([0, 5, 90]), fillcolor=255)))
    for i in range(4):
        # Checkerboards and grids (tiles, packaging).
        img = Image.new("L", (480, 480), 255)
        d = ImageDraw.Draw(img)
        s = 6 + 4 * i
        for y in range(0, 480, s):
            for x in range(0, 480, s):
                if (x // s + y // s) % 2 or rnd.random() < 0.1:
                    d.rectangle([x, y, x + s - 1, y + s - 1], fill=0)
        imgs.append(("checkerboard", img))
    for i in range(6):
        # Text: an invoice, a label's address block.
        img = Image.new("L", (640, 400), 255)
        d = ImageDraw.Draw(img)
        for line in range(18):
            words = " ".join("".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(rnd.randrange(2, 9)))
                             for _ in range(6))
            d.text((10, 10 + line * 21), words, fill=0)
        imgs.append(("text", img.resize((1280, 800), Image.BILINEAR) if i % 2 else img))
    for i in range(4):
        # Gradients and blobs (faces, skies, cardboard).
        img = Image.new("L", (400, 300))
        img.putdata([int(128 + 100 * math.sin(x / (9 + i) + y / (13 + i))) for y in range(300) for x in range(400)])
        d = ImageDraw.Draw(img)
        for _ in range(12):
            x, y, r = rnd.randrange(400), rnd.randrange(300), rnd.randrange(5, 40)
            d.ellipse([x - r, y - r, x + r, y + r], fill=rnd.randrange(256))
        imgs.append(("blobs", img.filter(ImageFilter.GaussianBlur(1))))
    return imgs


def test_reader_corpus_ours_at_least_zxing_no_misreads(base_url):
    table = {}
    misreads, zx_misreads = [], []
    for sym, text, alts, img, what in corpus(base_url):
        row = table.setdefault(sym, [0, 0, 0])
        row[0] += 1
        got = ours(base_url, img)
        if (sym, text) in got:
            row[1] += 1
        # Any result of ours whose text is not a content in the image is a misread.
        allowed = {(s[0], s[2]) for s in SAMPLES}
        wrong = [g for g in got if g not in allowed]
        if wrong:
            misreads.append((sym, what, wrong))
        zx = zxing(img)
        if text in zx or any(a in zx for a in alts):
            row[2] += 1
        zx_allowed = {s[2] for s in SAMPLES} | {a for s in SAMPLES for a in s[3]}
        zx_misreads += [(sym, what, t) for t in zx if t not in zx_allowed]
    lines = ["| format | images | read by barcoded | read by zxing-cpp |", "|---|---|---|---|"]
    for sym, (n, us, zx) in sorted(table.items()):
        lines.append(f"| {sym} | {n} | {us} | {zx} |")
    total = [sum(r[i] for r in table.values()) for i in range(3)]
    lines.append(f"| **all** | {total[0]} | {total[1]} | {total[2]} |")
    print("\n" + "\n".join(lines))
    print(f"misreads: barcoded {len(misreads)}, zxing-cpp {len(zx_misreads)} {zx_misreads[:5]}")
    assert not misreads, misreads
    behind = {s: r for s, r in table.items() if r[1] < r[2]}
    assert not behind, f"formats where zxing-cpp reads more images: {behind}"


def test_barcode_free_images_give_no_result(base_url):
    ours_found, zx_found = [], []
    for what, img in negatives():
        got = ours(base_url, img)
        if got:
            ours_found.append((what, got))
        zx = zxing(img)
        if zx:
            zx_found.append((what, zx))
    print(f"\nbarcode-free images: {len(negatives())}; with a result: barcoded {len(ours_found)}, "
          f"zxing-cpp {len(zx_found)} {zx_found[:3]}")
    assert not ours_found, ours_found


def gtin_check(digits):
    """The GTIN check digit of `digits` (EAN-13: twelve, UPC-A: eleven)."""
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def test_small_modules_read_twice_as_large(base_url):
    """EAN-13 and UPC-A at 1.4 and 1.5 pixels a module (a small photograph of a label),
    lightly blurred: where nothing is found in a small image, it is read again twice as
    large. Fails unless we read at least five in six and more than zxing-cpp, with no
    misread."""
    rnd = random.Random(28)
    n = ours_read = zx_read = 0
    misreads = []
    for sym, digits in [("ean13", 12), ("upca", 11)]:
        for k in range(12):
            data = "".join(str(rnd.randrange(10)) for _ in range(digits))
            text = data + gtin_check(data)
            clean = pad(fetch(base_url, sym, data, scale=10), 100)
            px = 1.4 if k % 2 == 0 else 1.5
            small = clean.resize((round(clean.width * px / 10), round(clean.height * px / 10)), Image.BOX)
            img = small.filter(ImageFilter.GaussianBlur(0.4))
            n += 1
            got = ours(base_url, img)
            ours_read += (sym, text) in got
            misreads += [(sym, text, g) for g in got if g != (sym, text)]
            zx_read += any(t in (text, "0" + text) for t in zxing(img))
    print(f"\nsmall modules: {n} images; read by barcoded {ours_read}, zxing-cpp {zx_read}")
    assert not misreads, misreads
    assert ours_read >= n * 5 // 6 and ours_read > zx_read, (ours_read, zx_read)


def test_curved_dotcode_is_read(base_url):
    """DotCode on a curved surface, bowed by one to three of its places across: the dot
    lattice is mapped with second-order terms, not an affine map."""
    clean = fetch(base_url, "dotcode", "https://example.com/dotcode", scale=3)
    for seed in range(4):
        img = curved(clean.copy(), random.Random(seed))
        assert ours(base_url, img) == [("dotcode", "https://example.com/dotcode")], seed


@pytest.mark.parametrize("barcode,zint_args,data", [
    ("code11", ["-b", "1"], "123-45"),             # Zint adds C and K by default
    ("code11", ["-b", "1"], "0123456789-0"),
    ("msi", ["-b", "47", "--vers=1"], "80523"),     # mod 10 check digit
    ("msi", ["-b", "47", "--vers=1"], "1234567890"),
    ("imb", ["-b", "85", "--scale=2"], "01234567094987654321-01234567891"),
    ("imb", ["-b", "85", "--scale=2"], "00040123456200800001-987654321"),
    ("auspost", ["-b", "63", "--scale=2"], "39987520"),
    ("rm4scc", ["-b", "70", "--scale=2"], "SN34RD1A"),
    ("dotcode", ["-b", "115", "--scale=2"], "Zint DotCode 2026"),
    ("dotcode", ["-b", "115", "--scale=3"], "caf\u00e9 cr\u00e8me 0123456789 abc"),
])
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_our_own_readers_read_zints_renders(base_url, tmp_path, barcode, zint_args, data, turn):
    """Code 11, MSI, the four-state postal codes and DotCode, which zxing-cpp does not read, are read
    by readers of ours: checked on an independent encoder's images (Zint's), turned,
    blurred, noisy, JPEG 60."""
    import shutil
    import subprocess
    if not shutil.which("zint"):
        pytest.skip("zint (apt) is not installed")
    out = tmp_path / "z.png"
    scale = [] if any(a.startswith("--scale") for a in zint_args) else ["--scale=1"]
    subprocess.run(["zint", *zint_args, "-d", data, "--whitesp=10", *scale, "-o", str(out)], check=True)
    img = ImageOps.expand(Image.open(out).convert("L").rotate(turn, expand=True), border=20, fill=255)
    assert ours(base_url, degraded(img, data)) == [(barcode, data)]


# Every symbology we write, with the format and text our reader reports (its conventions:
# check characters of Code 11 and MSI not in the text, Code 32 as "A" + 9 digits, a
# DataBar Truncated or Stacked Omnidirectional as the DataBar it is).
ROUND_TRIP = [(s, d, s, t) for s, d, t, _ in SAMPLES] + [
    ("code32", "12345678", "code32", "A123456788"),
    ("databar-truncated", "0950110153000", "databar", "0109501101530003"),
    ("databar-stacked", "0950110153000", "databar-stacked", "0109501101530003"),
    ("databar-stacked-omni", "0950110153000", "databar-stacked", "0109501101530003"),
    ("databar-expanded-stacked", "(01)09501101530003(17)261231(10)LOT-7",
     "databar-expanded-stacked", "010950110153000317261231" + "10LOT-7"),
    ("code11", "123-45", "code11", "123-45"),
    ("msi", "80523", "msi", "80523"),
    ("rm4scc", "SN34RD1A", "rm4scc", "SN34RD1A"),
    ("kix", "2500GG30250", "kix", "2500GG30250"),
    ("imb", "01234567094987654321-01234567891", "imb", "01234567094987654321-01234567891"),
    ("imb", "00040123456200800001", "imb", "00040123456200800001"),
    ("auspost", "39987520", "auspost", "39987520"),
]
def degraded(img, seed):
    """Mild blur, noise and JPEG at quality 60."""
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    rnd = random.Random(seed)
    px = img.load()
    for y in range(img.height):
        for x in range(img.width):
            px[x, y] = max(0, min(255, px[x, y] + int(rnd.gauss(0, 8))))
    img.info["jpeg_quality"] = 60
    return img


@pytest.mark.parametrize("sym,data,fmt,text", ROUND_TRIP, ids=[r[0] for r in ROUND_TRIP])
def test_round_trip_every_symbology_we_read(base_url, sym, data, fmt, text):
    """Our PNG at 2 px a module, turned 0/90/180/270, plain and degraded, reads back to the
    data that made it, under its name, and nothing else."""
    clean = pad(fetch(base_url, sym, data, scale=2), 16)
    for turn in (0, 90, 180, 270):
        img = clean.rotate(turn, expand=True)
        for variant in (img, degraded(img.copy(), f"{sym}{turn}")):
            got = ours(base_url, variant)
            assert got == [(fmt, text)], (turn, variant.info, got)


@pytest.mark.parametrize("sym,data,fmt,text", ROUND_TRIP, ids=[r[0] for r in ROUND_TRIP])
def test_round_trip_light_on_dark(base_url, sym, data, fmt, text):
    """Light on dark (the PNG inverted, on a dark ground), turned 0 and 90, plain and
    degraded: read back as dark on light, and reported `inverted`. zxing-cpp itself reads
    only QR Code, Data Matrix and Aztec that way."""
    clean = ImageOps.invert(pad(fetch(base_url, sym, data, scale=2), 16))
    for turn in (0, 90):
        img = clean.rotate(turn, expand=True)  # the corners it opens are black: the ground
        for variant in (img, degraded(img.copy(), f"{sym}{turn}light-on-dark")):
            got = our_barcodes(base_url, variant)
            assert [(b["format"], b["text"].replace("\x1d", "")) for b in got] == [(fmt, text)], (turn, got)
            assert got[0]["inverted"] is True, got


@pytest.mark.parametrize("scale", [3, 5, 8])
def test_maxicode_turned_read_at_every_module_size(base_url, scale):
    """MaxiCode turned a quarter, half or three quarters, at 3 to 8 px a module (where the
    turned reads are made only when the bullseye is seen round the centre of the dark
    pixels' box, reader/bullseye.rs), dark on light and light on dark, plain and degraded:
    read back. zxing-cpp itself reads it upright only."""
    data = "Hello MaxiCode 0123456789"
    clean = pad(fetch(base_url, "maxicode", data, scale=scale), 16)
    for turn in (90, 180, 270):
        for light_on_dark in (False, True):
            img = clean.rotate(turn, expand=True)
            img = ImageOps.invert(img) if light_on_dark else img
            for variant in (img, degraded(img.copy(), f"maxicode{scale}{turn}{light_on_dark}")):
                got = our_barcodes(base_url, variant)
                assert [(b["format"], b["text"]) for b in got] == [("maxicode", data)], (turn, light_on_dark, got)
                assert got[0]["inverted"] is light_on_dark


@pytest.mark.parametrize("data", ["1234", "98765", "3"])
def test_round_trip_pharmacode_read_when_asked_which_way_it_runs(base_url, data):
    """Pharmacode has no start, stop or check: read backwards it is another number, and any
    few stripes of two widths are one. Asked for by name with the way it runs
    (`formats=pharmacode&orientation=`), our PNG at 2 px a module, turned 0/90/180/270,
    plain and degraded, reads back to its number; not asked for, it is never reported; asked
    the other way round, it is never reported as its own number (unless it reads the same
    both ways)."""
    clean = pad(fetch(base_url, "pharmacode", data, scale=2), 16)
    for turn in (0, 90, 180, 270):  # PIL turns counter-clockwise
        clockwise = (360 - turn) % 360
        img = clean.rotate(turn, expand=True)
        for variant in (img, degraded(img.copy(), f"pharmacode{data}{turn}")):
            assert ours(base_url, variant, f"?formats=pharmacode&orientation={clockwise}") == [("pharmacode", data)]
            assert ours(base_url, variant) == [], "not asked for"
            wrong = ours(base_url, variant, f"?formats=pharmacode&orientation={(clockwise + 180) % 360}")
            assert ("pharmacode", data) not in wrong or data == "3", wrong


def test_pharmacode_asked_for_finds_none_in_barcode_free_images(base_url):
    """Asked for, Pharmacode is still not invented on noise, text, grids or photographs: the
    bars must stand upright over neighbouring scan lines, at the same place, a third as tall
    as the symbol is long and six of its spaces tall. Stripes are left out, and that is the point of reading it only on
    request: upright stripes of two widths with even gaps *are* a Pharmacode (a dedicated
    Pharmacode scanner reads them too; nothing in the symbology tells them apart)."""
    found = [(name, got) for name, img in negatives() if name != "stripes" for o in (0, 90)
             for got in [ours(base_url, img, f"?formats=pharmacode&orientation={o}")] if got]
    assert found == []
    assert len([n for n, _ in negatives() if n != "stripes"]) >= 20


def decode_doc(base, img):
    """Our /v1/decode of the image as a PNG upload: the whole answer."""
    out = io.BytesIO()
    img.save(out, "PNG")
    req = urllib.request.Request(base + "/v1/decode", data=out.getvalue(), headers={"Content-Type": "image/png"},
                                 method="POST")
    with urllib.request.urlopen(req, timeout=20) as r:
        return json.load(r)


def test_dotcode_gs1_ours_and_zints(base_url, tmp_path):
    """GS1 DotCode (ours with gs1=true, and Zint's) reads as GS1 data: identifier ]J1, the
    element string, /v1/parse's elements; the 17...10 shortcut word (a date then a batch)
    included."""
    import shutil
    import subprocess
    data = "(01)09506000134352(17)261231(10)ABC"
    imgs = [("ours", pad(fetch(base_url, "dotcode", data, scale=3, gs1="true"), 16))]
    if shutil.which("zint"):
        out = tmp_path / "z.png"
        subprocess.run(["zint", "-b", "115", "--gs1", "-d", data.replace("(", "[").replace(")", "]"), "--scale=2",
                        "-o", str(out)], check=True)
        imgs.append(("zint", pad(Image.open(out).convert("L"), 16)))
    for who, img in imgs:
        doc = decode_doc(base_url, img)
        assert len(doc["barcodes"]) == 1, (who, doc)
        b = doc["barcodes"][0]
        assert (b["format"], b["text"], b["symbology_identifier"], b["content"]) == \
            ("dotcode", "01095060001343521726123110ABC", "]J1", "gs1"), who
        assert b["parse"]["valid"] and b["parse"]["bracketed"] == data, (who, b["parse"])


@pytest.mark.parametrize("angle", [17, 33, -8])
def test_dotcode_read_at_any_angle(base_url, angle):
    """DotCode's lattice is found at any angle, not only in quarter turns: our PNG at 3 px
    a dot, turned, plain and degraded; the orientation reported is the turn (clockwise)."""
    data = "DotCode at an angle 0123456789"
    img = pad(fetch(base_url, "dotcode", data, scale=3), 16).rotate(angle, resample=Image.BILINEAR, expand=True,
                                                                    fillcolor=255)
    for variant in (img, degraded(img.copy(), f"angle{angle}")):
        assert ours(base_url, variant) == [("dotcode", data)]
    got = decode_doc(base_url, img)["barcodes"][0]
    assert abs((got["orientation"] - (-angle)) % 360) <= 2 or abs((got["orientation"] - (-angle)) % 360) >= 358, got
