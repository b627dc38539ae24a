//! The scan lines the bar readers of our own share (`linear.rs` for Code 11 and MSI,
//! `fourstate.rs` for the postal codes): rows and columns spread evenly over the image,
//! each cut into runs at the midpoint of its own dark and light levels. Cut once per image
//! and read by both, so a pixel is binarized once, not once per reader.

use super::runs::{midpoint, Runs};

/// Lines per direction the readers share.
pub const LINES: usize = 64;
/// The least difference between a line's dark and light levels worth reading.
pub const MIN_CONTRAST: u8 = 48;

/// `n` rows and `n` columns of a `w` x `h` luma image with at least `MIN_CONTRAST` (the
/// readers share `LINES` of each); none for an image too small to hold a symbol (16 x 4
/// pixels).
pub fn scan(luma: &[u8], w: u32, h: u32, n: usize) -> Vec<ScanLine> {
    let (w, h) = (w as usize, h as usize);
    if w < 16 || h < 4 {
        return Vec::new();
    }
    scan_lines(luma, (w, h), n, MIN_CONTRAST)
}

/// A row or a column of the image, cut into runs.
pub struct ScanLine {
    /// A column (else a row).
    pub vertical: bool,
    /// The row's y or the column's x.
    pub at: usize,
    /// Pixels between this direction's lines.
    pub spacing: usize,
    /// The level below which a pixel is dark.
    pub mid: u8,
    /// Read left to right or top to bottom.
    pub runs: Runs,
}

impl ScanLine {
    /// The image pixel of the line's pixel `i`.
    pub fn pixel(&self, i: usize) -> (i32, i32) {
        if self.vertical {
            (self.at as i32, i as i32)
        } else {
            (i as i32, self.at as i32)
        }
    }
}

/// `n` rows and `n` columns of a `w` x `h` luma image (at most one a pixel), rows first,
/// each at the middle of its share of the image; a line whose levels differ by less than
/// `min_contrast` has nothing to read and is left out.
fn scan_lines(luma: &[u8], (w, h): (usize, usize), n: usize, min_contrast: u8) -> Vec<ScanLine> {
    let (mut out, mut masks) = (Vec::new(), Vec::new());
    if w == 0 || h == 0 || luma.len() < w * h {
        return out;
    }
    for vertical in [false, true] {
        let across = if vertical { w } else { h };
        let lines = n.min(across);
        let spacing = across.div_ceil(lines);
        let at: Vec<usize> = (0..lines).map(|k| (across * (2 * k + 1)) / (2 * lines)).collect();
        // The columns, gathered in one pass down the image (a column at a time would read
        // a cache line for every pixel, once per column): column k is `columns[k * h..]`.
        let mut columns = Vec::new();
        if vertical {
            columns.resize(lines * h, 0);
            for (y, row) in luma.chunks_exact(w).take(h).enumerate() {
                for (k, &x) in at.iter().enumerate() {
                    columns[k * h + y] = row[x];
                }
            }
        }
        for (k, &at) in at.iter().enumerate() {
            let px: &[u8] = if vertical { &columns[k * h..(k + 1) * h] } else { &luma[at * w..(at + 1) * w] };
            let Some(mid) = midpoint(px, min_contrast) else { continue };
            let mut runs = Runs::default();
            if runs.cut(px, mid, &mut masks) {
                out.push(ScanLine { vertical, at, spacing, mid, runs });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_then_columns_each_cut_at_its_own_midpoint() {
        // Left half dark, right half light; the bottom row all light.
        let (w, h) = (8, 4);
        let mut luma: Vec<u8> = (0..w * h).map(|i| if i % w < 4 { 10 } else { 250 }).collect();
        luma[3 * w..].fill(250);
        let lines = scan_lines(&luma, (w, h), 4, 48);
        let rows: Vec<usize> = lines.iter().filter(|l| !l.vertical).map(|l| l.at).collect();
        assert_eq!(rows, [0, 1, 2], "the light row has no contrast");
        let columns: Vec<(usize, usize)> = lines.iter().filter(|l| l.vertical).map(|l| (l.at, l.spacing)).collect();
        assert_eq!(columns, [(1, 2), (3, 2)], "the light columns are left out");
        assert_eq!(lines[3].runs.len, [3, 1]);
        let row = &lines[0];
        assert_eq!((row.mid, row.runs.len.as_slice(), row.runs.first_dark), (130, &[4u32, 4][..], true));
        assert_eq!((row.spacing, row.pixel(5)), (1, (5, 0)));
        assert!(scan_lines(&luma, (w, h + 1), 4, 48).is_empty(), "too few pixels for the size");
    }
}
