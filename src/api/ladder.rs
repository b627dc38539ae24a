//! The generate ladder for a request that missed the L1 by raw target and the pool:
//! prepare (every 4xx) → L1 by canonical key → pool by canonical key → coalesce (one fill
//! per key across all cores) → L2 Redis within its budget, behind the Redis breaker →
//! render in the core's render queue, behind the renderer family's breaker, within the
//! render budget and the memory watermark → degraded `503` with `Retry-After`.
//! Never a wrong barcode: every degraded answer is an error, never other bytes.

use super::error::ApiError;
use super::generate::{self, DataSource};
use super::options::{self, Format};
use crate::cache::l2::L2Error;
use crate::cache::value;
use crate::guard::breaker::Admit;
use crate::guard::Class;
use crate::http::encode::Ready;
use crate::local::Local;
use crate::metrics::Event;
use crate::state::Shared;
use crate::symbology::Symbology;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Counts a waiting miss on its core for as long as it waits.
struct Waiting<'a>(&'a Local);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.misses.set(self.0.misses.get() - 1);
    }
}

/// A wait as a `Retry-After` value: whole seconds, rounded up.
pub fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The gate before CPU-heavy work of `class` (a render, a decode): the client must be
/// within its rate (`--client-rate`, else 429), the core's breaker must admit it and the
/// process must be under the memory watermark; otherwise the degraded 503 (counted, logged
/// at a limited rate). `Retry-After` is rounded up to whole seconds.
pub(super) fn admit_heavy(
    shared: &Shared,
    local: &Local,
    class: Class,
    client: Option<IpAddr>,
) -> Result<(), ApiError> {
    if let Some(ip) = client {
        if let Err(wait) = local.clients.borrow_mut().admit(ip, Instant::now()) {
            local.metrics.event(Event::ClientLimited);
            crate::log::error("client_rate", format_args!("{ip} over its rate on core {}", local.index));
            return Err(ApiError::ClientRate {
                rate: shared.config.limits.client_rate,
                retry_after: whole_seconds(wait),
            });
        }
    }
    if let Admit::No(retry) = local.breakers.borrow_mut().get(class).admit(Instant::now()) {
        local.metrics.event(Event::Degraded);
        crate::log::error("breaker_open", format_args!("{} on core {}", class.name(), local.index));
        let retry_after = whole_seconds(retry);
        return Err(ApiError::Degraded { class: class.name(), why: "circuit breaker open", retry_after });
    }
    if shared.memory.over() {
        local.metrics.event(Event::Degraded);
        crate::log::error(
            "memory_watermark",
            format_args!("rss {} > {}", shared.memory.rss(), shared.memory.watermark()),
        );
        return Err(ApiError::Degraded { class: class.name(), why: "memory above the watermark", retry_after: 1 });
    }
    Ok(())
}

/// Asks the L2 within its budget; `Some` on a valid hit.
async fn from_l2(local: &Rc<Local>, key: &str) -> Option<Ready> {
    let l2 = local.l2.as_ref()?;
    if let Admit::No(_) = local.breakers.borrow_mut().get(Class::Redis).admit(Instant::now()) {
        local.metrics.event(Event::L2Skipped);
        return None;
    }
    match l2.get(key.as_bytes()).await {
        Ok(Some(v)) => match value::decode(v, &options::etag(key)) {
            Some(r) => {
                local.metrics.event(Event::L2Hit);
                Some(r)
            }
            None => {
                local.metrics.event(Event::L2Invalid);
                None
            }
        },
        Ok(None) => {
            local.metrics.event(Event::L2Miss);
            None
        }
        Err(L2Error::NoConnection) => {
            local.metrics.event(Event::L2Skipped);
            None
        }
        Err(e) => {
            local.metrics.event(Event::L2Error);
            crate::log::error("redis_get", format_args!("{e:?}"));
            None
        }
    }
}

/// What a render job hands back: the answer, and how long the render took (`None` when
/// the job's budget was spent waiting and nothing was rendered).
pub type Rendered = (Result<Ready, ApiError>, Option<Duration>);

/// The job itself, on whichever thread runs it: skip when the budget was spent in the
/// queue, otherwise render (through the fault hook in test builds) and time it.
fn run_job(s: &Shared, p: &generate::Prepared, class: Class, waited: Duration) -> Rendered {
    if waited >= s.config.render_budget {
        let why = "render budget spent waiting in the queue";
        return (Err(ApiError::Degraded { class: class.name(), why, retry_after: 1 }), None);
    }
    let started = Instant::now();
    let r = match crate::fault::before_render(s) {
        Ok(()) => generate::render(p, s.config.limits.max_pixels),
        Err(_) => Err(ApiError::Degraded { class: class.name(), why: "render failed", retry_after: 1 }),
    };
    (r, Some(started.elapsed()))
}

/// Renders on the core's render thread or in its in-loop queue, under the family's breaker;
/// the answer or why not.
async fn render(
    shared: &Arc<Shared>,
    local: &Rc<Local>,
    p: generate::Prepared,
    client: Option<IpAddr>,
) -> Result<Ready, ApiError> {
    let class = Class::of(p.sym);
    admit_heavy(shared, local, class, client)?;
    // A render that panicked (its result never came) is the renderer failing: the breaker
    // counts it.
    let failed = || {
        (Err(ApiError::Degraded { class: class.name(), why: "render failed", retry_after: 1 }), Some(Duration::ZERO))
    };
    let queued = match &local.render_thread {
        Some(t) => {
            let s = shared.clone();
            t.run(Box::new(move |waited| run_job(&s, &p, class, waited)))
                .await
                .map(|done| done.unwrap_or_else(failed))
                .map_err(|full| full.capacity)
        }
        None => {
            let (tx, rx) = local_sync::oneshot::channel::<Rendered>();
            let s = shared.clone();
            match local.renders.push(Box::new(move |waited| {
                let _ = tx.send(run_job(&s, &p, class, waited));
            })) {
                Ok(()) => Ok(rx.await.unwrap_or_else(|_| failed())),
                Err(full) => Err(full.capacity),
            }
        }
    };
    let (r, took) = match queued {
        Ok(done) => done,
        Err(capacity) => {
            local.metrics.event(Event::Shed);
            return Err(ApiError::Overloaded { what: "render queue", capacity });
        }
    };
    if let Some(took) = took {
        // A client error (too many pixels) is not the renderer failing.
        let ok = !matches!(r, Err(ApiError::Degraded { .. }));
        if local.breakers.borrow_mut().get(class).record(Instant::now(), took, ok) {
            crate::log::error(
                "breaker_transition",
                format_args!("{} on core {} changed state", class.name(), local.index),
            );
        }
        if !ok {
            local.metrics.event(Event::RenderFailed);
        }
    }
    match &r {
        Ok(_) => local.metrics.event(Event::Render),
        Err(ApiError::Degraded { .. }) => local.metrics.event(Event::Degraded),
        Err(_) => {}
    }
    r
}

/// The ladder below the raw-target lookups.
pub async fn generate(
    shared: &Arc<Shared>,
    local: &Rc<Local>,
    sym: Symbology,
    fmt: Format,
    src: DataSource<'_>,
    query: &[u8],
    client: Option<IpAddr>,
) -> Result<Arc<Ready>, ApiError> {
    let p = generate::prepare(sym, fmt, src, query)?;
    if let Some(hit) = shared.l1.get(p.key.as_bytes()) {
        local.metrics.event(Event::L1KeyHit);
        return Ok(hit);
    }
    if let Some(hit) = shared.pool.load().get(p.key.as_bytes()) {
        local.metrics.event(Event::PoolHit);
        return Ok(hit.clone());
    }
    local.metrics.event(Event::L1Miss);
    let cap = shared.config.limits.max_misses;
    if local.misses.get() >= cap {
        local.metrics.event(Event::Shed);
        return Err(ApiError::Overloaded { what: "generate misses", capacity: cap });
    }
    local.misses.set(local.misses.get() + 1);
    let _waiting = Waiting(local);
    let fill = match shared.l1.get_or_fill(p.key.as_bytes()).await {
        Ok(hit) => {
            local.metrics.event(Event::Coalesced);
            return Ok(hit);
        }
        Err(fill) => fill,
    };
    let key = p.key.clone();
    if let Some(r) = from_l2(local, &key).await {
        let r = Arc::new(r);
        fill.insert(r.clone());
        return Ok(r);
    }
    let ready = Arc::new(render(shared, local, p, client).await?);
    fill.insert(ready.clone());
    if let Some(l2) = &local.l2 {
        let written = l2.set_behind(key.as_bytes(), value::encode(&ready));
        local.metrics.event(if written { Event::L2Write } else { Event::L2WriteDropped });
    }
    Ok(ready)
}
