//! Royal Mail 4-State Customer Code (RM4SCC) and PostNL's KIX, which shares its alphabet:
//! each of 0-9 and A-Z is four bars, two with an ascender and two with a descender. A
//! character's index in `0-9A-Z` is 6 × row + column; the row picks which two bars rise,
//! the column which two fall, from the same six pairs. RM4SCC adds a start bar
//! (ascender), a check character (the row sums and column sums, each mod 6) and a stop bar
//! (full); KIX has none of them.

use super::fourstate::{self, Bar};
use super::{DataError, Encoded};

pub const RM4SCC_RULE: &str =
    "0-9 and A-Z (lower case is upper-cased), up to 50 characters; the check character is added";
pub const KIX_RULE: &str =
    "0-9 and A-Z (lower case is upper-cased), up to 18 characters (postcode, house number, X, suffix)";

/// RM4SCC: longer than any address a sorting machine reads (Royal Mail's is up to 9 + check).
const MAX: usize = 50;
/// KIX: postcode (6), house number (5), `X` and a suffix (6).
const KIX_MAX: usize = 18;

/// The six pairs of bar positions, in the order rows and columns number them (1-6).
pub const PAIRS: [(usize, usize); 6] = [(2, 3), (1, 3), (1, 2), (0, 3), (0, 2), (0, 1)];

fn index(symbology: &'static str, rule: &'static str, pos: usize, b: u8) -> Result<usize, DataError> {
    match b.to_ascii_uppercase() {
        c @ b'0'..=b'9' => Ok(usize::from(c - b'0')),
        c @ b'A'..=b'Z' => Ok(usize::from(c - b'A') + 10),
        _ => Err(DataError::BadChar { symbology, pos, ch: b as char, allowed: rule }),
    }
}

fn push_char(bars: &mut Vec<Bar>, k: usize) {
    let (up, down) = (PAIRS[k / 6], PAIRS[k % 6]);
    for i in 0..4 {
        bars.push(Bar::from_parts(up.0 == i || up.1 == i, down.0 == i || down.1 == i));
    }
}

fn indices(data: &[u8], symbology: &'static str, rule: &'static str, max: usize) -> Result<Vec<usize>, DataError> {
    if data.len() > max {
        return Err(DataError::TooLong { symbology, max, got: data.len(), unit: "characters" });
    }
    data.iter().enumerate().map(|(pos, &b)| index(symbology, rule, pos, b)).collect()
}

fn canonical(data: &[u8]) -> String {
    data.iter().map(|b| b.to_ascii_uppercase() as char).collect()
}

/// RM4SCC: start, the characters, the check character, stop.
pub fn rm4scc(data: &[u8]) -> Result<Encoded, DataError> {
    let ks = indices(data, "rm4scc", RM4SCC_RULE, MAX)?;
    let mut bars = Vec::with_capacity(ks.len() * 4 + 6);
    bars.push(Bar::Ascender);
    let (mut rows, mut cols) = (0, 0);
    for &k in &ks {
        push_char(&mut bars, k);
        rows += k / 6 + 1;
        cols += k % 6 + 1;
    }
    let (r, c) = ((rows + 5) % 6, (cols + 5) % 6);
    push_char(&mut bars, 6 * r + c);
    bars.push(Bar::Full);
    Ok(fourstate::encoded(&bars, canonical(data)))
}

/// KIX: the characters alone.
pub fn kix(data: &[u8]) -> Result<Encoded, DataError> {
    let ks = indices(data, "kix", KIX_RULE, KIX_MAX)?;
    let mut bars = Vec::with_capacity(ks.len() * 4);
    for &k in &ks {
        push_char(&mut bars, k);
    }
    Ok(fourstate::encoded(&bars, canonical(data)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::Symbol;

    fn states(e: Encoded) -> String {
        let Symbol::Matrix(m) = &e.symbol else { panic!() };
        fourstate::states(m).unwrap()
    }

    #[test]
    fn characters_and_check() {
        // '0' is tracker, tracker, full, full; 'Z' full, full, tracker, tracker.
        assert_eq!(states(kix(b"0Z").unwrap()), "TTFFFFTT");
        // Royal Mail's own example SN34RD1A: check character K.
        let sn = states(rm4scc(b"sn34rd1a").unwrap());
        let k = states(kix(b"K").unwrap());
        assert_eq!(&sn[1 + 32..1 + 36], k);
        assert!(sn.starts_with('A') && sn.ends_with('F') && sn.len() == 38);
        assert!(matches!(rm4scc(b"AB-1"), Err(DataError::BadChar { pos: 2, .. })));
        assert!(matches!(kix(&[b'1'; 19]), Err(DataError::TooLong { .. })));
    }
}
