//! What one core owns and never shares: the `Date` cache, connection counters, metrics,
//! breakers, the render queue and the Redis client. Built on the core's thread; every
//! field is `Rc`/`Cell`/`RefCell`, so nothing here costs a cross-core atomic.

use crate::api::ladder::Rendered;
use crate::cache::l2::L2;
use crate::config::RenderMode;
use crate::guard::clients::{self, ClientLimiter};
use crate::guard::render_queue::RenderQueue;
use crate::guard::render_thread::RenderThread;
use crate::guard::Breakers;
use crate::http::date::DateCache;
use crate::metrics::CoreMetrics;
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
    /// Requests answered from a cache without waiting (the render queue's activity signal).
    pub hits: Cell<u64>,
    /// Generate misses waiting on this core (for L2, a coalesced fill or the render queue).
    pub misses: Cell<usize>,
    pub stop: Arc<AtomicBool>,
    pub metrics: CoreMetrics,
    pub breakers: Rc<RefCell<Breakers>>,
    /// The in-loop render queue (`--render-mode inline`).
    pub renders: Rc<RenderQueue>,
    /// The core's render thread (`--render-mode thread`, the default).
    pub render_thread: Option<Rc<RenderThread<Rendered>>>,
    pub l2: Option<Rc<L2>>,
    /// Per-client token buckets for cold work (`--client-rate`).
    pub clients: RefCell<ClientLimiter>,
}

impl Local {
    /// The core's state; starts its render thread (pinned to `cpu` when given) in thread mode.
    pub fn new(index: usize, cpu: Option<usize>, shared: &Shared, stop: Arc<AtomicBool>) -> std::io::Result<Local> {
        let c = &shared.config;
        let render_thread = match c.render_mode {
            RenderMode::Thread => Some(Rc::new(RenderThread::start(index, cpu, c.limits.render_queue, c.render_nice)?)),
            RenderMode::Inline => None,
        };
        let breakers = Rc::new(RefCell::new(Breakers::new(&c.breakers, Instant::now())));
        let l2 = c.redis.clone().map(|r| L2::new(r, breakers.clone()));
        Ok(Local {
            index,
            date: RefCell::new(DateCache::default()),
            conns: Cell::new(0),
            busy: Cell::new(0),
            hits: Cell::new(0),
            misses: Cell::new(0),
            stop,
            metrics: CoreMetrics::default(),
            breakers,
            renders: Rc::new(RenderQueue::new(
                c.limits.render_queue,
                c.render_slice,
                c.render_share,
                c.render_overhead,
            )),
            l2,
            clients: RefCell::new(ClientLimiter::new(
                c.limits.client_rate,
                c.limits.client_burst,
                clients::MAX_CLIENTS,
            )),
            render_thread,
        })
    }

    /// Renders waiting on this core, in whichever mode it runs them.
    pub fn renders_queued(&self) -> usize {
        self.render_thread.as_ref().map_or_else(|| self.renders.len(), |t| t.len())
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Publishes this core's counters to the shared board (the slow tick).
    pub fn publish(&self, shared: &Shared) {
        let snap = self.metrics.snapshot(self.index, &self.breakers.borrow(), self.renders_queued());
        shared.board.publish(snap);
    }
}
