//! What an output format is: its file extension, content type, default printer resolution,
//! the options only it takes, and its writer. Each format is one file in `formats/`
//! exporting one `FormatSpec`, listed once in `formats/mod.rs`. A writer gets one `Drawing`:
//! everything known about the symbol by then (layout, module pattern, data, options).

use super::bitmap::Bitmap;
use super::layout::Layout;
use super::{RenderOptions, Rotation};
use crate::symbology::{EncodeOptions, Symbol};

/// Options that only some formats take (label printers' placement).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputOptions {
    /// ZPL: a whole label (`^XA … ^XZ` with its size) or the field block alone.
    pub label: bool,
    /// ZPL: the field origin in printer dots.
    pub x: u32,
    pub y: u32,
    /// ZPL: our raster as a graphic field even where a native barcode command exists.
    pub graphic: bool,
    /// ZPL: graphic fields as `:Z64:` (zlib, Base64, CRC) instead of ASCII hex runs.
    pub z64: bool,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions { label: true, x: 0, y: 0, graphic: false, z64: false }
    }
}

/// Everything a writer needs about one symbol.
pub struct Drawing<'a> {
    pub layout: &'a Layout,
    pub opts: &'a RenderOptions,
    pub out: &'a OutputOptions,
    /// The module pattern (for formats that describe rather than draw).
    pub symbol: &'a Symbol,
    /// The symbology's encoding options (for formats that hand encoding to the printer).
    pub encode: &'a EncodeOptions,
    /// The symbology's URL name.
    pub symbology: &'static str,
    /// The data as encoded (normalised: check digits added).
    pub data: &'a str,
    /// The human-readable line, if the symbol has one.
    pub text: Option<&'a str>,
    /// The data is a GS1 element string (GS1-128, or `gs1=true`).
    pub gs1: bool,
}

impl Drawing<'_> {
    /// The printer resolution the sizes are at: the request's `dpi`, else the format's.
    pub fn dpi(&self, default: u32) -> u32 {
        self.opts.dpi.unwrap_or(default)
    }

    /// The output's size in pixels, after rotation.
    pub fn size(&self) -> (u32, u32) {
        match self.opts.rotate {
            Rotation::R90 | Rotation::R270 => (self.layout.height, self.layout.width),
            _ => (self.layout.width, self.layout.height),
        }
    }

    /// The 1-bit raster, rotated as asked.
    pub fn raster(&self) -> Bitmap {
        let bm = Bitmap::from_layout(self.layout);
        if self.opts.rotate == Rotation::R0 {
            bm
        } else {
            bm.rotate(self.opts.rotate)
        }
    }
}

/// The only resolutions a format may be asked for, and how an error names them.
pub struct Dpis {
    pub values: &'static [u32],
    pub rule: &'static str,
}

/// One output format.
pub struct FormatSpec {
    /// The extension in URLs (`/v1/qr/x.png`).
    pub ext: &'static str,
    pub content_type: &'static str,
    /// The resolution physical sizes (`xdim`, `height_mm`) are turned into dots at when the
    /// request names none: 203 dpi for thermal printers, 300 otherwise.
    pub default_dpi: u32,
    /// The resolutions it may be asked for, when only some are real (a printer's); `None`:
    /// any in `api::options::DPI`.
    pub dpis: Option<&'static Dpis>,
    /// The output is printed at its resolution (ZPL, PDF): symbols of a fixed physical
    /// size (MaxiCode) are drawn at it unless `scale` says otherwise.
    pub printed: bool,
    /// Options only this format takes (beyond the common ones), by query name.
    pub options: &'static [&'static str],
    /// Writes the symbol (sizes already checked against the pixel limit).
    pub write: fn(&Drawing<'_>) -> Vec<u8>,
}
