//! EAN-13: digit validation and the GS1 mod-10 check digit here; the bar pattern comes from
//! `barcoders`, fed only input we validated (its parser panics on non-digits).

use super::{DataError, Encoded, HumanText, Linear, Symbol};

pub use crate::gs1::gtin::gs1_check_digit;

/// Left-hand odd (L) and even (G) digit patterns, 7 modules each, bar = 1.
const L_CODES: [u8; 10] = [0x0D, 0x19, 0x13, 0x3D, 0x23, 0x31, 0x2F, 0x3B, 0x37, 0x0B];
const G_CODES: [u8; 10] = [0x27, 0x33, 0x1B, 0x21, 0x1D, 0x39, 0x05, 0x11, 0x09, 0x17];
/// EAN-5 parity patterns by check value: bit 4 (first digit) .. bit 0, 1 = G.
const EAN5_PARITY: [u8; 10] =
    [0b11000, 0b10100, 0b10010, 0b10001, 0b01100, 0b00110, 0b00011, 0b01010, 0b01001, 0b00101];
/// Light modules between the main symbol and its add-on (the specification allows 7-12).
pub const ADDON_GAP: usize = 9;

/// The modules of an EAN-2 or EAN-5 add-on (guard 1011, digits separated by 01).
pub fn addon_modules(d: &[u8]) -> Vec<bool> {
    let parity: Vec<bool> = if d.len() == 2 {
        let v = (d[0] * 10 + d[1]) % 4;
        vec![v & 2 != 0, v & 1 != 0]
    } else {
        let c = (3 * (d[0] as u32 + d[2] as u32 + d[4] as u32) + 9 * (d[1] as u32 + d[3] as u32)) % 10;
        (0..5).map(|i| EAN5_PARITY[c as usize] >> (4 - i) & 1 == 1).collect()
    };
    let mut m = vec![true, false, true, true];
    for (i, (&digit, &g)) in d.iter().zip(&parity).enumerate() {
        if i > 0 {
            m.extend([false, true]);
        }
        let code = if g { G_CODES[digit as usize] } else { L_CODES[digit as usize] };
        m.extend((0..7).rev().map(|b| code >> b & 1 == 1));
    }
    m
}

/// Validates 12 or 13 digits (and an optional 2- or 5-digit add-on) and encodes EAN-13.
pub fn encode_ean13_addon(data: &[u8], addon: Option<&[u8]>) -> Result<Encoded, DataError> {
    with_addon(encode_ean13(data)?, addon)
}

/// An EAN-13, UPC-A or UPC-E symbol with its 2- or 5-digit add-on (if any) after
/// `ADDON_GAP` light modules; the canonical data gets it after a space.
pub fn with_addon(mut e: Encoded, addon: Option<&[u8]>) -> Result<Encoded, DataError> {
    let Some(add) = addon else { return Ok(e) };
    if add.len() != 2 && add.len() != 5 {
        return Err(DataError::Addon("addon: 2 or 5 digits"));
    }
    if !add.iter().all(u8::is_ascii_digit) {
        return Err(DataError::Addon("addon: digits only"));
    }
    let digits: Vec<u8> = add.iter().map(|b| b - b'0').collect();
    let text = String::from_utf8_lossy(add).into_owned();
    if let Symbol::Linear(l) = &mut e.symbol {
        l.modules.extend(std::iter::repeat_n(false, ADDON_GAP));
        l.modules.extend(addon_modules(&digits));
        l.addon = Some(text.clone());
    }
    e.canonical = format!("{} {text}", e.canonical);
    Ok(e)
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
        symbol: Symbol::Linear(Linear {
            modules,
            guards,
            text: HumanText::Ean13(digits),
            bearer: 0,
            addon: None,
            above: None,
        }),
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
    fn addon_shapes() {
        // EAN-2: guard (4) + 7 + separator (2) + 7 modules.
        assert_eq!(addon_modules(&[1, 2]).len(), 20);
        // EAN-5: guard (4) + 5 x 7 + 4 separators x 2.
        assert_eq!(addon_modules(&[5, 1, 2, 3, 4]).len(), 47);
        let e = encode_ean13_addon(b"590123412345", Some(b"12")).unwrap();
        assert_eq!(e.canonical, "5901234123457 12");
        assert!(encode_ean13_addon(b"590123412345", Some(b"123")).is_err());
    }

    #[test]
    fn bad_input_is_typed() {
        assert!(matches!(encode_ean13(b"59012341234x"), Err(DataError::BadChar { pos: 11, .. })));
        assert!(matches!(encode_ean13(b"123"), Err(DataError::Length { .. })));
    }
}
