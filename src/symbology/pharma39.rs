//! Pharmaceutical numbers drawn as Code 39: `pzn` (Germany's Pharmazentralnummer, PZN8:
//! 7 digits and a mod-11 check digit with weights 1–7, drawn as `-` and the 8 digits, the
//! line `PZN - 12345678`) and `code32` (Italy's Codice Farmaceutico: 8 digits and a check
//! digit — odd places as they are, even places doubled and their digits summed, mod 10 —
//! the 9-digit number written in base 32 with 6 characters of `0-9 B-D F-H J-N P-Z`, the
//! line `A` and the 9 digits).

use super::{linear, luhn_sum, DataError, Encoded, HumanText, Symbol};

pub const PZN_RULE: &str = "7 digits (check digit computed) or 8 (verified); PZN8, mod 11 with weights 1-7 (a number whose check would be 10 is not a PZN)";
pub const CODE32_RULE: &str = "8 digits (check digit computed) or 9 (verified)";

const BASE32: &[u8; 32] = b"0123456789BCDFGHJKLMNPQRSTUVWXYZ";

fn digits(sym: &'static str, data: &[u8], n: usize, rule: &'static str) -> Result<Vec<u8>, DataError> {
    if data.len() != n && data.len() != n + 1 {
        return Err(DataError::Length { symbology: sym, expected: rule, got: data.len() });
    }
    if let Some(pos) = data.iter().position(|b| !b.is_ascii_digit()) {
        return Err(DataError::BadChar { symbology: sym, pos, ch: data[pos] as char, allowed: rule });
    }
    Ok(data.iter().map(|b| b - b'0').collect())
}

/// Appends `check` or verifies the one given.
fn with_check(mut d: Vec<u8>, n: usize, check: u8) -> Result<Vec<u8>, DataError> {
    if d.len() == n + 1 && d[n] != check {
        return Err(DataError::CheckDigit { expected: check, found: d[n] });
    }
    d.truncate(n);
    d.push(check);
    Ok(d)
}

/// Code 39 of `symbols` with `text` as its line.
fn code39_with_text(symbols: &[u8], text: String, canonical: String) -> Result<Encoded, DataError> {
    let mut e = linear::code39(symbols, false, false)?;
    if let Symbol::Linear(l) = &mut e.symbol {
        l.text = HumanText::Centered(text);
    }
    e.canonical = canonical;
    Ok(e)
}

pub fn pzn(data: &[u8]) -> Result<Encoded, DataError> {
    let d = digits("pzn", data, 7, PZN_RULE)?;
    let sum: u32 = d[..7].iter().enumerate().map(|(i, &v)| (i as u32 + 1) * u32::from(v)).sum();
    let check = (sum % 11) as u8;
    if check == 10 {
        return Err(DataError::OutOfRange {
            symbology: "pzn",
            rule: PZN_RULE,
            got: String::from_utf8_lossy(&data[..7]).into_owned(),
        });
    }
    let d = with_check(d, 7, check)?;
    let s: String = d.iter().map(|&v| (b'0' + v) as char).collect();
    code39_with_text(format!("-{s}").as_bytes(), format!("PZN - {s}"), s)
}

pub fn code32(data: &[u8]) -> Result<Encoded, DataError> {
    let d = digits("code32", data, 8, CODE32_RULE)?;
    // Odd places as they are, even places doubled: over 8 digits, Luhn's doubling from the right.
    let sum = luhn_sum(&d[..8]);
    let d = with_check(d, 8, (sum % 10) as u8)?;
    let mut n: u32 = d.iter().fold(0, |n, &v| n * 10 + u32::from(v));
    let mut b32 = [b'0'; 6];
    for c in b32.iter_mut().rev() {
        *c = BASE32[(n % 32) as usize];
        n /= 32;
    }
    let s: String = d.iter().map(|&v| (b'0' + v) as char).collect();
    code39_with_text(&b32, format!("A{s}"), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_and_forms() {
        // 1*1 + 2*2 + 3*3 + 4*4 + 5*5 + 6*6 + 2*7 = 105; 105 mod 11 = 6.
        assert_eq!(pzn(b"1234562").unwrap().canonical, "12345626");
        assert!(matches!(pzn(b"12345627"), Err(DataError::CheckDigit { expected: 6, found: 7 })));
        assert_eq!(code32(b"12345678").unwrap().canonical.len(), 9);
        assert!(matches!(code32(b"1234"), Err(DataError::Length { .. })));
    }
}
