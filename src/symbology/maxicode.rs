//! MaxiCode (ISO/IEC 16023), the UPS symbol: 33 rows of 30 hexagonal modules around a
//! bullseye, 144 six-bit codewords with Reed–Solomon error correction over GF(64). Modes 2
//! and 3 carry a structured carrier message — postal code, ISO 3166 country and class of
//! service in the primary message, the rest in the secondary; modes 4 (standard), 5
//! (enhanced error correction) and 6 (reader programming) carry the data alone. Text is
//! ISO/IEC 8859-1 in the five code sets A-E, with latches, shifts and the numeric shift
//! for runs of nine digits. The module each codeword bit lands on is the standard's
//! placement, read from `rxing`'s MaxiCode reader (its public codeword parser) once.

use super::{gf64, DataError, Encoded, Matrix, MatrixKind, Symbol};
use std::sync::OnceLock;

pub const RULE: &str = "Latin-1 text; mode 4 (default) holds 93 codewords (138 digits or 93 characters of set A), mode 5 77; modes 2 and 3 take postcode, country and service (or a UPS [)>RS01GS96 envelope) and 84 codewords of the rest";

pub const ROWS: usize = 33;
pub const COLS: usize = 30;

/// The structured carrier message's primary fields (modes 2 and 3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Primary {
    /// Postal code: up to 9 digits (mode 2) or 6 characters of code set A (mode 3).
    pub postcode: [u8; 9],
    pub len: u8,
    /// ISO 3166 numeric country code, 0-999.
    pub country: u16,
    /// Class of service, 0-999.
    pub service: u16,
}

impl Primary {
    pub fn postcode(&self) -> &[u8] {
        &self.postcode[..usize::from(self.len)]
    }
}

/// A code set value's meaning beyond a character.
const NS: u8 = 31;
const PAD: u8 = 33;
/// In set A the latch and shift to set B, in set B those to set A: the same values.
const LATCH: u8 = 63;
const SHIFT: u8 = 59;

/// A code set: a character's value in it, if it holds the character.
type CodeSet = fn(u8) -> Option<u8>;

/// Set A's characters by value (`None`: a control value).
fn set_a(b: u8) -> Option<u8> {
    Some(match b {
        b'\r' => 0,
        b'A'..=b'Z' => b - b'A' + 1,
        0x1c..=0x1e => b - 0x1c + 28,
        b' ' => 32,
        b'"'..=b'/' => b - b'"' + 34,
        b'0'..=b'9' => b - b'0' + 48,
        b':' => 58,
        _ => return None,
    })
}

/// Set B's characters by value.
fn set_b(b: u8) -> Option<u8> {
    const REST: &[u8] = b"{\0}~\x7f;<=>?[\\]^_ ,./:@!|";
    Some(match b {
        b'`' => 0,
        b'a'..=b'z' => b - b'a' + 1,
        0x1c..=0x1e => b - 0x1c + 28,
        _ => match REST.iter().position(|&c| c == b && b != 0) {
            Some(i) => 32 + i as u8,
            None => return None,
        },
    })
}

/// Sets C, D and E: (set, value) for the characters only they hold. The shift into set
/// C, D or E from A or B is value 60, 61 or 62.
fn set_cde(b: u8) -> Option<(u8, u8)> {
    const C_REST: &[u8] =
        &[0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xAA, 0xAC, 0xB1, 0xB2, 0xB3, 0xB5, 0xB9, 0xBA, 0xBC, 0xBD, 0xBE];
    const D_REST: &[u8] = &[0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0xA1, 0xA8, 0xAB, 0xAF, 0xB0, 0xB4, 0xB7, 0xB8, 0xBB, 0xBF];
    const E_REST: &[u8] = &[0x1F, 0x9F, 0xA0, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA9, 0xAD, 0xAE, 0xB6];
    if let Some(i) = C_REST.iter().position(|&c| c == b) {
        return Some((0, 32 + i as u8));
    }
    if let Some(i) = D_REST.iter().position(|&c| c == b) {
        return Some((1, 32 + i as u8));
    }
    if let Some(i) = E_REST.iter().position(|&c| c == b) {
        return Some((2, 35 + i as u8));
    }
    Some(match b {
        0xC0..=0xDA => (0, b - 0xC0),
        0x80..=0x89 => (0, b - 0x80 + 48),
        0xE0..=0xFA => (1, b - 0xE0),
        0x8A..=0x94 => (1, b - 0x8A + 47),
        0x00..=0x1A => (2, b),
        0x1B => (2, 30),
        0x95..=0x9E => (2, b - 0x95 + 48),
        _ => return None,
    })
}

/// The codewords of `text` from code set A: a greedy choice of latches and shifts that
/// every reader follows (not always the shortest: the standard leaves the choice open).
fn text_codewords(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut in_b = false;
    let mut i = 0;
    while i < text.len() {
        let digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits >= 9 {
            let v = text[i..i + 9].iter().fold(0u32, |v, &b| v * 10 + u32::from(b - b'0'));
            out.push(NS);
            out.extend((0..5).rev().map(|k| (v >> (6 * k) & 63) as u8));
            i += 9;
            continue;
        }
        let b = text[i];
        // The set we are in (A or B) and the other one.
        let (here, other): (CodeSet, CodeSet) = if in_b { (set_b, set_a) } else { (set_a, set_b) };
        match (here(b), other(b)) {
            (Some(v), _) => out.push(v),
            (None, Some(v)) => {
                // Latch for a run of two or more of the other set's characters, else shift.
                let run = text[i..].iter().take_while(|&&c| here(c).is_none() && other(c).is_some()).count();
                if run >= 2 {
                    out.push(LATCH);
                    in_b = !in_b;
                } else {
                    out.push(SHIFT);
                }
                out.push(v);
            }
            (None, None) => {
                // Sets C, D, E: a shift for each character (60, 61, 62 from A or B).
                let (set, v) = set_cde(b).unwrap_or((2, 0));
                out.push(60 + set);
                out.push(v);
            }
        }
        i += 1;
    }
    out
}

/// The module each of the 864 codeword bits lands on, and the modules no bit reaches.
fn placement() -> &'static [Option<u16>; ROWS * COLS] {
    static MAP: OnceLock<[Option<u16>; ROWS * COLS]> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = [None; ROWS * COLS];
        for (i, slot) in map.iter_mut().enumerate() {
            let Ok(mut m) = rxing::common::BitMatrix::new(COLS as u32, ROWS as u32) else { continue };
            m.set((i % COLS) as u32, (i / COLS) as u32);
            let words = rxing::maxicode::decoder::BitMatrixParser::new(&m).readCodewords();
            if let Some((c, &w)) = words.iter().enumerate().find(|(_, &w)| w != 0) {
                *slot = Some((6 * c + (5 - w.trailing_zeros() as usize)) as u16);
            }
        }
        map
    })
}

/// The orientation modules, always dark (row, column).
const ORIENTATION: [(usize, usize); 13] = [
    (0, 28),
    (0, 29),
    (9, 10),
    (9, 11),
    (10, 11),
    (15, 7),
    (16, 8),
    (16, 20),
    (17, 20),
    (22, 10),
    (23, 10),
    (22, 17),
    (23, 17),
];

/// The 10-codeword primary message of modes 2 and 3.
fn primary(mode: u8, p: &Primary) -> [u8; 10] {
    let (pc, len) = (p.postcode(), u64::from(p.len));
    let field: u64 = if mode == 2 {
        let v = pc.iter().fold(0u64, |v, &b| v * 10 + u64::from(b - b'0'));
        v | len << 30
    } else {
        // Six characters of code set A, padded with spaces, the first most significant.
        (0..6).fold(0u64, |v, i| v << 6 | u64::from(pc.get(i).and_then(|&b| set_a(b)).unwrap_or(32)))
    };
    let w = u64::from(mode) | field << 4 | u64::from(p.country) << 40 | u64::from(p.service) << 50;
    std::array::from_fn(|k| (w >> (6 * k) & 63) as u8)
}

/// The UPS envelope's header: `[)>` RS `01` GS and the two-digit year.
const ENVELOPE: &[u8] = b"[)>\x1e01\x1d";

/// Splits a UPS envelope `[)>RS01GSyy postcode GS country GS service GS rest` into its
/// primary fields and the secondary text (the header kept, the three fields taken out).
fn from_envelope(text: &[u8]) -> Option<(Primary, Vec<u8>)> {
    if !text.starts_with(ENVELOPE) || text.len() < 9 || !text[7..9].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut fields = text[9..].splitn(4, |&b| b == 0x1d);
    let (pc, country, service) = (fields.next()?, fields.next()?, fields.next()?);
    let rest = fields.next().unwrap_or(&[]);
    let num = |s: &[u8]| {
        (s.len() == 3 && s.iter().all(u8::is_ascii_digit))
            .then(|| s.iter().fold(0u16, |v, &b| v * 10 + u16::from(b - b'0')))
    };
    if pc.is_empty() || pc.len() > 9 {
        return None;
    }
    let mut p = Primary { country: num(country)?, service: num(service)?, len: pc.len() as u8, ..Primary::default() };
    p.postcode[..pc.len()].copy_from_slice(pc);
    let mut secondary = text[..9].to_vec();
    secondary.extend_from_slice(rest);
    Some((p, secondary))
}

fn needs(what: &'static str) -> DataError {
    DataError::Needs { symbology: "maxicode", what }
}

/// The primary message (`given`, or the UPS envelope's) and the secondary text of modes 2
/// and 3 (what a printer's `^BD` takes too).
pub fn primary_and_secondary(data: &[u8], given: Option<&Primary>) -> Option<(Primary, Vec<u8>)> {
    match given {
        Some(p) => Some((*p, data.to_vec())),
        None => from_envelope(data),
    }
}

/// Encodes `data` in `mode` (2-6); modes 2 and 3 take `primary` or the UPS envelope.
pub fn encode(data: &[u8], mode: u8, given: Option<&Primary>) -> Result<Encoded, DataError> {
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    let latin1 = super::latin1("maxicode", text, "Latin-1 characters (no ECI)")?;
    if latin1.len() > 256 {
        return Err(DataError::TooLong { symbology: "maxicode", max: 138, got: latin1.len(), unit: "characters" });
    }
    let mut cw = [0u8; 144];
    let (secondary_len, message) = match mode {
        2 | 3 => {
            let (p, rest) = match primary_and_secondary(&latin1, given) {
                Some(found) => found,
                None => {
                    return Err(needs(
                        "postcode, country and service (options) in modes 2 and 3, or data beginning with the UPS envelope [)>RS01GSyy postcode GS country GS service GS",
                    ))
                }
            };
            check_primary(mode, &p)?;
            cw[..10].copy_from_slice(&primary(mode, &p));
            (84, text_codewords(&rest))
        }
        _ if given.is_some() => return Err(needs("mode 2 or 3 for postcode, country and service")),
        _ => {
            let mut m = vec![mode];
            m.extend(text_codewords(&latin1));
            (if mode == 5 { 68 } else { 84 }, m)
        }
    };
    // Modes 4-6: the mode codeword and nine more in the primary, the rest in the secondary.
    let head = if matches!(mode, 2 | 3) { 0 } else { 10 };
    let room = head + secondary_len;
    if message.len() > room {
        return Err(DataError::Capacity2d {
            symbology: "maxicode",
            got: latin1.len(),
            limit: if mode == 5 {
                "mode 5: 77 codewords"
            } else if matches!(mode, 2 | 3) {
                "84 codewords after the primary message"
            } else {
                "mode 4 and 6: 93 codewords"
            },
        });
    }
    let mut padded = message;
    padded.resize(room, PAD);
    if head == 10 {
        cw[..10].copy_from_slice(&padded[..10]);
        cw[20..20 + secondary_len].copy_from_slice(&padded[10..]);
    } else {
        cw[20..20 + secondary_len].copy_from_slice(&padded);
    }
    let ecc = gf64::parity(&cw[..10], 10);
    cw[10..20].copy_from_slice(&ecc);
    let n_ec = (124 - secondary_len) / 2;
    for odd in 0..2 {
        let half: Vec<u8> = (0..secondary_len / 2).map(|j| cw[20 + 2 * j + odd]).collect();
        for (j, p) in gf64::parity(&half, n_ec).into_iter().enumerate() {
            cw[20 + secondary_len + 2 * j + odd] = p;
        }
    }
    let map = placement();
    let mut dark = vec![false; ROWS * COLS];
    for (i, slot) in map.iter().enumerate() {
        if let Some(b) = slot {
            let (c, bit) = (usize::from(*b) / 6, usize::from(*b) % 6);
            dark[i] = cw[c] >> (5 - bit) & 1 == 1;
        }
    }
    for (r, c) in ORIENTATION {
        dark[r * COLS + c] = true;
    }
    Ok(Encoded {
        symbol: Symbol::Matrix(Matrix { width: COLS, height: ROWS, dark, kind: MatrixKind::MaxiCode }),
        canonical: text.to_owned(),
    })
}

fn check_primary(mode: u8, p: &Primary) -> Result<(), DataError> {
    let pc = p.postcode();
    if mode == 2 && (pc.is_empty() || !pc.iter().all(u8::is_ascii_digit)) {
        return Err(needs("in mode 2 a postcode of 1-9 digits (mode 3 takes letters)"));
    }
    if mode == 3 && (pc.is_empty() || pc.len() > 6 || !pc.iter().all(|&b| set_a(b).is_some_and(|v| v != 0 && v < 59))) {
        return Err(needs("in mode 3 a postcode of 1-6 characters of code set A (A-Z, 0-9, space, punctuation)"));
    }
    if p.country > 999 || p.service > 999 {
        return Err(needs("country and service of 3 digits each"));
    }
    Ok(())
}
