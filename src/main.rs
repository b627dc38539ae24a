//! The `barcoded` binary: the command line without a server (`cli`), or parse flags, start the server, log one line, rebuild the template
//! pool on SIGHUP (on this thread, off the serving cores), and shut down cleanly on SIGINT
//! or SIGTERM.

use barcoded::config::{Cli, Config};
use barcoded::Server;
use clap::Parser;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// mimalloc: cold renders allocate on the render thread and free on the core's thread,
/// which glibc malloc makes costly (cold EAN-13: 30.8 µs of server CPU with glibc, 25.4
/// with mimalloc, `benches/sidebyside.sh` side by side); cache hits cost the same.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args_os().skip(1).take(2).map(|a| a.to_string_lossy().into_owned()).collect();
    if args.first().map(String::as_str) == Some("--decode-worker") {
        // A decode worker process the server started (`decoder/`), not a server.
        barcoded::decoder::child::main(&args[1..]);
    }
    barcoded::set_allocator_name("mimalloc");
    let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    match args.first().map(String::as_str) {
        // The command line without a server.
        Some(c) if barcoded::cli::COMMANDS.contains(&c) => std::process::exit(barcoded::cli::run(argv)),
        Some("--version" | "-V") => {
            println!("barcoded {}", barcoded::cli::version());
            return;
        }
        // `barcoded serve FLAGS` is `barcoded FLAGS`.
        Some("serve") => {
            argv.remove(1);
        }
        _ => {}
    }
    let merged = match barcoded::config::file::merge(argv) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("barcoded: {e}");
            std::process::exit(2);
        }
    };
    let cli = Cli::parse_from(&merged.args);
    barcoded::log::install_panic_hook();
    if cli.print_config {
        match barcoded::config::file::print(&merged) {
            Ok(text) => print!("{text}"),
            Err(e) => eprintln!("barcoded: {e}"),
        }
        return;
    }
    let config = match Config::try_from(cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("barcoded: {e}");
            std::process::exit(2);
        }
    };
    let term = Arc::new(AtomicBool::new(false));
    let hup = Arc::new(AtomicBool::new(false));
    let signals = [
        (signal_hook::consts::SIGINT, &term),
        (signal_hook::consts::SIGTERM, &term),
        (signal_hook::consts::SIGHUP, &hup),
    ];
    for (sig, flag) in signals {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(flag)) {
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
    match server.admin_addr() {
        Some(a) => eprintln!("barcoded: admin (/metrics, /admin/reload) on http://{a}"),
        None => eprintln!("barcoded: admin listener off"),
    }
    while !term.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
        if hup.swap(false, Ordering::Relaxed) {
            match server.reload() {
                Ok(r) => eprintln!(
                    "barcoded: reloaded the template pool: generation {}, {} entries, {} bytes, {} errors",
                    r.generation,
                    r.entries,
                    r.bytes,
                    r.errors.len() + r.more_errors
                ),
                Err(e) => eprintln!("barcoded: reload failed, the previous pool stays: {e}"),
            }
        }
    }
    eprintln!("barcoded: shutting down");
    server.shutdown();
}
