//! The decode workers: a fixed number of threads fed by a crossbeam channel, attached
//! to every core's runtime so `monoio::spawn_blocking` hands CPU-heavy image decoding to
//! it and the core's event loop never blocks. Admission (how many decodes may be queued or
//! running) is counted in `Shared`, so a full pool answers 503 at once.

use crossbeam::channel::{unbounded, Sender};
use monoio::blocking::{BlockingTask, ThreadPool};

/// The decode workers' nice value.
const DECODE_NICE: i32 = 10;

/// A handle to the workers; clones share the same threads.
#[derive(Clone)]
pub struct DecodeWorkers {
    tx: Sender<BlockingTask>,
}

impl DecodeWorkers {
    /// Starts `workers` threads. They end when the last handle is dropped.
    pub fn new(workers: usize) -> DecodeWorkers {
        let (tx, rx) = unbounded::<BlockingTask>();
        for i in 0..workers.max(1) {
            let rx = rx.clone();
            let _ = std::thread::Builder::new().name(format!("barcoded-decode-{i}")).spawn(move || {
                // Below the event loops, like the render threads: hits preempt decodes.
                crate::cpus::renice(DECODE_NICE);
                for task in rx {
                    task.run();
                }
            });
        }
        DecodeWorkers { tx }
    }
}

impl ThreadPool for DecodeWorkers {
    fn schedule_task(&self, task: BlockingTask) {
        // The channel only closes when every handle is gone, i.e. never while a runtime uses it.
        let _ = self.tx.send(task);
    }
}
