//! The API v1. `handle` answers what can be answered without waiting — the cache-hit path
//! first (one L1 lookup by the raw target, then the template pool), parse, info, metrics —
//! into the connection's output buffer. What must wait (a generate miss, a decode, a
//! reload) is `Outcome::Slow`, answered by `handle_slow` on the same connection task.

pub mod admin;
pub mod decode;
pub mod error;
pub mod generate;
pub mod ladder;
pub mod options;
pub mod parse;
pub mod route;
pub mod symbologies;

use crate::guard::breaker::Admit;
use crate::guard::Class;
use crate::http::encode::{self, ConnHeader, Ready, Status};
use crate::http::parse::{Head, Method};
use crate::local::Local;
use crate::metrics::{Event, Route};
use crate::state::Shared;
use error::ApiError;
use generate::DataSource;
use route::Endpoint;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

/// What `handle` did with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Answered into the output buffer.
    Done(Route, u16),
    /// Needs `handle_slow`: nothing was written.
    Slow,
}

/// Writes `r` or, when the client's validator matches, a 304; returns the status.
fn answer_ready(out: &mut Vec<u8>, date: &[u8], head: &Head<'_>, r: &Ready, conn: ConnHeader) -> u16 {
    if head.if_none_match.is_some_and(|v| encode::none_match(v, &r.etag)) {
        encode::write_not_modified(out, date, r, conn);
        304
    } else {
        encode::write_ready(out, date, r, head.method == Method::Head, conn);
        200
    }
}

/// Writes an error as JSON; returns the status.
pub fn write_error(out: &mut Vec<u8>, date: &[u8], e: &ApiError, head_only: bool, conn: ConnHeader) -> u16 {
    let body = e.body();
    let mut buf = itoa::Buffer::new();
    let mut extra: Vec<(&str, &str)> = Vec::new();
    if let ApiError::MethodNotAllowed { allow } = e {
        extra.push(("Allow", allow));
    }
    if let Some(s) = e.retry_after() {
        extra.push(("Retry-After", buf.format(s)));
    }
    encode::write_simple(out, date, e.status(), "application/json", &extra, body.as_bytes(), head_only, conn);
    e.status().code()
}

fn json(out: &mut Vec<u8>, date: &[u8], st: Status, body: &[u8], head_only: bool, conn: ConnHeader) -> u16 {
    encode::write_simple(out, date, st, "application/json", &[], body, head_only, conn);
    st.code()
}

/// Parse under the core's parse breaker: when it is open, the minimal degraded answer.
fn parse(shared: &Shared, local: &Local, query: &[u8], head: &Head<'_>, body: &[u8]) -> Result<String, ApiError> {
    let req = parse::request(query, body, head.content_type)?;
    let now = Instant::now();
    let admit = local.breakers.borrow_mut().get(Class::Parse).admit(now);
    if let Admit::No(_) = admit {
        local.metrics.event(Event::ParseDegraded);
        return Ok(parse::minimal(&req).to_string());
    }
    crate::fault::before_parse(shared);
    let doc = parse::describe(&req).to_string();
    let done = Instant::now();
    if local.breakers.borrow_mut().get(Class::Parse).record(done, done - now, true) {
        crate::log::error("parse_breaker", format_args!("parse breaker changed state on core {}", local.index));
    }
    Ok(doc)
}

/// Answers one request if it can be answered now. `body` is the complete request body.
pub fn handle(
    shared: &Shared,
    local: &Local,
    date: &[u8],
    head: &Head<'_>,
    body: &[u8],
    conn: ConnHeader,
    out: &mut Vec<u8>,
) -> Outcome {
    let cacheable = matches!(head.method, Method::Get | Method::Head);
    if cacheable {
        if let Some(r) = shared.l1.get(head.target) {
            local.hits.set(local.hits.get() + 1);
            return Outcome::Done(Route::Hit, answer_ready(out, date, head, &r, conn));
        }
        if let Some(r) = shared.pool.load().get(head.target) {
            local.hits.set(local.hits.get() + 1);
            local.metrics.event(Event::PoolHit);
            return Outcome::Done(Route::Hit, answer_ready(out, date, head, r, conn));
        }
    }
    let head_only = head.method == Method::Head;
    let ep = match route::route(head.method, head.target) {
        Ok(ep) => ep,
        Err(e) => return Outcome::Done(Route::Other, write_error(out, date, &e, head_only, conn)),
    };
    let (route, result) = match ep {
        Endpoint::Generate { .. } | Endpoint::Decode | Endpoint::AdminReload => return Outcome::Slow,
        Endpoint::Parse { query } => {
            let r = parse(shared, local, query, head, body)
                .map(|doc| json(out, date, Status::Ok, doc.as_bytes(), head_only, conn));
            (Route::Parse, r)
        }
        Endpoint::Healthz => (Route::Info, Ok(json(out, date, Status::Ok, b"{\"status\":\"ok\"}", head_only, conn))),
        Endpoint::Readyz => {
            let (st, b): (Status, &[u8]) = if shared.draining() {
                (Status::ServiceUnavailable, b"{\"status\":\"draining\"}")
            } else {
                (Status::Ok, b"{\"status\":\"ready\"}")
            };
            (Route::Info, Ok(json(out, date, st, b, head_only, conn)))
        }
        Endpoint::Symbologies => {
            let doc = symbologies::document().as_bytes();
            (Route::Info, Ok(json(out, date, Status::Ok, doc, head_only, conn)))
        }
        Endpoint::Metrics => {
            local.publish(shared);
            let text = admin::metrics(shared);
            let ct = "text/plain; version=0.0.4; charset=utf-8";
            encode::write_simple(out, date, Status::Ok, ct, &[], text.as_bytes(), head_only, conn);
            (Route::Metrics, Ok(200))
        }
    };
    let status = result.unwrap_or_else(|e| write_error(out, date, &e, head_only, conn));
    Outcome::Done(route, status)
}

/// Answers a request `handle` left as `Outcome::Slow`: a generate miss down the ladder, a
/// decode on the worker pool, a reload. The `Date` line is taken after the wait.
pub async fn handle_slow(
    shared: &Arc<Shared>,
    local: &Rc<Local>,
    head: &Head<'_>,
    body: &[u8],
    peer: Option<SocketAddr>,
    conn: ConnHeader,
    out: &mut Vec<u8>,
) -> (Route, u16) {
    let head_only = head.method == Method::Head;
    let (route, result) = match route::route(head.method, head.target) {
        Ok(Endpoint::Generate { sym, fmt, path_data, query }) => {
            let client = peer.map(|p| p.ip());
            let r = ladder::generate(shared, local, sym, fmt, DataSource::of(path_data, body), query, client).await;
            if let (Ok(ready), true) = (&r, matches!(head.method, Method::Get | Method::Head)) {
                shared.l1.insert(head.target, ready.clone());
            }
            (Route::Generate, r.map(Answer::Ready))
        }
        Ok(Endpoint::Decode) => (
            Route::Decode,
            decode::run(shared, local, body.to_vec(), head.content_type.map(<[u8]>::to_vec), peer.map(|p| p.ip()))
                .await
                .map(Answer::Json),
        ),
        Ok(Endpoint::AdminReload) => (Route::Admin, admin::reload(shared, head, peer).await.map(Answer::Json)),
        Ok(_) | Err(_) => (Route::Other, Err(ApiError::NotFound)),
    };
    local.date.borrow_mut().refresh();
    let date = local.date.borrow();
    let date = date.line();
    let status = match result {
        Ok(Answer::Ready(r)) => answer_ready(out, date, head, &r, conn),
        Ok(Answer::Json(doc)) => json(out, date, Status::Ok, doc.as_bytes(), head_only, conn),
        Err(e) => write_error(out, date, &e, head_only, conn),
    };
    (route, status)
}

enum Answer {
    Ready(Arc<Ready>),
    Json(String),
}
