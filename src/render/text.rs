//! The embedded bitmap font for human-readable text: `font8x8` (public domain), 8x8 pixels
//! per glyph, Basic Latin and Latin-1. Unknown characters draw as blanks.

use font8x8::UnicodeFonts;

/// Glyph width and height in font pixels.
pub const GLYPH: u32 = 8;

/// The 8 rows of `c`'s glyph; bit 0 of each row is the leftmost pixel.
pub fn glyph(c: char) -> [u8; 8] {
    font8x8::BASIC_FONTS.get(c).or_else(|| font8x8::LATIN_FONTS.get(c)).unwrap_or([0; 8])
}

#[cfg(test)]
mod tests {
    #[test]
    fn digits_have_ink_and_space_does_not() {
        assert!(super::glyph('0').iter().any(|&r| r != 0));
        assert!(super::glyph(' ').iter().all(|&r| r == 0));
        assert!(super::glyph('\u{2603}').iter().all(|&r| r == 0));
    }
}
