//! Australia Post's Standard Customer Barcode out of 37 four-state bars (`fourstate.rs`),
//! the encoder's steps backwards (`symbology/auspost.rs`): start and stop (ascender,
//! tracker), the format control code 11, the 8-digit DPID as bar pairs, the filler
//! tracker, and four Reed–Solomon parity symbols over GF(64) that must be the ones the
//! data gives (a misread bar changes a symbol; four parity symbols catch any such change
//! of up to four symbols). Only format 11 is read, as the encoder writes it: the text is
//! the DPID. Pure.

use crate::symbology::fourstate::Bar;
use crate::symbology::gf64;

/// A bar's value in the standard's tables: 0 full, 1 ascender, 2 descender, 3 tracker.
fn value(b: Bar) -> u8 {
    match b {
        Bar::Full => 0,
        Bar::Ascender => 1,
        Bar::Descender => 2,
        Bar::Tracker => 3,
    }
}

/// A digit from its two bar values (the N table: `d / 3, d mod 3`, and 9 as `3, 0`).
fn digit(a: u8, b: u8) -> Option<u8> {
    match (a, b) {
        (3, 0) => Some(9),
        (0..=2, 0..=2) => Some(3 * a + b),
        _ => None,
    }
}

/// The DPID of 37 bars in reading order, if they are a Standard Customer Barcode with
/// format 11 and good parity.
pub fn decode(bars: &[Bar]) -> Option<String> {
    if bars.len() != 37 || bars[..2] != [Bar::Ascender, Bar::Tracker] || bars[35..] != [Bar::Ascender, Bar::Tracker] {
        return None;
    }
    let body: Vec<u8> = bars[2..35].iter().map(|&b| value(b)).collect();
    let (data, parity) = body.split_at(21);
    let symbols: Vec<u8> = data.chunks(3).map(|t| 16 * t[0] + 4 * t[1] + t[2]).collect();
    let given: Vec<u8> = parity.chunks(3).map(|t| 16 * t[0] + 4 * t[1] + t[2]).collect();
    if gf64::parity(&symbols, 4) != given || data[20] != 3 {
        return None;
    }
    let digits: Vec<u8> = data[..20].chunks(2).map(|p| digit(p[0], p[1])).collect::<Option<_>>()?;
    if digits[..2] != [1, 1] {
        return None;
    }
    Some(digits[2..].iter().map(|d| char::from(b'0' + d)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::{auspost, fourstate};

    fn bars(dpid: &str) -> Vec<Bar> {
        fourstate::bars_of(&auspost::encode(dpid.as_bytes()).unwrap())
    }

    #[test]
    fn reads_what_we_write() {
        for d in ["39987520", "00000000", "99999999", "12345678"] {
            assert_eq!(decode(&bars(d)).as_deref(), Some(d), "{d}");
        }
    }

    #[test]
    fn a_changed_bar_or_the_wrong_way_round_is_not_read() {
        let b = bars("39987520");
        for i in 0..37 {
            for other in [Bar::Full, Bar::Ascender, Bar::Descender, Bar::Tracker] {
                if other != b[i] {
                    let mut w = b.clone();
                    w[i] = other;
                    assert_eq!(decode(&w), None, "bar {i} as {other:?}");
                }
            }
        }
        let turned = fourstate::turned(&b);
        assert_eq!(decode(&turned), None);
    }
}
