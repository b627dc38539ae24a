//! The frames between the server and a decode worker process, over the worker's stdin and
//! stdout. A request: `BCD2`, a fault byte (tests only; 0 otherwise), the limits (max side
//! u32, max pixels u64, max image bytes u64), the asked orientation i16, the asked formats'
//! length u16, the image length u32, then the formats (our names, comma-separated) and the
//! image. An answer: its length u32 and the JSON of `Result<Reading, DecodeError>`.
//! Integers are little-endian. Lengths are checked against a bound before anything is
//! allocated.

use crate::reader::{Ask, DecodeError, DecodeLimits, Reading};
use std::io::{self, Read, Write};

const MAGIC: &[u8; 4] = b"BCD2";

/// The header's length: magic, fault, limits, orientation, two lengths.
const HEAD: usize = 4 + 1 + 20 + 2 + 2 + 4;

/// The longest formats list a frame may carry (the server lets through far less).
pub const MAX_FORMATS: usize = 1024;

/// The largest answer accepted from a worker (64 symbols of text: far below).
pub const MAX_ANSWER: usize = 8 * 1024 * 1024;

/// What the worker is asked to do.
pub struct Request<'a> {
    pub fault: u8,
    pub limits: DecodeLimits,
    pub ask: &'a Ask,
    pub image: &'a [u8],
}

/// A request as the worker reads it.
#[derive(Debug)]
pub struct Received {
    pub fault: u8,
    pub limits: DecodeLimits,
    pub ask: Ask,
    pub image: Vec<u8>,
}

/// The request's bytes, header, formats and image, ready for one `write_all`. The server
/// checked the formats (known names, far under `MAX_FORMATS`).
pub fn request(r: &Request) -> Vec<u8> {
    let formats = r.ask.formats.join(",");
    let mut out = Vec::with_capacity(HEAD + formats.len() + r.image.len());
    out.extend_from_slice(MAGIC);
    out.push(r.fault);
    out.extend_from_slice(&r.limits.max_side.to_le_bytes());
    out.extend_from_slice(&r.limits.max_pixels.to_le_bytes());
    out.extend_from_slice(&(r.limits.max_image_bytes as u64).to_le_bytes());
    out.extend_from_slice(&(r.ask.orientation as i16).to_le_bytes());
    out.extend_from_slice(&(formats.len().min(MAX_FORMATS) as u16).to_le_bytes());
    out.extend_from_slice(&(r.image.len() as u32).to_le_bytes());
    out.extend_from_slice(&formats.as_bytes()[..formats.len().min(MAX_FORMATS)]);
    out.extend_from_slice(r.image);
    out
}

/// The next request on `input` (`None` at a clean end of input), its image at most `max`
/// bytes whatever the frame says.
pub fn read_request(input: &mut impl Read, max: usize) -> io::Result<Option<Received>> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let mut head = [0u8; HEAD];
    match input.read_exact(&mut head[..1]) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        r => r?,
    }
    input.read_exact(&mut head[1..])?;
    if &head[..4] != MAGIC {
        return Err(bad("not a decode request"));
    }
    let u16_at = |i: usize| u16::from_le_bytes([head[i], head[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let u64_at = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().unwrap_or([0; 8]));
    let limits = DecodeLimits {
        max_side: u32_at(5),
        max_pixels: u64_at(9),
        max_image_bytes: usize::try_from(u64_at(17)).unwrap_or(usize::MAX),
    };
    let orientation = i32::from(u16_at(25) as i16);
    let (formats_len, len) = (u16_at(27) as usize, u32_at(29) as usize);
    if formats_len > MAX_FORMATS {
        return Err(bad("formats longer than a request may carry"));
    }
    if len > max {
        return Err(bad("image larger than the worker accepts"));
    }
    let mut formats = vec![0; formats_len];
    input.read_exact(&mut formats)?;
    let formats = String::from_utf8(formats).map_err(|_| bad("formats not UTF-8"))?;
    let formats = formats.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect();
    let mut image = vec![0; len];
    input.read_exact(&mut image)?;
    Ok(Some(Received { fault: head[4], limits, ask: Ask { formats, orientation }, image }))
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
        let ask = Ask { formats: vec!["pharmacode".into(), "qr".into()], orientation: -90 };
        let bytes = request(&Request { fault: 2, limits, ask: &ask, image: b"\x89PNG" });
        let r = read_request(&mut &bytes[..], 64).unwrap().unwrap();
        assert_eq!(
            (r.fault, r.limits.max_side, r.limits.max_pixels, r.limits.max_image_bytes, &r.ask, &r.image[..]),
            (2, 100, 5000, 64, &ask, &b"\x89PNG"[..])
        );
        let plain = request(&Request { fault: 0, limits, ask: &Ask::default(), image: b"x" });
        assert_eq!(read_request(&mut &plain[..], 64).unwrap().unwrap().ask, Ask::default());
        assert!(read_request(&mut &bytes[..], 3).is_err(), "image over the bound");
        assert!(read_request(&mut &b""[..], 64).unwrap().is_none(), "clean end");
        assert!(read_request(&mut &bytes[..10], 64).is_err(), "cut short");
        assert!(read_request(&mut &bytes[..HEAD + 4], 64).is_err(), "formats cut short");
        let mut long = bytes.clone();
        long[27..29].copy_from_slice(&(MAX_FORMATS as u16 + 1).to_le_bytes());
        assert!(read_request(&mut &long[..], 64).is_err(), "formats over the bound");
        assert!(read_request(&mut &[b'X'; HEAD][..], 64).is_err());
        assert!(answer_len((MAX_ANSWER as u32 + 1).to_le_bytes()).is_err());
        let mut out = Vec::new();
        let a: Result<Reading, DecodeError> = Err(DecodeError::UnknownFormat);
        write_answer(&mut out, &a).unwrap();
        let n = answer_len(out[..4].try_into().unwrap()).unwrap();
        assert_eq!(parse_answer(&out[4..4 + n]).unwrap(), a);
    }
}
