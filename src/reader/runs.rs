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
    let mut hist = [0u32; 256];
    for &p in px {
        hist[p as usize] += 1;
    }
    let pct = |q: usize| {
        let want = (px.len() * q / 100) as u32;
        let mut acc = 0;
        (0..256).find(|&v| {
            acc += hist[v];
            acc > want
        })
    };
    let (lo, hi) = (pct(5)? as u8, pct(95)? as u8);
    if hi.saturating_sub(lo) < min_contrast {
        return None;
    }
    Some(((lo as u16 + hi as u16) / 2) as u8)
}

/// The line's runs (dark below `mid`, the line's `midpoint`), whether the first is dark,
/// and where each starts; `None` for an empty line.
pub fn line_runs(px: &[u8], mid: u8) -> Option<(Vec<u32>, bool, Vec<usize>)> {
    let first = *px.first()?;
    let dark = |p: u8| p < mid;
    let mut runs = Vec::new();
    let mut starts = vec![0];
    let mut cur = dark(first);
    let mut len = 0u32;
    for (i, &p) in px.iter().enumerate() {
        if dark(p) == cur {
            len += 1;
        } else {
            runs.push(len);
            starts.push(i);
            cur = !cur;
            len = 1;
        }
    }
    runs.push(len);
    Some((runs, dark(first), starts))
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
