//! USPS Intelligent Mail barcode (USPS-B-3200), 65 bars: the 20-digit tracking code and
//! the 0, 5, 9 or 11-digit routing code as one 102-bit number, an 11-bit CRC over it,
//! ten codewords (one base 636, nine base 1365), each a 13-bit character from the 5-of-13
//! and 2-of-13 tables, and the 130 character bits scattered over the bars' ascenders and
//! descenders by the standard's bar-to-character table.

use super::fourstate::{self, Bar};
use super::{DataError, Encoded};

pub const RULE: &str = "a 20-digit tracking code (its second digit 0-4), optionally followed by '-' and a 5, 9 or 11-digit routing ZIP code";

/// For each character A-J, the bars (1-based: 1-65 descenders, 66-130 ascenders, as the
/// standard's Appendix D Table IV numbers them) that its bits 0-12 set.
pub(crate) const BAR_OF_BIT: [u8; 130] = [
    67, 6, 78, 16, 86, 95, 34, 40, 45, 113, 117, 121, 62, 87, 18, 104, 41, 76, 57, 119, 115, 72, 97, 2, 127, 26, 105,
    35, 122, 52, 114, 7, 24, 82, 68, 63, 94, 44, 77, 112, 70, 100, 39, 30, 107, 15, 125, 85, 10, 65, 54, 88, 20, 106,
    46, 66, 8, 116, 29, 61, 99, 80, 90, 37, 123, 51, 25, 84, 129, 56, 4, 109, 96, 28, 36, 47, 11, 71, 33, 102, 21, 9,
    17, 49, 124, 79, 64, 91, 42, 69, 53, 60, 14, 1, 27, 103, 126, 75, 89, 50, 120, 19, 32, 110, 92, 111, 130, 59, 31,
    12, 81, 43, 55, 5, 74, 22, 101, 128, 58, 118, 48, 108, 38, 98, 93, 23, 83, 13, 73, 3,
];

/// The n-of-13 table: 13-bit values with `n` ones, each value and its bit reversal paired
/// from the front, the palindromes from the back (USPS-B-3200 Appendix D, I and II).
fn n_of_13(n: u32, len: usize) -> Vec<u16> {
    let mut t = vec![0u16; len];
    let (mut lo, mut hi) = (0, len);
    for v in 0u16..8192 {
        if v.count_ones() != n {
            continue;
        }
        let rev = v.reverse_bits() >> 3;
        if rev < v {
            continue;
        }
        if rev == v {
            hi -= 1;
            t[hi] = v;
        } else {
            t[lo] = v;
            t[lo + 1] = rev;
            lo += 2;
        }
    }
    t
}

/// The 5-of-13 and 2-of-13 tables, built once.
pub(crate) fn tables() -> &'static (Vec<u16>, Vec<u16>) {
    static T: std::sync::OnceLock<(Vec<u16>, Vec<u16>)> = std::sync::OnceLock::new();
    T.get_or_init(|| (n_of_13(5, 1287), n_of_13(2, 78)))
}

/// The CRC-11 (polynomial 0xF35, preset 0x7FF) over the 102 bits, most significant first.
pub(crate) fn crc11(value: u128) -> u16 {
    let mut fcs: u16 = 0x7FF;
    for bit in (0..102).rev() {
        let b = ((value >> bit) & 1) as u16;
        fcs = if ((fcs >> 10) & 1) ^ b != 0 { (fcs << 1) ^ 0xF35 } else { fcs << 1 } & 0x7FF;
    }
    fcs
}

fn digits(s: &[u8]) -> u128 {
    s.iter().fold(0u128, |v, &b| v * 10 + u128::from(b - b'0'))
}

/// Splits `tracking[-routing]` (or 20, 25, 29 or 31 digits run together).
fn split(data: &[u8]) -> Result<(&[u8], &[u8]), DataError> {
    let bad = |pos: usize| DataError::BadChar { symbology: "imb", pos, ch: data[pos] as char, allowed: RULE };
    let (tracking, routing) = match data.iter().position(|&b| b == b'-') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => data.split_at(data.len().min(20)),
    };
    if let Some(pos) =
        data.iter().enumerate().position(|(i, b)| !(b.is_ascii_digit() || *b == b'-' && i == tracking.len()))
    {
        return Err(bad(pos));
    }
    if tracking.len() != 20 || ![0, 5, 9, 11].contains(&routing.len()) {
        return Err(DataError::Length {
            symbology: "imb",
            expected: "20 tracking digits and 0, 5, 9 or 11 routing digits",
            got: data.len(),
        });
    }
    if tracking[1] > b'4' {
        return Err(DataError::BadChar {
            symbology: "imb",
            pos: 1,
            ch: tracking[1] as char,
            allowed: "the barcode identifier's second digit is 0-4",
        });
    }
    Ok((tracking, routing))
}

pub fn encode(data: &[u8]) -> Result<Encoded, DataError> {
    let (tracking, routing) = split(data)?;
    let mut value: u128 = match routing.len() {
        0 => 0,
        5 => digits(routing) + 1,
        9 => digits(routing) + 100_000 + 1,
        _ => digits(routing) + 1_000_000_000 + 100_000 + 1,
    };
    value = value * 10 + u128::from(tracking[0] - b'0');
    value = value * 5 + u128::from(tracking[1] - b'0');
    for &b in &tracking[2..] {
        value = value * 10 + u128::from(b - b'0');
    }
    let fcs = crc11(value);
    let mut cw = [0u32; 10];
    cw[9] = (value % 636) as u32;
    value /= 636;
    for c in cw[1..9].iter_mut().rev() {
        *c = (value % 1365) as u32;
        value /= 1365;
    }
    cw[0] = value as u32;
    cw[9] *= 2;
    if fcs & 0x400 != 0 {
        cw[0] += 659;
    }
    let (t5, t2) = tables();
    let mut on = [false; 130];
    for (i, &c) in cw.iter().enumerate() {
        let mut ch = if c < 1287 { t5[c as usize] } else { t2[(c - 1287) as usize] };
        if fcs & (1 << i) != 0 {
            ch = !ch & 0x1FFF;
        }
        for bit in 0..13 {
            on[usize::from(BAR_OF_BIT[13 * i + bit]) - 1] = ch & (1 << bit) != 0;
        }
    }
    let bars: Vec<Bar> = (0..65).map(|i| Bar::from_parts(on[i + 65], on[i])).collect();
    let canonical = if routing.is_empty() {
        String::from_utf8_lossy(tracking).into_owned()
    } else {
        format!("{}-{}", String::from_utf8_lossy(tracking), String::from_utf8_lossy(routing))
    };
    Ok(fourstate::encoded(&bars, canonical))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::Symbol;

    fn states(d: &str) -> String {
        let Symbol::Matrix(m) = &encode(d.as_bytes()).unwrap().symbol else { panic!() };
        fourstate::states(m).unwrap()
    }

    #[test]
    fn tables_and_the_standard_example() {
        let t5 = n_of_13(5, 1287);
        assert_eq!(t5[..4], [0x001F, 0x1F00, 0x002F, 0x1E80]);
        assert_eq!(n_of_13(2, 78)[..4], [0x003, 0x1800, 0x005, 0x1400]);
        // USPS-B-3200's example: 01234567094987654321-01234567891.
        assert_eq!(
            states("01234567094987654321-01234567891"),
            "AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA"
        );
        assert_eq!(states("0123456709498765432101234567891"), states("01234567094987654321-01234567891"));
        assert!(matches!(encode(b"0523456709498765432"), Err(DataError::Length { .. })));
        assert!(matches!(encode(b"05234567094987654321"), Err(DataError::BadChar { pos: 1, .. })));
        assert!(matches!(encode(b"01234567094987654321-1234"), Err(DataError::Length { .. })));
    }
}
