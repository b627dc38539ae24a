//! One core: pin the thread, build its monoio runtime with the chosen driver, accept on its
//! own listener and spawn a task per connection. Owns the per-core state (`Core`): the
//! `Date` cache and the connection counters, never shared with another thread.

use super::conn;
use crate::config::DriverChoice;
use crate::http::date::DateCache;
use crate::state::Shared;
use std::cell::{Cell, RefCell};
use std::io;
use std::net::TcpListener as StdListener;
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often an idle accept loop looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(200);

/// State owned by one core.
pub struct Core {
    pub date: RefCell<DateCache>,
    /// Open connections on this core.
    pub conns: Cell<usize>,
    /// Connections with a request read but not yet answered.
    pub busy: Cell<usize>,
    pub stop: Arc<AtomicBool>,
}

impl Core {
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Accepts connections and spawns one task each, until the server stops.
async fn accept_loop(listener: monoio::net::TcpListener, core: Rc<Core>, shared: Arc<Shared>) {
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
                monoio::spawn(conn::serve(stream, core.clone(), shared.clone()));
            }
            Err(_) if core.stopping() => return,
            // Out of descriptors or a transient error: back off instead of spinning.
            Err(_) => monoio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// The worker thread's body: reports start-up success or failure on `ready`, then serves.
pub fn run(cpu: usize, l: StdListener, shared: Arc<Shared>, stop: Arc<AtomicBool>, ready: Sender<io::Result<()>>) {
    if shared.config.pin {
        let _ = monoio::utils::bind_to_cpu_set([cpu]);
    }
    let fut = serve(l, shared.clone(), stop, ready.clone());
    let built = match shared.config.driver {
        DriverChoice::Auto => monoio::RuntimeBuilder::<monoio::FusionDriver>::new()
            .attach_thread_pool(Box::new(shared.decode_pool.clone()))
            .enable_timer()
            .build()
            .map(|mut rt| rt.block_on(fut)),
        DriverChoice::Uring => monoio::RuntimeBuilder::<monoio::IoUringDriver>::new()
            .attach_thread_pool(Box::new(shared.decode_pool.clone()))
            .enable_timer()
            .build()
            .map(|mut rt| rt.block_on(fut)),
        DriverChoice::Epoll => monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .attach_thread_pool(Box::new(shared.decode_pool.clone()))
            .enable_timer()
            .build()
            .map(|mut rt| rt.block_on(fut)),
    };
    if let Err(e) = built {
        let _ = ready.send(Err(io::Error::new(e.kind(), format!("--driver: cannot start runtime: {e}"))));
    }
}

async fn serve(l: StdListener, shared: Arc<Shared>, stop: Arc<AtomicBool>, ready: Sender<io::Result<()>>) {
    let listener = match monoio::net::TcpListener::from_std(l) {
        Ok(l) => l,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let core =
        Rc::new(Core { date: RefCell::new(DateCache::default()), conns: Cell::new(0), busy: Cell::new(0), stop });
    let fd = listener.as_raw_fd();
    monoio::spawn(accept_loop(listener, core.clone(), shared.clone()));
    while !core.stopping() {
        monoio::time::sleep(STOP_POLL).await;
    }
    // Stop listening: wakes the pending accept and makes new connection attempts fail at
    // once, while connections already accepted carry on. (Cancelling an in-flight accept
    // instead could lose a connection the kernel had already accepted for it.)
    // SAFETY: `fd` is this core's listening socket, still open (owned by the accept task).
    unsafe {
        libc::shutdown(fd, libc::SHUT_RD);
    }
    // Let requests in progress finish; idle keep-alive connections are dropped with the runtime.
    let deadline = Instant::now() + shared.config.shutdown_grace;
    while core.busy.get() > 0 && Instant::now() < deadline {
        monoio::time::sleep(Duration::from_millis(5)).await;
    }
}
