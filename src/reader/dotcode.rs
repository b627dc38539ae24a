//! DotCode read from the lattices of dots `dots.rs` finds: each of the eight ways a symbol
//! can lie on its lattice (four turns, mirrored or not) whose corner place can hold a dot is
//! tried — the standard's two foldings (rows from the bottom for an odd height, columns for
//! an even one) make a symbol turned a quarter read as a valid symbol of the same data, so
//! the orientation reported is that of the reading as wide as tall or wider (the usual 3:2
//! shape); the dots are taken in the encoder's stream order (`symbology::dotcode::layout`),
//! each 9-dot pattern becomes its word (a pattern no word has is an erasure), Reed–Solomon
//! over GF(113) corrects each interleaved block (with a margin of two checks unspent, so a
//! wrong lay or a stray lattice does not decode by chance), the mask is undone and the code
//! sets of Annex F are read back: A, B, C, binary, shifts and latches, FNC1 (GS1 when the
//! data opens with digits), ECI, the 05/06/12 macros and the 17…10 shortcut.

use super::dots::{lattices, Lattice, Search};
use super::Found;
use crate::symbology::dotcode::layout::{check_words, data_words, dot_order, GF, MASK_STEPS, PATTERNS};
use crate::symbology::gfp;

/// Checks left unspent by a correction.
const MARGIN: usize = 2;

/// Every DotCode the dot finder's `search` finds.
pub fn read(search: &Search) -> Vec<Found> {
    lattices(search).iter().filter_map(read_lattice).collect()
}

/// One way a symbol lies on its lattice: mirrored or not, then turned `quarter` quarter
/// turns clockwise; its size in places.
#[derive(Clone, Copy, Debug)]
struct Lay {
    quarter: u8,
    mirrored: bool,
    w: usize,
    h: usize,
}

impl Lay {
    /// The lattice place of the symbol's place (x, y).
    fn place(&self, x: usize, y: usize) -> (usize, usize) {
        let x = if self.mirrored { self.w - 1 - x } else { x };
        match self.quarter {
            0 => (x, y),
            1 => (self.h - 1 - y, x),
            2 => (self.w - 1 - x, self.h - 1 - y),
            _ => (y, self.w - 1 - x),
        }
    }

    /// The lattice coordinates (fractional) of a point in the symbol's own coordinates.
    fn point(&self, x: f32, y: f32) -> (f32, f32) {
        let (w, h) = (self.w as f32, self.h as f32);
        let x = if self.mirrored { w - 1.0 - x } else { x };
        match self.quarter {
            0 => (x, y),
            1 => (h - 1.0 - y, x),
            2 => (w - 1.0 - x, h - 1.0 - y),
            _ => (y, w - 1.0 - x),
        }
    }
}

/// The best reading of one lattice over the lays that decode.
fn read_lattice(l: &Lattice) -> Option<Found> {
    let mut best: Option<(Decoded, Lay)> = None;
    if (l.w + l.h).is_multiple_of(2) {
        return None;
    }
    for (mirrored, quarter) in [false, true].into_iter().flat_map(|m| (0..4u8).map(move |q| (m, q))) {
        let (w, h) = if quarter % 2 == 0 { (l.w, l.h) } else { (l.h, l.w) };
        let lay = Lay { quarter, mirrored, w, h };
        // The symbol's top left place holds a dot (x + y even): on the lattice too.
        let (i, j) = lay.place(0, 0);
        if !parity_holds(l, (i + j) % 2) {
            continue;
        }
        let dot = |x, y| {
            let (i, j) = lay.place(x, y);
            l.dark[j * l.w + i]
        };
        let Some(d) = decode(&dot, w, h) else { continue };
        // Fewer corrections first, then the reading as wide as tall or wider.
        let better = |(b, blay): &(Decoded, Lay)| d.spent < b.spent || (d.spent == b.spent && w > h && blay.w < blay.h);
        if best.as_ref().is_none_or(better) {
            best = Some((d, lay));
        }
    }
    let (d, lay) = best?;
    Some(found(l, d, lay))
}

/// Whether the lattice's dots all sit where i + j has parity `p`.
fn parity_holds(l: &Lattice, p: usize) -> bool {
    l.dark.iter().enumerate().all(|(k, &d)| !d || (k % l.w + k / l.w) % 2 == p)
}

/// What a symbol says.
struct Decoded {
    bytes: Vec<u8>,
    /// ECIs declared, with the byte offset where each starts.
    ecis: Vec<(usize, u32)>,
    gs1: bool,
    /// The largest share of a block's checks spent on corrections.
    spent: f32,
}

/// The word of each 9-dot pattern, 255 for patterns no word has.
static WORD_OF: [u8; 512] = {
    let mut t = [255u8; 512];
    let mut v = 0;
    while v < 113 {
        t[PATTERNS[v] as usize] = v as u8;
        v += 1;
    }
    t
};

/// A `w` x `h` symbol whose place (x, y) is lit when `dot(x, y)`, read.
fn decode(dot: &dyn Fn(usize, usize) -> bool, w: usize, h: usize) -> Option<Decoded> {
    let order = dot_order(w, h);
    let nd = data_words(w, h);
    let nc = check_words(nd);
    if nd == 0 || 2 + 9 * (nd + nc) > order.len() {
        return None;
    }
    let bit = |k: usize| {
        let (x, y) = order[k];
        u32::from(dot(usize::from(x), usize::from(y)))
    };
    // The mask word, then every data and check word; erasures by index.
    let mut words = Vec::with_capacity(1 + nd + nc);
    words.push(bit(0) << 1 | bit(1));
    let mut erased = Vec::new();
    for t in 0..nd + nc {
        let pattern = (0..9).fold(0usize, |acc, k| acc << 1 | bit(2 + 9 * t + k) as usize);
        let v = WORD_OF[pattern];
        if v == 255 {
            erased.push(1 + t);
            words.push(0);
        } else {
            words.push(u32::from(v));
        }
    }
    let spent = correct(&mut words, 1 + nd, &erased)?;
    let mask = words[0];
    if mask > 3 {
        return None;
    }
    let step = MASK_STEPS[mask as usize];
    let data: Vec<u8> =
        words[1..=nd].iter().enumerate().map(|(j, &v)| ((v + GF - step * j as u32 % GF) % GF) as u8).collect();
    let Content { bytes, ecis, gs1 } = annex_f(&data)?;
    Some(Decoded { bytes, ecis, gs1, spent })
}

/// Reed–Solomon over the interleaved blocks (Annex B: block `s` holds words s, s + step,
/// …; its first `bd` the data, mask word included, the rest its checks).
fn correct(words: &mut [u32], ndm: usize, erased: &[usize]) -> Option<f32> {
    let nw = words.len();
    let step = (nw + GF as usize - 2) / (GF as usize - 1);
    let mut spent = 0f32;
    for start in 0..step {
        let bd = ndm.saturating_sub(start).div_ceil(step);
        let bw = (nw - start).div_ceil(step);
        let mut block: Vec<u32> = (0..bw).map(|i| words[start + i * step]).collect();
        let mine: Vec<usize> = erased
            .iter()
            .filter(|&&e| e >= start && (e - start).is_multiple_of(step))
            .map(|e| (e - start) / step)
            .collect();
        let c = gfp::correct(GF, &mut block, bw - bd, &mine, MARGIN)?;
        spent = spent.max(c.spent);
        for (i, v) in block.into_iter().enumerate() {
            words[start + i * step] = v;
        }
    }
    Some(spent)
}

/// The code set being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Set {
    A,
    B,
    C,
    Binary,
}

/// What the data words say.
struct Content {
    bytes: Vec<u8>,
    /// ECIs declared: the byte offset where each starts, its number.
    ecis: Vec<(usize, u32)>,
    gs1: bool,
}

/// Annex F backwards: the data words to their content. `None` for a word the place does
/// not allow.
fn annex_f(cw: &[u8]) -> Option<Content> {
    let mut r = Reader { cw, i: 0, out: Vec::with_capacity(cw.len() * 2), ecis: Vec::new(), digits: Vec::new() };
    // Reader initialisation (FNC3) first says nothing about the data.
    while r.cw.get(r.i) == Some(&109) {
        r.i += 1;
    }
    let mut gs1 = false;
    match r.cw.get(r.i) {
        Some(107) => r.i += 1,              // FNC1 first: not GS1
        Some(&v) if v <= 100 => gs1 = true, // digits first: GS1
        _ => {}
    }
    let mut suffix: &[u8] = &[];
    let mut set = Set::C;
    if r.cw.get(r.i) == Some(&106) && matches!(r.cw.get(r.i + 1), Some(97..=100)) {
        // A macro: the ISO/IEC 15434 envelope around the data.
        let (head, tail): (&[u8], &[u8]) = match r.cw[r.i + 1] {
            97 => (b"[)>\x1e05\x1d", b"\x1e\x04"),
            98 => (b"[)>\x1e06\x1d", b"\x1e\x04"),
            99 => (b"[)>\x1e12\x1d", b"\x1e\x04"),
            _ => (b"[)>\x1e", b"\x04"),
        };
        r.out.extend_from_slice(head);
        suffix = tail;
        set = Set::B;
        r.i += 2;
    }
    while r.i < r.cw.len() {
        let v = r.next()?;
        set = match set {
            Set::C => r.in_c(v)?,
            Set::B => r.in_b(v)?,
            Set::A => r.in_a(v)?,
            Set::Binary => r.in_binary(v)?,
        };
    }
    r.flush()?;
    r.out.extend_from_slice(suffix);
    Some(Content { bytes: r.out, ecis: r.ecis, gs1 })
}

/// The words being read and what they have said so far.
struct Reader<'a> {
    cw: &'a [u8],
    i: usize,
    out: Vec<u8>,
    ecis: Vec<(usize, u32)>,
    /// Base-103 digits of the binary set not yet turned into bytes.
    digits: Vec<u8>,
}

impl Reader<'_> {
    fn next(&mut self) -> Option<u8> {
        let v = *self.cw.get(self.i)?;
        self.i += 1;
        Some(v)
    }

    /// Two digits of code set C.
    fn pair(&mut self, v: u8) -> Option<()> {
        (v <= 99).then(|| self.out.extend_from_slice(&[b'0' + v / 10, b'0' + v % 10]))
    }

    fn pairs(&mut self, n: usize) -> Option<()> {
        for _ in 0..n {
            let v = self.next()?;
            self.pair(v)?;
        }
        Some(())
    }

    /// A code set A value as a character: 0-63 are ASCII 32-95, 64-95 ASCII 0-31.
    fn a_char(v: u8) -> Option<u8> {
        match v {
            0..=63 => Some(v + 32),
            64..=95 => Some(v - 64),
            _ => None,
        }
    }

    /// A code set B value as characters.
    fn b_chars(&mut self, v: u8) -> Option<()> {
        match v {
            0..=95 => self.out.push(v + 32),
            96 => self.out.extend_from_slice(b"\r\n"),
            97 => self.out.push(9),
            98 => self.out.push(28),
            99 => self.out.push(29),
            100 => self.out.push(30),
            _ => return None,
        }
        Some(())
    }

    fn shift_b(&mut self, n: usize) -> Option<()> {
        for _ in 0..n {
            let v = self.next()?;
            self.b_chars(v)?;
        }
        Some(())
    }

    /// FNC1, ECI, FNC3, the upper shifts and the binary latch: the same in sets A, B, C.
    fn common(&mut self, v: u8, set: Set) -> Option<Set> {
        match v {
            107 => self.out.push(29),
            108 => {
                let a = u32::from(self.next()?);
                let eci = if a < 40 {
                    a
                } else {
                    let (b, c) = (u32::from(self.next()?), u32::from(self.next()?));
                    (a - 40) * 12769 + b * 113 + c + 40
                };
                self.ecis.push((self.out.len(), eci));
            }
            109 => {}
            110 => {
                let c = Self::a_char(self.next()?)?;
                self.out.push(c + 128);
            }
            111 => {
                let c = self.next()?;
                if c > 95 {
                    return None;
                }
                self.out.push(c + 32 + 128);
            }
            112 => return Some(Set::Binary),
            _ => return None,
        }
        Some(set)
    }

    fn in_c(&mut self, v: u8) -> Option<Set> {
        match v {
            0..=99 => self.pair(v)?,
            100 => {
                // 17yymmdd10: the date's AI, three pairs, the batch's AI.
                self.out.extend_from_slice(b"17");
                self.pairs(3)?;
                self.out.extend_from_slice(b"10");
            }
            101 => return Some(Set::A),
            102..=105 => self.shift_b(usize::from(v - 101))?,
            106 => return Some(Set::B),
            _ => return self.common(v, Set::C),
        }
        Some(Set::C)
    }

    fn in_b(&mut self, v: u8) -> Option<Set> {
        match v {
            0..=100 => self.b_chars(v)?,
            101 => {
                let c = Self::a_char(self.next()?)?;
                self.out.push(c);
            }
            102 => return Some(Set::A),
            103..=105 => self.pairs(usize::from(v - 101))?,
            106 => return Some(Set::C),
            _ => return self.common(v, Set::B),
        }
        Some(Set::B)
    }

    fn in_a(&mut self, v: u8) -> Option<Set> {
        match v {
            0..=95 => self.out.push(Self::a_char(v)?),
            96..=101 => self.shift_b(usize::from(v - 95))?,
            102 => return Some(Set::B),
            103..=105 => self.pairs(usize::from(v - 101))?,
            106 => return Some(Set::C),
            _ => return self.common(v, Set::A),
        }
        Some(Set::A)
    }

    fn in_binary(&mut self, v: u8) -> Option<Set> {
        match v {
            0..=102 => {
                self.digits.push(v);
                if self.digits.len() == 6 {
                    self.flush()?;
                }
                Some(Set::Binary)
            }
            103..=108 => {
                self.flush()?;
                self.pairs(usize::from(v - 101))?;
                Some(Set::Binary)
            }
            109 => self.flush().map(|_| Set::A),
            110 => self.flush().map(|_| Set::B),
            111 => self.flush().map(|_| Set::C),
            _ => None,
        }
    }

    /// The pending base-103 digits (n + 1 of them) as n bytes in base 259, each below 256.
    fn flush(&mut self) -> Option<()> {
        let n = self.digits.len();
        if n == 0 {
            return Some(());
        }
        if n == 1 {
            return None;
        }
        let value = self.digits.iter().fold(0u64, |acc, &d| acc * 103 + u64::from(d));
        self.digits.clear();
        let mut bytes = [0u8; 5];
        let mut rest = value;
        for b in bytes[..n - 1].iter_mut().rev() {
            let d = rest % 259;
            if d > 255 {
                return None;
            }
            *b = d as u8;
            rest /= 259;
        }
        if rest != 0 {
            return None;
        }
        self.out.extend_from_slice(&bytes[..n - 1]);
        Some(())
    }
}

/// The result for a decoded lattice.
fn found(l: &Lattice, d: Decoded, lay: Lay) -> Found {
    let (text, bytes) = text(&d.bytes, &d.ecis);
    let mut f = Found::plain("dotcode", &text);
    f.bytes = bytes;
    f.gs1 = d.gs1;
    f.eci = !d.ecis.is_empty();
    f.symbology_identifier = if d.gs1 {
        "]J1"
    } else if f.eci {
        "]J3"
    } else {
        "]J0"
    }
    .into();
    let (w, h) = (lay.w as f32, lay.h as f32);
    let corner = |x: f32, y: f32| {
        let (i, j) = lay.point(x, y);
        let (px, py) = l.pixel(i, j);
        (px.round() as i32, py.round() as i32)
    };
    f.position = [corner(-0.5, -0.5), corner(w - 0.5, -0.5), corner(w - 0.5, h - 0.5), corner(-0.5, h - 0.5)];
    f.mirrored = lay.mirrored;
    f.orientation = ((i32::from(lay.quarter) * 90 + l.angle().round() as i32) % 360 + 360) % 360;
    f.version = Some(format!("{}x{}", lay.w, lay.h));
    f.ec_unused = Some(1.0 - d.spent);
    f
}

/// The bytes as text: Latin-1 unless an ECI says UTF-8 (26) or ASCII (27); the raw bytes
/// too where an ECI is one we do not map or the bytes are not text.
fn text(bytes: &[u8], ecis: &[(usize, u32)]) -> (String, Option<Vec<u8>>) {
    let mut bounds: Vec<(usize, u32)> = vec![(0, 3)];
    bounds.extend_from_slice(ecis);
    let mut s = String::with_capacity(bytes.len());
    let mut raw = false;
    for (k, &(from, eci)) in bounds.iter().enumerate() {
        let to = bounds.get(k + 1).map_or(bytes.len(), |b| b.0);
        let part = &bytes[from.min(bytes.len())..to.min(bytes.len())];
        match eci {
            26 => match std::str::from_utf8(part) {
                Ok(t) => s.push_str(t),
                Err(_) => {
                    s.push_str(&String::from_utf8_lossy(part));
                    raw = true;
                }
            },
            3 | 27 | 170 => s.extend(part.iter().map(|&b| char::from(b))),
            _ => {
                s.extend(part.iter().map(|&b| char::from(b)));
                raw = true;
            }
        }
    }
    let control = bytes.iter().any(|&b| b < 32 && !matches!(b, 4 | 9 | 10 | 13 | 28..=30));
    (s, (raw || control).then(|| bytes.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::{dotcode, Symbol};

    /// Our encoder's dots for `data`.
    fn symbol(data: &[u8], gs1: bool, mask: Option<u8>) -> (Vec<bool>, usize, usize) {
        match dotcode::encode(data, None, mask, gs1).unwrap().symbol {
            Symbol::Matrix(m) => (m.dark, m.width, m.height),
            _ => unreachable!(),
        }
    }

    fn read_dots(dark: &[bool], w: usize, h: usize) -> Option<Decoded> {
        decode(&|x, y| dark[y * w + x], w, h)
    }

    #[test]
    fn our_encoder_read_back_in_every_code_set() {
        let cases: &[&[u8]] = &[
            b"https://example.com/dotcode",
            b"123456",
            b"17",
            b"Hi",
            b"Hello World 2026, 12345678 and lower case",
            b"\tTab first",
            b"line\r\nbreak\x1c\x1d\x1e",
            "caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e".as_bytes(),
            "\u{20ac}100 \u{4e2d}\u{6587}".as_bytes(),
            b"[)>\x1e05\x1dDATA123\x1e\x04",
            b"[)>\x1e06\x1dABC\x1e\x04",
            b"[)>\x1e12\x1dXYZ\x1e\x04",
            b"[)>\x1e99xyz\x04",
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ\x01\x02\x03abcdef",
        ];
        for &data in cases {
            let (dark, w, h) = symbol(data, false, None);
            let d = read_dots(&dark, w, h).unwrap_or_else(|| panic!("{:?}", String::from_utf8_lossy(data)));
            let (text, _) = text(&d.bytes, &d.ecis);
            assert_eq!(text, std::str::from_utf8(data).unwrap(), "{w}x{h}");
            assert!(!d.gs1);
            assert!(d.spent <= 0.25, "corner dots lit over data at most");
        }
    }

    #[test]
    fn binary_and_gs1_read_back() {
        // Latin-1 letters in a run go through the binary set.
        let data = "\u{e9}\u{e8}\u{ea}\u{eb}\u{e0}\u{e2}\u{e4}\u{f4}\u{f6}\u{fb}\u{fc}\u{ff} 123";
        let (dark, w, h) = symbol(data.as_bytes(), false, None);
        let d = read_dots(&dark, w, h).unwrap();
        assert_eq!(text(&d.bytes, &d.ecis).0, data);
        let (dark, w, h) = symbol(b"(01)09501101530003(17)261231(10)LOT-7", true, None);
        let d = read_dots(&dark, w, h).unwrap();
        assert!(d.gs1);
        // (17) is fixed in length and (10) last: no separator; 17…10 is one shortcut word.
        assert_eq!(d.bytes, b"01095011015300031726123110LOT-7");
    }

    #[test]
    fn every_mask_and_damage_within_the_checks() {
        let data = b"DotCode 2026: parcels, pharmacy, tobacco";
        for mask in 0..8 {
            let (mut dark, w, h) = symbol(data, false, Some(mask));
            assert_eq!(read_dots(&dark, w, h).unwrap().bytes, data, "mask {mask}");
            // A dot of a few words flipped: corrected, counted.
            let order = dot_order(w, h);
            for t in [0, 7, 19] {
                let (x, y) = order[2 + 9 * t + 4];
                let k = usize::from(y) * w + usize::from(x);
                dark[k] = !dark[k];
            }
            let d = read_dots(&dark, w, h).unwrap();
            assert_eq!(d.bytes, data, "mask {mask} damaged");
            assert!(d.spent > 0.0 && d.spent < 1.0);
        }
    }

    #[test]
    fn nothing_from_a_random_grid() {
        let mut next = crate::symbology::testkit::rng(17);
        let mut decoded = 0;
        for _ in 0..3000 {
            let (w, h) = (5 + next(30), 5 + next(30));
            if (w + h) % 2 == 0 {
                continue;
            }
            let dark: Vec<bool> = (0..w * h).map(|k| (k % w + k / w) % 2 == 0 && next(2) == 1).collect();
            decoded += usize::from(read_dots(&dark, w, h).is_some());
        }
        assert_eq!(decoded, 0);
    }

    #[test]
    fn lays_read_turned_and_mirrored() {
        let data = b"https://example.com/dotcode";
        let (dark, w, h) = symbol(data, false, None);
        for quarter in 0..4u8 {
            for mirrored in [false, true] {
                let (lw, lh) = if quarter % 2 == 0 { (w, h) } else { (h, w) };
                let lay = Lay { quarter, mirrored, w, h };
                let mut grid = vec![false; lw * lh];
                for y in 0..h {
                    for x in 0..w {
                        let (i, j) = lay.place(x, y);
                        grid[j * lw + i] = dark[y * w + x];
                    }
                }
                let l = Lattice::for_test(lw, lh, grid);
                let f = read_lattice(&l).unwrap_or_else(|| panic!("quarter {quarter} mirrored {mirrored}"));
                assert_eq!(f.text.as_bytes(), data);
                assert_eq!(f.mirrored, mirrored);
                assert_eq!(f.orientation, i32::from(quarter) * 90);
                assert_eq!(f.version.as_deref(), Some(format!("{w}x{h}").as_str()));
                assert_eq!(f.symbology_identifier, "]J0");
            }
        }
    }
}
