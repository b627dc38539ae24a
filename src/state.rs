//! State shared by every core: the configuration, the L1 cache, the template pool snapshot,
//! the metrics board, the memory reading and the drain flag. Everything else is per core
//! (`local.rs`).

use crate::cache::l1::L1;
use crate::cache::pool::Pool;
use crate::config::Config;
use crate::guard::Memory;
use crate::metrics::Board;
use crate::server::pool::DecodePool;
use arc_swap::ArcSwap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Largest warm-list file read.
pub const MAX_WARM_FILE: u64 = 16 * 1024 * 1024;

/// The one shared part of a running server.
pub struct Shared {
    pub config: Config,
    pub l1: L1,
    /// The template pool: read lock-free by every core, swapped whole by `reload`.
    pub pool: ArcSwap<Pool>,
    pub board: Board,
    pub memory: Memory,
    pub decode_pool: DecodePool,
    /// Decodes queued or running, across all cores (admission control).
    pub decodes_in_flight: AtomicUsize,
    pub faults: crate::fault::Faults,
    draining: AtomicBool,
    reload_lock: Mutex<()>,
}

/// What a reload did.
#[derive(Debug)]
pub struct Reloaded {
    pub generation: u64,
    pub entries: usize,
    pub bytes: u64,
    pub errors: Vec<String>,
    pub more_errors: usize,
}

impl Shared {
    pub fn new(config: Config) -> Shared {
        let l1 = L1::new(config.l1_bytes, config.threads);
        let decode_pool = DecodePool::new(config.limits.decode_workers);
        let board = Board::new(config.threads.max(1));
        let memory = Memory::new(config.memory_watermark);
        Shared {
            config,
            l1,
            pool: ArcSwap::from_pointee(Pool::empty()),
            board,
            memory,
            decode_pool,
            decodes_in_flight: AtomicUsize::new(0),
            faults: Default::default(),
            draining: AtomicBool::new(false),
            reload_lock: Mutex::new(()),
        }
    }

    /// Rebuilds the template pool from the warm list and swaps it in. Runs on the calling
    /// thread (never a serving core's loop); requests keep using the old snapshot until
    /// the swap. An unreadable warm list keeps the old snapshot and says why.
    pub fn reload(&self) -> Result<Reloaded, String> {
        let _one_at_a_time = self.reload_lock.lock().map_err(|_| "reload lock poisoned".to_string())?;
        let text = match &self.config.warm {
            None => String::new(),
            Some(path) => {
                let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
                if meta.len() > MAX_WARM_FILE {
                    return Err(format!("{}: {} bytes, more than {MAX_WARM_FILE}", path.display(), meta.len()));
                }
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?
            }
        };
        let generation = self.pool.load().generation + 1;
        let pool = Pool::build(generation, &text, &self.config.limits, self.config.pool_bytes);
        let r = Reloaded {
            generation,
            entries: pool.entries,
            bytes: pool.bytes,
            errors: pool.errors.clone(),
            more_errors: pool.more_errors,
        };
        self.pool.store(Arc::new(pool));
        Ok(r)
    }

    /// Marks the server as shutting down: `/readyz` answers 503 from now on.
    pub fn start_drain(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}
