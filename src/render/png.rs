//! PNG output: 1-bit grayscale for black on white, a 1-bit palette (with `tRNS` for alpha)
//! for any other colours. Our own container — signature, IHDR, pHYs, PLTE, tRNS, IDAT, IEND,
//! in the order the `png` crate writes them, byte for byte (a unit test holds the two equal)
//! — with the image data written straight into its IDAT chunk as our own zlib stream
//! (`deflate.rs`), which for barcodes is both smaller and faster than the crate's encoders.
//! Writing the chunks ourselves spares the stream's copy into the crate's writer.

use super::bitmap::Bitmap;
use super::deflate;
use super::{RenderOptions, Rgba};

const SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];

/// Encodes `bm` as PNG bytes.
pub fn encode(bm: &Bitmap, o: &RenderOptions) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + bm.bits.len() / 8);
    let gray = o.fg == Rgba::BLACK && o.bg == Rgba::WHITE;
    out.extend_from_slice(&SIGNATURE);
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&bm.width.to_be_bytes());
    ihdr[4..8].copy_from_slice(&bm.height.to_be_bytes());
    // Bit depth 1; colour type 0 (grayscale) or 3 (indexed); deflate, filter 0, no interlace.
    ihdr[8] = 1;
    ihdr[9] = if gray { 0 } else { 3 };
    chunk(&mut out, b"IHDR", |out| out.extend_from_slice(&ihdr));
    if let Some(dpi) = o.dpi {
        let ppm = ((dpi as f64 / 0.0254).round() as u32).to_be_bytes();
        // Pixels per metre, the same both ways; unit 1: the metre.
        let phys = [ppm[0], ppm[1], ppm[2], ppm[3], ppm[0], ppm[1], ppm[2], ppm[3], 1];
        chunk(&mut out, b"pHYs", |out| out.extend_from_slice(&phys));
    }
    if !gray {
        let (b, f) = (o.bg.0, o.fg.0);
        chunk(&mut out, b"PLTE", |out| out.extend_from_slice(&[b[0], b[1], b[2], f[0], f[1], f[2]]));
        if b[3] != 255 || f[3] != 255 {
            chunk(&mut out, b"tRNS", |out| out.extend_from_slice(&[b[3], f[3]]));
        }
    }
    // Grayscale 0 is black: the ink bits are inverted on the way in.
    chunk(&mut out, b"IDAT", |out| deflate::zlib_scanlines_into(&bm.bits, bm.stride, gray, out));
    chunk(&mut out, b"IEND", |_| {});
    out
}

/// Appends one chunk — length, type, the data `write` appends, CRC-32 of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], write: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(kind);
    write(out);
    let len = (out.len() - at - 8) as u32;
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    let crc = crc32fast::hash(&out[at + 4..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the `png` crate writes for the same image and options.
    fn crate_png(bm: &Bitmap, o: &RenderOptions) -> Vec<u8> {
        let mut out = Vec::new();
        let gray = o.fg == Rgba::BLACK && o.bg == Rgba::WHITE;
        let mut enc = png::Encoder::new(&mut out, bm.width, bm.height);
        enc.set_depth(png::BitDepth::One);
        let (b, f) = (o.bg.0, o.fg.0);
        let palette = [b[0], b[1], b[2], f[0], f[1], f[2]];
        let trns = [b[3], f[3]];
        if gray {
            enc.set_color(png::ColorType::Grayscale);
        } else {
            enc.set_color(png::ColorType::Indexed);
            enc.set_palette(&palette[..]);
            if b[3] != 255 || f[3] != 255 {
                enc.set_trns(&trns[..]);
            }
        }
        if let Some(dpi) = o.dpi {
            let ppm = (dpi as f64 / 0.0254).round() as u32;
            enc.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        }
        let zlib = deflate::zlib_scanlines(&bm.bits, bm.stride, gray);
        enc.write_header().unwrap().write_chunk(png::chunk::IDAT, &zlib).unwrap();
        out
    }

    #[test]
    fn the_container_is_the_png_crates_byte_for_byte() {
        let mut bm = Bitmap::new(37, 11);
        for (i, b) in bm.bits.iter_mut().enumerate() {
            *b = (i * 37 % 251) as u8;
        }
        let base = RenderOptions::plain(None);
        let colours = [
            (Rgba::BLACK, Rgba::WHITE),
            (Rgba([0x1a, 0x2b, 0x3c, 255]), Rgba::WHITE),
            (Rgba::BLACK, Rgba([255, 255, 255, 0])),
            (Rgba([200, 0, 0, 128]), Rgba([0, 0, 255, 255])),
        ];
        for (fg, bg) in colours {
            for dpi in [None, Some(203), Some(600)] {
                let o = RenderOptions { fg, bg, dpi, ..base };
                assert_eq!(encode(&bm, &o), crate_png(&bm, &o), "{fg:?} on {bg:?} at {dpi:?}");
            }
        }
    }
}
