//! Australia Post Standard Customer Barcode (37 bars): start, the format control code 11
//! and the 8-digit delivery point identifier (each digit two bars, 0-3 for full,
//! ascender, descender, tracker: digit d is d / 3 then d mod 3, and 9 is 3 then 0), one
//! filler tracker, four Reed–Solomon parity symbols over GF(64) (x⁶ + x + 1, roots α¹-α⁴;
//! each symbol three bars, 16·a + 4·b + c), stop.

use super::fourstate::{self, Bar};
use super::{DataError, Encoded};

pub const RULE: &str = "the 8-digit DPID (Standard Customer Barcode, format control code 11)";

/// GF(64) with the primitive polynomial x⁶ + x + 1: (exp, log).
fn gf64() -> ([u8; 63], [u8; 64]) {
    let (mut exp, mut log) = ([0u8; 63], [0u8; 64]);
    let mut v = 1u8;
    for (i, e) in exp.iter_mut().enumerate() {
        *e = v;
        log[usize::from(v)] = i as u8;
        v <<= 1;
        if v & 0x40 != 0 {
            v ^= 0x43;
        }
    }
    (exp, log)
}

/// The four parity symbols of `data`, highest degree first.
fn parity(data: &[u8]) -> [u8; 4] {
    let (exp, log) = gf64();
    let mul = |a: u8, b: u8| {
        if a == 0 || b == 0 {
            0
        } else {
            exp[(usize::from(log[usize::from(a)]) + usize::from(log[usize::from(b)])) % 63]
        }
    };
    // g(x) = (x - α)(x - α²)(x - α³)(x - α⁴), coefficients highest degree first.
    let mut g = vec![1u8];
    for &root in &exp[1..=4] {
        let mut next = vec![0u8; g.len() + 1];
        for (j, &c) in g.iter().enumerate() {
            next[j] ^= c;
            next[j + 1] ^= mul(c, root);
        }
        g = next;
    }
    let mut rem = [0u8; 4];
    for &d in data {
        let f = d ^ rem[0];
        rem.rotate_left(1);
        rem[3] = 0;
        for k in 0..4 {
            rem[k] ^= mul(f, g[k + 1]);
        }
    }
    rem
}

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
    for p in parity(&symbols) {
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
    fn thirty_seven_bars_with_a_parity_the_code_divides() {
        let e = encode(b"39987520").unwrap();
        let Symbol::Matrix(m) = &e.symbol else { panic!() };
        assert_eq!(fourstate::states(m).unwrap().len(), 37);
        // A codeword with its parity appended is divisible by g(x): zero remainder.
        let data = [5u8, 17, 60, 0, 33, 2, 47];
        let mut all = data.to_vec();
        all.extend(parity(&data));
        assert_eq!(parity(&all), [0; 4]);
        assert!(matches!(encode(b"1234567"), Err(DataError::Length { .. })));
        assert!(matches!(encode(b"1234567x"), Err(DataError::BadChar { pos: 7, .. })));
    }
}
