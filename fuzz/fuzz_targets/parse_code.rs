//! `/v1/parse` without the socket: any query string, body and content type either is
//! refused with a typed error or yields a description with `valid` and `symbology`; the
//! degraded answer too.
#![no_main]
use barcoded::api::describe::{describe, minimal, request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], &[u8], u8)| {
    let (query, body, ct) = input;
    let ct: Option<&[u8]> = match ct % 3 {
        0 => None,
        1 => Some(b"application/json"),
        _ => Some(b"text/plain"),
    };
    if let Ok(req) = request(query, body, ct) {
        let v = describe(&req);
        assert!(v.get("valid").is_some() && v.get("symbology").is_some());
        assert!(minimal(&req).get("degraded").is_some());
    }
});
