//! The `barcoded` binary: parse flags, start the server, log one line, and shut down
//! cleanly on SIGINT or SIGTERM.

use barcoded::config::{Cli, Config};
use barcoded::Server;
use clap::Parser;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn main() {
    let config: Config = Cli::parse().into();
    let term = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, term.clone()) {
            eprintln!("barcoded: cannot install signal handler: {e}");
            std::process::exit(1);
        }
    }
    let threads = config.threads;
    let server = match Server::start(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("barcoded: cannot start: {e}");
            std::process::exit(1);
        }
    };
    eprintln!(
        "barcoded: listening on http://{} with {} thread(s), driver {}",
        server.local_addr(),
        threads,
        server.driver()
    );
    while !term.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("barcoded: shutting down");
    server.shutdown();
}
