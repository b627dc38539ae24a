//! One core: pin the thread, build its monoio runtime with the chosen driver, accept on its
//! own listener and spawn a task per connection, plus the core's render-queue worker and
//! its slow tick (metrics published once a second). Owns the per-core state (`Local`).

use super::conn;
use crate::api::Listener;
use crate::config::DriverChoice;
use crate::local::Local;
use crate::state::Shared;
use std::future::Future;
use std::io;
use std::net::TcpListener as StdListener;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

/// How often an idle accept loop looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(200);
/// How often a core publishes its metrics (and core 0 re-reads the RSS).
const TICK: Duration = Duration::from_secs(1);
/// Most connections a core takes from its accept queues when it stops alone.
const MAX_DRAINED: usize = 4096;

async fn expire(shared: Arc<Shared>) {
    crate::api::switches::expire(&shared).await;
}

/// A core's listening sockets: its share of the public port (one socket, more when more
/// were handed over than there are cores), and on core 0 the admin port.
pub struct Listeners {
    pub public: Vec<StdListener>,
    pub admin: Option<StdListener>,
}

/// Accepts connections and spawns one task each, until the server stops. Stopping cancels
/// the pending accept; a connection the kernel had already given it is served (answered
/// with `Connection: close`), never dropped.
async fn accept_loop(listener: monoio::net::TcpListener, kind: Listener, core: Rc<Local>, shared: Arc<Shared>) {
    let max_conns = shared.config.limits.max_conns_per_core;
    loop {
        if core.stopping() {
            return;
        }
        let canceller = monoio::io::Canceller::new();
        let mut accept = std::pin::pin!(listener.cancelable_accept(canceller.handle()));
        let mut stopped = std::pin::pin!(core.stopped());
        let first = std::future::poll_fn(|cx| match accept.as_mut().poll(cx) {
            Poll::Ready(r) => Poll::Ready(Some(r)),
            Poll::Pending => stopped.as_mut().poll(cx).map(|_| None),
        })
        .await;
        let (accepted, last) = match first {
            Some(r) => (r, false),
            None => {
                let _ = canceller.cancel();
                (accept.await, true)
            }
        };
        match accepted {
            Ok((stream, _)) => {
                if core.conns.get() >= max_conns {
                    drop(stream);
                } else {
                    conn::spawn(stream, kind, core.clone(), shared.clone());
                }
            }
            Err(_) if last || core.stopping() => return,
            // Out of descriptors or a transient error: back off instead of spinning.
            Err(_) => monoio::time::sleep(Duration::from_millis(10)).await,
        }
        if last {
            return;
        }
    }
}

/// Serves what is already in a listener's accept queue at stop (at most `MAX_DRAINED`), so
/// closing it resets no connection the kernel had completed. Not done once the sockets
/// were handed over: the successor accepts from the same queues.
fn drain_queue(l: &StdListener, kind: Listener, core: &Rc<Local>, shared: &Arc<Shared>) {
    for _ in 0..MAX_DRAINED {
        let Ok((s, _)) = l.accept() else { return };
        let stream = s.set_nonblocking(true).and_then(|_| monoio::net::TcpStream::from_std(s));
        if let Ok(stream) = stream {
            conn::spawn(stream, kind, core.clone(), shared.clone());
        }
    }
}

/// The worker thread's body: reports start-up success or failure on `ready`, then serves.
pub fn run(
    cpu_index: usize,
    cpu: usize,
    l: Listeners,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    ready: Sender<io::Result<()>>,
) {
    if shared.config.pin {
        let _ = monoio::utils::bind_to_cpu_set([cpu]);
    }
    let pinned = shared.config.pin.then_some(cpu);
    let fut = serve(cpu_index, pinned, l, shared.clone(), stop, ready.clone());
    let pool = || Box::new(shared.decode_workers.clone());
    let built = match shared.config.driver {
        DriverChoice::Auto => monoio::RuntimeBuilder::<monoio::FusionDriver>::new()
            .uring_builder(uring_setup())
            .attach_thread_pool(pool())
            .enable_timer()
            .build()
            .or_else(|_| {
                // A kernel without the tuned flags: the default ring (or epoll without io_uring).
                monoio::RuntimeBuilder::<monoio::FusionDriver>::new().attach_thread_pool(pool()).enable_timer().build()
            })
            .map(|mut rt| rt.block_on(fut)),
        DriverChoice::Uring => monoio::RuntimeBuilder::<monoio::IoUringDriver>::new()
            .uring_builder(uring_setup())
            .attach_thread_pool(pool())
            .enable_timer()
            .build()
            .or_else(|_| {
                monoio::RuntimeBuilder::<monoio::IoUringDriver>::new().attach_thread_pool(pool()).enable_timer().build()
            })
            .map(|mut rt| rt.block_on(fut)),
        DriverChoice::Epoll => monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .attach_thread_pool(pool())
            .enable_timer()
            .build()
            .map(|mut rt| rt.block_on(fut)),
    };
    if let Err(e) = built {
        let _ = ready.send(Err(io::Error::new(e.kind(), format!("--driver: cannot start runtime: {e}"))));
    }
}

/// The io_uring set-up: COOP_TASKRUN (completions are run when the core next enters the
/// kernel instead of interrupting it) and SINGLE_ISSUER (only this core's thread submits).
/// Measured with `benches/sidebyside.sh drivers`: a cache hit costs 8.1 µs of server CPU
/// instead of 9.5 µs with the default ring (epoll: 8.7); cold renders unchanged.
fn uring_setup() -> io_uring::Builder {
    let mut b = io_uring::IoUring::builder();
    b.setup_coop_taskrun().setup_single_issuer();
    b
}

async fn serve(
    index: usize,
    cpu: Option<usize>,
    l: Listeners,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    ready: Sender<io::Result<()>>,
) {
    // Our own handles on the listening sockets (duplicated descriptors), to take what is
    // left in their queues at stop whatever the accept tasks did with theirs.
    let kinds = l.public.iter().map(|_| Listener::Public).chain(l.admin.iter().map(|_| Listener::Admin));
    let kinds: Vec<Listener> = kinds.collect();
    let sockets: Vec<StdListener> = l.public.into_iter().chain(l.admin).collect();
    let opened = sockets.iter().map(|l| l.try_clone()).collect::<io::Result<Vec<_>>>().and_then(|dups| {
        let monoio = sockets.into_iter().map(monoio::net::TcpListener::from_std).collect::<io::Result<Vec<_>>>()?;
        Ok((dups, monoio))
    });
    let (dups, listeners) = match opened {
        Ok(v) => v,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let core = match Local::new(index, cpu, &shared, stop) {
        Ok(c) => Rc::new(c),
        Err(e) => {
            let _ = ready.send(Err(io::Error::new(e.kind(), format!("core {index}: render thread: {e}"))));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    monoio::spawn(core.render_thread.clone().dispatch());
    let accepting: Vec<_> = listeners
        .into_iter()
        .zip(kinds.iter())
        .map(|(l, &kind)| monoio::spawn(accept_loop(l, kind, core.clone(), shared.clone())))
        .collect();
    let mut last_tick = Instant::now();
    core.publish(&shared);
    while !core.stopping() {
        monoio::time::sleep(STOP_POLL).await;
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            if index == 0 {
                shared.memory.refresh();
                // Expired switches leave (persisted and audited like any change).
                if shared.switches().next_expiry.is_some_and(|t| t <= crate::api::switches::unix_now()) {
                    monoio::spawn(expire(shared.clone()));
                }
            }
            core.publish(&shared);
            core.fold_hot(&shared);
            core.leases.borrow_mut().settle(Instant::now());
        }
    }
    // Stop accepting: the pending accepts are cancelled (a connection one already got is
    // served) and idle keep-alive connections learn of it (`conn`). The listening sockets
    // are not shut down: after a handover the successor accepts from the same queues.
    core.stop_signal.close();
    for a in accepting {
        a.await;
    }
    if !shared.handed_over.load(std::sync::atomic::Ordering::SeqCst) {
        for (l, &kind) in dups.iter().zip(kinds.iter()) {
            drain_queue(l, kind, &core, &shared);
        }
    }
    // Every connection finishes: requests in progress are answered (`Connection: close`),
    // idle ones close within `conn::IDLE_DRAIN`; the grace period bounds it all.
    let deadline = Instant::now() + shared.config.shutdown_grace;
    while core.conns.get() > 0 && Instant::now() < deadline {
        monoio::time::sleep(Duration::from_millis(5)).await;
    }
    // The last access-log lines go to the writer, the last hot-key counts to the ranking.
    core.publish(&shared);
    core.fold_hot(&shared);
    core.leases.borrow_mut().settle(Instant::now());
}
