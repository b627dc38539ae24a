//! SVG: vector rectangles from the layout (`render/svg.rs`).

use crate::render::format::FormatSpec;
use crate::render::svg;

pub const SPEC: FormatSpec = FormatSpec {
    ext: "svg",
    content_type: "image/svg+xml",
    printed: false,
    default_dpi: 300,
    dpis: None,
    options: &[],
    write: |d| svg::encode(d.layout, d.opts).into_bytes(),
};
