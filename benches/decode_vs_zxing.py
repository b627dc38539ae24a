#!/usr/bin/env python3
"""CPU per image: our decode worker process (`barcoded --decode-worker`, spoken to over its
pipes exactly as the server does) against zxing-cpp's own Python build (PyPI) on the same
images, in one run, rounds interleaved. Ours is measured from the worker's own CPU time
(/proc/PID/stat) and includes decoding the JPEG/PNG; zxing-cpp's is this process's CPU time
for `read_barcodes` on pixels PIL already decoded (so it is favoured by the JPEG decode).

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
    # BCD1, no fault, limits (4096 px a side, 16 Mpx, 8 MiB), length, image.
    return b"BCD1" + bytes([0]) + struct.pack("<IQQI", 4096, 16_000_000, 8 << 20, len(image)) + image


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "barcoded"))
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args()
    proc = subprocess.Popen([a.binary, "--decode-worker", "1024"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, "MIMALLOC_ARENA_RESERVE": "16M"})
    imgs = images()
    pixels = {k: Image.open(io.BytesIO(v)).convert("L") for k, v in imgs.items()}
    ours = {k: [] for k in imgs}
    theirs = {k: [] for k in imgs}
    for name in imgs:  # warm-up, and both must read something
        assert b'"found":[]' not in ask(proc, imgs[name]), name
        assert zxingcpp.read_barcodes(pixels[name], try_rotate=True, try_invert=True, try_downscale=True), name
    for _ in range(a.rounds):
        for name in imgs:
            c0 = cpu_s(proc.pid)
            ask(proc, imgs[name])
            ours[name].append(cpu_s(proc.pid) - c0)
            t0 = time.process_time()
            zxingcpp.read_barcodes(pixels[name], try_rotate=True, try_invert=True, try_downscale=True)
            theirs[name].append(time.process_time() - t0)
    proc.stdin.close()
    proc.wait()
    print("| image | barcoded worker CPU ms (median) | zxing-cpp (Python) CPU ms (median) | ratio |")
    print("|---|---|---|---|")
    per = []
    for name in imgs:
        o, t = statistics.median(ours[name]) * 1000, statistics.median(theirs[name]) * 1000
        per.append((o, t))
        print(f"| {name} | {o:.1f} | {t:.1f} | {o / t:.2f} |")
    o, t = statistics.median(p[0] for p in per), statistics.median(p[1] for p in per)
    print(f"| median of the images | {o:.1f} | {t:.1f} | {o / t:.2f} |")


if __name__ == "__main__":
    main()
