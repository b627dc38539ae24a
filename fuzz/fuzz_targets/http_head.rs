//! The HTTP/1.1 head parser on arbitrary bytes: never panics, and a complete head never
//! claims more bytes than it was given.
#![no_main]
use barcoded::http::head::{parse, HeadLimits, Parsed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|buf: &[u8]| {
    if let Ok(Parsed::Complete(h)) = parse(buf, HeadLimits { max_uri: 2048, max_header_bytes: 8192 }) {
        assert!(h.len <= buf.len());
    }
});
