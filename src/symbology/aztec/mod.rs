//! Aztec Code (ISO/IEC 24778), our encoder. The high-level encodation is a shortest path
//! over the five character modes (upper, lower, mixed, punctuation, digit: latches, shifts,
//! the punctuation pairs) and binary shift runs, in linear time: a run's cost is linear in
//! its length but for its header (10 bits up to 31 bytes, 21 beyond), so the best run ending
//! at each position comes from a sliding minimum over its possible starts. Text beyond ASCII
//! is UTF-8 bytes behind ECI 26 (FLG(2)). The symbol size (compact 1-4 layers, full 4-32),
//! bit stuffing, Reed–Solomon over GF(16/64/256/1024/4096), the mode message and the layout
//! follow ISO/IEC 24778 as zxing lays them out (the smallest symbol whose data words and
//! `ecc` percent plus 3 words fit). Each size's layout is worked out once (`layout::Template`):
//! a symbol is its fixed pattern with the modules of its dark bits set.
//!
//! `high_level` finds the bit stream, `bits` holds it and stuffs it into words, `rs` adds the
//! check words, `layout` places them; this file chooses the symbol size.

mod bits;
mod high_level;
mod layout;
mod rs;

use super::Matrix;

/// Codeword size in bits per layer count (index 0: the mode message's 4).
fn word_size(layers: usize) -> usize {
    match layers {
        0 => 4,
        1..=2 => 6,
        3..=8 => 8,
        9..=22 => 10,
        _ => 12,
    }
}

fn total_bits(layers: usize, compact: bool) -> usize {
    ((if compact { 88 } else { 112 }) + 16 * layers) * layers
}

/// Encodes `data` with at least `ecc` percent error correction; `None` when no symbol holds it.
pub fn encode(data: &[u8], ecc: u8) -> Option<Matrix> {
    if data.is_empty() {
        return None; // the mode message counts data words from one
    }
    let bits = high_level::high_level(data, !data.is_ascii());
    let ecc_bits = bits.len * usize::from(ecc) / 100 + 11;
    let needed = bits.len + ecc_bits;
    let (mut chosen, mut words) = (None, Vec::new());
    let mut stuffed_for = 0;
    for i in 0..=32usize {
        let compact = i <= 3;
        let layers = if compact { i + 1 } else { i };
        let total = total_bits(layers, compact);
        if needed > total {
            continue;
        }
        let word = word_size(layers);
        if stuffed_for != word {
            words = bits::stuff(&bits, word);
            stuffed_for = word;
        }
        if compact && words.len() > 64 {
            continue;
        }
        if words.len() * word + ecc_bits <= total - total % word {
            chosen = Some((compact, layers, total, word));
            break;
        }
    }
    let (compact, layers, total, word) = chosen?;
    let message = rs::with_check_words(&words, total, word);
    // The mode message: layers - 1 and data words - 1 (2 + 6 bits compact, 5 + 11 full) in
    // 4-bit words, then its check words.
    let mode = {
        let (head, n) = if compact {
            ((layers - 1) << 6 | (words.len() - 1), 2)
        } else {
            ((layers - 1) << 11 | (words.len() - 1), 4)
        };
        let w: Vec<u32> = (0..n).rev().map(|k| (head >> (4 * k) & 15) as u32).collect();
        rs::with_check_words(&w, if compact { 28 } else { 40 }, 4)
    };
    Some(layout::layout(&message, &mode, compact, layers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::testkit;

    /// rxing's Aztec reader (zxing's) reads what we draw, for every mode, shift, pair,
    /// binary run length class and symbol class (compact, full, with reference grid).
    #[test]
    fn rxing_reads_our_symbols() {
        let long_mixed: String = (0..600).map(|i| ["Ab", "1.", ", ", "é", "\r\n", "x@"][i % 6]).collect();
        let cases: Vec<String> = vec![
            "A".into(),
            "HELLO WORLD".into(),
            "hello World 12345, ok. Fine: \r\n".into(),
            "https://example.com/aztec?q=1".into(),
            "zażółć gęślą jaźń".into(),
            "0123456789".repeat(40),
            "\u{7f}\u{1b}@\\^_`|~ mixed".into(),
            "é".repeat(40),
            long_mixed,
            "Q".repeat(1500),
        ];
        for (n, s) in cases.iter().enumerate() {
            for ecc in [5u8, 23, 50] {
                let m = encode(s.as_bytes(), ecc).unwrap_or_else(|| panic!("case {n} ecc {ecc}"));
                let read = testkit::rxing_read(&m, rxing::BarcodeFormat::AZTEC, 3, 6);
                assert_eq!(read.as_deref(), Some(s.as_str()), "case {n} ecc {ecc}");
            }
        }
    }

    /// Random text over every mode's characters, binary and non-ASCII, at every length
    /// class and level: never a panic, and what fits is read back by rxing.
    #[test]
    fn random_inputs_encode_and_read_back() {
        let alphabet: Vec<char> =
            "AZaz09 .,:;!?\r\n\t@\\^_`|~\u{7f}\u{1}\u{1b}[]{}#$%&'()*+-/<=>éß日\u{0}\u{80}\u{ff}".chars().collect();
        let mut next = testkit::rng(0x2545_f491_4f6c_dd1d);
        for round in 0..60 {
            let len = [1, 5, 31, 32, 33, 200, 1200][round % 7] + next(9);
            let s: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let ecc = [5u8, 23, 50, 95][round % 4];
            let Some(m) = encode(s.as_bytes(), ecc) else { continue };
            if round % 3 != 0 {
                continue; // reading back is the slow part: every third
            }
            let read = testkit::rxing_read(&m, rxing::BarcodeFormat::AZTEC, 2, 4);
            assert_eq!(read.as_deref(), Some(s.as_str()), "round {round}");
        }
    }

    #[test]
    fn empty_data_is_refused_not_a_panic() {
        assert!(encode(b"", 23).is_none());
    }
}
