//! Pharmacode (Laetus one-track): an integer 3–131070 as narrow (1 module) and wide
//! (3 modules) bars with 2-module spaces, read right to left as a binary-like number:
//! while n > 0, an even n is a wide bar and n := (n − 2) / 2, an odd one a narrow bar and
//! n := (n − 1) / 2; the bars are drawn in the reverse of that order.

#[cfg(test)]
use super::Symbol;
use super::{DataError, Encoded};

pub const RULE: &str = "an integer 3-131070 (one-track Pharmacode), no leading zeros needed";
pub const MIN: u32 = 3;
pub const MAX: u32 = 131_070;

pub fn encode(data: &[u8]) -> Result<Encoded, DataError> {
    if let Some(pos) = data.iter().position(|b| !b.is_ascii_digit()) {
        return Err(DataError::BadChar { symbology: "pharmacode", pos, ch: data[pos] as char, allowed: RULE });
    }
    if data.len() > 6 {
        return Err(DataError::TooLong { symbology: "pharmacode", max: 6, got: data.len(), unit: "digits" });
    }
    let n: u32 = data.iter().fold(0, |n, &b| n * 10 + u32::from(b - b'0'));
    if !(MIN..=MAX).contains(&n) {
        return Err(DataError::OutOfRange { symbology: "pharmacode", rule: RULE, got: n.to_string() });
    }
    let mut wide = Vec::new();
    let mut t = n;
    while t > 0 {
        let even = t.is_multiple_of(2);
        wide.push(even);
        t = if even { (t - 2) / 2 } else { (t - 1) / 2 };
    }
    let mut modules = Vec::with_capacity(wide.len() * 5);
    for (k, &w) in wide.iter().rev().enumerate() {
        if k > 0 {
            modules.extend([false, false]);
        }
        modules.extend(std::iter::repeat_n(true, if w { 3 } else { 1 }));
    }
    let canonical = n.to_string();
    Ok(Encoded::linear(modules, canonical.clone(), canonical))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(s: &str) -> String {
        let Symbol::Linear(l) = encode(s.as_bytes()).unwrap().symbol else { panic!() };
        l.modules.iter().map(|&m| if m { '1' } else { '0' }).collect()
    }

    #[test]
    fn value_to_bars() {
        // 1234: narrow narrow wide wide narrow wide narrow narrow wide wide.
        assert_eq!(bars("1234"), "10010011100111001001110010010011100111");
        assert_eq!(bars("3"), "1001");
        assert_eq!(bars("0003"), "1001", "leading zeros");
        assert!(matches!(encode(b"2"), Err(DataError::OutOfRange { .. })));
        assert!(matches!(encode(b"131071"), Err(DataError::OutOfRange { .. })));
        assert!(encode(b"131070").is_ok());
        assert!(matches!(encode(b"12a"), Err(DataError::BadChar { pos: 2, .. })));
    }
}
