//! The reader's entry points: any luma bytes at any shape the input picks go through
//! zxing-cpp and our own readers (`barcoded::reader::read`), and through the Pharmacode
//! reader at the orientation the input picks (`read_asked`), without a crash.
#![no_main]
use barcoded::reader::{read, read_asked, Ask};
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
    let ask = Ask { formats: vec!["pharmacode".into()], orientation: (w as i32 % 4) * 90 };
    for f in read_asked(&px[..n], w, h, &ask) {
        assert_eq!(f.format, "pharmacode");
    }
});
