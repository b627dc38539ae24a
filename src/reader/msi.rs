//! MSI Plessey out of a scan line's runs (`linear.rs`): the `110` start after a quiet zone,
//! then a bit per bar and space pair (wide bar: 1, narrow bar: 0; three modules together),
//! until the `1001` stop and a quiet zone. The digits (four bits each, at most 9) must end in
//! a valid mod 10 check digit, our default; it is not part of the text. MSI without a check
//! digit, or with mod 11 only, is not read (nothing would tell it from noise).

use super::runs::{modules, quiet, scan, Hit};
use crate::symbology::msi::{mod10, MAX};

/// Every MSI symbol on the line.
pub fn decode(r: &[u32]) -> Vec<Hit> {
    scan(r, at)
}

/// The symbol whose start bar is dark run `i`, and the run after its stop.
fn at(r: &[u32], i: usize) -> Option<(Hit, usize)> {
    let mut narrow = (r.get(i)? + r.get(i + 1)?) as f32 / 3.0;
    if !quiet(r.get(i - 1), narrow) || modules(r[i], narrow, 2)? != 2 || modules(r[i + 1], narrow, 2)? != 1 {
        return None;
    }
    let mut j = i + 2;
    let mut bits = Vec::new();
    loop {
        let (b, s) = (*r.get(j)?, *r.get(j + 1)?);
        let (mb, ms) = (modules(b, narrow, 2)?, modules(s, narrow, 2)?);
        // The stop: a narrow bar, a wide space, a narrow bar and the quiet zone.
        let stop = (mb, ms) == (1, 2)
            && r.get(j + 2).and_then(|&x| modules(x, narrow, 2)) == Some(1)
            && quiet(r.get(j + 3), narrow);
        if stop && bits.len() % 4 == 0 {
            let text = data(&bits)?;
            return Some((Hit { text, first: i, last: j + 2 }, j + 3));
        }
        if mb + ms != 3 {
            return None;
        }
        bits.push(mb == 2);
        narrow = 0.5 * narrow + 0.5 * (b + s) as f32 / 3.0;
        j += 2;
        if bits.len() > (MAX + 2) * 4 {
            return None;
        }
    }
}

/// The data digits, once the mod 10 check digit holds.
fn data(bits: &[bool]) -> Option<String> {
    let digits: Vec<u8> = bits.chunks(4).map(|c| c.iter().fold(0u8, |v, &b| v << 1 | u8::from(b))).collect::<Vec<_>>();
    if digits.len() < 2 || digits.iter().any(|&d| d > 9) {
        return None;
    }
    let (data, check) = digits.split_at(digits.len() - 1);
    (mod10(data) == check[0]).then(|| data.iter().map(|&d| (b'0' + d) as char).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::runs::runs_of;
    use crate::symbology::msi::{encode, MsiCheck};

    #[test]
    fn reads_what_we_write_and_refuses_a_wrong_check() {
        for data in ["1234", "0", "80523", "9999999999"] {
            let e = encode(data.as_bytes(), MsiCheck::Mod10).unwrap();
            let texts: Vec<String> = decode(&runs_of(&e, 2)).into_iter().map(|h| h.text).collect();
            assert_eq!(texts, [data], "{data}");
        }
        let e = encode(b"1234", MsiCheck::None).unwrap();
        assert!(decode(&runs_of(&e, 2)).is_empty(), "no check digit: not read");
    }
}
