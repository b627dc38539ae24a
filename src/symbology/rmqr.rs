//! Rectangular Micro QR Code, rMQR (ISO/IEC 23941): 32 sizes from 7 x 43 to 17 x 139 modules,
//! levels M and H, one fixed mask. Segments (numeric, alphanumeric, byte) are chosen by the
//! shortest bit count for each candidate size (character count fields depend on the size);
//! text beyond ASCII is UTF-8 bytes behind ECI 26. The default size is the one of least area
//! that holds the data (ties to the taller, as Zint); `version` pins one. Reed–Solomon is
//! `qrcode`'s (QR's field and generator); the tables, function patterns, placement and
//! format information are ours.

use super::{DataError, Ecc, Encoded, Matrix, MatrixKind, Symbol};

pub const RULE: &str = "UTF-8 text (ECI 26 beyond ASCII); R17x139 holds 361 digits, 219 alphanumerics or 150 bytes at \
ecc=M (178/108/74 at H); version=R7x43..R17x139 pins the size";

/// One size: rows, columns, and per level (M, H) the error correction codewords per block
/// and the blocks as (count, data codewords) pairs (ISO/IEC 23941 Tables 1 and 8).
struct Size {
    h: u8,
    w: u8,
    m: Blocks,
    hh: Blocks,
}

#[derive(Clone, Copy)]
struct Blocks {
    ec: u8,
    n1: u8,
    d1: u8,
    n2: u8,
    d2: u8,
}

impl Blocks {
    fn data(self) -> usize {
        self.n1 as usize * self.d1 as usize + self.n2 as usize * self.d2 as usize
    }
}

const fn b(ec: u8, n1: u8, d1: u8, n2: u8, d2: u8) -> Blocks {
    Blocks { ec, n1, d1, n2, d2 }
}

const fn z(h: u8, w: u8, m: Blocks, hh: Blocks) -> Size {
    Size { h, w, m, hh }
}

#[rustfmt::skip]
const SIZES: [Size; 32] = [
    z(7, 43, b(7, 1, 6, 0, 0), b(10, 1, 3, 0, 0)),
    z(7, 59, b(9, 1, 12, 0, 0), b(14, 1, 7, 0, 0)),
    z(7, 77, b(12, 1, 20, 0, 0), b(22, 1, 10, 0, 0)),
    z(7, 99, b(16, 1, 28, 0, 0), b(30, 1, 14, 0, 0)),
    z(7, 139, b(24, 1, 44, 0, 0), b(22, 2, 12, 0, 0)),
    z(9, 43, b(9, 1, 12, 0, 0), b(14, 1, 7, 0, 0)),
    z(9, 59, b(12, 1, 21, 0, 0), b(22, 1, 11, 0, 0)),
    z(9, 77, b(18, 1, 31, 0, 0), b(16, 1, 8, 1, 9)),
    z(9, 99, b(24, 1, 42, 0, 0), b(22, 2, 11, 0, 0)),
    z(9, 139, b(18, 1, 31, 1, 32), b(22, 3, 11, 0, 0)),
    z(11, 27, b(8, 1, 7, 0, 0), b(10, 1, 5, 0, 0)),
    z(11, 43, b(12, 1, 19, 0, 0), b(20, 1, 11, 0, 0)),
    z(11, 59, b(16, 1, 31, 0, 0), b(16, 1, 7, 1, 8)),
    z(11, 77, b(24, 1, 43, 0, 0), b(22, 1, 11, 1, 12)),
    z(11, 99, b(16, 1, 28, 1, 29), b(30, 1, 14, 1, 15)),
    z(11, 139, b(24, 2, 42, 0, 0), b(30, 3, 14, 0, 0)),
    z(13, 27, b(9, 1, 12, 0, 0), b(14, 1, 7, 0, 0)),
    z(13, 43, b(14, 1, 27, 0, 0), b(28, 1, 13, 0, 0)),
    z(13, 59, b(22, 1, 38, 0, 0), b(20, 2, 10, 0, 0)),
    z(13, 77, b(16, 1, 26, 1, 27), b(28, 1, 14, 1, 15)),
    z(13, 99, b(20, 1, 36, 1, 37), b(26, 1, 11, 2, 12)),
    z(13, 139, b(20, 2, 35, 1, 36), b(28, 2, 13, 2, 14)),
    z(15, 43, b(18, 1, 33, 0, 0), b(18, 1, 7, 1, 8)),
    z(15, 59, b(26, 1, 48, 0, 0), b(24, 2, 13, 0, 0)),
    z(15, 77, b(18, 1, 33, 1, 34), b(24, 2, 10, 1, 11)),
    z(15, 99, b(24, 2, 44, 0, 0), b(22, 4, 12, 0, 0)),
    z(15, 139, b(24, 2, 42, 1, 43), b(26, 1, 13, 4, 14)),
    z(17, 43, b(22, 1, 39, 0, 0), b(20, 1, 10, 1, 11)),
    z(17, 59, b(16, 2, 28, 0, 0), b(30, 2, 14, 0, 0)),
    z(17, 77, b(22, 2, 39, 0, 0), b(28, 1, 12, 2, 13)),
    z(17, 99, b(20, 2, 33, 1, 34), b(26, 4, 14, 0, 0)),
    z(17, 139, b(20, 4, 38, 0, 0), b(26, 2, 12, 4, 13)),
];

/// Character count indicator bits per size (Table 3): numeric, alphanumeric, byte.
#[rustfmt::skip]
const CCI: [[u8; 32]; 3] = [
    [4, 5, 6, 7, 7, 5, 6, 7, 7, 8, 4, 6, 7, 7, 8, 8, 5, 6, 7, 7, 8, 8, 7, 7, 8, 8, 9, 7, 8, 8, 8, 9],
    [3, 5, 5, 6, 6, 5, 5, 6, 6, 7, 4, 5, 6, 6, 7, 7, 5, 6, 6, 7, 7, 8, 6, 7, 7, 7, 8, 6, 7, 7, 8, 8],
    [3, 4, 5, 5, 6, 4, 5, 5, 6, 6, 3, 5, 5, 6, 6, 7, 4, 5, 6, 6, 7, 7, 6, 6, 7, 7, 7, 6, 6, 7, 7, 8],
];

/// Columns of the alignment patterns' centres (Annex D), by symbol width.
fn alignment(w: u8) -> &'static [usize] {
    match w {
        43 => &[21],
        59 => &[19, 39],
        77 => &[25, 51],
        99 => &[23, 49, 75],
        139 => &[27, 55, 83, 111],
        _ => &[],
    }
}

/// The name of size `i` (0-31), `R7x43` to `R17x139`.
pub fn name(i: usize) -> String {
    format!("R{}x{}", SIZES[i].h, SIZES[i].w)
}

/// The size named `R{h}x{w}`, as its number 1-32.
pub fn parse_version(s: &[u8]) -> Option<u8> {
    let s = std::str::from_utf8(s).ok()?;
    (0..32).find(|&i| name(i).eq_ignore_ascii_case(s)).map(|i| i as u8 + 1)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Numeric = 0,
    Alnum = 1,
    Byte = 2,
}

const ALNUM: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn alnum(c: u8) -> Option<u32> {
    ALNUM.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The segments of `data` for size `v`: the least bits by dynamic programming over the
/// three modes in sixths of a bit (a digit costs 20, an alphanumeric 33, a byte 48, a mode
/// switch its header), as Project Nayuki's segmenter does for QR.
fn segments(data: &[u8], v: usize) -> Vec<(Mode, std::ops::Range<usize>)> {
    const MODES: [Mode; 3] = [Mode::Numeric, Mode::Alnum, Mode::Byte];
    let head = |m: Mode| (3 + u32::from(CCI[m as usize][v])) * 6;
    let cost = |m: Mode, c: u8| match m {
        Mode::Numeric => c.is_ascii_digit().then_some(20),
        Mode::Alnum => alnum(c).map(|_| 33),
        Mode::Byte => Some(48),
    };
    let n = data.len();
    // at[i][m]: the mode character i is coded in when the state after it is m (a new
    // segment in m, its header paid, may start after character i).
    let mut at = vec![[None::<Mode>; 3]; n];
    let mut prev: [u32; 3] = MODES.map(head);
    for (i, &c) in data.iter().enumerate() {
        let mut cur = [u32::MAX; 3];
        for m in MODES {
            if let Some(k) = cost(m, c) {
                cur[m as usize] = prev[m as usize].saturating_add(k);
                at[i][m as usize] = Some(m);
            }
        }
        let coded = cur;
        for m in MODES {
            for k in MODES {
                if m == k || at[i][k as usize] != Some(k) || coded[k as usize] == u32::MAX {
                    continue;
                }
                let switched = (coded[k as usize].div_ceil(6) * 6).saturating_add(head(m));
                if switched < cur[m as usize] {
                    cur[m as usize] = switched;
                    at[i][m as usize] = Some(k);
                }
            }
        }
        prev = cur;
    }
    // Walk back from the cheapest final state: the state before character i is its mode.
    let mut state = MODES.into_iter().min_by_key(|&m| prev[m as usize]).unwrap_or(Mode::Byte);
    let mut modes = vec![Mode::Byte; n];
    for i in (0..n).rev() {
        let m = at[i][state as usize].unwrap_or(Mode::Byte);
        modes[i] = m;
        state = m;
    }
    let mut out: Vec<(Mode, std::ops::Range<usize>)> = Vec::new();
    for (i, &m) in modes.iter().enumerate() {
        match out.last_mut() {
            Some((last, r)) if *last == m => r.end = i + 1,
            _ => out.push((m, i..i + 1)),
        }
    }
    out
}

/// Appends `n` bits of `v`, most significant first.
fn put(bits: &mut Vec<bool>, v: u32, n: u8) {
    bits.extend((0..n).rev().map(|i| v >> i & 1 == 1));
}

/// The data bit stream for size `v`: ECI 26 first when the text is not ASCII, then each
/// segment (split where its count outgrows the count field).
fn bitstream(data: &[u8], v: usize) -> Vec<bool> {
    let mut bits = Vec::with_capacity(data.len() * 8 + 32);
    if !data.is_ascii() {
        put(&mut bits, 0b111, 3);
        put(&mut bits, 26, 8);
    }
    for (mode, range) in segments(data, v) {
        let cci = CCI[mode as usize][v];
        let max = (1usize << cci) - 1;
        for chunk in data[range].chunks(max) {
            put(&mut bits, [0b001, 0b010, 0b011][mode as usize], 3);
            put(&mut bits, chunk.len() as u32, cci);
            match mode {
                Mode::Numeric => {
                    for g in chunk.chunks(3) {
                        let n = g.iter().fold(0, |a, &d| a * 10 + u32::from(d - b'0'));
                        put(&mut bits, n, [0, 4, 7, 10][g.len()]);
                    }
                }
                Mode::Alnum => {
                    for g in chunk.chunks(2) {
                        let v: Vec<u32> = g.iter().filter_map(|&c| alnum(c)).collect();
                        match v[..] {
                            [a, b] => put(&mut bits, a * 45 + b, 11),
                            [a] => put(&mut bits, a, 6),
                            _ => {}
                        }
                    }
                }
                Mode::Byte => chunk.iter().for_each(|&c| put(&mut bits, u32::from(c), 8)),
            }
        }
    }
    bits
}

/// The data codewords: the stream, a terminator of up to 3 zero bits, zero bits to a byte,
/// then 0xEC, 0x11, ... to `capacity`. `None` when the stream does not fit.
fn data_codewords(mut bits: Vec<bool>, capacity: usize) -> Option<Vec<u8>> {
    if bits.len() > capacity * 8 {
        return None;
    }
    let room = capacity * 8 - bits.len();
    bits.extend(std::iter::repeat_n(false, room.min(3)));
    while !bits.len().is_multiple_of(8) {
        bits.push(false);
    }
    let mut cw: Vec<u8> = bits.chunks(8).map(|c| c.iter().fold(0u8, |a, &b| a << 1 | u8::from(b))).collect();
    for pad in [0xEC, 0x11].into_iter().cycle() {
        if cw.len() >= capacity {
            break;
        }
        cw.push(pad);
    }
    Some(cw)
}

/// Data and error correction codewords interleaved as QR interleaves them.
fn interleave(data: &[u8], b: Blocks) -> Vec<u8> {
    let mut blocks: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    for (n, d) in [(b.n1, b.d1), (b.n2, b.d2)] {
        for _ in 0..n {
            blocks.push(&data[at..at + d as usize]);
            at += d as usize;
        }
    }
    let ec: Vec<Vec<u8>> =
        blocks.iter().map(|blk| qrcode::ec::create_error_correction_code(blk, b.ec as usize)).collect();
    let mut out = Vec::with_capacity(data.len() + ec.len() * b.ec as usize);
    let longest = blocks.iter().map(|b| b.len()).max().unwrap_or(0);
    for i in 0..longest {
        out.extend(blocks.iter().filter_map(|blk| blk.get(i)));
    }
    for i in 0..b.ec as usize {
        out.extend(ec.iter().map(|e| e[i]));
    }
    out
}

/// The symbol's modules: `dark`, and `function` for the modules data may not use.
struct Grid {
    w: usize,
    dark: Vec<bool>,
    function: Vec<bool>,
}

impl Grid {
    fn set(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.w + x;
        self.dark[i] = dark;
        self.function[i] = true;
    }
}

/// Finder, sub-finder, corner finders, timing, alignment patterns and the format areas.
fn function_patterns(h: usize, w: usize) -> Grid {
    let mut g = Grid { w, dark: vec![false; w * h], function: vec![false; w * h] };
    for x in 0..w {
        g.set(x, 0, x % 2 == 0);
        g.set(x, h - 1, x % 2 == 0);
    }
    for y in 0..h {
        g.set(0, y, y % 2 == 0);
        g.set(w - 1, y, y % 2 == 0);
    }
    for y in 0..7usize {
        for x in 0..7usize {
            let ring = x.abs_diff(3).max(y.abs_diff(3));
            g.set(x, y, ring != 2);
        }
    }
    for y in 0..5usize {
        for x in 0..5usize {
            let ring = x.abs_diff(2).max(y.abs_diff(2));
            g.set(w - 5 + x, h - 5 + y, ring != 1);
        }
    }
    // Corner finder patterns, bottom left and top right.
    g.set(0, h - 2, true);
    g.set(1, h - 2, false);
    g.set(1, h - 1, true);
    g.set(w - 2, 0, true);
    g.set(w - 2, 1, false);
    g.set(w - 1, 1, true);
    // Separator: right of the finder, and below it when there is room.
    for y in 0..7 {
        g.set(7, y, false);
    }
    if h > 7 {
        for x in 0..8 {
            g.set(x, 7, false);
        }
    }
    for &cx in alignment(w as u8) {
        for y in 0..h {
            g.set(cx, y, y % 2 == 0);
        }
        for y in [1, 2, h - 3, h - 2] {
            g.set(cx - 1, y, true);
            g.set(cx + 1, y, true);
        }
    }
    for (x, y) in format_cells(h, w).into_iter().flatten() {
        g.set(x, y, false);
    }
    g
}

/// Where the 18 format bits go, bit i at `[side][i]`: beside the finder and beside the
/// sub-finder.
fn format_cells(h: usize, w: usize) -> [[(usize, usize); 18]; 2] {
    let mut cells = [[(0, 0); 18]; 2];
    for j in 0..3 {
        for i in 0..5 {
            cells[0][j * 5 + i] = (8 + j, 1 + i);
            cells[1][j * 5 + i] = (w - 8 + j, h - 6 + i);
        }
    }
    for k in 0..3 {
        cells[0][15 + k] = (11, 1 + k);
        cells[1][15 + k] = (w - 5 + k, h - 6);
    }
    cells
}

/// The 18-bit format information of size `v` at level H or M: 6 bits (level, size) and
/// BCH(18, 6) with QR's version-information generator, masked per side (§7.9).
fn format_bits(v: usize, high: bool) -> [u32; 2] {
    let data = (u32::from(high) << 5) | v as u32;
    let mut r = data << 12;
    for i in (12..18).rev() {
        if r >> i & 1 == 1 {
            r ^= 0x1F25 << (i - 12);
        }
    }
    let code = data << 12 | r;
    [code ^ 0x1FAB2, code ^ 0x20A7B]
}

/// Draws size `v` with the interleaved codewords `cw`.
fn draw(v: usize, high: bool, cw: &[u8]) -> Matrix {
    let (h, w) = (SIZES[v].h as usize, SIZES[v].w as usize);
    let mut g = function_patterns(h, w);
    // Two-column zigzag from the bottom right (the right edge is timing), up then down.
    let total = cw.len() * 8;
    let bit = |i: usize| cw[i / 8] >> (7 - i % 8) & 1 == 1;
    let (mut i, mut x, mut upward) = (0usize, w as isize - 3, true);
    while x >= 0 && i < total {
        let ys: Box<dyn Iterator<Item = usize>> = if upward { Box::new((0..h).rev()) } else { Box::new(0..h) };
        for y in ys {
            for xx in [x + 1, x] {
                let idx = y * w + xx as usize;
                if !g.function[idx] && i < total {
                    g.dark[idx] = bit(i);
                    i += 1;
                }
            }
        }
        upward = !upward;
        x -= 2;
    }
    for y in 0..h {
        for x in 0..w {
            let idx = y * w + x;
            if !g.function[idx] && (y / 2 + x / 3) % 2 == 0 {
                g.dark[idx] = !g.dark[idx];
            }
        }
    }
    let bits = format_bits(v, high);
    for (side, cells) in format_cells(h, w).iter().enumerate() {
        for (k, &(x, y)) in cells.iter().enumerate() {
            g.dark[y * w + x] = bits[side] >> k & 1 == 1;
        }
    }
    Matrix { width: w, height: h, dark: g.dark, kind: MatrixKind::Square }
}

/// Encodes `data` at `ecc` (M or H) in size `version` (1-32) or the smallest that holds it.
pub fn encode(data: &[u8], ecc: Ecc, version: Option<u8>) -> Result<Encoded, DataError> {
    const LIMIT: &str = "rMQR R17x139 holds 361 digits, 219 alphanumerics or 150 bytes at ecc=M (178/108/74 at H)";
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    if data.len() > 400 {
        return Err(DataError::Capacity2d { symbology: "rmqr", got: data.len(), limit: LIMIT });
    }
    if !matches!(ecc, Ecc::M | Ecc::H) {
        return Err(DataError::Capacity2d {
            symbology: "rmqr",
            got: data.len(),
            limit: "rMQR has levels M and H only",
        });
    }
    if data.is_empty() {
        return Err(DataError::Capacity2d { symbology: "rmqr", got: 0, limit: "rMQR needs at least one character" });
    }
    let high = ecc == Ecc::H;
    let blocks = |v: usize| if high { SIZES[v].hh } else { SIZES[v].m };
    let candidates: Vec<usize> = match version {
        Some(n) if (1..=32).contains(&n) => vec![n as usize - 1],
        Some(_) => vec![],
        None => (0..32).collect(),
    };
    // The fitting size of least area; among equal areas the later (taller) one.
    let mut best: Option<(usize, Vec<u8>)> = None;
    for v in candidates {
        let area = |v: usize| SIZES[v].h as usize * SIZES[v].w as usize;
        if best.as_ref().is_some_and(|(b, _)| area(*b) < area(v)) {
            continue;
        }
        if let Some(cw) = data_codewords(bitstream(data, v), blocks(v).data()) {
            best = Some((v, cw));
        }
    }
    let Some((v, cw)) = best else {
        return Err(DataError::Capacity2d {
            symbology: "rmqr",
            got: data.len(),
            limit: if version.is_some() {
                "the data does not fit the version pinned: omit version or choose a larger one"
            } else {
                LIMIT
            },
        });
    };
    let all = interleave(&cw, blocks(v));
    Ok(Encoded { symbol: Symbol::Matrix(draw(v, high, &all)), canonical: text.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::testkit::dims;

    #[test]
    fn tables_agree_with_the_standards_totals() {
        // Table 1's codeword totals, and every size's modules hold them.
        #[rustfmt::skip]
        let totals = [13, 21, 32, 44, 68, 21, 33, 49, 66, 99, 15, 31, 47, 67, 89, 132, 21, 41, 60, 85, 113, 166,
                      51, 74, 103, 136, 199, 61, 88, 122, 160, 232];
        for (v, s) in SIZES.iter().enumerate() {
            for b in [s.m, s.hh] {
                assert_eq!(b.data() + (b.n1 + b.n2) as usize * b.ec as usize, totals[v], "{}", name(v));
            }
            let g = function_patterns(s.h as usize, s.w as usize);
            let free = g.function.iter().filter(|&&f| !f).count();
            assert!(free >= totals[v] * 8 && free - totals[v] * 8 < 8, "{}: {free} modules", name(v));
        }
    }

    #[test]
    fn smallest_area_and_pinned_versions() {
        assert_eq!(dims(encode(b"1", Ecc::M, None).unwrap()), (27, 11), "R11x27 (297) before R7x43 (301)");
        assert_eq!(dims(encode(b"HELLO", Ecc::M, Some(parse_version(b"r13x77").unwrap())).unwrap()), (77, 13));
        assert!(encode(&[b'7'; 362], Ecc::M, None).is_err());
        assert!(encode(&[b'7'; 361], Ecc::M, None).is_ok());
        // The rule's other capacities, at their edges.
        for (ecc, digits, alnum, bytes) in [(Ecc::M, 361, 219, 150), (Ecc::H, 178, 108, 74)] {
            for (unit, n) in [(b'7', digits), (b'Q', alnum), (b'b', bytes)] {
                assert!(encode(&vec![unit; n], ecc, None).is_ok());
                assert!(encode(&vec![unit; n + 1], ecc, None).is_err());
            }
        }
        assert!(matches!(encode(b"x", Ecc::Q, None), Err(DataError::Capacity2d { .. })));
    }

    #[test]
    fn random_inputs_never_panic() {
        let alphabet: Vec<char> = "09AZaz $%*+-./:éß日\u{1}".chars().collect();
        let mut next = crate::symbology::testkit::rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..400 {
            let len = next(400);
            let s: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let ecc = if round % 2 == 0 { Ecc::M } else { Ecc::H };
            let version = (round % 3 == 0).then(|| next(34) as u8);
            let _ = encode(s.as_bytes(), ecc, version);
        }
    }

    #[test]
    fn segments_switch_only_when_it_pays() {
        let v = 31;
        assert_eq!(segments(b"12345678", v).len(), 1);
        assert_eq!(segments(b"ABC123", v).len(), 1, "alphanumeric throughout");
        let s = segments(b"abc0123456789012", v);
        assert_eq!(s.iter().map(|(m, _)| *m).collect::<Vec<_>>(), [Mode::Byte, Mode::Numeric]);
    }
}
