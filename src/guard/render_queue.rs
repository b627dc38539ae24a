//! The per-core render queue: cold renders run one after another in one task of their
//! core, at most `slice` of CPU per turn of the event loop, so cache hits on the same core
//! are answered between renders instead of behind all of them. While other requests are
//! flowing (the caller's activity counter moves), cold requests get at most `share` of the
//! core's time: a slice costs its render time plus `overhead` per job (what a cold request
//! costs besides its render: socket IO, parsing, encoding, caching — measured, see the
//! config), and after a slice costing d the worker waits d·(1−share)/share, yielding to
//! every ready task. Since a connection sends its next request only after its answer, this
//! paces the cold connections' IO too. With only renders to do they run flat out. The queue is bounded (the
//! per-core admission limit): a full queue refuses at once. A job is told how long it
//! waited, so one whose budget is already spent can answer "degraded" without rendering.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Other work seen this recently keeps renders to their share.
const CONTENDED: Duration = Duration::from_secs(1);

/// A queued render; its argument is how long it waited in the queue.
pub type Job = Box<dyn FnOnce(Duration)>;

/// The queue is full: the request is refused (admission control).
#[derive(Debug, PartialEq, Eq)]
pub struct Full {
    pub capacity: usize,
}

pub struct RenderQueue {
    jobs: RefCell<VecDeque<(Instant, Job)>>,
    waker: Cell<Option<Waker>>,
    capacity: usize,
    slice: Duration,
    share: f64,
    overhead: Duration,
}

/// Returns Pending once, so other ready tasks run before this one continues.
struct Yield(bool);

impl Future for Yield {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl RenderQueue {
    /// A queue of at most `capacity` waiting jobs that runs jobs for at most `slice` per
    /// turn and, under contention, for at most `share` (0–1] of the time, each job counted
    /// with `overhead` on top of its own time.
    pub fn new(capacity: usize, slice: Duration, share: f64, overhead: Duration) -> RenderQueue {
        let share = share.clamp(0.01, 1.0);
        RenderQueue { jobs: RefCell::new(VecDeque::new()), waker: Cell::new(None), capacity, slice, share, overhead }
    }

    /// Jobs waiting now.
    pub fn len(&self) -> usize {
        self.jobs.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Queues `job`, or refuses it when the queue is full.
    pub fn push(&self, job: Job) -> Result<(), Full> {
        let mut jobs = self.jobs.borrow_mut();
        if jobs.len() >= self.capacity {
            return Err(Full { capacity: self.capacity });
        }
        jobs.push_back((Instant::now(), job));
        drop(jobs);
        if let Some(w) = self.waker.take() {
            w.wake();
        }
        Ok(())
    }

    /// Runs the jobs that are due now, for at most one slice; returns how many ran.
    pub fn run_slice(&self) -> usize {
        let start = Instant::now();
        let mut n = 0;
        loop {
            let Some((queued, job)) = self.jobs.borrow_mut().pop_front() else { break };
            let waited = Instant::now().saturating_duration_since(queued);
            // A job that panics (none should: renderers are fuzzed) must not take the core's
            // event loop with it; its waiter sees the result channel dropped.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(waited)));
            n += 1;
            if start.elapsed() >= self.slice {
                break;
            }
        }
        n
    }

    /// The worker: one per core, spawned on its runtime; runs until the runtime is dropped.
    /// `activity` counts the core's other requests (cache hits): when it moved during a
    /// slice, the next slice waits so that renders keep to their share.
    pub async fn work(self: Rc<Self>, activity: impl Fn() -> u64) {
        let mut seen = activity();
        // When the activity counter last moved: starved hits are served rarely, so "moved
        // within the last CONTENDED" (not "moved during this slice") keeps the share on.
        let mut moved_at: Option<Instant> = None;
        let mut not_before = Instant::now();
        loop {
            poll_fn(|cx| {
                if self.is_empty() {
                    self.waker.set(Some(cx.waker().clone()));
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
            while Instant::now() < not_before {
                Yield(false).await;
            }
            let start = Instant::now();
            let jobs = self.run_slice();
            let spent = start.elapsed() + self.overhead * jobs as u32;
            let now_seen = activity();
            let now = Instant::now();
            if now_seen != seen {
                seen = now_seen;
                moved_at = Some(now);
            }
            let contended = moved_at.is_some_and(|t| now.saturating_duration_since(t) < CONTENDED);
            if contended && self.share < 1.0 {
                not_before = now + spent.mul_f64((1.0 - self.share) / self.share);
            }
            // To the back of the ready queue: tasks already ready (cache hits) run first, and
            // the loop reaps IO completions at least every other turn.
            Yield(false).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_fifo_with_wait_times() {
        let q = RenderQueue::new(2, Duration::from_secs(1), 1.0, Duration::ZERO);
        let log = Rc::new(RefCell::new(Vec::new()));
        for i in 0..2 {
            let l = log.clone();
            q.push(Box::new(move |waited| l.borrow_mut().push((i, waited)))).unwrap();
        }
        assert_eq!(q.push(Box::new(|_| {})), Err(Full { capacity: 2 }));
        assert_eq!(q.run_slice(), 2);
        assert_eq!(log.borrow().iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 1]);
        assert!(q.is_empty());
    }

    #[test]
    fn a_panicking_job_does_not_stop_the_queue() {
        let q = RenderQueue::new(4, Duration::from_secs(1), 1.0, Duration::ZERO);
        let ran = Rc::new(Cell::new(false));
        let r = ran.clone();
        q.push(Box::new(|_| panic!("a renderer bug"))).unwrap();
        q.push(Box::new(move |_| r.set(true))).unwrap();
        assert_eq!(q.run_slice(), 2);
        assert!(ran.get());
    }

    #[test]
    fn a_slice_stops_after_its_time() {
        let q = RenderQueue::new(10, Duration::from_millis(5), 1.0, Duration::ZERO);
        for _ in 0..3 {
            q.push(Box::new(|_| std::thread::sleep(Duration::from_millis(6)))).unwrap();
        }
        assert_eq!(q.run_slice(), 1);
        assert_eq!(q.len(), 2);
    }
}
