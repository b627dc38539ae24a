//! One connection, in the manner of hyper's `proto/h1`: a `Conn` owns its read buffer, its
//! output queue and the body state of the request at the front, and moves between three
//! states (see ARCHITECTURE.md, "A connection's states"):
//!
//! - **Reading**: wait for input (idle timeout between requests, the header timeout once a
//!   request has started: slowloris);
//! - **Answering**: parse every complete request in the buffer, in order, each parsed and
//!   routed once; answer it into the output queue (`http::out`), a slow one (a miss, a
//!   decode, a reload) on this task after the answers before it are flushed. A request
//!   whose body is still coming gets `100 Continue` or its final status first
//!   (`Expect: 100-continue`); a chunked body is decoded as it arrives;
//! - **Writing**: flush the queue with one (vectored) write per wake; a write that makes no
//!   progress for `--write-timeout` closes the connection.
//!
//! Answering stops while `OUT_BOUND` bytes are queued and resumes once they are written, so
//! a client that pipelines without reading holds at most the bound (plus references to
//! shared cached bodies), whatever it sends. Limits are checked before memory is spent:
//! body sizes from `Content-Length` or each chunk's size, heads on partial input.

use crate::access::trace::{HeadLines, Trace};
use crate::access::Entry;
use crate::api::error::ApiError;
use crate::api::{self, ConnCtx, Listener, Note, Outcome, Reply};
use crate::http::chunked::{ChunkError, ChunkLimits, Decoder};
use crate::http::encode::{ConnHeader, CONTINUE};
use crate::http::head::{self, Head, HeadError, HeadLimits, Method, Parsed};
use crate::http::out::{Out, OUT_BOUND};
use crate::local::Local;
use crate::metrics::Route;
use crate::state::Shared;
use monoio::buf::{IoBuf, IoBufMut, IoVecBuf};
use monoio::io::{AsyncReadRent, AsyncWriteRent};
use monoio::net::TcpStream;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

/// Initial read buffer; it grows only for large heads or bodies, within the limits.
const INITIAL_BUF: usize = 2048;
/// The copied part of the queue keeps its capacity up to this between flushes.
const OUT_KEEP: usize = 64 * 1024;
/// After a framing error, unread input is drained for at most this long before closing, so
/// the client sees our response instead of a reset.
const LINGER: Duration = Duration::from_millis(500);
const LINGER_BYTES: usize = 256 * 1024;
/// Longest chunk-size line (extensions included) of a chunked body.
const MAX_CHUNK_LINE: usize = 4096;
/// Most iovecs in one vectored write (Linux's IOV_MAX is 1024).
const MAX_IOVECS: usize = 64;

/// Counts a connection on its core for as long as it lives.
struct ConnGuard(Rc<Local>);

impl Drop for ConnGuard {
    fn drop(&mut self) {
        self.0.conns.set(self.0.conns.get() - 1);
    }
}

fn head_error(e: HeadError, s: &Shared) -> ApiError {
    let current = s.current();
    let l = &current.limits;
    match e {
        HeadError::UriTooLong => ApiError::UriTooLong { max: l.max_uri },
        HeadError::HeadersTooLarge => ApiError::HeadersTooLarge { max: l.max_header_bytes },
        HeadError::TooManyHeaders => ApiError::TooManyHeaders { max: crate::config::MAX_HEADERS },
        HeadError::Malformed(w) => ApiError::Malformed(w),
        HeadError::BadContentLength => ApiError::BadContentLength,
        HeadError::UnsupportedVersion => ApiError::VersionNotSupported,
        HeadError::BadTransferEncoding => ApiError::BadTransferEncoding,
        HeadError::UnsupportedTransferCoding => ApiError::UnsupportedTransferCoding,
        HeadError::LengthWithTransferEncoding => ApiError::LengthWithTransferEncoding,
        HeadError::Expectation => ApiError::ExpectationFailed,
    }
}

fn chunk_error(e: ChunkError, max_body: usize, s: &Shared) -> ApiError {
    match e {
        ChunkError::TooLarge { length } => ApiError::BodyTooLarge { length, max: max_body },
        ChunkError::BadSize => ApiError::BadChunk("chunk size line"),
        ChunkError::LineTooLong => ApiError::BadChunk("chunk size line too long"),
        ChunkError::BadDataEnd => ApiError::BadChunk("chunk data not followed by CRLF"),
        ChunkError::TrailersTooLarge => ApiError::TrailersTooLarge { max: s.current().limits.max_header_bytes },
    }
}

/// At stop, an idle keep-alive connection stays open this long after its last answer for
/// one more request (answered with `Connection: close`): a client that sends at once is
/// answered instead of finding the connection closed under its request.
pub const IDLE_DRAIN: Duration = Duration::from_millis(1000);

/// Waits between requests for the next bytes: `None` when the connection should close (the
/// idle timeout, or the server stopping and `IDLE_DRAIN` passed with nothing sent). The
/// read is never cancelled while bytes may be arriving except at those deadlines, which
/// close the connection anyway.
async fn idle_read<B: IoBufMut>(
    stream: &mut TcpStream,
    into: B,
    wait: Duration,
    core: &Local,
) -> Option<monoio::BufResult<usize, B>> {
    let since = Instant::now();
    let mut read = std::pin::pin!(stream.read(into));
    let stopping = core.stopping();
    let first = if stopping { IDLE_DRAIN.min(wait) } else { wait };
    let mut deadline = std::pin::pin!(monoio::time::sleep(first));
    let mut stopped = std::pin::pin!(core.stopped());
    let mut watching = !stopping;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(r) = read.as_mut().poll(cx) {
            return Poll::Ready(Some(r));
        }
        if watching && stopped.as_mut().poll(cx).is_ready() {
            watching = false;
            let left = IDLE_DRAIN.min(wait).saturating_sub(since.elapsed());
            deadline.set(monoio::time::sleep(left));
        }
        deadline.as_mut().poll(cx).map(|_| None)
    })
    .await
}

/// What the connection does once the answers so far are written.
enum Step {
    /// Read more input; at least this many bytes of buffer are needed.
    Read(usize),
    /// The output bound was reached with requests left in the buffer: answer them next.
    More,
    Close {
        linger: bool,
    },
    /// The client is gone or stopped reading: close without writing more.
    Abort,
}

/// The body state of the request at the front of the buffer, kept across reads.
#[derive(Default)]
struct Pending {
    chunked: Option<Decoder>,
    /// `100 Continue` (or the final status) was already sent for it.
    answered_expect: bool,
}

/// One connection: its socket, what it knows about itself, and its buffers.
struct Conn {
    stream: TcpStream,
    ctx: ConnCtx,
    buf: Vec<u8>,
    out: Out,
    /// The decoded body of a chunked request.
    body: Vec<u8>,
    pending: Pending,
    /// When the first byte of the request now being read arrived.
    started: Option<Instant>,
    /// The limits in force when the connection was opened (a reload changes them for the
    /// connections opened after it).
    limits: crate::config::Limits,
}

/// Serves one accepted connection on a task of its own. It is counted on its core from
/// here, not from the task's first poll: a core that stops right after accepting it waits
/// for it (`core::serve` waits while `conns` > 0) instead of ending with the task not yet
/// run — which dropped the connection unanswered.
pub fn spawn(stream: TcpStream, listener: Listener, core: Rc<Local>, shared: Arc<Shared>) {
    core.conns.set(core.conns.get() + 1);
    let guard = ConnGuard(core.clone());
    monoio::spawn(super::caught::Caught::new(serve(stream, listener, guard, core, shared)));
}

/// Serves one connection until the client leaves, a limit is hit or the server stops.
async fn serve(stream: TcpStream, listener: Listener, _counted: ConnGuard, core: Rc<Local>, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok();
    let limits = shared.current().limits.clone();
    let ctx = ConnCtx { shared, local: core, peer, listener };
    let conn = Conn {
        stream,
        ctx,
        buf: Vec::with_capacity(INITIAL_BUF),
        out: Out::new(),
        body: Vec::new(),
        pending: Pending::default(),
        started: None,
        limits,
    };
    conn.run().await;
}

impl Conn {
    async fn run(mut self) {
        let core = self.ctx.local.clone();
        let limits = self.limits.clone();
        loop {
            let mut need = 0;
            if !self.buf.is_empty() {
                let step = self.answer().await;
                let flushed = matches!(step, Step::Abort) || flush(&mut self.stream, &mut self.out, &limits).await;
                core.busy.set(core.busy.get() - 1);
                if !flushed {
                    return;
                }
                match step {
                    Step::More => {
                        // Still working on the bytes already read: stay counted as busy.
                        core.busy.set(core.busy.get() + 1);
                        self.started = Some(Instant::now());
                        continue;
                    }
                    Step::Read(n) => need = n,
                    Step::Close { linger } => {
                        if linger {
                            lingering_close(self.stream).await;
                        }
                        return;
                    }
                    Step::Abort => return,
                }
                // A large body may have grown the buffers; give the memory back once idle.
                if self.buf.is_empty() && self.buf.capacity() > 4 * INITIAL_BUF {
                    self.buf = Vec::with_capacity(INITIAL_BUF);
                }
            }
            let idle = self.started.is_none();
            let wait = match self.started {
                None => limits.idle_timeout,
                Some(t) => match limits.header_timeout.checked_sub(t.elapsed()) {
                    Some(d) => d,
                    None => return,
                },
            };
            let buf = &mut self.buf;
            if buf.capacity() - buf.len() < 512 || buf.capacity() < need {
                let want = need.max(buf.capacity() * 2).max(buf.len() + 512);
                buf.reserve(want - buf.len());
            }
            let len = buf.len();
            let into = std::mem::take(buf).slice_mut(len..);
            let read = if idle {
                idle_read(&mut self.stream, into, wait, &core).await
            } else {
                monoio::time::timeout(wait, self.stream.read(into)).await.ok()
            };
            let Some((r, slice)) = read else { return };
            self.buf = slice.into_inner();
            match r {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if self.started.is_none() {
                        self.started = Some(Instant::now());
                    }
                    core.busy.set(core.busy.get() + 1);
                }
            }
        }
    }

    /// Answers every complete request at the front of the buffer into the output queue,
    /// until the queue is over its bound, a request is incomplete, or the connection ends.
    async fn answer(&mut self) -> Step {
        let Conn { stream, ctx, buf, out, body, pending, started, limits } = self;
        let (shared, core) = (&*ctx.shared, &*ctx.local);
        let limits = &*limits;
        let hl = HeadLimits { max_uri: limits.max_uri, max_header_bytes: limits.max_header_bytes };
        core.date.borrow_mut().refresh();
        let mut pos = 0;
        let step = loop {
            if pos == buf.len() {
                break Step::Read(0);
            }
            if out.len() >= OUT_BOUND {
                break Step::More;
            }
            let head = match head::parse(&buf[pos..], hl) {
                Ok(Parsed::Complete(h)) => h,
                Ok(Parsed::Incomplete) => break Step::Read(0),
                Err(e) => {
                    refuse(ctx, out, &head_error(e, shared), false);
                    break Step::Close { linger: true };
                }
            };
            let head_only = head.method == Method::Head;
            let max_body = api::route::body_limit(head.method, head.target, limits);
            if head.content_length > max_body as u64 {
                refuse(ctx, out, &ApiError::BodyTooLarge { length: head.content_length, max: max_body }, head_only);
                break Step::Close { linger: true };
            }
            // The body: complete in the buffer (Content-Length), decoded (chunked), or not yet here.
            let hlen = head.len;
            let (body_bytes, used): (&[u8], usize) = if head.chunked {
                let cl = ChunkLimits { max_body, max_line: MAX_CHUNK_LINE, max_trailers: limits.max_header_bytes };
                let dec = pending.chunked.get_or_insert_with(Decoder::new);
                match dec.feed(&buf[pos + hlen..], body, cl) {
                    // Only a POST's or PUT's body is data (as with Content-Length).
                    Ok((used, true)) => (
                        if matches!(head.method, Method::Post | Method::Put) { &body[..] } else { &[][..] },
                        hlen + used,
                    ),
                    Ok((used, false)) => {
                        if !expect(ctx, &head, pending, out) {
                            break Step::Close { linger: true };
                        }
                        // Drop the framing consumed so far; the head stays for the next pass.
                        buf.drain(pos + hlen..pos + hlen + used);
                        break Step::Read(0);
                    }
                    Err(e) => {
                        refuse(ctx, out, &chunk_error(e, max_body, shared), head_only);
                        break Step::Close { linger: true };
                    }
                }
            } else {
                let total = hlen + head.content_length as usize;
                if buf.len() - pos < total {
                    if !expect(ctx, &head, pending, out) {
                        break Step::Close { linger: true };
                    }
                    // `total` counts from `pos`, which becomes the buffer's start below.
                    break Step::Read(total);
                }
                (
                    if matches!(head.method, Method::Post | Method::Put) {
                        &buf[pos + hlen..pos + total]
                    } else {
                        &[][..]
                    },
                    total,
                )
            };
            let keep = head.keep_alive && !core.stopping();
            let conn = match (keep, head.minor) {
                (false, _) => ConnHeader::Close,
                (true, 0) => ConnHeader::KeepAlive,
                (true, _) => ConnHeader::None,
            };
            let t0 = Instant::now();
            let trace = core.access.as_ref().map(|a| a.borrow_mut().trace(head.traceparent));
            let queued = out.len();
            let (outcome, note) = {
                let date = core.date.borrow();
                // Untraced (the log off), the Date line as it is: no copy.
                let traced = trace.as_ref().map(|t| HeadLines::new(date.line(), Some(t)));
                let lines = traced.as_ref().map_or(date.line(), HeadLines::as_slice);
                let mut reply = Reply { out: &mut *out, date: lines, head_only, conn, note: Note::default() };
                let o = api::handle(ctx, &head, body_bytes, &mut reply);
                (o, reply.note)
            };
            match outcome {
                Outcome::Done(route, status) => {
                    let took = t0.elapsed();
                    core.metrics.request(route, status, took);
                    core.note_hot(route, status, &head);
                    let logged = Logged { trace: trace.as_ref(), status, bytes: out.len() - queued, took, note: &note };
                    access(ctx, &head, logged);
                    if let Some(sh) = &shared.shadow {
                        shadow(ctx, sh, &head, status, out, queued);
                    }
                }
                Outcome::Slow(ep) => {
                    // The answers before it go out first: the slow one may take a while.
                    if !out.is_empty() && !flush(stream, out, limits).await {
                        break Step::Abort;
                    }
                    let t0 = Instant::now();
                    let mut sink = ConnSink { stream: &mut *stream, out: &mut *out, limits, gone: false };
                    let how = api::How { conn, trace, quota: None };
                    let done = api::handle_slow(ctx, &head, ep, body_bytes, &mut sink, how).await;
                    let took = t0.elapsed();
                    core.metrics.request(done.route, done.status, took);
                    core.note_hot(done.route, done.status, &head);
                    let logged = Logged {
                        trace: trace.as_ref(),
                        status: done.status,
                        bytes: sink.out.len(),
                        took,
                        note: &done.note,
                    };
                    access(ctx, &head, logged);
                    if sink.gone {
                        break Step::Abort;
                    }
                    // The queue held nothing before this answer (flushed above); a streamed
                    // answer partly sent already does not parse and is counted as failed.
                    if let Some(sh) = &shared.shadow {
                        shadow(ctx, sh, &head, done.status, sink.out, 0);
                    }
                    if done.close {
                        pos += used;
                        *started = None;
                        break Step::Close { linger: false };
                    }
                }
            }
            *pending = Pending::default();
            if head.chunked {
                body.clear();
                if body.capacity() > 4 * INITIAL_BUF {
                    *body = Vec::new();
                }
            }
            pos += used;
            *started = None;
            if !keep {
                // Requests pipelined behind this one go unanswered; closing on unread input
                // would reset the connection and could destroy this answer in flight.
                break Step::Close { linger: pos < buf.len() };
            }
        };
        if pos > 0 {
            buf.drain(..pos);
            if !buf.is_empty() {
                *started = Some(Instant::now());
            }
        }
        step
    }
}

/// One answered request, for the access log.
struct Logged<'a> {
    trace: Option<&'a Trace>,
    status: u16,
    bytes: usize,
    took: std::time::Duration,
    note: &'a Note,
}

/// Writes the request's access-log line when the log is on and keeps it (sampled; errors
/// and slow requests always): into the core's buffer, never to the disk from here.
fn access(ctx: &ConnCtx, head: &Head<'_>, l: Logged<'_>) {
    let (Some(log), Some(core_log), Some(trace)) = (&ctx.shared.access, &ctx.local.access, l.trace) else { return };
    let mut c = core_log.borrow_mut();
    if !c.keep(l.status, l.took) {
        return;
    }
    let e = Entry {
        trace,
        client: ctx.client(head),
        method: head.method.name(),
        target: head.target,
        status: l.status,
        bytes: l.bytes,
        took: l.took,
        source: l.note.source,
        switch: l.note.switch.as_deref().map(|s| s.name.as_str()),
        code: l.note.code,
        key: l.note.key.as_deref().map(|k| k.id.as_str()),
        core: ctx.local.index,
    };
    c.write(&e, log);
}

/// Offers a sampled `GET /v1/…` answer (its bytes as queued from `from`) to the shadow.
/// Answers that depend on this instance's load or the client's cache — 304, 429, 503 — are
/// not the build's behaviour and are not compared.
fn shadow(ctx: &ConnCtx, sh: &crate::shadow::Shadow, head: &Head<'_>, status: u16, out: &Out, from: usize) {
    let len = out.len() - from;
    if head.method != Method::Get
        || ctx.listener != Listener::Public
        || !head.target.starts_with(b"/v1/")
        || matches!(status, 304 | 429 | 503)
        || len > crate::shadow::MAX_ANSWER
        || !ctx.local.draw(ctx.shared.live.shadow_sample())
    {
        return;
    }
    let mut ours = Vec::with_capacity(len);
    out.segments(from, usize::MAX, |s| ours.extend_from_slice(s));
    sh.offer(crate::shadow::Sample { target: String::from_utf8_lossy(head.target).into_owned(), ours });
}

/// For a request whose body is not here yet: when the client waits for `100 Continue`,
/// send it, or, when the head alone decides the answer (404, 405, 429, an operations route
/// on the public port; 413 is decided before), send that final status instead, so the body
/// is never sent. Returns false
/// when the connection must close (the final status was queued, `Connection: close`).
fn expect(ctx: &ConnCtx, head: &Head<'_>, pending: &mut Pending, out: &mut Out) -> bool {
    if !head.expect_continue || pending.answered_expect {
        return true;
    }
    pending.answered_expect = true;
    if let Err(e) = api::precheck(ctx, head) {
        refuse(ctx, out, &e, head.method == Method::Head);
        return false;
    }
    out.bytes().extend_from_slice(CONTINUE);
    true
}

/// Queues an error that ends the connection, and counts it.
fn refuse(ctx: &ConnCtx, out: &mut Out, e: &ApiError, head_only: bool) {
    let core = &ctx.local;
    let date = core.date.borrow();
    let st = Reply { out, date: date.line(), head_only, conn: ConnHeader::Close, note: Note::default() }.error(e);
    core.metrics.request(Route::Other, st, Duration::ZERO);
}

/// The connection as a slow answer's `Sink`: its queue, flushed to its socket.
struct ConnSink<'a> {
    stream: &'a mut TcpStream,
    out: &'a mut Out,
    limits: &'a crate::config::Limits,
    /// A flush failed: the client is gone or stopped reading.
    gone: bool,
}

impl api::Sink for ConnSink<'_> {
    fn out(&mut self) -> &mut Out {
        self.out
    }

    async fn flush(&mut self) -> bool {
        let ok = !self.gone && flush(self.stream, self.out, self.limits).await;
        self.gone = !ok;
        ok
    }
}

/// Writes everything queued; false when the client is gone or made no progress for the
/// write timeout. A queue with shared bodies goes out with vectored writes.
async fn flush(stream: &mut TcpStream, out: &mut Out, limits: &crate::config::Limits) -> bool {
    let total = out.len();
    let mut sent = 0;
    while sent < total {
        let wrote = if out.has_shared() {
            let v = Vectored::new(std::mem::take(out), sent);
            match monoio::time::timeout(limits.write_timeout, stream.writev(v)).await {
                Ok((r, v)) => {
                    *out = v.out;
                    r
                }
                Err(_) => return false,
            }
        } else {
            let b = std::mem::take(out.bytes());
            match monoio::time::timeout(limits.write_timeout, stream.write(b.slice(sent..))).await {
                Ok((r, b)) => {
                    *out.bytes() = b.into_inner();
                    r
                }
                Err(_) => return false,
            }
        };
        match wrote {
            Ok(0) | Err(_) => return false,
            Ok(n) => sent += n,
        }
    }
    out.clear(OUT_KEEP);
    true
}

/// The queue and its iovecs, owned by the runtime while a vectored write is in flight. The
/// iovecs point into the queue's heap buffers (the copied `Vec` and the shared `Bytes`),
/// which do not move when the queue does.
struct Vectored {
    out: Out,
    iov: Vec<libc::iovec>,
}

impl Vectored {
    fn new(out: Out, skip: usize) -> Vectored {
        let mut iov = Vec::with_capacity(8);
        out.segments(skip, MAX_IOVECS, |s| {
            iov.push(libc::iovec { iov_base: s.as_ptr() as *mut libc::c_void, iov_len: s.len() })
        });
        Vectored { out, iov }
    }
}

// SAFETY: the iovecs describe live, immutable heap memory owned by `out` (the `Vec`'s
// buffer and the `Bytes`), which stays put while `Vectored` is moved and is not touched
// until the runtime hands `Vectored` back.
unsafe impl IoVecBuf for Vectored {
    fn read_iovec_ptr(&self) -> *const libc::iovec {
        self.iov.as_ptr()
    }

    fn read_iovec_len(&self) -> usize {
        self.iov.len()
    }
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
