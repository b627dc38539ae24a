//! Test helpers the encoders' unit tests share: a small deterministic random source, a
//! read-back of a matrix through rxing's readers (zxing's, independent of our encoders) and
//! a matrix symbol's size.

use super::{Encoded, Matrix, Symbol};

/// A xorshift generator: `next(n)` is in `0..n`, the same sequence for the same seed.
pub fn rng(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}

/// The text rxing reads from `m` drawn at `scale` pixels a module with `quiet` pixels of
/// margin, looking for `format` only.
pub fn rxing_read(m: &Matrix, format: rxing::BarcodeFormat, scale: usize, quiet: usize) -> Option<String> {
    let (w, h) = (m.width * scale + 2 * quiet, m.height * scale + 2 * quiet);
    let mut luma = vec![255u8; w * h];
    for y in 0..m.height * scale {
        for x in 0..m.width * scale {
            if m.dark[(y / scale) * m.width + x / scale] {
                luma[(y + quiet) * w + x + quiet] = 0;
            }
        }
    }
    let mut hints = rxing::DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some([format].into_iter().collect()),
        ..Default::default()
    };
    let r = rxing::helpers::detect_in_luma_with_hints(luma, w as u32, h as u32, None, &mut hints);
    r.ok().map(|r| r.getText().to_string())
}

/// The width and height in modules of a matrix symbol (panics on a linear one).
pub fn dims(e: Encoded) -> (usize, usize) {
    match e.symbol {
        Symbol::Matrix(m) => (m.width, m.height),
        _ => panic!("not a matrix symbol"),
    }
}
