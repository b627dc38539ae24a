//! The frames between the server and a decode worker process, over the worker's stdin and
//! stdout. A request: `BCD1`, a fault byte (tests only; 0 otherwise), the limits
//! (max side u32, max pixels u64, max image bytes u64), the image length u32 and the image.
//! An answer: its length u32 and the JSON of `Result<Reading, DecodeError>`. Integers are
//! little-endian. Lengths are checked against a bound before anything is allocated.

use crate::reader::{DecodeError, DecodeLimits, Reading};
use std::io::{self, Read, Write};

const MAGIC: &[u8; 4] = b"BCD1";

/// The largest answer accepted from a worker (64 symbols of text: far below).
pub const MAX_ANSWER: usize = 8 * 1024 * 1024;

/// What the worker is asked to do.
pub struct Request<'a> {
    pub fault: u8,
    pub limits: DecodeLimits,
    pub image: &'a [u8],
}

/// The request's bytes, header and image, ready for one `write_all`.
pub fn request(r: &Request) -> Vec<u8> {
    let mut out = Vec::with_capacity(29 + r.image.len());
    out.extend_from_slice(MAGIC);
    out.push(r.fault);
    out.extend_from_slice(&r.limits.max_side.to_le_bytes());
    out.extend_from_slice(&r.limits.max_pixels.to_le_bytes());
    out.extend_from_slice(&(r.limits.max_image_bytes as u64).to_le_bytes());
    out.extend_from_slice(&(r.image.len() as u32).to_le_bytes());
    out.extend_from_slice(r.image);
    out
}

/// The next request on `input` (`None` at a clean end of input), its image at most `max`
/// bytes whatever the frame says.
pub fn read_request(input: &mut impl Read, max: usize) -> io::Result<Option<(u8, DecodeLimits, Vec<u8>)>> {
    let mut head = [0u8; 29];
    match input.read_exact(&mut head[..1]) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        r => r?,
    }
    input.read_exact(&mut head[1..])?;
    if &head[..4] != MAGIC {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "not a decode request"));
    }
    let u32_at = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let u64_at = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().unwrap_or([0; 8]));
    let limits = DecodeLimits {
        max_side: u32_at(5),
        max_pixels: u64_at(9),
        max_image_bytes: usize::try_from(u64_at(17)).unwrap_or(usize::MAX),
    };
    let len = u32_at(25) as usize;
    if len > max {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "image larger than the worker accepts"));
    }
    let mut image = vec![0; len];
    input.read_exact(&mut image)?;
    Ok(Some((head[4], limits, image)))
}

/// Writes one answer.
pub fn write_answer(out: &mut impl Write, answer: &Result<Reading, DecodeError>) -> io::Result<()> {
    let json = serde_json::to_vec(answer).map_err(io::Error::other)?;
    out.write_all(&(json.len() as u32).to_le_bytes())?;
    out.write_all(&json)?;
    out.flush()
}

/// The length an answer's 4-byte prefix announces, refused beyond `MAX_ANSWER`.
pub fn answer_len(prefix: [u8; 4]) -> io::Result<usize> {
    let n = u32::from_le_bytes(prefix) as usize;
    if n > MAX_ANSWER {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "answer too long"));
    }
    Ok(n)
}

/// An answer's JSON.
pub fn parse_answer(json: &[u8]) -> io::Result<Result<Reading, DecodeError>> {
    serde_json::from_slice(json).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips_and_lengths_are_bounded() {
        let limits = DecodeLimits { max_side: 100, max_pixels: 5000, max_image_bytes: 64 };
        let bytes = request(&Request { fault: 2, limits, image: b"\x89PNG" });
        let (fault, l, image) = read_request(&mut &bytes[..], 64).unwrap().unwrap();
        assert_eq!(
            (fault, l.max_side, l.max_pixels, l.max_image_bytes, &image[..]),
            (2, 100, 5000, 64, &b"\x89PNG"[..])
        );
        assert!(read_request(&mut &bytes[..], 3).is_err(), "image over the bound");
        assert!(read_request(&mut &b""[..], 64).unwrap().is_none(), "clean end");
        assert!(read_request(&mut &bytes[..10], 64).is_err(), "cut short");
        assert!(read_request(&mut &b"XXXX\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"[..], 64).is_err());
        assert!(answer_len((MAX_ANSWER as u32 + 1).to_le_bytes()).is_err());
        let mut out = Vec::new();
        let a: Result<Reading, DecodeError> = Err(DecodeError::UnknownFormat);
        write_answer(&mut out, &a).unwrap();
        let n = answer_len(out[..4].try_into().unwrap()).unwrap();
        assert_eq!(parse_answer(&out[4..4 + n]).unwrap(), a);
    }
}
