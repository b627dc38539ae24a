//! The connection loop: read into the connection's buffer; parse and answer every complete
//! request it holds, in order, into one output buffer; write once; repeat. Limits and
//! timeouts live here: the header-read deadline (slowloris), the idle keep-alive timeout,
//! body limits from Content-Length before any body byte is read.

use crate::api::{self, error::ApiError, Outcome};
use crate::http::encode::ConnHeader;
use crate::http::parse::{self, HeadError, HeadLimits, Method, Parsed};
use crate::local::Local as Core;
use crate::metrics::Route;
use crate::state::Shared;
use monoio::buf::IoBufMut;
use monoio::io::{AsyncReadRent, AsyncWriteRent, AsyncWriteRentExt};
use monoio::net::TcpStream;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Initial read buffer; it grows only for large heads or bodies, within the limits.
const INITIAL_BUF: usize = 2048;
/// After a framing error, unread input is drained for at most this long before closing, so
/// the client sees our response instead of a reset.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 256 * 1024;

/// Counts a connection on its core for as long as it lives.
struct ConnGuard(Rc<Core>);

impl Drop for ConnGuard {
    fn drop(&mut self) {
        self.0.conns.set(self.0.conns.get() - 1);
    }
}

fn head_error(e: HeadError, s: &Shared) -> ApiError {
    let l = &s.config.limits;
    match e {
        HeadError::UriTooLong => ApiError::UriTooLong { max: l.max_uri },
        HeadError::HeadersTooLarge => ApiError::HeadersTooLarge { max: l.max_header_bytes },
        HeadError::TooManyHeaders => ApiError::TooManyHeaders { max: crate::config::MAX_HEADERS },
        HeadError::Malformed(w) => ApiError::Malformed(w),
        HeadError::BadContentLength => ApiError::BadContentLength,
        HeadError::UnsupportedVersion => ApiError::VersionNotSupported,
    }
}

/// What to do with the connection once the responses so far are written.
enum Then {
    /// Read more input; at least this many bytes of buffer are needed.
    Read(usize),
    Close {
        linger: bool,
    },
    /// Requests remain in the buffer after a slow one: process them before reading more.
    Again,
}

/// What the parse loop decided for the connection.
enum Next {
    Then(Then),
    /// A request that must wait (generate miss, decode, reload) occupies the buffer up to
    /// `end`: answer it with `api::handle_slow`, then carry on (or close when `conn` says so).
    Slow {
        end: usize,
        conn: ConnHeader,
    },
}

/// Parses and answers every complete request at the front of `buf`, appending responses
/// to `out`; returns how many bytes were consumed and what to do next.
fn process(buf: &[u8], out: &mut Vec<u8>, core: &Core, shared: &Shared) -> (usize, Next) {
    let limits = &shared.config.limits;
    let hl = HeadLimits { max_uri: limits.max_uri, max_header_bytes: limits.max_header_bytes };
    let date = core.date.borrow();
    let date = date.line();
    let mut pos = 0;
    loop {
        if pos == buf.len() {
            return (pos, Next::Then(Then::Read(0)));
        }
        let head = match parse::parse(&buf[pos..], hl) {
            Ok(Parsed::Complete(h)) => h,
            Ok(Parsed::Incomplete) => return (pos, Next::Then(Then::Read(0))),
            Err(e) => {
                let st = api::write_error(out, date, &head_error(e, shared), false, ConnHeader::Close);
                core.metrics.request(Route::Other, st, std::time::Duration::ZERO);
                return (pos, Next::Then(Then::Close { linger: true }));
            }
        };
        let decode = api::route::is_decode(head.method, head.target);
        let max_body = if decode { limits.max_decode_body } else { limits.max_body };
        let refuse = if head.chunked {
            Some(ApiError::LengthRequired)
        } else if head.content_length > max_body as u64 {
            Some(ApiError::BodyTooLarge { length: head.content_length, max: max_body })
        } else {
            None
        };
        if let Some(e) = refuse {
            let st = api::write_error(out, date, &e, head.method == Method::Head, ConnHeader::Close);
            core.metrics.request(Route::Other, st, std::time::Duration::ZERO);
            return (pos, Next::Then(Then::Close { linger: true }));
        }
        let total = head.len + head.content_length as usize;
        if buf.len() - pos < total {
            return (pos, Next::Then(Then::Read(total)));
        }
        let body = if head.method == Method::Post { &buf[pos + head.len..pos + total] } else { &[][..] };
        let keep = head.keep_alive && !core.stopping();
        let conn = match (keep, head.minor) {
            (false, _) => ConnHeader::Close,
            (true, 0) => ConnHeader::KeepAlive,
            (true, _) => ConnHeader::None,
        };
        let started = Instant::now();
        match api::handle(shared, core, date, &head, body, conn, out) {
            Outcome::Done(route, status) => core.metrics.request(route, status, started.elapsed()),
            // `end` is relative to `pos`: the caller drains the answered requests first.
            Outcome::Slow => return (pos, Next::Slow { end: total, conn }),
        }
        pos += total;
        if !keep {
            return (pos, Next::Then(Then::Close { linger: false }));
        }
    }
}

/// Serves one connection until the client leaves, a limit is hit or the server stops.
pub async fn serve(mut stream: TcpStream, core: Rc<Core>, shared: Arc<Shared>) {
    core.conns.set(core.conns.get() + 1);
    let _guard = ConnGuard(core.clone());
    let _ = stream.set_nodelay(true);
    let limits = shared.config.limits.clone();
    let hl = HeadLimits { max_uri: limits.max_uri, max_header_bytes: limits.max_header_bytes };
    let peer = stream.peer_addr().ok();
    let mut buf: Vec<u8> = Vec::with_capacity(INITIAL_BUF);
    let mut out: Vec<u8> = Vec::new();
    // When the first byte of the request now being read arrived.
    let mut started: Option<Instant> = None;
    loop {
        let mut need = 0;
        if !buf.is_empty() {
            core.date.borrow_mut().refresh();
            let (used, next) = process(&buf, &mut out, &core, &shared);
            if used > 0 {
                buf.drain(..used);
                started = (!buf.is_empty()).then(Instant::now);
            }
            if !out.is_empty() {
                let (r, o) = stream.write_all(out).await;
                out = o;
                out.clear();
                if r.is_err() {
                    break;
                }
            }
            let then = match next {
                Next::Slow { end, conn } => {
                    let started = Instant::now();
                    let Ok(Parsed::Complete(head)) = parse::parse(&buf[..end], hl) else {
                        // The same bytes parsed a moment ago; cannot happen, but never panic.
                        break;
                    };
                    let body = if head.method == Method::Post { &buf[head.len..end] } else { &[][..] };
                    let (route, status) = api::handle_slow(&shared, &core, &head, body, peer, conn, &mut out).await;
                    core.metrics.request(route, status, started.elapsed());
                    buf.drain(..end);
                    let (r, o) = stream.write_all(out).await;
                    out = o;
                    out.clear();
                    if r.is_err() {
                        break;
                    }
                    if conn == ConnHeader::Close {
                        Then::Close { linger: false }
                    } else if buf.is_empty() {
                        Then::Read(0)
                    } else {
                        // More pipelined requests wait in the buffer: answer them before reading.
                        Then::Again
                    }
                }
                Next::Then(then) => then,
            };
            core.busy.set(core.busy.get() - 1);
            match then {
                Then::Again => {
                    // Still working on the bytes already read: stay counted as busy.
                    core.busy.set(core.busy.get() + 1);
                    started = Some(Instant::now());
                    continue;
                }
                Then::Read(n) => need = n,
                Then::Close { linger } => {
                    if linger {
                        lingering_close(stream).await;
                    }
                    return;
                }
            }
            // A large body may have grown the buffer; give the memory back once it is idle.
            if buf.is_empty() && buf.capacity() > 4 * INITIAL_BUF {
                buf = Vec::with_capacity(INITIAL_BUF);
            }
            if out.capacity() > 64 * 1024 {
                out = Vec::new();
            }
        }
        if core.stopping() && buf.is_empty() {
            return;
        }
        let wait = match started {
            None => limits.idle_timeout,
            Some(t) => match limits.header_timeout.checked_sub(t.elapsed()) {
                Some(d) => d,
                None => return,
            },
        };
        if buf.capacity() - buf.len() < 512 || buf.capacity() < need {
            let want = need.max(buf.capacity() * 2).max(buf.len() + 512);
            buf.reserve(want - buf.len());
        }
        let len = buf.len();
        let read = monoio::time::timeout(wait, stream.read(buf.slice_mut(len..))).await;
        let (r, slice) = match read {
            Ok(v) => v,
            Err(_) => return,
        };
        buf = slice.into_inner();
        match r {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if started.is_none() {
                    started = Some(Instant::now());
                }
                core.busy.set(core.busy.get() + 1);
            }
        }
    }
    core.busy.set(core.busy.get().saturating_sub(1));
}

/// Half-closes, then reads and discards what the client still sends (bounded in bytes and
/// time) so the final response is not lost to a TCP reset.
async fn lingering_close(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let deadline = Instant::now() + LINGER;
    let mut sink = vec![0u8; 16 * 1024];
    let mut total = 0;
    while total < LINGER_BYTES {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return;
        };
        match monoio::time::timeout(left, stream.read(sink)).await {
            Ok((Ok(n), b)) if n > 0 => {
                total += n;
                // monoio reads into the buffer from its start: no reset needed.
                sink = b;
            }
            _ => return,
        }
    }
}
