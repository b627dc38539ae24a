//! Readers of our own for the linear symbologies zxing-cpp does not read (Code 11, MSI,
//! and Pharmacode when asked for):
//! scan lines across the image (rows and columns, both directions), each binarized at the
//! midpoint of its own dark and light levels and cut into runs; a symbology's decoder
//! (`code11.rs`, `msi.rs`) reads a symbol out of the runs between quiet zones, its check
//! characters verified; a result stands only when at least `AGREE` scan lines read the same
//! text — the rule zxing-cpp applies against false positives.

use super::runs::{degrees, line_runs, midpoint, Decode};
use super::Found;

/// Scan lines per direction (spread over the image).
const LINES: usize = 48;
/// Scan lines that must read the same text.
const AGREE: usize = 2;
/// The least difference between a line's dark and light levels worth reading.
const MIN_CONTRAST: u8 = 48;

/// Our symbologies read here, by name.
const DECODERS: [(&str, Decode); 2] = [("code11", super::code11::decode), ("msi", super::msi::decode)];

/// How an image is scanned: by which decoders, how densely, and how tall a symbol's
/// agreeing lines must stand.
struct Scan<'a> {
    decoders: &'a [(&'static str, Decode)],
    /// Scan lines per direction (at most one per pixel).
    lines: usize,
    /// How tall the agreeing lines must stand (`upright`), if they must.
    upright: Option<Upright>,
}

/// The least height of a symbol's bars, as a share of its length and in its spaces (the
/// light runs between its bars): a symbol's bars are tall, the strokes of text are not.
#[derive(Clone, Copy)]
struct Upright {
    of_length: f32,
    in_spaces: f32,
}

/// One line's read: which symbology, the text, its pixel ends in reading order, and
/// whether the line is a column.
struct Read {
    name: &'static str,
    text: String,
    from: (i32, i32),
    to: (i32, i32),
    vertical: bool,
    /// Pixels between this direction's scan lines.
    step: i32,
    /// The median light run between the read's bars, in pixels.
    space: f32,
}

/// A read's pixel ends in reading order.
type Ends = ((i32, i32), (i32, i32));

/// A scan line: pixel `i` is at `origin + i * step`.
struct Line {
    px: Vec<u8>,
    origin: (i32, i32),
    step: (i32, i32),
}

/// Every Code 11 and MSI symbol in a `w` x `h` luma image.
pub fn read(luma: &[u8], w: u32, h: u32) -> Vec<Found> {
    read_with(luma, w, h, &Scan { decoders: &DECODERS, lines: LINES, upright: None })
}

/// Every Pharmacode symbol running the way `orientation` says (degrees clockwise from
/// left to right): read backwards it would be another number (`pharmacode.rs`).
pub fn read_pharmacode(luma: &[u8], w: u32, h: u32, orientation: i32) -> Vec<Found> {
    // No start, stop or check: dense lines (every pixel up to 1024), and the bars must
    // stand at least a third as tall as the symbol is long and six spaces tall (the digits
    // printed under it, and the strokes of any text, read as numbers too).
    let scan = Scan {
        decoders: &[("pharmacode", super::pharmacode::decode)],
        lines: 1024,
        upright: Some(Upright { of_length: 1.0 / 3.0, in_spaces: 6.0 }),
    };
    let mut found = read_with(luma, w, h, &scan);
    found.retain(|f| f.orientation.rem_euclid(360) == orientation.rem_euclid(360));
    found
}

fn read_with(luma: &[u8], w: u32, h: u32, scan: &Scan) -> Vec<Found> {
    let (wi, hi) = (w as usize, h as usize);
    if wi < 16 || hi < 4 {
        return Vec::new();
    }
    let mut reads = Vec::new();
    for vertical in [false, true] {
        let (across, along) = if vertical { (wi, hi) } else { (hi, wi) };
        let n = scan.lines.min(across);
        let step = across.div_ceil(n) as i32;
        for k in 0..n {
            let at = (across * (2 * k + 1)) / (2 * n);
            let line = if vertical {
                Line { px: (0..along).map(|y| luma[y * wi + at]).collect(), origin: (at as i32, 0), step: (0, 1) }
            } else {
                Line { px: luma[at * wi..(at + 1) * wi].to_vec(), origin: (0, at as i32), step: (1, 0) }
            };
            reads.extend(read_line(&line, vertical, step, scan.decoders));
        }
    }
    agree(reads, scan.upright)
}

/// What the decoders read on one line, both directions, with the pixel ends of each read.
fn read_line(line: &Line, vertical: bool, step: i32, decoders: &[(&'static str, Decode)]) -> Vec<Read> {
    let Some(mid) = midpoint(&line.px, MIN_CONTRAST) else { return Vec::new() };
    let Some((runs, first_dark, starts)) = line_runs(&line.px, mid) else { return Vec::new() };
    let mut out = Vec::new();
    let at = |i: usize| (line.origin.0 + line.step.0 * i as i32, line.origin.1 + line.step.1 * i as i32);
    for reversed in [false, true] {
        // In reading order, light first (a line that starts dark has no quiet zone before
        // its first bar: that run is skipped).
        let mut r: Vec<u32> = runs.clone();
        let mut s: Vec<usize> = starts.clone();
        let mut dark_first = first_dark;
        if reversed {
            r.reverse();
            s.reverse();
            dark_first = if runs.len() % 2 == 0 { !first_dark } else { first_dark };
        }
        let skip = usize::from(dark_first);
        for &(name, decode) in decoders {
            for hit in decode(&r[skip..]) {
                let (a, b) = (s[hit.first + skip], s[hit.last + skip]);
                // The pixel ends in reading order.
                let (from, to) = if reversed {
                    (a + r[hit.first + skip] as usize - 1, b)
                } else {
                    (a, b + r[hit.last + skip] as usize - 1)
                };
                let inside = r.get(hit.first + skip + 1..hit.last + skip).unwrap_or(&[]);
                let mut spaces: Vec<u32> = inside.iter().step_by(2).copied().collect();
                spaces.sort_unstable();
                let space = spaces.get(spaces.len() / 2).copied().unwrap_or(0) as f32;
                out.push(Read { name, text: hit.text, from: at(from), to: at(to), vertical, step, space });
            }
        }
    }
    out
}

/// The reads of one symbol standing upright: the longest run of neighbouring lines (no
/// more than `step` + 1 pixels apart) whose ends lie where the run's first read's do
/// (within a twentieth of its length), kept when the run is at least three lines and as
/// tall as `u` says. Noise or text that happen to read alike on scattered lines are no
/// such run.
fn standing(mut ends: Vec<Ends>, r: &Read, u: Upright) -> Option<Vec<Ends>> {
    let (vertical, step) = (r.vertical, r.step);
    let across = |p: (i32, i32)| if vertical { p.0 } else { p.1 };
    let along = |p: (i32, i32)| if vertical { p.1 } else { p.0 };
    ends.sort_by_key(|e| across(e.0));
    let mut best: &[Ends] = &[];
    let mut start = 0;
    for i in 1..=ends.len() {
        let (first, prev) = (ends[start], ends[i - 1]);
        let tol = ((along(first.1) - along(first.0)).abs() / 20).max(2);
        let joins = ends.get(i).is_some_and(|e| {
            across(e.0) - across(prev.0) <= step + 1
                && (along(e.0) - along(first.0)).abs() <= tol
                && (along(e.1) - along(first.1)).abs() <= tol
        });
        if !joins {
            if i - start > best.len() {
                best = &ends[start..i];
            }
            start = i;
        }
    }
    let (first, last) = (best.first()?, best.last()?);
    let length = (along(first.1) - along(first.0)).abs() as f32;
    let height = (across(last.0) - across(first.0)) as f32;
    let tall = height >= u.of_length * length && height >= u.in_spaces * r.space;
    (best.len() >= 3 && tall).then(|| best.to_vec())
}

/// Results read alike by at least `AGREE` lines of one direction; their corners span the
/// lines' reads.
fn agree(reads: Vec<Read>, upright: Option<Upright>) -> Vec<Found> {
    let mut groups: Vec<(Read, Vec<Ends>)> = Vec::new();
    for r in reads {
        // Alike: the same text, read the same way (a Pharmacode that reads the same both
        // ways is two results, one per direction).
        let forward = |r: &Read| if r.vertical { r.to.1 >= r.from.1 } else { r.to.0 >= r.from.0 };
        let alike =
            |g: &Read| g.name == r.name && g.text == r.text && g.vertical == r.vertical && forward(g) == forward(&r);
        match groups.iter_mut().find(|g| alike(&g.0)) {
            Some(g) => g.1.push((r.from, r.to)),
            None => {
                let ends = vec![(r.from, r.to)];
                groups.push((r, ends));
            }
        }
    }
    groups
        .into_iter()
        .filter(|g| g.1.len() >= AGREE)
        .filter_map(|(r, ends)| match upright {
            None => Some((r, ends)),
            Some(u) => standing(ends, &r, u).map(|ends| (r, ends)),
        })
        .map(|(Read { name, text, vertical, .. }, ends)| {
            let xs = ends.iter().flat_map(|(a, b)| [a.0, b.0]);
            let ys = ends.iter().flat_map(|(a, b)| [a.1, b.1]);
            let (x0, x1) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
            let (y0, y1) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
            // Which way the text runs: from the first read's start to its end.
            let (a, b) = ends[0];
            let orientation = match (vertical, if vertical { b.1 >= a.1 } else { b.0 >= a.0 }) {
                (false, true) => 0,
                (true, true) => 90,
                (false, false) => 180,
                (true, false) => 270,
            };
            let mut f = Found::plain(name, &text);
            f.position = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)];
            f.orientation = degrees(orientation);
            f.lines = ends.len() as i32;
            // Pharmacode has no AIM identifier of its own.
            f.symbology_identifier = match name {
                "code11" => "]H1".into(),
                "msi" => "]M1".into(),
                _ => String::new(),
            };
            f
        })
        .collect()
}
