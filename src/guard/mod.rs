//! Degradation and circuit breaking, per core: the admission gate (`gate.rs`: all policy),
//! the breakers of one core (one per route class), the adaptive concurrency limits
//! (`limit.rs`: one per render class), the per-core render thread with its
//! admission limit and budget, the client buckets, and the process memory watermark. Nothing here is shared between cores except the RSS reading.

pub mod breaker;
pub mod clients;
pub mod gate;
pub mod limit;
pub mod render_thread;

use crate::symbology::spec::Family;
use crate::symbology::Symbology;
use breaker::{Breaker, Policy};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What a breaker protects: a renderer family, parse, decode or the Redis L2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Linear,
    Qr,
    DataMatrix,
    Pdf417,
    Aztec,
    /// A label layout (`POST /v1/label`): its barcodes, text and rules drawn together.
    Label,
    Parse,
    Decode,
    Redis,
}

impl Class {
    pub const ALL: [Class; 9] = [
        Class::Linear,
        Class::Qr,
        Class::DataMatrix,
        Class::Pdf417,
        Class::Aztec,
        Class::Label,
        Class::Parse,
        Class::Decode,
        Class::Redis,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Linear => "render_linear",
            Class::Qr => "render_qr",
            Class::DataMatrix => "render_datamatrix",
            Class::Pdf417 => "render_pdf417",
            Class::Aztec => "render_aztec",
            Class::Label => "render_label",
            Class::Parse => "parse",
            Class::Decode => "decode",
            Class::Redis => "redis",
        }
    }

    /// The breaker class of a symbology: its spec's renderer family.
    pub fn of(sym: Symbology) -> Class {
        match sym.spec().family {
            Family::Linear => Class::Linear,
            Family::Qr => Class::Qr,
            Family::DataMatrix => Class::DataMatrix,
            Family::Pdf417 => Class::Pdf417,
            Family::Aztec => Class::Aztec,
        }
    }

    /// The class's position in `ALL` (its breaker's slot; the fault hooks' class bit).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Breaker thresholds from the configuration; `slow` differs per class.
#[derive(Clone, Copy, Debug)]
pub struct BreakerConfig {
    pub base: Policy,
    /// A decode slower than this counts as a failure (decodes are slow by nature).
    pub decode_slow: Duration,
    /// A Redis call slower than this (its budget) counts as a failure.
    pub redis_slow: Duration,
}

/// Test thresholds (the service takes its own from the flags, `config::Cli`).
#[cfg(test)]
impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            base: Policy::default(),
            decode_slow: Duration::from_secs(2),
            redis_slow: Duration::from_millis(2),
        }
    }
}

/// One core's breakers, one per class.
pub struct Breakers {
    all: Vec<Breaker>,
}

impl Breakers {
    pub fn new(c: &BreakerConfig, now: Instant) -> Breakers {
        let all = Class::ALL
            .iter()
            .map(|&class| {
                // Decodes and Redis calls are judged against their budgets, never adaptively.
                let (slow, auto) = match class {
                    Class::Decode => (c.decode_slow, None),
                    Class::Redis => (c.redis_slow, None),
                    _ => (c.base.slow, c.base.auto),
                };
                Breaker::new(Policy { slow, auto, ..c.base }, now)
            })
            .collect();
        Breakers { all }
    }

    pub fn get(&mut self, class: Class) -> &mut Breaker {
        &mut self.all[class.index()]
    }

    pub fn iter(&self) -> impl Iterator<Item = (Class, &Breaker)> {
        Class::ALL.iter().copied().zip(self.all.iter())
    }
}

/// The process's resident memory, read on the slow tick, and its watermark.
pub struct Memory {
    rss: AtomicU64,
    watermark: AtomicU64,
}

impl Memory {
    /// `watermark` in bytes; 0 turns the check off.
    pub fn new(watermark: u64) -> Memory {
        Memory { rss: AtomicU64::new(read_rss().unwrap_or(0)), watermark: AtomicU64::new(watermark) }
    }

    /// Re-reads the RSS (once a second from one core, never per request).
    pub fn refresh(&self) {
        if let Some(r) = read_rss() {
            self.rss.store(r, Ordering::Relaxed);
        }
    }

    pub fn rss(&self) -> u64 {
        self.rss.load(Ordering::Relaxed)
    }

    pub fn watermark(&self) -> u64 {
        self.watermark.load(Ordering::Relaxed)
    }

    /// A new watermark (a reload); 0 turns the check off.
    pub fn set_watermark(&self, bytes: u64) {
        self.watermark.store(bytes, Ordering::Relaxed);
    }

    /// True when new renders must be refused to protect memory.
    pub fn over(&self) -> bool {
        let w = self.watermark();
        w != 0 && self.rss() > w
    }
}

/// Resident set size from `/proc/self/statm`.
pub fn read_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = s.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * page.max(4096) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_index_their_breakers() {
        let mut b = Breakers::new(&BreakerConfig::default(), Instant::now());
        for (i, c) in Class::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
        assert_eq!(b.get(Class::Redis).policy().slow, Duration::from_millis(2));
        assert_eq!(b.get(Class::Qr).policy().slow, Duration::from_millis(80));
        let by_name = |n: &str| Class::of(Symbology::from_name(n.as_bytes()).unwrap());
        assert_eq!(by_name("ean13"), Class::Linear);
        assert_eq!(by_name("qr"), Class::Qr);
        assert_eq!(by_name("aztec"), Class::Aztec);
    }

    #[test]
    fn rss_is_read() {
        let m = Memory::new(1);
        assert!(m.rss() > 0);
        assert!(m.over());
        assert!(!Memory::new(0).over());
    }
}
