//! ZPL II graphic fields: a 1-bit raster as `^GFA` with ZPL's ASCII compression. Each row is
//! hex; runs of one hex digit become a repeat count (`G`–`Y` for 1–19, `g`–`z` for 20–400,
//! combined), `,` ends a row that is white to its end and `:` repeats the previous row. No
//! `!` (a row black to its end: renderers disagree on it) and no run across a row boundary,
//! so every printer and renderer reads the same pixels. The byte count is the raster's.
//! `:Z64:` is the other encoding printers read: zlib, Base64, CRC-16 of the Base64 text.

use super::bitmap::Bitmap;
use std::fmt::Write;

/// Appends `count` repetitions of hex digit `c` in ZPL's compressed form: an optional
/// multiple of 20 (`g`–`z`), an optional 1–19 (`G`–`Y`), then the digit; runs over 400 are
/// split.
fn run(out: &mut String, c: char, mut count: usize) {
    while count > 400 {
        out.push('z');
        out.push(c);
        count -= 400;
    }
    if count == 0 {
        return;
    }
    let (big, small) = (count / 20, count % 20);
    if count > 1 {
        if big > 0 {
            out.push((b'g' + big as u8 - 1) as char);
        }
        if small > 0 {
            out.push((b'G' + small as u8 - 1) as char);
        }
    }
    out.push(c);
}

/// One row's hex digits, compressed.
fn row(out: &mut String, bytes: &[u8]) {
    let hex: Vec<char> = bytes.iter().flat_map(|b| [hexd(b >> 4), hexd(b & 15)]).collect();
    // Trailing white: one ','.
    let end = hex.iter().rposition(|&c| c != '0').map_or(0, |i| i + 1);
    let mut i = 0;
    while i < end {
        let c = hex[i];
        let n = hex[i..end].iter().take_while(|&&x| x == c).count();
        run(out, c, n);
        i += n;
    }
    if end < hex.len() {
        out.push(',');
    }
}

fn hexd(n: u8) -> char {
    b"0123456789ABCDEF"[n as usize] as char
}

/// The `^GFA` command for `bm` (1 = black), compressed as described above.
pub fn graphic_field(bm: &Bitmap) -> String {
    let total = bm.stride * bm.height as usize;
    let mut out = String::with_capacity(total / 2 + 32);
    let _ = write!(out, "^GFA,{total},{total},{},", bm.stride);
    let mut prev: Option<&[u8]> = None;
    for y in 0..bm.height as usize {
        let r = &bm.bits[y * bm.stride..(y + 1) * bm.stride];
        if prev == Some(r) {
            out.push(':');
        } else {
            row(&mut out, r);
        }
        prev = Some(r);
    }
    out
}

/// CRC-16/XMODEM (polynomial 0x1021, initial 0), as ZPL checks `:Z64:` data with.
fn crc16(data: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

/// The `^GFA` command for `bm` with its data as `:Z64:`: the raster's bytes zlib-compressed,
/// Base64-encoded, then `:` and the CRC-16 of the Base64 text in hex.
pub fn graphic_field_z64(bm: &Bitmap) -> String {
    use base64::Engine as _;
    let total = bm.stride * bm.height as usize;
    let z = miniz_oxide::deflate::compress_to_vec_zlib(&bm.bits[..total], 6);
    let b64 = base64::engine::general_purpose::STANDARD.encode(z);
    format!("^GFA,{total},{total},{},:Z64:{b64}:{:04X}", bm.stride, crc16(b64.as_bytes()))
}

/// Expands compressed ZPL graphic data back to rows of bytes (for tests).
#[cfg(test)]
fn expand(data: &str, stride: usize) -> Vec<u8> {
    let mut rows: Vec<Vec<u8>> = Vec::new();
    let mut hex = String::new();
    let mut count = 0usize;
    let flush = |hex: &mut String, rows: &mut Vec<Vec<u8>>| {
        while hex.len() < stride * 2 {
            hex.push('0');
        }
        rows.push((0..stride).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect());
        hex.clear();
    };
    for c in data.chars() {
        match c {
            'G'..='Y' => count += (c as u8 - b'G' + 1) as usize,
            'g'..='z' => count += (c as u8 - b'g' + 1) as usize * 20,
            ',' => flush(&mut hex, &mut rows),
            ':' => {
                let last = rows.last().cloned().unwrap();
                rows.push(last);
            }
            c => {
                for _ in 0..count.max(1) {
                    hex.push(c);
                }
                count = 0;
                if hex.len() == stride * 2 {
                    flush(&mut hex, &mut rows);
                }
            }
        }
    }
    rows.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_use_both_count_ranges_and_never_span_rows() {
        let mut s = String::new();
        run(&mut s, 'F', 1);
        assert_eq!(s, "F");
        s.clear();
        run(&mut s, 'F', 19);
        assert_eq!(s, "YF");
        s.clear();
        run(&mut s, 'F', 20);
        assert_eq!(s, "gF");
        s.clear();
        run(&mut s, 'F', 45);
        assert_eq!(s, "hKF");
        s.clear();
        run(&mut s, 'A', 401);
        assert_eq!(s, "zAA");
    }

    #[test]
    fn z64_field_inflates_to_the_raster_and_carries_its_crc() {
        use base64::Engine as _;
        // The check value of CRC-16/XMODEM for "123456789".
        assert_eq!(crc16(b"123456789"), 0x31C3);
        let mut bm = Bitmap::new(50, 9);
        bm.fill_rect(crate::render::layout::Rect { x: 3, y: 2, w: 20, h: 5 });
        let f = graphic_field_z64(&bm);
        let rest = f.split_once(":Z64:").unwrap().1;
        let (b64, crc) = rest.rsplit_once(':').unwrap();
        assert_eq!(u16::from_str_radix(crc, 16).unwrap(), crc16(b64.as_bytes()));
        let z = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
        assert_eq!(miniz_oxide::inflate::decompress_to_vec_zlib(&z).unwrap(), bm.bits);
    }

    #[test]
    fn compressed_field_expands_to_the_raster() {
        let mut bm = Bitmap::new(203, 7);
        for (x, y) in [(0, 0), (1, 0), (8, 1), (200, 2), (202, 6), (100, 4)] {
            bm.fill_rect(crate::render::layout::Rect { x, y, w: 1, h: 1 });
        }
        // Row 3 equals row 2? no; make rows 5 and 4 equal to exercise ':'.
        bm.fill_rect(crate::render::layout::Rect { x: 100, y: 5, w: 1, h: 1 });
        let f = graphic_field(&bm);
        assert!(!f.contains('!'));
        let data = f.splitn(5, ',').nth(4).unwrap();
        assert!(data.contains(':'), "{data}");
        assert_eq!(expand(data, bm.stride), bm.bits);
        let total = bm.stride * 7;
        assert!(f.starts_with(&format!("^GFA,{total},{total},{},", bm.stride)));
    }
}
