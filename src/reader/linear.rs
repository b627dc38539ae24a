//! Readers of our own for the linear symbologies zxing-cpp does not read (Code 11, MSI):
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

/// One line's read: which symbology, the text, its pixel ends in reading order, and
/// whether the line is a column.
struct Read {
    name: &'static str,
    text: String,
    from: (i32, i32),
    to: (i32, i32),
    vertical: bool,
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
    let (wi, hi) = (w as usize, h as usize);
    if wi < 16 || hi < 4 {
        return Vec::new();
    }
    let mut reads = Vec::new();
    for vertical in [false, true] {
        let (across, along) = if vertical { (wi, hi) } else { (hi, wi) };
        let n = LINES.min(across);
        for k in 0..n {
            let at = (across * (2 * k + 1)) / (2 * n);
            let line = if vertical {
                Line { px: (0..along).map(|y| luma[y * wi + at]).collect(), origin: (at as i32, 0), step: (0, 1) }
            } else {
                Line { px: luma[at * wi..(at + 1) * wi].to_vec(), origin: (0, at as i32), step: (1, 0) }
            };
            reads.extend(read_line(&line, vertical));
        }
    }
    agree(reads)
}

/// What the decoders read on one line, both directions, with the pixel ends of each read.
fn read_line(line: &Line, vertical: bool) -> Vec<Read> {
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
        for (name, decode) in DECODERS {
            for hit in decode(&r[skip..]) {
                let (a, b) = (s[hit.first + skip], s[hit.last + skip]);
                // The pixel ends in reading order.
                let (from, to) = if reversed {
                    (a + r[hit.first + skip] as usize - 1, b)
                } else {
                    (a, b + r[hit.last + skip] as usize - 1)
                };
                out.push(Read { name, text: hit.text, from: at(from), to: at(to), vertical });
            }
        }
    }
    out
}

/// Results read alike by at least `AGREE` lines of one direction; their corners span the
/// lines' reads.
fn agree(reads: Vec<Read>) -> Vec<Found> {
    let mut groups: Vec<(Read, Vec<Ends>)> = Vec::new();
    for r in reads {
        match groups.iter_mut().find(|g| g.0.name == r.name && g.0.text == r.text && g.0.vertical == r.vertical) {
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
            f.symbology_identifier = match name {
                "code11" => "]H1".into(),
                _ => "]M1".into(),
            };
            f
        })
        .collect()
}
