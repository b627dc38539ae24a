//! Adaptive concurrency limits, one per render class per core (the gradient family:
//! Netflix concurrency-limits' Gradient2, Envoy's adaptive concurrency filter). A request
//! for cold work takes a slot of its class before any of that work starts (before the
//! symbol is encoded): over the class's limit it is refused at once, so the queue never
//! grows past what the core answers in time.
//!
//! The limit moves by a gradient, `tolerance × baseline / sample`, clamped to [½, 2], once
//! per interval of at least `min_samples` calls: `sample` is the p90 of the interval's
//! sojourn times (slot taken → answer ready), `baseline` the median sojourn of the last
//! unqueued calls — calls that found the core with no cold work at all, seen whenever the
//! core is briefly idle, so queueing never raises the baseline (Gradient2's long-RTT
//! average drifts up under sustained load). A class refusing with no unqueued call in the
//! last 30 s (or since its start) measures one as Envoy's filter does: a probe pins its limit
//! to one slot until four calls are timed (at most a second). The limit only grows when the
//! interval used at least half of it (not when the client is the bottleneck), and stays
//! within [min, max]. Pure: the caller gives the time.

use super::Class;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The limits' settings (`--concurrency-limit`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Off: every request is admitted (the render queue's capacity still bounds the core).
    pub adaptive: bool,
    /// The limit at start, and the fixed limit when not adaptive.
    pub initial: u32,
    /// Eight by default. At least four: one call rendering, one queued behind it, one on
    /// its way back to the core and one being admitted — fewer leaves the render thread
    /// idle between hand-offs (`benches/overload.sh`: 80 % of capacity at a floor of 2,
    /// 90-94 % at 4); eight, so that a few clients never meet a refusal while hits keep the
    /// core busy and stretch every render's sojourn (they are not the overload this is for).
    pub min: u32,
    pub max: u32,
    /// The sojourn p90 aimed at, as a multiple of the unqueued median.
    pub tolerance: f64,
    /// The shortest interval between two updates.
    pub interval: Duration,
    /// Calls an interval needs before the limit moves.
    pub min_samples: usize,
}

impl Policy {
    /// The adaptive limit with this service's defaults, at most `max` (the render queue).
    pub fn adaptive(max: u32) -> Policy {
        Policy {
            adaptive: true,
            initial: 16.min(max.max(1)),
            min: 8.min(max.max(1)),
            max: max.max(1),
            tolerance: 2.0,
            interval: Duration::from_millis(100),
            min_samples: 16,
        }
    }

    /// A fixed limit of `n` slots per class per core.
    pub fn fixed(n: u32) -> Policy {
        Policy { adaptive: false, initial: n, min: n, max: n, ..Policy::adaptive(n) }
    }
}

/// Unqueued sojourns kept for the baseline.
const BASELINE: usize = 32;
/// Sojourns kept per interval (an interval with more updates early).
const SAMPLES: usize = 512;
/// Unqueued sojourns needed before the limit moves, and that a probe collects.
const BASELINE_MIN: usize = 4;
/// A baseline older than this is measured again (by a probe) when the class is busy.
const BASELINE_AGE: Duration = Duration::from_secs(30);
/// A probe ends after this even without its samples.
const PROBE_FOR: Duration = Duration::from_secs(1);

/// One class's limit on one core.
#[derive(Clone, Debug)]
pub struct Limiter {
    policy: Policy,
    limit: f64,
    in_flight: u32,
    /// The most slots in use at once in this interval.
    peak: u32,
    since: Instant,
    /// This interval's sojourns, µs.
    samples: Vec<u32>,
    /// The last unqueued sojourns, µs (a ring).
    baseline: Vec<u32>,
    next: usize,
    /// When the newest unqueued sojourn was taken.
    measured: Option<Instant>,
    /// A probe: since when, and the unqueued sojourns it has collected.
    probe: Option<(Instant, usize)>,
    pub refused: u64,
    /// `refused` when this interval began: the limit bound in it if `refused` grew.
    refused_before: u64,
}

/// A slot's place in the statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The core had no cold work in flight when it was taken (a baseline sample).
    pub unqueued: bool,
}

impl Limiter {
    pub fn new(policy: Policy, now: Instant) -> Limiter {
        Limiter {
            policy,
            limit: f64::from(policy.initial),
            in_flight: 0,
            peak: 0,
            since: now,
            samples: Vec::new(),
            baseline: Vec::new(),
            next: 0,
            measured: None,
            probe: None,
            refused: 0,
            refused_before: 0,
        }
    }

    /// The limit in force, whole slots: one while a probe measures the baseline.
    pub fn limit(&self) -> u32 {
        if self.probe.is_some() {
            1
        } else {
            self.limit as u32
        }
    }

    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }

    /// Takes a slot, or refuses with the limit. `idle`: nothing else cold is in flight on
    /// the core. While a probe runs, the one slot's call is a baseline sample whatever
    /// the other classes do (as under Envoy's pinned concurrency).
    pub fn acquire(&mut self, idle: bool) -> Result<Taken, u32> {
        if self.in_flight >= self.limit() {
            self.refused += 1;
            return Err(self.limit());
        }
        self.in_flight += 1;
        self.peak = self.peak.max(self.in_flight);
        Ok(Taken { unqueued: self.in_flight == 1 && (idle || self.probe.is_some()) })
    }

    /// Gives a slot back; `sojourn` when the call did its work (a render answered), to be
    /// counted.
    pub fn release(&mut self, taken: Taken, sojourn: Option<Duration>, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let Some(d) = sojourn else { return };
        if !self.policy.adaptive {
            return;
        }
        let us = d.as_micros().min(u128::from(u32::MAX)) as u32;
        if taken.unqueued {
            if self.baseline.len() < BASELINE {
                self.baseline.push(us);
            } else {
                self.baseline[self.next] = us;
            }
            self.next = (self.next + 1) % BASELINE;
            self.measured = Some(now);
        }
        if let Some((from, n)) = self.probe {
            let n = n + usize::from(taken.unqueued);
            self.probe = Some((from, n));
            if n >= BASELINE_MIN || now.duration_since(from) >= PROBE_FOR {
                // The probe's sojourns are not the load's: a fresh interval starts.
                self.probe = None;
                self.samples.clear();
                self.peak = self.in_flight;
                self.since = now;
            }
            return;
        }
        if self.samples.len() < SAMPLES {
            self.samples.push(us);
        }
        let due = now.duration_since(self.since) >= self.policy.interval;
        if self.samples.len() >= SAMPLES || (due && self.samples.len() >= self.policy.min_samples) {
            self.update(now);
        }
    }

    /// The baseline: the median unqueued sojourn, µs (`None` before `BASELINE_MIN` of them).
    pub fn baseline_us(&self) -> Option<u32> {
        (self.baseline.len() >= BASELINE_MIN).then(|| percentile(&mut self.baseline.clone(), 0.5))
    }

    /// Whether a probe is measuring the baseline now.
    pub fn probing(&self) -> bool {
        self.probe.is_some()
    }

    fn update(&mut self, now: Instant) {
        let sample = percentile(&mut self.samples, 0.9).max(1);
        let stale = self.measured.is_none_or(|t| now.duration_since(t) >= BASELINE_AGE);
        let binding = self.refused > self.refused_before;
        if (self.baseline.len() < BASELINE_MIN || stale) && binding {
            // Refusing with no recent unqueued call to learn from (a core overloaded from its
            // start, or for longer than the baseline's age): measure one, pinned to a single
            // slot. A class that does not meet its limit is never probed.
            self.probe = Some((now, 0));
        } else if let Some(base) = self.baseline_us() {
            let gradient = (self.policy.tolerance * f64::from(base) / f64::from(sample)).clamp(0.5, 2.0);
            // Grow only when the interval used at least half the limit: an idle class
            // would otherwise climb to the maximum and hold nothing back when load comes.
            if gradient < 1.0 || f64::from(self.peak) * 2.0 >= self.limit {
                self.limit = (self.limit * gradient).clamp(f64::from(self.policy.min), f64::from(self.policy.max));
            }
        }
        self.samples.clear();
        self.peak = self.in_flight;
        self.since = now;
        self.refused_before = self.refused;
    }
}

/// One core's limits, one per class that renders (decodes have their own fixed bound, the
/// worker pool's), and the cold work in flight on the core over all of them.
pub struct Limits {
    all: Vec<Limiter>,
    in_flight: u32,
}

impl Limits {
    pub fn new(policy: Policy, now: Instant) -> Limits {
        Limits { all: Class::ALL.iter().map(|_| Limiter::new(policy, now)).collect(), in_flight: 0 }
    }

    /// Classes under a limit.
    pub fn limited(class: Class) -> bool {
        !matches!(class, Class::Parse | Class::Decode | Class::Redis)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Class, &Limiter)> {
        Class::ALL.iter().copied().zip(self.all.iter()).filter(|(c, _)| Limits::limited(*c))
    }
}

/// A slot of a class's limit, from before its work starts until its answer is ready: given
/// back when dropped, counted in the statistics only through `done`.
pub struct Slot {
    limits: Rc<RefCell<Limits>>,
    class: Class,
    taken: Taken,
    started: Instant,
    counted: bool,
}

/// Takes a slot of `class` on this core; `queue_empty`: the render thread has nothing
/// queued (background work included). `Err` carries the limit.
pub fn acquire(limits: &Rc<RefCell<Limits>>, class: Class, queue_empty: bool) -> Result<Slot, u32> {
    let mut l = limits.borrow_mut();
    let idle = queue_empty && l.in_flight == 0;
    let taken = l.all[class.index()].acquire(idle)?;
    l.in_flight += 1;
    Ok(Slot { limits: limits.clone(), class, taken, started: Instant::now(), counted: false })
}

impl Slot {
    /// The work this slot admitted was done: its sojourn counts.
    pub fn done(mut self) {
        self.counted = true;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let now = Instant::now();
        let sojourn = self.counted.then(|| now.duration_since(self.started));
        let mut l = self.limits.borrow_mut();
        l.in_flight = l.in_flight.saturating_sub(1);
        l.all[self.class.index()].release(self.taken, sojourn, now);
    }
}

/// The `q` quantile of `v` (not empty), reordering it.
fn percentile(v: &mut [u32], q: f64) -> u32 {
    let i = (((v.len() - 1) as f64) * q).round() as usize;
    *v.select_nth_unstable(i).1
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Runs `n` calls through `l`, each with a sojourn of `us` µs, `held` slots in use at
    /// once (the first of each group unqueued when `held` is 1), over `ms` milliseconds.
    fn run(l: &mut Limiter, now: &mut Instant, n: usize, held: u32, us: u64) {
        for _ in 0..n {
            let mut slots = Vec::new();
            for k in 0..held {
                match l.acquire(k == 0 && held == 1) {
                    Ok(t) => slots.push(t),
                    Err(_) => break,
                }
            }
            *now += MS;
            for t in slots {
                l.release(t, Some(Duration::from_micros(us)), *now);
            }
        }
    }

    #[test]
    fn queueing_lowers_the_limit_and_unqueued_calls_raise_it_again() {
        let mut now = Instant::now();
        let mut l = Limiter::new(Policy::adaptive(256), now);
        assert_eq!(l.limit(), 16);
        // Unqueued calls of 100 µs set the baseline; one at a time, the limit does not grow.
        run(&mut l, &mut now, 300, 1, 100);
        assert_eq!(l.baseline_us(), Some(100));
        assert_eq!(l.limit(), 16, "an idle class does not climb");
        // Queueing: 16 in flight, each waiting 16 × 100 µs — the limit falls to the floor (8).
        run(&mut l, &mut now, 300, 16, 1600);
        assert_eq!(l.limit(), 8);
        // Sojourns back within the tolerance with the limit in use: it grows again.
        run(&mut l, &mut now, 300, 8, 110);
        assert!(l.limit() > 8, "{}", l.limit());
        assert!(l.limit() <= 256);
    }

    #[test]
    fn over_the_limit_is_refused_and_a_released_slot_admits_again() {
        let now = Instant::now();
        let mut l = Limiter::new(Policy::fixed(2), now);
        let a = l.acquire(true).unwrap();
        assert!(a.unqueued);
        let b = l.acquire(false).unwrap();
        assert!(!b.unqueued);
        assert_eq!(l.acquire(false), Err(2));
        assert_eq!(l.refused, 1);
        l.release(a, None, now);
        assert!(l.acquire(false).is_ok());
        assert_eq!(l.in_flight(), 2);
        // A fixed limit never moves.
        for _ in 0..1000 {
            l.release(Taken { unqueued: true }, Some(Duration::from_secs(1)), now + Duration::from_secs(1));
        }
        assert_eq!(l.limit(), 2);
    }

    #[test]
    fn a_class_busy_from_its_start_probes_for_its_baseline() {
        let mut now = Instant::now();
        let mut l = Limiter::new(Policy::adaptive(256), now);
        // Never idle and refusing (20 asked, 16 admitted): no baseline, so the first
        // interval starts a probe of one slot.
        run(&mut l, &mut now, 32, 20, 5000);
        assert!(l.probing());
        assert_eq!(l.limit(), 1);
        assert_eq!(l.baseline_us(), None);
        // The probe's single calls take 300 µs: four of them make the baseline.
        run(&mut l, &mut now, 4, 16, 300);
        assert!(!l.probing());
        assert_eq!(l.baseline_us(), Some(300));
        // Back under queueing (16 × 300 µs), the limit falls.
        run(&mut l, &mut now, 300, 20, 4800);
        assert_eq!(l.limit(), 8);
        // 30 s later, still busy: the baseline is measured again (the probe's calls now
        // take 4.8 ms: the core really got slower).
        now += BASELINE_AGE;
        let started = (0..200).any(|_| {
            run(&mut l, &mut now, 1, 20, 4800);
            l.probing()
        });
        assert!(started);
        run(&mut l, &mut now, 4, 20, 4800);
        assert!(!l.probing());
        assert_eq!(l.baseline_us(), Some(4800));
    }

    #[test]
    fn a_class_that_never_meets_its_limit_is_not_probed() {
        let mut now = Instant::now();
        let mut l = Limiter::new(Policy::adaptive(256), now);
        // Busy (eight at a time, never idle) with no baseline, but never refused.
        run(&mut l, &mut now, 400, 8, 5000);
        assert!(!l.probing());
        assert_eq!((l.limit(), l.refused), (16, 0));
    }

    #[test]
    fn percentiles() {
        let mut v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&mut v, 0.5), 51);
        assert_eq!(percentile(&mut v, 0.9), 90);
        assert_eq!(percentile(&mut [7], 0.9), 7);
    }
}
