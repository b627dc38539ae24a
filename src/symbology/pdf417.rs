//! What PDF417 (ISO/IEC 15438) and MicroPDF417 (ISO/IEC 24728) share: the 929 codeword
//! patterns of the three clusters, Reed–Solomon over GF(929), and the data codewords. The
//! data codewords (text, byte and numeric compaction, ECI for UTF-8) come from `rxing`'s
//! high-level encoder; the patterns from its public decoder tables (pattern → codeword),
//! turned round once into encoder tables; error correction and the symbol layout are ours.
//! The PDF417 symbol is laid out here (start, row indicators, data, stop), MicroPDF417 in
//! `micropdf417.rs`.

use super::{Matrix, MatrixKind};
use rxing::pdf417::encoder::pdf_417_high_level_encoder::encodeHighLevel;
use rxing::pdf417::encoder::Compaction;
use rxing::pdf417::pdf_417_common::{CODEWORD_TABLE, SYMBOL_TABLE};
use std::sync::OnceLock;

/// GF(929)'s size: codeword values are 0..929.
const P: u32 = 929;
/// Modules in a codeword's pattern (4 bars and 4 spaces, the first a bar).
pub const CODEWORD_MODULES: usize = 17;
const START: u32 = 0x1fea8; // 17 modules
const STOP: u32 = 0x3fa29; // 18 modules
/// The pad codeword (also text compaction's latch).
pub const PAD: u16 = 900;

/// The 17-module pattern of each codeword (bit 16 the first module) in clusters 0, 3 and 6
/// (indexes 0, 1, 2): the cluster of a pattern is (b1 - b2 + b3 - b4 + 9) mod 9 over its
/// bar widths.
pub fn patterns() -> &'static [[u32; 929]; 3] {
    static T: OnceLock<Box<[[u32; 929]; 3]>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Box::new([[0u32; 929]; 3]);
        for (&sym, &v) in SYMBOL_TABLE.iter().zip(CODEWORD_TABLE.iter()) {
            let bars = widths(sym, CODEWORD_MODULES);
            let k = (bars[0] + bars[4] + 18 - bars[2] - bars[6]) % 9;
            t[k as usize / 3][((v - 1) % P) as usize] = sym;
        }
        t
    })
}

/// The run widths of a `len`-module pattern, first run first.
fn widths(pattern: u32, len: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(8);
    let mut last = None;
    for i in (0..len).rev() {
        let dark = pattern >> i & 1 == 1;
        if last == Some(dark) {
            *out.last_mut().unwrap_or(&mut 0) += 1;
        } else {
            out.push(1);
            last = Some(dark);
        }
    }
    out
}

/// Appends a `len`-module pattern (most significant bit first) to a row.
pub fn push_bits(row: &mut Vec<bool>, pattern: u32, len: usize) {
    row.extend((0..len).rev().map(|i| pattern >> i & 1 == 1));
}

/// Appends alternating bar/space runs (a bar first) to a row.
pub fn push_widths(row: &mut Vec<bool>, widths: &[u8]) {
    for (i, &w) in widths.iter().enumerate() {
        row.extend(std::iter::repeat_n(i % 2 == 0, w as usize));
    }
}

/// The `k` error correction codewords of `data` (ISO/IEC 15438 §4.9: the complements of the
/// remainder of data·x^k divided by ∏(x − 3^i), i = 1..k), highest degree first.
pub fn error_correction(data: &[u16], k: usize) -> Vec<u16> {
    let g = super::gfp::generator(P, k);
    // Remainder by long division; `r[0]` is the highest degree, `r[k]` stays 0.
    let mut r = vec![0u32; k + 1];
    for &d in data {
        let t = (u32::from(d) + r[0]) % P;
        for j in 0..k {
            // r = r·x + t·x^k − t·g(x): subtract t·g (g monic, its lower coefficients g[1..]);
            // t·g < P², so one reduction does.
            r[j] = (r[j + 1] + P * P - t * g[j + 1]) % P;
        }
    }
    r[..k].iter().map(|&c| ((P - c) % P) as u16).collect()
}

/// The data codewords of `s` (no length descriptor, no padding): text, byte and numeric
/// compaction, ECI 26 and UTF-8 bytes for text beyond ASCII. `None` when the encoder refuses.
pub fn data_codewords(s: &str) -> Option<Vec<u16>> {
    let encoding = (!s.is_ascii()).then_some(rxing::common::CharacterSet::UTF8);
    let r = std::panic::catch_unwind(|| encodeHighLevel(s, Compaction::AUTO, encoding, false));
    let high = r.ok()?.ok()?;
    Some(high.chars().map(|c| c as u16).collect())
}

/// Codeword rows of the data region, as ISO/IEC 15438 Annex Q computes them.
fn rows_for(m: u32, k: u32, c: u32) -> u32 {
    let r = (m + 1 + k) / c + 1;
    if c * r >= m + 1 + k + c {
        r - 1
    } else {
        r
    }
}

/// Columns and rows: `columns` pinned (up to 90 rows), or 2-30 columns in at most 30 rows
/// with the width/height ratio nearest 3 (17·c + 69 modules wide, rows three modules high).
fn dimensions(m: u32, k: u32, columns: Option<u8>) -> Option<(u32, u32)> {
    let (min_c, max_c, min_r, max_r) = match columns {
        Some(c) => (u32::from(c), u32::from(c), 3, 90),
        None => (2, 30, 2, 30),
    };
    const PREFERRED: f64 = 3.0;
    let mut best: Option<(u32, u32, f64)> = None;
    for c in min_c..=max_c {
        let r = rows_for(m, k, c);
        if r < min_r {
            break;
        }
        if r > max_r {
            continue;
        }
        let ratio = f64::from(17 * c + 69) * 0.357 / (f64::from(r) * 2.0);
        if best.is_some_and(|(_, _, b)| (ratio - PREFERRED).abs() > (b - PREFERRED).abs()) {
            continue;
        }
        best = Some((c, r, ratio));
    }
    match best {
        Some((c, r, _)) => Some((c, r)),
        None if rows_for(m, k, min_c) < min_r => Some((min_c, min_r)),
        None => None,
    }
}

/// Encodes `s` at error correction level `ecc` (0-8: 2^(ecc+1) codewords), in `columns`
/// data columns or the columns nearest a 3:1 symbol: its rows, one per codeword row, top
/// row first. `None` when it does not fit.
pub fn encode(s: &str, ecc: u8, columns: Option<u8>) -> Option<Vec<Vec<bool>>> {
    if s.is_empty() || ecc > 8 {
        return None;
    }
    let data = data_codewords(s)?;
    let m = data.len() as u32;
    let k = 2u32 << ecc;
    let (c, r) = dimensions(m, k, columns)?;
    if m + k + 1 > P {
        return None;
    }
    let n = c * r - k; // data codewords with the length descriptor and padding
    let pad = n.saturating_sub(m + 1);
    let mut cw = Vec::with_capacity((c * r) as usize);
    cw.push((m + 1 + pad) as u16);
    cw.extend_from_slice(&data);
    cw.extend(std::iter::repeat_n(PAD, pad as usize));
    let ec = error_correction(&cw, k as usize);
    cw.extend(ec);
    if cw.len() != (c * r) as usize {
        return None;
    }
    let t = patterns();
    let ecc = u32::from(ecc);
    let rows = (0..r)
        .map(|y| {
            let cluster = (y % 3) as usize;
            let base = 30 * (y / 3);
            let (rows_ind, ecc_ind, cols_ind) = (base + (r - 1) / 3, base + ecc * 3 + (r - 1) % 3, base + c - 1);
            let (left, right) = match cluster {
                0 => (rows_ind, cols_ind),
                1 => (ecc_ind, rows_ind),
                _ => (cols_ind, ecc_ind),
            };
            let mut row = Vec::with_capacity(17 * (c as usize + 4) + 1);
            push_bits(&mut row, START, 17);
            push_bits(&mut row, t[cluster][left as usize], CODEWORD_MODULES);
            for x in 0..c {
                push_bits(&mut row, t[cluster][cw[(y * c + x) as usize] as usize], CODEWORD_MODULES);
            }
            push_bits(&mut row, t[cluster][right as usize], CODEWORD_MODULES);
            push_bits(&mut row, STOP, 18);
            row
        })
        .collect();
    Some(rows)
}

/// The matrix of codeword `rows` (PDF417's or MicroPDF417's), each `row_height` modules high.
pub fn stacked(rows: &[Vec<bool>], row_height: usize) -> Matrix {
    let width = rows.first().map_or(0, Vec::len);
    let mut dark = Vec::with_capacity(width * rows.len() * row_height);
    for r in rows {
        for _ in 0..row_height {
            dark.extend_from_slice(r);
        }
    }
    Matrix { width, height: rows.len() * row_height, dark, kind: MatrixKind::Square }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cluster_has_every_codeword_once() {
        for cluster in patterns().iter() {
            assert!(cluster.iter().all(|&p| p >> 16 == 1 && p & 1 == 0), "bar first, space last");
            let mut seen: Vec<u32> = cluster.to_vec();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), 929);
        }
        // ISO/IEC 15438 Annex A's first entries: codeword 0 in clusters 0, 3 and 6.
        assert_eq!(patterns()[0][0], 0x1d5c0);
        assert_eq!(patterns()[1][0], 0x1f560);
        assert_eq!(patterns()[2][0], 0x1abe0);
    }

    /// Our Reed–Solomon equals rxing's (an independent implementation of §4.9) at every level.
    #[test]
    fn error_correction_equals_rxings() {
        use rxing::pdf417::encoder::pdf_417_error_correction::generateErrorCorrection;
        let data: Vec<u16> = (0..40u16).map(|i| (i * 97 + 13) % 929).collect();
        for level in 0..=8u32 {
            let s: String = data.iter().map(|&c| char::from_u32(u32::from(c)).unwrap()).collect();
            let theirs: Vec<u16> = generateErrorCorrection(&s, level).unwrap().chars().map(|c| c as u16).collect();
            assert_eq!(error_correction(&data, 2 << level), theirs, "level {level}");
        }
    }

    #[test]
    fn dimensions_follow_annex_q() {
        assert_eq!(rows_for(10, 8, 2), 10); // 19 codewords in 2 columns
        assert!(dimensions(2000, 512, None).is_none());
        assert_eq!(dimensions(1, 2, Some(30)), Some((30, 3)), "at least three rows");
    }
}
