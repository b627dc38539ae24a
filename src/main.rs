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
    let missing = barcoded::reader::cpu::missing();
    if !missing.is_empty() {
        eprintln!("barcoded: {}", barcoded::reader::cpu::refusal(&missing));
        std::process::exit(2);
    }
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
    let merged = match barcoded::config::file::merge(argv.clone()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("barcoded: {e}");
            std::process::exit(2);
        }
    };
    let cli = Cli::parse_from(&merged.args);
    // What a reload compares against: the configuration the server started with.
    let started_with = barcoded::config::file::print(&merged).unwrap_or_default();
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
            reload(&server, &argv, &started_with);
        }
    }
    eprintln!("barcoded: shutting down");
    server.shutdown();
}

/// SIGHUP: the configuration read again (flags, environment, `--config` file) and compared
/// with the one the server started with — the live settings taken over, every other change
/// named as needing a restart — the switches file read again, and the template pool rebuilt
/// from the warm list and the hot keys. Each step says in the log what it did.
fn reload(server: &Server, argv: &[std::ffi::OsString], started_with: &str) {
    use barcoded::config::{file, reload};
    let read = file::merge(argv.to_vec()).and_then(|m| {
        let text = file::print(&m)?;
        let cli = Cli::try_parse_from(&m.args).map_err(|e| e.to_string())?;
        Ok((text, Config::try_from(cli)?))
    });
    match read {
        Err(e) => eprintln!("barcoded: reload: the configuration does not read, the running one stays: {e}"),
        Ok((text, config)) => {
            let changes = reload::diff(started_with, &text);
            let (live, later): (Vec<_>, Vec<_>) = changes.iter().partition(|c| c.live());
            let done = server.reconfigure(&config);
            let list = |v: &[&reload::Change]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ");
            if changes.is_empty() {
                eprintln!("barcoded: reload: the configuration is as at start");
            }
            if !live.is_empty() {
                eprintln!("barcoded: reload: in force now: {}", list(&live));
            }
            if !later.is_empty() {
                eprintln!("barcoded: reload: needs a restart to take effect: {}", list(&later));
            }
            for d in done {
                eprintln!("barcoded: reload: {d}");
            }
        }
    }
    match server.reload() {
        Ok(r) => eprintln!(
            "barcoded: reloaded the template pool: generation {}, {} entries ({} hot keys), {} bytes, {} errors",
            r.generation,
            r.entries,
            r.hot,
            r.bytes,
            r.errors.len() + r.more_errors
        ),
        Err(e) => eprintln!("barcoded: reload failed, the previous pool stays: {e}"),
    }
}
