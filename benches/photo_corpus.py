#!/usr/bin/env python3
"""Real photographs and scans: our reader (`barcoded decode`, what `POST /v1/decode` answers)
against zxing-cpp's PyPI build (its thorough settings) on a folder of images laid out as
zxing-cpp's own black-box samples (`test/samples` in its repository): one folder per format
(`ean13-1`, `qrcode-2`, ...), each image beside a `.txt` (or `.bin`) holding the content,
and `falsepositives-*` folders of images with no barcode.

    python3 benches/photo_corpus.py DIR [--binary target/release/barcoded]

No such corpus can be committed or fetched in CI (its images are not ours), so this is run
by hand on a checkout; the README gives the figures it printed. An image counts as read
when one of the results carries its content (in either side's conventions: UPC-A as
twelve digits or thirteen, an add-on apart or appended); a *misread* is an image whose
results all differ from its content (a result of another code in the same picture is no
misread where the folder holds several codes); a *false positive* is any result on a
barcode-free image."""
import argparse
import base64
import json
import os
import subprocess
import sys

import zxingcpp
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE = (".png", ".jpg", ".jpeg", ".webp", ".pgm", ".gif")


def expected(path):
    """The content an image holds, as bytes, or None when the sample gives none."""
    stem = os.path.splitext(path)[0]
    for ext, mode in ((".txt", "r"), (".bin", "rb")):
        if os.path.exists(stem + ext):
            with open(stem + ext, mode) as f:
                data = f.read()
            return data.replace("\r\n", "\n").encode() if isinstance(data, str) else data
    return None


def spellings(text, add_on):
    """The ways one result's content may be written: line ends as the sample's text file
    has them, the add-on apart or appended, UPC-A as the EAN-13 it is, a PZN with or
    without its dash."""
    text = text.replace("\r\n", "\n")
    out = {text, text + add_on, text + " " + add_on} if add_on else {text}
    out |= {"0" + t for t in out if t.isdigit() and len(t) in (12, 14, 17)}
    out |= {"-" + t for t in out}
    return {t.encode() for t in out}


def upca_of_upce(t):
    """The UPC-A an eight-digit UPC-E stands for (number system 0 or 1), or None."""
    if not (len(t) == 8 and t.isdigit() and t[0] in "01"):
        return None
    n, m, c = t[0], t[1:7], t[7]
    last = m[5]
    if last in "012":
        body = m[0:2] + last + "0000" + m[2:5]
    elif last == "3":
        body = m[0:3] + "00000" + m[3:5]
    elif last == "4":
        body = m[0:4] + "00000" + m[4]
    else:
        body = m[0:5] + "0000" + last
    return n + body + c


def ours(binary, path):
    """Our results' contents (each a set of spellings), or None when the image is refused."""
    r = subprocess.run([binary, "decode", path], capture_output=True, timeout=60)
    if r.returncode != 0:
        return None
    doc = json.loads(r.stdout)
    out = []
    for b in doc.get("barcodes", []):
        s = spellings(b.get("text", ""), b.get("add_on") or "")
        if b.get("bytes"):
            s.add(base64.b64decode(b["bytes"]))
        parse = b.get("parse") or {}
        if parse.get("raw"):
            s.add(parse["raw"].encode())
        # UPC-E as the UPC-A it stands for, which zxing-cpp reports.
        upca = (parse.get("upce") or {}).get("upca")
        if upca:
            s |= spellings(upca, b.get("add_on") or "")
        out.append(s)
    return out


def theirs(path):
    img = Image.open(path)
    img.seek(0)
    results = zxingcpp.read_barcodes(img.convert("L"), try_rotate=True, try_invert=True, try_downscale=True,
                                     ean_add_on_symbol=zxingcpp.EanAddOnSymbol.Read,
                                     text_mode=zxingcpp.TextMode.Plain)
    out = []
    for r in results:
        upca = upca_of_upce(r.text) if r.format == zxingcpp.BarcodeFormat.UPCE else None
        out.append(spellings(r.text, "") | {bytes(r.bytes)} | (spellings(upca, "") if upca else set()))
    return out


def carries(r, want):
    """Whether a result's spellings hold the content, or the content and an add-on that
    the sample's content file leaves out (two or five more digits)."""
    return want in r or any(x.startswith(want) and len(x) - len(want) in (2, 5) and x[len(want):].isdigit() for x in r)


def judge(results, want, several):
    """'read', 'missed', 'misread' or 'refused'. Read: a result carries the content. A
    misread, where the image holds one code: a result that is not its content, nor the
    content without its add-on (that result is incomplete: the image counts as missed)."""
    if results is None:
        return "refused"
    if several:
        return "read" if any(carries(r, want) for r in results) else "missed"
    wrong = [r for r in results if not carries(r, want) and not any(want.startswith(x) for x in r if x)]
    if wrong:
        return "misread"
    return "read" if any(carries(r, want) for r in results) else "missed"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "barcoded"))
    a = ap.parse_args()
    rows, misreads, false_pos = {}, {"ours": [], "zxing-cpp": []}, {"ours": [], "zxing-cpp": []}
    for folder in sorted(os.listdir(a.dir)):
        d = os.path.join(a.dir, folder)
        if not os.path.isdir(d):
            continue
        kind = folder.rsplit("-", 1)[0]
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if not name.lower().endswith(IMAGE):
                continue
            mine, zx = ours(a.binary, path), theirs(path)
            if kind == "falsepositives":
                for who, res in (("ours", mine), ("zxing-cpp", zx)):
                    if res:
                        false_pos[who].append(path)
                rows.setdefault(kind, [0, 0, 0])[0] += 1
                continue
            want = expected(path)
            if want is None:
                continue
            row = rows.setdefault(kind, [0, 0, 0])
            row[0] += 1
            for i, (who, res) in enumerate((("ours", mine), ("zxing-cpp", zx)), start=1):
                verdict = judge(res, want, kind == "multi")
                row[i] += verdict == "read"
                if verdict == "misread":
                    misreads[who].append(path)
    print("| samples | images | read by barcoded | read by zxing-cpp |")
    print("|---|---|---|---|")
    total = [0, 0, 0]
    for kind, (n, o, z) in sorted(rows.items()):
        if kind == "falsepositives":
            continue
        print(f"| {kind} | {n} | {o} | {z} |")
        total = [total[0] + n, total[1] + o, total[2] + z]
    print(f"| **all** | {total[0]} | {total[1]} | {total[2]} |")
    n_fp = rows.get("falsepositives", [0])[0]
    print(f"| misreads | | {len(misreads['ours'])} | {len(misreads['zxing-cpp'])} |")
    print(f"| results on {n_fp} barcode-free images | | {len(false_pos['ours'])} | {len(false_pos['zxing-cpp'])} |")
    for who in ("ours", "zxing-cpp"):
        for p in misreads[who]:
            print(f"misread ({who}): {p}", file=sys.stderr)
        for p in false_pos[who]:
            print(f"false positive ({who}): {p}", file=sys.stderr)


if __name__ == "__main__":
    main()
