//! Choosing a QR mask: the eight masked symbols are scored with the four penalty rules of
//! ISO/IEC 18004:2015 (7.8.3.1) on bit rows, a word at a time, and `qrcode` then applies the
//! winner. `qrcode`'s own search clones its canvas and scores it module by module for each
//! mask (185 of 190 µs encoding a 37-byte URL); `fast_qr`'s, which we used before,
//! took 32 of 38 µs and cannot be skipped even for a pinned mask.
//!
//! A row is the symbol's modules plus `PAD` light modules on each side (the quiet zone, so
//! the finder-like rule sees light beyond the edge), bit `x + PAD` for module `x`. Columns
//! are scored as the rows of the transposed symbol.

use qrcode::canvas::{Canvas, MaskPattern, Module};
use qrcode::types::Color;
use qrcode::EcLevel;
use std::sync::OnceLock;

/// Light modules beyond each edge; the finder-like rule looks four modules out.
const PAD: usize = 4;
/// 64-bit words per row: up to 177 modules plus both pads.
const W: usize = 3;
type Row = [u64; W];

/// The masks in `qrcode`'s numbering, which is the standard's (000-111).
pub const PATTERNS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// Whether mask `m` inverts the module at column `x`, row `y` (ISO/IEC 18004 table 10).
fn inverts(m: usize, x: usize, y: usize) -> bool {
    match m {
        0 => (x + y).is_multiple_of(2),
        1 => y.is_multiple_of(2),
        2 => x.is_multiple_of(3),
        3 => (x + y).is_multiple_of(3),
        4 => (y / 2 + x / 3).is_multiple_of(2),
        5 => (x * y) % 2 + (x * y) % 3 == 0,
        6 => ((x * y) % 2 + (x * y) % 3).is_multiple_of(2),
        _ => ((x + y) % 2 + (x * y) % 3).is_multiple_of(2),
    }
}

/// The 15-bit format information per (error correction bits, mask): BCH(15,5) XOR 0x5412.
const FORMAT_INFOS: [u16; 32] = [
    0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0, 0x77c4, 0x72f3, 0x7daa, 0x789d, 0x662f, 0x6318,
    0x6c41, 0x6976, 0x1689, 0x13be, 0x1ce7, 0x19d0, 0x0762, 0x0255, 0x0d0c, 0x083b, 0x355f, 0x3068, 0x3f31, 0x3a06,
    0x24b4, 0x2183, 0x2eda, 0x2bed,
];

/// Where the format bits go, most significant first: around the top-left finder, then
/// split between the bottom-left and top-right ones (negative: counted from the far edge).
const FORMAT_MAIN: [(i32, i32); 15] = [
    (0, 8),
    (1, 8),
    (2, 8),
    (3, 8),
    (4, 8),
    (5, 8),
    (7, 8),
    (8, 8),
    (8, 7),
    (8, 5),
    (8, 4),
    (8, 3),
    (8, 2),
    (8, 1),
    (8, 0),
];
const FORMAT_SIDE: [(i32, i32); 15] = [
    (8, -1),
    (8, -2),
    (8, -3),
    (8, -4),
    (8, -5),
    (8, -6),
    (8, -7),
    (-8, 8),
    (-7, 8),
    (-6, 8),
    (-5, 8),
    (-4, 8),
    (-3, 8),
    (-2, 8),
    (-1, 8),
];

fn level_bits(level: EcLevel) -> usize {
    (level as usize) ^ 1
}

fn set(r: &mut Row, i: usize, on: bool) {
    let bit = 1u64 << (i % 64);
    if on {
        r[i / 64] |= bit;
    } else {
        r[i / 64] &= !bit;
    }
}

/// Bit `i` of the result is bit `i + k` of `r` (0 < k < 64).
fn shr(r: &Row, k: u32) -> Row {
    let mut o = [0; W];
    for w in 0..W {
        o[w] = r[w] >> k | r.get(w + 1).map_or(0, |&h| h << (64 - k));
    }
    o
}

/// Bit `i` of the result is bit `i - k` of `r` (0 < k < 64).
fn shl(r: &Row, k: u32) -> Row {
    let mut o = [0; W];
    for w in 0..W {
        o[w] = r[w] << k | if w > 0 { r[w - 1] >> (64 - k) } else { 0 };
    }
    o
}

/// `f` applied word by word to two rows.
fn zip(a: &Row, b: &Row, f: impl Fn(u64, u64) -> u64) -> Row {
    std::array::from_fn(|w| f(a[w], b[w]))
}

fn and(a: &Row, b: &Row) -> Row {
    zip(a, b, |x, y| x & y)
}

fn ones(r: &Row) -> u32 {
    r.iter().map(|w| w.count_ones()).sum()
}

/// Bits `lo..hi` set.
fn span(lo: usize, hi: usize) -> Row {
    let mut r = [0; W];
    for (w, word) in r.iter_mut().enumerate() {
        let (a, b) = (lo.clamp(64 * w, 64 * w + 64) - 64 * w, hi.clamp(64 * w, 64 * w + 64) - 64 * w);
        if a < b {
            *word = (!0u64 >> (64 - (b - a))) << a;
        }
    }
    r
}

/// Per mask, per row of one 12-module period: which of 12 columns it inverts (bit `j` for
/// column `j`). Every mask repeats every 12 modules both ways, so rows are tiled from these.
fn periods(transposed: bool) -> &'static [[u16; 12]; 8] {
    static TABLES: OnceLock<[[[u16; 12]; 8]; 2]> = OnceLock::new();
    let t = TABLES.get_or_init(|| {
        let table = |transposed: bool| {
            std::array::from_fn(|m| {
                std::array::from_fn(|y| {
                    (0..12).fold(0u16, |acc, x| {
                        let on = if transposed { inverts(m, y, x) } else { inverts(m, x, y) };
                        acc | (on as u16) << x
                    })
                })
            })
        };
        [table(false), table(true)]
    });
    &t[transposed as usize]
}

/// ORs the low `len` bits of `bits` (at most 12) into `r` from bit `at`.
fn or_bits(r: &mut Row, at: usize, bits: u16, len: usize) {
    let v = (bits as u64) & ((1 << len) - 1);
    let (w, k) = (at / 64, at % 64);
    r[w] |= v << k;
    if k + len > 64 {
        r[w + 1] |= v >> (64 - k);
    }
}

/// One view of the symbol (rows, or the columns as rows) before masking.
struct View {
    dark: Vec<Row>,
    /// Modules a mask inverts (data, error correction and remainder bits).
    maskable: Vec<Row>,
    /// Per mask, the inverted modules of each of the 12 rows of one period.
    pattern: [[Row; 12]; 8],
}

impl View {
    /// `dark` and `maskable` hold one flag per module, row-major by this view's rows.
    fn new(n: usize, dark: &[bool], maskable: &[bool], transposed: bool) -> View {
        let pack = |flags: &[bool]| -> Vec<Row> {
            flags
                .chunks(n)
                .map(|row| {
                    let mut r = [0; W];
                    for (x, &f) in row.iter().enumerate() {
                        r[(x + PAD) / 64] |= (f as u64) << ((x + PAD) % 64);
                    }
                    r
                })
                .collect()
        };
        let mut pattern = [[[0; W]; 12]; 8];
        for (m, rows) in periods(transposed).iter().enumerate() {
            for (y, &period) in rows.iter().enumerate() {
                for x0 in (0..n).step_by(12) {
                    or_bits(&mut pattern[m][y], x0 + PAD, period, 12.min(n - x0));
                }
            }
        }
        View { dark: pack(dark), maskable: pack(maskable), pattern }
    }

    /// The rows with mask `m` applied (format bits not yet written).
    fn masked(&self, m: usize) -> Vec<Row> {
        let p = &self.pattern[m];
        (0..self.dark.len())
            .map(|y| {
                let (d, k, q) = (&self.dark[y], &self.maskable[y], &p[y % 12]);
                zip(d, &and(k, q), |x, y| x ^ y)
            })
            .collect()
    }
}

/// Writes the format bits for (level, mask) into rows (`transposed`: into columns).
fn put_format(rows: &mut [Row], level: EcLevel, m: usize, transposed: bool) {
    let n = rows.len() as i32;
    let info = FORMAT_INFOS[level_bits(level) << 3 | m];
    for coords in [&FORMAT_MAIN, &FORMAT_SIDE] {
        for (i, &(x, y)) in coords.iter().enumerate() {
            let (x, y) = (x.rem_euclid(n) as usize, y.rem_euclid(n) as usize);
            let (x, y) = if transposed { (y, x) } else { (x, y) };
            set(&mut rows[y], x + PAD, info >> (14 - i) & 1 == 1);
        }
    }
}

/// Penalties 1 (runs of five or more) and 3 (finder-like patterns) of one set of rows.
fn line_penalties(rows: &[Row]) -> u32 {
    let n = rows.len();
    let inside = span(PAD, PAD + n);
    // Pair (i, i + 1) lies inside the symbol; a finder-like pattern starts at i.
    let pairs = span(PAD, PAD + n - 1);
    let starts = span(PAD, PAD + n - 6);
    let frame = span(0, n + 2 * PAD);
    let mut score = 0;
    for r in rows {
        // Runs: a run of L >= 5 equal modules is L - 1 equal neighbours in a row, whose
        // windows of four number L - 4: points = windows + 2 per run = 3 + (L - 5).
        let next = shr(r, 1);
        let eq = and(&zip(r, &next, |x, y| !(x ^ y)), &pairs);
        let w = and(&and(&eq, &shr(&eq, 1)), &and(&shr(&eq, 2), &shr(&eq, 3)));
        let prev = shl(&w, 1);
        let run_starts = zip(&w, &prev, |x, p| x & !p);
        score += ones(&w) + 2 * ones(&run_starts);
        // Finder-like: dark-light-dark-dark-dark-light-dark with four light modules before
        // or after it (the pads are light), 40 points each.
        let d = and(r, &inside);
        let l = zip(r, &frame, |x, f| !x & f);
        let core = [d, shr(&l, 1), shr(&d, 2), shr(&d, 3), shr(&d, 4), shr(&l, 5), shr(&d, 6)]
            .iter()
            .fold(starts, |acc, x| and(&acc, x));
        let after = and(&and(&shr(&l, 7), &shr(&l, 8)), &and(&shr(&l, 9), &shr(&l, 10)));
        let before = and(&and(&shl(&l, 1), &shl(&l, 2)), &and(&shl(&l, 3), &shl(&l, 4)));
        let either = zip(&after, &before, |x, y| x | y);
        score += 40 * ones(&and(&core, &either));
    }
    score
}

/// Penalties 2 (2x2 blocks of one colour) and 4 (dark share away from half) of the rows.
fn area_penalties(rows: &[Row]) -> u32 {
    let n = rows.len();
    let pairs = span(PAD, PAD + n - 1);
    let inside = span(PAD, PAD + n);
    let mut blocks = 0;
    for y in 0..n - 1 {
        let (a, b) = (&rows[y], &rows[y + 1]);
        let dark = and(a, b);
        let light = and(&zip(a, b, |x, y| !x & !y), &inside);
        blocks += ones(&and(&and(&dark, &shr(&dark, 1)), &pairs));
        blocks += ones(&and(&and(&light, &shr(&light, 1)), &pairs));
    }
    let dark: u32 = rows.iter().map(|r| ones(&and(r, &inside))).sum();
    let total = (n * n) as u32;
    // 10 points per full 5 % that the dark share lies away from 50 %.
    let percent = dark * 100 / total;
    3 * blocks + 10 * (percent.abs_diff(50) / 5)
}

/// The penalty score of mask `m` (lower is better).
fn score(rows: &View, cols: &View, level: EcLevel, m: usize) -> u32 {
    let mut r = rows.masked(m);
    put_format(&mut r, level, m, false);
    let mut c = cols.masked(m);
    put_format(&mut c, level, m, true);
    line_penalties(&r) + line_penalties(&c) + area_penalties(&r)
}

/// The mask with the lowest penalty for a canvas holding its function patterns and data
/// (not yet masked); ties go to the lower mask number.
pub fn best(canvas: &Canvas, n: usize, level: EcLevel) -> usize {
    let (rows, cols) = views(canvas, n);
    (0..8).min_by_key(|&m| (score(&rows, &cols, level, m), m)).unwrap_or(0)
}

/// The row and column views of an unmasked canvas.
fn views(canvas: &Canvas, n: usize) -> (View, View) {
    let (mut dark, mut maskable) = (vec![false; 2 * n * n], vec![false; 2 * n * n]);
    let (dark_t, maskable_t) = (n * n, n * n);
    for y in 0..n {
        for x in 0..n {
            let (d, k) = match canvas.get(x as i16, y as i16) {
                Module::Empty => (false, true),
                Module::Unmasked(c) => (c == Color::Dark, true),
                Module::Masked(c) => (c == Color::Dark, false),
            };
            (dark[y * n + x], maskable[y * n + x]) = (d, k);
            (dark[dark_t + x * n + y], maskable[maskable_t + x * n + y]) = (d, k);
        }
    }
    let (d, dt) = dark.split_at(n * n);
    let (k, kt) = maskable.split_at(n * n);
    (View::new(n, d, k, false), View::new(n, dt, kt, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::bits::encode_auto;
    use qrcode::ec::construct_codewords;

    fn canvas(data: &[u8], level: EcLevel) -> (Canvas, usize) {
        let bits = encode_auto(data, level).unwrap();
        let version = bits.version();
        let (d, ec) = construct_codewords(&bits.into_bytes(), version, level).unwrap();
        let mut c = Canvas::new(version, level);
        c.draw_all_functional_patterns();
        c.draw_data(&d, &ec);
        let n = version.width() as usize;
        (c, n)
    }

    /// Our masked rows, format bits included, are exactly what `qrcode` draws for every
    /// mask and level: the symbols we score are the symbols we send.
    #[test]
    fn masked_views_equal_qrcodes_symbols() {
        for (data, level) in [
            (&b"HELLO"[..], EcLevel::L),
            (b"https://shop.example.com/o/1234567890", EcLevel::M),
            (b"0123456789012345678901234567890123456789", EcLevel::Q),
            (&[b'x'; 300][..], EcLevel::H),
        ] {
            let (c, n) = canvas(data, level);
            let (rows, cols) = views(&c, n);
            for (m, &p) in PATTERNS.iter().enumerate() {
                let mut masked = c.clone();
                masked.apply_mask(p);
                let mut r = rows.masked(m);
                put_format(&mut r, level, m, false);
                let mut t = cols.masked(m);
                put_format(&mut t, level, m, true);
                for y in 0..n {
                    for x in 0..n {
                        let want = masked.get(x as i16, y as i16).is_dark();
                        let bit =
                            |rows: &[Row], a: usize, b: usize| rows[b][(a + PAD) / 64] >> ((a + PAD) % 64) & 1 == 1;
                        assert_eq!(bit(&r, x, y), want, "row view, mask {m}, ({x},{y}), n {n}");
                        assert_eq!(bit(&t, y, x), want, "column view, mask {m}, ({x},{y}), n {n}");
                    }
                }
            }
        }
    }

    /// The penalties against a module-by-module count of the same rules.
    #[test]
    fn penalties_match_a_module_by_module_count() {
        fn reference(g: &[Vec<bool>]) -> u32 {
            let n = g.len();
            let at =
                |x: i64, y: i64| x >= 0 && y >= 0 && (x as usize) < n && (y as usize) < n && g[y as usize][x as usize];
            let mut s = 0;
            for t in [false, true] {
                let cell = |i: i64, j: i64| if t { at(j, i) } else { at(i, j) };
                for j in 0..n as i64 {
                    let mut i = 0;
                    while i < n as i64 {
                        let mut k = i;
                        while k < n as i64 && cell(k, j) == cell(i, j) {
                            k += 1;
                        }
                        if k - i >= 5 {
                            s += 3 + (k - i - 5) as u32;
                        }
                        i = k;
                    }
                    for i in 0..=n as i64 - 7 {
                        let core = [true, false, true, true, true, false, true];
                        if (0..7).all(|d| cell(i + d, j) == core[d as usize])
                            && ((1..=4).all(|d| !cell(i - d, j)) || (7..=10).all(|d| !cell(i + d, j)))
                        {
                            s += 40;
                        }
                    }
                }
            }
            for y in 0..n - 1 {
                for x in 0..n - 1 {
                    let c = g[y][x];
                    if g[y][x + 1] == c && g[y + 1][x] == c && g[y + 1][x + 1] == c {
                        s += 3;
                    }
                }
            }
            let dark = g.iter().flatten().filter(|&&d| d).count() as u32;
            s + 10 * ((dark * 100 / (n * n) as u32).abs_diff(50) / 5)
        }
        for (data, level) in [(&b"HELLO"[..], EcLevel::M), (b"https://shop.example.com/o/1234567890", EcLevel::H)] {
            let (c, n) = canvas(data, level);
            let (rows, cols) = views(&c, n);
            for (m, &p) in PATTERNS.iter().enumerate() {
                let mut masked = c.clone();
                masked.apply_mask(p);
                let g: Vec<Vec<bool>> =
                    (0..n).map(|y| (0..n).map(|x| masked.get(x as i16, y as i16).is_dark()).collect()).collect();
                assert_eq!(score(&rows, &cols, level, m), reference(&g), "mask {m}");
            }
        }
    }
}
