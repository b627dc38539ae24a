//! PNG: the 1-bit raster (rotated when asked), deflated by `render/png.rs`.

use crate::render::bitmap::Bitmap;
use crate::render::format::FormatSpec;
use crate::render::{png, Rotation};

pub const SPEC: FormatSpec = FormatSpec {
    ext: "png",
    content_type: "image/png",
    default_dpi: 300,
    options: &[],
    write: |d| {
        let bm = Bitmap::from_layout(d.layout);
        let bm = if d.opts.rotate == Rotation::R0 { bm } else { bm.rotate(d.opts.rotate) };
        png::encode(&bm, d.opts)
    },
};
