//! PNG output: 1-bit grayscale for black on white, a 1-bit palette (with `tRNS` for alpha)
//! for any other colours. The `png` crate writes the container (signature, IHDR, PLTE,
//! tRNS, pHYs, IEND); the image data is our own zlib stream (`deflate.rs`), which for
//! barcodes is both smaller and faster than the crate's encoders (see the render bench).

use super::bitmap::Bitmap;
use super::deflate;
use super::{RenderOptions, Rgba};

/// Encodes `bm` as PNG bytes.
pub fn encode(bm: &Bitmap, o: &RenderOptions) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + bm.bits.len() / 8);
    let gray = o.fg == Rgba::BLACK && o.bg == Rgba::WHITE;
    {
        let mut enc = png::Encoder::new(&mut out, bm.width, bm.height);
        enc.set_depth(png::BitDepth::One);
        let palette: [u8; 6];
        let trns: [u8; 2];
        if gray {
            enc.set_color(png::ColorType::Grayscale);
        } else {
            enc.set_color(png::ColorType::Indexed);
            let (b, f) = (o.bg.0, o.fg.0);
            palette = [b[0], b[1], b[2], f[0], f[1], f[2]];
            enc.set_palette(&palette[..]);
            if b[3] != 255 || f[3] != 255 {
                trns = [b[3], f[3]];
                enc.set_trns(&trns[..]);
            }
        }
        if let Some(dpi) = o.dpi {
            let ppm = (dpi as f64 / 0.0254).round() as u32;
            enc.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        }
        // Writing to a Vec cannot fail for a bitmap of the declared size.
        // Grayscale 0 is black: the ink bits are inverted on the way in.
        let zlib = deflate::zlib_scanlines(&bm.bits, bm.stride, gray);
        let written = enc.write_header().and_then(|mut w| w.write_chunk(png::chunk::IDAT, &zlib));
        debug_assert!(written.is_ok());
    }
    out
}
