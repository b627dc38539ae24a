//! The frames between the server and its decode worker processes: any bytes as a request
//! or an answer are read or refused without a panic, and never allocate past the bounds.
#![no_main]
use barcoded::decoder::wire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let _ = wire::read_request(&mut &input[..], 1 << 20);
    if input.len() >= 4 {
        if let Ok(n) = wire::answer_len([input[0], input[1], input[2], input[3]]) {
            let rest = &input[4..];
            let _ = wire::parse_answer(&rest[..n.min(rest.len())]);
        }
    }
});
