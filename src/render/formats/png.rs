//! PNG: the 1-bit raster (rotated when asked), deflated by `render/png.rs`.

use crate::render::bitmap::Bitmap;
use crate::render::format::FormatSpec;
use crate::render::{png, Rotation};

pub const SPEC: FormatSpec = FormatSpec {
    ext: "png",
    content_type: "image/png",
    write: |lay, o| {
        let bm = Bitmap::from_layout(lay);
        let bm = if o.rotate == Rotation::R0 { bm } else { bm.rotate(o.rotate) };
        png::encode(&bm, o)
    },
};
