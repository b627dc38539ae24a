//! Code 11 out of a scan line's runs (`linear.rs`): the `*` start after a quiet zone, then
//! characters of five elements (narrow or wide) each followed by a narrow gap, until the `*`
//! stop and a quiet zone; the narrow width re-estimated character by character. The check
//! characters must hold: C and K (as we write by default) or C alone; they are not part of
//! the text. A symbol without check characters is not read (nothing would tell it from noise).

use super::runs::{modules, quiet, scan, Hit};
use crate::symbology::code11::{check, MAX, PATTERNS, START_STOP};

/// Every Code 11 symbol on the line.
pub fn decode(r: &[u32]) -> Vec<Hit> {
    scan(r, at)
}

/// Five elements from run `j` as narrow/wide module counts.
fn pattern(r: &[u32], j: usize, narrow: f32) -> Option<[u8; 5]> {
    let mut p = [0u8; 5];
    for (k, m) in p.iter_mut().enumerate() {
        *m = modules(*r.get(j + k)?, narrow, 2)?;
    }
    Some(p)
}

/// The symbol whose start is dark run `i`, and the run after its stop.
fn at(r: &[u32], i: usize) -> Option<(Hit, usize)> {
    let start = &PATTERNS[START_STOP];
    let total: u32 = r.get(i..i + 5)?.iter().sum();
    let mut narrow = total as f32 / 7.0;
    if !quiet(r.get(i - 1), narrow) || pattern(r, i, narrow)? != *start {
        return None;
    }
    let mut j = i + 5;
    let mut values = Vec::new();
    loop {
        if modules(*r.get(j)?, narrow, 2)? != 1 {
            return None;
        }
        j += 1;
        let p = pattern(r, j, narrow)?;
        let sum: u32 = r[j..j + 5].iter().sum();
        let mods: u32 = p.iter().map(|&m| m as u32).sum();
        narrow = 0.5 * narrow + 0.5 * sum as f32 / mods as f32;
        if p == *start {
            if !quiet(r.get(j + 5), narrow) {
                return None;
            }
            let text = data(&values)?;
            return Some((Hit { text, first: i, last: j + 4 }, j + 5));
        }
        values.push(PATTERNS[..START_STOP].iter().position(|q| *q == p)? as u8);
        j += 5;
        if values.len() > MAX + 2 {
            return None;
        }
    }
}

/// The data characters, once the check characters hold (C and K, else C alone).
fn data(v: &[u8]) -> Option<String> {
    let n = v.len();
    let keep = if n >= 3 && check(&v[..n - 2], 10) == v[n - 2] && check(&v[..n - 1], 9) == v[n - 1] {
        n - 2
    } else if n >= 2 && check(&v[..n - 1], 10) == v[n - 1] {
        n - 1
    } else {
        return None;
    };
    Some(v[..keep].iter().map(|&x| if x == 10 { '-' } else { (b'0' + x) as char }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::runs::runs_of;
    use crate::symbology::code11::encode;

    #[test]
    fn reads_what_we_write_and_refuses_a_wrong_check() {
        for (data, checks) in [("123-45", 2), ("0", 2), ("9-9-9", 1), ("1234567890", 2)] {
            let e = encode(data.as_bytes(), checks).unwrap();
            let runs = runs_of(&e, 3);
            let hits = decode(&runs);
            assert_eq!(hits.iter().map(|h| h.text.as_str()).collect::<Vec<_>>(), [data], "{data} checks={checks}");
        }
        // Without check characters nothing is read.
        let e = encode(b"123", 0).unwrap();
        assert!(decode(&runs_of(&e, 3)).is_empty());
    }
}
