//! State shared by every core: the configuration, the L1 cache and the drain flag. Nothing
//! else crosses cores; per-core state (Date cache, buffers) lives in `server/`.

use crate::cache::l1::L1;
use crate::config::Config;
use crate::server::pool::DecodePool;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The one shared, immutable-except-for-the-cache part of a running server.
pub struct Shared {
    pub config: Config,
    pub l1: L1,
    pub decode_pool: DecodePool,
    /// Decodes queued or running, across all cores (admission control).
    pub decodes_in_flight: AtomicUsize,
    draining: AtomicBool,
}

impl Shared {
    pub fn new(config: Config) -> Shared {
        let l1 = L1::new(config.l1_bytes, config.threads);
        let decode_pool = DecodePool::new(config.limits.decode_workers);
        Shared { config, l1, decode_pool, decodes_in_flight: AtomicUsize::new(0), draining: AtomicBool::new(false) }
    }

    /// Marks the server as shutting down: `/readyz` answers 503 from now on.
    pub fn start_drain(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}
