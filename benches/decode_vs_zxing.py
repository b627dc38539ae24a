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

    python3 benches/decode_vs_zxing.py [--binary target/release/barcoded] [--rounds 15] [--corpus-rounds 5]

Pin it for a quieter figure: `taskset -c 1 python3 benches/decode_vs_zxing.py`.
Images: the 1 MP label photo fixture (three codes) and variants of it (turned, half size,
crops around each code), then the reader corpus of `tests/decode/test_reader_corpus.py`
(275 images made from our renders through a server this script starts; `--corpus-rounds 0`
leaves it out; also apart, the images zxing-cpp reads as many codes in as we do, for the
images only we read — light on dark, DotCode — cost us a read it does not make). Each
ratio is given two ways: the median of ours over the median of
theirs, and the median of the ratios of the rounds (each round's two measurements are
taken one after the other, so a burst of load elsewhere on the machine falls on both)."""
import argparse
import io
import os
import statistics
import struct
import subprocess
import sys
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


def corpus_images(binary):
    """The reader corpus's images (grey), rendered by a server of ours started for them."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "decode"))
    import test_reader_corpus  # noqa: E402 (the test's own corpus, not a copy)

    server = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--admin-listen", "off", "--threads", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        base = "http://" + line.split("http://", 1)[1].split()[0]
        return [(item[0], item[4], item[3].convert("L")) for item in test_reader_corpus.corpus(base)]
    finally:
        server.terminate()
        server.wait(timeout=10)


def measure(proc, bodies, pixels, rounds):
    """Per image: our CPU seconds (luma in, and as uploaded when `bodies` has it) and
    zxing-cpp's, `rounds` times each, interleaved."""
    def ours(body):
        c0 = cpu_s(proc.pid)
        ask(proc, body)
        return cpu_s(proc.pid) - c0

    grey = [pgm(p) for p in pixels]
    times = [([], [], []) for _ in pixels]
    for _ in range(rounds):
        for i, img in enumerate(pixels):
            times[i][0].append(ours(grey[i]))
            if bodies:
                times[i][1].append(ours(bodies[i]))
            t0 = time.process_time()
            zxing_read(img)
            times[i][2].append(time.process_time() - t0)
    return times


def round_ratio(t):
    """The median of the rounds' own ratios, ours (luma in) over theirs."""
    return statistics.median(a / b for a, b in zip(t[0], t[2]) if b > 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "barcoded"))
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--corpus-rounds", type=int, default=5)
    ap.add_argument("--dump", help="write the corpus's per-image figures here (TSV: format, what was done, "
                    "our median ms, zxing-cpp's median ms, median of the rounds' ratios)")
    a = ap.parse_args()
    proc = subprocess.Popen([a.binary, "--decode-worker", "1024"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, "MIMALLOC_ARENA_RESERVE": "16M"})
    imgs = images()
    names = list(imgs)
    pixels = [Image.open(io.BytesIO(imgs[k])).convert("L") for k in names]
    for name, img in zip(names, pixels):  # warm-up; all three read the same number of codes
        n = len(zxing_read(img))
        assert n > 0, name
        for body in (imgs[name], pgm(img)):
            answer = ask(proc, body)
            assert answer.count(b'"format"') == n, (name, n, answer[:400])
    times = measure(proc, [imgs[k] for k in names], pixels, a.rounds)
    print("| image | barcoded, luma in (PGM) CPU ms | zxing-cpp (Python) CPU ms | ratio | ratio, per round | "
          "barcoded, as uploaded CPU ms |")
    print("|---|---|---|---|---|---|")
    rows = []
    for name, t in zip(names, times):
        row = (median_ms(t[0]), median_ms(t[2]), median_ms(t[1]), round_ratio(t))
        rows.append(row)
        print(f"| {name} | {row[0]:.1f} | {row[1]:.1f} | {row[0] / row[1]:.2f} | {row[3]:.2f} | {row[2]:.1f} |")
    m = [statistics.median(r[i] for r in rows) for i in range(4)]
    print(f"| median of the images | {m[0]:.1f} | {m[1]:.1f} | {m[0] / m[1]:.2f} | {m[3]:.2f} | {m[2]:.1f} |")
    if a.corpus_rounds > 0:
        labelled = corpus_images(a.binary)
        corpus = [img for _, _, img in labelled]
        both = []  # whether zxing-cpp reads the image as we do (not an image only we read)
        for img in corpus:  # warm-up
            answer = ask(proc, pgm(img))
            both.append(len(zxing_read(img)) == answer.count(b'"format"'))
        times = measure(proc, [], corpus, a.corpus_rounds)
        ours = [statistics.median(t[0]) * 1000 for t in times]
        theirs = [statistics.median(t[2]) * 1000 for t in times]
        mo, mt = statistics.median(ours), statistics.median(theirs)
        per_image = statistics.median(round_ratio(t) for t in times)
        print(f"\nreader corpus ({len(corpus)} images, {statistics.median(i.width * i.height for i in corpus):.0f} px "
              f"median): median CPU ms, barcoded (luma in) {mo:.2f}, zxing-cpp {mt:.2f}, ratio {mo / mt:.2f}; "
              f"median of the images' own ratios {per_image:.2f}")
        if a.dump:
            with open(a.dump, "w") as f:
                for (fmt, done, _), o, t, ts in zip(labelled, ours, theirs, times):
                    f.write(f"{fmt}\t{done}\t{o:.3f}\t{t:.3f}\t{round_ratio(ts):.3f}\n")
        same = [t for t, b in zip(times, both) if b]
        so = statistics.median(statistics.median(t[0]) for t in same) * 1000
        st = statistics.median(statistics.median(t[2]) for t in same) * 1000
        print(f"the {len(same)} images zxing-cpp reads as many codes in as we do: median CPU ms, barcoded {so:.2f}, "
              f"zxing-cpp {st:.2f}, ratio {so / st:.2f}; median of the images' own ratios "
              f"{statistics.median(round_ratio(t) for t in same):.2f}")
    proc.stdin.close()
    proc.wait()


if __name__ == "__main__":
    main()
