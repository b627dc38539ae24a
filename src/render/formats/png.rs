//! PNG: the 1-bit raster (rotated when asked), deflated by `render/png.rs`.

use crate::render::format::FormatSpec;
use crate::render::png;

pub const SPEC: FormatSpec = FormatSpec {
    ext: "png",
    content_type: "image/png",
    printed: false,
    default_dpi: 300,
    dpis: None,
    options: &[],
    write: |d| png::encode(&d.raster(), d.opts),
};
