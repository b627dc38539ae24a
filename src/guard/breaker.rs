//! One circuit breaker: a pure state machine over (time, latency, outcome) with an
//! `hdrhistogram` of latencies over a rolling window. Owned by one core; no atomics.
//!
//! Closed → Open after `consecutive` failures in a row, or a failure ratio above `ratio`
//! once the window holds `min_calls`; a call slower than `slow` counts as a failure.
//! Open → HalfOpen after `cooldown`; HalfOpen lets one probe at a time through and closes
//! after `probes` successes in a row, or opens again on the first failure.
//!
//! The slow-call threshold is fixed (`slow`), or adaptive (`auto`, `--breaker-slow-ms
//! auto`): `k` × the class's own p99 over a long rolling window of its successful calls,
//! at least `floor` and at most `slow` — so a class whose calls take 2 ms trips a few ms
//! above its normal, not at the fixed ceiling. Until the window holds `AUTO_MIN_CALLS`
//! calls the ceiling applies. Slow and failed calls never enter the baseline, so a class
//! that degrades all at once trips instead of teaching itself the new normal.

use hdrhistogram::Histogram;
use std::time::{Duration, Instant};

/// The thresholds of one breaker.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub consecutive: u32,
    pub ratio: f64,
    pub min_calls: u32,
    pub slow: Duration,
    pub cooldown: Duration,
    pub probes: u32,
    /// The rolling window: statistics cover the last one to two halves of it.
    pub window: Duration,
    /// An adaptive slow-call threshold (then `slow` is its ceiling).
    pub auto: Option<Auto>,
}

/// The adaptive slow-call threshold: `k` × the long-window p99, at least `floor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Auto {
    pub k: u32,
    pub floor: Duration,
}

/// The long window of the adaptive threshold's baseline (two halves, as the short one).
pub const AUTO_WINDOW: Duration = Duration::from_secs(120);
/// Calls the baseline needs before it sets the threshold.
pub const AUTO_MIN_CALLS: u64 = 200;
/// The threshold is recomputed every this many baseline calls (and on each rotation).
const AUTO_EVERY: u64 = 64;

/// The rolling window of every breaker (not a flag: the ratio and minimum calls are).
pub const WINDOW: Duration = Duration::from_secs(10);

/// Test thresholds (the service takes its own from the flags, `config::Cli`).
#[cfg(test)]
impl Default for Policy {
    fn default() -> Self {
        Policy {
            consecutive: 5,
            ratio: 0.30,
            min_calls: 20,
            slow: Duration::from_millis(80),
            cooldown: Duration::from_secs(5),
            probes: 3,
            window: WINDOW,
            auto: None,
        }
    }
}

/// The state, as exported in `/metrics` (0, 1, 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

/// Whether a call may go ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    Yes,
    /// Half-open: this call is the probe.
    Probe,
    /// Open (or a probe is already out): do not call; retry after this long.
    No(Duration),
}

/// Counters kept for `/metrics`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub calls: u64,
    pub failures: u64,
    pub rejected: u64,
    pub opened: u64,
    pub half_opened: u64,
    pub closed: u64,
    /// The slow-call threshold in force, µs (a gauge).
    pub slow_us: u64,
}

#[derive(Clone, Copy, Default)]
struct Bucket {
    calls: u32,
    failures: u32,
}

pub struct Breaker {
    policy: Policy,
    state: State,
    open_until: Instant,
    probe_out: Option<Instant>,
    probes_ok: u32,
    consecutive: u32,
    cur: Bucket,
    prev: Bucket,
    bucket_start: Instant,
    hist: Histogram<u64>,
    prev_hist: Histogram<u64>,
    /// The adaptive threshold's baseline: successful calls over the long window.
    base: Histogram<u64>,
    prev_base: Histogram<u64>,
    base_start: Instant,
    base_since: u64,
    /// The threshold in force.
    slow: Duration,
    pub counts: Counts,
}

fn histogram() -> Histogram<u64> {
    // Microseconds from 1 µs to 10 minutes, 2 significant digits (a few KiB).
    Histogram::new_with_bounds(1, 600_000_000, 2).expect("static bounds are valid")
}

impl Breaker {
    pub fn new(policy: Policy, now: Instant) -> Breaker {
        Breaker {
            policy,
            state: State::Closed,
            open_until: now,
            probe_out: None,
            probes_ok: 0,
            consecutive: 0,
            cur: Bucket::default(),
            prev: Bucket::default(),
            bucket_start: now,
            hist: histogram(),
            prev_hist: histogram(),
            base: histogram(),
            prev_base: histogram(),
            base_start: now,
            base_since: 0,
            slow: policy.slow,
            counts: Counts { slow_us: policy.slow.as_micros() as u64, ..Counts::default() },
        }
    }

    /// The slow-call threshold in force (fixed, or adaptive).
    pub fn slow(&self) -> Duration {
        self.slow
    }

    /// Puts a slow-call threshold in force (and in the exported gauge).
    fn set_slow(&mut self, slow: Duration) {
        self.slow = slow;
        self.counts.slow_us = slow.as_micros() as u64;
    }

    /// Adds a successful call to the adaptive baseline and moves the threshold.
    fn learn(&mut self, now: Instant, micros: u64) {
        let Some(auto) = self.policy.auto else { return };
        // A baseline older than the whole window was reset by `record` before this call.
        let rotated = now.saturating_duration_since(self.base_start) >= AUTO_WINDOW / 2;
        if rotated {
            std::mem::swap(&mut self.prev_base, &mut self.base);
            self.base.reset();
            self.base_start = now;
        }
        let _ = self.base.record(micros);
        self.base_since += 1;
        if !rotated && self.base_since < AUTO_EVERY {
            return;
        }
        self.base_since = 0;
        let n = self.base.len() + self.prev_base.len();
        let slow = if n < AUTO_MIN_CALLS {
            self.policy.slow
        } else {
            let mut h = self.base.clone();
            let _ = h.add(&self.prev_base);
            let p99 = Duration::from_micros(h.value_at_quantile(0.99));
            (p99 * auto.k).clamp(auto.floor, self.policy.slow.max(auto.floor))
        };
        self.set_slow(slow);
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Latencies over the window (both halves), in microseconds.
    pub fn latency(&self) -> Histogram<u64> {
        let mut h = self.hist.clone();
        let _ = h.add(&self.prev_hist);
        h
    }

    fn rotate(&mut self, now: Instant) {
        let half = self.policy.window / 2;
        let since = now.saturating_duration_since(self.bucket_start);
        if since < half {
            return;
        }
        if since >= half * 2 {
            self.prev = Bucket::default();
            self.prev_hist.reset();
        } else {
            self.prev = self.cur;
            std::mem::swap(&mut self.prev_hist, &mut self.hist);
        }
        self.cur = Bucket::default();
        self.hist.reset();
        self.bucket_start = now;
    }

    /// Asks whether a call may go ahead now.
    pub fn admit(&mut self, now: Instant) -> Admit {
        match self.state {
            State::Closed => Admit::Yes,
            State::Open if now < self.open_until => {
                self.counts.rejected += 1;
                Admit::No(self.open_until - now)
            }
            State::Open => {
                self.state = State::HalfOpen;
                self.counts.half_opened += 1;
                self.probes_ok = 0;
                self.probe_out = Some(now);
                Admit::Probe
            }
            State::HalfOpen => match self.probe_out {
                // A probe that never reported (its request vanished) frees the slot after `slow`.
                Some(t) if now.saturating_duration_since(t) < self.slow * 2 => {
                    self.counts.rejected += 1;
                    Admit::No(self.slow)
                }
                _ => {
                    self.probe_out = Some(now);
                    Admit::Probe
                }
            },
        }
    }

    fn open(&mut self, now: Instant) {
        self.state = State::Open;
        self.open_until = now + self.policy.cooldown;
        self.probe_out = None;
        self.counts.opened += 1;
    }

    /// Reports one call's outcome; `ok == false` or a latency over `slow` is a failure.
    /// Returns true when this report changed the state.
    pub fn record(&mut self, now: Instant, latency: Duration, ok: bool) -> bool {
        self.rotate(now);
        if self.policy.auto.is_some() && now.saturating_duration_since(self.base_start) >= AUTO_WINDOW {
            // A whole long window without a successful call: the baseline is stale.
            self.base.reset();
            self.prev_base.reset();
            self.base_start = now;
            self.base_since = 0;
            self.set_slow(self.policy.slow);
        }
        let failed = !ok || latency > self.slow;
        let micros = (latency.as_micros() as u64).clamp(1, 600_000_000);
        let _ = self.hist.record(micros);
        if !failed && self.state == State::Closed {
            self.learn(now, micros);
        }
        self.counts.calls += 1;
        self.cur.calls += 1;
        if failed {
            self.counts.failures += 1;
            self.cur.failures += 1;
            self.consecutive += 1;
        } else {
            self.consecutive = 0;
        }
        match self.state {
            State::Closed => {
                let calls = self.cur.calls + self.prev.calls;
                let failures = self.cur.failures + self.prev.failures;
                let ratio_tripped =
                    calls >= self.policy.min_calls && failures as f64 > self.policy.ratio * calls as f64;
                if self.consecutive >= self.policy.consecutive || ratio_tripped {
                    self.open(now);
                    return true;
                }
                false
            }
            State::HalfOpen if failed => {
                self.open(now);
                true
            }
            State::HalfOpen => {
                self.probe_out = None;
                self.probes_ok += 1;
                if self.probes_ok >= self.policy.probes {
                    self.state = State::Closed;
                    self.counts.closed += 1;
                    self.consecutive = 0;
                    self.cur = Bucket::default();
                    self.prev = Bucket::default();
                    return true;
                }
                false
            }
            // A call admitted before the breaker opened: counted, nothing changes.
            State::Open => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn opens_after_consecutive_failures_then_recovers_through_half_open() {
        let t0 = Instant::now();
        let mut b = Breaker::new(Policy::default(), t0);
        for i in 0..4 {
            assert_eq!(b.admit(t0), Admit::Yes);
            assert!(!b.record(t0, MS, false), "call {i}");
        }
        assert!(b.record(t0, MS, false));
        assert_eq!(b.state(), State::Open);
        assert!(matches!(b.admit(t0 + Duration::from_secs(1)), Admit::No(d) if d == Duration::from_secs(4)));
        let t1 = t0 + Duration::from_secs(5);
        assert_eq!(b.admit(t1), Admit::Probe);
        assert_eq!(b.state(), State::HalfOpen);
        // One probe at a time.
        assert!(matches!(b.admit(t1), Admit::No(_)));
        for i in 0..3 {
            if i > 0 {
                assert_eq!(b.admit(t1), Admit::Probe);
            }
            b.record(t1, MS, true);
        }
        assert_eq!(b.state(), State::Closed);
        assert_eq!((b.counts.opened, b.counts.half_opened, b.counts.closed), (1, 1, 1));
    }

    #[test]
    fn slow_calls_are_failures_and_a_failed_probe_reopens() {
        let t0 = Instant::now();
        let mut b = Breaker::new(Policy::default(), t0);
        for _ in 0..5 {
            b.record(t0, Duration::from_millis(81), true);
        }
        assert_eq!(b.state(), State::Open);
        let t1 = t0 + Duration::from_secs(6);
        assert_eq!(b.admit(t1), Admit::Probe);
        b.record(t1, Duration::from_millis(200), true);
        assert_eq!(b.state(), State::Open);
        assert!(matches!(b.admit(t1 + MS), Admit::No(_)));
    }

    #[test]
    fn ratio_needs_the_minimum_count() {
        let t0 = Instant::now();
        let mut b = Breaker::new(Policy::default(), t0);
        // 2 of every 5 fail (40 %), never 5 in a row: below the minimum count nothing trips.
        for i in 0..10 {
            b.record(t0, MS, i % 5 < 3);
        }
        assert_eq!(b.state(), State::Closed);
        // The same pattern on: at 20 calls, 8 failures = 40 % > 30 %.
        for i in 0..9 {
            b.record(t0, MS, i % 5 < 3);
            assert_eq!(b.state(), State::Closed, "call {}", 11 + i);
        }
        b.record(t0, MS, false);
        assert_eq!(b.state(), State::Open);
    }

    #[test]
    fn a_ratio_below_threshold_stays_closed_and_old_failures_age_out() {
        let t0 = Instant::now();
        let mut b = Breaker::new(Policy::default(), t0);
        for i in 0..100 {
            b.record(t0, MS, i % 4 != 0); // 25 % failures
        }
        assert_eq!(b.state(), State::Closed);
        // After a whole window the old calls no longer count.
        let later = t0 + Duration::from_secs(11);
        b.record(later, MS, true);
        assert_eq!(b.latency().len(), 1);
    }

    #[test]
    fn a_lost_probe_frees_its_slot() {
        let t0 = Instant::now();
        let mut b = Breaker::new(Policy { consecutive: 1, ..Policy::default() }, t0);
        b.record(t0, MS, false);
        let t1 = t0 + Duration::from_secs(5);
        assert_eq!(b.admit(t1), Admit::Probe);
        assert!(matches!(b.admit(t1 + MS), Admit::No(_)));
        assert_eq!(b.admit(t1 + Duration::from_millis(200)), Admit::Probe);
    }

    #[test]
    fn an_adaptive_threshold_follows_the_class_and_trips_above_it() {
        let t0 = Instant::now();
        let auto = Auto { k: 3, floor: Duration::from_millis(1) };
        let p = Policy { auto: Some(auto), ..Policy::default() };
        let mut b = Breaker::new(p, t0);
        // Until the baseline holds enough calls, the ceiling applies.
        assert_eq!(b.slow(), Duration::from_millis(80));
        // A class whose calls take about 2 ms: the threshold settles near 3 x 2 ms.
        for i in 0..400u64 {
            let at = t0 + Duration::from_millis(i * 10);
            b.record(at, Duration::from_micros(1800 + (i % 5) * 100), true);
        }
        let slow = b.slow();
        assert!(slow >= Duration::from_millis(5) && slow <= Duration::from_millis(7), "{slow:?}");
        assert_eq!(b.counts.slow_us, slow.as_micros() as u64);
        // Calls of 20 ms — fine under the fixed 80 ms — now trip it.
        let t1 = t0 + Duration::from_secs(5);
        for _ in 0..5 {
            b.record(t1, Duration::from_millis(20), true);
        }
        assert_eq!(b.state(), State::Open);
        // A fast class never goes under the floor.
        let mut fast = Breaker::new(p, t0);
        for i in 0..400u64 {
            fast.record(t0 + Duration::from_millis(i), Duration::from_micros(20), true);
        }
        assert_eq!(fast.slow(), Duration::from_millis(1), "the floor");
        // The baseline ages out with its window: after two idle windows only new calls count.
        let later = t0 + AUTO_WINDOW * 3;
        for i in 0..300u64 {
            fast.record(later + Duration::from_millis(i), Duration::from_millis(10), true);
        }
        let s = fast.slow().as_micros();
        assert!((29_500..30_500).contains(&s), "3 x the new 10 ms normal: {s} us");
    }
}
