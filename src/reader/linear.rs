//! Readers of our own for the linear symbologies zxing-cpp does not read (Code 11, MSI,
//! and Pharmacode when asked for):
//! the image's scan lines (`lines.rs`: rows and columns, each cut into runs at the midpoint
//! of its own levels), read both ways; a symbology's decoder
//! (`code11.rs`, `msi.rs`) reads a symbol out of the runs between quiet zones, its check
//! characters verified; a result stands only when at least `AGREE` scan lines read the same
//! text — the rule zxing-cpp applies against false positives.

use super::lines::{self, ScanLine};
use super::runs::{degrees, Decode};
use super::Found;

/// Scan lines that must read the same text.
const AGREE: usize = 2;

/// Our symbologies read here, by name.
const DECODERS: [(&str, Decode); 2] = [("code11", super::code11::decode), ("msi", super::msi::decode)];

/// How the lines are read: by which decoders, and how tall a symbol's agreeing lines must
/// stand.
struct Scan<'a> {
    decoders: &'a [(&'static str, Decode)],
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

/// Every Code 11 and MSI symbol on the image's scan lines (`lines::scan`).
pub fn read(lines: &[ScanLine]) -> Vec<Found> {
    read_with(lines, &Scan { decoders: &DECODERS, upright: None })
}

/// Every Pharmacode symbol in a `w` x `h` luma image running the way `orientation` says
/// (degrees clockwise from left to right): read backwards it would be another number
/// (`pharmacode.rs`).
pub fn read_pharmacode(luma: &[u8], w: u32, h: u32, orientation: i32) -> Vec<Found> {
    // No start, stop or check: dense lines (every pixel up to 1024), and the bars must
    // stand at least a third as tall as the symbol is long and six spaces tall (the digits
    // printed under it, and the strokes of any text, read as numbers too).
    let scan = Scan {
        decoders: &[("pharmacode", super::pharmacode::decode)],
        upright: Some(Upright { of_length: 1.0 / 3.0, in_spaces: 6.0 }),
    };
    let mut found = read_with(&lines::scan(luma, w, h, 1024), &scan);
    found.retain(|f| f.orientation.rem_euclid(360) == orientation.rem_euclid(360));
    found
}

fn read_with(lines: &[ScanLine], scan: &Scan) -> Vec<Found> {
    let mut reads = Vec::new();
    let mut back = Vec::new();
    for line in lines {
        read_line(line, scan.decoders, &mut back, &mut reads);
    }
    agree(reads, scan.upright)
}

/// What the decoders read on one line, both directions, with the pixel ends of each read,
/// appended to `out`; `back` is scratch space for the runs in reverse.
fn read_line(line: &ScanLine, decoders: &[(&'static str, Decode)], back: &mut Vec<u32>, out: &mut Vec<Read>) {
    let runs = &line.runs;
    let n = runs.len.len();
    back.clear();
    back.extend(runs.len.iter().rev());
    for reversed in [false, true] {
        // In reading order, light first (a line that starts dark has no quiet zone before
        // its first bar: that run is skipped).
        let (r, dark_first): (&[u32], bool) = if reversed {
            (back, if n.is_multiple_of(2) { !runs.first_dark } else { runs.first_dark })
        } else {
            (&runs.len, runs.first_dark)
        };
        // Where run k of `r` starts in the line's pixels.
        let s = |k: usize| runs.start[if reversed { n - 1 - k } else { k }] as usize;
        let skip = usize::from(dark_first);
        for &(name, decode) in decoders {
            for hit in decode(&r[skip..]) {
                let (a, b) = (s(hit.first + skip), s(hit.last + skip));
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
                let (from, to) = (line.pixel(from), line.pixel(to));
                out.push(Read {
                    name,
                    text: hit.text,
                    from,
                    to,
                    vertical: line.vertical,
                    step: line.spacing as i32,
                    space,
                });
            }
        }
    }
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
