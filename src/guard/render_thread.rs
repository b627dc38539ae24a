//! A core's render thread: cold renders run on a second thread pinned to the core's CPU at
//! a lower scheduling priority (`nice`), fed by a bounded queue. The kernel then preempts a
//! render the moment the core's event loop has work (a cache hit arriving), which a
//! cooperative in-loop queue cannot do: measured in `benches/hit_isolation.sh`, hits keep
//! their latency under a cold flood. Under a flood of hits alone the renders still get their
//! weight's share of the CPU (nice 10 ≈ 10 %) and all of its idle time.
//!
//! Hand-offs are batched both ways, so a busy core pays two context switches per batch, not
//! per render: the render thread only runs when the core's loop sleeps (lower priority), so
//! it finds every job queued during that turn; it renders them all (up to `BATCH_TIME`) and
//! returns the results in one message, which wakes the core once. A task on the core
//! (`dispatch`) hands each result to the request waiting for it.
//!
//! This is the one render executor, and `submit` its one entry: the queue is the per-core
//! admission bound (full: refused at once), a job whose budget was spent waiting is not run,
//! and a job that panics is caught here — each comes back as a `NotRun` the caller must
//! handle; a job that ran comes back with how long it took (for the breaker's `Permit`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A queued render.
pub type Job<T> = Box<dyn FnOnce() -> T + Send>;

/// Why a submitted job gave no result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotRun {
    /// The queue was full: refused at once (admission control).
    Full { capacity: usize },
    /// It waited in the queue past its budget: skipped.
    Budget { waited: Duration },
    /// It panicked (a renderer bug: none should); the thread carries on.
    Panicked,
    /// No result within its budget plus `RUN_LIMIT` (a renderer bug, a loop: none should):
    /// the request is answered without it. The thread cannot be stopped; it goes on with
    /// the queue when the job ends, and until then the core's renders are refused as the
    /// queue fills, while its hits are served.
    Overran { limit: Duration },
}

/// Longest a job may run before the request waiting for it stops waiting.
pub const RUN_LIMIT: Duration = Duration::from_secs(5);

/// A job's result and how long it ran, or why it did not.
pub type Done<T> = Result<(T, Duration), NotRun>;

/// One queued job: its id, when it was queued, its budget, the work.
type Queued<T> = (u64, Instant, Duration, Job<T>);

/// Longest stretch of rendering before the results so far go back to the core.
const BATCH_TIME: Duration = Duration::from_micros(500);

/// The core's side of its render thread.
pub struct RenderThread<T> {
    jobs: flume::Sender<Queued<T>>,
    /// Work no request waits on directly (a batch's steps): run only when `jobs` is empty.
    background: flume::Sender<Queued<T>>,
    results: flume::Receiver<Vec<(u64, Done<T>)>>,
    waiting: RefCell<HashMap<u64, local_sync::oneshot::Sender<Done<T>>>>,
    next: Cell<u64>,
    capacity: usize,
    /// `RUN_LIMIT`, shorter in tests.
    run_limit: Duration,
}

/// Runs one job: skipped past its budget, timed, a panic caught.
fn run_one<T>(queued: Instant, budget: Duration, job: Job<T>) -> Done<T> {
    let waited = queued.elapsed();
    if waited >= budget {
        return Err(NotRun::Budget { waited });
    }
    let t0 = Instant::now();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
        Ok(t) => Ok((t, t0.elapsed())),
        Err(_) => Err(NotRun::Panicked),
    }
}

/// The next job: a request's first, then background work; when `block`, waits for either
/// (`None` once the core's side is gone).
fn next_job<T>(
    jobs: &flume::Receiver<Queued<T>>,
    background: &flume::Receiver<Queued<T>>,
    block: bool,
) -> Option<Queued<T>> {
    if let Ok(j) = jobs.try_recv() {
        return Some(j);
    }
    if let Ok(j) = background.try_recv() {
        return Some(j);
    }
    if !block {
        return None;
    }
    flume::Selector::new().recv(jobs, Result::ok).recv(background, Result::ok).wait()
}

/// The render thread's loop: block for a job, then take every job already queued (requests'
/// before background work), render for at most `BATCH_TIME`, send the batch back; until
/// the core's side is dropped.
fn work<T>(
    jobs: flume::Receiver<Queued<T>>,
    background: flume::Receiver<Queued<T>>,
    results: flume::Sender<Vec<(u64, Done<T>)>>,
) {
    while let Some(first) = next_job(&jobs, &background, true) {
        let started = Instant::now();
        let mut batch = Vec::new();
        let mut next = Some(first);
        while let Some((id, queued, budget, job)) = next.take() {
            batch.push((id, run_one(queued, budget, job)));
            if started.elapsed() >= BATCH_TIME {
                break;
            }
            next = next_job(&jobs, &background, false);
        }
        if results.send(batch).is_err() {
            return;
        }
    }
}

impl<T: Send + 'static> RenderThread<T> {
    /// Starts core `index`'s render thread, pinned to `cpu` when given, at `nice`. It ends
    /// when the `RenderThread` is dropped (after finishing the jobs already queued). Spawn
    /// `dispatch` on the core's runtime to receive the results.
    pub fn start(index: usize, cpu: Option<usize>, capacity: usize, nice: i32) -> io::Result<RenderThread<T>> {
        let (jobs, jobs_rx) = flume::bounded(capacity.max(1));
        let (background, background_rx) = flume::bounded(capacity.max(1));
        let (results_tx, results) = flume::unbounded();
        std::thread::Builder::new().name(format!("barcoded-render-{index}")).spawn(move || {
            if let Some(cpu) = cpu {
                let _ = monoio::utils::bind_to_cpu_set([cpu]);
            }
            crate::cpus::renice(nice);
            work(jobs_rx, background_rx, results_tx);
        })?;
        Ok(RenderThread {
            jobs,
            background,
            results,
            waiting: RefCell::new(HashMap::new()),
            next: Cell::new(0),
            capacity,
            run_limit: RUN_LIMIT,
        })
    }

    /// The same, with a run limit other than `RUN_LIMIT`.
    #[cfg(test)]
    fn with_run_limit(mut self, limit: Duration) -> Self {
        self.run_limit = limit;
        self
    }

    /// Runs `job` on the render thread unless it waits longer than `budget`, and waits
    /// for its result: `NotRun::Full` at once when the queue is full.
    pub async fn submit(&self, budget: Duration, job: Job<T>) -> Done<T> {
        self.enqueue(&self.jobs, budget, job).await
    }

    /// As `submit`, for work no request waits on directly (a batch's steps): it runs only
    /// when no request's job is queued, so batches never delay single renders.
    pub async fn submit_background(&self, budget: Duration, job: Job<T>) -> Done<T> {
        self.enqueue(&self.background, budget, job).await
    }

    async fn enqueue(&self, queue: &flume::Sender<Queued<T>>, budget: Duration, job: Job<T>) -> Done<T> {
        let id = self.next.get();
        self.next.set(id.wrapping_add(1));
        queue.try_send((id, Instant::now(), budget, job)).map_err(|_| NotRun::Full { capacity: self.capacity })?;
        let (tx, rx) = local_sync::oneshot::channel();
        self.waiting.borrow_mut().insert(id, tx);
        let limit = budget + self.run_limit;
        match monoio::time::timeout(limit, rx).await {
            // The thread is gone only when the core is: its job never ran to an answer.
            Ok(r) => r.unwrap_or(Err(NotRun::Panicked)),
            Err(_) => {
                self.waiting.borrow_mut().remove(&id);
                Err(NotRun::Overran { limit })
            }
        }
    }

    /// The core's receiving task: hands each result of a batch to its waiting request.
    pub async fn dispatch(self: Rc<Self>) {
        while let Ok(batch) = self.results.recv_async().await {
            for (id, r) in batch {
                if let Some(tx) = self.waiting.borrow_mut().remove(&id) {
                    let _ = tx.send(r);
                }
            }
        }
    }

    /// Jobs waiting now (requests' and background).
    pub fn len(&self) -> usize {
        self.jobs.len() + self.background.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(10);

    /// Submits a job that holds the thread until the returned sender sends (answers 0).
    fn blocker(t: &Rc<RenderThread<u32>>) -> (monoio::task::JoinHandle<Done<u32>>, std::sync::mpsc::Sender<()>) {
        let (gate_tx, gate_rx) = std::sync::mpsc::channel::<()>();
        let t0 = t.clone();
        let job: Job<u32> = Box::new(move || {
            let _ = gate_rx.recv();
            0
        });
        (monoio::spawn(async move { t0.submit(LONG, job).await }), gate_tx)
    }

    #[test]
    fn jobs_run_in_order_a_full_queue_refuses_and_budgets_and_panics_are_reported() {
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new().enable_timer().build().unwrap();
        rt.block_on(async {
            let t = Rc::new(RenderThread::<u32>::start(0, None, 2, 10).unwrap());
            monoio::spawn(t.clone().dispatch());
            let (first, gate_tx) = blocker(&t);
            // The thread takes the first job and blocks on the gate; two more fill the queue,
            // the second with a budget it will have spent by its turn.
            monoio::time::sleep(Duration::from_millis(20)).await;
            let t1 = t.clone();
            let second = monoio::spawn(async move { t1.submit(LONG, Box::new(|| 1)).await });
            let t2 = t.clone();
            let late = monoio::spawn(async move { t2.submit(Duration::from_millis(5), Box::new(|| 2)).await });
            monoio::time::sleep(Duration::from_millis(20)).await;
            assert_eq!(t.len(), 2);
            assert_eq!(t.submit(LONG, Box::new(|| 9)).await, Err(NotRun::Full { capacity: 2 }));
            gate_tx.send(()).unwrap();
            assert_eq!(first.await.unwrap().0, 0);
            assert_eq!(second.await.unwrap().0, 1);
            assert!(matches!(late.await, Err(NotRun::Budget { waited }) if waited >= Duration::from_millis(20)));
            // A job that panics is reported; the thread keeps serving.
            assert_eq!(
                t.submit(LONG, Box::new(|| std::panic::resume_unwind(Box::new("bug")))).await,
                Err(NotRun::Panicked)
            );
            let (v, took) = t.submit(LONG, Box::new(|| 7)).await.unwrap();
            assert_eq!(v, 7);
            assert!(took < LONG);
            assert!(t.waiting.borrow().is_empty());
        });
    }

    #[test]
    fn a_job_that_never_ends_costs_its_request_the_run_limit_and_no_more() {
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new().enable_timer().build().unwrap();
        rt.block_on(async {
            let t =
                Rc::new(RenderThread::<u32>::start(0, None, 2, 10).unwrap().with_run_limit(Duration::from_millis(50)));
            monoio::spawn(t.clone().dispatch());
            let (stuck, gate_tx) = blocker(&t);
            let started = Instant::now();
            let budget = Duration::from_millis(10);
            let t1 = t.clone();
            let queued = monoio::spawn(async move { t1.submit(budget, Box::new(|| 1)).await });
            assert!(
                matches!(queued.await, Err(NotRun::Overran { limit }) if limit == budget + Duration::from_millis(50))
            );
            assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
            // Once the long job ends, the thread serves again (the queued one is skipped: its
            // budget was spent; its answer, already given, is dropped).
            gate_tx.send(()).unwrap();
            assert_eq!(stuck.await.unwrap().0, 0);
            assert_eq!(t.submit(LONG, Box::new(|| 7)).await.unwrap().0, 7);
            assert!(t.waiting.borrow().is_empty());
        });
    }

    #[test]
    fn background_work_runs_after_queued_requests() {
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new().enable_timer().build().unwrap();
        rt.block_on(async {
            let t = Rc::new(RenderThread::<u32>::start(0, None, 8, 10).unwrap());
            monoio::spawn(t.clone().dispatch());
            let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let (blocked, gate_tx) = blocker(&t);
            monoio::time::sleep(Duration::from_millis(20)).await;
            // While the thread is busy: background first, then a request's job.
            let mut waits = Vec::new();
            for (bg, v) in [(true, 1), (true, 2), (false, 3)] {
                let (t, order) = (t.clone(), order.clone());
                let job: Job<u32> = Box::new(move || {
                    order.lock().unwrap().push(v);
                    v
                });
                waits.push(monoio::spawn(async move {
                    if bg {
                        t.submit_background(LONG, job).await
                    } else {
                        t.submit(LONG, job).await
                    }
                }));
                monoio::time::sleep(Duration::from_millis(5)).await;
            }
            gate_tx.send(()).unwrap();
            blocked.await.unwrap();
            for w in waits {
                w.await.unwrap();
            }
            assert_eq!(*order.lock().unwrap(), vec![3, 1, 2], "the request's job first");
        });
    }
}
