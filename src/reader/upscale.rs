//! A stretch of a luma image cut out round a quadrilateral and made twice as large, by
//! bilinear interpolation (each new pixel from the four nearest old ones, weighted 9, 3, 3
//! and 1 sixteenths, as a 2x bilinear resize samples pixel centres). Pure: no IO.

/// A cut-out image, `w` x `h` pixels.
#[derive(Debug, PartialEq)]
pub struct Doubled {
    pub luma: Vec<u8>,
    pub w: u32,
    pub h: u32,
}

/// The bounding box of `quad`, widened on every side by `margin(longer side)` pixels and
/// clipped to the `w` x `h` image, made twice as large; `None` when nothing of it lies in
/// the image or the box holds more than `max_pixels` (checked before anything is made).
pub fn doubled(
    luma: &[u8],
    w: u32,
    h: u32,
    quad: &[(i32, i32); 4],
    margin: impl Fn(i64) -> i64,
    max_pixels: u64,
) -> Option<Doubled> {
    let xs = quad.iter().map(|p| i64::from(p.0));
    let ys = quad.iter().map(|p| i64::from(p.1));
    let (x0, x1) = (xs.clone().min()?, xs.max()?);
    let (y0, y1) = (ys.clone().min()?, ys.max()?);
    let m = margin((x1 - x0).max(y1 - y0)).max(0);
    let left = (x0 - m).max(0);
    let top = (y0 - m).max(0);
    let right = (x1 + m + 1).min(i64::from(w));
    let bottom = (y1 + m + 1).min(i64::from(h));
    if left >= right || top >= bottom || luma.len() as u64 != u64::from(w) * u64::from(h) {
        return None;
    }
    let (cw, ch) = ((right - left) as usize, (bottom - top) as usize);
    if (cw * ch) as u64 > max_pixels {
        return None;
    }
    let (w, h) = (w as usize, h as usize);
    let (left, top) = (left as usize, top as usize);
    let bottom = bottom as usize;
    // Separably: each old row of the box (and the one past it each way, in the image) made
    // twice as wide, 3 parts the nearest pixel and 1 the one it leans to, then each new row
    // 3 parts the nearest of those rows and 1 the one it leans to: 9, 3, 3, 1 in all.
    let ow = cw * 2;
    let (first, last) = (top.saturating_sub(1), (bottom + 1).min(h));
    let mut wide = vec![0u16; (last - first) * ow];
    for (y, row) in (first..last).zip(wide.chunks_exact_mut(ow)) {
        widen(&luma[y * w..(y + 1) * w], left, row);
    }
    let wide_row = |y: usize| &wide[(y - first) * ow..(y - first + 1) * ow];
    let oh = ch * 2;
    let mut out = vec![0u8; ow * oh];
    for (oy, row) in out.chunks_exact_mut(ow).enumerate() {
        let y = top + oy / 2;
        let y2 = if oy % 2 == 0 { y.saturating_sub(1) } else { (y + 1).min(h - 1) };
        for ((px, &a), &b) in row.iter_mut().zip(wide_row(y)).zip(wide_row(y2)) {
            *px = ((3 * u32::from(a) + u32::from(b) + 8) >> 4) as u8;
        }
    }
    Some(Doubled { luma: out, w: ow as u32, h: oh as u32 })
}

/// Columns from `left` on of one image row made twice as wide into `out` (as many as fill it): each new pixel 3
/// parts the old one it stands over and 1 part the old one beside it on the side it leans
/// to (the row's end standing in past it).
fn widen(row: &[u8], left: usize, out: &mut [u16]) {
    let last = row.len() - 1;
    for (k, pair) in out.chunks_exact_mut(2).enumerate() {
        let x = left + k;
        let here = 3 * u16::from(row[x]);
        pair[0] = here + u16::from(row[x.saturating_sub(1)]);
        pair[1] = here + u16::from(row[(x + 1).min(last)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_MARGIN: fn(i64) -> i64 = |_| 0;

    #[test]
    fn each_pixel_becomes_four_leaning_to_its_neighbours() {
        // 2 x 1: 0 and 160. New columns sample at -0.25, 0.25, 0.75, 1.25 of the old ones.
        let d = doubled(&[0, 160], 2, 1, &[(0, 0), (1, 0), (1, 0), (0, 0)], NO_MARGIN, 100).expect("doubled");
        assert_eq!((d.w, d.h), (4, 2));
        assert_eq!(d.luma, vec![0, 40, 120, 160, 0, 40, 120, 160]);
    }

    #[test]
    fn each_pixel_is_the_weighted_four_nearest() {
        // Against the formula pixel by pixel, at every edge and clip of a noisy image.
        let (w, h) = (13u32, 9u32);
        let luma: Vec<u8> = (0..w * h).map(|i| (i * 97 % 251) as u8).collect();
        let at = |x: i64, y: i64| u32::from(luma[(y.clamp(0, 8) * 13 + x.clamp(0, 12)) as usize]);
        for quad in [[(0, 0), (12, 0), (12, 8), (0, 8)], [(3, 2), (7, 2), (7, 5), (3, 5)], [(11, 7); 4]] {
            let d = doubled(&luma, w, h, &quad, |_| 1, 1000).expect("doubled");
            let (left, top) = ((quad[0].0 - 1).max(0) as i64, (quad[0].1 - 1).max(0) as i64);
            for oy in 0..d.h as i64 {
                for ox in 0..d.w as i64 {
                    let (x, y) = (left + ox / 2, top + oy / 2);
                    let x2 = if ox % 2 == 0 { x - 1 } else { x + 1 };
                    let y2 = if oy % 2 == 0 { y - 1 } else { y + 1 };
                    let v = 9 * at(x, y) + 3 * at(x2, y) + 3 * at(x, y2) + at(x2, y2);
                    assert_eq!(
                        u32::from(d.luma[(oy * i64::from(d.w) + ox) as usize]),
                        (v + 8) / 16,
                        "{quad:?} {ox},{oy}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_box_is_widened_and_clipped() {
        let (w, h) = (10u32, 8u32);
        let luma: Vec<u8> = (0..w * h).map(|i| (i % 10) as u8 * 20).collect();
        // A point at (5, 4) widened by 2: 5 x 5 pixels, doubled.
        let d = doubled(&luma, w, h, &[(5, 4); 4], |_| 2, 100).expect("doubled");
        assert_eq!((d.w, d.h), (10, 10));
        // Its first column stands over old column 3 (60), leaning to column 2 (40), past
        // the box.
        assert_eq!(u32::from(d.luma[0]), (9 * 60 + 3 * 40 + 3 * 60 + 40 + 8) / 16);
        assert_eq!(u32::from(d.luma[9]), (9 * 140 + 3 * 160 + 3 * 140 + 160 + 8) / 16, "and column 8 on the right");
        // Near the corner, clipped to the image.
        let c = doubled(&luma, w, h, &[(0, 0), (1, 0), (1, 1), (0, 1)], |_| 3, 100).expect("doubled");
        assert_eq!((c.w, c.h), (10, 10));
        // Wholly outside, or too large: nothing.
        assert_eq!(doubled(&luma, w, h, &[(40, 40); 4], NO_MARGIN, 100), None);
        assert_eq!(doubled(&luma, w, h, &[(0, 0), (9, 0), (9, 7), (0, 7)], NO_MARGIN, 79), None);
        assert!(doubled(&luma, w, h, &[(0, 0), (9, 0), (9, 7), (0, 7)], NO_MARGIN, 80).is_some());
    }
}
