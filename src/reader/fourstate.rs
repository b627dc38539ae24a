//! Four-state postal bars out of an image, for readers of our own (`royalmail.rs`,
//! `imb.rs`, `auspost.rs`): a row
//! that crosses the tracker band shows a long, regular train of equal bars and equal spaces;
//! from the middle of each bar the column is followed up and down while it stays dark, and
//! the bars' tops and bottoms fall into two levels each (ascender or not, descender or not).
//! Rows are tried upright and turned a quarter; each train is read both ways (a symbol
//! upside down is the reverse, ascenders and descenders swapped).

use super::lines::ScanLine;
use super::runs::degrees;
use super::{auspost, imb, royalmail, Found};
use crate::symbology::fourstate::Bar;

/// Our four-state symbologies read here, by name.
const DECODERS: [(&str, Decode); 4] =
    [("rm4scc", royalmail::rm4scc), ("kix", royalmail::kix), ("imb", imb::decode), ("auspost", auspost::decode)];

/// A four-state decoder: the bars in reading order to the text.
type Decode = fn(&[Bar]) -> Option<String>;

/// Every RM4SCC, KIX, IMb and Australia Post symbol in a `w` x `h` luma image whose scan
/// lines are `lines` (`lines::scan`).
pub fn read(luma: &[u8], w: u32, h: u32, lines: &[ScanLine]) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for t in trains(luma, w, h, lines) {
        for (name, decode) in DECODERS {
            let Some(text) = decode(&t.bars) else { continue };
            let (x0, y0, x1, y1) = t.bbox;
            let mut f = Found::plain(name, &text);
            f.position = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
            f.orientation = t.orientation;
            f.symbology_identifier = "]X0".into();
            if !out.iter().any(|g| g.format == f.format && g.text == f.text && g.position == f.position) {
                out.push(f);
            }
        }
    }
    out
}

/// The fewest bars a train must have (a one-character RM4SCC has 10).
const MIN_BARS: usize = 10;

/// A train of bars found in the image: the bars in reading order and their bounding box
/// (x0, y0, x1, y1) in the upright image's pixels.
pub struct Train {
    pub bars: Vec<Bar>,
    pub bbox: (i32, i32, i32, i32),
    /// Degrees the train is turned, clockwise.
    pub orientation: i32,
}

/// The image turned by 0 or 90 degrees, read through an index map.
struct View<'a> {
    luma: &'a [u8],
    w: usize,
    h: usize,
    turned: bool,
}

impl View<'_> {
    fn height(&self) -> usize {
        if self.turned {
            self.w
        } else {
            self.h
        }
    }
    /// The pixel at (x, y) of the view; turned: the upright image's column x read bottom up.
    fn at(&self, x: usize, y: usize) -> u8 {
        if self.turned {
            self.luma[x * self.w + (self.w - 1 - y)]
        } else {
            self.luma[y * self.w + x]
        }
    }
    /// A point of the view in the upright image.
    fn upright(&self, x: usize, y: usize) -> (i32, i32) {
        if self.turned {
            ((self.w - 1 - y) as i32, x as i32)
        } else {
            (x as i32, y as i32)
        }
    }
}

/// Every train of four-state bars on the image's scan lines, each read both ways: a row
/// upright, a column as a row of the image turned a quarter.
pub fn trains(luma: &[u8], w: u32, h: u32, lines: &[ScanLine]) -> Vec<Train> {
    let (w, h) = (w as usize, h as usize);
    let mut out = Vec::new();
    if w < 20 || h < 8 {
        return out;
    }
    // The trains found so far, per orientation, in the view's pixels: a line through one
    // is not read again.
    let mut seen: [Vec<(usize, usize, usize, usize)>; 2] = [Vec::new(), Vec::new()];
    for line in lines {
        let turned = line.vertical;
        let v = View { luma, w, h, turned };
        // The view's row: turned, the image's column x is the view's row w - 1 - x.
        let y = if turned { w - 1 - line.at } else { line.at };
        let seen = &mut seen[usize::from(turned)];
        if seen.iter().any(|s| (s.1..=s.3).contains(&y)) {
            continue;
        }
        let (runs, starts) = (&line.runs.len, &line.runs.start);
        for (a, b) in regular_trains(runs, line.runs.first_dark) {
            let centres: Vec<usize> = (a..=b).step_by(2).map(|i| (starts[i] + runs[i] / 2) as usize).collect();
            let Some((bars, top, bottom)) = bars_at(&v, &centres, y, line.mid) else { continue };
            let (x0, x1) = (starts[a] as usize, (starts[b] + runs[b]) as usize - 1);
            seen.push((x0, top, x1, bottom));
            let (p, q) = (v.upright(x0, top), v.upright(x1, bottom));
            let bbox = (p.0.min(q.0), p.1.min(q.1), p.0.max(q.0), p.1.max(q.1));
            let base = if turned { 90 } else { 0 };
            let flipped: Vec<Bar> = bars.iter().rev().map(|b| swap(*b)).collect();
            out.push(Train { bars, bbox, orientation: degrees(base) });
            out.push(Train { bars: flipped, bbox, orientation: degrees(base + 180) });
        }
    }
    out
}

/// Upside down, an ascender is a descender.
fn swap(b: Bar) -> Bar {
    match b {
        Bar::Ascender => Bar::Descender,
        Bar::Descender => Bar::Ascender,
        other => other,
    }
}

/// Runs `a..=b` (dark at both ends) that form a regular train: at least `MIN_BARS` bars,
/// bars and spaces each within 40 % of their median, spaces 0.5-2.5 bars wide, a quiet
/// zone of one and a half periods (three modules) either side.
fn regular_trains(runs: &[u32], first_dark: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let first_bar = usize::from(!first_dark);
    let mut i = first_bar;
    while i < runs.len() {
        // Extend from bar i while the next bar and space stay like the first pair.
        let (bar, space) = (runs[i] as f32, runs.get(i + 1).copied().unwrap_or(0) as f32);
        let like = |r: u32, m: f32| (r as f32) >= 0.6 * m && (r as f32) <= 1.4 * m + 1.0;
        let mut j = i;
        while j + 2 < runs.len() && like(runs[j + 1], space) && like(runs[j + 2], bar) {
            j += 2;
        }
        let count = (j - i) / 2 + 1;
        let period = bar + space;
        let quiet_before = i > 0 && runs[i - 1] as f32 >= 1.5 * period;
        let quiet_after = runs.get(j + 1).is_some_and(|&r| r as f32 >= 1.5 * period);
        if count >= MIN_BARS && (0.5..2.5).contains(&(space / bar.max(1.0))) && quiet_before && quiet_after {
            out.push((i, j));
            i = j + 2;
        } else {
            i += 2;
        }
    }
    out
}

/// The bars whose middles are `centres` on row `y`: each column followed up and down while
/// dark; tops and bottoms split into two levels by their widest gap, which must be a real
/// one (a fifth of the tallest bar).
fn bars_at(v: &View, centres: &[usize], y: usize, mid: u8) -> Option<(Vec<Bar>, usize, usize)> {
    let (mut tops, mut bottoms) = (Vec::with_capacity(centres.len()), Vec::with_capacity(centres.len()));
    for &x in centres {
        let mut t = y;
        while t > 0 && v.at(x, t - 1) < mid {
            t -= 1;
        }
        let mut b = y;
        while b + 1 < v.height() && v.at(x, b + 1) < mid {
            b += 1;
        }
        tops.push(t);
        bottoms.push(b);
    }
    let tallest = bottoms.iter().zip(&tops).map(|(b, t)| b - t + 1).max()?;
    let up = split(&tops, tallest)?;
    let down = split(&bottoms, tallest)?;
    let bars = tops.iter().zip(&bottoms).map(|(&t, &b)| Bar::from_parts(t < up, b > down)).collect();
    Some((bars, *tops.iter().min()?, *bottoms.iter().max()?))
}

/// The level between the two groups of `ends`: the middle of the widest gap between sorted
/// values, if that gap is at least a fifth of `tallest` and both groups exist.
fn split(ends: &[usize], tallest: usize) -> Option<usize> {
    let mut s = ends.to_vec();
    s.sort_unstable();
    let (gap, at) = s.windows(2).map(|p| (p[1] - p[0], p[0] + (p[1] - p[0]) / 2)).max_by_key(|g| g.0)?;
    (gap * 5 >= tallest).then_some(at + 1)
}
