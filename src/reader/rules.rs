//! Rules of ours over zxing-cpp's results, against misreads it lets through: a linear
//! result that is only part of another read of the same symbol, and two readings of one
//! EAN/UPC symbol that cannot both be right.

use super::Found;

/// Both rules, the partial reads first.
pub fn drop_doubtful(found: &mut Vec<Found>) {
    drop_partial_reads(found);
    drop_conflicting_reads(found);
}

/// Drops every result `a` for which some result `b` makes `doubtful(a, b)` true, all
/// judged on the list as it was.
pub(super) fn drop_where(found: &mut Vec<Found>, doubtful: impl Fn(&Found, &Found) -> bool) {
    let drop: Vec<bool> = found.iter().map(|a| found.iter().any(|b| doubtful(a, b))).collect();
    let mut d = drop.into_iter();
    found.retain(|_| !d.next().unwrap_or(false));
}

/// Drops a linear result that is part of another of the same format over the same place,
/// read by fewer scan lines: a scan line that crosses a turned ITF from its top edge to its
/// bottom edge sees white "quiet zones" either side of a few of its pairs and reads `1234`
/// out of `12345678` (ITF has no check digit). zxing-cpp returns both; the part is dropped.
fn drop_partial_reads(found: &mut Vec<Found>) {
    drop_where(found, |a, b| {
        a.lines > 0
            && a.format == b.format
            && a.text.len() < b.text.len()
            && b.text.contains(a.text.as_str())
            && a.lines < b.lines
            && inside(centre(&a.position), &b.position)
    });
}

fn centre(q: &[(i32, i32); 4]) -> (i32, i32) {
    (q.iter().map(|p| p.0).sum::<i32>() / 4, q.iter().map(|p| p.1).sum::<i32>() / 4)
}

/// Whether `p` lies in the bounding box of `q`, widened by a tenth of its size (a linear
/// symbol's quad is a thin band).
fn inside(p: (i32, i32), q: &[(i32, i32); 4]) -> bool {
    let (x0, x1) = (q.iter().map(|p| p.0).min().unwrap_or(0), q.iter().map(|p| p.0).max().unwrap_or(0));
    let (y0, y1) = (q.iter().map(|p| p.1).min().unwrap_or(0), q.iter().map(|p| p.1).max().unwrap_or(0));
    let m = ((x1 - x0).max(y1 - y0) / 10).max(4);
    (x0 - m..=x1 + m).contains(&p.0) && (y0 - m..=y1 + m).contains(&p.1)
}

/// Drops the doubtful side of two EAN-13/UPC-A readings of one symbol: both run the same
/// way over the same stretch of the image, side by side (their scan-line bands less than
/// half their length apart), and share one half of their digits but not the other. One
/// symbol has one left half and one right half, so one of them is wrong: the reading made
/// by more scan lines is kept, and on a tie neither (a photograph in zxing-cpp's samples:
/// 5030159003930 on five columns and, beside it, 7034759003930 on four, a wrong left half
/// with a valid check digit).
fn drop_conflicting_reads(found: &mut Vec<Found>) {
    drop_where(found, |a, b| one_symbol_read_two_ways(a, b) && a.lines <= b.lines);
}

/// The 13 digits of an EAN-13, UPC-A or ISBN reading.
fn gtin13(f: &Found) -> Option<String> {
    let digits = f.text.bytes().all(|c| c.is_ascii_digit());
    match (f.format.as_str(), f.text.len()) {
        ("ean13" | "isbn", 13) if digits => Some(f.text.clone()),
        ("upca", 12) if digits => Some(format!("0{}", f.text)),
        _ => None,
    }
}

fn one_symbol_read_two_ways(a: &Found, b: &Found) -> bool {
    let (Some(x), Some(y)) = (gtin13(a), gtin13(b)) else { return false };
    if x == y || a.lines == 0 || b.lines == 0 || (x[1..7] != y[1..7] && x[7..] != y[7..]) {
        return false;
    }
    same_stretch(a, b).is_some()
}

/// Where two linear readings run the same way (or the opposite way, to within about 25
/// degrees) over the same stretch of the image, side by side: along `a`'s direction the
/// stretches overlap by most of the shorter, and across it the bands' centres lie less
/// than half a length apart. Then `a` placed, and how far `b`'s centre lies across `a`'s
/// direction (signed, pixels).
pub(super) fn same_stretch(a: &Found, b: &Found) -> Option<(Placed, f32)> {
    let (pa, pb) = (Placed::of(&a.position)?, Placed::of(&b.position)?);
    if (pa.dir.0 * pb.dir.0 + pa.dir.1 * pb.dir.1).abs() < 0.9 {
        return None;
    }
    // Along a's direction: the stretches overlap by most of the shorter; across it, the
    // bands' centres lie less than half a length apart.
    let along = |p: (f32, f32)| p.0 * pa.dir.0 + p.1 * pa.dir.1;
    let across = |p: (f32, f32)| p.1 * pa.dir.0 - p.0 * pa.dir.1;
    let span = |q: &[(f32, f32); 4]| {
        let v = q.map(along);
        (v.iter().copied().fold(f32::MAX, f32::min), v.iter().copied().fold(f32::MIN, f32::max))
    };
    let ((a0, a1), (b0, b1)) = (span(&pa.corners), span(&pb.corners));
    let shorter = (a1 - a0).min(b1 - b0);
    let overlap = a1.min(b1) - a0.max(b0);
    let apart = across(pb.centre) - across(pa.centre);
    (shorter > 0.0 && overlap >= 0.8 * shorter && apart.abs() < 0.5 * shorter).then_some((pa, apart))
}

/// A result's corners as numbers, its centre and reading direction (top left to top right).
pub(super) struct Placed {
    pub corners: [(f32, f32); 4],
    pub centre: (f32, f32),
    pub dir: (f32, f32),
}

impl Placed {
    pub fn of(q: &[(i32, i32); 4]) -> Option<Placed> {
        let corners = q.map(|(x, y)| (x as f32, y as f32));
        let centre = (corners.iter().map(|p| p.0).sum::<f32>() / 4.0, corners.iter().map(|p| p.1).sum::<f32>() / 4.0);
        let (dx, dy) = (corners[1].0 - corners[0].0, corners[1].1 - corners[0].1);
        let len = dx.hypot(dy);
        (len > 0.0).then(|| Placed { corners, centre, dir: (dx / len, dy / len) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(text: &str, lines: i32, x: i32) -> Found {
        Found { lines, position: [(x, 100), (x + 200, 100), (x + 200, 104), (x, 104)], ..Found::plain("itf", text) }
    }

    #[test]
    fn a_partial_read_inside_a_full_one_is_dropped() {
        let mut f = vec![linear("1234", 3, 40), linear("12345678", 97, 0)];
        drop_partial_reads(&mut f);
        assert_eq!(f.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(), ["12345678"]);
        // Elsewhere in the image, or read by more lines, it is a symbol of its own.
        let mut f = vec![linear("1234", 3, 900), linear("12345678", 97, 0), linear("5678", 120, 10)];
        drop_partial_reads(&mut f);
        assert_eq!(f.len(), 3);
    }

    /// An EAN-13 read downwards (turned -90) on a band of columns from x0 to x1.
    fn down(text: &str, lines: i32, x0: i32, x1: i32) -> Found {
        Found {
            lines,
            orientation: -90,
            position: [(x1, 406), (x1, 68), (x0, 68), (x0, 406)],
            ..Found::plain("ean13", text)
        }
    }

    fn texts(f: &[Found]) -> Vec<&str> {
        f.iter().map(|f| f.text.as_str()).collect()
    }

    #[test]
    fn two_readings_of_one_symbol_keep_the_one_more_lines_made() {
        // The photograph's pair: the right half shared, the left half not.
        let mut f = vec![down("7034759003930", 4, 67, 70), down("5030159003930", 5, 102, 219)];
        drop_doubtful(&mut f);
        assert_eq!(texts(&f), ["5030159003930"]);
        // A tie: neither can be trusted.
        let mut f = vec![down("7034759003930", 5, 67, 70), down("5030159003930", 5, 102, 219)];
        drop_doubtful(&mut f);
        assert!(f.is_empty());
        // The left half shared, as UPC-A beside EAN-13.
        let mut f =
            vec![down("0036000291452", 2, 67, 70), Found { format: "upca".into(), ..down("036000999998", 9, 90, 200) }];
        drop_doubtful(&mut f);
        assert_eq!(texts(&f), ["036000999998"]);
    }

    #[test]
    fn symbols_of_their_own_are_kept() {
        // No half shared: two products side by side.
        let mut f = vec![down("4006381333931", 4, 67, 70), down("5030159003930", 5, 102, 219)];
        drop_doubtful(&mut f);
        assert_eq!(f.len(), 2);
        // A half shared, but far apart across (two labels), or over another stretch, or
        // turned another way.
        let mut f = vec![down("7034759003930", 4, 700, 710), down("5030159003930", 5, 102, 219)];
        drop_doubtful(&mut f);
        assert_eq!(f.len(), 2);
        let mut g = down("7034759003930", 4, 67, 70);
        g.position = g.position.map(|(x, y)| (x, y + 600));
        let mut f = vec![g, down("5030159003930", 5, 102, 219)];
        drop_doubtful(&mut f);
        assert_eq!(f.len(), 2);
        let across =
            Found { position: [(60, 200), (400, 200), (400, 204), (60, 204)], ..down("7034759003930", 4, 0, 0) };
        let mut f = vec![across, down("5030159003930", 5, 102, 219)];
        drop_doubtful(&mut f);
        assert_eq!(f.len(), 2);
        // The same number twice is not a conflict (`drop_partial_reads` has no say either).
        let mut f = vec![down("5030159003930", 4, 67, 70), down("5030159003930", 5, 102, 219)];
        drop_doubtful(&mut f);
        assert_eq!(f.len(), 2);
    }
}
