//! Reading barcodes from an uploaded image: the body (raw image, or Base64 as text or JSON
//! `{"image": ...}`) becomes bytes, the image header is read and its dimensions checked
//! before any pixel is decoded (decompression bombs), the pixels become 8-bit luma, and
//! `rxing` finds the barcodes. Pure and synchronous: the server runs it on the decode workers (`workers.rs`).

use base64::Engine;
use std::borrow::Cow;
use std::fmt;

/// Limits on one decode, checked before the memory they guard is spent.
#[derive(Clone, Copy, Debug)]
pub struct DecodeLimits {
    pub max_side: u32,
    pub max_pixels: u64,
    /// Largest image in bytes (after Base64 decoding).
    pub max_image_bytes: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits { max_side: 4096, max_pixels: 16_000_000, max_image_bytes: 2 * 1024 * 1024 }
    }
}

/// Why an image cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Base64(String),
    Base64TooLong { length: usize, max: usize },
    UnknownFormat,
    TooLarge { width: u32, height: u32, max_side: u32, max_pixels: u64 },
    Corrupt(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Base64(m) => write!(f, "image: not valid Base64 ({m})"),
            DecodeError::Base64TooLong { length, max } => {
                write!(f, "image: {length} Base64 characters exceed the limit of {max} (decoded {} bytes)", max / 4 * 3)
            }
            DecodeError::UnknownFormat => write!(f, "image: not a PNG, JPEG or WebP"),
            DecodeError::TooLarge { width, height, max_side, max_pixels } => {
                write!(f, "image: {width}x{height} exceeds the limit of {max_side}x{max_side} and {max_pixels} pixels")
            }
            DecodeError::Corrupt(m) => write!(f, "image: cannot be decoded ({m})"),
        }
    }
}

/// One barcode found in an image.
#[derive(Debug, Clone)]
pub struct Found {
    pub format: String,
    pub text: String,
    pub points: Vec<(f32, f32)>,
}

/// The image bytes of a request body: raw for `image/*` (or unknown types that start like
/// an image), Base64 for `text/plain` and JSON `{"image": "..."}`. The Base64 length is
/// checked before a byte is decoded.
pub fn image_bytes<'a>(
    body: &'a [u8],
    content_type: Option<&[u8]>,
    l: &DecodeLimits,
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let ct = content_type.map(|c| c.trim_ascii()).unwrap_or(b"");
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
    if ct.starts_with(b"application/json") {
        if body.len() > max_b64 + 64 {
            return Err(DecodeError::Base64TooLong { length: body.len(), max: max_b64 });
        }
        let v: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| DecodeError::Base64(format!("JSON: {e}")))?;
        let s = v.get("image").and_then(|x| x.as_str()).ok_or(DecodeError::Base64("JSON needs \"image\"".into()))?;
        return b64(s.as_bytes()).map(|c| Cow::Owned(c.into_owned()));
    }
    if ct.starts_with(b"text/plain") {
        return b64(body);
    }
    Ok(Cow::Borrowed(body))
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

/// Images of at least this many pixels are read in two passes (see `read`).
pub const TWO_PASS_PIXELS: u64 = 600_000;

/// The symbologies the reader looks for: the ones this service generates. rxing's other
/// readers (GS1 DataBar, Telepen, MaxiCode...) took a fifth of a photo's decode time.
fn formats() -> std::collections::HashSet<rxing::BarcodeFormat> {
    use rxing::BarcodeFormat::*;
    [EAN_13, EAN_8, UPC_A, UPC_E, ITF, CODE_128, CODE_39, CODE_93, CODABAR, QR_CODE, DATA_MATRIX, PDF_417, AZTEC]
        .into_iter()
        .collect()
}

/// Every barcode rxing finds in the luma image. A small image (a label, a crop) gets one
/// thorough pass. A photo (`TWO_PASS_PIXELS` or more) gets a thorough pass at half size,
/// which finds rotated and blurred codes, plus a quick pass at full size, which finds codes
/// whose modules are too fine for the half-size image; their findings are merged, and
/// when both find nothing a thorough full-size pass runs as well. On a
/// 1280x800 label photo this takes 117 ms against 394 ms for one thorough full-size pass
/// and finds the same three codes (`cargo bench --bench decode`): rxing's multi-code search
/// re-reads the regions around each find with every reader, so its cost grows faster than
/// the pixels.
pub fn read(luma: Vec<u8>, w: u32, h: u32) -> Vec<Found> {
    if (w as u64) * (h as u64) < TWO_PASS_PIXELS {
        return read_pass(luma, w, h, true, 1.0);
    }
    let (hw, hh, half) = half_size(&luma, w, h);
    let mut found = read_pass(half, hw, hh, true, 2.0);
    for f in read_pass(luma.clone(), w, h, false, 1.0) {
        if !found.iter().any(|g| g.format == f.format && g.text == f.text) {
            found.push(f);
        }
    }
    if found.is_empty() {
        // Fine modules turned sideways escape both passes; an image with nothing found
        // pays for the thorough full-size pass too (it stays within the decode budget).
        found = read_pass(luma, w, h, true, 1.0);
    }
    found
}

/// The image at half width and height, each pixel the mean of a 2x2 block.
fn half_size(luma: &[u8], w: u32, h: u32) -> (u32, u32, Vec<u8>) {
    let (w, hw, hh) = (w as usize, (w / 2) as usize, (h / 2) as usize);
    let mut out = Vec::with_capacity(hw * hh);
    for y in 0..hh {
        let (r0, r1) = (&luma[2 * y * w..][..2 * hw], &luma[(2 * y + 1) * w..][..2 * hw]);
        out.extend(
            r0.chunks_exact(2)
                .zip(r1.chunks_exact(2))
                .map(|(a, b)| ((a[0] as u16 + a[1] as u16 + b[0] as u16 + b[1] as u16 + 2) / 4) as u8),
        );
    }
    (hw as u32, hh as u32, out)
}

/// One rxing pass; positions are multiplied by `scale` back to the original image.
pub fn read_pass(luma: Vec<u8>, w: u32, h: u32, try_harder: bool, scale: f32) -> Vec<Found> {
    let mut hints =
        rxing::DecodeHints { TryHarder: Some(try_harder), PossibleFormats: Some(formats()), ..Default::default() };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        rxing::helpers::detect_multiple_in_luma_with_hints(luma, w, h, &mut hints)
    }));
    match r {
        Ok(Ok(results)) => results
            .iter()
            .map(|r| Found {
                format: format!("{:?}", r.getBarcodeFormat()),
                text: r.getText().to_string(),
                points: r.getPoints().iter().map(|p| (p.x * scale, p.y * scale)).collect(),
            })
            .collect(),
        _ => Vec::new(),
    }
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
    fn half_size_averages_blocks_and_drops_an_odd_edge() {
        let luma = [0, 255, 10, 9, 0, 255, 20, 9, 7, 7, 7, 7];
        let (w, h, half) = half_size(&luma, 4, 3);
        assert_eq!((w, h), (2, 1));
        assert_eq!(half, vec![128, 12]);
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
