//! Response encoding: status lines and headers written into the connection's output buffer.
//! A cacheable answer is a `Ready`: every header after `Date` plus the body, built once and
//! shared; writing it copies the status line, `Date` and the headers, and queues the body
//! (referenced in place when large, see `out.rs`).

use super::out::Out;
use bytes::{BufMut, Bytes, BytesMut};

/// The statuses the service answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    NotModified,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UriTooLong,
    ExpectationFailed,
    UnprocessableContent,
    TooManyRequests,
    HeadersTooLarge,
    Internal,
    NotImplemented,
    ServiceUnavailable,
    VersionNotSupported,
}

impl Status {
    pub fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::NotModified => 304,
            Status::BadRequest => 400,
            Status::Unauthorized => 401,
            Status::Forbidden => 403,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::Conflict => 409,
            Status::PayloadTooLarge => 413,
            Status::UriTooLong => 414,
            Status::ExpectationFailed => 417,
            Status::UnprocessableContent => 422,
            Status::TooManyRequests => 429,
            Status::HeadersTooLarge => 431,
            Status::Internal => 500,
            Status::NotImplemented => 501,
            Status::ServiceUnavailable => 503,
            Status::VersionNotSupported => 505,
        }
    }

    /// The whole status line, CRLF included.
    pub fn line(self) -> &'static [u8] {
        match self {
            Status::Ok => b"HTTP/1.1 200 OK\r\n",
            Status::NotModified => b"HTTP/1.1 304 Not Modified\r\n",
            Status::BadRequest => b"HTTP/1.1 400 Bad Request\r\n",
            Status::Unauthorized => b"HTTP/1.1 401 Unauthorized\r\n",
            Status::Forbidden => b"HTTP/1.1 403 Forbidden\r\n",
            Status::NotFound => b"HTTP/1.1 404 Not Found\r\n",
            Status::MethodNotAllowed => b"HTTP/1.1 405 Method Not Allowed\r\n",
            Status::Conflict => b"HTTP/1.1 409 Conflict\r\n",
            Status::PayloadTooLarge => b"HTTP/1.1 413 Content Too Large\r\n",
            Status::UriTooLong => b"HTTP/1.1 414 URI Too Long\r\n",
            Status::ExpectationFailed => b"HTTP/1.1 417 Expectation Failed\r\n",
            Status::UnprocessableContent => b"HTTP/1.1 422 Unprocessable Content\r\n",
            Status::TooManyRequests => b"HTTP/1.1 429 Too Many Requests\r\n",
            Status::HeadersTooLarge => b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
            Status::Internal => b"HTTP/1.1 500 Internal Server Error\r\n",
            Status::NotImplemented => b"HTTP/1.1 501 Not Implemented\r\n",
            Status::ServiceUnavailable => b"HTTP/1.1 503 Service Unavailable\r\n",
            Status::VersionNotSupported => b"HTTP/1.1 505 HTTP Version Not Supported\r\n",
        }
    }
}

/// What the `Connection` header must say for this response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnHeader {
    /// HTTP/1.1 keep-alive: no header needed.
    None,
    /// HTTP/1.0 client that asked to keep the connection.
    KeepAlive,
    /// The server closes after this response.
    Close,
}

impl ConnHeader {
    fn bytes(self) -> &'static [u8] {
        match self {
            ConnHeader::None => b"",
            ConnHeader::KeepAlive => b"Connection: keep-alive\r\n",
            ConnHeader::Close => b"Connection: close\r\n",
        }
    }
}

/// Cache-Control for responses that are a pure function of their URL.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A ready 200 response: header lines after `Date` (blank line included), body, quoted ETag.
#[derive(Clone, Debug)]
pub struct Ready {
    pub head: Bytes,
    pub body: Bytes,
    pub etag: Bytes,
}

impl Ready {
    /// Builds an immutable, cacheable 200 response; `extra` lines are `Name: value` pairs.
    pub fn new(content_type: &str, etag: &str, extra: &[(&str, &str)], body: &[u8]) -> Ready {
        let mut b = BytesMut::with_capacity(192 + body.len());
        b.put_slice(b"Server: barcoded\r\nContent-Type: ");
        b.put_slice(content_type.as_bytes());
        b.put_slice(b"\r\nContent-Length: ");
        b.put_slice(itoa::Buffer::new().format(body.len()).as_bytes());
        b.put_slice(b"\r\nETag: ");
        let etag_at = b.len();
        b.put_slice(etag.as_bytes());
        let etag_end = b.len();
        b.put_slice(b"\r\nCache-Control: ");
        b.put_slice(IMMUTABLE.as_bytes());
        b.put_slice(b"\r\n");
        for (k, v) in extra {
            b.put_slice(k.as_bytes());
            b.put_slice(b": ");
            b.put_slice(v.as_bytes());
            b.put_slice(b"\r\n");
        }
        b.put_slice(b"\r\n");
        let head_len = b.len();
        b.put_slice(body);
        let all = b.freeze();
        Ready { head: all.slice(..head_len), body: all.slice(head_len..), etag: all.slice(etag_at..etag_end) }
    }

    /// Bytes this response holds, for cache accounting.
    pub fn weight(&self) -> usize {
        self.head.len() + self.body.len()
    }
}

/// The interim response that tells a client sending `Expect: 100-continue` to send its body.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// Queues a ready 200 (or its HEAD form).
pub fn write_ready(out: &mut Out, date: &[u8], r: &Ready, head_only: bool, conn: ConnHeader) {
    let copied = if head_only || super::out::shares(r.body.len()) { 0 } else { r.body.len() };
    let b = out.bytes();
    b.reserve(Status::Ok.line().len() + date.len() + 24 + r.head.len() + copied);
    b.extend_from_slice(Status::Ok.line());
    b.extend_from_slice(date);
    b.extend_from_slice(conn.bytes());
    b.extend_from_slice(&r.head);
    if !head_only {
        out.body(&r.body);
    }
}

/// Queues a 304 that carries the same validator and caching headers as the 200 would.
pub fn write_not_modified(out: &mut Out, date: &[u8], r: &Ready, conn: ConnHeader) {
    let out = out.bytes();
    out.extend_from_slice(Status::NotModified.line());
    out.extend_from_slice(date);
    out.extend_from_slice(conn.bytes());
    out.extend_from_slice(b"Server: barcoded\r\nETag: ");
    out.extend_from_slice(&r.etag);
    out.extend_from_slice(b"\r\nCache-Control: ");
    out.extend_from_slice(IMMUTABLE.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
}

/// Writes an uncached response (errors, health, JSON documents).
#[allow(clippy::too_many_arguments)]
pub fn write_simple(
    out: &mut Out,
    date: &[u8],
    status: Status,
    content_type: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
    conn: ConnHeader,
) {
    let out = out.bytes();
    let mut len = itoa::Buffer::new();
    uncached_head(out, date, status, content_type, Framing::Length(len.format(body.len())), extra, conn);
    if !head_only {
        out.extend_from_slice(body);
    }
}

/// How an uncached response's body is delimited.
enum Framing<'a> {
    /// `Content-Length` (its digits).
    Length(&'a str),
    Chunked,
    /// HTTP/1.0: by the connection's close.
    Close,
}

/// The head of a response that is not cached (`Cache-Control: no-store`).
fn uncached_head(
    out: &mut Vec<u8>,
    date: &[u8],
    status: Status,
    content_type: &str,
    framing: Framing<'_>,
    extra: &[(&str, &str)],
    conn: ConnHeader,
) {
    out.extend_from_slice(status.line());
    out.extend_from_slice(date);
    out.extend_from_slice(conn.bytes());
    out.extend_from_slice(b"Server: barcoded\r\nContent-Type: ");
    out.extend_from_slice(content_type.as_bytes());
    match framing {
        Framing::Length(n) => {
            out.extend_from_slice(b"\r\nContent-Length: ");
            out.extend_from_slice(n.as_bytes());
        }
        Framing::Chunked => out.extend_from_slice(b"\r\nTransfer-Encoding: chunked"),
        Framing::Close => {}
    }
    out.extend_from_slice(b"\r\nCache-Control: no-store\r\n");
    for (k, v) in extra {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Whether an `If-None-Match` value matches `etag` (weak comparison, RFC 9110 13.1.2).
pub fn none_match(header: &[u8], etag: &[u8]) -> bool {
    header.split(|&b| b == b',').any(|t| {
        let t = t.trim_ascii();
        t == b"*" || t.strip_prefix(b"W/").unwrap_or(t) == etag
    })
}

/// Queues the head of a 200 whose body is streamed: `Transfer-Encoding: chunked` when
/// `chunked` (HTTP/1.1), else no length at all (HTTP/1.0: the body ends when the
/// connection closes, so `conn` must be `Close`).
pub fn write_stream_head(
    out: &mut Out,
    date: &[u8],
    content_type: &str,
    extra: &[(&str, &str)],
    chunked: bool,
    conn: ConnHeader,
) {
    let framing = if chunked { Framing::Chunked } else { Framing::Close };
    uncached_head(out.bytes(), date, Status::Ok, content_type, framing, extra, conn);
}

/// The size line of a chunk of `len` bytes (RFC 9112 7.1); the data and `CRLF` follow.
pub fn chunk_size_line(out: &mut Vec<u8>, len: usize) {
    use std::io::Write as _;
    let _ = write!(out, "{len:x}\r\n");
}

/// The last chunk of a chunked body, with no trailers.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_layout() {
        let r = Ready::new("image/png", "\"abc\"", &[], b"BODY");
        let mut out = Out::new();
        write_ready(&mut out, b"Date: x\r\n", &r, false, ConnHeader::None);
        let s = String::from_utf8(out.bytes().clone()).unwrap();
        assert!(s.starts_with("HTTP/1.1 200 OK\r\nDate: x\r\nServer: barcoded\r\n"));
        assert!(s.contains("Content-Length: 4\r\n") && s.contains("ETag: \"abc\"\r\n"));
        assert!(s.ends_with("\r\n\r\nBODY"));
        assert_eq!(&r.etag[..], b"\"abc\"");
    }

    #[test]
    fn head_has_no_body_but_length() {
        let r = Ready::new("image/png", "\"e\"", &[], b"BODY");
        let mut out = Out::new();
        write_ready(&mut out, b"", &r, true, ConnHeader::Close);
        let s = String::from_utf8(out.bytes().clone()).unwrap();
        assert!(s.contains("Connection: close\r\n") && s.contains("Content-Length: 4"));
        assert!(s.ends_with("\r\n\r\n"));
    }

    #[test]
    fn if_none_match_forms() {
        assert!(none_match(b"\"a\", \"b\"", b"\"b\""));
        assert!(none_match(b"W/\"b\"", b"\"b\""));
        assert!(none_match(b"*", b"\"b\""));
        assert!(!none_match(b"\"bb\"", b"\"b\""));
    }
}
