//! Which way round to read an image first: whether its scan lines show symbols light on
//! dark and none dark on light. A bar symbol's stretch of narrow runs stands beside a quiet
//! zone many times wider, light when the symbol is dark on light and dark when it is light
//! on dark; a few rows and columns cut at their own midpoints (`lines.rs`) show which. Pure:
//! no IO.

use super::lines::ScanLine;

/// Rows and columns looked at (each way).
pub const LINES: usize = 16;
/// Runs beside a quiet zone that make a stretch of bars.
const STRETCH: usize = 12;
/// How many times the stretch's widest run a quiet zone is at least (EAN-13: 11 modules
/// beside bars of up to 4, Code 128: 10 beside 4).
const QUIET: u32 = 2;
/// How many times its narrowest run a stretch's widest may be (bars of 1 to 4 modules,
/// widened by blur).
const BARS: u32 = 5;
/// Lines with a dark quiet zone beside bars (and none with a light one) that call for
/// the inverted image first.
const DARK_LINES: usize = 2;

/// Whether the lines show bars beside dark quiet zones on at least `DARK_LINES` lines and
/// beside a light one on none: the image then holds its symbols light on dark, and is
/// best read inverted first. Where the lines show nothing either way, false.
pub fn light_on_dark(lines: &[ScanLine]) -> bool {
    let (mut dark, mut light) = (0, 0);
    for line in lines {
        let (d, l) = quiet_zones(&line.runs.len, line.runs.first_dark);
        dark += usize::from(d);
        light += usize::from(l);
    }
    dark >= DARK_LINES && light == 0
}

/// Whether a line's runs (alternating, the first dark or not) hold a stretch of bars
/// between two dark quiet zones, and one between two light quiet zones: at least `STRETCH`
/// runs alike enough to be bars (`bars`), each quiet zone `QUIET` times the widest of them.
/// One wide run beside narrow ones is no sign: PDF417's start pattern opens with a bar of 8
/// modules, DataBar's finders hold wide elements.
fn quiet_zones(runs: &[u32], first_dark: bool) -> (bool, bool) {
    let (mut dark, mut light) = (false, false);
    for (i, &q) in runs.iter().enumerate() {
        let is_dark = (i % 2 == 0) == first_dark;
        if (is_dark && dark) || (!is_dark && light) {
            continue;
        }
        let (mut min, mut max) = (u32::MAX, 0);
        for (j, &r) in runs.iter().enumerate().skip(i + 1) {
            // A run of the quiet zone's level closing at least `STRETCH` bars.
            let between = j - i - 1;
            if between >= STRETCH && between % 2 == 1 && r >= QUIET * max && max <= BARS * min {
                if is_dark {
                    dark = true;
                } else {
                    light = true;
                }
                break;
            }
            min = min.min(r);
            max = max.max(r);
            if QUIET * max > q {
                break;
            }
        }
    }
    (dark, light)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::lines;
    use crate::symbology::{ean, Symbol};

    /// A 560 x 200 image, light, with an EAN-13 at 2 px a module drawn dark on light in a
    /// light box at `light_at` and one light on dark in a dark box at `dark_at` (x offsets).
    fn image(light_at: Option<usize>, dark_at: Option<usize>) -> (Vec<u8>, u32, u32) {
        let (w, h) = (560usize, 200usize);
        let mut luma = vec![230u8; w * h];
        let Symbol::Linear(lin) = ean::encode_ean13(b"5901234123457").expect("EAN-13").symbol else { panic!("linear") };
        for (at, dark) in [(light_at, false), (dark_at, true)] {
            let Some(x0) = at else { continue };
            // The box: the symbol's 95 modules and ten each side, at 2 px.
            let (ground, ink) = if dark { (20u8, 230u8) } else { (230u8, 20u8) };
            for y in 40..160 {
                luma[y * w + x0..y * w + x0 + 230].fill(ground);
                for (i, _) in lin.modules.iter().enumerate().filter(|(_, m)| **m) {
                    let x = x0 + 20 + 2 * i;
                    luma[y * w + x..y * w + x + 2].fill(ink);
                }
            }
        }
        (luma, w as u32, h as u32)
    }

    fn first_inverted(img: (Vec<u8>, u32, u32)) -> bool {
        light_on_dark(&lines::scan(&img.0, img.1, img.2, LINES))
    }

    #[test]
    fn light_on_dark_bars_alone_call_for_the_inverted_image_first() {
        assert!(first_inverted(image(None, Some(100))));
        assert!(!first_inverted(image(Some(100), None)), "dark on light");
        assert!(!first_inverted(image(Some(20), Some(300))), "both: the plain image first, as before");
        assert!(!first_inverted(image(None, None)), "nothing to see");
        // The whole image inverted: a white label on a dark belt is still dark on light.
        let (luma, w, h) = image(Some(100), None);
        let dark_belt: Vec<u8> = luma.iter().map(|&p| if p == 230 { 40 } else { p }).collect();
        assert!(!first_inverted((dark_belt, w, h)));
    }

    /// Runs of a bar stretch: a quiet zone, 21 bars and spaces of 2-6 px, a quiet zone.
    fn symbol(quiet: u32) -> Vec<u32> {
        let mut r = vec![quiet];
        r.extend((0..21).map(|i| 2 + (i * 7 % 3) * 2));
        r.push(quiet);
        r
    }

    #[test]
    fn a_quiet_zone_beside_bars_tells_its_level() {
        assert_eq!(quiet_zones(&symbol(30), true), (true, false), "dark quiet zones");
        assert_eq!(quiet_zones(&symbol(30), false), (false, true), "light quiet zones");
        // One quiet zone is no sign: a wide bar beside narrow ones (PDF417's start).
        let mut tail = symbol(30);
        tail[0] = 5;
        assert_eq!(quiet_zones(&tail, true), (false, false));
        // Nor bars too unlike (a wide run among them), nor quiet zones of two levels.
        let mut unlike = symbol(30);
        unlike[5] = 14;
        assert_eq!(quiet_zones(&unlike, true), (false, false));
        let mut two = symbol(30);
        two.pop();
        assert_eq!(quiet_zones(&two, true), (false, false));
    }

    #[test]
    fn no_quiet_zone_or_too_few_bars_is_no_sign() {
        assert_eq!(quiet_zones(&symbol(11), false), (false, false), "quiet zone less than twice the widest bar");
        assert_eq!(quiet_zones(&[30, 2, 4, 2, 6, 30], false), (false, false), "four bars");
        assert_eq!(quiet_zones(&[], false), (false, false));
    }
}
