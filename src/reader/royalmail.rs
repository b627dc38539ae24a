//! RM4SCC and KIX out of four-state bars (`fourstate.rs`): four bars a character, two with
//! an ascender and two with a descender, whose positions give the row and column of the
//! character in `0-9A-Z` (the encoder's `PAIRS`). RM4SCC must have its start (ascender) and
//! stop (full) bars and its check character (row and column sums mod 6), which is not part
//! of the text. KIX has none of these, and read upside down it is another well-formed KIX:
//! it is read only in the form of a Dutch address — four digits and two letters (the
//! postcode), a house number of 1 to 5 digits, optionally `X` and a suffix of up to 6.

use crate::symbology::fourstate::Bar;
use crate::symbology::royalmail::PAIRS;

/// A character's index (6 x row + column) from its four bars.
fn index(bars: &[Bar]) -> Option<usize> {
    let ups: Vec<usize> = (0..4).filter(|&i| matches!(bars[i], Bar::Full | Bar::Ascender)).collect();
    let downs: Vec<usize> = (0..4).filter(|&i| matches!(bars[i], Bar::Full | Bar::Descender)).collect();
    if ups.len() != 2 || downs.len() != 2 {
        return None;
    }
    let row = PAIRS.iter().position(|p| *p == (ups[0], ups[1]))?;
    let col = PAIRS.iter().position(|p| *p == (downs[0], downs[1]))?;
    Some(6 * row + col)
}

fn letter(k: usize) -> char {
    if k < 10 {
        (b'0' + k as u8) as char
    } else {
        (b'A' + (k - 10) as u8) as char
    }
}

/// The RM4SCC data, if the bars are one with a good check character.
pub fn rm4scc(bars: &[Bar]) -> Option<String> {
    let n = bars.len();
    if n < 10 || !(n - 2).is_multiple_of(4) || bars[0] != Bar::Ascender || bars[n - 1] != Bar::Full {
        return None;
    }
    let ks: Vec<usize> = bars[1..n - 1].chunks(4).map(index).collect::<Option<_>>()?;
    let (data, check) = ks.split_at(ks.len() - 1);
    let rows: usize = data.iter().map(|k| k / 6 + 1).sum();
    let cols: usize = data.iter().map(|k| k % 6 + 1).sum();
    (6 * ((rows + 5) % 6) + (cols + 5) % 6 == check[0]).then(|| data.iter().map(|&k| letter(k)).collect())
}

/// The KIX data, if the bars are well-formed characters in the form of an address.
pub fn kix(bars: &[Bar]) -> Option<String> {
    if !bars.len().is_multiple_of(4) || !(7..=18).contains(&(bars.len() / 4)) {
        return None;
    }
    let text: String = bars.chunks(4).map(|c| index(c).map(letter)).collect::<Option<_>>()?;
    address(text.as_bytes()).then_some(text)
}

/// `NNNNLL` + 1-5 digits + optionally `X` and 1-6 letters or digits.
fn address(t: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if t.len() < 7 || !digits(&t[..4]) || !t[4..6].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    let rest = &t[6..];
    let house = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let suffix = &rest[house..];
    (1..=5).contains(&house) && (suffix.is_empty() || (suffix[0] == b'X' && (2..=7).contains(&suffix.len())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::royalmail;

    fn bars(e: crate::symbology::Encoded) -> Vec<Bar> {
        crate::symbology::fourstate::bars_of(&e)
    }

    #[test]
    fn reads_what_we_write_and_checks() {
        let b = bars(royalmail::rm4scc(b"SN34RD1A").unwrap());
        assert_eq!(rm4scc(&b).as_deref(), Some("SN34RD1A"));
        assert_eq!(kix(&b), None, "RM4SCC bars are no KIX");
        let mut wrong = b.clone();
        wrong.swap(1, 2);
        assert_eq!(rm4scc(&wrong), None, "a changed character fails the check");
        let k = bars(royalmail::kix(b"2500GG30250").unwrap());
        assert_eq!(kix(&k).as_deref(), Some("2500GG30250"));
        assert_eq!(rm4scc(&k), None);
        assert_eq!(kix(&bars(royalmail::kix(b"1234").unwrap())), None, "too short for a KIX address");
    }
}
