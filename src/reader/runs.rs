//! What the scan-line readers share (`linear.rs` runs them, `code11.rs` and `msi.rs` are
//! them): a read on one line, the decoder's shape, and run widths in modules.

/// A symbol read on one scan line: its text and the runs it spans, `first..last`.
pub struct Hit {
    pub text: String,
    pub first: usize,
    pub last: usize,
}

/// A decoder: runs alternate light and dark, light at even indices (index 0 the margin
/// before the first bar), so a symbol starting at dark run `i` has its quiet zone at `i - 1`.
pub type Decode = fn(&[u32]) -> Vec<Hit>;

/// A decoder's reading of the symbol that starts at dark run `i`: the hit and the run
/// after its end.
pub type ReadAt = fn(&[u32], usize) -> Option<(Hit, usize)>;

/// Every symbol `at` reads on the line, trying each dark run as a start: `at(r, i)` gives
/// the symbol starting at run `i` and the run after its end.
pub fn scan(r: &[u32], at: ReadAt) -> Vec<Hit> {
    scan_short(r, at, 5)
}

/// `scan` for symbols as short as `runs` runs after their first bar (`scan`: 5).
pub fn scan_short(r: &[u32], at: ReadAt, runs: usize) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut i = 1;
    while i + runs < r.len() {
        match at(r, i) {
            Some((hit, next)) => {
                out.push(hit);
                i = next + 1;
            }
            None => i += 2,
        }
    }
    out
}

/// The midpoint of the line's 5th and 95th percentile levels: dark below it; `None` when
/// they differ by less than `min_contrast`.
pub fn midpoint(px: &[u8], min_contrast: u8) -> Option<u8> {
    // A line flat within the contrast asked for (margins, painted places) is passed at the
    // cost of its extremes, which the compiler takes 16 pixels an instruction.
    let (darkest, lightest) = (px.iter().copied().min()?, px.iter().copied().max()?);
    if lightest - darkest < min_contrast {
        return None;
    }
    let mut hist = [0u32; 256];
    for &p in px {
        hist[p as usize] += 1;
    }
    // The least level whose cumulative count passes `want`: the 5th percentile counted up
    // from the darkest level, the 95th down from the lightest (no pixel lies beyond them).
    let total = px.len() as u32;
    let (want_lo, want_hi) = ((px.len() * 5 / 100) as u32, (px.len() * 95 / 100) as u32);
    let (mut lo, mut acc) = (usize::from(darkest), hist[usize::from(darkest)]);
    while acc <= want_lo {
        lo += 1;
        acc += hist[lo];
    }
    let (mut hi, mut acc) = (usize::from(lightest), total);
    while hi > 0 && acc - hist[hi] > want_hi {
        acc -= hist[hi];
        hi -= 1;
    }
    let (lo, hi) = (lo as u8, hi as u8);
    if hi.saturating_sub(lo) < min_contrast {
        return None;
    }
    Some(((lo as u16 + hi as u16) / 2) as u8)
}

/// Where a line's level changes: every `i > 0` whose pixel is dark (below `below`) when
/// pixel `i - 1` is not, or the other way round, in order, appended to `out`. `masks` is
/// scratch space: the line as bits, 64 pixels a word (`dark_masks`), so a change is a bit
/// that differs from the one before it.
pub fn changes(px: &[u8], below: u8, masks: &mut Vec<u64>, out: &mut Vec<u32>) {
    let Some(&first) = px.first() else { return };
    dark_masks(px, below, masks);
    let n = px.len();
    // Pixel -1 is taken to be pixel 0: no change at 0.
    let mut before = u64::from(first < below);
    let last = masks.len() - 1;
    for (k, &m) in masks.iter().enumerate() {
        let mut x = m ^ ((m << 1) | before);
        if k == last && !n.is_multiple_of(64) {
            // Past the line's end.
            x &= (1u64 << (n % 64)) - 1;
        }
        before = m >> 63;
        while x != 0 {
            out.push((64 * k) as u32 + x.trailing_zeros());
            x &= x - 1;
        }
    }
}

/// The line as bits: bit `j` of word `k` is set when pixel `64 k + j` is below `below`.
/// This is the readers' hottest loop (every pixel of the image for the dot finder), so on
/// x86-64 it compares 16 pixels an instruction (SSE2, which every x86-64 CPU has): 30 µs a
/// megapixel against 560 µs a pixel at a time, as the compiler leaves the plain loop.
pub fn dark_masks(px: &[u8], below: u8, masks: &mut Vec<u64>) {
    masks.clear();
    let mut chunks = px.chunks_exact(64);
    for c in &mut chunks {
        masks.push(mask64(c, below));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last word through the same compare, padded light (255 is never below a u8).
        let mut padded = [u8::MAX; 64];
        padded[..rest.len()].copy_from_slice(rest);
        masks.push(mask64(&padded, below));
    }
}

/// Bit j set when `c[j]` (64 pixels) is below `below`.
#[cfg(target_arch = "x86_64")]
fn mask64(c: &[u8], below: u8) -> u64 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8};
    let Some(most) = below.checked_sub(1) else { return 0 };
    assert!(c.len() >= 64);
    // SAFETY: SSE2 is part of the x86-64 baseline; each load reads 16 of the 64 bytes
    // asserted above, unaligned loads being allowed.
    unsafe {
        // p < below, unsigned: min(p, below - 1) == p.
        let lim = _mm_set1_epi8(most as i8);
        let mut m = 0u64;
        for k in 0..4 {
            let v = _mm_loadu_si128(c.as_ptr().add(16 * k).cast());
            let dark = _mm_cmpeq_epi8(_mm_min_epu8(v, lim), v);
            m |= u64::from(_mm_movemask_epi8(dark) as u16) << (16 * k);
        }
        m
    }
}

/// Bit j set when `c[j]` (64 pixels) is below `below`.
#[cfg(not(target_arch = "x86_64"))]
fn mask64(c: &[u8], below: u8) -> u64 {
    c.iter().take(64).enumerate().fold(0, |m, (j, &p)| m | (u64::from(p < below) << j))
}

/// A line cut into runs at its `midpoint`.
#[derive(Default)]
pub struct Runs {
    /// The runs' lengths in pixels, alternating from the first pixel's level.
    pub len: Vec<u32>,
    /// Where each run starts.
    pub start: Vec<u32>,
    /// Whether the first run is dark.
    pub first_dark: bool,
}

impl Runs {
    /// Cuts `px` into runs (dark below `mid`), `masks` being scratch space shared from line
    /// to line (`changes`); false for an empty line.
    pub fn cut(&mut self, px: &[u8], mid: u8, masks: &mut Vec<u64>) -> bool {
        let Some(&first) = px.first() else { return false };
        self.start.clear();
        self.start.push(0);
        changes(px, mid, masks, &mut self.start);
        self.len.clear();
        self.len.extend(self.start.windows(2).map(|p| p[1] - p[0]));
        self.len.push(px.len() as u32 - self.start[self.start.len() - 1]);
        self.first_dark = first < mid;
        true
    }
}

/// A run's width in narrow elements, 1 or 2 (or 3 up to `max`), or `None` when it fits none.
pub fn modules(run: u32, narrow: f32, max: u8) -> Option<u8> {
    let m = run as f32 / narrow;
    if !(0.5..max as f32 + 0.7).contains(&m) {
        return None;
    }
    Some(if m < 1.5 {
        1
    } else if m < 2.5 || max == 2 {
        2
    } else {
        3
    })
}

/// Whether a light run is a quiet zone for a symbol of this narrow width.
pub fn quiet(run: Option<&u32>, narrow: f32) -> bool {
    run.is_some_and(|&r| r as f32 >= 5.0 * narrow)
}

/// The runs of an encoded linear symbol at `px` pixels a module, quiet zones either side,
/// light first (what `Decode` takes).
#[cfg(test)]
pub fn runs_of(e: &crate::symbology::Encoded, px: u32) -> Vec<u32> {
    let crate::symbology::Symbol::Linear(l) = &e.symbol else { panic!("not linear") };
    let mut runs = Vec::new();
    let (mut cur, mut len) = (false, 12 * px);
    for &m in &l.modules {
        if m == cur {
            len += px;
        } else {
            runs.push(len);
            (cur, len) = (m, px);
        }
    }
    runs.push(len);
    runs.push(12 * px);
    runs
}

/// Degrees clockwise as zxing-cpp reports them: -179 to 180.
pub fn degrees(d: i32) -> i32 {
    let d = d.rem_euclid(360);
    if d > 180 {
        d - 360
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::testkit::rng;

    /// The runs of a line, one pixel at a time: what `Runs::cut` must give.
    fn runs_slowly(px: &[u8], mid: u8) -> (Vec<u32>, bool, Vec<u32>) {
        let mut runs = vec![1u32];
        let mut starts = vec![0];
        for i in 1..px.len() {
            if (px[i] < mid) == (px[i - 1] < mid) {
                *runs.last_mut().unwrap() += 1;
            } else {
                runs.push(1);
                starts.push(i as u32);
            }
        }
        (runs, px[0] < mid, starts)
    }

    /// The percentile as the cumulative count from black: the least level past `q` %.
    fn percentile_slowly(px: &[u8], q: usize) -> u8 {
        let mut s = px.to_vec();
        s.sort_unstable();
        s[px.len() * q / 100]
    }

    #[test]
    fn runs_and_changes_agree_with_a_pixel_by_pixel_count() {
        let mut below = rng(7);
        let (mut runs, mut masks) = (Runs::default(), Vec::new());
        for len in (1..80).chain([255, 256, 257, 1000, 4096]) {
            for _ in 0..20 {
                // Runs of random lengths, some a pixel long, at random levels.
                let mut px = Vec::with_capacity(len);
                while px.len() < len {
                    let (level, n) = (below(256) as u8, 1 + below(12));
                    px.extend(std::iter::repeat_n(level, n.min(len - px.len())));
                }
                let mid = below(256) as u8;
                // One `Runs` for every line, as the readers keep it.
                assert!(runs.cut(&px, mid, &mut masks));
                assert_eq!(
                    (runs.len.clone(), runs.first_dark, runs.start.clone()),
                    runs_slowly(&px, mid),
                    "{px:?} at {mid}"
                );
            }
        }
        assert!(!runs.cut(&[], 128, &mut masks));
    }

    #[test]
    fn dark_masks_hold_one_bit_a_pixel() {
        let mut below = rng(3);
        let px: Vec<u8> = (0..1000).map(|_| below(256) as u8).collect();
        let mut masks = Vec::new();
        for len in [0, 1, 63, 64, 65, 128, 999, 1000] {
            for t in [0u8, 1, 77, 128, 255] {
                dark_masks(&px[..len], t, &mut masks);
                assert_eq!(masks.len(), len.div_ceil(64));
                for (i, &p) in px[..len].iter().enumerate() {
                    assert_eq!((masks[i / 64] >> (i % 64)) & 1 == 1, p < t, "pixel {i} of {len} at {t}");
                }
                if !len.is_multiple_of(64) {
                    assert_eq!(masks[len / 64] >> (len % 64), 0, "no bit past the end");
                }
            }
        }
    }

    #[test]
    fn midpoint_is_halfway_between_the_5th_and_95th_percentiles() {
        let mut below = rng(11);
        for len in [1, 2, 19, 20, 21, 100, 999, 4096] {
            for _ in 0..20 {
                let (a, b) = (below(256) as u8, below(256) as u8);
                let (lo, hi) = (a.min(b), a.max(b));
                let px: Vec<u8> = (0..len).map(|_| lo + below(usize::from(hi - lo) + 1) as u8).collect();
                let (p5, p95) = (percentile_slowly(&px, 5), percentile_slowly(&px, 95));
                let want = (p95 - p5 >= 10).then(|| ((u16::from(p5) + u16::from(p95)) / 2) as u8);
                assert_eq!(midpoint(&px, 10), want, "{px:?}");
            }
        }
        assert_eq!(midpoint(&[], 0), None);
        assert_eq!(midpoint(&[0, 255], 0), Some(127));
    }
}
