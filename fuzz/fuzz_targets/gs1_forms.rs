//! GS1 element strings in their three spellings: parsing never panics, validation never
//! panics, and whatever parses as bracketed text converts to raw and back to the same
//! elements (and to a Digital Link, when one exists, that parses back to them too).
#![no_main]
use barcoded::gs1::element::{parse_bracketed, parse_dl, parse_raw, to_bracketed, to_dl, to_raw, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = parse_raw(s).map(|e| validate(&e));
    let _ = parse_dl(s).map(|e| validate(&e));
    if let Ok(e) = parse_bracketed(s) {
        let _ = validate(&e);
        let pairs = |v: &[barcoded::gs1::element::Element]| -> Vec<(String, String)> {
            v.iter().map(|x| (x.ai.clone(), x.value.clone())).collect()
        };
        let back = parse_bracketed(&to_bracketed(&e)).map(|b| pairs(&b));
        assert_eq!(back.ok(), Some(pairs(&e)), "bracketed round trip of {s:?}");
        let _ = parse_raw(&to_raw(&e));
        if let Some(dl) = to_dl(&e) {
            let _ = parse_dl(&dl);
        }
    }
});
