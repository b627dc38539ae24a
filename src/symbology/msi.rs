//! MSI Plessey: digits, each four bits most significant first, a 0 bit a narrow bar and a
//! wide space (`100`), a 1 bit a wide bar and a narrow space (`110`); start `110`, stop
//! `1001`. Check digits (`check=`): `mod10` (default: Luhn weights 2, 1, … from the right),
//! `mod10-10` (a second mod 10 over the data and the first), `mod11` (IBM weights 2–7 from
//! the right; a check value of 10 is written `10`), `none`.

use super::{luhn_sum, DataError, Encoded};

pub const RULE: &str = "digits, at most 92; check digits: mod10 (default), mod10-10, mod11 (IBM weights 2-7) or none";
pub const MAX: usize = 92;

/// The check digits MSI Plessey appends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MsiCheck {
    None,
    #[default]
    Mod10,
    Mod10Mod10,
    Mod11,
}

impl MsiCheck {
    pub fn name(self) -> &'static str {
        match self {
            MsiCheck::None => "none",
            MsiCheck::Mod10 => "mod10",
            MsiCheck::Mod10Mod10 => "mod10-10",
            MsiCheck::Mod11 => "mod11",
        }
    }

    pub fn from_name(s: &[u8]) -> Option<MsiCheck> {
        [MsiCheck::None, MsiCheck::Mod10, MsiCheck::Mod10Mod10, MsiCheck::Mod11]
            .into_iter()
            .find(|c| c.name().as_bytes() == s)
    }
}

pub fn mod10(d: &[u8]) -> u8 {
    ((10 - luhn_sum(d) % 10) % 10) as u8
}

fn mod11(d: &[u8]) -> Vec<u8> {
    let sum: u32 = d.iter().rev().enumerate().map(|(i, &v)| u32::from(v) * (i as u32 % 6 + 2)).sum();
    match (11 - sum % 11) % 11 {
        10 => vec![1, 0],
        c => vec![c as u8],
    }
}

pub fn encode(data: &[u8], check: MsiCheck) -> Result<Encoded, DataError> {
    if data.len() > MAX {
        return Err(DataError::TooLong { symbology: "msi", max: MAX, got: data.len(), unit: "digits" });
    }
    if let Some(pos) = data.iter().position(|b| !b.is_ascii_digit()) {
        return Err(DataError::BadChar { symbology: "msi", pos, ch: data[pos] as char, allowed: RULE });
    }
    let mut d: Vec<u8> = data.iter().map(|b| b - b'0').collect();
    match check {
        MsiCheck::None => {}
        MsiCheck::Mod10 => d.push(mod10(&d)),
        MsiCheck::Mod10Mod10 => {
            d.push(mod10(&d));
            d.push(mod10(&d));
        }
        MsiCheck::Mod11 => {
            let c = mod11(&d);
            d.extend(c);
        }
    }
    let mut modules = vec![true, true, false];
    for &v in &d {
        for bit in (0..4).rev() {
            modules.extend(if v >> bit & 1 == 1 { [true, true, false] } else { [true, false, false] });
        }
    }
    modules.extend([true, false, false, true]);
    let text: String = d.iter().map(|&v| (b'0' + v) as char).collect();
    Ok(Encoded::linear(modules, text, String::from_utf8_lossy(data).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        // Luhn from the right: 4*2 + 3 + 2*2 + 1 = 16 -> 4.
        assert_eq!(mod10(&[1, 2, 3, 4]), 4);
        // IBM mod 11: 4*2 + 3*3 + 2*4 + 1*5 = 30; 11 - 30 mod 11 = 3.
        assert_eq!(mod11(&[1, 2, 3, 4]), vec![3]);
        assert!(matches!(encode(b"12x", MsiCheck::Mod10), Err(DataError::BadChar { pos: 2, .. })));
        assert_eq!(MsiCheck::from_name(b"mod10-10"), Some(MsiCheck::Mod10Mod10));
    }
}
