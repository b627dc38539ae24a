//! Whether an image could hold a MaxiCode that zxing-cpp reads turned: it reads MaxiCode
//! only alone in the image ("pure": the bounding box of the dark pixels is the symbol's),
//! so the symbol's centre, where its bullseye is, is the centre of that box. Six reads
//! (three turns, two polarities) are skipped where the rings are not there: no lines
//! from the box's centre cross them alike. Pure: no IO.

use super::dots;

/// The least side of the dark box zxing-cpp's pure MaxiCode read accepts, with some room
/// (its own binarization may see a little more than ours).
const MIN_SIDE: usize = 24;
/// Modules across a MaxiCode (30 columns, odd rows half a module further).
const MODULES: f32 = 30.5;
/// Below this many pixels a module the rings are too thin to look for: such an image is
/// always read.
const MIN_MODULE: f32 = 2.5;
/// How far from the box's centre the rings are looked for, in modules (the outer one ends
/// 4.4 from the bullseye's centre, which may be a module off).
const REACH: f32 = 6.2;
/// Runs looked at each way past the first change, all but one a ring's width (the other
/// may be the light centre): the bullseye has five rings (three dark, two light).
const CHANGES: usize = 4;
/// A ring's width in modules, least and most (nominally 0.76; blur, ink and the box's
/// own estimate of a module move it).
const RING: (f32, f32) = (0.45, 1.15);

/// Whether the `w` x `h` luma image's dark pixels (Otsu's threshold) lie in a box with a
/// bullseye at its centre, or the box is too small in pixels a module to tell: false only
/// where a pure MaxiCode read cannot find one.
pub fn may_hold(luma: &[u8], w: u32, h: u32) -> bool {
    let (w, h) = (w as usize, h as usize);
    let Some(levels) = dots::levels(luma, w as u32, h as u32) else { return false };
    let dark = |p: u8| p <= levels.threshold;
    let Some((x0, x1, y0, y1)) = dark_box(luma, w, dark) else { return false };
    let (bw, bh) = (x1 + 1 - x0, y1 + 1 - y0);
    if bw < MIN_SIDE || bh < MIN_SIDE {
        return false;
    }
    let module = bw.min(bh) as f32 / MODULES;
    if module < MIN_MODULE {
        return true;
    }
    let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2);
    let reach = (REACH * module) as usize;
    let at = |x: usize, y: usize| dark(luma[y * w + x]);
    let rays: [Vec<usize>; 4] = [
        changes((0..=reach.min(w - 1 - cx)).map(|d| at(cx + d, cy))),
        changes((0..=reach.min(cx)).map(|d| at(cx - d, cy))),
        changes((0..=reach.min(h - 1 - cy)).map(|d| at(cx, cy + d))),
        changes((0..=reach.min(cy)).map(|d| at(cx, cy - d))),
    ];
    // The box's centre is up to a module off the bullseye's (its column 14 of 0-29, odd
    // rows half a module further), so where the first change falls says nothing, and a ray
    // may cross the light centre (a module and a sixth) on its way; past that, each way,
    // rings a little over three quarters of a module wide.
    let ring = (RING.0 * module)..=(RING.1 * module);
    rays.iter().all(|r| {
        let runs = r.windows(2).take(CHANGES).map(|p| (p[1] - p[0]) as f32);
        r.len() > CHANGES && runs.filter(|w| ring.contains(w)).count() >= CHANGES - 1
    })
}

/// The box round the pixels `dark` calls dark: first and last column, first and last row.
fn dark_box(luma: &[u8], w: usize, dark: impl Fn(u8) -> bool) -> Option<(usize, usize, usize, usize)> {
    let mut b: Option<(usize, usize, usize, usize)> = None;
    for (y, row) in luma.chunks_exact(w).enumerate() {
        let Some(first) = row.iter().position(|&p| dark(p)) else { continue };
        let last = row.iter().rposition(|&p| dark(p)).unwrap_or(first);
        b = Some(match b {
            None => (first, last, y, y),
            Some((x0, x1, y0, _)) => (x0.min(first), x1.max(last), y0, y),
        });
    }
    b
}

/// The distances along a ray (dark or not at each step) where its level changes.
fn changes(ray: impl Iterator<Item = bool>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev = None;
    for (d, v) in ray.enumerate() {
        if prev.is_some_and(|p| p != v) {
            out.push(d);
        }
        prev = Some(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `side` x `side` light image with rings round (cx, cy) at `module` pixels a module
    /// (the bullseye's radii), and dark specks at the corners of a `box_side` box round it.
    fn rings(side: usize, module: f32, (cx, cy): (f32, f32), box_side: usize) -> Vec<u8> {
        const RADII: [f32; 6] = [0.58, 1.34, 2.11, 2.88, 3.64, 4.40];
        let mut luma = vec![240u8; side * side];
        for y in 0..side {
            for x in 0..side {
                let r = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt() / module;
                let ring = RADII.iter().filter(|&&b| r >= b).count();
                if ring < 6 && ring % 2 == 1 {
                    luma[y * side + x] = 20;
                }
            }
        }
        let (lo, hi) = (side / 2 - box_side / 2, side / 2 + box_side / 2);
        for (x, y) in [(lo, lo), (hi, lo), (lo, hi), (hi, hi)] {
            luma[y * side + x] = 20;
        }
        luma
    }

    #[test]
    fn rings_at_the_box_centre_may_hold_a_maxicode() {
        let luma = rings(200, 5.0, (100.0, 100.0), 150);
        assert!(may_hold(&luma, 200, 200));
        // Up to a module off the centre, as the bullseye is, any way.
        for c in [(101.25, 100.0), (96.0, 100.0), (100.0, 104.5), (104.0, 96.5)] {
            assert!(may_hold(&rings(200, 5.0, c, 150), 200, 200), "{c:?}");
        }
    }

    #[test]
    fn no_rings_or_rings_off_centre_cannot() {
        // Bars: changes left and right, none up and down.
        let mut bars = vec![240u8; 200 * 200];
        for (i, p) in bars.iter_mut().enumerate() {
            if (i % 200) / 4 % 2 == 0 && (20..180).contains(&(i % 200)) && (20..180).contains(&(i / 200)) {
                *p = 20;
            }
        }
        assert!(!may_hold(&bars, 200, 200));
        // Rings, but well off the box's centre.
        let luma = rings(200, 5.0, (70.0, 100.0), 150);
        assert!(!may_hold(&luma, 200, 200));
        // Nothing dark, or too little of it.
        assert!(!may_hold(&[240u8; 200 * 200], 200, 200));
        assert!(!may_hold(&rings(200, 1.0, (100.0, 100.0), 10), 200, 200));
    }

    #[test]
    fn modules_too_small_to_tell_are_always_read() {
        // A 61-pixel box (2 px a module), dark in two corners: no rings looked for.
        let mut luma = vec![240u8; 100 * 100];
        for (i, p) in luma.iter_mut().enumerate() {
            let (x, y) = (i % 100, i / 100);
            if (20..30).contains(&x) && (20..30).contains(&y) || (71..81).contains(&x) && (71..81).contains(&y) {
                *p = 20;
            }
        }
        assert!(may_hold(&luma, 100, 100));
    }
}
