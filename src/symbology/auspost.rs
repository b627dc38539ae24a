//! Australia Post Standard Customer Barcode (37 bars): start, the format control code 11
//! and the 8-digit delivery point identifier (each digit two bars, 0-3 for full,
//! ascender, descender, tracker: digit d is d / 3 then d mod 3, and 9 is 3 then 0), one
//! filler tracker, four Reed–Solomon parity symbols over GF(64) (x⁶ + x + 1, roots α¹-α⁴;
//! each symbol three bars, 16·a + 4·b + c), stop.

use super::fourstate::{self, Bar};
use super::gf64;
use super::{DataError, Encoded};

pub const RULE: &str = "the 8-digit DPID (Standard Customer Barcode, format control code 11)";

fn digit(bars: &mut Vec<u8>, d: u8) {
    bars.extend(if d == 9 { [3, 0] } else { [d / 3, d % 3] });
}

pub fn encode(data: &[u8]) -> Result<Encoded, DataError> {
    if let Some(pos) = data.iter().position(|b| !b.is_ascii_digit()) {
        return Err(DataError::BadChar { symbology: "auspost", pos, ch: data[pos] as char, allowed: RULE });
    }
    if data.len() != 8 {
        return Err(DataError::Length { symbology: "auspost", expected: "8 digits (the DPID)", got: data.len() });
    }
    // Everything between start and stop, as bar digits: FCC, DPID, filler.
    let mut body = Vec::with_capacity(33);
    for d in [1, 1] {
        digit(&mut body, d);
    }
    for &b in data {
        digit(&mut body, b - b'0');
    }
    body.push(3);
    let symbols: Vec<u8> = body.chunks(3).map(|t| 16 * t[0] + 4 * t[1] + t[2]).collect();
    for p in gf64::parity(&symbols, 4) {
        body.extend([p / 16, p / 4 % 4, p % 4]);
    }
    let bars: Vec<Bar> = [1, 3].iter().chain(&body).chain(&[1, 3]).map(|&d| Bar::from_digit(d)).collect();
    Ok(fourstate::encoded(&bars, String::from_utf8_lossy(data).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::Symbol;

    #[test]
    fn thirty_seven_bars() {
        let e = encode(b"39987520").unwrap();
        let Symbol::Matrix(m) = &e.symbol else { panic!() };
        assert_eq!(fourstate::states(m).unwrap().len(), 37);
        assert!(matches!(encode(b"1234567"), Err(DataError::Length { .. })));
        assert!(matches!(encode(b"1234567x"), Err(DataError::BadChar { pos: 7, .. })));
    }
}
