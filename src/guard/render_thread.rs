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
//! The queue is the per-core admission bound (full: refused at once); each job is told how
//! long it waited, so one whose budget is spent can answer without rendering.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A queued render; its argument is how long it waited in the queue.
pub type Job<T> = Box<dyn FnOnce(Duration) -> T + Send>;

/// Longest stretch of rendering before the results so far go back to the core.
const BATCH_TIME: Duration = Duration::from_micros(500);

/// The queue is full: the request is refused (admission control).
#[derive(Debug, PartialEq, Eq)]
pub struct Full {
    pub capacity: usize,
}

/// The core's side of its render thread.
pub struct RenderThread<T> {
    jobs: flume::Sender<(u64, Instant, Job<T>)>,
    results: flume::Receiver<Vec<(u64, Option<T>)>>,
    waiting: RefCell<HashMap<u64, local_sync::oneshot::Sender<T>>>,
    next: Cell<u64>,
    capacity: usize,
}

/// The render thread's loop: block for a job, then take every job already queued, render
/// for at most `BATCH_TIME`, send the batch back; until the core's side is dropped. A job
/// that panics (none should: renderers are fuzzed) yields `None` and the thread carries on.
fn work<T>(jobs: flume::Receiver<(u64, Instant, Job<T>)>, results: flume::Sender<Vec<(u64, Option<T>)>>) {
    while let Ok(first) = jobs.recv() {
        let started = Instant::now();
        let mut batch = Vec::new();
        let mut next = Some(first);
        while let Some((id, queued, job)) = next.take() {
            let waited = queued.elapsed();
            batch.push((id, std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(waited))).ok()));
            if started.elapsed() >= BATCH_TIME {
                break;
            }
            next = jobs.try_recv().ok();
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
        let (results_tx, results) = flume::unbounded();
        std::thread::Builder::new().name(format!("barcoded-render-{index}")).spawn(move || {
            if let Some(cpu) = cpu {
                let _ = monoio::utils::bind_to_cpu_set([cpu]);
            }
            crate::server::cpus::renice(nice);
            work(jobs_rx, results_tx);
        })?;
        Ok(RenderThread { jobs, results, waiting: RefCell::new(HashMap::new()), next: Cell::new(0), capacity })
    }

    /// Runs `job` on the render thread and waits for its result; `Err` at once when the
    /// queue is full, `Ok(None)` if the job panicked or the thread went away.
    pub async fn run(&self, job: Job<T>) -> Result<Option<T>, Full> {
        let id = self.next.get();
        self.next.set(id.wrapping_add(1));
        self.jobs.try_send((id, Instant::now(), job)).map_err(|_| Full { capacity: self.capacity })?;
        let (tx, rx) = local_sync::oneshot::channel();
        self.waiting.borrow_mut().insert(id, tx);
        Ok(rx.await.ok())
    }

    /// The core's receiving task: hands each result of a batch to its waiting request.
    pub async fn dispatch(self: Rc<Self>) {
        while let Ok(batch) = self.results.recv_async().await {
            for (id, r) in batch {
                // Removed either way: a panicked job's waiter sees its sender dropped.
                let tx = self.waiting.borrow_mut().remove(&id);
                if let (Some(tx), Some(r)) = (tx, r) {
                    let _ = tx.send(r);
                }
            }
        }
    }

    /// Jobs waiting now.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_order_and_a_full_queue_refuses() {
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new().enable_timer().build().unwrap();
        rt.block_on(async {
            let t = Rc::new(RenderThread::<(u32, Duration)>::start(0, None, 2, 10).unwrap());
            monoio::spawn(t.clone().dispatch());
            let (gate_tx, gate_rx) = std::sync::mpsc::channel::<()>();
            let t0 = t.clone();
            let first = monoio::spawn(async move {
                t0.run(Box::new(move |w| {
                    let _ = gate_rx.recv();
                    (0, w)
                }))
                .await
            });
            // The thread takes the first job and blocks on the gate; two more fill the queue.
            monoio::time::sleep(Duration::from_millis(20)).await;
            let mut rest = Vec::new();
            for i in 1..3 {
                let ti = t.clone();
                rest.push(monoio::spawn(async move { ti.run(Box::new(move |w| (i, w))).await }));
            }
            monoio::time::sleep(Duration::from_millis(20)).await;
            assert_eq!(t.len(), 2);
            assert_eq!(t.run(Box::new(|w| (9, w))).await, Err(Full { capacity: 2 }));
            gate_tx.send(()).unwrap();
            assert_eq!(first.await.unwrap().unwrap().0, 0);
            let mut got = Vec::new();
            for h in rest {
                let (i, waited) = h.await.unwrap().unwrap();
                assert!(waited >= Duration::from_millis(20), "{waited:?}");
                got.push(i);
            }
            assert_eq!(got, vec![1, 2]);
            // A job that panics answers None; the thread keeps serving.
            assert_eq!(t.run(Box::new(|_| panic!("a renderer bug"))).await, Ok(None));
            assert_eq!(t.run(Box::new(|w| (7, w))).await.unwrap().unwrap().0, 7);
            assert!(t.waiting.borrow().is_empty());
        });
    }
}
