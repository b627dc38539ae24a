#!/usr/bin/env python3
"""CPU per image: our decode worker process (`barcoded --decode-worker`, spoken to over its
pipes exactly as the server does) against zxing-cpp's own Python build (PyPI) on the same
images, in one run, rounds interleaved, with the same reader settings (thorough: try_harder,
try_rotate, try_invert, try_downscale, EAN/UPC add-ons read). Ours is measured from the
worker's own CPU time (/proc/PID/schedstat), zxing-cpp's from this process's CPU time for
`read_barcodes` on pixels PIL already decoded.

Two columns for us: **luma in** (the image sent as binary PGM, its grey samples as they are:
the same pixels zxing-cpp gets, nothing to decode) — the comparison the reader is judged
by — and **as uploaded** (the JPEG or PNG, our own image decoding included).

    python3 benches/decode_vs_zxing.py [--binary target/release/barcoded] [--rounds 15]

Pin it for a quieter figure: `taskset -c 1 python3 benches/decode_vs_zxing.py`.
Images: the 1 MP label photo fixture (three codes) and variants of it (turned, half size,
crops around each code); the median over them is reported too."""
import argparse
import io
import os
import statistics
import struct
import subprocess
import time

import zxingcpp
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    """Time the process has spent on a CPU, in seconds (schedstat: nanoseconds)."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def frame(image):
    # BCD2 (src/decoder/wire.rs), no fault, limits (4096 px a side, 16 Mpx, 8 MiB),
    # orientation 0, no formats asked (every format), the image's length, the image.
    return b"BCD2" + bytes([0]) + struct.pack("<IQQhHI", 4096, 16_000_000, 8 << 20, 0, 0, len(image)) + image


def ask(proc, image):
    proc.stdin.write(frame(image))
    proc.stdin.flush()
    n = struct.unpack("<I", proc.stdout.read(4))[0]
    return proc.stdout.read(n)


def images():
    """The label photo, and variants of it: turned a quarter (PNG), at half size, and a crop
    around each of its three codes."""
    label = open(os.path.join(ROOT, "benches", "fixtures", "label-1mp.jpg"), "rb").read()
    photo = Image.open(io.BytesIO(label)).convert("L")
    out = {"label-1mp.jpg": label}

    def enc(img, fmt, **kw):
        buf = io.BytesIO()
        img.save(buf, fmt, **kw)
        return buf.getvalue()

    out["label turned 90 (png)"] = enc(photo.rotate(90, expand=True), "PNG")
    out["label half size (jpeg)"] = enc(photo.resize((640, 400), Image.BILINEAR), "JPEG", quality=80)
    for name, box in [("ean13", (200, 230, 600, 490)), ("code128", (210, 500, 650, 590)),
                      ("qr", (780, 210, 1000, 420))]:
        out[f"crop {name} (png)"] = enc(photo.crop(box), "PNG")
    return out


def pgm(img):
    """The grey pixels as binary PGM: luma in."""
    return f"P5\n{img.width} {img.height}\n255\n".encode() + img.tobytes()


def zxing_read(img):
    return zxingcpp.read_barcodes(img, try_rotate=True, try_invert=True, try_downscale=True,
                                  ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Read)


def median_ms(xs):
    return statistics.median(xs) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "barcoded"))
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args()
    proc = subprocess.Popen([a.binary, "--decode-worker", "1024"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, "MIMALLOC_ARENA_RESERVE": "16M"})
    imgs = images()
    pixels = {k: Image.open(io.BytesIO(v)).convert("L") for k, v in imgs.items()}
    grey = {k: pgm(v) for k, v in pixels.items()}
    luma_in = {k: [] for k in imgs}
    uploaded = {k: [] for k in imgs}
    theirs = {k: [] for k in imgs}

    def ours(body):
        c0 = cpu_s(proc.pid)
        answer = ask(proc, body)
        return cpu_s(proc.pid) - c0, answer

    for name in imgs:  # warm-up; all three read the same number of codes
        n = len(zxing_read(pixels[name]))
        assert n > 0, name
        for body in (imgs[name], grey[name]):
            answer = ours(body)[1]
            assert answer.count(b'"format"') == n, (name, n, answer[:400])
    for _ in range(a.rounds):
        for name in imgs:
            luma_in[name].append(ours(grey[name])[0])
            uploaded[name].append(ours(imgs[name])[0])
            t0 = time.process_time()
            zxing_read(pixels[name])
            theirs[name].append(time.process_time() - t0)
    proc.stdin.close()
    proc.wait()
    print("| image | barcoded, luma in (PGM) CPU ms | zxing-cpp (Python) CPU ms | ratio | barcoded, as uploaded CPU ms |")
    print("|---|---|---|---|---|")
    rows = []
    for name in imgs:
        row = (median_ms(luma_in[name]), median_ms(theirs[name]), median_ms(uploaded[name]))
        rows.append(row)
        print(f"| {name} | {row[0]:.1f} | {row[1]:.1f} | {row[0] / row[1]:.2f} | {row[2]:.1f} |")
    m = [statistics.median(r[i] for r in rows) for i in range(3)]
    print(f"| median of the images | {m[0]:.1f} | {m[1]:.1f} | {m[0] / m[1]:.2f} | {m[2]:.1f} |")


if __name__ == "__main__":
    main()
