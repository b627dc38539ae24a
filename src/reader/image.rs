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

/// Decodes PNG, JPEG, WebP or PGM bytes to 8-bit luma, refusing oversized images from
/// the header alone.
pub fn luma(bytes: &[u8], l: &DecodeLimits) -> Result<(Vec<u8>, u32, u32), DecodeError> {
    let (luma, w, h) = decode_any(bytes, l)?;
    if luma.len() as u64 != w as u64 * h as u64 {
        return Err(DecodeError::Corrupt("unexpected pixel layout".into()));
    }
    Ok((luma, w, h))
}

/// The decoder of whichever format the bytes start like.
fn decode_any(bytes: &[u8], l: &DecodeLimits) -> Result<(Vec<u8>, u32, u32), DecodeError> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_luma(bytes, l)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg_luma(bytes, l)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        webp_luma(bytes, l)
    } else if bytes.starts_with(b"P5") {
        pgm_luma(bytes, l)
    } else {
        Err(DecodeError::UnknownFormat)
    }
}

fn png_luma(bytes: &[u8], l: &DecodeLimits) -> Result<(Vec<u8>, u32, u32), DecodeError> {
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
    Ok((luma, w, h))
}

/// A JPEG to luma with zune-jpeg: a YCbCr or grey JPEG gives its Y samples as they are
/// (its chroma is neither upsampled nor converted: the cheapest way to luma), any other
/// (CMYK, YCCK, RGB) is converted to RGB first.
fn jpeg_luma(bytes: &[u8], l: &DecodeLimits) -> Result<(Vec<u8>, u32, u32), DecodeError> {
    use zune_jpeg::zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
    let corrupt = |e: zune_jpeg::errors::DecodeErrors| DecodeError::Corrupt(e.to_string());
    // Any size a JPEG can state passes the header read (it allocates no pixels), so that
    // `check` names the problem with our limits.
    let options = DecoderOptions::default().set_max_width(usize::from(u16::MAX)).set_max_height(usize::from(u16::MAX));
    // The frame header's size is checked first, by our own walk of the markers: a bomb
    // may be nothing but a frame header (no scan for the decoder to reach).
    if let Some((w, h)) = jpeg_frame_size(bytes) {
        check(w, h, l)?;
    }
    let mut d = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    d.decode_headers().map_err(corrupt)?;
    let (w, h) = d.dimensions().ok_or(DecodeError::Corrupt("no JPEG header".into()))?;
    let (w, h) = (w as u32, h as u32);
    check(w, h, l)?;
    let direct = matches!(d.input_colorspace(), Some(ColorSpace::YCbCr | ColorSpace::Luma));
    let out = if direct { ColorSpace::Luma } else { ColorSpace::RGB };
    d.set_options(options.jpeg_set_out_colorspace(out));
    let px = d.decode().map_err(corrupt)?;
    let luma: Vec<u8> = if direct { px } else { px.chunks(3).map(|p| gray(p[0], p[1], p[2])).collect() };
    Ok((luma, w, h))
}

/// The width and height a JPEG's frame header (SOF0–SOF15) states, found by walking its
/// marker segments; `None` when no frame header comes before the first scan.
fn jpeg_frame_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| Some(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?]) as u32);
    let mut i = 2;
    loop {
        if *bytes.get(i)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        match marker {
            0xFF => i += 1,
            0x01 | 0xD0..=0xD8 => i += 2,
            0xD9 | 0xDA => return None,
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => return Some((be16(i + 7)?, be16(i + 5)?)),
            _ => i += 2 + be16(i + 2)? as usize,
        }
    }
}

fn webp_luma(bytes: &[u8], l: &DecodeLimits) -> Result<(Vec<u8>, u32, u32), DecodeError> {
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
    Ok((luma, w, h))
}

/// A binary PGM (`P5`: a header in text, then the grey samples, one or two bytes each):
/// luma as it is, for callers that have a camera frame and no encoder.
fn pgm_luma(bytes: &[u8], l: &DecodeLimits) -> Result<(Vec<u8>, u32, u32), DecodeError> {
    let corrupt = |m: &str| DecodeError::Corrupt(format!("PGM: {m}"));
    let mut at = 2;
    let mut field = || -> Option<u32> {
        loop {
            match bytes.get(at)? {
                b'#' => at += bytes[at..].iter().position(|&b| b == b'\n')?,
                b if b.is_ascii_whitespace() => at += 1,
                _ => break,
            }
        }
        let digits = bytes[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        let v = std::str::from_utf8(&bytes[at..at + digits]).ok()?.parse().ok()?;
        at += digits;
        Some(v)
    };
    let (Some(w), Some(h), Some(max)) = (field(), field(), field()) else {
        return Err(corrupt("header needs width, height and maximum value"));
    };
    check(w, h, l)?;
    if !(1..=65535).contains(&max) || !bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        return Err(corrupt("maximum value must be 1 to 65535, then one space"));
    }
    let width = if max > 255 { 2 } else { 1 };
    let n = (w * h) as usize;
    let Some(data) = bytes.get(at + 1..at + 1 + n * width) else {
        return Err(corrupt("fewer samples than the header says"));
    };
    let scale = |v: u32| (v.min(max) * 255 / max) as u8;
    let luma = match (width, max) {
        (1, 255) => data.to_vec(),
        (1, _) => data.iter().map(|&v| scale(v as u32)).collect(),
        _ => data.chunks(2).map(|p| scale(u16::from_be_bytes([p[0], p[1]]) as u32)).collect(),
    };
    Ok((luma, w, h))
}

/// ITU-R BT.601 luma, rounded to the nearest level as Pillow's and zxing-cpp's own
/// conversions round it (16-bit weights). Truncating instead sits a level lower on a
/// third of pixels, enough to lose a barely readable photograph that the common pipeline
/// reads (two of zxing-cpp's own WebP samples, `benches/photo_corpus.py`).
fn gray(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 19595 + u32::from(g) * 38470 + u32::from(b) * 7471 + 0x8000) >> 16) as u8
}

/// Composites on white: transparent pixels read as background.
fn blend(v: u8, a: u8) -> u8 {
    ((v as u32 * a as u32 + 255 * (255 - a as u32)) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_is_rounded_as_pillow_rounds_it() {
        // Image.new("RGB", (1, 1), c).convert("L") in Pillow for each colour c.
        for (rgb, l) in
            [((0, 0, 0), 0), ((255, 255, 255), 255), ((255, 0, 0), 76), ((0, 255, 0), 150), ((0, 0, 255), 29)]
        {
            assert_eq!(gray(rgb.0, rgb.1, rgb.2), l, "{rgb:?}");
        }
        // 140.75: truncated, 140.
        assert_eq!(gray(100, 150, 200), 141);
    }

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
        // A JPEG frame header stating 65500 x 65500 (after an APP0 segment), no scan.
        let mut jpeg =
            vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 0xFF, 0xC2, 0x00, 0x0B, 0x08, 0xFF, 0xDC, 0xFF, 0xDC];
        jpeg.extend_from_slice(&[0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9]);
        assert!(matches!(luma(&jpeg, &l), Err(DecodeError::TooLarge { width: 65500, height: 65500, .. })));
    }

    #[test]
    fn pgm_is_luma_as_it_is_and_its_header_is_checked() {
        let l = DecodeLimits::default();
        let mut pgm = b"P5 # a comment\n3 2\n255\n".to_vec();
        pgm.extend_from_slice(&[0, 128, 255, 10, 20, 30]);
        assert_eq!(luma(&pgm, &l).unwrap(), (vec![0, 128, 255, 10, 20, 30], 3, 2));
        // Two bytes a sample (big-endian), scaled to 0..255; a smaller maximum scaled up.
        let mut wide = b"P5\n2 1\n65535\n".to_vec();
        wide.extend_from_slice(&[0xFF, 0xFF, 0x80, 0x00]);
        assert_eq!(luma(&wide, &l).unwrap(), (vec![255, 127], 2, 1));
        assert_eq!(luma(b"P5 2 1 15 \x0f\x00", &l).unwrap(), (vec![255, 0], 2, 1));
        // Refused from the header, before any sample is read; short or garbled headers.
        assert!(matches!(luma(b"P5 100000 100000 255 ", &l), Err(DecodeError::TooLarge { width: 100_000, .. })));
        for bad in [&b"P5 3 2 255 \x00"[..], b"P5 3 2", b"P5 3 x 255 ", b"P5 3 2 0 ", b"P5 3 2 70000 ", b"P5 # no end"]
        {
            assert!(matches!(luma(bad, &l), Err(DecodeError::Corrupt(_))), "{bad:?}");
        }
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
