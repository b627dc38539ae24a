//! `POST /v1/batch`: many symbols in one response — a ZIP of files, a PDF label sheet, or
//! one ZPL stream. The whole batch is read and checked first (`request`), so a bad one is a
//! 400/413/422 before any work. Then the answer is **streamed**: a `200` head with
//! `Transfer-Encoding: chunked` (on HTTP/1.0: no length, the connection closes after it),
//! and each item, as soon as it is made, goes into the connection's queue, which is sent
//! whenever it passes `OUT_BOUND`. So a batch holds one item (or one sheet page) at a time,
//! whatever its size, and a client that stops reading stalls only its own batch (the write
//! timeout closes it).
//!
//! Every CPU step runs on the core's render thread, never on its event loop: the JSON and
//! the items' checks (`ladder::offload`, 16 items a job), each item's encode, then ZIP and
//! ZPL items down the same ladder as single requests (`ladder::obtain`: the L1, the pool,
//! Redis, a render behind the breakers and the client's rate — a batch is as many cold
//! requests as it has misses), sheet items drawn behind the same gate. One job in flight
//! per batch, so a batch takes at most one slot of the core's render queue, and the
//! render thread's low priority keeps cache hits served meanwhile. (Work on the loop itself
//! would not do: a monoio task that is always runnable keeps the runtime from parking, and
//! only parking delivers other threads' wake-ups — every render result on the core.) An item refused for the
//! client's rate or a full queue waits and is retried (the batch is paced, not failed); any
//! other failure after the head is sent ends the response without its last chunk (the
//! client sees a truncated body, never a wrong one) — or, with `"partial": true` in a ZIP,
//! is recorded in `manifest.json` and the batch goes on.
//!
//! The answer's bytes come from `assemble` (entry names and headers, manifest, pages),
//! which the command line (`barcoded batch`) feeds too: the same batch, the same bytes.

pub mod assemble;
pub mod request;

use super::error::ApiError;
use super::{ladder, ConnCtx, Reply, Sink};
use crate::guard::Class;
use crate::http::encode::{self, ConnHeader, LAST_CHUNK};
use crate::http::head::Head;
use crate::http::out::OUT_BOUND;
use crate::keys::Charge;
use crate::local::Rendered;
use crate::switch::RouteClass;
use assemble::{Cut, Files, Pages};
use bytes::Bytes;
use request::{Batch, BatchLimits, Output};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long an item refused for the client's rate or a full queue is retried.
const RETRY_FOR: Duration = Duration::from_secs(30);
const RETRY_EVERY: Duration = Duration::from_millis(5);

/// The streamed body: chunk framing (none on HTTP/1.0) and pacing against the queue bound.
struct Body<'a, S: Sink> {
    sink: &'a mut S,
    chunked: bool,
}

impl<S: Sink> Body<'_, S> {
    /// Queues one piece: `head` copied, then `shared` by reference when given.
    fn piece(&mut self, head: &[u8], shared: Option<&Bytes>) {
        let len = head.len() + shared.map_or(0, Bytes::len);
        if len == 0 {
            return;
        }
        let out = self.sink.out();
        if self.chunked {
            encode::chunk_size_line(out.bytes(), len);
        }
        out.bytes().extend_from_slice(head);
        if let Some(b) = shared {
            out.body(b);
        }
        if self.chunked {
            out.bytes().extend_from_slice(b"\r\n");
        }
    }

    /// Sends what is queued once it passes the bound; false when the client is gone.
    async fn pace(&mut self) -> bool {
        self.sink.out().len() < OUT_BOUND || self.sink.flush().await
    }

    fn end(&mut self) {
        if self.chunked {
            self.sink.out().bytes().extend_from_slice(LAST_CHUNK);
        }
    }
}

/// Runs `f` until it is not refused for the client's rate or a full queue (then waits and
/// retries, for at most `RETRY_FOR`).
async fn paced<T, F, Fut>(mut f: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let start = Instant::now();
    loop {
        match f().await {
            Err(ApiError::ClientRate { .. } | ApiError::Overloaded { .. }) if start.elapsed() < RETRY_FOR => {
                monoio::time::sleep(RETRY_EVERY).await;
            }
            r => return r,
        }
    }
}

/// How a batch's body ended.
enum End {
    /// Every item written and the body closed.
    Done,
    /// An item failed after the head was sent, or the client left: the body is cut short.
    Cut,
}

/// Answers a batch. Returns the status and whether the connection must close.
pub async fn serve<S: Sink>(
    ctx: &ConnCtx,
    head: &Head<'_>,
    body: &[u8],
    sink: &mut S,
    mut how: super::How,
    note: &mut super::Note,
) -> (u16, bool) {
    let conn = how.conn;
    let (shared, local) = (&ctx.shared, &ctx.local);
    let limits = {
        let l = &shared.current().limits;
        BatchLimits { max_items: l.batch_max_items, max_pixels: l.max_pixels }
    };
    // Checked, then paid for by its items on an API key's quota.
    let checked = check(ctx, body, limits).await.and_then(|b| {
        let charge = Charge::Batch { items: b.items.len() };
        match super::keyed::admit(ctx, head, RouteClass::Batch, Some(charge), note) {
            Ok(q) => {
                how.quota = q.or(how.quota);
                Ok(b)
            }
            Err(r) => {
                how.quota = r.quota;
                Err(r.error)
            }
        }
    });
    let lines = how.lines(local);
    let batch = match checked {
        Ok(b) => b,
        Err(e) => {
            let reply =
                Reply { out: sink.out(), date: lines.as_slice(), head_only: false, conn, note: std::mem::take(note) };
            let mut reply = reply;
            let st = reply.error(&e);
            *note = reply.note;
            return (st, conn == ConnHeader::Close);
        }
    };
    let chunked = head.minor >= 1;
    let conn = if chunked { conn } else { ConnHeader::Close };
    let disposition = format!("attachment; filename=\"batch.{}\"", batch.output.ext());
    let count = batch.items.len().to_string();
    {
        let extra = [("Content-Disposition", disposition.as_str()), ("X-Batch-Items", count.as_str())];
        encode::write_stream_head(sink.out(), lines.as_slice(), batch.output.content_type(), &extra, chunked, conn);
    }
    let mut out = Body { sink, chunked };
    // A keyed client paid on its key's quota: the per-IP rate is for the unkeyed.
    let client = if how.quota.is_some() { None } else { ctx.client(head) };
    let asker = ladder::Asker { client, background: true, switch: Default::default() };
    let end = match batch.output {
        Output::Zip | Output::Zpl => files(ctx, batch, asker, &mut out).await,
        Output::Pdf => sheet(ctx, batch, asker, &mut out).await,
    };
    match end {
        End::Done => {
            out.end();
            (200, conn == ConnHeader::Close)
        }
        End::Cut => (200, true),
    }
}

/// Items checked per render-thread job.
const CHECK_CHUNK: usize = 16;

/// Reads and checks the batch on the render thread: the JSON, then the items a chunk at a time.
async fn check(ctx: &ConnCtx, body: &[u8], limits: BatchLimits) -> Result<Batch, ApiError> {
    let (shared, local) = (&ctx.shared, &ctx.local);
    let req = Arc::new(paced(|| ladder::offload(shared, local, read_job(body, limits))).await??);
    let mut items = Vec::with_capacity(req.len());
    let mut from = 0;
    while from < req.len() {
        let to = (from + CHECK_CHUNK).min(req.len());
        let part = paced(|| {
            let r = req.clone();
            ladder::offload(shared, local, move || (from..to).map(|i| r.check(i)).collect::<Vec<_>>())
        })
        .await?;
        items.extend(part);
        from = to;
    }
    req.to_batch(items)
}

/// The JSON read as a job: the body is copied into each attempt (a retry is rare).
fn read_job(body: &[u8], limits: BatchLimits) -> impl FnOnce() -> Result<request::Request, ApiError> + Send + 'static {
    let body = body.to_vec();
    move || request::read(&body, limits)
}

/// A ZIP of one file per item, or a ZPL stream of one label per item.
async fn files<S: Sink>(ctx: &ConnCtx, batch: Batch, asker: ladder::Asker, out: &mut Body<'_, S>) -> End {
    let (shared, local) = (&ctx.shared, &ctx.local);
    let mut files = Files::new(&batch);
    for item in &batch.items {
        let made = match &item.source {
            Ok(src) => match paced(|| {
                let (src, fmt) = (src.clone(), batch.format);
                ladder::offload(shared, local, move || src.prepare(fmt))
            })
            .await
            {
                Ok(Ok(p)) => paced(|| ladder::obtain(shared, local, p.clone(), asker)).await.map(|(r, _)| r),
                Ok(Err(e)) | Err(e) => Err(e),
            },
            Err(e) => Err(e.clone()),
        };
        match files.item(item, made.as_ref().map(|r| &r.body[..])) {
            Ok(Some(head)) => out.piece(&head, made.as_ref().ok().map(|r| &r.body)),
            Ok(None) => {}
            Err(cut) => return cut_short(&cut),
        }
        if !out.pace().await {
            return End::Cut;
        }
    }
    match files.finish() {
        Ok(tail) => {
            out.piece(&tail, None);
            End::Done
        }
        Err(cut) => cut_short(&cut),
    }
}

fn cut_short(cut: &Cut) -> End {
    crate::log::error("batch_cut", format_args!("{}", cut.0));
    End::Cut
}

/// A PDF label sheet, page by page.
async fn sheet<S: Sink>(ctx: &ConnCtx, batch: Batch, asker: ladder::Asker, out: &mut Body<'_, S>) -> End {
    let (shared, local) = (&ctx.shared, &ctx.local);
    let Some((mut pages, head)) = Pages::new(&batch) else { return End::Cut };
    out.piece(&head, None);
    let page_h = pages.page_height();
    let max_pixels = shared.current().limits.max_pixels;
    for item in &batch.items {
        let drawn = match item.source.as_ref().map(|s| (s, s.place)) {
            Ok((src, Some(place))) => {
                paced(|| {
                    let (s, src, fmt) = (shared.clone(), src.clone(), batch.format);
                    let class = Class::of(src.symbology());
                    let job = Box::new(move || {
                        crate::fault::before_render(&s.faults, class.index());
                        assemble::cell(&src, fmt, place, page_h, max_pixels).map(Rendered::Bytes)
                    });
                    ladder::heavy(shared, local, class, asker, job)
                })
                .await
            }
            Err(e) => Err(e.clone()),
            Ok((_, None)) => Err(ApiError::BadBatch("no place on the sheet".into())),
        };
        let ops = match &drawn {
            Ok(Rendered::Bytes(b)) => Ok(&b[..]),
            Ok(_) => return End::Cut,
            Err(e) => Err(e),
        };
        match pages.item(item, ops) {
            Ok(Some(page)) => out.piece(&page, None),
            Ok(None) => {}
            Err(cut) => return cut_short(&cut),
        }
        if !out.pace().await {
            return End::Cut;
        }
    }
    out.piece(&pages.finish(), None);
    End::Done
}
