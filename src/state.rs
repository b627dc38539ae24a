//! State shared by every core: the configuration, the L1 cache, the template pool snapshot,
//! the metrics board, the memory reading and the drain flag. Everything else is per core
//! (`local.rs`).

use crate::cache::l1::L1;
use crate::cache::pool::Pool;
use crate::config::Config;
use crate::guard::Memory;
use crate::metrics::Board;
use crate::workers::DecodeWorkers;
use arc_swap::ArcSwap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The one shared part of a running server.
pub struct Shared {
    pub config: Config,
    pub l1: L1,
    /// The template pool: read lock-free by every core, swapped whole by `api::warm::reload`.
    pub pool: ArcSwap<Pool>,
    pub board: Board,
    pub memory: Memory,
    pub decode_workers: DecodeWorkers,
    /// Decodes queued or running, across all cores (admission control).
    pub decodes_in_flight: AtomicUsize,
    pub faults: crate::fault::Faults,
    draining: AtomicBool,
    /// One reload at a time (`api::warm::reload`).
    pub reload_lock: Mutex<()>,
}

impl Shared {
    pub fn new(config: Config) -> Shared {
        let l1 = L1::new(config.l1_bytes, config.threads);
        let decode_workers = DecodeWorkers::new(config.limits.decode_workers);
        let board = Board::new(config.threads.max(1));
        let memory = Memory::new(config.memory_watermark);
        Shared {
            config,
            l1,
            pool: ArcSwap::from_pointee(Pool::empty()),
            board,
            memory,
            decode_workers,
            decodes_in_flight: AtomicUsize::new(0),
            faults: Default::default(),
            draining: AtomicBool::new(false),
            reload_lock: Mutex::new(()),
        }
    }

    /// Marks the server as shutting down: `/readyz` answers 503 from now on.
    pub fn start_drain(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}
