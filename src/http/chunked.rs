//! Incremental decoding of a chunked request body (RFC 9112 7.1), pure: bytes in, data out.
//! The connection feeds whatever it has read; the decoder keeps its place between reads, so
//! the raw framing is consumed as it arrives and never buffered whole. Every limit is
//! checked before the bytes it guards are kept: the body's total against `max_body` as soon
//! as a chunk's size is known, a size line (with its extensions) and the trailer block by
//! their length even while incomplete. Extensions and trailer fields are accepted and ignored.

/// Limits on one chunked body.
#[derive(Clone, Copy, Debug)]
pub struct ChunkLimits {
    /// Largest decoded body.
    pub max_body: usize,
    /// Longest chunk-size line, extensions included.
    pub max_line: usize,
    /// Largest trailer section.
    pub max_trailers: usize,
}

/// Why a chunked body is refused; every one ends the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkError {
    /// The decoded body would pass `max_body` (413); `length` is the size it would reach.
    TooLarge { length: u64 },
    /// A chunk size that is not hex, overflows 64 bits, or a malformed size line (400).
    BadSize,
    /// A chunk-size line (extensions included) longer than `max_line` (400).
    LineTooLong,
    /// Chunk data not followed by CRLF (400).
    BadDataEnd,
    /// The trailer section is larger than `max_trailers` (431).
    TrailersTooLarge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Size,
    Data(u64),
    DataEnd,
    Trailers,
    Done,
}

/// The decoder's place in one chunked body.
#[derive(Debug)]
pub struct Decoder {
    state: State,
    total: u64,
    trailer_bytes: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder { state: State::Size, total: 0, trailer_bytes: 0 }
    }

    /// Consumes framing and data from the front of `input`, appending data to `body`.
    /// Returns the bytes consumed and whether the body (trailers included) is complete;
    /// the caller drops the consumed bytes and calls again with more input.
    pub fn feed(&mut self, input: &[u8], body: &mut Vec<u8>, l: ChunkLimits) -> Result<(usize, bool), ChunkError> {
        let mut pos = 0;
        loop {
            let rest = &input[pos..];
            match self.state {
                State::Done => return Ok((pos, true)),
                State::Size => {
                    let Some(nl) = rest.iter().take(l.max_line).position(|&b| b == b'\n') else {
                        if rest.len() >= l.max_line {
                            return Err(ChunkError::LineTooLong);
                        }
                        return Ok((pos, false));
                    };
                    // chunk-size is 1*HEXDIG: httparse reads an empty one as 0.
                    if !rest[0].is_ascii_hexdigit() {
                        return Err(ChunkError::BadSize);
                    }
                    let size = match httparse::parse_chunk_size(&rest[..=nl]) {
                        Ok(httparse::Status::Complete((_, size))) => size,
                        _ => return Err(ChunkError::BadSize),
                    };
                    let length = self.total.saturating_add(size);
                    if length > l.max_body as u64 {
                        return Err(ChunkError::TooLarge { length });
                    }
                    pos += nl + 1;
                    self.state = if size == 0 { State::Trailers } else { State::Data(size) };
                }
                State::Data(left) => {
                    if rest.is_empty() {
                        return Ok((pos, false));
                    }
                    let n = (left as usize).min(rest.len());
                    body.extend_from_slice(&rest[..n]);
                    self.total += n as u64;
                    pos += n;
                    self.state = if n as u64 == left { State::DataEnd } else { State::Data(left - n as u64) };
                }
                State::DataEnd => {
                    if rest.len() < 2 {
                        if rest.first().is_some_and(|&b| b != b'\r') {
                            return Err(ChunkError::BadDataEnd);
                        }
                        return Ok((pos, false));
                    }
                    if &rest[..2] != b"\r\n" {
                        return Err(ChunkError::BadDataEnd);
                    }
                    pos += 2;
                    self.state = State::Size;
                }
                State::Trailers => {
                    let room = l.max_trailers.saturating_sub(self.trailer_bytes);
                    let Some(nl) = rest.iter().take(room + 1).position(|&b| b == b'\n') else {
                        if rest.len() > room {
                            return Err(ChunkError::TrailersTooLarge);
                        }
                        return Ok((pos, false));
                    };
                    let line = &rest[..nl];
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    pos += nl + 1;
                    if line.is_empty() {
                        self.state = State::Done;
                    } else {
                        // A trailer field must at least look like one (`name: value`).
                        if !line.contains(&b':') || line[0] == b' ' || line[0] == b'\t' {
                            return Err(ChunkError::BadSize);
                        }
                        self.trailer_bytes += nl + 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: ChunkLimits = ChunkLimits { max_body: 64, max_line: 32, max_trailers: 64 };

    /// Decodes `input` fed in pieces of `step` bytes, dropping what each call consumed.
    fn decode(input: &[u8], step: usize) -> Result<(Vec<u8>, usize), ChunkError> {
        let mut d = Decoder::new();
        let mut body = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let (mut fed, mut consumed) = (0, 0);
        loop {
            let take = step.min(input.len() - fed);
            pending.extend_from_slice(&input[fed..fed + take]);
            fed += take;
            let (used, done) = d.feed(&pending, &mut body, L)?;
            pending.drain(..used);
            consumed += used;
            if done {
                return Ok((body, consumed));
            }
            if fed == input.len() {
                panic!("incomplete after all input");
            }
        }
    }

    #[test]
    fn whole_and_byte_by_byte() {
        let msg = b"4\r\nWiki\r\n5;name=val\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\nGET";
        for step in [1, 2, 3, 7, msg.len()] {
            let (body, used) = decode(msg, step).unwrap();
            assert_eq!(body, b"Wikipedia in\r\n\r\nchunks.", "step {step}");
            assert_eq!(used, msg.len() - 3, "the next request is left: step {step}");
        }
    }

    #[test]
    fn trailers_accepted_and_bounded() {
        let (b, _) = decode(b"1\r\na\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\n", 1).unwrap();
        assert_eq!(b, b"a");
        let mut long = b"0\r\nX: ".to_vec();
        long.extend(std::iter::repeat_n(b'a', 100));
        let mut d = Decoder::new();
        assert_eq!(d.feed(&long, &mut Vec::new(), L), Err(ChunkError::TrailersTooLarge));
        assert_eq!(decode(b"0\r\n folded\r\n\r\n", 100), Err(ChunkError::BadSize));
    }

    #[test]
    fn limits_before_data() {
        // The size alone says the body is too big: refused before any data arrives.
        let mut d = Decoder::new();
        assert_eq!(d.feed(b"41\r\n", &mut Vec::new(), L), Err(ChunkError::TooLarge { length: 65 }));
        let mut d = Decoder::new();
        let mut body = Vec::new();
        assert_eq!(d.feed(b"20\r\n", &mut body, L), Ok((4, false)));
        assert_eq!(d.feed(&[b'x'; 32], &mut body, L), Ok((32, false)));
        assert_eq!(d.feed(b"\r\n21\r\n", &mut body, L), Err(ChunkError::TooLarge { length: 65 }));
    }

    #[test]
    fn bad_framing() {
        // Overflowing size (more than 64 bits of hex), non-hex, missing size.
        assert_eq!(decode(b"1ffffffffffffffff\r\n", 100), Err(ChunkError::BadSize));
        assert_eq!(decode(b"zz\r\n", 100), Err(ChunkError::BadSize));
        assert_eq!(decode(b"\r\n", 100), Err(ChunkError::BadSize));
        assert_eq!(decode(b"-1\r\n", 100), Err(ChunkError::BadSize));
        assert_eq!(decode(b"2\r\nabX\r\n", 100), Err(ChunkError::BadDataEnd));
        assert_eq!(decode(b"2\r\nab\rX", 1), Err(ChunkError::BadDataEnd));
        let mut long_ext = b"1;".to_vec();
        long_ext.extend(std::iter::repeat_n(b'e', 40));
        let mut d = Decoder::new();
        assert_eq!(d.feed(&long_ext, &mut Vec::new(), L), Err(ChunkError::LineTooLong));
    }

    /// Fed whole or in pieces of any size, the decoder reaches the same verdict and body
    /// (the same property as the `http_chunked` fuzz target, on generated chunked input).
    #[test]
    fn splitting_never_changes_the_result() {
        use proptest::prelude::*;
        fn run(input: &[u8], step: usize) -> Result<Option<Vec<u8>>, ChunkError> {
            let mut d = Decoder::new();
            let (mut body, mut pending) = (Vec::new(), Vec::new());
            for piece in input.chunks(step.max(1)) {
                pending.extend_from_slice(piece);
                let (used, done) = d.feed(&pending, &mut body, L)?;
                assert!(used <= pending.len() && body.len() <= L.max_body);
                pending.drain(..used);
                if done {
                    return Ok(Some(body));
                }
            }
            Ok(None)
        }
        let chunk = (proptest::collection::vec(any::<u8>(), 0..20), "(;[a-z=]{0,8})?").prop_map(|(d, ext)| {
            let mut v = format!("{:x}{ext}\r\n", d.len()).into_bytes();
            v.extend_from_slice(&d);
            v.extend_from_slice(b"\r\n");
            v
        });
        let body = (proptest::collection::vec(chunk, 0..6), proptest::collection::vec(any::<u8>(), 0..4), 0..40usize)
            .prop_map(|(chunks, noise, at)| {
                let mut v: Vec<u8> = chunks.concat();
                v.extend_from_slice(b"0\r\nT: 1\r\n\r\n");
                // Sometimes corrupt a byte, to cover the error paths too.
                if !noise.is_empty() && at < v.len() {
                    v[at] = noise[0];
                }
                v
            });
        proptest!(ProptestConfig::with_cases(512), |(input in body, step in 1..9usize)| {
            prop_assert_eq!(run(&input, input.len()), run(&input, step));
        });
    }
}
