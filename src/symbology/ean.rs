//! EAN-13: digit validation and the GS1 mod-10 check digit here; the bar pattern comes from
//! `barcoders`, fed only input we validated (its parser panics on non-digits).

use super::{DataError, Encoded, HumanText, Linear, Symbol};

/// The GS1 mod-10 check digit of `digits` (weights 3,1,3,… from the right).
pub fn gs1_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits.iter().rev().enumerate().map(|(i, d)| (*d as u32) * if i % 2 == 0 { 3 } else { 1 }).sum();
    ((10 - sum % 10) % 10) as u8
}

/// Validates 12 or 13 digits and encodes an EAN-13 symbol.
pub fn encode_ean13(data: &[u8]) -> Result<Encoded, DataError> {
    if data.len() != 12 && data.len() != 13 {
        return Err(DataError::Length {
            symbology: "ean13",
            expected: "12 digits (check digit computed) or 13 (check digit verified)",
            got: data.len(),
        });
    }
    let mut digits = [0u8; 13];
    for (i, &b) in data.iter().enumerate() {
        if !b.is_ascii_digit() {
            return Err(DataError::BadChar { symbology: "ean13", pos: i, ch: b as char, allowed: "digits 0-9 only" });
        }
        digits[i] = b - b'0';
    }
    let check = gs1_check_digit(&digits[..12]);
    if data.len() == 13 && digits[12] != check {
        return Err(DataError::CheckDigit { expected: check, found: digits[12] });
    }
    digits[12] = check;
    let canonical: String = digits.iter().map(|d| (b'0' + d) as char).collect();
    let bars = barcoders::sym::ean13::EAN13::new(&canonical[..12])
        .map_err(|_| DataError::Length { symbology: "ean13", expected: "12 digits", got: 12 })?
        .encode();
    let modules: Vec<bool> = bars.iter().map(|&b| b == 1).collect();
    // Guard bars: start (0..3), centre (45..50) and end (92..95) extend into the text line.
    let guards = (0..3).chain(45..50).chain(92..95).collect();
    Ok(Encoded {
        symbol: Symbol::Linear(Linear { modules, guards, text: HumanText::Ean13(digits), bearer: 0 }),
        canonical,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_known_values() {
        assert_eq!(gs1_check_digit(&[5, 9, 0, 1, 2, 3, 4, 1, 2, 3, 4, 5]), 7);
        assert_eq!(gs1_check_digit(&[4, 0, 0, 6, 3, 8, 1, 3, 3, 3, 9, 3]), 1);
    }

    #[test]
    fn twelve_and_thirteen_agree() {
        let a = encode_ean13(b"590123412345").unwrap();
        let b = encode_ean13(b"5901234123457").unwrap();
        assert_eq!(a.canonical, "5901234123457");
        assert_eq!(a.canonical, b.canonical);
        let Symbol::Linear(l) = a.symbol else { panic!() };
        assert_eq!(l.modules.len(), 95);
    }

    #[test]
    fn wrong_check_digit_names_expected() {
        let e = encode_ean13(b"5901234123450").unwrap_err();
        assert_eq!(e, DataError::CheckDigit { expected: 7, found: 0 });
        assert!(e.to_string().contains("should be 7"));
    }

    #[test]
    fn bad_input_is_typed() {
        assert!(matches!(encode_ean13(b"59012341234x"), Err(DataError::BadChar { pos: 11, .. })));
        assert!(matches!(encode_ean13(b"123"), Err(DataError::Length { .. })));
    }
}
