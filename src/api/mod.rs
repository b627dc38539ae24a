//! The API v1. `handle` answers what can be answered without waiting — the cache-hit path
//! first (one L1 lookup by the raw target, then the template pool), parse, info, metrics —
//! into the connection's output buffer. What must wait (a generate miss, a decode, a
//! reload) is `Outcome::Slow`, answered by `handle_slow` on the same connection task.

pub mod admin;
pub mod batch;
pub mod body_options;
pub mod decode;
pub mod describe;
pub mod error;
pub mod generate;
pub mod hot;
pub mod keyed;
pub mod label;
pub mod ladder;
pub mod openapi;
pub mod options;
pub mod profile;
pub mod route;
pub mod switched;
pub mod switches;
pub mod symbologies;
pub mod warm;
pub mod yaml;

use crate::access::trace::{HeadLines, Trace};
use crate::access::Source;
use crate::cache::negative::Refusal;
use crate::guard::Class;
use crate::http::encode::{self, ConnHeader, Ready, Status};
use crate::http::head::{Head, Method};
use crate::http::out::Out;
use crate::keys::Charge;
use crate::local::Local;
use crate::metrics::{Event, Route};
use crate::state::Shared;
use crate::switch::RouteClass;
use error::ApiError;
use generate::DataSource;
use route::Endpoint;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

/// Which listener a connection came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listener {
    /// `--listen`: the API; `/metrics` and `/admin/*` only with `--admin-on-public` and the token.
    Public,
    /// `--admin-listen`: `/metrics`, `/admin/*`, `/healthz`, `/readyz`; nothing else.
    Admin,
}

/// What a connection knows about itself, the same for every request on it.
pub struct ConnCtx {
    pub shared: Arc<Shared>,
    pub local: Rc<Local>,
    pub peer: Option<SocketAddr>,
    pub listener: Listener,
}

impl ConnCtx {
    /// The client's address for per-client limits: the peer, or, when the peer is a trusted
    /// proxy (`--trusted-proxies`), the address it forwarded (`Forwarded`, else `X-Forwarded-For`).
    pub fn client(&self, head: &Head<'_>) -> Option<IpAddr> {
        let peer = self.peer?.ip();
        let trusted = &self.shared.config.trusted_proxies;
        if !trusted.contains(peer) {
            return Some(peer);
        }
        crate::http::forwarded::client(head.forwarded, head.x_forwarded_for, |ip| trusted.contains(ip)).or(Some(peer))
    }
}

/// Where a slow answer goes: the connection's output queue, and a way to send what is
/// queued before writing more (a streamed body).
pub trait Sink {
    fn out(&mut self) -> &mut Out;
    /// Sends everything queued; false when the client is gone or stopped reading.
    fn flush(&mut self) -> impl std::future::Future<Output = bool>;
}

/// What `handle` did with a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Answered into the output queue.
    Done(Route, u16),
    /// Must wait: answer it with `handle_slow` and this endpoint. Nothing was written.
    Slow(Endpoint<'a>),
}

/// Where and how one response is written.
pub struct Reply<'a> {
    pub out: &'a mut Out,
    /// The lines after the status line: the core's current `Date:` line, and the request's
    /// `traceparent` when it is traced.
    pub date: &'a [u8],
    pub head_only: bool,
    pub conn: ConnHeader,
    /// What the access log says of the answer.
    pub note: Note,
}

/// What the access log says of an answer besides its status: where it came from, the
/// switch that applied, the error code.
#[derive(Clone, Debug, Default)]
pub struct Note {
    pub source: Source,
    pub switch: Option<Arc<crate::switch::Switch>>,
    pub code: Option<&'static str>,
    /// The API key the request presented (its id is logged; kept only while the log is on).
    pub key: Option<Arc<crate::keys::Key>>,
}

/// How a slow answer is framed: the connection header, and the trace it carries.
#[derive(Clone, Copy, Debug)]
pub struct How {
    pub conn: ConnHeader,
    pub trace: Option<Trace>,
    /// The API key's quota after this request, when it is keyed (`keyed`).
    pub quota: Option<crate::keys::bucket::Quota>,
}

impl How {
    /// The head lines after the status line (`Date`, `traceparent`, an API key's
    /// `RateLimit` lines), taken now.
    pub fn lines(&self, local: &Local) -> HeadLines {
        local.date.borrow_mut().refresh();
        let mut h = HeadLines::new(local.date.borrow().line(), self.trace.as_ref());
        if let Some(q) = &self.quota {
            keyed::lines(q, &mut h);
        }
        h
    }
}

/// A slow answer's end: its route, status, whether the connection closes, and its note.
pub struct Done {
    pub route: Route,
    pub status: u16,
    pub close: bool,
    pub note: Note,
}

impl Reply<'_> {
    /// Writes `r` or, when the client's validator matches, a 304; returns the status.
    fn ready(&mut self, head: &Head<'_>, r: &Ready) -> u16 {
        if head.if_none_match.is_some_and(|v| encode::none_match(v, &r.etag)) {
            encode::write_not_modified(self.out, self.date, r, self.conn);
            304
        } else {
            encode::write_ready(self.out, self.date, r, self.head_only, self.conn);
            200
        }
    }

    /// Writes an error as JSON; returns the status.
    pub fn error(&mut self, e: &ApiError) -> u16 {
        self.note.code = Some(e.code());
        let body = e.body();
        let mut buf = itoa::Buffer::new();
        let mut extra: Vec<(&str, &str)> = Vec::new();
        match e {
            ApiError::MethodNotAllowed { allow } => extra.push(("Allow", allow)),
            ApiError::KeyRequired => extra.push(("WWW-Authenticate", "Bearer realm=\"barcoded\"")),
            ApiError::KeyInvalid => {
                extra.push(("WWW-Authenticate", "Bearer realm=\"barcoded\", error=\"invalid_token\""))
            }
            _ => {}
        }
        if let Some(s) = e.retry_after() {
            extra.push(("Retry-After", buf.format(s)));
        }
        let json = "application/json";
        encode::write_simple(self.out, self.date, e.status(), json, &extra, body.as_bytes(), self.head_only, self.conn);
        e.status().code()
    }

    /// Replays a refusal kept in the core's negative cache.
    fn refusal(&mut self, r: &Refusal) -> u16 {
        self.note.code = Some(r.code);
        let json = "application/json";
        encode::write_simple(self.out, self.date, r.status, json, &[], r.body.as_bytes(), self.head_only, self.conn);
        r.status.code()
    }

    fn json(&mut self, st: Status, body: &[u8]) -> u16 {
        self.simple(st, "application/json", body)
    }

    fn simple(&mut self, st: Status, content_type: &str, body: &[u8]) -> u16 {
        encode::write_simple(self.out, self.date, st, content_type, &[], body, self.head_only, self.conn);
        st.code()
    }
}

/// A public GET or HEAD without a body: its answer depends on the target alone unless a
/// switch, a rate or a load decides it (those answer 429 or 503, never kept).
fn replayable(head: &Head<'_>) -> bool {
    matches!(head.method, Method::Get | Method::Head) && head.content_length == 0 && !head.chunked
}

/// Keeps a refusal that depends on the request's target alone (400, 404, 422 of a public
/// GET or HEAD without a body) in the core's negative cache, so its repeats cost a lookup.
fn remember_refusal(ctx: &ConnCtx, head: &Head<'_>, e: &ApiError) {
    let status = e.status();
    if ctx.listener != Listener::Public || !replayable(head) || !matches!(status.code(), 400 | 404 | 422) {
        return;
    }
    let refusal = Refusal { status, code: e.code(), body: e.body().into() };
    ctx.local.negative.borrow_mut().insert(head.target, refusal, Instant::now());
}

/// `/v1/parse` under the core's parse breaker: when it is open, or a switch degrades it, the
/// minimal degraded answer.
fn parse(ctx: &ConnCtx, query: &[u8], head: &Head<'_>, body: &[u8], note: &mut Note) -> Result<String, ApiError> {
    let (shared, local) = (&*ctx.shared, &*ctx.local);
    let d = switched::decide(ctx, head, RouteClass::Parse, None);
    note.switch = d.first.clone();
    if let Some(e) = switched::refusal(&d, RouteClass::Parse) {
        return Err(e);
    }
    let req = describe::request(query, body, head.content_type)?;
    let gate = local.gate(shared).forced(d.effect.breaker_open);
    let permit = if d.effect.degrade { None } else { gate.light(Class::Parse).ok() };
    let Some(permit) = permit else {
        local.metrics.event(Event::ParseDegraded);
        return Ok(describe::minimal(&req).to_string());
    };
    crate::fault::before_parse(&shared.faults);
    let doc = describe::describe(&req).to_string();
    ladder::transition(permit.done_now(true), Class::Parse, local);
    Ok(doc)
}

/// Routes a request and decides, from its head alone, whether this listener serves it:
/// operations endpoints only on the admin listener (or with `--admin-on-public` and the
/// token), and nothing but them and the health checks on the admin listener.
pub fn route<'a>(ctx: &ConnCtx, head: &Head<'a>) -> Result<Endpoint<'a>, ApiError> {
    let ep = route::route(head.method, head.target)?;
    let ops = matches!(
        ep,
        Endpoint::Metrics
            | Endpoint::AdminReload
            | Endpoint::AdminSwitches
            | Endpoint::AdminSwitch { .. }
            | Endpoint::AdminShadow
            | Endpoint::AdminHot { .. }
            | Endpoint::Profile { .. }
            | Endpoint::Allocator
    );
    let health = matches!(ep, Endpoint::Healthz | Endpoint::Readyz);
    match ctx.listener {
        Listener::Admin if ops || health => Ok(ep),
        Listener::Admin => Err(ApiError::NotFound),
        Listener::Public if !ops => Ok(ep),
        Listener::Public if ctx.shared.config.admin_on_public => {
            admin::bearer(&ctx.shared, head)?;
            Ok(ep)
        }
        Listener::Public => Err(ApiError::NotFound),
    }
}

/// What the head alone decides before a body is sent (`Expect: 100-continue`): the route
/// (404, 405, operations on the public port) and, for the cold work a body would start (a
/// generate, a decode), the client's rate (429) — peeked, not spent.
pub fn precheck(ctx: &ConnCtx, head: &Head<'_>) -> Result<(), ApiError> {
    let ep = route(ctx, head)?;
    let Some(class) = ep.route_class() else { return Ok(()) };
    // The key and its routes (its quota is spent when the body is here).
    let keyed = keyed::admit(ctx, head, class, None, &mut Note::default()).map_err(|r| r.error)?;
    if keyed.is_some() || class == RouteClass::Parse {
        return Ok(());
    }
    let Some(client) = ctx.client(head) else { return Ok(()) };
    let (shared, local) = (&*ctx.shared, &*ctx.local);
    local.gate(shared).peek_client(client).map_err(|r| ladder::refusal(shared, local, r))
}

/// Answers one request if it can be answered now. `body` is the complete request body.
pub fn handle<'a>(ctx: &ConnCtx, head: &Head<'a>, body: &[u8], reply: &mut Reply<'_>) -> Outcome<'a> {
    let (shared, local) = (&*ctx.shared, &*ctx.local);
    if matches!(head.method, Method::Get | Method::Head) && ctx.listener == Listener::Public {
        if let Some(r) = shared.l1.get(head.target) {
            return hit(ctx, head, reply, &r, Source::L1);
        }
        if let Some(r) = shared.pool.load().get(head.target) {
            return hit(ctx, head, reply, r, Source::Pool);
        }
        let kept = if replayable(head) { local.negative.borrow().get(head.target, Instant::now()) } else { None };
        if let Some(r) = kept {
            // Counted under the route class the first refusal had: routing refuses with 404
            // (no such symbology or format), a generate's checks with 400 or 422.
            let route = if r.status == Status::NotFound { Route::Other } else { Route::Generate };
            let quota = match keyed::admit(ctx, head, RouteClass::Generate, Some(Charge::Hit), &mut reply.note) {
                Ok(q) => q,
                Err(e) => return Outcome::Done(route, keyed::refuse(reply, &e)),
            };
            local.metrics.event(Event::NegativeHit);
            return Outcome::Done(route, keyed::with_quota(reply, quota, |reply| reply.refusal(&r)));
        }
    }
    let ep = match route(ctx, head) {
        Ok(ep) => ep,
        Err(e) => {
            remember_refusal(ctx, head, &e);
            let quota = keyed::peek(ctx, head);
            return Outcome::Done(Route::Other, keyed::with_quota(reply, quota, |reply| reply.error(&e)));
        }
    };
    let (route, result) = match ep {
        Endpoint::Generate { .. }
        | Endpoint::Decode { .. }
        | Endpoint::Batch
        | Endpoint::Label
        | Endpoint::AdminReload
        | Endpoint::Profile { .. } => return Outcome::Slow(ep),
        Endpoint::Allocator => (Route::Admin, Ok(reply.json(Status::Ok, profile::allocator().as_bytes()))),
        Endpoint::AdminSwitch { .. } if matches!(head.method, Method::Put | Method::Delete) => {
            return Outcome::Slow(ep)
        }
        Endpoint::AdminShadow => {
            (Route::Admin, switches::shadow(shared, head).map(|d| reply.json(Status::Ok, d.as_bytes())))
        }
        Endpoint::AdminHot { query } => {
            (Route::Admin, hot::document(shared, head, query).map(|d| reply.json(Status::Ok, d.as_bytes())))
        }
        Endpoint::AdminSwitches => {
            (Route::Admin, switches::list(shared, head).map(|d| reply.json(Status::Ok, d.as_bytes())))
        }
        Endpoint::AdminSwitch { name } => {
            let r = switch_name(name).and_then(|n| switches::one(shared, head, n));
            (Route::Admin, r.map(|d| reply.json(Status::Ok, d.as_bytes())))
        }
        Endpoint::Parse { query } => {
            let quota = match keyed::admit(ctx, head, RouteClass::Parse, Some(Charge::Parse), &mut reply.note) {
                Ok(q) => q,
                Err(r) => return Outcome::Done(Route::Parse, keyed::refuse(reply, &r)),
            };
            let status =
                keyed::with_quota(reply, quota, |reply| match parse(ctx, query, head, body, &mut reply.note) {
                    Ok(doc) => reply.json(Status::Ok, doc.as_bytes()),
                    Err(e) => reply.error(&e),
                });
            return Outcome::Done(Route::Parse, status);
        }
        Endpoint::Healthz => (Route::Info, Ok(reply.json(Status::Ok, b"{\"status\":\"ok\"}"))),
        Endpoint::Readyz => {
            let (st, b): (Status, &[u8]) = if shared.draining() {
                (Status::ServiceUnavailable, b"{\"status\":\"draining\"}")
            } else {
                (Status::Ok, b"{\"status\":\"ready\"}")
            };
            (Route::Info, Ok(reply.json(st, b)))
        }
        Endpoint::Symbologies => (Route::Info, Ok(reply.json(Status::Ok, symbologies::document().as_bytes()))),
        Endpoint::Playground => (Route::Info, Ok(reply.simple(Status::Ok, "text/html; charset=utf-8", PLAYGROUND))),
        Endpoint::OpenApi { yaml: false } => (Route::Info, Ok(reply.json(Status::Ok, openapi::json().as_bytes()))),
        Endpoint::OpenApi { yaml: true } => {
            (Route::Info, Ok(reply.simple(Status::Ok, "application/yaml; charset=utf-8", openapi::yaml().as_bytes())))
        }
        Endpoint::Metrics => {
            local.publish(shared);
            let text = admin::metrics(shared);
            let ct = "text/plain; version=0.0.4; charset=utf-8";
            (Route::Metrics, Ok(reply.simple(Status::Ok, ct, text.as_bytes())))
        }
    };
    let status = result.unwrap_or_else(|e| reply.error(&e));
    Outcome::Done(route, status)
}

/// Answers a request `handle` left as `Outcome::Slow` with its endpoint: a generate miss
/// down the ladder, a decode on the worker pool, a streamed batch, a reload. The `Date`
/// line is taken after the wait, so the reply is made here. Returns the route, the status,
/// whether the connection must close after it, and the access log's note.
pub async fn handle_slow<S: Sink>(
    ctx: &ConnCtx,
    head: &Head<'_>,
    ep: Endpoint<'_>,
    body: &[u8],
    sink: &mut S,
    how: How,
) -> Done {
    let (shared, local) = (&ctx.shared, &ctx.local);
    let mut note = Note::default();
    let mut how = how;
    // The API key: its routes and its quota (a batch's is spent once its items are
    // counted); a keyed client is not held to the per-IP rate.
    let keyed = match ep.route_class() {
        Some(class) => {
            let charge = match ep {
                Endpoint::Generate { .. } => Some(Charge::Render),
                Endpoint::Decode { .. } => Some(Charge::Decode),
                Endpoint::Label => Some(Charge::Label),
                _ => None,
            };
            match keyed::admit(ctx, head, class, charge, &mut note) {
                Ok(q) => {
                    how.quota = q;
                    q.is_some()
                }
                Err(r) => {
                    how.quota = r.quota;
                    let lines = how.lines(local);
                    let head_only = head.method == Method::Head;
                    let mut reply = Reply { out: sink.out(), date: lines.as_slice(), head_only, conn: how.conn, note };
                    let status = reply.error(&r.error);
                    return Done { route: ep.metrics_route(), status, close: false, note: reply.note };
                }
            }
        }
        None => false,
    };
    let client = if keyed { None } else { ctx.client(head) };
    // The switches' decision: the request refused, or who asks and what the switches change.
    let mut asker = |route: RouteClass, sym: Option<crate::symbology::Symbology>| {
        let d = switched::decide(ctx, head, route, sym);
        note.switch = d.first.clone();
        match switched::refusal(&d, route) {
            Some(e) => Err(e),
            None => Ok(ladder::Asker { client, background: false, switch: d.effect }),
        }
    };
    let (route, result) = match ep {
        Endpoint::Batch => match asker(RouteClass::Batch, None) {
            Ok(_) => {
                let (status, close) = batch::serve(ctx, head, body, sink, how, &mut note).await;
                return Done { route: Route::Batch, status, close, note };
            }
            Err(e) => (Route::Batch, Err(e)),
        },
        Endpoint::Generate { sym, fmt, path_data, query } => {
            let r = match asker(RouteClass::Generate, Some(sym)) {
                Ok(a) => {
                    ladder::generate(
                        shared,
                        local,
                        ladder::Asked { sym, fmt, src: DataSource::of(path_data, body), query, target: head.target },
                        a,
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            let r = r.map(|(ready, source)| {
                note.source = source;
                ready
            });
            match &r {
                Ok(ready) if matches!(head.method, Method::Get | Method::Head) => {
                    shared.l1.insert(head.target, ready.clone())
                }
                Err(e) => remember_refusal(ctx, head, e),
                Ok(_) => {}
            }
            (Route::Generate, r.map(Answer::Ready))
        }
        Endpoint::Decode { query } => {
            let r = match (asker(RouteClass::Decode, None), decode::ask(query)) {
                (Ok(a), Ok(ask)) => {
                    decode::run(
                        shared,
                        local,
                        decode::Upload {
                            body: body.to_vec(),
                            content_type: head.content_type.map(<[u8]>::to_vec),
                            ask,
                        },
                        a,
                    )
                    .await
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            (Route::Decode, r.map(Answer::Json))
        }
        Endpoint::Label => {
            let r = match asker(RouteClass::Label, None) {
                Ok(a) => label::serve(shared, local, body, a).await.map(|(f, b)| Answer::Body(f.content_type(), b)),
                Err(e) => Err(e),
            };
            (Route::Label, r)
        }
        Endpoint::AdminReload => (Route::Admin, admin::reload(shared, head).await.map(Answer::Json)),
        Endpoint::Profile { query } => {
            (Route::Admin, profile::cpu(shared, query).await.map(|p| Answer::Body(p.content_type, p.body)))
        }
        Endpoint::AdminSwitch { name } => {
            let r = match (switch_name(name), head.method) {
                (Ok(n), Method::Put) => switches::put(shared, head, ctx.peer, n, body).await,
                (Ok(n), _) => switches::delete(shared, head, ctx.peer, n).await,
                (Err(e), _) => Err(e),
            };
            (Route::Admin, r.map(Answer::Json))
        }
        _ => (Route::Other, Err(ApiError::NotFound)),
    };
    let lines = how.lines(local);
    let head_only = head.method == Method::Head;
    let mut reply = Reply { out: sink.out(), date: lines.as_slice(), head_only, conn: how.conn, note };
    let status = match result {
        Ok(Answer::Ready(r)) => reply.ready(head, &r),
        Ok(Answer::Json(doc)) => reply.json(Status::Ok, doc.as_bytes()),
        Ok(Answer::Body(content_type, body)) => reply.simple(Status::Ok, content_type, &body),
        Err(e) => reply.error(&e),
    };
    Done { route, status, close: false, note: reply.note }
}

/// Answers a cache hit (L1 or the template pool): the API key's charge, a `refuse` switch,
/// then the response (or its 304).
fn hit<'a>(ctx: &ConnCtx, head: &Head<'a>, reply: &mut Reply<'_>, r: &Ready, source: Source) -> Outcome<'a> {
    let quota = match keyed::admit(ctx, head, RouteClass::Generate, Some(Charge::Hit), &mut reply.note) {
        Ok(q) => q,
        Err(r) => return Outcome::Done(Route::Generate, keyed::refuse(reply, &r)),
    };
    if let Some(e) = refused_hit(ctx, head, &mut reply.note) {
        return Outcome::Done(Route::Generate, keyed::with_quota(reply, quota, |reply| reply.error(&e)));
    }
    if source == Source::Pool {
        ctx.local.metrics.event(Event::PoolHit);
    }
    reply.note.source = source;
    Outcome::Done(Route::Hit, keyed::with_quota(reply, quota, |reply| reply.ready(head, r)))
}

/// A cache hit's check against the switches: only while a `refuse` could apply to a
/// generate (one flag read otherwise).
fn refused_hit(ctx: &ConnCtx, head: &Head<'_>, note: &mut Note) -> Option<ApiError> {
    if !ctx.shared.switches_touch_hits() {
        return None;
    }
    let Ok(Endpoint::Generate { sym, .. }) = route::route(head.method, head.target) else { return None };
    let d = switched::decide(ctx, head, RouteClass::Generate, Some(sym));
    note.switch = d.first.clone();
    d.effect.refuse.then_some(ApiError::Switched { retry_after: switched::REFUSED_RETRY_S })
}

/// A switch's name from the path: `[a-z0-9-]{1,64}`.
fn switch_name(name: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(name).ok().filter(|n| crate::switch::valid_name(n)).ok_or_else(|| {
        ApiError::BadSwitch(format!("name: {:?} is not [a-z0-9-]{{1,64}}", String::from_utf8_lossy(name)))
    })
}

/// The playground page at `/`: one self-contained HTML file (no CDN, works offline) that
/// calls the API — generate with live preview, parse, decode with the boxes drawn.
const PLAYGROUND: &[u8] = include_bytes!("playground.html");

enum Answer {
    Ready(Arc<Ready>),
    Json(String),
    /// A body that is not cached (a label).
    Body(&'static str, Vec<u8>),
}
