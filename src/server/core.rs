//! One core: pin the thread, build its monoio runtime with the chosen driver, accept on its
//! own listener and spawn a task per connection, plus the core's render-queue worker and
//! its slow tick (metrics published once a second). Owns the per-core state (`Local`).

use super::caught::Caught;
use super::conn;
use crate::api::Listener;
use crate::config::DriverChoice;
use crate::local::Local;
use crate::state::Shared;
use std::io;
use std::net::TcpListener as StdListener;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often an idle accept loop looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(200);
/// How often a core publishes its metrics (and core 0 re-reads the RSS).
const TICK: Duration = Duration::from_secs(1);

async fn expire(shared: Arc<Shared>) {
    crate::api::switches::expire(&shared).await;
}

/// A core's listening sockets: its share of the public port, and on core 0 the admin port.
pub struct Listeners {
    pub public: StdListener,
    pub admin: Option<StdListener>,
}

/// Accepts connections and spawns one task each, until the server stops.
async fn accept_loop(listener: monoio::net::TcpListener, kind: Listener, core: Rc<Local>, shared: Arc<Shared>) {
    let max_conns = shared.config.limits.max_conns_per_core;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                if core.stopping() {
                    return;
                }
                if core.conns.get() >= max_conns {
                    drop(stream);
                    continue;
                }
                monoio::spawn(Caught::new(conn::serve(stream, kind, core.clone(), shared.clone())));
            }
            Err(_) if core.stopping() => return,
            // Out of descriptors or a transient error: back off instead of spinning.
            Err(_) => monoio::time::sleep(Duration::from_millis(10)).await,
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
    // Our own handles on the listening sockets (duplicated descriptors), to shut them down
    // at stop whatever the accept tasks did with theirs.
    let stoppers: io::Result<Vec<StdListener>> =
        std::iter::once(&l.public).chain(&l.admin).map(|l| l.try_clone()).collect();
    let opened = stoppers.and_then(|s| {
        let public = monoio::net::TcpListener::from_std(l.public)?;
        let admin = l.admin.map(monoio::net::TcpListener::from_std).transpose()?;
        Ok((s, public, admin))
    });
    let (stoppers, listener, admin) = match opened {
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
    monoio::spawn(accept_loop(listener, Listener::Public, core.clone(), shared.clone()));
    if let Some(a) = admin {
        monoio::spawn(accept_loop(a, Listener::Admin, core.clone(), shared.clone()));
    }
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
        }
    }
    // Stop listening: wakes the pending accept and makes new connection attempts fail at
    // once, while connections already accepted carry on. (Cancelling an in-flight accept
    // instead could lose a connection the kernel had already accepted for it.) Shutdown
    // acts on the socket, so our duplicate descriptor reaches it even if the accept task
    // has already dropped its own.
    for l in &stoppers {
        let _ = socket2::SockRef::from(l).shutdown(std::net::Shutdown::Read);
    }
    // Let requests in progress finish; idle keep-alive connections are dropped with the runtime.
    let deadline = Instant::now() + shared.config.shutdown_grace;
    while core.busy.get() > 0 && Instant::now() < deadline {
        monoio::time::sleep(Duration::from_millis(5)).await;
    }
    // The last access-log lines go to the writer.
    core.publish(&shared);
}
