//! Rendering: a `Symbol` plus options becomes PNG bytes or SVG text. Pure: no IO, no panics,
//! and the output size is computed and checked against the pixel limit before any pixel
//! memory is allocated. Module widths are whole pixels, so bars never blur.

/// Bumped whenever rendering changes output bytes, so old ETags and cached bytes die (it is
/// part of every canonical key and every L2 value; the golden corpus enforces the bump).
/// 2: PDF417 rows in the specification's order (row 0 on top; version 1 drew them mirrored).
/// 3: a native ZPL QR starts 9 dots higher (`^BQ` draws below its field origin), so it sits
/// where the PNG has it.
/// 4: Code 128 and GS1-128 switch to code set B rather than A when both cost the same, so
/// ZPL can draw GS1-128 natively with the same bars; ZPL draws GS1-128 (`^BC`) and PDF417
/// (`^B7`) natively.
/// 5: a centred text line wider than the bars and their quiet zones widens both quiet zones
/// to fit (GS1-128's bracketed line was cut at the image's edges; DataBar's `(01)…` needs it).
/// 6: DataMatrix (but GS1) from our own linear-time encodation: the same symbol sizes as
/// rxing's minimal encoder, other codeword choices.
/// 7: MaxiCode's ZPL is the printer's `^BD` (modes 2, 3, 4, 6), no longer a graphic field.
/// 8: Aztec from our own encoder (a shortest path over the modes and binary runs): the same
/// symbol size rules as rxing's, other (never longer) encodations.
/// 9: a PNG of under 64 deflate tokens (a tiny image) takes the fixed Huffman codes.
/// 10: ZPL draws natively what were graphic fields: turned symbols, EAN/UPC add-ons
/// (`^BS`), UPC-E (`^B9`), ISBN, bearer bars (`^GB`), full-ASCII Code 39 and 93, GS1
/// DataMatrix, GS1 DataBar (`^BR`); MaxiCode's `^BD` only at 203 dpi.
pub const RENDERER_VERSION: u32 = 10;

pub mod bitmap;
pub mod deflate;
pub mod format;
pub mod formats;
pub mod layout;
pub mod png;
pub mod svg;
pub mod text;
pub mod zpl;

use std::fmt;

/// An sRGB colour with alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    pub const BLACK: Rgba = Rgba([0, 0, 0, 255]);
    pub const WHITE: Rgba = Rgba([255, 255, 255, 255]);

    /// Parses `RRGGBB` or `RRGGBBAA` hex.
    pub fn parse_hex(s: &[u8]) -> Option<Rgba> {
        if s.len() != 6 && s.len() != 8 {
            return None;
        }
        let mut c = [0, 0, 0, 255];
        for (i, pair) in s.chunks(2).enumerate() {
            let hi = (pair[0] as char).to_digit(16)?;
            let lo = (pair[1] as char).to_digit(16)?;
            c[i] = (hi * 16 + lo) as u8;
        }
        Some(Rgba(c))
    }

    /// `rrggbbaa`, the canonical spelling used in cache keys, appended to `out`.
    pub fn put_hex(self, out: &mut String) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for b in self.0 {
            out.push(DIGITS[(b >> 4) as usize] as char);
            out.push(DIGITS[(b & 15) as usize] as char);
        }
    }
}

/// Clockwise rotation of the finished image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rotation {
    R0,
    R90,
    R180,
    R270,
}

impl Rotation {
    pub fn degrees(self) -> u32 {
        match self {
            Rotation::R0 => 0,
            Rotation::R90 => 90,
            Rotation::R180 => 180,
            Rotation::R270 => 270,
        }
    }
}

/// Everything that shapes the image, with defaults already filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RenderOptions {
    /// Pixels per module.
    pub scale: u32,
    /// Bar height in modules (linear codes).
    pub height: u32,
    /// Quiet zone in modules, left and right (and top and bottom for 2D codes).
    pub quiet: (u32, u32),
    /// Human-readable line under linear codes.
    pub text: bool,
    pub fg: Rgba,
    pub bg: Rgba,
    pub rotate: Rotation,
    /// Written into PNG `pHYs` when set.
    pub dpi: Option<u32>,
    /// Bar height in pixels when given physically (`height_mm`); overrides `height`.
    pub height_px: Option<u32>,
    /// EAN quiet-zone marks: `>` right of EAN-13, `<` and `>` around EAN-8, on the text line.
    pub marks: bool,
}

impl RenderOptions {
    /// Black on white at 1 pixel a module, no quiet zone, text or rotation: for writing an
    /// image already drawn (a label's raster) at `dpi`.
    pub fn plain(dpi: Option<u32>) -> RenderOptions {
        RenderOptions {
            scale: 1,
            height: 1,
            quiet: (0, 0),
            text: false,
            fg: Rgba::BLACK,
            bg: Rgba::WHITE,
            rotate: Rotation::R0,
            dpi,
            height_px: None,
            marks: false,
        }
    }

    /// Bar height of linear codes in pixels.
    pub fn bar_px(&self) -> u32 {
        self.height_px.unwrap_or(self.height.saturating_mul(self.scale))
    }
}

/// Why an image cannot be rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderError {
    TooManyPixels { width: u64, height: u64, max: u64 },
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::TooManyPixels { width, height, max } => write!(
                f,
                "image: {width}x{height} = {} pixels exceeds the limit of {max}; lower scale, height or quiet",
                width * height
            ),
        }
    }
}
