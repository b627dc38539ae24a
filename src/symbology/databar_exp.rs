//! GS1 DataBar Expanded and Expanded Stacked (ISO/IEC 24724 §7): a GS1 element string as a
//! bit stream — a compressed field for (01) and the weight, price and date forms that
//! follow it, then the general-purpose field in numeric, alphanumeric and ISO/IEC 646
//! modes switched by the standard's rules (7.2.5.5) — cut into 12-bit data characters, a
//! check character (mod 211), finder patterns in the sequence for the character count;
//! stacked, 2-22 characters a row with the rows' separators, every other row reversed.

use super::databar::{stack, to_modules, weight, widths};
use super::{gs1_128, DataError, Encoded, HumanText, Linear, Symbol};
use crate::gs1::element;

pub const RULE: &str = "a GS1 element string in brackets, e.g. (01)09501101530003(3103)000123: up to 21 data characters (74 digits, 41 letters)";

/// The default characters per row of the stacked form (`segments`).
pub const DEFAULT_SEGMENTS: u8 = 4;

const G_SUM: [u32; 5] = [0, 348, 1388, 2948, 3988];
const T_EVEN: [u32; 5] = [4, 20, 52, 104, 204];
const MODULES_ODD: [i32; 5] = [12, 10, 8, 6, 4];
const WIDEST_ODD: [i32; 5] = [7, 5, 4, 3, 1];
/// Finder patterns A-F; in the sequences, 2k + 1 is pattern k and 2k + 2 it reversed.
const FINDER: [[u8; 5]; 6] =
    [[1, 8, 4, 1, 1], [3, 6, 4, 1, 1], [3, 4, 6, 1, 1], [3, 2, 8, 1, 1], [2, 6, 5, 1, 1], [2, 2, 9, 1, 1]];
/// The finder sequence by (symbol characters - 1) / 2 - 1 (Table 16).
const SEQUENCE: [&[u8]; 10] = [
    &[1, 2],
    &[1, 4, 3],
    &[1, 6, 3, 8],
    &[1, 10, 3, 8, 5],
    &[1, 10, 3, 8, 7, 12],
    &[1, 10, 3, 8, 9, 12, 11],
    &[1, 2, 3, 4, 5, 6, 7, 8],
    &[1, 2, 3, 4, 5, 6, 7, 10, 9],
    &[1, 2, 3, 4, 5, 6, 7, 10, 11, 12],
    &[1, 2, 3, 4, 5, 8, 7, 10, 9, 12, 11],
];
/// Data characters at most (the check character aside).
const MAX_DATA: usize = 21;

#[derive(Default)]
struct Bits(Vec<bool>);

impl Bits {
    fn push(&mut self, v: u32, n: u32) {
        self.0.extend((0..n).rev().map(|i| v >> i & 1 == 1));
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Numeric,
    Alpha,
    Iso,
}

const GS: u8 = 0x1d;
const ALPHA_PUNCT: &[u8] = b"*,-./";
const ISO_PUNCT: &[u8] = b"!\"%&'()*+,-./:;<=>?_ ";

/// The mode a character needs at least (FNC1 counts as numeric); `None`: not encodable.
fn kind(b: u8) -> Option<Mode> {
    if b == GS || b.is_ascii_digit() {
        Some(Mode::Numeric)
    } else if b.is_ascii_uppercase() || ALPHA_PUNCT.contains(&b) {
        Some(Mode::Alpha)
    } else if b.is_ascii_lowercase() || ISO_PUNCT.contains(&b) {
        Some(Mode::Iso)
    } else {
        None
    }
}

/// The next `n` characters from `i` are all `a` or `b` (and there are `n`).
fn next_are(f: &[u8], i: usize, n: usize, a: Mode, b: Mode) -> bool {
    i + n <= f.len() && f[i..i + n].iter().all(|&c| kind(c).is_some_and(|k| k == a || k == b))
}

/// The general-purpose field (7.2.5.5.1-3); returns the mode it ends in and a last odd
/// digit left for the caller to place.
fn general(f: &[u8], bits: &mut Bits) -> (Mode, Option<u8>) {
    let (mut mode, mut i, mut last) = (Mode::Numeric, 0, None);
    while i < f.len() {
        let c = f[i];
        let k = kind(c).unwrap_or(Mode::Iso);
        match mode {
            Mode::Numeric => {
                if i + 1 < f.len() {
                    if k != Mode::Numeric || kind(f[i + 1]) != Some(Mode::Numeric) {
                        bits.push(0, 4);
                        mode = Mode::Alpha;
                    } else {
                        let d = |b: u8| if b == GS { 10 } else { u32::from(b - b'0') };
                        bits.push(11 * d(c) + d(f[i + 1]) + 8, 7);
                        i += 2;
                    }
                } else if k != Mode::Numeric {
                    bits.push(0, 4);
                    mode = Mode::Alpha;
                } else {
                    last = Some(c - b'0');
                    i += 1;
                }
            }
            Mode::Alpha => {
                if c == GS {
                    bits.push(15, 5);
                    mode = Mode::Numeric;
                    i += 1;
                } else if k == Mode::Iso {
                    bits.push(4, 5);
                    mode = Mode::Iso;
                } else if next_are(f, i, 6, Mode::Numeric, Mode::Numeric)
                    || (f.len() - i >= 4
                        && f.len() - i <= 5
                        && next_are(f, i, f.len() - i, Mode::Numeric, Mode::Numeric))
                {
                    bits.push(0, 3);
                    mode = Mode::Numeric;
                } else if c.is_ascii_digit() {
                    bits.push(u32::from(c) - 43, 5);
                    i += 1;
                } else if c.is_ascii_uppercase() {
                    bits.push(u32::from(c) - 33, 6);
                    i += 1;
                } else {
                    bits.push(ALPHA_PUNCT.iter().position(|&p| p == c).unwrap_or(0) as u32 + 58, 6);
                    i += 1;
                }
            }
            Mode::Iso => {
                if c == GS {
                    bits.push(15, 5);
                    mode = Mode::Numeric;
                    i += 1;
                } else {
                    let no_iso_soon = f[i..f.len().min(i + 10)].iter().all(|&b| kind(b) != Some(Mode::Iso));
                    if no_iso_soon && next_are(f, i, 4, Mode::Numeric, Mode::Numeric) {
                        bits.push(0, 3);
                        mode = Mode::Numeric;
                    } else if no_iso_soon && next_are(f, i, 5, Mode::Alpha, Mode::Numeric) {
                        bits.push(4, 5);
                        mode = Mode::Alpha;
                    } else if c.is_ascii_digit() {
                        bits.push(u32::from(c) - 43, 5);
                        i += 1;
                    } else if c.is_ascii_uppercase() {
                        bits.push(u32::from(c) - 1, 7);
                        i += 1;
                    } else if c.is_ascii_lowercase() {
                        bits.push(u32::from(c) - 7, 7);
                        i += 1;
                    } else {
                        bits.push(ISO_PUNCT.iter().position(|&p| p == c).unwrap_or(0) as u32 + 232, 8);
                        i += 1;
                    }
                }
            }
        }
    }
    (mode, last)
}

fn num(s: &[u8]) -> u32 {
    s.iter().fold(0, |v, &b| v * 10 + u32::from(b.wrapping_sub(b'0')))
}

/// A YYMMDD date as the compressed field's value (day 00 allowed), if valid.
fn date(s: &[u8]) -> Option<u32> {
    let (yy, mm, dd) = (num(&s[0..2]), num(&s[2..4]), num(&s[4..6]));
    ((1..=12).contains(&mm) && dd <= 31).then_some(yy * 384 + (mm - 1) * 32 + dd)
}

/// The encodation method (Table 10) for raw data `s` (AIs and values, GS separators).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Method {
    /// "1": (01) then the general field.
    Gtin,
    /// "00": the general field alone.
    General,
    /// "0100" (3103) or "0101" (3202/3203): a weight item.
    Weight(u32),
    /// "01100" (392x) / "01101" (393x): a price item.
    Price(bool),
    /// "0111000"-"0111111": (310x)/(320x) with an optional date AI.
    WeightDate(u32),
}

fn method(s: &[u8]) -> Method {
    let n = s.len();
    if !(n >= 16 && s.starts_with(b"01")) {
        return Method::General;
    }
    if n < 20 || s[2] != b'9' || s[16] != b'3' {
        return Method::Gtin;
    }
    let dated = n == 34 && s[26] == b'1' && b"1357".contains(&s[27]) && date(&s[28..34]).is_some();
    match (s[17], s[18]) {
        (b'1', b'0') | (b'2', b'0') if n >= 26 && num(&s[20..26]) <= 99_999 => {
            let metric = s[17] == b'1';
            let w = num(&s[20..26]);
            if n == 26 {
                if metric && s[19] == b'3' && w <= 32_767 {
                    return Method::Weight(4);
                }
                if !metric && ((s[19] == b'2' && w <= 9_999) || (s[19] == b'3' && w <= 22_767)) {
                    return Method::Weight(5);
                }
                return Method::WeightDate(if metric { 56 } else { 57 });
            }
            if dated {
                return Method::WeightDate(56 + u32::from(s[27] - b'1') + if metric { 0 } else { 1 });
            }
            Method::Gtin
        }
        (b'9', b'2') if (b'0'..=b'3').contains(&s[19]) => Method::Price(false),
        (b'9', b'3') if (b'0'..=b'3').contains(&s[19]) && n >= 23 && s[20..23].iter().all(u8::is_ascii_digit) => {
            Method::Price(true)
        }
        _ => Method::Gtin,
    }
}

/// The bit stream, padded, and the symbol character count (check character included).
fn bit_stream(s: &[u8], per_row: usize) -> Result<(Bits, usize, usize), usize> {
    let mut b = Bits::default();
    b.push(0, 1); // No composite component.
    let m = method(s);
    let gtin12 = |b: &mut Bits| {
        for k in 0..4 {
            b.push(num(&s[3 + 3 * k..6 + 3 * k]), 10);
        }
    };
    let (var_at, rest) = match m {
        Method::Gtin => {
            b.push(4, 3);
            b.push(u32::from(s[2] - b'0'), 4);
            gtin12(&mut b);
            (Some(2), 16)
        }
        Method::General => {
            b.push(0, 4);
            (Some(3), 0)
        }
        Method::Weight(code) => {
            b.push(code, 4);
            gtin12(&mut b);
            let w = num(&s[20..26]);
            b.push(if code == 5 && s[19] == b'3' { w + 10_000 } else { w }, 15);
            (None, 26)
        }
        Method::Price(currency) => {
            b.push(if currency { 0x34 } else { 0x30 }, 7);
            gtin12(&mut b);
            b.push(u32::from(s[19] - b'0'), 2);
            if currency {
                b.push(num(&s[20..23]), 10);
            }
            (Some(6), if currency { 23 } else { 20 })
        }
        Method::WeightDate(code) => {
            b.push(code, 7);
            gtin12(&mut b);
            b.push(u32::from(s[19] - b'0') * 100_000 + num(&s[21..26]), 20);
            b.push(if s.len() == 34 { date(&s[28..34]).unwrap_or(38_400) } else { 38_400 }, 16);
            (None, s.len())
        }
    };
    let (mode, last) = general(&s[rest..], &mut b);
    let count = |bits: usize| {
        let mut sc = bits.div_ceil(12) + 1;
        if per_row > 0 && sc % per_row == 1 {
            sc += 1;
        }
        sc.max(4)
    };
    let mut sc = count(b.len());
    if let Some(d) = last {
        let room = 12 * (sc - 1) - b.len();
        if (4..=6).contains(&room) {
            b.push(u32::from(d) + 1, 4);
        } else {
            b.push(u32::from(d) * 11 + 10 + 8, 7);
        }
        sc = count(b.len());
    }
    if b.len() > 12 * MAX_DATA {
        return Err(b.len().div_ceil(12));
    }
    let mut room = (12 * (sc - 1) - b.len()) as i64;
    if mode == Mode::Numeric {
        b.push(0, 4);
        room -= 4;
    }
    while room > 0 {
        b.push(4, 5);
        room -= 5;
    }
    if let Some(at) = var_at {
        b.0[at] = sc % 2 == 1;
        b.0[at + 1] = sc > 14;
    }
    let data_chars = b.len() / 12;
    Ok((b, data_chars, sc))
}

fn char_widths(v: u32) -> [u8; 8] {
    let g = G_SUM.iter().rposition(|&s| v >= s).unwrap_or(0);
    let (q, r) = ((v - G_SUM[g]) / T_EVEN[g], (v - G_SUM[g]) % T_EVEN[g]);
    let odd = widths(q as i32, MODULES_ODD[g], 4, WIDEST_ODD[g], false);
    let even = widths(r as i32, 17 - MODULES_ODD[g], 4, 9 - WIDEST_ODD[g], true);
    let mut w = [0u8; 8];
    for k in 0..4 {
        w[2 * k] = odd[k];
        w[2 * k + 1] = even[k];
    }
    w
}

/// The elements of all characters and finders in reading order, guards' places included
/// (left 0 for the stacked form, which has its own per row).
fn elements(bits: &Bits, data_chars: usize) -> Vec<u8> {
    let chars: Vec<[u8; 8]> = (0..data_chars)
        .map(|i| char_widths(bits.0[12 * i..12 * i + 12].iter().fold(0, |v, &b| v << 1 | u32::from(b))))
        .collect();
    let symbol_chars = data_chars + 1;
    let p = (symbol_chars - 1) / 2 - 1;
    let seq = SEQUENCE[p];
    let mut checksum = 0u32;
    for (i, w) in chars.iter().enumerate() {
        // The weights row follows the finder beside the character (the first: row 0).
        let row = if i == 0 { 0 } else { 2 * usize::from(seq[i.div_ceil(2)]) - 3 + (1 - i % 2) };
        checksum += (0..8).map(|j| u32::from(w[j]) * weight(8 * row + j, 211)).sum::<u32>();
    }
    let check = char_widths(211 * (symbol_chars as u32 - 4) + checksum % 211);
    let blocks = symbol_chars.div_ceil(2);
    let mut e = vec![0u8; blocks * 5 + symbol_chars * 8 + 4];
    for (i, &f) in seq.iter().enumerate().take(blocks) {
        let f = usize::from(f) - 1;
        for j in 0..5 {
            e[21 * i + j + 10] = if f % 2 == 0 { FINDER[f / 2][j] } else { FINDER[f / 2][4 - j] };
        }
    }
    e[2..10].copy_from_slice(&check);
    for (i, w) in chars.iter().enumerate() {
        if i % 2 == 1 {
            let k = (i - 1) / 2 * 21 + 23;
            e[k..k + 8].copy_from_slice(w);
        } else {
            let k = i / 2 * 21 + 15;
            for j in 0..8 {
                e[k + j] = w[7 - j];
            }
        }
    }
    e
}

fn raw(sym: &'static str, data: &[u8]) -> Result<(Vec<u8>, String), DataError> {
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    let elements = gs1_128::parse_bracketed(text)?;
    let s = element::to_raw(&elements).into_bytes();
    if let Some(pos) = s.iter().position(|&b| kind(b).is_none()) {
        return Err(DataError::BadChar {
            symbology: sym,
            pos,
            ch: s[pos] as char,
            allowed: "GS1 characters (CSET 82)",
        });
    }
    Ok((s, element::to_bracketed(&elements)))
}

fn too_long(sym: &'static str, got: usize) -> DataError {
    DataError::Capacity2d {
        symbology: sym,
        got,
        limit: "21 data characters: 74 digits or 41 letters after the AIs' compression",
    }
}

/// DataBar Expanded: one row, the bracketed string as its text line.
pub fn expanded(data: &[u8]) -> Result<Encoded, DataError> {
    let (s, hri) = raw("databar-expanded", data)?;
    let (bits, data_chars, _) = bit_stream(&s, 0).map_err(|_| too_long("databar-expanded", data.len()))?;
    let mut e = elements(&bits, data_chars);
    let n = e.len();
    e[..2].copy_from_slice(&[1, 1]);
    e[n - 2..].copy_from_slice(&[1, 1]);
    let modules = to_modules(&e, false);
    let text = HumanText::Centered(hri.clone());
    Ok(Encoded {
        symbol: Symbol::Linear(Linear { modules, guards: Vec::new(), text, bearer: 0, addon: None, above: None }),
        canonical: hri,
    })
}

/// One separator row next to `row` (ISO/IEC 24724 7.2.8): its complement, but over the
/// finders light modules alternate with dark; returns it and the finder version latch.
struct Sep<'a> {
    row: &'a [bool],
    blocks: usize,
    special: usize,
    ltr: bool,
    odd_last: bool,
}

fn separator(p: &Sep<'_>, mut v2: bool, width: usize) -> (Vec<bool>, bool) {
    let row = p.row;
    let mut sep = vec![false; width];
    for j in 4 + p.special..row.len().saturating_sub(4) {
        sep[j] = !row[j];
    }
    let mut space = false;
    let mut at = |sep: &mut Vec<bool>, q: usize| {
        if row.get(q).copied().unwrap_or(false) {
            sep[q] = false;
            space = false;
        } else if q < sep.len() {
            sep[q] = !space;
            space = !space;
        }
    };
    for j in 0..p.blocks {
        let mut k = 49 * j + 19 + p.special;
        if p.ltr {
            let (a, b) = if v2 { (2, 15) } else { (0, 13) };
            for i in a..b {
                at(&mut sep, i + k);
            }
        } else {
            if p.odd_last {
                k -= 17;
            }
            let (a, b) = if v2 { (14, 2) } else { (12, 0) };
            for i in (b..=a).rev() {
                at(&mut sep, i + k);
            }
        }
        v2 = !v2;
    }
    (sep, v2)
}

/// DataBar Expanded Stacked: `segments` characters a row (2-22, even).
pub fn stacked(data: &[u8], segments: u8) -> Result<Encoded, DataError> {
    let (s, hri) = raw("databar-expanded-stacked", data)?;
    let cols = usize::from(segments.clamp(2, 22) / 2);
    let (bits, data_chars, symbol_chars) =
        bit_stream(&s, 2 * cols).map_err(|_| too_long("databar-expanded-stacked", data.len()))?;
    let e = elements(&bits, data_chars);
    let blocks = symbol_chars.div_ceil(2);
    let n_rows = blocks.div_ceil(cols);
    let mut rows: Vec<(Vec<bool>, usize)> = Vec::new();
    let (mut block, mut v2) = (0, false);
    let width = 2 + 49 * cols + 2;
    for r in 1..=n_rows {
        let in_row = if r * cols > blocks { blocks - block } else { cols };
        let special = r == n_rows && in_row != cols && r % 2 == 0 && cols % 2 == 0 && in_row % 2 == 1;
        let ltr = cols % 2 == 1 || r % 2 == 1 || special;
        let mut sub = vec![if special { 2 } else { 1 }, 1];
        sub.resize(2 + 21 * in_row, 0);
        for k in 0..in_row {
            let i = 2 + block * 21;
            for j in 0..21 {
                if i + j < e.len() {
                    let at = if ltr { 2 + 21 * k + j } else { 2 + 21 * (in_row - 1 - k) + (20 - j) };
                    sub[at] = e[i + j];
                }
            }
            block += 1;
        }
        sub.extend([1, 1]);
        let row = to_modules(&sub, !(r % 2 == 1 || special));
        if r != 1 {
            let mut middle = vec![false; width];
            for j in (5..49 * cols).step_by(2) {
                middle[j] = true;
            }
            let odd_last = r == n_rows && data_chars % 2 == 0;
            let p = Sep { row: &row, blocks: in_row, special: usize::from(special), ltr, odd_last };
            let (sep, _) = separator(&p, v2, width);
            rows.push((middle, 1));
            rows.push((sep, 1));
        }
        let below = (r != n_rows).then(|| {
            let p = Sep { row: &row, blocks: in_row, special: 0, ltr, odd_last: false };
            separator(&p, v2, width)
        });
        rows.push((row, 34));
        if let Some((sep, latch)) = below {
            v2 = latch;
            rows.push((sep, 1));
        }
    }
    let m = stack(&rows);
    Ok(Encoded { symbol: Symbol::Matrix(m), canonical: hri })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods() {
        assert_eq!(method(b"0109501101530003"), Method::Gtin);
        assert_eq!(method(b"10ABC"), Method::General);
        assert_eq!(method(b"01995011015300033103001750"), Method::Weight(4));
        assert_eq!(method(b"01995011015300033202001750"), Method::Weight(5));
        assert_eq!(method(b"01995011015300033102001750"), Method::WeightDate(56));
        assert_eq!(method(b"0199501101530003310300175015261231"), Method::WeightDate(60));
        assert_eq!(method(b"019950110153000339221234"), Method::Price(false));
    }

    #[test]
    fn sizes_and_limits() {
        let Symbol::Linear(l) = expanded(b"(01)09501101530003").unwrap().symbol else { panic!() };
        // 48 bits: four data characters and the check, three finders, guards: 5*17 + 3*15 + 4.
        assert_eq!(l.modules.len(), 134);
        assert!(matches!(expanded(b"(10)"), Err(DataError::Gs1(_))));
        let long = format!("(01)09501101530003(10){}(21){}", "A".repeat(20), "B".repeat(20));
        assert!(matches!(expanded(long.as_bytes()), Err(DataError::Capacity2d { .. })));
        let Symbol::Matrix(m) = stacked(b"(01)09501101530003(10)ABC123", 4).unwrap().symbol else { panic!() };
        assert_eq!(m.width, 102);
    }
}
