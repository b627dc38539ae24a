//! A key's token bucket across the cores without a lock per request. The `Bucket` is the
//! key's reserve (rate, burst; a mutex taken only to lease); each core holds a small lease
//! of tokens in its own `Leases` (no sharing) and spends from it. When a lease runs short
//! the core takes the next one from the reserve (the lease is a slice of the burst: at most
//! `burst / (4 × cores)`, at most a twentieth of a second of rate, never less than the
//! request's cost), and once a second (`Leases::settle`) a core gives back the leases it
//! has not touched since its last settle: tokens stranded on a core a client left return to
//! the reserve. A key's clients can thus spend at most its burst plus the leases the cores
//! hold. Pure: times are passed in.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Reserve {
    tokens: f64,
    at: Instant,
}

/// One key's reserve of quota units.
#[derive(Debug)]
pub struct Bucket {
    /// Units per second, and the most the bucket holds.
    pub rate: f64,
    pub burst: f64,
    reserve: Mutex<Reserve>,
    /// The reserve as of the last lease, read without the lock for the headers: its tokens
    /// (`f64` bits) and when (nanoseconds after `epoch`).
    seen_tokens: AtomicU64,
    seen_at: AtomicU64,
    epoch: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn new(rate: u32, burst: u32) -> Bucket {
        let now = Instant::now();
        let burst = burst.max(1) as f64;
        Bucket {
            rate: rate.max(1) as f64,
            burst,
            reserve: Mutex::new(Reserve { tokens: burst, at: now }),
            seen_tokens: AtomicU64::new(burst.to_bits()),
            seen_at: AtomicU64::new(0),
            epoch: now,
        }
    }

    fn refill(&self, r: &mut Reserve, now: Instant) {
        r.tokens = (r.tokens + now.saturating_duration_since(r.at).as_secs_f64() * self.rate).min(self.burst);
        r.at = r.at.max(now);
    }

    fn publish(&self, r: &Reserve) {
        self.seen_tokens.store(r.tokens.to_bits(), Ordering::Relaxed);
        self.seen_at.store(r.at.saturating_duration_since(self.epoch).as_nanos() as u64, Ordering::Relaxed);
    }

    /// Takes `want` tokens from the reserve, or all it has if that is at least `need`;
    /// `Err(available)` when it has less than `need` (nothing taken).
    fn lease(&self, need: f64, want: f64, now: Instant) -> Result<f64, f64> {
        let mut r = self.reserve.lock().unwrap_or_else(|p| p.into_inner());
        self.refill(&mut r, now);
        let got = if r.tokens >= want {
            want
        } else if r.tokens >= need {
            r.tokens
        } else {
            self.publish(&r);
            return Err(r.tokens.max(0.0));
        };
        r.tokens -= got;
        self.publish(&r);
        Ok(got)
    }

    /// Puts unspent tokens back.
    fn give_back(&self, tokens: f64, now: Instant) {
        let mut r = self.reserve.lock().unwrap_or_else(|p| p.into_inner());
        self.refill(&mut r, now);
        r.tokens = (r.tokens + tokens).min(self.burst);
        self.publish(&r);
    }

    /// The reserve now, from what the last lease saw (no lock).
    fn estimate(&self, now: Instant) -> f64 {
        let tokens = f64::from_bits(self.seen_tokens.load(Ordering::Relaxed));
        let at = self.epoch + Duration::from_nanos(self.seen_at.load(Ordering::Relaxed));
        (tokens + now.saturating_duration_since(at).as_secs_f64() * self.rate).min(self.burst)
    }

    /// The size of one core's lease.
    fn lease_size(&self, cores: usize) -> f64 {
        (self.burst / (4 * cores.max(1)) as f64).min(self.rate / 20.0).max(1.0)
    }

    /// The policy as the `RateLimit-Policy` field states it: the quota (the burst) and the
    /// window in which an empty bucket fills again (whole seconds, at least 1).
    pub fn policy(&self) -> (u64, u64) {
        (self.burst as u64, ((self.burst / self.rate).ceil() as u64).max(1))
    }
}

/// The state of a key's quota after a request, for the `RateLimit` field.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quota {
    /// The policy: quota and window (seconds).
    pub q: u64,
    pub w: u64,
    /// Units left (this core's lease and the reserve), and seconds until the bucket is full.
    pub r: u64,
    pub t: u64,
}

/// Why a request was not admitted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Short {
    /// Not enough units now: the quota, and seconds until there are (at least 1).
    Wait { quota: Quota, retry: u64 },
    /// The request costs more than the burst: it can never be admitted.
    OverBurst { cost: u64, burst: u64 },
}

#[derive(Debug)]
struct Held {
    bucket: Arc<Bucket>,
    tokens: f64,
    /// Spent from since the last settle.
    touched: bool,
}

/// One core's leases, by bucket. Bounded by the keys in use on the core.
#[derive(Debug, Default)]
pub struct Leases {
    held: HashMap<usize, Held>,
}

impl Leases {
    fn quota(b: &Bucket, left: f64) -> Quota {
        let (q, w) = b.policy();
        let left = left.clamp(0.0, b.burst);
        Quota { q, w, r: left.floor() as u64, t: ((b.burst - left) / b.rate).ceil() as u64 }
    }

    /// Spends `cost` units of `bucket` on this core (of `cores`).
    pub fn spend(&mut self, bucket: &Arc<Bucket>, cost: u64, cores: usize, now: Instant) -> Result<Quota, Short> {
        let cost_f = cost as f64;
        if cost_f > bucket.burst {
            return Err(Short::OverBurst { cost, burst: bucket.burst as u64 });
        }
        let h = self.held.entry(Arc::as_ptr(bucket) as usize).or_insert_with(|| Held {
            bucket: bucket.clone(),
            tokens: 0.0,
            touched: false,
        });
        if !Arc::ptr_eq(&h.bucket, bucket) {
            // Unreachable while `held` keeps its bucket alive (no address is reused); kept
            // as a guard rather than an assumption.
            *h = Held { bucket: bucket.clone(), tokens: 0.0, touched: false };
        }
        h.touched = true;
        if h.tokens < cost_f {
            let need = cost_f - h.tokens;
            match bucket.lease(need, need + bucket.lease_size(cores), now) {
                Ok(got) => h.tokens += got,
                Err(available) => {
                    let left = h.tokens + available;
                    let retry = ((cost_f - left) / bucket.rate).ceil().max(1.0) as u64;
                    return Err(Short::Wait { quota: Self::quota(bucket, left), retry });
                }
            }
        }
        h.tokens -= cost_f;
        Ok(Self::quota(bucket, h.tokens + bucket.estimate(now)))
    }

    /// The quota of `bucket` as this core sees it, without spending.
    pub fn peek(&self, bucket: &Arc<Bucket>, now: Instant) -> Quota {
        let mine = self.held.get(&(Arc::as_ptr(bucket) as usize)).map_or(0.0, |h| h.tokens);
        Self::quota(bucket, mine + bucket.estimate(now))
    }

    /// The periodic reconciliation: leases not spent from since the last settle go back to
    /// their reserves (and leave this table).
    pub fn settle(&mut self, now: Instant) {
        self.held.retain(|_, h| {
            if std::mem::take(&mut h.touched) {
                return true;
            }
            if h.tokens > 0.0 {
                h.bucket.give_back(h.tokens, now);
            }
            false
        });
    }

    pub fn len(&self) -> usize {
        self.held.len()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(t0: Instant, n: u64) -> Instant {
        t0 + Duration::from_millis(n)
    }

    #[test]
    fn the_burst_then_the_rate() {
        let b = Arc::new(Bucket::new(10, 20));
        let t0 = b.epoch;
        let mut l = Leases::default();
        for i in 0..20 {
            assert!(l.spend(&b, 1, 1, t0).is_ok(), "unit {i} of the burst");
        }
        match l.spend(&b, 1, 1, t0) {
            Err(Short::Wait { quota, retry }) => {
                assert_eq!((quota.r, retry), (0, 1));
                assert_eq!((quota.q, quota.w), (20, 2));
            }
            other => panic!("{other:?}"),
        }
        // A tenth of a second later: one unit (rate 10 per second).
        assert!(l.spend(&b, 1, 1, ms(t0, 100)).is_ok());
        assert!(l.spend(&b, 1, 1, ms(t0, 100)).is_err());
        assert!(matches!(l.spend(&b, 21, 1, ms(t0, 9000)), Err(Short::OverBurst { cost: 21, burst: 20 })));
    }

    #[test]
    fn two_cores_share_one_quota_and_settling_returns_a_stranded_lease() {
        let b = Arc::new(Bucket::new(1000, 100));
        let t0 = b.epoch;
        let (mut a, mut c) = (Leases::default(), Leases::default());
        let mut spent = 0;
        while a.spend(&b, 1, 2, t0).is_ok() {
            spent += 1;
        }
        while c.spend(&b, 1, 2, t0).is_ok() {
            spent += 1;
        }
        assert_eq!(spent, 100, "the burst across both cores, no more");
        // Core a leases, then its client moves to core c: a's settle returns the lease.
        let t1 = ms(t0, 5);
        assert!(a.spend(&b, 1, 2, t1).is_ok());
        let held = a.held.values().next().unwrap().tokens;
        assert!(held > 0.0);
        a.settle(t1); // touched since the last settle: kept
        assert_eq!(a.len(), 1);
        a.settle(t1); // untouched for a whole period: given back
        assert_eq!(a.len(), 0);
        let mut more = 0;
        while c.spend(&b, 1, 2, t1).is_ok() {
            more += 1;
        }
        assert_eq!(more as f64, held.floor(), "core c spends what core a gave back");
    }

    #[test]
    fn the_headers_count_down_and_say_when_it_is_full() {
        let b = Arc::new(Bucket::new(2, 10));
        let t0 = b.epoch;
        let mut l = Leases::default();
        let q = l.spend(&b, 4, 1, t0).unwrap();
        assert_eq!((q.q, q.w, q.r, q.t), (10, 5, 6, 2));
        let q = l.peek(&b, ms(t0, 1000));
        assert_eq!((q.r, q.t), (8, 1));
    }
}
