//! Query strings and percent-decoding. Iteration borrows the request target; decoding only
//! allocates when the input actually contains escapes.

use std::borrow::Cow;

/// Errors in percent-encoded input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// A `%` not followed by two hex digits, at this byte offset.
    BadEscape(usize),
}

/// Splits a query string into `(key, value)` pairs, still percent-encoded.
pub fn pairs(query: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    query.split(|&b| b == b'&').filter(|p| !p.is_empty()).map(|p| match p.iter().position(|&b| b == b'=') {
        Some(i) => (&p[..i], &p[i + 1..]),
        None => (p, &p[p.len()..]),
    })
}

/// Percent-decodes `s`; `plus_is_space` applies the form convention used in query strings.
pub fn decode(s: &[u8], plus_is_space: bool) -> Result<Cow<'_, [u8]>, DecodeError> {
    if !s.iter().any(|&b| b == b'%' || (plus_is_space && b == b'+')) {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                let hi = s.get(i + 1).and_then(|&b| hex(b));
                let lo = s.get(i + 2).and_then(|&b| hex(b));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push(h << 4 | l),
                    _ => return Err(DecodeError::BadEscape(i)),
                }
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(Cow::Owned(out))
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split() {
        let v: Vec<_> = pairs(b"a=1&&b=&c").collect();
        assert_eq!(v, vec![(&b"a"[..], &b"1"[..]), (b"b", b""), (b"c", b"")]);
    }

    #[test]
    fn decode_borrows_when_plain() {
        assert!(matches!(decode(b"abc", true).unwrap(), Cow::Borrowed(_)));
        assert_eq!(&*decode(b"a%2Fb+c", true).unwrap(), b"a/b c");
        assert_eq!(&*decode(b"a+b", false).unwrap(), b"a+b");
        assert_eq!(decode(b"%zz", true), Err(DecodeError::BadEscape(0)));
        assert_eq!(decode(b"ab%4", true), Err(DecodeError::BadEscape(2)));
    }
}
