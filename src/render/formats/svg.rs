//! SVG: vector rectangles from the layout (`render/svg.rs`).

use crate::render::format::FormatSpec;
use crate::render::svg;

pub const SPEC: FormatSpec =
    FormatSpec { ext: "svg", content_type: "image/svg+xml", write: |lay, o| svg::encode(lay, o).into_bytes() };
