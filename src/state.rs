//! State shared by every core: the configuration, the L1 cache, the template pool snapshot,
//! the metrics board, the memory reading and the drain flag. Everything else is per core
//! (`local.rs`).

use crate::access::AccessLog;
use crate::cache::l1::L1;
use crate::cache::pool::Pool;
use crate::config::Config;
use crate::decoder::{Decoders, WorkerSpec};
use crate::guard::Memory;
use crate::keys::{file as keys_file, KeyTable};
use crate::metrics::Board;
use crate::switch::Switches;
use crate::workers::DecodeWorkers;
use arc_swap::ArcSwap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The one shared part of a running server.
pub struct Shared {
    /// The configuration the server started with. What a reload may change
    /// (`config::reload::LIVE`) is read from `current()` instead.
    pub config: Config,
    /// The configuration in force: `config` with the live settings of the last reload.
    current: ArcSwap<Config>,
    pub l1: L1,
    /// The template pool: read lock-free by every core, swapped whole by `api::warm::reload`.
    pub pool: ArcSwap<Pool>,
    pub board: Board,
    pub memory: Memory,
    pub decode_workers: DecodeWorkers,
    /// The decode worker processes the decode threads hand images to.
    pub decoders: Decoders,
    /// Decodes queued or running, across all cores (admission control).
    pub decodes_in_flight: AtomicUsize,
    pub faults: crate::fault::Faults,
    /// Settings a reload changes while serving (`config::reload::LIVE`).
    pub live: Live,
    /// The raw targets being filled now, on any core (`cache::filling`).
    pub filling: crate::cache::filling::Filling,
    /// The ranking of hot keys from live traffic (`cache::hot`).
    pub hot: crate::cache::hot::Hot,
    draining: AtomicBool,
    /// The listening sockets were handed to a successor (`server::handover`): stopping
    /// then leaves their accept queues to it.
    pub handed_over: std::sync::Arc<AtomicBool>,
    /// One reload at a time (`api::warm::reload`).
    pub reload_lock: Mutex<()>,
    /// The business switches in force: read lock-free per request, swapped whole by
    /// `api::switches` (one change at a time, under `switch_lock`).
    switches: ArcSwap<Switches>,
    /// Whether any switch can refuse a cache hit: the hit path reads this flag alone.
    switches_touch_hits: AtomicBool,
    pub switch_lock: Mutex<()>,
    /// The access log's writer (`--access-log`), when on.
    pub access: Option<AccessLog>,
    /// A CPU profile is being taken (one at a time).
    pub profiling: AtomicBool,
    /// Shadow traffic's queue and results (`--shadow`), when on.
    pub shadow: Option<std::sync::Arc<crate::shadow::Shadow>>,
    /// The Redis Cluster's slot map, one for every core (`cache::l2::cluster`); empty
    /// for one Redis or none.
    pub redis_map: std::sync::Arc<crate::cache::l2::cluster::MapCell>,
    /// The API keys in force (`--api-keys`), swapped whole by a reload; `None`: no file.
    pub keys: arc_swap::ArcSwapOption<KeyTable>,
}

/// The settings a reload changes while serving: read by the cores (the access log's once a
/// second, the shadow's sample per answer), written by the reload.
pub struct Live {
    access_sample: std::sync::atomic::AtomicU64,
    access_slow_us: std::sync::atomic::AtomicU64,
    shadow_sample: std::sync::atomic::AtomicU64,
}

impl Live {
    fn new(c: &Config) -> Live {
        let live = Live {
            access_sample: Default::default(),
            access_slow_us: Default::default(),
            shadow_sample: Default::default(),
        };
        live.set(c);
        live
    }

    /// Takes the live settings of `c`.
    pub fn set(&self, c: &Config) {
        if let Some(a) = &c.access_log {
            self.access_sample.store(a.sample.to_bits(), Ordering::Relaxed);
            self.access_slow_us.store(a.slow.as_micros() as u64, Ordering::Relaxed);
        }
        if let Some(s) = &c.shadow {
            self.shadow_sample.store(s.sample.to_bits(), Ordering::Relaxed);
        }
    }

    /// The access log's sample share and slow threshold.
    pub fn access(&self) -> (f64, std::time::Duration) {
        (
            f64::from_bits(self.access_sample.load(Ordering::Relaxed)),
            std::time::Duration::from_micros(self.access_slow_us.load(Ordering::Relaxed)),
        )
    }

    pub fn shadow_sample(&self) -> f64 {
        f64::from_bits(self.shadow_sample.load(Ordering::Relaxed))
    }
}

impl Shared {
    /// The configuration in force (the live settings as of the last reload).
    pub fn current(&self) -> arc_swap::Guard<std::sync::Arc<Config>> {
        self.current.load()
    }

    /// Takes over the live settings of `new` (`config::reload::LIVE`); the rest stays as
    /// the server started.
    pub fn take_live(&self, new: &Config) {
        let next = crate::config::reload::take_live(&self.current(), new);
        self.memory.set_watermark(next.memory_watermark);
        self.live.set(&next);
        self.current.store(std::sync::Arc::new(next));
    }

    /// The shared state; starts the access log's writer when it is configured.
    pub fn new(config: Config) -> std::io::Result<Shared> {
        let access = config.access_log.clone().map(AccessLog::start).transpose()?;
        let shadow = config.shadow.clone().map(crate::shadow::Shadow::start).transpose()?;
        let l1 = L1::new(config.l1_bytes, config.threads);
        let decode_workers = DecodeWorkers::new(config.limits.decode_workers);
        let exe = match &config.decode_worker_exe {
            Some(p) => p.clone(),
            None => std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into()),
        };
        let decoders = Decoders::new(WorkerSpec { exe, memory_mib: config.limits.decode_worker_memory_mib });
        let board = Board::new(config.threads.max(1));
        let memory = Memory::new(config.memory_watermark);
        let hot = crate::cache::hot::Hot::new(config.hot_keys);
        let live = Live::new(&config);
        let keys = match &config.api_keys {
            Some(path) => {
                let f = keys_file::read(path)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("--api-keys: {e}")))?;
                Some(std::sync::Arc::new(KeyTable::new(f.entries, f.costs, None)))
            }
            None => None,
        };
        Ok(Shared {
            current: ArcSwap::from_pointee(config.clone()),
            config,
            l1,
            pool: ArcSwap::from_pointee(Pool::empty()),
            board,
            memory,
            decode_workers,
            decoders,
            decodes_in_flight: AtomicUsize::new(0),
            faults: Default::default(),
            filling: Default::default(),
            live,
            hot,
            draining: AtomicBool::new(false),
            handed_over: Default::default(),
            reload_lock: Mutex::new(()),
            switches: ArcSwap::from_pointee(Switches::default()),
            switches_touch_hits: AtomicBool::new(false),
            switch_lock: Mutex::new(()),
            access,
            shadow,
            profiling: AtomicBool::new(false),
            redis_map: Default::default(),
            keys: arc_swap::ArcSwapOption::new(keys),
        })
    }

    /// The switches in force.
    pub fn switches(&self) -> arc_swap::Guard<std::sync::Arc<Switches>> {
        self.switches.load()
    }

    /// Puts `s` in force on every core (their next request reads it).
    pub fn set_switches(&self, s: Switches) {
        let touches = s.touches_hits;
        self.switches.store(std::sync::Arc::new(s));
        self.switches_touch_hits.store(touches, Ordering::Release);
    }

    /// Whether a cache hit must be checked against the switches.
    pub fn switches_touch_hits(&self) -> bool {
        self.switches_touch_hits.load(Ordering::Relaxed)
    }

    /// Reads the API keys file again and puts it in force (the buckets of unchanged keys
    /// kept); on any error the keys in force stay. Returns how many keys are in force.
    pub fn reload_keys(&self) -> Result<usize, String> {
        let Some(path) = &self.config.api_keys else { return Ok(0) };
        let f = keys_file::read(path)?;
        let previous = self.keys.load_full();
        let table = KeyTable::new(f.entries, f.costs, previous.as_deref());
        let n = table.len();
        self.keys.store(Some(std::sync::Arc::new(table)));
        Ok(n)
    }

    /// Marks the server as shutting down: `/readyz` answers 503 from now on.
    pub fn start_drain(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}
