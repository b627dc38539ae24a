//! How two answers to the same request differ (Diffy's classes): identical bytes; the
//! same ETag on different bytes (a broken promise: a cache would keep serving the old
//! bytes); different bytes with the same content — the same pixels, or images whose
//! barcodes decode to the same text (rxing), or equal JSON — which a renderer change may
//! do only with a RENDERER_VERSION bump (so a new ETag); different content; a different
//! status. Pure.

use super::fetch::Answer;

/// The classes, mildest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    Identical,
    /// Bytes differ, content the same, and the ETag changed with them.
    SameContent,
    /// Bytes differ under the same ETag.
    SameEtag,
    DifferentContent,
    DifferentStatus,
}

impl Class {
    pub const ALL: [Class; 5] =
        [Class::Identical, Class::SameContent, Class::SameEtag, Class::DifferentContent, Class::DifferentStatus];

    pub fn name(self) -> &'static str {
        match self {
            Class::Identical => "identical bytes",
            Class::SameContent => "same content, new bytes and ETag",
            Class::SameEtag => "same ETag, different bytes",
            Class::DifferentContent => "different content",
            Class::DifferentStatus => "different status",
        }
    }

    /// Whether the class fails the comparison.
    pub fn fails(self) -> bool {
        matches!(self, Class::SameEtag | Class::DifferentContent | Class::DifferentStatus)
    }
}

/// A PNG's pixels as 8-bit luma (with its size), when the body is a PNG.
fn luma(body: &[u8]) -> Option<(Vec<u8>, u32, u32)> {
    let mut d = png::Decoder::new(std::io::Cursor::new(body));
    d.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut r = d.read_info().ok()?;
    let (w, h) = (r.info().width, r.info().height);
    if u64::from(w) * u64::from(h) > 64_000_000 {
        return None;
    }
    let mut buf = vec![0; r.output_buffer_size()?];
    let f = r.next_frame(&mut buf).ok()?;
    let px = &buf[..f.buffer_size()];
    let ch = match f.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return None,
    };
    let luma = px
        .chunks_exact(ch)
        .map(|p| match ch {
            1 | 2 => p[0],
            _ => ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8,
        })
        .collect();
    Some((luma, w, h))
}

/// The barcodes an image shows, as `format:text`, sorted.
fn decoded(luma: Vec<u8>, w: u32, h: u32) -> Vec<String> {
    let mut hints = rxing::DecodeHints { TryHarder: Some(true), ..Default::default() };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        rxing::helpers::detect_multiple_in_luma_with_hints(luma, w, h, &mut hints)
    }));
    let mut v: Vec<String> = match r {
        Ok(Ok(found)) => found.iter().map(|f| format!("{:?}:{}", f.getBarcodeFormat(), f.getText())).collect(),
        _ => Vec::new(),
    };
    v.sort();
    v
}

/// Whether two bodies show the same content (they differ as bytes).
pub fn same_content(a: &[u8], b: &[u8]) -> bool {
    if let (Some(x), Some(y)) = (luma(a), luma(b)) {
        if x == y {
            return true;
        }
        let (dx, dy) = (decoded(x.0, x.1, x.2), decoded(y.0, y.1, y.2));
        return !dx.is_empty() && dx == dy;
    }
    match (serde_json::from_slice::<serde_json::Value>(a), serde_json::from_slice::<serde_json::Value>(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// How the candidate's answer differs from the reference's.
pub fn classify(reference: &Answer, candidate: &Answer) -> Class {
    if reference.status != candidate.status {
        return Class::DifferentStatus;
    }
    if reference.body == candidate.body {
        return Class::Identical;
    }
    let (re, ce) = (reference.header("etag"), candidate.header("etag"));
    if re.is_some() && re == ce {
        return Class::SameEtag;
    }
    if same_content(&reference.body, &candidate.body) {
        Class::SameContent
    } else {
        Class::DifferentContent
    }
}

/// Whether the two instances of the old build disagree on a request (noise, not a
/// difference the candidate can be blamed for): another status, or other content.
pub fn noisy(primary: &Answer, secondary: &Answer) -> bool {
    primary.status != secondary.status
        || (primary.body != secondary.body && !same_content(&primary.body, &secondary.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(status: u16, etag: Option<&str>, body: &[u8]) -> Answer {
        let headers = etag.map(|e| vec![("etag".to_string(), e.to_string())]).unwrap_or_default();
        Answer { status, headers, body: body.to_vec() }
    }

    fn png_of(px: &[u8], w: u32, h: u32, level: png::Compression) -> Vec<u8> {
        let mut out = Vec::new();
        let mut e = png::Encoder::new(&mut out, w, h);
        e.set_color(png::ColorType::Grayscale);
        e.set_compression(level);
        let mut wr = e.write_header().unwrap();
        wr.write_image_data(px).unwrap();
        drop(wr);
        out
    }

    #[test]
    fn classes() {
        let x = a(200, Some("\"1\""), b"abc");
        assert_eq!(classify(&x, &x.clone()), Class::Identical);
        assert_eq!(classify(&x, &a(400, None, b"abc")), Class::DifferentStatus);
        assert_eq!(classify(&x, &a(200, Some("\"1\""), b"abd")), Class::SameEtag);
        assert_eq!(classify(&x, &a(200, Some("\"2\""), b"abd")), Class::DifferentContent);
        let j1 = a(200, Some("\"1\""), br#"{"a":1,"b":2}"#);
        let j2 = a(200, Some("\"2\""), br#"{"b":2, "a":1}"#);
        assert_eq!(classify(&j1, &j2), Class::SameContent);
        assert!(Class::SameEtag.fails() && !Class::SameContent.fails());
    }

    #[test]
    fn the_same_pixels_in_other_bytes_are_the_same_content() {
        let px: Vec<u8> = (0..64 * 8).map(|i| if (i / 3) % 2 == 0 { 0 } else { 255 }).collect();
        let p1 = png_of(&px, 64, 8, png::Compression::Fast);
        let p2 = png_of(&px, 64, 8, png::Compression::NoCompression);
        assert_ne!(p1, p2);
        assert_eq!(classify(&a(200, Some("\"1\""), &p1), &a(200, Some("\"2\""), &p2)), Class::SameContent);
        let mut other = px.clone();
        other[5] ^= 255;
        let p3 = png_of(&other, 64, 8, png::Compression::Fast);
        assert_eq!(classify(&a(200, Some("\"1\""), &p1), &a(200, Some("\"2\""), &p3)), Class::DifferentContent);
        assert!(!noisy(&a(200, None, &p1), &a(200, None, &p2)));
    }
}
