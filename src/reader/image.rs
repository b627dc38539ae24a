//! An uploaded image to 8-bit luma: the body (raw image, or Base64 as text or JSON
//! `{"image": ...}`) becomes bytes, the image header is read and its dimensions checked
//! before any pixel is decoded (decompression bombs), and the pixels become luma. Pure.

use super::{DecodeError, DecodeLimits};
use base64::Engine;
use std::borrow::Cow;

/// How a request body carries its image, by its content type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// JSON `{"image": "<base64>"}`.
    Json,
    /// Base64 text (`text/plain`), optionally a `data:` URL.
    Base64,
    /// The image itself (`image/*` or anything else).
    Raw,
}

/// The body kind a content type names.
pub fn body_kind(content_type: Option<&[u8]>) -> BodyKind {
    let ct = content_type.map(|c| c.trim_ascii()).unwrap_or(b"");
    if ct.starts_with(b"application/json") {
        BodyKind::Json
    } else if ct.starts_with(b"text/plain") {
        BodyKind::Base64
    } else {
        BodyKind::Raw
    }
}

/// The image bytes of a request body: raw for `image/*` (or unknown types that start like
/// an image), Base64 for `text/plain` and JSON `{"image": "..."}`. The Base64 length is
/// checked before a byte is decoded.
pub fn image_bytes<'a>(
    body: &'a [u8],
    content_type: Option<&[u8]>,
    l: &DecodeLimits,
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let max_b64 = l.max_image_bytes.div_ceil(3) * 4;
    let b64 = |s: &[u8]| -> Result<Cow<'a, [u8]>, DecodeError> {
        let s = s.trim_ascii();
        if s.len() > max_b64 {
            return Err(DecodeError::Base64TooLong { length: s.len(), max: max_b64 });
        }
        let s =
            s.strip_prefix(b"data:").and_then(|r| r.iter().position(|&b| b == b',').map(|i| &r[i + 1..])).unwrap_or(s);
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Cow::Owned)
            .map_err(|e| DecodeError::Base64(e.to_string()))
    };
    match body_kind(content_type) {
        BodyKind::Json => {
            if body.len() > max_b64 + 64 {
                return Err(DecodeError::Base64TooLong { length: body.len(), max: max_b64 });
            }
            let v: serde_json::Value =
                serde_json::from_slice(body).map_err(|e| DecodeError::Base64(format!("JSON: {e}")))?;
            let s =
                v.get("image").and_then(|x| x.as_str()).ok_or(DecodeError::Base64("JSON needs \"image\"".into()))?;
            b64(s.as_bytes()).map(|c| Cow::Owned(c.into_owned()))
        }
        BodyKind::Base64 => b64(body),
        BodyKind::Raw => Ok(Cow::Borrowed(body)),
    }
}

fn check(w: u32, h: u32, l: &DecodeLimits) -> Result<(), DecodeError> {
    if w == 0 || h == 0 || w > l.max_side || h > l.max_side || w as u64 * h as u64 > l.max_pixels {
        return Err(DecodeError::TooLarge { width: w, height: h, max_side: l.max_side, max_pixels: l.max_pixels });
    }
    Ok(())
}

/// Decodes PNG, JPEG or WebP bytes to 8-bit luma, refusing oversized images from the
/// header alone.
pub fn luma(bytes: &[u8], l: &DecodeLimits) -> Result<(Vec<u8>, u32, u32), DecodeError> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut d = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), png::Limits { bytes: 64 * 1024 * 1024 });
        d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut r = d.read_info().map_err(|e| DecodeError::Corrupt(e.to_string()))?;
        let (w, h) = (r.info().width, r.info().height);
        check(w, h, l)?;
        let size = r.output_buffer_size().ok_or(DecodeError::Corrupt("image too large".into()))?;
        let mut buf = vec![0; size];
        let frame = r.next_frame(&mut buf).map_err(|e| DecodeError::Corrupt(e.to_string()))?;
        let px = &buf[..frame.buffer_size()];
        let luma = match frame.color_type {
            png::ColorType::Grayscale => px.to_vec(),
            png::ColorType::GrayscaleAlpha => px.chunks(2).map(|p| blend(p[0], p[1])).collect(),
            png::ColorType::Rgb => px.chunks(3).map(|p| gray(p[0], p[1], p[2])).collect(),
            png::ColorType::Rgba => px.chunks(4).map(|p| blend(gray(p[0], p[1], p[2]), p[3])).collect(),
            png::ColorType::Indexed => return Err(DecodeError::Corrupt("palette not expanded".into())),
        };
        if luma.len() != (w * h) as usize {
            return Err(DecodeError::Corrupt("unexpected pixel layout".into()));
        }
        Ok((luma, w, h))
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(bytes));
        d.set_max_decoding_buffer_size(l.max_pixels as usize * 4);
        d.read_info().map_err(|e| DecodeError::Corrupt(e.to_string()))?;
        let info = d.info().ok_or(DecodeError::Corrupt("no JPEG header".into()))?;
        let (w, h) = (info.width as u32, info.height as u32);
        check(w, h, l)?;
        let px = d.decode().map_err(|e| DecodeError::Corrupt(e.to_string()))?;
        let luma: Vec<u8> = match info.pixel_format {
            jpeg_decoder::PixelFormat::L8 => px,
            jpeg_decoder::PixelFormat::L16 => px.chunks(2).map(|p| p[0]).collect(),
            jpeg_decoder::PixelFormat::RGB24 => px.chunks(3).map(|p| gray(p[0], p[1], p[2])).collect(),
            jpeg_decoder::PixelFormat::CMYK32 => px.chunks(4).map(|p| 255 - p[3]).collect(),
        };
        if luma.len() != (w * h) as usize {
            return Err(DecodeError::Corrupt("unexpected pixel layout".into()));
        }
        Ok((luma, w, h))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        let corrupt = |e: image_webp::DecodingError| DecodeError::Corrupt(e.to_string());
        let mut d = image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).map_err(corrupt)?;
        let (w, h) = d.dimensions();
        check(w, h, l)?;
        d.set_memory_limit(l.max_pixels as usize * 4);
        let size = d.output_buffer_size().ok_or(DecodeError::Corrupt("image too large".into()))?;
        let mut buf = vec![0; size];
        d.read_image(&mut buf).map_err(corrupt)?;
        let luma: Vec<u8> = if d.has_alpha() {
            buf.chunks(4).map(|p| blend(gray(p[0], p[1], p[2]), p[3])).collect()
        } else {
            buf.chunks(3).map(|p| gray(p[0], p[1], p[2])).collect()
        };
        if luma.len() != (w * h) as usize {
            return Err(DecodeError::Corrupt("unexpected pixel layout".into()));
        }
        Ok((luma, w, h))
    } else {
        Err(DecodeError::UnknownFormat)
    }
}

fn gray(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000) as u8
}

/// Composites on white: transparent pixels read as background.
fn blend(v: u8, a: u8) -> u8 {
    ((v as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut e = png::Encoder::new(&mut out, w, h);
            e.set_color(png::ColorType::Grayscale);
            e.set_depth(png::BitDepth::One);
            let _ =
                e.write_header().map(|mut wr| wr.write_chunk(png::chunk::IDAT, &[0x78, 0x01, 0x03, 0x00, 0, 0, 0, 1]));
        }
        out
    }

    #[test]
    fn bombs_are_refused_from_the_header() {
        let l = DecodeLimits::default();
        let e = luma(&png_header(100_000, 100_000), &l).unwrap_err();
        assert!(matches!(e, DecodeError::TooLarge { width: 100_000, .. }), "{e:?}");
        assert!(matches!(luma(&png_header(5000, 10), &l), Err(DecodeError::TooLarge { .. })));
        assert_eq!(luma(b"GIF89a", &l).unwrap_err(), DecodeError::UnknownFormat);
        // A lossless WebP header declaring 8192 x 8192: refused before any pixel.
        let (w, h) = (8192u32, 8192u32);
        let bits = (w - 1) | ((h - 1) << 14);
        let mut vp8l = vec![0x2f];
        vp8l.extend_from_slice(&bits.to_le_bytes());
        vp8l.extend_from_slice(&[0; 16]);
        let mut webp = b"RIFF".to_vec();
        webp.extend_from_slice(&(4 + 8 + vp8l.len() as u32).to_le_bytes());
        webp.extend_from_slice(b"WEBPVP8L");
        webp.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
        webp.extend_from_slice(&vp8l);
        let r = luma(&webp, &l);
        assert!(matches!(r, Err(DecodeError::TooLarge { width: 8192, height: 8192, .. })), "{r:?}");
        assert!(matches!(luma(&webp[..14], &l), Err(DecodeError::Corrupt(_))));
        assert!(matches!(luma(&png_header(10, 10)[..40], &l), Err(DecodeError::Corrupt(_))));
        assert!(matches!(luma(&[0xFF, 0xD8, 0xFF, 0x00, 1, 2], &l), Err(DecodeError::Corrupt(_))));
    }

    #[test]
    fn base64_length_is_checked_first() {
        let l = DecodeLimits { max_image_bytes: 30, ..Default::default() };
        assert!(matches!(image_bytes(&[b'A'; 100], Some(b"text/plain"), &l), Err(DecodeError::Base64TooLong { .. })));
        assert_eq!(&*image_bytes(b"aGVsbG8=", Some(b"text/plain"), &l).unwrap(), b"hello");
        assert_eq!(&*image_bytes(br#"{"image":"aGk="}"#, Some(b"application/json"), &l).unwrap(), b"hi");
        assert!(matches!(image_bytes(b"!!!", Some(b"text/plain"), &l), Err(DecodeError::Base64(_))));
        assert_eq!(&*image_bytes(b"\x89PNG", Some(b"image/png"), &l).unwrap(), b"\x89PNG");
    }
}
