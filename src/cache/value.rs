//! The L2 value format (pure): a ready response as stored in Redis, versioned so that a
//! renderer upgrade never serves bytes of another renderer even if a key were reused:
//! `"BC"`, renderer version (u32 LE), head length (u32 LE), head, body. A value that does not
//! check out (wrong magic or version, lengths, a head without the expected ETag and
//! Content-Length) is treated as a miss.

use crate::http::encode::Ready;
use crate::render::RENDERER_VERSION;
use bytes::Bytes;

const MAGIC: &[u8; 2] = b"BC";
const PREFIX: usize = 2 + 4 + 4;

/// The stored form of `r`.
pub fn encode(r: &Ready) -> Vec<u8> {
    let mut v = Vec::with_capacity(PREFIX + r.head.len() + r.body.len());
    v.extend_from_slice(MAGIC);
    v.extend_from_slice(&RENDERER_VERSION.to_le_bytes());
    v.extend_from_slice(&(r.head.len() as u32).to_le_bytes());
    v.extend_from_slice(&r.head);
    v.extend_from_slice(&r.body);
    v
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The response stored in `v`, if it is one of ours, of this renderer, for `etag`.
pub fn decode(v: Bytes, etag: &str) -> Option<Ready> {
    if v.len() < PREFIX || &v[..2] != MAGIC {
        return None;
    }
    let version = u32::from_le_bytes(v[2..6].try_into().ok()?);
    let head_len = u32::from_le_bytes(v[6..10].try_into().ok()?) as usize;
    if version != RENDERER_VERSION || head_len > v.len() - PREFIX {
        return None;
    }
    let head = v.slice(PREFIX..PREFIX + head_len);
    let body = v.slice(PREFIX + head_len..);
    if !head.ends_with(b"\r\n\r\n") {
        return None;
    }
    let tag_line = [b"\r\nETag: ", etag.as_bytes(), b"\r\n"].concat();
    let at = find(&head, &tag_line)? + 8;
    let len_line = [b"\r\nContent-Length: ", itoa::Buffer::new().format(body.len()).as_bytes(), b"\r\n"].concat();
    find(&head, &len_line)?;
    let etag = head.slice(at..at + etag.len());
    Some(Ready { head, body, etag })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_kind_of_mismatch() {
        let r = Ready::new("image/png", "\"abc\"", &[("X-Barcode-Text", "1")], b"BODY");
        let v = encode(&r);
        let back = decode(Bytes::from(v.clone()), "\"abc\"").unwrap();
        assert_eq!((back.head, back.body, &back.etag[..]), (r.head.clone(), r.body.clone(), &b"\"abc\""[..]));
        assert!(decode(Bytes::from(v.clone()), "\"abd\"").is_none(), "another key's value");
        let mut old = v.clone();
        old[2] ^= 0xff;
        assert!(decode(Bytes::from(old), "\"abc\"").is_none(), "another renderer version");
        let mut cut = v.clone();
        cut.pop();
        assert!(decode(Bytes::from(cut), "\"abc\"").is_none(), "truncated body");
        for n in 0..PREFIX + 4 {
            assert!(decode(Bytes::from(v[..n].to_vec()), "\"abc\"").is_none());
        }
        let mut long = v;
        long[6] = 0xff;
        assert!(decode(Bytes::from(long), "\"abc\"").is_none(), "head length past the end");
    }
}
