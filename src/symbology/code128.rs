//! Code 128 with optimal code-set choice (A, B, C; shifts; FNC4 for Latin-1) found by dynamic
//! programming, so numeric runs are packed two digits per symbol. Our own encoder rather
//! than `barcoders`: that crate needs the caller to pick sets by hand, allocates per
//! character, and cannot express FNC4; the bar patterns here are the standard table.

use super::{DataError, Encoded, HumanText, Linear, Symbol};

/// Longest data accepted, in characters (scanners rarely read more than ~80 reliably).
pub const MAX_CHARS: usize = 256;

/// The data rule for `/v1/symbologies`.
pub const RULE: &str = "1-256 characters: ASCII 0-127, plus Latin-1 (U+0080-U+00FF) via FNC4";

/// A symbol to encode: a byte (0..=255) or the FNC1 function character.
pub const FNC1: u16 = 256;

const START: [u8; 3] = [103, 104, 105];
const STOP: u8 = 106;
const SHIFT: u8 = 98;
const FNC1_VALUE: u8 = 102;

/// Bar/space patterns of values 0..=105 (11 modules) and STOP (13 modules, incl. the final bar).
const PATTERNS: [u16; 107] = [
    0b11011001100,
    0b11001101100,
    0b11001100110,
    0b10010011000,
    0b10010001100,
    0b10001001100,
    0b10011001000,
    0b10011000100,
    0b10001100100,
    0b11001001000,
    0b11001000100,
    0b11000100100,
    0b10110011100,
    0b10011011100,
    0b10011001110,
    0b10111001100,
    0b10011101100,
    0b10011100110,
    0b11001110010,
    0b11001011100,
    0b11001001110,
    0b11011100100,
    0b11001110100,
    0b11101101110,
    0b11101001100,
    0b11100101100,
    0b11100100110,
    0b11101100100,
    0b11100110100,
    0b11100110010,
    0b11011011000,
    0b11011000110,
    0b11000110110,
    0b10100011000,
    0b10001011000,
    0b10001000110,
    0b10110001000,
    0b10001101000,
    0b10001100010,
    0b11010001000,
    0b11000101000,
    0b11000100010,
    0b10110111000,
    0b10110001110,
    0b10001101110,
    0b10111011000,
    0b10111000110,
    0b10001110110,
    0b11101110110,
    0b11010001110,
    0b11000101110,
    0b11011101000,
    0b11011100010,
    0b11011101110,
    0b11101011000,
    0b11101000110,
    0b11100010110,
    0b11101101000,
    0b11101100010,
    0b11100011010,
    0b11101111010,
    0b11001000010,
    0b11110001010,
    0b10100110000,
    0b10100001100,
    0b10010110000,
    0b10010000110,
    0b10000101100,
    0b10000100110,
    0b10110010000,
    0b10110000100,
    0b10011010000,
    0b10011000010,
    0b10000110100,
    0b10000110010,
    0b11000010010,
    0b11001010000,
    0b11110111010,
    0b11000010100,
    0b10001111010,
    0b10100111100,
    0b10010111100,
    0b10010011110,
    0b10111100100,
    0b10011110100,
    0b10011110010,
    0b11110100100,
    0b11110010100,
    0b11110010010,
    0b11011011110,
    0b11011110110,
    0b11110110110,
    0b10101111000,
    0b10100011110,
    0b10001011110,
    0b10111101000,
    0b10111100010,
    0b11110101000,
    0b11110100010,
    0b10111011110,
    0b10111101110,
    0b11101011110,
    0b11110101110,
    0b11010000100,
    0b11010010000,
    0b11010011100,
    0b1100011101011,
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Encode one atom in the current set (with FNC4 when extended).
    Single,
    /// Encode one atom through SHIFT into the other of A/B.
    Shift,
    /// Encode two digits (or FNC1) in set C.
    Pair,
    /// Encode FNC1 in set C.
    CFnc1,
}

/// The value of `atom` in set A (0) or B (1), and whether it needs an FNC4 prefix.
fn ab_value(set: usize, atom: u16) -> Option<(u8, bool)> {
    if atom == FNC1 {
        return Some((FNC1_VALUE, false));
    }
    let (low, ext) = if atom >= 128 { (atom - 128, true) } else { (atom, false) };
    let v = match (set, low) {
        (0, 0..=31) => low + 64,
        (0, 32..=95) | (1, 32..=127) => low - 32,
        _ => return None,
    };
    Some((v as u8, ext))
}

fn is_digit(a: u16) -> bool {
    (b'0' as u16..=b'9' as u16).contains(&a)
}

/// Encodes `atoms` into Code 128 symbol values (start .. checksum, without stop), choosing
/// the code sets that minimise the symbol count.
pub fn values(atoms: &[u16]) -> Vec<u8> {
    let n = atoms.len();
    const INF: u32 = u32::MAX / 4;
    // stay[i][s]: fewest symbols for atoms[i..] when in set s and the next symbol is data
    // (no switch); best[i][s]: the same when a switch first is allowed (target in `to`).
    let mut stay = vec![[0u32; 3]; n + 1];
    let mut best = vec![[0u32; 3]; n + 1];
    let mut choice = vec![[Step::Single; 3]; n + 1];
    let mut to = vec![[0usize; 3]; n + 1];
    for i in (0..n).rev() {
        let mut st = [INF; 3];
        for s in 0..2 {
            if let Some((_, ext)) = ab_value(s, atoms[i]) {
                st[s] = 1 + ext as u32 + best[i + 1][s];
            } else if atoms[i] < 128 && ab_value(1 - s, atoms[i]).is_some() {
                st[s] = 2 + best[i + 1][s];
                choice[i][s] = Step::Shift;
            }
        }
        if atoms[i] == FNC1 {
            st[2] = 1 + best[i + 1][2];
            choice[i][2] = Step::CFnc1;
        } else if i + 1 < n && is_digit(atoms[i]) && is_digit(atoms[i + 1]) {
            st[2] = 1 + best[i + 2][2];
            choice[i][2] = Step::Pair;
        }
        for s in 0..3 {
            let (mut cost, mut target) = (st[s], s);
            // On a tie B before A (A is only needed for control characters, and printers'
            // ^BC and renderers differ on code set A), then C.
            for t in [1, 0, 2] {
                let c = st[t];
                if t != s && c + 1 < cost {
                    (cost, target) = (c + 1, t);
                }
            }
            best[i][s] = cost;
            to[i][s] = target;
        }
        stay[i] = st;
    }
    // The start code picks the set, so the first set is the one cheapest without a switch.
    let mut set = if n == 0 { 1 } else { [1, 2, 0].into_iter().min_by_key(|&s| stay[0][s]).unwrap_or(1) };
    let mut out = Vec::with_capacity(n + 4);
    out.push(START[set]);
    let mut i = 0;
    while i < n {
        let target = if i == 0 { set } else { to[i][set] };
        if target != set {
            out.push(switch_code(set, target));
            set = target;
        }
        match choice[i][set] {
            Step::Single => {
                let (v, ext) = ab_value(set, atoms[i]).unwrap_or((0, false));
                if ext {
                    out.push(if set == 0 { 101 } else { 100 });
                }
                out.push(v);
                i += 1;
            }
            Step::Shift => {
                out.push(SHIFT);
                out.push(ab_value(1 - set, atoms[i]).map_or(0, |v| v.0));
                i += 1;
            }
            Step::Pair => {
                out.push(((atoms[i] - b'0' as u16) * 10 + (atoms[i + 1] - b'0' as u16)) as u8);
                i += 2;
            }
            Step::CFnc1 => {
                out.push(FNC1_VALUE);
                i += 1;
            }
        }
    }
    let weighted: u32 = out.iter().enumerate().skip(1).map(|(k, &v)| k as u32 * v as u32).sum();
    out.push(((out[0] as u32 + weighted) % 103) as u8);
    out
}

fn switch_code(from: usize, to: usize) -> u8 {
    match (from, to) {
        (_, 2) => 99,
        (2, 0) | (1, 0) => 101,
        _ => 100,
    }
}

/// Appends the modules of `values` plus the stop pattern.
pub fn modules(values: &[u8]) -> Vec<bool> {
    let mut m = Vec::with_capacity(values.len() * 11 + 13);
    for &v in values {
        let p = PATTERNS[v as usize];
        m.extend((0..11).rev().map(|b| p >> b & 1 == 1));
    }
    let p = PATTERNS[STOP as usize];
    m.extend((0..13).rev().map(|b| p >> b & 1 == 1));
    m
}

/// Validates text data and encodes it as Code 128.
pub fn encode(data: &[u8]) -> Result<Encoded, DataError> {
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    let count = text.chars().count();
    if count > MAX_CHARS {
        return Err(DataError::TooLong { symbology: "code128", max: MAX_CHARS, got: count, unit: "characters" });
    }
    let mut atoms = Vec::with_capacity(count);
    for (pos, ch) in text.chars().enumerate() {
        let c = ch as u32;
        if c > 0xFF {
            return Err(DataError::BadChar { symbology: "code128", pos, ch, allowed: RULE });
        }
        atoms.push(c as u16);
    }
    let hrt: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let modules = modules(&values(&atoms));
    Ok(Encoded {
        symbol: Symbol::Linear(Linear {
            modules,
            guards: Vec::new(),
            text: HumanText::Centered(hrt),
            bearer: 0,
            addon: None,
            above: None,
        }),
        canonical: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(s: &str) -> Vec<u16> {
        s.bytes().map(u16::from).collect()
    }

    #[test]
    fn numeric_uses_set_c() {
        // Start C, three pairs, checksum.
        let v = values(&atoms("123456"));
        assert_eq!(v[0], 105);
        assert_eq!(&v[1..4], &[12, 34, 56]);
        assert_eq!(v.len(), 5);
    }

    #[test]
    fn known_checksum() {
        // Set B: 104 + 1*48(P) + 2*42(J) + 3*42(J) + 4*17(1) + 5*18(2) + 6*19(3) + 7*35(C)
        // = 879, and 879 mod 103 = 55.
        let v = values(&atoms("PJJ123C"));
        assert_eq!(v[0], 104);
        assert_eq!(*v.last().unwrap(), 55);
    }

    #[test]
    fn mixed_switches_to_c_for_long_digit_runs() {
        let v = values(&atoms("ABC12345678"));
        // B: A B C, then CODE C for four pairs... an odd tail stays in B.
        assert!(v.contains(&99), "{v:?}");
        assert!(v.len() <= 1 + 3 + 1 + 4 + 1 + 1 + 1);
    }

    #[test]
    fn control_chars_use_set_a_and_latin1_uses_fnc4() {
        let v = values(&atoms("\tA"));
        assert_eq!(v[0], 103);
        let e = encode("é".as_bytes()).unwrap();
        assert_eq!(e.canonical, "é");
        assert!(matches!(encode("€".as_bytes()), Err(DataError::BadChar { .. })));
    }

    #[test]
    fn module_count() {
        let v = values(&atoms("AB"));
        let m = modules(&v);
        assert_eq!(m.len(), v.len() * 11 + 13);
        assert!(m[0] && m[m.len() - 1]);
    }
}
