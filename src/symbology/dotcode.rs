//! DotCode (AIM ISS DotCode Rev. 4.0): the encodation of its Annex F (code sets A, B, C and
//! binary, with shifts and latches chosen by look-ahead), padding, Reed–Solomon over GF(113)
//! in interleaved blocks, the symbol size (width to height about 3:2, or the columns asked),
//! the four masks scored by Annex A's rule (and, when every score is poor, the same four with
//! the six corner dots lit), and the dots placed by the standard's folding.
//!
//! Data is ISO/IEC 8859-1 by default (other text, C1 controls included, is written as UTF-8
//! under ECI 26);
//! `gs1=true` takes a bracketed element string. A symbol is at most 200 x 200 dots; with
//! neither size given the 3:2 shape is widened to 200 columns when it would be wider.

use super::{gs1_128, DataError, Encoded, Matrix, MatrixKind, Symbol};

pub const RULE: &str = "UTF-8 text (Latin-1 as is, other text under ECI 26); up to 2,938 digits, 1,470 ASCII \
characters or 1,225 Latin-1 letters (1,471 codewords, 200 x 199 dots); columns=5-200 (default: about 3:2); \
mask=0-3, 4-7 the same with the corners lit (default: the best by the standard's score); gs1=true takes a \
bracketed GS1 element string";

/// The field (the generator's root, 3, is `gfp`'s).
pub const GF: u32 = 113;
/// The largest symbol side, in dots.
const MAX_SIDE: usize = 200;
/// No data longer than this can fit (two digits a codeword, 1,471 codewords at most).
const MAX_INPUT: usize = 2 * 1471 + 8;
/// A score that loses to any symbol with dots on all four edges.
const UNLIT_EDGE: i32 = -99999;

/// Each symbol character's 9-dot pattern (Annex C), by value 0-112.
pub const PATTERNS: [u16; 113] = [
    0x155, 0x0ab, 0x0ad, 0x0b5, 0x0d5, 0x156, 0x15a, 0x16a, 0x1aa, 0x0ae, 0x0b6, 0x0ba, 0x0d6, 0x0da, 0x0ea, 0x12b,
    0x12d, 0x135, 0x14b, 0x14d, 0x153, 0x159, 0x165, 0x169, 0x195, 0x1a5, 0x1a9, 0x057, 0x05b, 0x05d, 0x06b, 0x06d,
    0x075, 0x097, 0x09b, 0x09d, 0x0a7, 0x0b3, 0x0b9, 0x0cb, 0x0cd, 0x0d3, 0x0d9, 0x0e5, 0x0e9, 0x12e, 0x136, 0x13a,
    0x14e, 0x15c, 0x166, 0x16c, 0x172, 0x174, 0x196, 0x19a, 0x1a6, 0x1ac, 0x1b2, 0x1b4, 0x1ca, 0x1d2, 0x1d4, 0x05e,
    0x06e, 0x076, 0x07a, 0x09e, 0x0bc, 0x0ce, 0x0dc, 0x0e6, 0x0ec, 0x0f2, 0x0f4, 0x117, 0x11b, 0x11d, 0x127, 0x133,
    0x139, 0x147, 0x163, 0x171, 0x18b, 0x18d, 0x193, 0x199, 0x1a3, 0x1b1, 0x1c5, 0x1c9, 0x1d1, 0x02f, 0x037, 0x03b,
    0x03d, 0x04f, 0x067, 0x073, 0x079, 0x08f, 0x0c7, 0x0e3, 0x0f1, 0x11e, 0x13c, 0x178, 0x18e, 0x19c, 0x1b8, 0x1c6,
    0x1cc,
];

/// Validates and encodes `data`; `columns` (5-200) pins the width, `mask` (0-7) the mask.
pub fn encode(data: &[u8], columns: Option<u8>, mask: Option<u8>, gs1: bool) -> Result<Encoded, DataError> {
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    if data.len() > MAX_INPUT {
        return Err(DataError::TooLong { symbology: "dotcode", max: MAX_INPUT, got: data.len(), unit: "bytes" });
    }
    let (bytes, eci) = if gs1 {
        (crate::gs1::element::to_raw(&gs1_128::parse_bracketed(text)?).into_bytes(), None)
    } else if text.chars().all(|c| !matches!(u32::from(c), 0x80..=0x9f | 0x100..)) {
        // ISO/IEC 8859-1's graphic characters (its C1 range, U+0080-U+009F, is not one).
        (text.chars().map(|c| c as u8).collect(), None)
    } else {
        (data.to_vec(), Some(26))
    };
    let over = |limit| DataError::Capacity2d { symbology: "dotcode", got: data.len(), limit };
    let words = Encoder::new(&bytes, gs1).run(eci);
    let size = size(words.cw.len(), columns.map(usize::from)).ok_or_else(|| {
        over(if columns.is_some() {
            "the columns asked: the symbol would be over 200 dots tall; raise columns or omit it"
        } else {
            "1,471 codewords in 200 x 199 dots: 2,938 digits, 1,470 ASCII characters or 1,225 Latin-1 letters"
        })
    })?;
    let m = symbol(words, size, mask);
    Ok(Encoded { symbol: Symbol::Matrix(m), canonical: text.to_owned() })
}

/// The code set the encoder is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Set {
    A,
    B,
    C,
    Binary,
}

/// The codewords, and whether they end in the binary set (the first pad then leaves it).
struct Words {
    cw: Vec<u8>,
    binary_finish: bool,
}

/// Annex F's encodation over one input.
struct Encoder<'a> {
    s: &'a [u8],
    gs1: bool,
    cw: Vec<u8>,
    set: Set,
    /// The macro the data opens with: 97-99 (formats 05, 06, 12), 100 (any other two digits).
    macro_: u8,
    /// Bytes collected in the binary set, base 259, and how many.
    bin: u64,
    bin_n: usize,
}

impl<'a> Encoder<'a> {
    fn new(s: &'a [u8], gs1: bool) -> Self {
        Encoder { s, gs1, cw: Vec::with_capacity(s.len() + 8), set: Set::C, macro_: 0, bin: 0, bin_n: 0 }
    }

    fn at(&self, p: usize) -> Option<u8> {
        self.s.get(p).copied()
    }

    fn digit(&self, p: usize) -> bool {
        self.at(p).is_some_and(|c| c.is_ascii_digit())
    }

    /// Directly encodable in code set A (F.II.D).
    fn datum_a(&self, p: usize) -> bool {
        self.at(p).is_some_and(|c| c <= 95)
    }

    /// Characters encodable as one code set B value here: 1, 2 for CR LF, 0 for none.
    fn datum_b(&self, p: usize) -> usize {
        match self.at(p) {
            Some(32..=127 | 9 | 28..=30) => 1,
            Some(13) if self.at(p + 1) == Some(10) => 2,
            _ => 0,
        }
    }

    /// Two digits here (code set C).
    fn datum_c(&self, p: usize) -> bool {
        self.digit(p) && self.digit(p + 1)
    }

    /// Code set C codewords from here (F.II.E).
    fn ahead_c(&self, p: usize) -> usize {
        let run = self.s.get(p..).unwrap_or(&[]).iter().take_while(|c| c.is_ascii_digit()).count();
        run / 2
    }

    /// Code set C codewords worth taking from here: 0 when starting a digit later does as well
    /// (F.II.F).
    fn try_c(&self, p: usize) -> usize {
        if self.digit(p) {
            let here = self.ahead_c(p);
            if here > self.ahead_c(p + 1) {
                return here;
            }
        }
        0
    }

    /// Characters code set A takes from here before code set C would (F.II.G).
    fn ahead_a(&self, p: usize) -> usize {
        (p..self.s.len()).take_while(|&i| self.datum_a(i) && self.try_c(i) < 2).count()
    }

    /// Characters and code set B values from here before code set C would (F.II.H).
    fn ahead_b(&self, p: usize) -> (usize, usize) {
        let (mut i, mut n) = (p, 0);
        loop {
            let step = self.datum_b(i);
            if step == 0 || self.try_c(i) >= 2 {
                return (i - p, n);
            }
            n += 1;
            i += step;
        }
    }

    fn binary(&self, p: usize) -> bool {
        self.at(p).is_some_and(|c| c >= 128)
    }

    /// "17" + 6 digits + "10" ahead: the date-and-batch shortcut (F.II.B).
    fn seventeen_ten(&self, p: usize) -> bool {
        p + 9 < self.s.len()
            && self.s[p..p + 2] == *b"17"
            && self.s[p + 8..p + 10] == *b"10"
            && self.s[p + 2..p + 8].iter().all(u8::is_ascii_digit)
    }

    fn pair(&self, p: usize) -> u8 {
        (self.s[p] - b'0') * 10 + (self.s[p + 1] - b'0')
    }

    fn push(&mut self, v: u8) {
        self.cw.push(v);
    }

    /// One byte into the binary buffer, flushed every five.
    fn bin_push(&mut self, v: u8) {
        self.bin = self.bin * 259 + u64::from(v);
        self.bin_n += 1;
        if self.bin_n == 5 {
            self.bin_flush();
        }
    }

    /// The buffered bytes as n + 1 base-103 codewords, most significant first.
    fn bin_flush(&mut self) {
        if self.bin_n > 0 {
            let mut digits = [0u8; 6];
            for d in digits[..=self.bin_n].iter_mut().rev() {
                *d = (self.bin % 103) as u8;
                self.bin /= 103;
            }
            self.cw.extend_from_slice(&digits[..=self.bin_n]);
        }
        self.bin = 0;
        self.bin_n = 0;
    }

    /// `n` code set B values from `p` (a shift's characters); returns the position after.
    fn shifted_b(&mut self, mut p: usize, n: usize) -> usize {
        for _ in 0..n {
            let c = self.s[p];
            if c >= 32 {
                self.push(c - 32);
            } else if c == 13 {
                self.push(96);
                p += 1;
            } else {
                self.push(special(c));
            }
            p += 1;
        }
        p
    }

    /// A byte 128-255 at `p`: shifted into set A or B when `shift` (its value less 128 in
    /// that set), else the binary latch; returns the position after.
    fn shift_or_latch_binary(&mut self, p: usize, shift: bool) -> usize {
        if !shift {
            self.push(112);
            self.set = Set::Binary;
            return p;
        }
        let v = self.s[p] - 128;
        if v < 32 {
            self.push(110);
            self.push(v + 64);
        } else {
            self.push(111);
            self.push(v - 32);
        }
        p + 1
    }

    /// The codewords for the whole input, `eci` (if any) declared first.
    fn run(mut self, eci: Option<u8>) -> Words {
        let s = self.s;
        let len = s.len();
        let mut p = 0;
        if !self.gs1 && eci.is_none() && self.datum_c(0) {
            // Digits first would read as GS1: FNC1 says it is not.
            self.push(107);
        } else if matches!(s.first(), Some(9 | 28..=30)) {
            // A special character first would read as a macro: code set A carries it.
            self.push(101);
            self.push(s[0] + 64);
            self.set = Set::A;
            p = 1;
        } else if len > 5 && s[..4] == *b"[)>\x1e" && s[len - 1] == 4 {
            // ISO/IEC 15434 envelopes: the header and trailer become one macro codeword.
            let rs_eot = s[len - 2] == 30;
            let format = matches!(&s[4..6], b"05" | b"06" | b"12");
            self.macro_ = if len > 6 && format && s[6] == 29 && rs_eot {
                match s[5] {
                    b'5' => 97,
                    b'6' => 98,
                    _ => 99,
                }
            } else if !format && self.datum_c(4) {
                100
            } else {
                0
            };
            if self.macro_ != 0 {
                self.push(106);
                self.set = Set::B;
                self.push(self.macro_);
                if self.macro_ == 100 {
                    self.push(s[4] - b'0' + 16);
                    self.push(s[5] - b'0' + 16);
                    p = 6;
                } else {
                    p = 7;
                }
            }
        }
        if let Some(e) = eci {
            self.push(108);
            self.push(e);
        }
        while p < len {
            if self.macro_ != 0 && self.macro_ != 100 && p == len - 2 {
                p += 2; // the RS EOT trailer the macro implies
                continue;
            }
            if self.macro_ == 100 && p == len - 1 {
                p += 1; // the EOT
                continue;
            }
            p = match self.set {
                Set::C => self.step_c(p),
                Set::B => self.step_b(p),
                Set::A => self.step_a(p),
                Set::Binary => self.step_binary(p),
            };
        }
        if self.set == Set::Binary {
            self.bin_flush();
        }
        Words { binary_finish: self.set == Set::Binary, cw: self.cw }
    }

    fn step_c(&mut self, p: usize) -> usize {
        if self.seventeen_ten(p) {
            self.push(100);
            for k in [2, 4, 6] {
                let v = self.pair(p + k);
                self.push(v);
            }
            return p + 10;
        }
        if self.gs1 && self.s[p] == 29 {
            self.push(107);
            return p + 1;
        }
        if self.datum_c(p) {
            let v = self.pair(p);
            self.push(v);
            return p + 2;
        }
        if self.binary(p) {
            let shift = self.digit(p + 1);
            return self.shift_or_latch_binary(p, shift);
        }
        let m = self.ahead_a(p);
        let (n, nx) = self.ahead_b(p);
        if m > n {
            self.push(101);
            self.set = Set::A;
            p
        } else if (1..=4).contains(&nx) {
            self.push(101 + nx as u8);
            self.shifted_b(p, nx)
        } else {
            self.push(106);
            self.set = Set::B;
            p
        }
    }

    /// What code sets A and B do first: two to four pairs of digits shifted into C, more
    /// latched; a GS1 separator as FNC1. `None` when neither applies.
    fn digits_or_fnc1(&mut self, p: usize) -> Option<usize> {
        let n = self.try_c(p);
        if n < 2 {
            if self.gs1 && self.s[p] == 29 {
                self.push(107);
                return Some(p + 1);
            }
            return None;
        }
        if n <= 4 {
            self.push(103 + (n - 2) as u8);
            for k in 0..n {
                let v = self.pair(p + 2 * k);
                self.push(v);
            }
            Some(p + 2 * n)
        } else {
            self.push(106);
            self.set = Set::C;
            Some(p)
        }
    }

    fn step_b(&mut self, p: usize) -> usize {
        if let Some(q) = self.digits_or_fnc1(p) {
            return q;
        }
        let c = self.s[p];
        if self.datum_b(p) > 0 {
            if (32..=127).contains(&c) {
                self.push(c - 32);
                return p + 1;
            }
            if c == 13 {
                self.push(96);
                return p + 2;
            }
            if p != 0 {
                self.push(special(c));
                return p + 1;
            }
        }
        if self.binary(p) {
            let shift = self.datum_b(p + 1) > 0;
            return self.shift_or_latch_binary(p, shift);
        }
        if self.ahead_a(p) == 1 {
            self.push(101);
            self.push(if c < 32 { c + 64 } else { c - 32 });
            p + 1
        } else {
            self.push(102);
            self.set = Set::A;
            p
        }
    }

    fn step_a(&mut self, p: usize) -> usize {
        if let Some(q) = self.digits_or_fnc1(p) {
            return q;
        }
        let c = self.s[p];
        if self.datum_a(p) {
            self.push(if c < 32 { c + 64 } else { c - 32 });
            return p + 1;
        }
        if self.binary(p) {
            let shift = self.datum_a(p + 1);
            return self.shift_or_latch_binary(p, shift);
        }
        let (_, nx) = self.ahead_b(p);
        if (1..=6).contains(&nx) {
            self.push(95 + nx as u8);
            self.shifted_b(p, nx)
        } else {
            self.push(102);
            self.set = Set::B;
            p
        }
    }

    fn step_binary(&mut self, p: usize) -> usize {
        let n = self.try_c(p);
        if n >= 2 {
            self.bin_flush();
            if n <= 7 {
                self.push(101 + n as u8);
                for k in 0..n {
                    let v = self.pair(p + 2 * k);
                    self.push(v);
                }
                return p + 2 * n;
            }
            self.push(111);
            self.set = Set::C;
            return p;
        }
        if (p..p + 4).any(|i| self.binary(i)) {
            self.bin_push(self.s[p]);
            return p + 1;
        }
        self.bin_flush();
        if self.ahead_a(p) > self.ahead_b(p).0 {
            self.push(109);
            self.set = Set::A;
        } else {
            self.push(110);
            self.set = Set::B;
        }
        p
    }
}

/// Code set B's values for HT, FS, GS and RS.
fn special(c: u8) -> u8 {
    match c {
        9 => 97,
        28 => 98,
        29 => 99,
        _ => 100,
    }
}

/// What a reader needs to take a symbol apart (`reader/dotcode.rs`): the field, the dot
/// patterns, the masks' steps, and per size the data words and the stream's dot order.
pub mod layout {
    pub use super::{GF, PATTERNS};

    /// Each mask's step: data word `j` is sent as `(word + step * j) mod 113`.
    pub const MASK_STEPS: [u32; 4] = super::MASK_STEPS;

    /// Data words (pads included, the mask word not) a `w` x `h` symbol holds.
    pub fn data_words(w: usize, h: usize) -> usize {
        let dots = w * h / 2;
        let mut n = 0;
        while super::min_dots(n + 1) <= dots {
            n += 1;
        }
        n
    }

    /// Check words for `nd` data words.
    pub fn check_words(nd: usize) -> usize {
        3 + nd / 2
    }

    /// The (column, row) of each dot of the stream in order: the mask's two, each word's
    /// nine, the six corner dots last.
    pub fn dot_order(w: usize, h: usize) -> Vec<(u16, u16)> {
        let g = super::Grid::new(w, h);
        g.order
            .iter()
            .map(|&i| {
                let i = i as usize;
                ((i % g.stride - super::BORDER) as u16, (i / g.stride - super::BORDER) as u16)
            })
            .collect()
    }
}

/// Each mask's step (Annex A's masks 0-3).
const MASK_STEPS: [u32; 4] = [0, 3, 7, 17];

/// Dots needed for `n` data codewords: the mask's 2, and 9 for each data and check word.
fn min_dots(n: usize) -> usize {
    9 * (n + 3 + n / 2) + 2
}

/// The symbol's width and height in dots for `n` data codewords: `columns` wide, or about 3:2
/// (section 5.2.2, rule 3, as Zint sizes it); width + height always odd. `None` when over
/// 200 dots a side.
fn size(n: usize, columns: Option<usize>) -> Option<(usize, usize)> {
    let area = min_dots(n) * 2;
    let by_width = |w: usize| {
        let mut h = area.div_ceil(w).max(5);
        if (w + h).is_multiple_of(2) {
            h += 1;
        }
        (w, h)
    };
    let (w, h) = match columns {
        Some(w) => by_width(w),
        None => {
            let hf = (area as f64 * 0.666).sqrt() as f32;
            let wf = (area as f64 * 1.5).sqrt() as f32;
            let (mut w, mut h) = (wf as usize, hf as usize);
            if (w + h) % 2 == 1 {
                if w * h < area {
                    w += 1;
                    h += 1;
                }
            } else if hf * (w as f32) < wf * (h as f32) {
                w += 1;
                if w * h < area {
                    w -= 1;
                    h += 1;
                    if w * h < area {
                        w += 2;
                    }
                }
            } else {
                h += 1;
                if w * h < area {
                    w += 1;
                    h -= 1;
                    if w * h < area {
                        h += 2;
                    }
                }
            }
            if w > MAX_SIDE {
                by_width(MAX_SIDE)
            } else {
                (w, h)
            }
        }
    };
    ((5..=MAX_SIDE).contains(&w) && h <= MAX_SIDE).then_some((w, h))
}

/// Pads the codewords to fill the symbol, adds the checks, masks, places the dots.
fn symbol(words: Words, (w, h): (usize, usize), mask: Option<u8>) -> Matrix {
    let Words { mut cw, binary_finish } = words;
    let n_dots = w * h / 2;
    let mut spare = n_dots - min_dots(cw.len());
    let mut first = true;
    while spare >= 9 {
        let even = cw.len() % 2 == 0;
        if spare < 18 && !even {
            break;
        }
        spare -= if even { 9 } else { 18 };
        cw.push(if first && binary_finish { 109 } else { 106 });
        first = false;
    }
    let ecc = 3 + cw.len() / 2;
    let grid = Grid::new(w, h);
    let mut words = Vec::with_capacity(1 + cw.len() + ecc);
    let dots = match mask {
        Some(m) => {
            let mut dots = grid.place(&cw, ecc, m % 4, &mut words);
            if m >= 4 {
                grid.light_corners(&mut dots);
            }
            dots
        }
        None => {
            let mut placed: Vec<Vec<u8>> = (0..4).map(|m| grid.place(&cw, ecc, m, &mut words)).collect();
            let scores: Vec<i32> = placed.iter().map(|d| grid.score(d)).collect();
            let mut best = 0;
            for m in 1..4 {
                if scores[m] >= scores[best] {
                    best = m;
                }
            }
            let mut high = scores[best];
            let mut lit = None;
            if high <= (w * h / 2) as i32 {
                // Every score poor: the same masks with the six corner dots lit.
                let mut dots = Vec::new();
                for (m, d) in placed.iter().enumerate() {
                    dots.clone_from(d);
                    grid.light_corners(&mut dots);
                    let score = grid.score(&dots);
                    if score >= high {
                        (high, best, lit) = (score, m, Some(m));
                    }
                }
            }
            let mut dots = placed.swap_remove(best);
            if lit == Some(best) {
                grid.light_corners(&mut dots);
            }
            dots
        }
    };
    let dark = (0..h).flat_map(|y| (0..w).map(move |x| (x, y))).map(|(x, y)| dots[grid.at(x, y)] == 1).collect();
    Matrix { width: w, height: h, dark, kind: MatrixKind::Dots }
}

/// Empty dots around the grid, so that the score reads any neighbour without a bounds check.
const BORDER: usize = 2;

/// A symbol's size, and where each dot of the stream goes (the standard's folding: along
/// rows from the bottom when the height is odd, down columns otherwise, the six corner dots
/// skipped and filled last), as indexes into a grid with a `BORDER`.
struct Grid {
    w: usize,
    h: usize,
    stride: usize,
    order: Vec<u32>,
}

impl Grid {
    fn new(w: usize, h: usize) -> Grid {
        let mut g = Grid { w, h, stride: w + 2 * BORDER, order: Vec::with_capacity(w * h / 2) };
        let mut order = std::mem::take(&mut g.order);
        let linear = |i: usize| g.at(i % w, i / w) as u32;
        if h % 2 == 1 {
            for r in 0..h {
                for c in (r % 2..w).step_by(2) {
                    if !g.is_corner(c, r) {
                        order.push(g.at(c, h - r - 1) as u32);
                    }
                }
            }
            order.extend([w - 2, h * w - 2, w * 2 - 1, (h - 1) * w - 1, 0, (h - 1) * w].map(linear));
        } else {
            for c in 0..w {
                for r in (c % 2..h).step_by(2) {
                    if !g.is_corner(c, r) {
                        order.push(g.at(c, r) as u32);
                    }
                }
            }
            order.extend([(h - 1) * w - 1, (h - 2) * w, h * w - 2, (h - 1) * w + 1, w - 1, 0].map(linear));
        }
        g.order = order;
        g
    }

    /// The grid index of (x, y).
    fn at(&self, x: usize, y: usize) -> usize {
        (y + BORDER) * self.stride + x + BORDER
    }

    /// The grid with mask `m` (0-3) applied to the data, the checks added, the dots placed
    /// (1 = dot); `words` is scratch.
    fn place(&self, data: &[u8], ecc: usize, m: u8, words: &mut Vec<u8>) -> Vec<u8> {
        let step = MASK_STEPS[usize::from(m)];
        words.clear();
        words.push(m);
        words.extend(data.iter().enumerate().map(|(j, &c)| ((u32::from(c) + step * j as u32) % GF) as u8));
        rs_encode(words, ecc);
        let mut dots = vec![0u8; self.stride * (self.h + 2 * BORDER)];
        // The mask number in two dots, each word's 9-dot pattern, then lit dots to the end.
        let (head, rest) = self.order.split_at(2.min(self.order.len()));
        for (&i, bit) in head.iter().zip([m >> 1, m & 1]) {
            dots[i as usize] = bit;
        }
        let mut chunks = rest.chunks_exact(9);
        for (places, &v) in (&mut chunks).zip(&words[1..]) {
            let p = PATTERNS[usize::from(v)];
            for (k, &i) in places.iter().enumerate() {
                dots[i as usize] = (p >> (8 - k) & 1) as u8;
            }
        }
        let placed = 2 + 9 * (words.len() - 1).min(rest.len() / 9);
        for &i in &self.order[placed.min(self.order.len())..] {
            dots[i as usize] = 1;
        }
        dots
    }

    /// Whether (column, row) is one of the six corner dots the last six stream dots fill.
    fn is_corner(&self, c: usize, r: usize) -> bool {
        let (w, h) = (self.w, self.h);
        let top_right =
            if h % 2 == 1 { (c == w - 2 && r == 0) || (c == w - 1 && r == 1) } else { c == w - 1 && r == 0 };
        let bottom_left =
            if h % 2 == 1 { c == 0 && r == h - 1 } else { (c == 0 && r == h - 2) || (c == 1 && r == h - 1) };
        let bottom_right = (c == w - 2 && r == h - 1) || (c == w - 1 && r == h - 2);
        (c == 0 && r == 0) || top_right || bottom_left || bottom_right
    }

    fn light_corners(&self, dots: &mut [u8]) {
        let (w, h) = (self.w, self.h);
        let corners = if w % 2 == 1 {
            [(0, 0), (w - 1, 0), (0, h - 2), (w - 1, h - 2), (1, h - 1), (w - 2, h - 1)]
        } else {
            [(0, 0), (w - 2, 0), (w - 1, 1), (w - 1, h - 2), (0, h - 1), (w - 2, h - 1)]
        };
        for (x, y) in corners {
            dots[self.at(x, y)] = 1;
        }
    }

    /// Annex A's score (higher is better): the worst edge's dot count and extent, less the
    /// square of the count of empty crosses and lone dots, less a penalty for empty interior
    /// rows and columns.
    fn score(&self, dots: &[u8]) -> i32 {
        let (w, h, stride) = (self.w as i32, self.h as i32, self.stride);
        // Any (x, y) from -BORDER to the side + BORDER - 1.
        let at = |x: i32, y: i32| dots[(y + BORDER as i32) as usize * stride + (x + BORDER as i32) as usize] == 1;
        let penalty = runs_penalty((1..h - 1).map(|y| (y & 1..w).step_by(2).all(|x| !at(x, y))), w)
            .wrapping_add(runs_penalty((1..w - 1).map(|x| (x & 1..h).step_by(2).all(|y| !at(x, y))), h));
        // Each edge: its dots plus their extent, times the other side; the worst counts.
        let edge = |pts: &mut dyn Iterator<Item = (i32, i32, i32)>, times: i32| {
            let (mut n, mut first, mut last) = (0, -1, -1);
            for (x, y, k) in pts {
                if at(x, y) {
                    if first < 0 {
                        first = k;
                    }
                    last = k;
                    n += 1;
                }
            }
            (n > 0).then(|| (n + last - first) * times)
        };
        let edges = [
            edge(&mut (0..w).step_by(2).map(|x| (x, 0, x)), h),
            edge(&mut (w & 1..w).step_by(2).map(|x| (x, h - 1, x)), h),
            edge(&mut (0..h).step_by(2).map(|y| (0, y, y)), w),
            edge(&mut (h & 1..h).step_by(2).map(|y| (w - 1, y, y)), w),
        ];
        let mut worst = i32::MAX;
        for e in edges {
            match e {
                Some(v) => worst = worst.min(v),
                None => return UNLIT_EDGE,
            }
        }
        // Empty crosses and lone dots: no diagonal neighbour, and the centre empty or no dot
        // two away in line.
        let mut lonely = 0i32;
        let s = stride as isize;
        for y in 0..self.h {
            for x in (y % 2..self.w).step_by(2) {
                let i = self.at(x, y) as isize;
                let d = |o: isize| dots[(i + o) as usize];
                if d(-s - 1) | d(-s + 1) | d(s - 1) | d(s + 1) == 0
                    && (d(0) == 0 || d(-2) | d(2) | d(-2 * s) | d(2 * s) == 0)
                {
                    lonely += 1;
                }
            }
        }
        worst.wrapping_sub(lonely.wrapping_mul(lonely)).wrapping_sub(penalty)
    }
}

/// Σ nᵏ over the runs of k consecutive empty lines (n positions a line), wrapping as the
/// reference's 32-bit arithmetic does.
fn runs_penalty(empty: impl Iterator<Item = bool>, n: i32) -> i32 {
    let (mut total, mut local) = (0i32, 0i32);
    for e in empty {
        if e {
            local = if local == 0 { n } else { local.wrapping_mul(n) };
        } else if local != 0 {
            total = total.wrapping_add(local);
            local = 0;
        }
    }
    total.wrapping_add(local)
}

/// Products in GF(113): `MUL[a][b]` = a·b mod 113.
static MUL: [[u8; 113]; 113] = {
    let mut t = [[0u8; 113]; 113];
    let mut a = 0;
    while a < 113 {
        let mut b = 0;
        while b < 113 {
            t[a][b] = (a * b % 113) as u8;
            b += 1;
        }
        a += 1;
    }
    t
};

/// Appends `nc` check words to the words in `wd`, in interleaved blocks of at most 112
/// (Annex B).
fn rs_encode(wd: &mut Vec<u8>, nc: usize) {
    let nd = wd.len();
    let nw = nd + nc;
    wd.resize(nw, 0);
    let step = (nw + GF as usize - 2) / (GF as usize - 1);
    // The blocks' check counts differ by one at most: each generator is built once.
    let mut gens: Vec<(usize, Vec<u32>)> = Vec::with_capacity(2);
    let mut e = Vec::with_capacity(nc.div_ceil(step) + 1);
    for start in 0..step {
        let bd = nd.saturating_sub(start).div_ceil(step);
        let bw = (nw - start).div_ceil(step);
        let bc = bw - bd;
        if bc == 0 {
            continue;
        }
        let g = match gens.iter().position(|(n, _)| *n == bc) {
            Some(i) => &gens[i].1,
            None => {
                gens.push((bc, super::gfp::generator(GF, bc)));
                &gens[gens.len() - 1].1
            }
        };
        e.clear();
        e.resize(bc + 1, 0u32);
        for i in 0..bd {
            let k = (u32::from(wd[start + i * step]) + e[0]) % GF;
            // e ← (e shifted one place) − k·g, modulo GF.
            let times_k = &MUL[k as usize];
            for j in 0..bc {
                let t = e[j + 1] + GF - u32::from(times_k[g[j + 1] as usize]);
                e[j] = if t >= GF { t - GF } else { t };
            }
        }
        let e0 = start + bd * step;
        for (i, &v) in e[..bc].iter().enumerate() {
            wd[e0 + i * step] = if v == 0 { 0 } else { (GF - v) as u8 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(data: &str, columns: Option<u8>, mask: Option<u8>) -> Matrix {
        match encode(data.as_bytes(), columns, mask, false).unwrap().symbol {
            Symbol::Matrix(m) => m,
            _ => unreachable!(),
        }
    }

    fn pow(mut b: u32, mut e: usize) -> u32 {
        let mut r = 1;
        while e > 0 {
            if e & 1 == 1 {
                r = r * b % GF;
            }
            b = b * b % GF;
            e >>= 1;
        }
        r
    }

    /// The polynomial (leading coefficient first) at x.
    fn eval(p: &[u32], x: u32) -> u32 {
        p.iter().fold(0, |acc, &c| (acc * x + c) % GF)
    }

    #[test]
    fn every_check_block_is_a_codeword() {
        let mut next = crate::symbology::testkit::rng(7);
        for nd in [3, 10, 50, 111, 112, 200, 400] {
            let nc = 3 + nd / 2;
            let mut wd: Vec<u8> = (0..nd).map(|_| next(113) as u8).collect();
            rs_encode(&mut wd, nc);
            let step = (nd + nc).div_ceil(112);
            for start in 0..step {
                let block: Vec<u32> = wd[start..].iter().step_by(step).map(|&v| u32::from(v)).collect();
                let bc = block.len() - (nd - start).div_ceil(step);
                for i in 1..=bc {
                    assert_eq!(eval(&block, pow(3, i)), 0, "nd {nd}, block {start}, root {i}");
                }
            }
        }
    }

    #[test]
    fn sizes_are_odd_in_sum_and_hold_the_data() {
        for n in 1..1472 {
            let (w, h) = size(n, None).unwrap();
            assert_eq!((w + h) % 2, 1, "{n}");
            assert!(w * h / 2 >= min_dots(n), "{n}");
            assert!(w <= MAX_SIDE && h <= MAX_SIDE && w >= 5 && h >= 5);
        }
        assert!(size(1472, None).is_none());
        assert_eq!(size(1, Some(40)), Some((40, 5)), "few codewords in many columns: 5 rows");
        assert!(size(800, Some(20)).is_none());
    }

    #[test]
    fn encodation_of_known_inputs() {
        let cw = |s: &str| Encoder::new(s.as_bytes(), false).run(None).cw;
        // Digits: FNC1 (not GS1), then pairs in code set C.
        assert_eq!(cw("123456"), [107, 12, 34, 56]);
        // Two digits alone too (Zint 2.11.1 left FNC1 out there, a reader then saw GS1 data).
        assert_eq!(cw("17"), [107, 17]);
        // Letters: set B's values (ASCII - 32), shifted from C when few, else latched.
        assert_eq!(cw("Hi"), [103, 40, 73]);
        assert_eq!(cw("Hello"), [106, 40, 69, 76, 76, 79]);
        // 17yymmdd10: one shortcut codeword then three pairs.
        let gs1 = Encoder::new(b"0109501101530003\x1d17261231101234", true).run(None).cw;
        assert_eq!(gs1, [1, 9, 50, 11, 1, 53, 0, 3, 107, 100, 26, 12, 31, 12, 34]);
        // Bytes: the binary latch, then six base-103 words for five bytes.
        let bin = Encoder::new(&[0xe9; 5], false).run(None);
        assert!(bin.binary_finish);
        assert_eq!(bin.cw.len(), 1 + 6);
        assert_eq!(bin.cw[0], 112);
    }

    #[test]
    fn masks_and_corners() {
        let data = "https://example.com/dotcode";
        let auto = matrix(data, None, None);
        let each: Vec<Matrix> = (0..8).map(|m| matrix(data, None, Some(m))).collect();
        assert!(each.iter().any(|m| m.dark == auto.dark), "the chosen mask is one of the eight");
        assert!(each[..4].windows(2).all(|p| p[0].dark != p[1].dark));
        let (w, h) = (auto.width, auto.height);
        let lit = &each[4].dark;
        let corners = if w % 2 == 1 {
            [0, w - 1, (h - 2) * w, (h - 1) * w - 1, (h - 1) * w + 1, h * w - 2]
        } else {
            [0, w - 2, 2 * w - 1, (h - 1) * w - 1, (h - 1) * w, h * w - 2]
        };
        assert!(corners.iter().all(|&i| lit[i]));
        // Dots only where column + row is even.
        for m in &each {
            for (i, &d) in m.dark.iter().enumerate() {
                assert!(!d || (i % w + i / w) % 2 == 0);
            }
        }
    }

    #[test]
    fn no_input_panics() {
        let mut next = crate::symbology::testkit::rng(11);
        let alphabet: &[&str] =
            &["1", "7", "A", "a", "\t", "\r\n", "\u{1d}", "\u{1e}", "\u{4}", "é", "€", " ", "[)>\u{1e}"];
        for _ in 0..3000 {
            let n = next(40);
            let s: String = (0..n).map(|_| alphabet[next(alphabet.len())]).collect();
            if s.is_empty() {
                continue;
            }
            let _ = encode(s.as_bytes(), None, None, false);
            let _ = encode(s.as_bytes(), Some(5 + next(30) as u8), Some(next(8) as u8), false);
        }
        assert!(encode(&vec![b'7'; MAX_INPUT + 1], None, None, false).is_err());
        assert!(encode("é".repeat(1300).as_bytes(), None, None, false).is_err());
    }
}
