//! Thread-per-core serving: one thread per core, pinned, each with its own monoio runtime
//! (io_uring or epoll) and its own `SO_REUSEPORT` listener made with socket2. The kernel
//! spreads connections across the listeners; nothing on the hot path crosses cores except
//! the shared L1.

pub mod caught;
pub mod conn;
pub mod core;
pub mod handover;
pub mod listener;

use crate::config::{Config, DriverChoice};
use crate::state::Shared;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A running server: its address, its worker threads and the flag that stops them.
pub struct Server {
    addr: SocketAddr,
    admin_addr: Option<SocketAddr>,
    driver: &'static str,
    threads: Vec<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    shared: Arc<Shared>,
}

/// The driver name actually in use for `choice` on this kernel.
fn driver_name(choice: DriverChoice) -> &'static str {
    match choice {
        DriverChoice::Epoll => "epoll",
        DriverChoice::Uring => "io_uring",
        DriverChoice::Auto if monoio::utils::detect_uring() => "io_uring",
        DriverChoice::Auto => "epoll",
    }
}

impl Server {
    /// Binds every core's listener and starts the workers; returns once all serve.
    pub fn start(config: Config) -> io::Result<Server> {
        crate::server::listener::raise_nofile_limit();
        let threads = config.threads.max(1);
        // A running instance on this port hands over its sockets (a restart or an upgrade);
        // otherwise every core binds its own.
        let inherited = match handover::take(config.listen, config.admin_listen) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("barcoded: the running instance's sockets were not taken ({e}); binding anew");
                None
            }
        };
        let (taken, mut admin) = match inherited {
            Some(i) => {
                eprintln!(
                    "barcoded: took over {} listening socket(s){} from pid {}",
                    i.public.len(),
                    if i.admin.is_some() { " and the admin socket" } else { "" },
                    i.from_pid
                );
                (i.public, i.admin)
            }
            None => (Vec::new(), None),
        };
        let mut per_core: Vec<Vec<TcpListener>> = (0..threads).map(|_| Vec::new()).collect();
        for (i, l) in taken.into_iter().enumerate() {
            per_core[i % threads].push(l);
        }
        let mut addr = config.listen;
        for sockets in per_core.iter_mut().filter(|s| s.is_empty()) {
            let l = listener::bind(addr, config.backlog)?;
            addr = l.local_addr()?;
            sockets.push(l);
        }
        let addr = per_core[0][0].local_addr()?;
        if admin.is_none() {
            if let Some(a) = config.admin_listen {
                let l = listener::bind_admin(a)
                    .map_err(|e| io::Error::new(e.kind(), format!("--admin-listen {a}: {e}")))?;
                admin = Some(l);
            }
        }
        let admin_addr = admin.as_ref().map(|l| l.local_addr()).transpose()?;
        // Duplicates kept for a successor (the cores own the originals).
        let offered = handover::Offered {
            public: per_core.iter().flatten().map(|l| l.try_clone().map(OwnedFd::from)).collect::<io::Result<_>>()?,
            admin: admin.as_ref().map(|l| l.try_clone().map(OwnedFd::from)).transpose()?,
        };
        let driver = driver_name(config.driver);
        let shared = Arc::new(Shared::new(config).map_err(|e| io::Error::new(e.kind(), format!("--access-log: {e}")))?);
        // Persisted switches are in force before the first request is accepted.
        crate::api::switches::load(&shared).map_err(|e| io::Error::other(format!("--switches {e}")))?;
        // The warm list and the hot list (a previous run's top keys) are rendered into the
        // pool before the first request is accepted. A damaged hot list is ignored, said once.
        let preheat = Instant::now();
        let (hot, from) = crate::api::hot::load(&shared).unwrap_or_else(|e| {
            eprintln!("barcoded: the hot list is ignored: {e}");
            (0, "")
        });
        if shared.config.warm.is_some() || hot > 0 {
            let r = crate::api::warm::reload(&shared).map_err(|e| io::Error::other(format!("--warm: {e}")))?;
            if hot > 0 {
                eprintln!(
                    "barcoded: pre-heated the pool with {hot} hot keys from {from} in {} ms ({} responses, {} bytes)",
                    preheat.elapsed().as_millis(),
                    r.entries,
                    r.bytes
                );
            }
        }
        // The decode worker processes start beside the cores, so a first decode finds one.
        {
            let shared = shared.clone();
            let n = shared.config.limits.decode_workers;
            let _ = std::thread::Builder::new().name("barcoded-decoders".into()).spawn(move || shared.decoders.warm(n));
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel::<io::Result<()>>();
        let cpus = crate::cpus::allowed();
        let mut handles = Vec::with_capacity(threads);
        for (i, l) in per_core.into_iter().enumerate() {
            let (shared, stop, tx) = (shared.clone(), stop.clone(), tx.clone());
            let cpu = crate::cpus::for_worker(&cpus, i);
            // Core 0 also serves the admin listener.
            let listeners = core::Listeners { public: l, admin: admin.take() };
            let h = std::thread::Builder::new()
                .name(format!("barcoded-core-{i}"))
                .spawn(move || core::run(i, cpu, listeners, shared, stop, tx))?;
            handles.push(h);
        }
        drop(tx);
        for _ in 0..threads {
            match rx.recv() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    stop.store(true, Ordering::SeqCst);
                    return Err(e);
                }
                Err(_) => {
                    stop.store(true, Ordering::SeqCst);
                    return Err(io::Error::other("a worker thread died during start-up"));
                }
            }
        }
        // A successor pre-heats from the hot file: it is written just before the sockets go.
        let before = {
            let shared = shared.clone();
            move || {
                let _ = crate::api::hot::save(&shared);
            }
        };
        handover::offer(
            addr,
            offered,
            handover::Hooks { handed: shared.handed_over.clone(), stop: stop.clone(), before: Box::new(before) },
        );
        crate::api::hot::keep(shared.clone(), stop.clone());
        Ok(Server { addr, admin_addr, driver, threads: handles, stop, shared })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The admin listener's address (`--admin-listen`), unless it is off.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// The io driver the workers run on.
    pub fn driver(&self) -> &'static str {
        self.driver
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Rebuilds the template pool from the warm list (SIGHUP); serving never pauses.
    pub fn reload(&self) -> Result<crate::api::warm::Reloaded, String> {
        crate::api::warm::reload(&self.shared)
    }

    /// Takes over the live settings of `new` (`config::reload::LIVE`: the memory watermark,
    /// the access log's and the shadow's sampling, request limits, budgets, the admin token
    /// and whether an API key is required) and reads the API keys and switches files again;
    /// says what it did. Everything else in `new` is for the caller to report as needing a
    /// restart.
    pub fn reconfigure(&self, new: &Config) -> Vec<String> {
        let s = &self.shared;
        s.take_live(new);
        let mut done = Vec::new();
        if s.config.api_keys.is_some() {
            match s.reload_keys() {
                Ok(n) => done.push(format!("{n} API key(s) in force from the keys file")),
                Err(e) => done.push(format!("API keys file not reloaded ({e}), the keys in force stay")),
            }
        }
        if s.config.switches.is_some() {
            match crate::api::switches::reload_file(s) {
                Ok(n) => done.push(format!("{n} switch(es) in force from the switches file")),
                Err(e) => done.push(format!("switches file not reloaded ({e}), the switches in force stay")),
            }
        }
        done
    }

    /// Stops accepting, lets in-flight requests finish (bounded by the grace period), then
    /// closes every connection and joins the workers.
    pub fn shutdown(self) {
        self.shared.start_drain();
        self.stop.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + self.shared.config.shutdown_grace + Duration::from_secs(1);
        for h in self.threads {
            // Workers exit on their own within the grace period; don't hang past it.
            while !h.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if h.is_finished() {
                let _ = h.join();
            }
        }
        // The cores folded their last counts in when they stopped.
        if let Err(e) = crate::api::hot::save(&self.shared) {
            eprintln!("barcoded: cannot write the hot list: {e}");
        }
    }
}
