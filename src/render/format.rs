//! What an output format is: its file extension, content type and writer. Each format is
//! one file in `formats/` exporting one `FormatSpec`, listed once in `formats/mod.rs`. Adding a format
//! (ZPL, PDF, …) is its file plus its line there; routing, the canonical key and
//! `/v1/symbologies` read the registry.

use super::layout::Layout;
use super::RenderOptions;

/// One output format.
pub struct FormatSpec {
    /// The extension in URLs (`/v1/qr/x.png`).
    pub ext: &'static str,
    pub content_type: &'static str,
    /// Writes the laid-out symbol (sizes already checked against the pixel limit).
    pub write: fn(&Layout, &RenderOptions) -> Vec<u8>,
}
