//! ISBN (ISO 2108) as the EAN-13 bars of its ISBN-13, with the `ISBN 978…` line above them.
//! Takes ISBN-10 (9 digits, or 10 with its mod-11 check, `X` for 10) or ISBN-13 (978 or
//! 979, 12 digits or 13 with the check verified); hyphens and spaces between digits are
//! ignored. The line is not hyphenated: where the hyphens go depends on the registration
//! group and publisher ranges the International ISBN Agency publishes, which we do not ship.

use super::{ean, DataError, Encoded, Symbol};

pub const RULE: &str =
    "ISBN-10 (9 digits, or 10 with its check digit, X for 10) or ISBN-13 (978/979, 12 digits, or 13 with its check digit); hyphens and spaces ignored";

/// The ISBN-13 digits of an ISBN-10's first nine.
fn from_isbn10(d: &[u8]) -> Result<Vec<u8>, DataError> {
    let sum: u32 = d[..9].iter().enumerate().map(|(i, &v)| (10 - i as u32) * u32::from(v)).sum();
    let check = ((11 - sum % 11) % 11) as u8;
    if d.len() == 10 && d[9] != check {
        return Err(DataError::CheckDigit { expected: check, found: d[9] });
    }
    let mut out = vec![9, 7, 8];
    out.extend(&d[..9]);
    Ok(out)
}

pub fn encode(data: &[u8], addon: Option<&[u8]>) -> Result<Encoded, DataError> {
    let mut d = Vec::with_capacity(13);
    for (pos, &b) in data.iter().enumerate() {
        match b {
            b'0'..=b'9' if d.len() < 13 => d.push(b - b'0'),
            b'X' | b'x' if d.len() == 9 => d.push(10),
            b'-' | b' ' => {}
            b'0'..=b'9' => {
                return Err(DataError::TooLong { symbology: "isbn", max: 13, got: data.len(), unit: "digits" });
            }
            _ => return Err(DataError::BadChar { symbology: "isbn", pos, ch: b as char, allowed: RULE }),
        }
    }
    if d.len() == 9 || d.len() == 10 {
        d = from_isbn10(&d)?;
    } else if d.contains(&10) {
        let pos = data.iter().position(|b| b.eq_ignore_ascii_case(&b'x')).unwrap_or(0);
        return Err(DataError::BadChar {
            symbology: "isbn",
            pos,
            ch: 'X',
            allowed: "X is an ISBN-10's check digit only",
        });
    } else if d.len() != 12 && d.len() != 13 {
        return Err(DataError::Length { symbology: "isbn", expected: "9, 10, 12 or 13 digits", got: d.len() });
    } else if d[..3] != [9, 7, 8] && d[..3] != [9, 7, 9] {
        return Err(DataError::OutOfRange {
            symbology: "isbn",
            rule: "an ISBN-13 begins 978 or 979",
            got: format!("{}{}{}", d[0], d[1], d[2]),
        });
    }
    let digits: Vec<u8> = d.iter().map(|v| b'0' + v).collect();
    let mut e = ean::encode_ean13_addon(&digits, addon)?;
    if let Symbol::Linear(l) = &mut e.symbol {
        l.above = Some(format!("ISBN {}", &e.canonical[..13]));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        encode(s.as_bytes(), None).unwrap().canonical
    }

    #[test]
    fn forms_agree() {
        for s in ["0-306-40615-2", "030640615", "0306406152", "978-0-306-40615-7", "978030640615", "9780306406157"] {
            assert_eq!(key(s), "9780306406157", "{s}");
        }
        assert_eq!(key("080442957X"), "9780804429573");
        assert_eq!(key("979-10-90636-07-1"), "9791090636071");
        assert!(matches!(encode(b"0306406153", None), Err(DataError::CheckDigit { expected: 2, found: 3 })));
        assert!(matches!(encode(b"9770306406157", None), Err(DataError::OutOfRange { .. })));
        assert!(matches!(encode(b"03064061", None), Err(DataError::Length { .. })));
        assert!(matches!(encode(b"97803064061570", None), Err(DataError::TooLong { .. })));
        assert!(matches!(encode(b"978X", None), Err(DataError::BadChar { .. })));
        assert!(matches!(encode(b"978/0", None), Err(DataError::BadChar { pos: 3, .. })));
        let Symbol::Linear(l) = encode(b"0306406152", Some(b"51299")).unwrap().symbol else { panic!() };
        assert_eq!(l.above.as_deref(), Some("ISBN 9780306406157"));
        assert_eq!(l.addon.as_deref(), Some("51299"));
    }
}
