//! What one core owns and never shares: the `Date` cache, connection counters, metrics,
//! breakers, the render thread and the Redis client. Built on the core's thread; every
//! field is `Rc`/`Cell`/`RefCell`, so nothing here costs a cross-core atomic.

use crate::access::trace::Rng;
use crate::access::CoreLog;
use crate::cache::hot::{self, SpaceSaving};
use crate::cache::l2::L2;
use crate::guard::clients::{self, ClientLimiter};
use crate::guard::gate::Gate;
use crate::guard::limit::{self, Limits, Slot};
use crate::guard::render_thread::RenderThread;
use crate::guard::Breakers;
use crate::http::date::DateCache;
use crate::http::encode::Ready;
use crate::metrics::CoreMetrics;
use crate::render::RenderError;
use crate::state::Shared;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

pub struct Local {
    /// This core's index (0-based), the `core` label in `/metrics`.
    pub index: usize,
    pub date: RefCell<DateCache>,
    /// Open connections on this core.
    pub conns: Cell<usize>,
    /// Connections with a request read but not yet answered.
    pub busy: Cell<usize>,
    /// Generate misses waiting on this core (for L2, a coalesced fill or the render queue).
    pub misses: Cell<usize>,
    pub stop: Arc<AtomicBool>,
    /// Closed when this core stops: wakes whatever waits on `stopped()` (pending accepts,
    /// idle keep-alive connections). It never has permits.
    pub stop_signal: local_sync::semaphore::Semaphore,
    pub metrics: CoreMetrics,
    pub breakers: Rc<RefCell<Breakers>>,
    /// The adaptive concurrency limits of the render classes (`None`: off).
    pub limits: Option<Rc<RefCell<Limits>>>,
    /// The core's render thread: the one executor of cold renders.
    pub render_thread: Rc<RenderThread<RenderOutput>>,
    pub l2: Option<Rc<L2>>,
    /// Per-client token buckets for cold work (`--client-rate`).
    pub clients: RefCell<ClientLimiter>,
    /// This core's leases of the API keys' quotas (`keys::bucket`).
    pub leases: RefCell<crate::keys::bucket::Leases>,
    /// This core's access-log buffer, when the log is on.
    pub access: Option<RefCell<CoreLog>>,
    /// This core's recent refusals of invalid generate requests (`cache::negative`).
    pub negative: RefCell<crate::cache::negative::Negative>,
    /// This core's sketch of hot generate targets (`cache::hot`), when `--hot-keys` > 0.
    pub hot: Option<RefCell<SpaceSaving>>,
    /// This core's random draws for samples (`--shadow-sample`).
    rng: RefCell<Rng>,
}

/// What a render job gives: a response (a generate) or bytes (a batch's piece of a page),
/// or why the image cannot be made.
pub type RenderOutput = Result<Rendered, RenderError>;

/// A render job's product.
pub enum Rendered {
    Response(Ready),
    Bytes(Vec<u8>),
    /// Other CPU work moved off the core's loop (a batch's checks), as its caller typed it.
    Other(Box<dyn std::any::Any + Send>),
}

impl Local {
    /// The core's state; starts its render thread (pinned to `cpu` when given).
    pub fn new(index: usize, cpu: Option<usize>, shared: &Shared, stop: Arc<AtomicBool>) -> std::io::Result<Local> {
        let c = &shared.config;
        let render_thread = Rc::new(RenderThread::start(index, cpu, c.limits.render_queue, c.render_nice)?);
        let breakers = Rc::new(RefCell::new(Breakers::new(&c.breakers, Instant::now())));
        let l2 = c.redis.clone().map(|r| L2::new(r, breakers.clone(), shared.redis_map.clone()));
        Ok(Local {
            index,
            date: RefCell::new(DateCache::default()),
            conns: Cell::new(0),
            busy: Cell::new(0),
            misses: Cell::new(0),
            stop,
            stop_signal: local_sync::semaphore::Semaphore::new(0),
            metrics: CoreMetrics::default(),
            breakers,
            limits: c.concurrency.map(|p| Rc::new(RefCell::new(Limits::new(p, Instant::now())))),
            l2,
            clients: RefCell::new(ClientLimiter::new(
                c.limits.client_rate,
                c.limits.client_burst,
                clients::MAX_CLIENTS,
            )),
            leases: RefCell::default(),
            render_thread,
            access: c.access_log.as_ref().map(|a| RefCell::new(CoreLog::new(index, a))),
            rng: RefCell::new(Rng::for_core(index)),
            negative: RefCell::default(),
            hot: (c.hot_keys > 0).then(|| RefCell::new(SpaceSaving::new(hot::SKETCH_COUNTERS))),
        })
    }

    /// True with probability `p` (0-1).
    pub fn draw(&self, p: f64) -> bool {
        self.rng.borrow_mut().unit() < p
    }

    /// Counts a sample (one in `hot::SAMPLE_EVERY`) of the generate GETs answered 200, from
    /// a cache or a render, in the core's hot-key sketch.
    pub fn note_hot(&self, route: crate::metrics::Route, status: u16, head: &crate::http::head::Head<'_>) {
        use crate::metrics::Route;
        let Some(sketch) = &self.hot else { return };
        if status != 200
            || !matches!(route, Route::Hit | Route::Generate)
            || head.method != crate::http::head::Method::Get
        {
            return;
        }
        if self.rng.borrow_mut().draw().is_multiple_of(u64::from(hot::SAMPLE_EVERY)) {
            sketch.borrow_mut().add(head.target);
        }
    }

    /// Hands this core's hot-key counts since the last call to the instance's ranking.
    pub fn fold_hot(&self, shared: &Shared) {
        if let Some(sketch) = &self.hot {
            let counts = sketch.borrow_mut().drain();
            shared.hot.merge(counts, Instant::now());
        }
    }

    /// Renders waiting on this core.
    pub fn renders_queued(&self) -> usize {
        self.render_thread.len()
    }

    /// A slot of `class`'s concurrency limit for cold work a request waits on: `Ok(None)`
    /// when limits are off or the class has none, `Err` with the limit when it is reached.
    pub fn slot(&self, class: crate::guard::Class) -> Result<Option<Slot>, u32> {
        match &self.limits {
            Some(l) if Limits::limited(class) => limit::acquire(l, class, self.render_thread.is_empty()).map(Some),
            _ => Ok(None),
        }
    }

    /// The core's admission gate (client rate, breakers, memory) for guarded work.
    pub fn gate<'a>(&'a self, shared: &'a Shared) -> Gate<'a> {
        Gate { breakers: &self.breakers, clients: &self.clients, memory: &shared.memory, force: None }
    }

    /// Resolves once this core stops (`stop_signal` closed).
    pub async fn stopped(&self) {
        let _ = self.stop_signal.acquire().await;
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Publishes this core's counters to the shared board (the slow tick).
    pub fn publish(&self, shared: &Shared) {
        if let (Some(c), Some(log)) = (&self.access, &shared.access) {
            let mut c = c.borrow_mut();
            c.flush(log);
            let (sample, slow) = shared.live.access();
            c.set_policy(sample, slow);
        }
        let mut snap = self.metrics.snapshot(self.index, &self.breakers.borrow(), self.renders_queued());
        if let Some(l) = &self.limits {
            snap.limits = l.borrow().iter().map(|(c, l)| (c, l.limit(), l.in_flight(), l.refused)).collect();
        }
        if let Some(l2) = &self.l2 {
            snap.redis_nodes = l2.nodes();
        }
        shared.board.publish(snap);
    }
}
