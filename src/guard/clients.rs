//! Per-client admission of cold work: a token bucket per client IP address, per core, for
//! the requests that cost a render or a decode (cache hits never touch it). One client
//! flooding unique data gets `429` + `Retry-After` once its bucket is empty, while other
//! clients' cold requests still find room in the core's render queue. Per core, like the
//! breakers (no cross-core state): with SO_REUSEPORT a client's connections spread over
//! the cores, so its total is at most `cores ×` the rate. The table is bounded: when full,
//! buckets that have refilled completely (idle clients) are dropped first; a table full of
//! active clients admits a newcomer untracked rather than grow (the render queue's own
//! bound still holds).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Clients tracked per core at most.
pub const MAX_CLIENTS: usize = 4096;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The per-core table of client buckets.
pub struct ClientLimiter {
    /// Tokens per second; 0 switches the limiter off.
    rate: f64,
    burst: f64,
    buckets: HashMap<IpAddr, Bucket>,
    max: usize,
}

impl ClientLimiter {
    /// `rate` cold requests per second per client with bursts of `burst`; `rate == 0` is off.
    pub fn new(rate: u32, burst: u32, max: usize) -> ClientLimiter {
        ClientLimiter { rate: rate as f64, burst: burst.max(1) as f64, buckets: HashMap::new(), max }
    }

    pub fn enabled(&self) -> bool {
        self.rate > 0.0
    }

    /// Clients tracked now.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Whether `admit` would take a token for `client` now, without taking it: `Err(wait)`
    /// when its bucket is empty (answering `Expect: 100-continue` before the body is sent).
    pub fn would_admit(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        match self.buckets.get(&client) {
            Some(b) if self.enabled() => {
                let tokens = (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * self.rate).min(self.burst);
                if tokens >= 1.0 {
                    Ok(())
                } else {
                    Err(Duration::from_secs_f64((1.0 - tokens) / self.rate))
                }
            }
            _ => Ok(()),
        }
    }

    /// Takes one token for `client`; `Err(wait)` when its bucket is empty, with the time
    /// until the next token.
    pub fn admit(&mut self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if !self.enabled() {
            return Ok(());
        }
        let (rate, burst) = (self.rate, self.burst);
        if !self.buckets.contains_key(&client) && self.buckets.len() >= self.max {
            // Drop the clients whose buckets have refilled: they have been idle.
            self.buckets.retain(|_, b| b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst);
            if self.buckets.len() >= self.max {
                return Ok(());
            }
        }
        let b = self.buckets.entry(client).or_insert(Bucket { tokens: burst, at: now });
        b.tokens = (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn burst_then_rate() {
        let t0 = Instant::now();
        let mut l = ClientLimiter::new(10, 3, 16);
        for _ in 0..3 {
            assert_eq!(l.admit(ip(1), t0), Ok(()));
        }
        let wait = l.admit(ip(1), t0).unwrap_err();
        assert!(wait > Duration::from_millis(99) && wait <= Duration::from_millis(100), "{wait:?}");
        assert_eq!(l.would_admit(ip(1), t0), Err(wait), "a peek says the same");
        // Another client is not affected.
        assert_eq!(l.would_admit(ip(2), t0), Ok(()));
        assert_eq!(l.admit(ip(2), t0), Ok(()));
        // A tenth of a second later one more token is there, and only one.
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(l.admit(ip(1), t1), Ok(()));
        assert!(l.admit(ip(1), t1).is_err());
    }

    #[test]
    fn off_admits_everything_and_tracks_nothing() {
        let mut l = ClientLimiter::new(0, 1, 16);
        let t = Instant::now();
        for _ in 0..100 {
            assert_eq!(l.admit(ip(1), t), Ok(()));
        }
        assert!(l.is_empty());
    }

    #[test]
    fn the_table_is_bounded_and_idle_clients_go_first() {
        let t0 = Instant::now();
        let mut l = ClientLimiter::new(1, 2, 4);
        for n in 0..4 {
            l.admit(ip(n), t0).unwrap();
        }
        // Full of clients with a token spent: a newcomer is admitted but not tracked.
        assert_eq!(l.admit(ip(9), t0), Ok(()));
        assert_eq!(l.len(), 4);
        // Two seconds on every bucket has refilled: the idle ones make room.
        let t1 = t0 + Duration::from_secs(2);
        assert_eq!(l.admit(ip(9), t1), Ok(()));
        assert_eq!(l.len(), 1);
    }
}
