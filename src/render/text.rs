//! The embedded bitmap font for human-readable text: `font8x8` (public domain), 8x8 pixels
//! per glyph, Basic Latin and Latin-1. Unknown characters draw as blanks.

use font8x8::UnicodeFonts;
use std::sync::OnceLock;

/// Glyph width and height in font pixels.
pub const GLYPH: u32 = 8;

/// The 8 rows of `c`'s glyph; bit 0 of each row is the leftmost pixel.
pub fn glyph(c: char) -> [u8; 8] {
    font8x8::BASIC_FONTS.get(c).or_else(|| font8x8::LATIN_FONTS.get(c)).unwrap_or([0; 8])
}

/// Text scales up to this many pixels per font pixel are drawn from an `Atlas` (a glyph
/// row then fits in 64 bits); larger ones span by span.
pub const ATLAS_MAX_PX: u32 = 8;

/// A render template: every Latin-1 glyph pre-expanded for one text scale, each font row
/// `8 * px` pixels wide in the top bits of a `u64` (MSB = leftmost pixel, as in a PNG row).
/// Built once per scale on first use and shared read-only by every thread; drawing a glyph
/// row is then a shift and a few byte ORs instead of finding and filling its spans.
pub struct Atlas {
    rows: Box<[[u64; 8]; 256]>,
}

static ATLASES: [OnceLock<Atlas>; ATLAS_MAX_PX as usize] = [const { OnceLock::new() }; ATLAS_MAX_PX as usize];
const BLANK: [u64; 8] = [0; 8];

/// The atlas for `px` pixels per font pixel, if that scale has one.
pub fn atlas(px: u32) -> Option<&'static Atlas> {
    let slot = ATLASES.get(px.checked_sub(1)? as usize)?;
    Some(slot.get_or_init(|| Atlas::build(px)))
}

impl Atlas {
    fn build(px: u32) -> Atlas {
        let run = (1u64 << px) - 1; // px <= 8
        let mut rows = Box::new([[0u64; 8]; 256]);
        for (cp, glyph_rows) in rows.iter_mut().enumerate() {
            let g = char::from_u32(cp as u32).map_or([0; 8], glyph);
            for (out, bits) in glyph_rows.iter_mut().zip(g) {
                for col in 0..GLYPH {
                    if bits >> col & 1 == 1 {
                        *out |= run << (64 - (col + 1) * px);
                    }
                }
            }
        }
        Atlas { rows }
    }

    /// The 8 expanded rows of `c`; blank beyond Latin-1, like `glyph`.
    pub fn rows(&self, c: char) -> &[u64; 8] {
        self.rows.get(c as usize).unwrap_or(&BLANK)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn atlas_rows_are_the_glyph_rows_widened() {
        for px in 1..=super::ATLAS_MAX_PX {
            let a = super::atlas(px).unwrap();
            for c in ['0', '8', 'A', '\u{e9}', ' '] {
                for (wide, bits) in a.rows(c).iter().zip(super::glyph(c)) {
                    for x in 0..8 * px {
                        assert_eq!(wide >> (63 - x) & 1, (bits >> (x / px) & 1) as u64, "{c:?} px {px} x {x}");
                    }
                }
            }
        }
        assert!(super::atlas(0).is_none() && super::atlas(super::ATLAS_MAX_PX + 1).is_none());
        assert_eq!(super::atlas(2).unwrap().rows('\u{2603}'), &[0; 8]);
    }

    #[test]
    fn digits_have_ink_and_space_does_not() {
        assert!(super::glyph('0').iter().any(|&r| r != 0));
        assert!(super::glyph(' ').iter().all(|&r| r == 0));
        assert!(super::glyph('\u{2603}').iter().all(|&r| r == 0));
    }
}
