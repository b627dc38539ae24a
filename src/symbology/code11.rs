//! Code 11 (USD-8): digits and `-`, each five elements (three bars, two spaces) narrow (1
//! module) or wide (2), a narrow gap between characters, `*` start and stop; check
//! characters C (weights 1–10 from the right, mod 11) and K (weights 1–9 over the data and
//! C, mod 11), value 10 written `-`: both by default, `checks=1` C only, `checks=0` none.

use super::{DataError, Encoded};
#[cfg(test)]
use super::{HumanText, Symbol};

pub const RULE: &str = "digits 0-9 and '-', at most 121 characters; check characters C and K added (checks=2), C only (checks=1) or none (checks=0)";
pub const MAX: usize = 121;
pub const DEFAULT_CHECKS: u8 = 2;

/// Element widths of 0–9, `-` (value 10), then start/stop.
pub const PATTERNS: [[u8; 5]; 12] = [
    [1, 1, 1, 1, 2],
    [2, 1, 1, 1, 2],
    [1, 2, 1, 1, 2],
    [2, 2, 1, 1, 1],
    [1, 1, 2, 1, 2],
    [2, 1, 2, 1, 1],
    [1, 2, 2, 1, 1],
    [1, 1, 1, 2, 2],
    [2, 1, 1, 2, 1],
    [2, 1, 1, 1, 1],
    [1, 1, 2, 1, 1],
    [1, 1, 2, 2, 1],
];
pub const START_STOP: usize = 11;

fn value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'-' => Some(10),
        _ => None,
    }
}

/// The check character over `values` with weights 1..=`max_weight` from the right, mod 11.
pub fn check(values: &[u8], max_weight: usize) -> u8 {
    let sum: usize = values.iter().rev().enumerate().map(|(i, &v)| (i % max_weight + 1) * v as usize).sum();
    (sum % 11) as u8
}

fn push(modules: &mut Vec<bool>, pattern: &[u8; 5], gap: bool) {
    for (k, &w) in pattern.iter().enumerate() {
        modules.extend(std::iter::repeat_n(k % 2 == 0, w as usize));
    }
    if gap {
        modules.push(false);
    }
}

pub fn encode(data: &[u8], checks: u8) -> Result<Encoded, DataError> {
    if data.len() > MAX {
        return Err(DataError::TooLong { symbology: "code11", max: MAX, got: data.len(), unit: "characters" });
    }
    let mut values = Vec::with_capacity(data.len() + 2);
    for (pos, &b) in data.iter().enumerate() {
        values.push(value(b).ok_or(DataError::BadChar { symbology: "code11", pos, ch: b as char, allowed: RULE })?);
    }
    if checks >= 1 {
        values.push(check(&values, 10));
    }
    if checks >= 2 {
        values.push(check(&values, 9));
    }
    let mut modules = Vec::with_capacity((values.len() + 2) * 8);
    push(&mut modules, &PATTERNS[START_STOP], true);
    for &v in &values {
        push(&mut modules, &PATTERNS[v as usize], true);
    }
    push(&mut modules, &PATTERNS[START_STOP], false);
    let text: String = values.iter().map(|&v| if v == 10 { '-' } else { (b'0' + v) as char }).collect();
    Ok(Encoded::linear(modules, text, String::from_utf8_lossy(data).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_characters() {
        // 123-45: C over 1 2 3 10 4 5, weights 1..10 from the right: 5+8+30+12+10+6 = 71, mod 11 = 5.
        let v: Vec<u8> = b"123-45".iter().map(|&b| value(b).unwrap()).collect();
        assert_eq!(check(&v, 10), 5);
        let mut with_c = v.clone();
        with_c.push(5);
        // K over 1 2 3 10 4 5 5, weights 1..9 from the right: 5+10+12+40+15+12+7 = 101, mod 11 = 2.
        assert_eq!(check(&with_c, 9), 2);
        let Symbol::Linear(l) = encode(b"123-45", 2).unwrap().symbol else { panic!() };
        let HumanText::Centered(t) = &l.text else { panic!() };
        assert_eq!(t, "123-4552");
        assert!(matches!(encode(b"12a", 2), Err(DataError::BadChar { pos: 2, .. })));
    }
}
