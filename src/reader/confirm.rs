//! EAN/UPC readings the image itself contradicts, dropped. Two readings of one stretch of
//! bars that disagree, where the image between their scan lines shows the same bars all the
//! way (one symbol, one number): the one more lines made is kept, on a tie neither. And a
//! second opinion on the readings that few scan lines made: the stretch of the image round
//! the reading, made twice as large (`upscale.rs`), is read again by zxing-cpp, and a
//! reading is dropped when that second read finds another EAN/UPC number there and not its
//! own.
//!
//! Why: at two pixels a module and less, blur and ink spread move each edge by up to half a
//! module, and two adjacent scan lines can then agree on a wrong number whose check digit
//! holds (real photographs: a UPC-A `023942431015` read as `9074932437075` on two lines).
//! The larger image is sampled between the old pixels, where a wrong edge does not fall the
//! same way twice: in zxing-cpp's own photographs the second read found the right number
//! for each of its three misreads, and for none of its 97 right EAN/UPC readings did it find
//! another (71 the same, 26 nothing). A reading many lines made is not read again: those
//! lines crossed the bars at many heights and agreed.

use super::rules::{drop_where, same_stretch};
use super::{upscale, zxing, Found};

/// Readings made by at most this many scan lines are read again (the misreads stood on two
/// and three).
const FEW_LINES: i32 = 8;

/// The EAN/UPC family under our names.
const FAMILY: &[&str] = &["ean13", "upca", "isbn", "ean8", "upce"];

/// The stretch read again: the reading's box and round it an eighth of its length and four
/// pixels (its quiet zones and the bars above and below the lines that read it).
fn margin(length: i64) -> i64 {
    length / 8 + 4
}

/// The largest stretch read again, in pixels before doubling (an EAN-13 at two pixels a
/// module is 190 long): a larger one has modules large enough not to need it.
const MAX_PIXELS: u64 = 1 << 20;

/// Drops the EAN/UPC readings in the `w` x `h` image `luma` that another reading of the
/// same bars, or the second read, contradicts.
pub fn drop_contradicted(luma: &[u8], w: u32, h: u32, found: &mut Vec<Found>) {
    drop_where(found, |a, b| {
        a.lines <= b.lines
            && a.text != b.text
            && a.lines > 0
            && b.lines > 0
            && FAMILY.contains(&a.format.as_str())
            && FAMILY.contains(&b.format.as_str())
            && one_symbol(luma, w, h, a, b)
    });
    found.retain(|f| !doubtful(f) || !contradicted(luma, w, h, f));
}

/// Whether readings `a` and `b` lie over the same stretch of bars (`rules::same_stretch`)
/// and the image shows the same bars between their bands: along lines parallel to `a`'s
/// centre line, two pixels apart (at most `MAX_STEPS` of them), from it to `b`'s, the
/// profile of each runs like the one before it (correlation at least `ALIKE`, either
/// shifted by up to a pixel: bars printed or photographed aslant). Two symbols one above
/// the other have their quiet zones and text between. Where the lines do not run alike
/// (and where a line leaves the image) both readings stand, as without this rule.
fn one_symbol(luma: &[u8], w: u32, h: u32, a: &Found, b: &Found) -> bool {
    let Some((pa, apart)) = same_stretch(a, b) else { return false };
    let c = pa.corners;
    // a's centre line, from the middle of its left edge to the middle of its right edge.
    let mid = |p: (f32, f32), q: (f32, f32)| ((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0);
    let (p0, p1) = (mid(c[0], c[3]), mid(c[1], c[2]));
    let normal = (-pa.dir.1, pa.dir.0);
    let length = (p1.0 - p0.0).hypot(p1.1 - p0.1);
    let samples = (2.0 * length) as usize + 2;
    if samples > MAX_SAMPLES {
        return false;
    }
    let profile = |t: f32| -> Option<Vec<f32>> {
        let (ox, oy) = (normal.0 * t, normal.1 * t);
        (0..samples)
            .map(|i| {
                let s = i as f32 / (samples - 1) as f32;
                bilinear(luma, w, h, p0.0 + (p1.0 - p0.0) * s + ox, p0.1 + (p1.1 - p0.1) * s + oy)
            })
            .collect()
    };
    let Some(mut before) = profile(0.0) else { return false };
    let steps = ((apart.abs() / 2.0).ceil() as usize).clamp(1, MAX_STEPS);
    for k in 1..=steps {
        let Some(line) = profile(apart * k as f32 / steps as f32) else { return false };
        if (0..=2).all(|s| correlation(&before[s..], &line) < ALIKE && correlation(&before, &line[s..]) < ALIKE) {
            return false;
        }
        before = line;
    }
    true
}

/// How alike two profiles must run to be the same bars (Pearson's correlation).
const ALIKE: f32 = 0.6;

/// The most lines between two readings' bands (further apart, the lines are further apart
/// than two pixels): with `MAX_SAMPLES`, the work a pair of readings can cost is bounded.
const MAX_STEPS: usize = 64;

/// The most samples along a line (twice the longest side the reader accepts).
const MAX_SAMPLES: usize = 2 * 4096 + 2;

/// The luma at (x, y) between pixels, or `None` outside the image.
fn bilinear(luma: &[u8], w: u32, h: u32, x: f32, y: f32) -> Option<f32> {
    if !(x >= 0.0 && y >= 0.0) {
        return None;
    }
    let (x0, y0) = (x as usize, y as usize);
    let (w, h) = (w as usize, h as usize);
    if x0 + 1 >= w || y0 + 1 >= h {
        return None;
    }
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let at = |x: usize, y: usize| f32::from(*luma.get(y * w + x).unwrap_or(&0));
    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
    let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
    Some(top * (1.0 - fy) + bottom * fy)
}

/// Pearson's correlation of two profiles over their common length (0 where one is flat).
fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let (a, b) = (&a[..a.len().min(b.len())], &b[..a.len().min(b.len())]);
    let n = a.len() as f32;
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x - ma, y - mb);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa > 0.0 && bb > 0.0 {
        ab / (aa * bb).sqrt()
    } else {
        0.0
    }
}

fn doubtful(f: &Found) -> bool {
    (1..=FEW_LINES).contains(&f.lines) && FAMILY.contains(&f.format.as_str())
}

/// Whether the stretch round `f`, made larger, holds an EAN/UPC number and not `f`'s.
fn contradicted(luma: &[u8], w: u32, h: u32, f: &Found) -> bool {
    let Some(big) = upscale::doubled(luma, w, h, &f.position, margin, MAX_PIXELS) else {
        return false;
    };
    let again: Vec<Found> = zxing::read_ean_upc(&big.luma, big.w, big.h)
        .into_iter()
        .filter(|a| FAMILY.contains(&a.format.as_str()))
        .collect();
    !again.is_empty() && !again.iter().any(|a| a.text == f.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::{ean, Symbol};

    /// EAN-13s at `px` pixels a module, ten modules of quiet zone each side, in a 30-pixel
    /// white border, each over its rows; and the corners of a scan line's band through the
    /// first symbol's bars at row 49.
    fn symbols(each: &[(&[u8], std::ops::Range<usize>)], px: usize) -> (Vec<u8>, u32, u32, [(i32, i32); 4]) {
        let modules = 95;
        let (w, h) = ((modules + 20) * px + 60, 180);
        let mut luma = vec![255u8; w * h];
        for (digits, rows) in each {
            let Symbol::Linear(lin) = ean::encode_ean13(digits).expect("EAN-13").symbol else { panic!("linear") };
            assert_eq!(lin.modules.len(), modules);
            for (i, _) in lin.modules.iter().enumerate().filter(|(_, dark)| **dark) {
                for y in rows.clone() {
                    let x = 30 + (10 + i) * px;
                    luma[y * w + x..y * w + x + px].fill(0);
                }
            }
        }
        let (x0, x1) = ((30 + 10 * px) as i32, (30 + (10 + modules) * px) as i32 - 1);
        (luma, w as u32, h as u32, [(x0, 49), (x1, 49), (x1, 50), (x0, 50)])
    }

    fn image(digits: &[u8], px: usize) -> (Vec<u8>, u32, u32, [(i32, i32); 4]) {
        symbols(&[(digits, 30..70)], px)
    }

    fn reading(text: &str, lines: i32, position: [(i32, i32); 4]) -> Found {
        Found { lines, position, ..Found::plain("ean13", text) }
    }

    /// The band `quad` moved `dy` pixels down.
    fn lower(quad: [(i32, i32); 4], dy: i32) -> [(i32, i32); 4] {
        quad.map(|(x, y)| (x, y + dy))
    }

    #[test]
    fn two_numbers_over_one_symbol_keep_the_one_more_lines_made() {
        let (luma, w, h, quad) = image(b"5901234123457", 2);
        // Lines enough not to be read again: only the rule over the pair is at work.
        let mut found = vec![reading("9780201379624", 20, quad), reading("4006381333931", 12, lower(quad, 15))];
        drop_contradicted(&luma, w, h, &mut found);
        assert_eq!(found.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(), ["9780201379624"]);
        // On a tie, neither; read the opposite way, the same.
        let turned = [quad[2], quad[3], quad[0], quad[1]];
        let mut found = vec![reading("9780201379624", 20, quad), reading("4006381333931", 20, lower(turned, 15))];
        drop_contradicted(&luma, w, h, &mut found);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn two_symbols_one_above_the_other_keep_both_numbers() {
        // The same bars twice, 20 pixels of white between: one band in each, 30 apart.
        let (luma, w, h, quad) = symbols(&[(b"5901234123457", 30..60), (b"4006381333931", 80..110)], 2);
        let mut found = vec![reading("5901234123457", 20, quad), reading("4006381333931", 12, lower(quad, 36))];
        drop_contradicted(&luma, w, h, &mut found);
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn a_few_lines_reading_the_symbol_contradicts_is_dropped() {
        let (luma, w, h, quad) = image(b"5901234123457", 2);
        let kept = |f: Found| {
            let mut found = vec![f];
            drop_contradicted(&luma, w, h, &mut found);
            !found.is_empty()
        };
        assert!(kept(reading("5901234123457", 2, quad)));
        assert!(!kept(reading("4006381333931", 2, quad)), "another number, its check digit valid");
        assert!(kept(reading("9780201379624", 40, quad)), "many lines agreed: not read again");
        assert!(!kept(Found { format: "upca".into(), ..reading("036000291452", 3, quad) }), "a UPC-A number");
    }

    #[test]
    fn where_the_second_read_finds_nothing_the_reading_stays() {
        let (luma, w, h, _) = image(b"5901234123457", 2);
        // Blank paper beside the symbol: nothing to say against the reading.
        let paper = [(2, 2), (20, 2), (20, 3), (2, 3)];
        let mut found = vec![reading("4006381333931", 2, paper), Found { lines: 0, ..Found::plain("qr", "x") }];
        drop_contradicted(&luma, w, h, &mut found);
        assert_eq!(found.len(), 2);
    }
}
