//! Request-head parsing with `httparse` into a stack header array. "Need more bytes" is a
//! normal outcome (`Parsed::Incomplete`); limits on the request target and the header block
//! are enforced on partial input, so an oversized head is refused before it is buffered.

/// Header fields parsed at most (the stack array's size); more is `431`.
pub const MAX_HEADERS: usize = 64;

/// The request methods the service distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Other,
}

impl Method {
    /// The method's token (`OTHER` for those not told apart).
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Other => "OTHER",
        }
    }
}

/// A parsed request head; slices borrow the connection's read buffer.
#[derive(Debug)]
pub struct Head<'a> {
    pub method: Method,
    pub target: &'a [u8],
    /// HTTP minor version: 0 or 1.
    pub minor: u8,
    /// Whether the connection may stay open after this request.
    pub keep_alive: bool,
    pub content_length: u64,
    /// The body is chunked (`Transfer-Encoding: chunked`, the only coding accepted).
    pub chunked: bool,
    /// `Expect: 100-continue` on an HTTP/1.1 request: answer `100 Continue` (or the final
    /// status) before waiting for the body.
    pub expect_continue: bool,
    pub if_none_match: Option<&'a [u8]>,
    pub content_type: Option<&'a [u8]>,
    pub authorization: Option<&'a [u8]>,
    /// `Forwarded` and `X-Forwarded-For` (the last of each), read only for trusted proxies.
    pub forwarded: Option<&'a [u8]>,
    pub x_forwarded_for: Option<&'a [u8]>,
    /// `X-Api-Key` (the other way to present an API key than `Authorization: Bearer`).
    pub x_api_key: Option<&'a [u8]>,
    /// W3C `traceparent` (the access log continues the caller's trace).
    pub traceparent: Option<&'a [u8]>,
    /// Bytes of the head, including the blank line.
    pub len: usize,
    /// The head as received (request line, fields, blank line): for fields read rarely
    /// (`Head::field`), so the parse keeps no table of them.
    pub raw: &'a [u8],
}

impl<'a> Head<'a> {
    /// The first value of the header field `name` (case-insensitive), trimmed.
    pub fn field(&self, name: &str) -> Option<&'a [u8]> {
        let mut lines = self.raw.split(|&b| b == b'\n');
        lines.next();
        for line in lines {
            let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
            if line[..colon].eq_ignore_ascii_case(name.as_bytes()) {
                return Some(trim(&line[colon + 1..]));
            }
        }
        None
    }
}

/// Outcome of parsing the front of the read buffer.
#[derive(Debug)]
pub enum Parsed<'a> {
    Complete(Head<'a>),
    Incomplete,
}

/// Framing errors: each is answered and then the connection is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    UriTooLong,
    HeadersTooLarge,
    TooManyHeaders,
    Malformed(&'static str),
    BadContentLength,
    UnsupportedVersion,
    /// `Transfer-Encoding` whose final coding is not `chunked`, `chunked` twice, an empty
    /// coding, or any `Transfer-Encoding` on HTTP/1.0 (RFC 9112 6.1, 6.3): 400.
    BadTransferEncoding,
    /// A transfer coding other than `chunked` before the final `chunked`: 501.
    UnsupportedTransferCoding,
    /// `Content-Length` and `Transfer-Encoding` together (a smuggling vector): 400.
    LengthWithTransferEncoding,
    /// `Expect` with anything but `100-continue`: 417.
    Expectation,
}

/// Limits the parser enforces.
#[derive(Clone, Copy, Debug)]
pub struct HeadLimits {
    pub max_uri: usize,
    pub max_header_bytes: usize,
}

/// Longest method token we accept before the request target starts.
const MAX_METHOD: usize = 16;

/// Parses one request head from the front of `buf`.
pub fn parse<'a>(buf: &'a [u8], limits: HeadLimits) -> Result<Parsed<'a>, HeadError> {
    // Check the request line's length on partial input first, so a megabyte URI is refused
    // as soon as the limit is passed rather than buffered.
    let line_end = memchr(b'\n', buf);
    let line = &buf[..line_end.unwrap_or(buf.len())];
    let target_start = match memchr(b' ', &line[..line.len().min(MAX_METHOD + 1)]) {
        Some(i) => i + 1,
        None if line.len() > MAX_METHOD => return Err(HeadError::Malformed("request line")),
        None => 0,
    };
    if target_start > 0 {
        let target_len = memchr(b' ', &line[target_start..]).unwrap_or(line.len() - target_start);
        if target_len > limits.max_uri {
            return Err(HeadError::UriTooLong);
        }
    }
    let Some(line_end) = line_end else {
        return Ok(Parsed::Incomplete);
    };
    // Uninitialised header slots: zeroing 64 of them per request was the largest user-space
    // cost of a cache hit (perf, 2.4 % of the server's samples).
    let mut headers = [const { std::mem::MaybeUninit::<httparse::Header<'a>>::uninit() }; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut []);
    let len = match req.parse_with_uninit_headers(buf, &mut headers) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            if buf.len() - line_end > limits.max_header_bytes {
                return Err(HeadError::HeadersTooLarge);
            }
            return Ok(Parsed::Incomplete);
        }
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooManyHeaders),
        Err(httparse::Error::Version) => return Err(HeadError::UnsupportedVersion),
        Err(httparse::Error::Token) => return Err(HeadError::Malformed("method token")),
        Err(httparse::Error::HeaderName) => return Err(HeadError::Malformed("header name")),
        Err(httparse::Error::HeaderValue) => return Err(HeadError::Malformed("header value")),
        Err(_) => return Err(HeadError::Malformed("request line")),
    };
    if len - line_end > limits.max_header_bytes + 2 {
        return Err(HeadError::HeadersTooLarge);
    }
    let minor = req.version.unwrap_or(1);
    let method = match req.method.unwrap_or("") {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        _ => Method::Other,
    };
    let target = origin_form(req.path.unwrap_or("/").as_bytes());
    let mut keep_alive = minor == 1;
    let mut content_length: Option<u64> = None;
    let mut codings = Codings::default();
    let mut expect_continue = false;
    let mut if_none_match = None;
    let mut content_type = None;
    let mut authorization = None;
    let mut forwarded = None;
    let mut x_forwarded_for = None;
    let mut x_api_key = None;
    let mut traceparent = None;
    for h in req.headers.iter() {
        let name = h.name.as_bytes();
        if name.eq_ignore_ascii_case(b"content-length") {
            let v = parse_u64(h.value).ok_or(HeadError::BadContentLength)?;
            // Differing repeated Content-Length values are a smuggling vector: refuse them.
            if content_length.is_some_and(|c| c != v) {
                return Err(HeadError::BadContentLength);
            }
            content_length = Some(v);
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in h.value.split(|&b| b == b',') {
                let t = trim(token);
                if t.eq_ignore_ascii_case(b"close") {
                    keep_alive = false;
                } else if t.eq_ignore_ascii_case(b"keep-alive") && minor == 0 {
                    keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            codings = codings.add(h.value);
        } else if name.eq_ignore_ascii_case(b"expect") {
            // RFC 9110 10.1.1: an HTTP/1.0 request's expectation is ignored.
            if minor == 1 {
                if !trim(h.value).eq_ignore_ascii_case(b"100-continue") {
                    return Err(HeadError::Expectation);
                }
                expect_continue = true;
            }
        } else if name.eq_ignore_ascii_case(b"if-none-match") {
            if_none_match = Some(h.value);
        } else if name.eq_ignore_ascii_case(b"content-type") {
            content_type = Some(h.value);
        } else if name.eq_ignore_ascii_case(b"authorization") {
            authorization = Some(h.value);
        } else if name.eq_ignore_ascii_case(b"forwarded") {
            forwarded = Some(h.value);
        } else if name.eq_ignore_ascii_case(b"x-forwarded-for") {
            x_forwarded_for = Some(h.value);
        } else if name.eq_ignore_ascii_case(b"x-api-key") {
            x_api_key = Some(h.value);
        } else if name.eq_ignore_ascii_case(b"traceparent") {
            traceparent = Some(h.value);
        }
    }
    let chunked = match codings.framing() {
        Framing::None => false,
        // RFC 9112 6.1: Transfer-Encoding on HTTP/1.0 means the framing is faulty.
        _ if minor == 0 => return Err(HeadError::BadTransferEncoding),
        _ if content_length.is_some() => return Err(HeadError::LengthWithTransferEncoding),
        Framing::Chunked => true,
        Framing::Unsupported => return Err(HeadError::UnsupportedTransferCoding),
        Framing::Bad => return Err(HeadError::BadTransferEncoding),
    };
    Ok(Parsed::Complete(Head {
        method,
        target,
        minor,
        keep_alive,
        content_length: content_length.unwrap_or(0),
        chunked,
        expect_continue,
        if_none_match,
        content_type,
        authorization,
        forwarded,
        x_forwarded_for,
        x_api_key,
        traceparent,
        len,
        raw: &buf[..len],
    }))
}

/// The `Transfer-Encoding` codings seen so far, in order over every field (RFC 9110 5.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Codings {
    count: u32,
    chunked: u32,
    last_chunked: bool,
    empty: bool,
}

/// What the codings of a request amount to (RFC 9112 6.1, 6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    None,
    /// Exactly one coding, `chunked`.
    Chunked,
    /// `chunked` is final and once, but another (unimplemented) coding comes before it: 501.
    Unsupported,
    /// The final coding is not `chunked`, `chunked` is repeated, or a coding is empty: 400.
    Bad,
}

impl Codings {
    /// Adds one field's comma-separated codings.
    fn add(mut self, value: &[u8]) -> Codings {
        for token in value.split(|&b| b == b',') {
            // A coding may carry parameters (`gzip;q=1`); its name is what comes before.
            let name = trim(token.split(|&b| b == b';').next().unwrap_or(token));
            let is_chunked = name.eq_ignore_ascii_case(b"chunked");
            self.count += 1;
            self.chunked += is_chunked as u32;
            self.last_chunked = is_chunked;
            self.empty |= name.is_empty();
        }
        self
    }

    fn framing(self) -> Framing {
        if self.count == 0 {
            Framing::None
        } else if self.empty || !self.last_chunked || self.chunked > 1 {
            Framing::Bad
        } else if self.count > 1 {
            Framing::Unsupported
        } else {
            Framing::Chunked
        }
    }
}

/// The origin form of a request target: an absolute-form target (`http://host/path?q`,
/// RFC 9112 3.2.2, what proxies send) gives its path and query; others are unchanged.
fn origin_form(target: &[u8]) -> &[u8] {
    let rest = if target.len() >= 7 && target[..7].eq_ignore_ascii_case(b"http://") {
        &target[7..]
    } else if target.len() >= 8 && target[..8].eq_ignore_ascii_case(b"https://") {
        &target[8..]
    } else {
        return target;
    };
    match rest.iter().position(|&b| b == b'/') {
        // The authority ends at the first '/', unless a query starts earlier.
        Some(i) if !rest[..i].contains(&b'?') => &rest[i..],
        _ => b"/",
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &s[start..end]
}

fn parse_u64(v: &[u8]) -> Option<u64> {
    let v = trim(v);
    if v.is_empty() || v.len() > 19 {
        return None;
    }
    v.iter().try_fold(0u64, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + (b - b'0') as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: HeadLimits = HeadLimits { max_uri: 64, max_header_bytes: 128 };

    fn head(buf: &[u8]) -> Head<'_> {
        match parse(buf, L).unwrap() {
            Parsed::Complete(h) => h,
            Parsed::Incomplete => panic!("incomplete"),
        }
    }

    #[test]
    fn simple_get() {
        let h = head(b"GET /v1/qr/a.png HTTP/1.1\r\nHost: x\r\n\r\nGET");
        assert_eq!(h.method, Method::Get);
        assert_eq!(h.target, b"/v1/qr/a.png");
        assert!(h.keep_alive);
        assert_eq!(h.len, 38);
    }

    #[test]
    fn fields_read_on_demand() {
        let h = head(b"PUT /admin/switches/a HTTP/1.1\r\nX-Channel:  app \r\nx-channel: web\r\nHost: x\r\n\r\n");
        assert_eq!(h.method, Method::Put);
        assert_eq!(h.field("X-CHANNEL"), Some(&b"app"[..]));
        assert_eq!(h.field("host"), Some(&b"x"[..]));
        assert_eq!(h.field("X-User"), None);
        assert_eq!(head(b"DELETE / HTTP/1.1\r\n\r\n").method, Method::Delete);
    }

    #[test]
    fn incomplete_is_normal() {
        assert!(matches!(parse(b"GET /x HTTP/1.1\r\nHo", L), Ok(Parsed::Incomplete)));
        assert!(matches!(parse(b"GE", L), Ok(Parsed::Incomplete)));
    }

    #[test]
    fn long_uri_refused_before_line_ends() {
        let mut b = b"GET /".to_vec();
        b.extend(std::iter::repeat_n(b'a', 70));
        assert_eq!(parse(&b, L).unwrap_err(), HeadError::UriTooLong);
    }

    #[test]
    fn header_block_limit() {
        let mut b = b"GET / HTTP/1.1\r\nX: ".to_vec();
        b.extend(std::iter::repeat_n(b'a', 200));
        assert_eq!(parse(&b, L).unwrap_err(), HeadError::HeadersTooLarge);
    }

    #[test]
    fn too_many_headers() {
        let mut b = b"GET / HTTP/1.1\r\n".to_vec();
        for _ in 0..70 {
            b.extend_from_slice(b"a:b\r\n");
        }
        b.extend_from_slice(b"\r\n");
        let l = HeadLimits { max_uri: 64, max_header_bytes: 4096 };
        assert_eq!(parse(&b, l).unwrap_err(), HeadError::TooManyHeaders);
    }

    #[test]
    fn http10_and_connection_tokens() {
        assert!(!head(b"GET / HTTP/1.0\r\n\r\n").keep_alive);
        assert!(head(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
        assert!(!head(b"GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n").keep_alive);
    }

    #[test]
    fn content_length_rules() {
        assert_eq!(head(b"POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n").content_length, 12);
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", L).unwrap_err(),
            HeadError::BadContentLength
        );
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", L).unwrap_err(),
            HeadError::BadContentLength
        );
    }

    #[test]
    fn garbage_is_malformed() {
        assert!(matches!(parse(b"\x01\x02 / HTTP/1.1\r\n\r\n", L), Err(HeadError::Malformed(_))));
        assert!(parse(b"GET / HTTP/2.0\r\n\r\n", L).is_err());
    }

    /// RFC 9112 framing rules, one row each: the request and what parsing must say.
    #[test]
    fn framing_table() {
        type Want = Result<(bool, u64), HeadError>;
        let rows: &[(&[u8], Want)] = &[
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", Ok((true, 0))),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED \r\n\r\n", Ok((true, 0))),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Err(HeadError::UnsupportedTransferCoding)),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                Err(HeadError::UnsupportedTransferCoding),
            ),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n", Err(HeadError::BadTransferEncoding)),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", Err(HeadError::BadTransferEncoding)),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", Err(HeadError::BadTransferEncoding)),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                Err(HeadError::BadTransferEncoding),
            ),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: ,chunked\r\n\r\n", Err(HeadError::BadTransferEncoding)),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", Err(HeadError::BadTransferEncoding)),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                Err(HeadError::LengthWithTransferEncoding),
            ),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
                Err(HeadError::LengthWithTransferEncoding),
            ),
            (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", Err(HeadError::BadTransferEncoding)),
            (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", Ok((false, 5))),
            (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", Err(HeadError::BadContentLength)),
            (b"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", Err(HeadError::BadContentLength)),
            (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", Err(HeadError::BadContentLength)),
            (b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", Err(HeadError::BadContentLength)),
        ];
        for (req, want) in rows {
            let got = parse(req, L).map(|p| match p {
                Parsed::Complete(h) => (h.chunked, h.content_length),
                Parsed::Incomplete => panic!("incomplete: {}", String::from_utf8_lossy(req)),
            });
            assert_eq!(&got, want, "{}", String::from_utf8_lossy(req));
        }
    }

    #[test]
    fn obs_fold_and_space_before_colon_are_malformed() {
        // RFC 9112 5.1 (no whitespace between name and colon) and 5.2 (obs-fold in a request).
        assert!(matches!(parse(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", L), Err(HeadError::Malformed(_))));
        assert!(matches!(parse(b"GET / HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n", L), Err(HeadError::Malformed(_))));
    }

    #[test]
    fn expect() {
        assert!(head(b"POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n").expect_continue);
        assert!(!head(b"POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\n").expect_continue);
        assert_eq!(parse(b"POST / HTTP/1.1\r\nExpect: teapot\r\n\r\n", L).unwrap_err(), HeadError::Expectation);
        // An HTTP/1.0 request's expectation is ignored (RFC 9110 10.1.1).
        assert!(!head(b"POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").expect_continue);
        assert!(!head(b"POST / HTTP/1.0\r\nExpect: teapot\r\n\r\n").expect_continue);
    }

    #[test]
    fn absolute_form_gives_origin_form() {
        let t = |req: &'static [u8]| head(req).target;
        assert_eq!(
            t(b"GET http://h:8080/v1/ean13/590123412345.png?scale=2 HTTP/1.1\r\n\r\n"),
            b"/v1/ean13/590123412345.png?scale=2"
        );
        assert_eq!(t(b"GET HTTPS://h/healthz HTTP/1.1\r\n\r\n"), b"/healthz");
        assert_eq!(t(b"GET http://h HTTP/1.1\r\n\r\n"), b"/");
        assert_eq!(t(b"GET http://h?x=/y HTTP/1.1\r\n\r\n"), b"/");
        assert_eq!(t(b"GET /http://x HTTP/1.1\r\n\r\n"), b"/http://x");
    }

    #[test]
    fn proxy_headers_kept() {
        let h = head(b"GET / HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\nForwarded: for=5.6.7.8\r\n\r\n");
        assert_eq!(h.x_forwarded_for, Some(&b"1.2.3.4"[..]));
        assert_eq!(h.forwarded, Some(&b"for=5.6.7.8"[..]));
    }
}
