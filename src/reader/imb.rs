//! USPS Intelligent Mail out of 65 four-state bars (`fourstate.rs`), the encoder's steps
//! backwards (`symbology/imb.rs`, USPS-B-3200): the 130 bar halves gathered into ten 13-bit
//! characters by the bar-to-character table; a character with 8 or 11 bits set is an
//! inverted 5-of-13 or 2-of-13 one, and the inversions are the CRC's low ten bits; the
//! characters' table positions are the ten codewords (the first carries the CRC's eleventh
//! bit, the last is doubled); the codewords make the 102-bit number, which must have that
//! CRC-11 — a misread bar almost never survives it — and split into the tracking code and
//! the 0, 5, 9 or 11-digit routing code. Pure.

use crate::symbology::fourstate::Bar;
use crate::symbology::imb::{crc11, tables, BAR_OF_BIT};

/// The tracking code (and `-routing`) of 65 bars in reading order, if they are an IMb with
/// a good CRC.
pub fn decode(bars: &[Bar]) -> Option<String> {
    if bars.len() != 65 {
        return None;
    }
    // Table numbering: bars 1-65 are the descenders, 66-130 the ascenders.
    let mut on = [false; 130];
    for (i, b) in bars.iter().enumerate() {
        on[i] = matches!(b, Bar::Full | Bar::Descender);
        on[i + 65] = matches!(b, Bar::Full | Bar::Ascender);
    }
    let (t5, t2) = tables();
    let mut fcs: u16 = 0;
    let mut cw = [0u32; 10];
    for (i, c) in cw.iter_mut().enumerate() {
        let mut ch: u16 = 0;
        for bit in 0..13 {
            if on[usize::from(BAR_OF_BIT[13 * i + bit]) - 1] {
                ch |= 1 << bit;
            }
        }
        if matches!(ch.count_ones(), 8 | 11) {
            ch = !ch & 0x1FFF;
            fcs |= 1 << i;
        }
        *c = match ch.count_ones() {
            5 => t5.iter().position(|&v| v == ch)? as u32,
            2 => 1287 + t2.iter().position(|&v| v == ch)? as u32,
            _ => return None,
        };
    }
    if cw[9] % 2 != 0 {
        return None;
    }
    cw[9] /= 2;
    if cw[0] >= 659 {
        cw[0] -= 659;
        fcs |= 0x400;
    }
    if cw[0] > 658 || cw[1..9].iter().any(|&c| c >= 1365) || cw[9] >= 636 {
        return None;
    }
    let mut value = u128::from(cw[0]);
    for &c in &cw[1..9] {
        value = value * 1365 + u128::from(c);
    }
    value = value * 636 + u128::from(cw[9]);
    if crc11(value) != fcs {
        return None;
    }
    let mut tracking = [0u8; 20];
    for d in tracking[2..].iter_mut().rev() {
        *d = (value % 10) as u8;
        value /= 10;
    }
    tracking[1] = (value % 5) as u8;
    value /= 5;
    tracking[0] = (value % 10) as u8;
    value /= 10;
    let mut text: String = tracking.iter().map(|d| char::from(b'0' + d)).collect();
    match value {
        0 => {}
        1..=100_000 => text.push_str(&format!("-{:05}", value - 1)),
        100_001..=1_000_100_000 => text.push_str(&format!("-{:09}", value - 100_001)),
        1_000_100_001..=101_000_100_000 => text.push_str(&format!("-{:011}", value - 1_000_100_001)),
        _ => return None,
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::{fourstate, imb};

    fn bars(data: &str) -> Vec<Bar> {
        fourstate::bars_of(&imb::encode(data.as_bytes()).unwrap())
    }

    #[test]
    fn reads_what_we_write_with_every_routing_length() {
        for d in [
            "01234567094987654321-01234567891",
            "01234567094987654321-012345678",
            "01234567094987654321-01234",
            "01234567094987654321",
            "00000000000000000000",
            "94999999999999999999-99999999999",
            "00040123456200800001-987654321",
        ] {
            assert_eq!(decode(&bars(d)).as_deref(), Some(d), "{d}");
        }
    }

    #[test]
    fn a_changed_bar_or_the_wrong_way_round_is_not_read() {
        let b = bars("01234567094987654321-01234567891");
        let mut flipped = 0;
        for i in 0..65 {
            for other in [Bar::Full, Bar::Ascender, Bar::Descender, Bar::Tracker] {
                if other == b[i] {
                    continue;
                }
                let mut w = b.clone();
                w[i] = other;
                if decode(&w).is_some() {
                    flipped += 1;
                }
            }
        }
        assert_eq!(flipped, 0, "every single-bar change is caught");
        // Upside down: the bars reversed, ascenders and descenders swapped.
        let turned = fourstate::turned(&b);
        assert_eq!(decode(&turned), None);
        assert_eq!(decode(&b[1..]), None);
    }
}
