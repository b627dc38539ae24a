//! The places already read, painted light: a copy of the image in which the symbols found
//! so far (each quadrilateral widened by a margin) are filled with the image's light level,
//! for our own readers (`lines.rs`, `dots.rs`), which then spend nothing on the modules of a
//! QR Code, a MaxiCode or the bars of a linear symbol zxing-cpp has already read. Two
//! symbols do not overlap, so a symbol still to be found lies outside every painted place;
//! painted at the light level (not white), a scan line that crosses both keeps the levels
//! it had.

/// A symbol's corners in image pixels, in order around it.
pub type Quad = [(i32, i32); 4];

/// `luma` (`w` x `h`) with every quad in `read` painted `light`; `None` when there is
/// nothing to paint (the image itself serves).
pub fn painted<'a>(
    luma: &[u8],
    w: u32,
    h: u32,
    read: impl IntoIterator<Item = &'a Quad>,
    light: u8,
) -> Option<Vec<u8>> {
    let (w, h) = (w as usize, h as usize);
    let mut out: Option<Vec<u8>> = None;
    for quad in read {
        if luma.len() < w * h || w == 0 || h == 0 {
            return None;
        }
        let img = out.get_or_insert_with(|| luma[..w * h].to_vec());
        let q = quad.map(|(x, y)| (x as f32, y as f32));
        let m = margin(&q);
        let (top, bottom) =
            (q.iter().map(|p| p.1).fold(f32::MAX, f32::min), q.iter().map(|p| p.1).fold(f32::MIN, f32::max));
        let rows = ((top - m).floor().max(0.0) as usize)..((bottom + m).ceil().clamp(0.0, h as f32) as usize);
        for y in rows {
            // The quad widened by m every way (a square slid along its edge): its span
            // between y - m and y + m, m wider each side. An edge's x changes linearly,
            // so the extremes lie at the ends of that band or at a corner within it.
            let (lo, hi) = ((y as f32 + 0.5 - m).max(top), (y as f32 + 0.5 + m).min(bottom));
            if lo > hi {
                continue;
            }
            let at = [lo, hi].into_iter().chain(q.iter().map(|p| p.1).filter(|c| (lo..=hi).contains(c)));
            let Some((a, b)) = at.filter_map(|y| span(&q, y)).reduce(|p, r| (p.0.min(r.0), p.1.max(r.1))) else {
                continue;
            };
            let (a, b) = ((a - m).floor().max(0.0) as usize, ((b + m).ceil().max(0.0) as usize).min(w));
            if a < b {
                img[y * w + a..y * w + b].fill(light);
            }
        }
    }
    out
}

/// How far past its quad a symbol is painted: two pixels and a hundredth of the quad's
/// shorter side (a symbol's edge modules blur past its corners). Kept well under a module:
/// a neighbour needs no more quiet zone than its own standard asks (a PDF417 two modules,
/// and a large symbol has hundreds of modules a side), and the blur left unpainted costs a
/// few runs only.
fn margin(q: &[(f32, f32); 4]) -> f32 {
    let side = |a: (f32, f32), b: (f32, f32)| (a.0 - b.0).hypot(a.1 - b.1);
    let shorter = (0..4).map(|k| side(q[k], q[(k + 1) % 4])).fold(f32::MAX, f32::min);
    2.0 + shorter / 100.0
}

/// Where the row at height `y` crosses the quad: the leftmost and rightmost x of its
/// edges at that height (the quad taken as convex); `None` above or below it.
fn span(q: &[(f32, f32); 4], y: f32) -> Option<(f32, f32)> {
    let mut hit: Option<(f32, f32)> = None;
    for k in 0..4 {
        let (a, b) = (q[k], q[(k + 1) % 4]);
        let (lo, hi) = if a.1 <= b.1 { (a, b) } else { (b, a) };
        if y < lo.1 || y > hi.1 {
            continue;
        }
        let x = if hi.1 > lo.1 { lo.0 + (hi.0 - lo.0) * (y - lo.1) / (hi.1 - lo.1) } else { lo.0.min(hi.0) };
        let x1 = if hi.1 > lo.1 { x } else { lo.0.max(hi.0) };
        hit = Some(hit.map_or((x, x1), |(p, r)| (p.min(x), r.max(x1))));
    }
    hit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_read_nothing_painted() {
        assert_eq!(painted(&[0; 16], 4, 4, &[], 255), None);
    }

    #[test]
    fn a_turned_square_is_painted_with_its_margin_and_nothing_else() {
        let (w, h) = (64usize, 64usize);
        let luma = vec![0u8; w * h];
        // A diamond around (32, 32), corners 20 pixels out: sides of 28, a margin of 2.28.
        let q: Quad = [(32, 12), (52, 32), (32, 52), (12, 32)];
        let img = painted(&luma, w as u32, h as u32, [&q], 255).expect("painted");
        let white = |x: usize, y: usize| img[y * w + x] == 255;
        assert!(white(32, 32) && white(32, 12) && white(51, 32) && white(14, 32), "inside and at the corners");
        assert!(white(32, 10), "the margin above the top corner");
        assert!(!white(32, 6) && !white(59, 32) && !white(2, 2) && !white(50, 14), "outside");
        // A diamond's rows: as wide as its distance from the top corner allows.
        let row = |y: usize| (0..w).filter(|&x| white(x, y)).count();
        assert!(row(32) > row(22) && row(22) > row(14), "{} {} {}", row(32), row(22), row(14));
    }

    #[test]
    fn a_large_symbol_is_widened_by_a_fraction_of_a_module() {
        // 600 pixels a side (a QR Code of 57 modules at 10 pixels): 8 pixels more each way,
        // under a module; a neighbour 10 pixels away (its quiet zone) is not touched.
        let (w, h) = (700usize, 700usize);
        let q: Quad = [(50, 50), (650, 50), (650, 650), (50, 650)];
        let img = painted(&vec![0u8; w * h], w as u32, h as u32, [&q], 255).expect("painted");
        let white = |x: usize, y: usize| img[y * w + x] == 255;
        assert!(white(657, 300) && white(300, 42) && !white(660, 300) && !white(300, 40));
    }

    #[test]
    fn a_thin_band_and_corners_outside_the_image() {
        let (w, h) = (40usize, 20usize);
        let luma = vec![7u8; w * h];
        // A linear symbol's quad: one scan line's height, reaching past both sides.
        let band: Quad = [(-10, 10), (60, 10), (60, 10), (-10, 10)];
        let img = painted(&luma, w as u32, h as u32, [&band], 200).expect("painted");
        for y in 0..h {
            let n = img[y * w..(y + 1) * w].iter().filter(|&&p| p == 200).count();
            assert_eq!(n, if (8..12).contains(&y) { w } else { 0 }, "row {y}");
        }
        // Wholly outside: a copy with nothing painted.
        let far: Quad = [(100, 100), (120, 100), (120, 120), (100, 120)];
        assert_eq!(painted(&luma, w as u32, h as u32, [&far], 200), Some(luma.clone()));
        let above: Quad = [(0, -50), (20, -50), (20, -30), (0, -30)];
        assert_eq!(painted(&luma, w as u32, h as u32, [&above], 200), Some(luma));
    }
}
