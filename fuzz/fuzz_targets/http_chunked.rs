//! The chunked-body decoder on arbitrary bytes fed in arbitrary pieces: never panics, never
//! consumes more than it was given, never decodes more than the limit, and gives the same
//! body however the input is split.
#![no_main]
use barcoded::http::chunked::{ChunkLimits, Decoder};
use libfuzzer_sys::fuzz_target;

const L: ChunkLimits = ChunkLimits { max_body: 4096, max_line: 64, max_trailers: 256 };

fn run(input: &[u8], step: usize) -> Option<Vec<u8>> {
    let mut d = Decoder::new();
    let mut body = Vec::new();
    let mut pending = Vec::new();
    for piece in input.chunks(step.max(1)) {
        pending.extend_from_slice(piece);
        let (used, done) = d.feed(&pending, &mut body, L).ok()?;
        assert!(used <= pending.len());
        assert!(body.len() <= L.max_body);
        pending.drain(..used);
        if done {
            return Some(body);
        }
    }
    None
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, input)) = data.split_first() else { return };
    let whole = run(input, input.len());
    let split = run(input, step as usize % 7 + 1);
    assert_eq!(whole, split);
});
