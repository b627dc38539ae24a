//! The generate ladder for a request that missed the L1 by raw target and the pool:
//! prepare (every 4xx) → L1 by canonical key → pool by canonical key → coalesce (one fill
//! per key across all cores) → L2 Redis within its budget, behind the Redis breaker →
//! render in the core's render queue, behind the renderer family's breaker, within the
//! render budget and the memory watermark → degraded `503` with `Retry-After`.
//! Never a wrong barcode: every degraded answer is an error, never other bytes.

use super::error::ApiError;
use super::generate::{self, DataSource};
use super::options::{self, Format};
use crate::access::Source;
use crate::cache::l2::L2Error;
use crate::cache::value;
use crate::guard::gate::Refused;
use crate::guard::limit::Slot;
use crate::guard::render_thread::NotRun;
use crate::guard::Class;
use crate::http::encode::Ready;
use crate::local::{Local, RenderOutput, Rendered};
use crate::metrics::Event;
use crate::state::Shared;
use crate::switch::Effect;
use crate::symbology::Symbology;
use std::net::IpAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// Counts a waiting miss on its core for as long as it waits.
struct Waiting<'a>(&'a Local);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.misses.set(self.0.misses.get() - 1);
    }
}

/// A wait as a `Retry-After` value: whole seconds, rounded up.
fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// A gate's refusal as the answer: counted, logged at a limited rate, `Retry-After` in
/// whole seconds (rounded up).
pub(super) fn refusal(shared: &Shared, local: &Local, r: Refused) -> ApiError {
    match r {
        Refused::ClientRate { retry } => {
            local.metrics.event(Event::ClientLimited);
            crate::log::error("client_rate", format_args!("a client over its rate on core {}", local.index));
            ApiError::ClientRate { rate: shared.config.limits.client_rate, retry_after: whole_seconds(retry) }
        }
        Refused::Open { class, retry } => {
            local.metrics.event(Event::Degraded);
            crate::log::error("breaker_open", format_args!("{} on core {}", class.name(), local.index));
            ApiError::Degraded { class: class.name(), why: "circuit breaker open", retry_after: whole_seconds(retry) }
        }
        Refused::Memory { class } => {
            local.metrics.event(Event::Degraded);
            crate::log::error(
                "memory_watermark",
                format_args!("rss {} > {}", shared.memory.rss(), shared.memory.watermark()),
            );
            ApiError::Degraded { class: class.name(), why: "memory above the watermark", retry_after: 1 }
        }
    }
}

/// Logs a breaker's change of state (the permit says whether there was one).
pub(super) fn transition(changed: bool, class: Class, local: &Local) {
    if changed {
        crate::log::error("breaker_transition", format_args!("{} on core {} changed state", class.name(), local.index));
    }
}

/// Asks the L2 within its budget; `Some` on a valid hit.
async fn from_l2(shared: &Shared, local: &Rc<Local>, key: &str) -> Option<Ready> {
    from_l2_keyed(shared, local, key.as_bytes(), &options::etag(key)).await
}

/// Asks the L2 for `key` within its budget, behind the Redis breaker: `Some` on a value of
/// ours, of this renderer, whose head carries `etag`.
pub(super) async fn from_l2_keyed(shared: &Shared, local: &Local, key: &[u8], etag: &str) -> Option<Ready> {
    let l2 = local.l2.as_ref()?;
    let Ok(permit) = local.gate(shared).light(Class::Redis) else {
        local.metrics.event(Event::L2Skipped);
        return None;
    };
    match l2.get(key, permit).await {
        Ok(Some(v)) => match value::decode(v, etag) {
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
        // No connection yet, or the cluster node of this key has its breaker open.
        Err(L2Error::NoConnection | L2Error::NodeOpen) => {
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

/// Who cold work is for: the client (its rate), and whether a request waits on it or a
/// batch does (then it runs as the render thread's background work, after every request's).
#[derive(Clone, Copy, Debug)]
pub struct Asker {
    pub client: Option<IpAddr>,
    pub background: bool,
    /// What the operators' switches change for this request (`api::switched`).
    pub switch: Effect,
}

/// Runs `job` on the core's render thread (the one executor) behind the gate as work of
/// `class` for `asker`: its product, or why not. Every path through here settles the
/// breaker's permit.
pub(super) async fn heavy(
    shared: &Shared,
    local: &Local,
    class: Class,
    asker: Asker,
    job: Box<dyn FnOnce() -> RenderOutput + Send>,
) -> Result<Rendered, ApiError> {
    let slot = admit(local, class, asker)?;
    guarded(shared, local, Work { class, asker, slot }, job).await
}

/// A slot of `class`'s concurrency limit for work a request waits on (background work has
/// none: batches run after every request's renders), or the refusal.
pub(super) fn admit(local: &Local, class: Class, asker: Asker) -> Result<Option<Slot>, ApiError> {
    if asker.background {
        return Ok(None);
    }
    local.slot(class).map_err(|limit| {
        local.metrics.event(Event::Shed);
        ApiError::ConcurrencyLimit { class: class.name(), limit }
    })
}

/// Cold work about to run: its class, who asks, and its slot (taken by the caller before
/// any of the work's CPU was spent, or by `heavy`).
struct Work {
    class: Class,
    asker: Asker,
    slot: Option<Slot>,
}

/// `heavy` with the slot already taken.
async fn guarded(
    shared: &Shared,
    local: &Local,
    Work { class, asker, slot }: Work,
    job: Box<dyn FnOnce() -> RenderOutput + Send>,
) -> Result<Rendered, ApiError> {
    let permit = local
        .gate(shared)
        .forced(asker.switch.breaker_open)
        .heavy(class, asker.client)
        .map_err(|r| refusal(shared, local, r))?;
    let degraded = |why| ApiError::Degraded { class: class.name(), why, retry_after: 1 };
    let budget = shared.current().render_budget;
    let done = if asker.background {
        local.render_thread.submit_background(budget, job).await
    } else {
        local.render_thread.submit(budget, job).await
    };
    match done {
        Ok((r, took)) => {
            // A client error (too many pixels) is not the renderer failing.
            transition(permit.done(took, true), class, local);
            if r.is_ok() {
                local.metrics.event(Event::Render);
                if let Some(s) = slot {
                    s.done();
                }
            }
            r.map_err(ApiError::from)
        }
        Err(NotRun::Full { capacity }) => {
            permit.cancel();
            local.metrics.event(Event::Shed);
            Err(ApiError::Overloaded { what: "render queue", capacity })
        }
        Err(NotRun::Budget { .. }) => {
            permit.cancel();
            local.metrics.event(Event::Degraded);
            Err(degraded("render budget spent waiting in the queue"))
        }
        Err(NotRun::Panicked) => {
            transition(permit.done(Duration::ZERO, false), class, local);
            local.metrics.event(Event::RenderFailed);
            local.metrics.event(Event::Degraded);
            Err(degraded("render failed"))
        }
        Err(NotRun::Overran { limit }) => {
            transition(permit.done(limit, false), class, local);
            local.metrics.event(Event::RenderFailed);
            local.metrics.event(Event::Degraded);
            crate::log::error("render_overran", format_args!("a {} render ran past {limit:?}", class.name()));
            Err(degraded("render ran past its limit"))
        }
    }
}

/// Runs CPU work that is not a render — a batch's JSON, its items' checks and encodes — on
/// the core's render thread, off the event loop (which then stays free for hits and parks
/// normally, so I/O and other threads' wake-ups are served meanwhile), as background work
/// that waits for every queued request's render. No breaker: it is the same validation a
/// single request does before its render. A full queue or a spent budget is `Overloaded`
/// (the caller may wait and retry).
pub(super) async fn offload<T: Send + 'static>(
    shared: &Shared,
    local: &Local,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let job: Box<dyn FnOnce() -> RenderOutput + Send> =
        Box::new(move || Ok(Rendered::Other(Box::new(work()) as Box<dyn std::any::Any + Send>)));
    let failed = ApiError::Degraded { class: "batch", why: "render failed", retry_after: 1 };
    let budget = shared.current().render_budget;
    match local.render_thread.submit_background(budget, job).await {
        Ok((Ok(Rendered::Other(b)), _)) => b.downcast::<T>().map(|b| *b).map_err(|_| failed),
        Ok(_) | Err(NotRun::Panicked | NotRun::Overran { .. }) => Err(failed),
        Err(NotRun::Full { capacity }) => Err(ApiError::Overloaded { what: "render queue", capacity }),
        Err(NotRun::Budget { .. }) => {
            Err(ApiError::Overloaded { what: "render queue", capacity: shared.config.limits.render_queue })
        }
    }
}

/// Renders a prepared request behind the gate.
async fn render(
    shared: &Arc<Shared>,
    local: &Rc<Local>,
    p: generate::Prepared,
    asker: Asker,
    slot: Option<Slot>,
) -> Result<Ready, ApiError> {
    let class = Class::of(p.sym);
    let s = shared.clone();
    let job = Box::new(move || {
        crate::fault::before_render(&s.faults, class.index());
        generate::render(&p, s.current().limits.max_pixels).map(Rendered::Response)
    });
    // A caller that took no slot before the encode (`obtain`) takes it now; background
    // work (a batch's items) takes none.
    let slot = match slot {
        Some(s) => Some(s),
        None => admit(local, class, asker)?,
    };
    match guarded(shared, local, Work { class, asker, slot }, job).await? {
        Rendered::Response(r) => Ok(r),
        _ => Err(ApiError::Degraded { class: class.name(), why: "render failed", retry_after: 1 }),
    }
}

/// The ladder below the raw-target lookups.
pub async fn generate(
    shared: &Arc<Shared>,
    local: &Rc<Local>,
    asked: Asked<'_>,
    asker: Asker,
) -> Result<(Arc<Ready>, Source), ApiError> {
    let Asked { sym, fmt, src, query, target } = asked;
    let class = Class::of(sym);
    // The slot comes first: under overload a refusal costs no encode (the encode is most
    // of a cold QR's CPU, and it runs here on the event loop). Over the limit, a request
    // whose very target is being rendered now waits for that render instead (no CPU of its
    // own; should the render fail, it takes a slot before rendering itself: `render`).
    let slot = match if asker.background { Ok(None) } else { local.slot(class) } {
        Ok(slot) => slot,
        Err(_) if shared.filling.contains(target) => None,
        Err(limit) => {
            local.metrics.event(Event::Shed);
            return Err(ApiError::ConcurrencyLimit { class: class.name(), limit });
        }
    };
    descend(shared, local, generate::prepare(sym, fmt, src, query)?, asker, Filler { slot, target: Some(target) }).await
}

/// A generate request as asked: what to make, and the raw target it came as.
pub struct Asked<'a> {
    pub sym: Symbology,
    pub fmt: Format,
    pub src: DataSource<'a>,
    pub query: &'a [u8],
    pub target: &'a [u8],
}

/// What a request brings to its fill: its slot, if it took one, and its raw target (marked
/// as being filled while it renders, so a refused request for it waits instead).
struct Filler<'a> {
    slot: Option<Slot>,
    target: Option<&'a [u8]>,
}

/// The ladder for a prepared request: L1 and pool by key, coalesce, L2, render.
pub async fn obtain(
    shared: &Arc<Shared>,
    local: &Rc<Local>,
    p: generate::Prepared,
    asker: Asker,
) -> Result<(Arc<Ready>, Source), ApiError> {
    descend(shared, local, p, asker, Filler { slot: None, target: None }).await
}

/// `obtain` holding the request's slot, if it took one.
async fn descend(
    shared: &Arc<Shared>,
    local: &Rc<Local>,
    p: generate::Prepared,
    asker: Asker,
    filler: Filler<'_>,
) -> Result<(Arc<Ready>, Source), ApiError> {
    let Filler { slot, target } = filler;
    if let Some(hit) = shared.l1.get(p.key.as_bytes()) {
        local.metrics.event(Event::L1KeyHit);
        return Ok((hit, Source::L1));
    }
    if let Some(hit) = shared.pool.load().get(p.key.as_bytes()) {
        local.metrics.event(Event::PoolHit);
        return Ok((hit.clone(), Source::Pool));
    }
    local.metrics.event(Event::L1Miss);
    if asker.switch.degrade {
        return cached_only(shared, local, &p, asker).await;
    }
    let cap = shared.current().limits.max_misses;
    if local.misses.get() >= cap {
        local.metrics.event(Event::Shed);
        return Err(ApiError::Overloaded { what: "generate misses", capacity: cap });
    }
    local.misses.set(local.misses.get() + 1);
    let _waiting = Waiting(local);
    let fill = match shared.l1.get_or_fill(p.key.as_bytes()).await {
        Ok(hit) => {
            local.metrics.event(Event::Coalesced);
            return Ok((hit, Source::Coalesced));
        }
        Err(fill) => fill,
    };
    let _filling = target.map(|t| shared.filling.begin(t));
    let key = p.key.clone();
    let l2 = if asker.switch.no_l2 { None } else { from_l2(shared, local, &key).await };
    if let Some(r) = l2 {
        let r = Arc::new(r);
        fill.insert(r.clone());
        return Ok((r, Source::L2));
    }
    let ready = Arc::new(render(shared, local, p, asker, slot).await?);
    fill.insert(ready.clone());
    if let Some(l2) = local.l2.as_ref().filter(|_| !asker.switch.no_l2) {
        let written = l2.set_behind(key.as_bytes(), value::encode(&ready));
        local.metrics.event(if written { Event::L2Write } else { Event::L2WriteDropped });
    }
    Ok((ready, Source::Render))
}

/// A miss under a `degrade` (or `l1-only`) switch: what L2 holds is still served (unless
/// the switch keeps Redis out too), an uncached render is `503 degraded` — as an open
/// breaker answers.
async fn cached_only(
    shared: &Arc<Shared>,
    local: &Rc<Local>,
    p: &generate::Prepared,
    asker: Asker,
) -> Result<(Arc<Ready>, Source), ApiError> {
    if !asker.switch.no_l2 {
        if let Some(r) = from_l2(shared, local, &p.key).await {
            let r = Arc::new(r);
            shared.l1.insert(p.key.as_bytes(), r.clone());
            return Ok((r, Source::L2));
        }
    }
    local.metrics.event(Event::Degraded);
    Err(ApiError::Degraded { class: Class::of(p.sym).name(), why: super::switched::SWITCHED, retry_after: 1 })
}
