//! ZPL II graphic fields: a 1-bit raster as `^GFA` with ZPL's ASCII compression. Each row is
//! hex; runs of one hex digit become a repeat count (`G`–`Y` for 1–19, `g`–`z` for 20–400,
//! combined), `,` ends a row that is white to its end and `:` repeats the previous row. No
//! `!` (a row black to its end: renderers disagree on it) and no run across a row boundary,
//! so every printer and renderer reads the same pixels. A field's byte counts are its
//! rows'; a raster over the guide's 99,999-byte limit goes as bands of whole rows, each its
//! own field at its own origin. `:Z64:` is the other encoding printers read: zlib, Base64,
//! CRC-16 of the Base64 text.

use super::bitmap::Bitmap;
use super::Rotation;
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

/// Field data with `^`, `~`, `_` and control characters (a MaxiCode's UPS envelope) written
/// as `^FH` hex escapes; whether any was needed.
pub fn field_data(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut escaped = false;
    for c in text.chars() {
        match c {
            '^' | '~' | '_' | '\0'..='\x1f' | '\x7f' => {
                let _ = write!(out, "_{:02X}", c as u32);
                escaped = true;
            }
            c => out.push(c),
        }
    }
    (out, escaped)
}

/// `^FD` with `data`, preceded by `^FH` when `^`, `~`, `_` or a control character had to be
/// written as hex.
pub fn fd(data: &str) -> String {
    match field_data(data) {
        (escaped, true) => format!("^FH_^FD{escaped}"),
        (plain, false) => format!("^FD{plain}"),
    }
}

/// The orientation parameter of ZPL's field commands for a clockwise turn: `N R I B`.
pub fn orientation(r: Rotation) -> char {
    match r {
        Rotation::R0 => 'N',
        Rotation::R90 => 'R',
        Rotation::R180 => 'I',
        Rotation::R270 => 'B',
    }
}

/// Font 0 (`^A0`, the printer's scalable font) in orientation `o` (`N`, `R`, `I`, `B`) for text
/// cells `cell` dots high: at least the guide's 10 dots.
pub fn font0(o: char, cell: u32) -> String {
    let h = cell.max(10);
    format!("^A0{o},{h},{h}")
}

/// The guide's limit on a `^GF` field's byte counts: a larger raster is sent as bands.
pub const MAX_FIELD_BYTES: usize = 99_999;

/// `bm` as graphic fields with its top left corner at (`x`, `y`): one `^FO … ^GFA … ^FS` per
/// band of whole rows holding at most `MAX_FIELD_BYTES`, its data compressed as described
/// above or, with `z64`, as `:Z64:`.
pub fn graphic_fields(bm: &Bitmap, x: u32, y: u32, z64: bool) -> String {
    let stride = bm.stride.max(1);
    let band = (MAX_FIELD_BYTES / stride).max(1);
    let mut out = String::new();
    let mut top = 0usize;
    while top < bm.height as usize {
        let rows = band.min(bm.height as usize - top);
        let bits = &bm.bits[top * stride..(top + rows) * stride];
        let _ = write!(out, "^FO{x},{}", y as usize + top);
        if z64 {
            field_z64(&mut out, bits, stride);
        } else {
            field(&mut out, bits, stride);
        }
        out.push_str("^FS");
        top += rows;
    }
    out
}

/// One `^GFA` command for `bits` (rows of `stride` bytes, 1 = black), ASCII-compressed.
fn field(out: &mut String, bits: &[u8], stride: usize) {
    let total = bits.len();
    out.reserve(total / 2 + 32);
    let _ = write!(out, "^GFA,{total},{total},{stride},");
    let mut prev: Option<&[u8]> = None;
    for r in bits.chunks(stride) {
        if prev == Some(r) {
            out.push(':');
        } else {
            row(out, r);
        }
        prev = Some(r);
    }
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

/// One `^GFA` command for `bits` with its data as `:Z64:`: the bytes zlib-compressed,
/// Base64-encoded, then `:` and the CRC-16 of the Base64 text in hex.
fn field_z64(out: &mut String, bits: &[u8], stride: usize) {
    use base64::Engine as _;
    let total = bits.len();
    let z = miniz_oxide::deflate::compress_to_vec_zlib(bits, 6);
    let b64 = base64::engine::general_purpose::STANDARD.encode(z);
    let _ = write!(out, "^GFA,{total},{total},{stride},:Z64:{b64}:{:04X}", crc16(b64.as_bytes()));
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
    fn field_data_escapes_what_zpl_reads_as_commands() {
        assert_eq!(field_data("A^B~C_D"), ("A_5EB_7EC_5FD".to_string(), true));
        assert_eq!(field_data("plain"), ("plain".to_string(), false));
        assert_eq!(fd(">:A^B~C_D"), "^FH_^FD>:A_5EB_7EC_5FD");
        assert_eq!(fd("plain"), "^FDplain");
    }

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
        let f = graphic_fields(&bm, 0, 0, true);
        let rest = f.split_once(":Z64:").unwrap().1.strip_suffix("^FS").unwrap();
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
        let f = graphic_fields(&bm, 0, 0, false);
        assert!(!f.contains('!'));
        let data = f.strip_suffix("^FS").unwrap().splitn(6, ',').nth(5).unwrap();
        assert!(data.contains(':'), "{data}");
        assert_eq!(expand(data, bm.stride), bm.bits);
        let total = bm.stride * 7;
        assert!(f.starts_with(&format!("^FO0,0^GFA,{total},{total},{},", bm.stride)));
    }

    #[test]
    fn a_large_raster_is_sent_in_bands_within_the_field_limit() {
        // 1200 x 1800 dots (a 4 x 6 in label at 300 dpi): 270,000 bytes.
        let mut bm = Bitmap::new(1200, 1800);
        bm.fill_rect(crate::render::layout::Rect { x: 10, y: 10, w: 1000, h: 1700 });
        let f = graphic_fields(&bm, 5, 7, false);
        let fields: Vec<&str> = f.split("^FS").filter(|s| !s.is_empty()).collect();
        assert_eq!(fields.len(), 3);
        let mut rows = Vec::new();
        let mut next_y = 7;
        for fld in fields {
            let (origin, rest) = fld.strip_prefix("^FO").unwrap().split_once("^GFA,").unwrap();
            assert_eq!(origin, format!("5,{next_y}"));
            let p: Vec<&str> = rest.splitn(4, ',').collect();
            let total: usize = p[0].parse().unwrap();
            assert!(total <= MAX_FIELD_BYTES && total.is_multiple_of(150));
            next_y += total / 150;
            rows.extend(expand(p[3], 150));
        }
        assert_eq!(rows, bm.bits);
    }
}
