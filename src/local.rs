//! What one core owns and never shares: the `Date` cache, connection counters, metrics,
//! breakers, the render queue and the Redis client. Built on the core's thread; every
//! field is `Rc`/`Cell`/`RefCell`, so nothing here costs a cross-core atomic.

use crate::cache::l2::L2;
use crate::guard::clients::{self, ClientLimiter};
use crate::guard::render_queue::RenderQueue;
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
    pub renders: Rc<RenderQueue>,
    pub l2: Option<Rc<L2>>,
    /// Per-client token buckets for cold work (`--client-rate`).
    pub clients: RefCell<ClientLimiter>,
}

impl Local {
    pub fn new(index: usize, shared: &Shared, stop: Arc<AtomicBool>) -> Local {
        let c = &shared.config;
        let breakers = Rc::new(RefCell::new(Breakers::new(&c.breakers, Instant::now())));
        let l2 = c.redis.clone().map(|r| L2::new(r, breakers.clone()));
        Local {
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
        }
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Publishes this core's counters to the shared board (the slow tick).
    pub fn publish(&self, shared: &Shared) {
        let snap = self.metrics.snapshot(self.index, &self.breakers.borrow(), self.renders.len());
        shared.board.publish(snap);
    }
}
