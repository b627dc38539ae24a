//! `/v1/decode`'s input side: any body as raw image, Base64 text or JSON goes through the
//! size checks and the PNG/JPEG/WebP/PGM decoders without a panic; run with `-malloc_limit_mb`
//! to hold allocation to the limits (an image over 4096 px a side or 16 Mpx is refused
//! from its header).
#![no_main]
use barcoded::reader::{image_bytes, luma, DecodeLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &[u8])| {
    let (kind, body) = input;
    let l = DecodeLimits::default();
    let ct: &[u8] = match kind % 4 {
        0 => b"image/png",
        1 => b"text/plain",
        2 => b"application/json",
        _ => b"image/webp",
    };
    if let Ok(bytes) = image_bytes(body, Some(ct), &l) {
        if let Ok((px, w, h)) = luma(&bytes, &l) {
            assert_eq!(px.len() as u64, w as u64 * h as u64);
            assert!(w <= l.max_side && h <= l.max_side);
        }
    }
});
