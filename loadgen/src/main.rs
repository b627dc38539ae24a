//! loadgen: a thread-per-core HTTP/1.1 load generator in the server's own runtime model
//! (one pinned-or-not monoio runtime per thread, io_uring or epoll). Closed loop by default;
//! with `--rate` an open loop whose latency counts from each request's intended send time,
//! so a stalled server cannot hide its stalls (coordinated omission). It never imports the
//! server crate: it is a client anyone can point at any HTTP server. `loadgen compare`
//! compares a candidate build's answers with the old build's (`compare/`).

mod cli;
mod compare;
mod conn;
mod report;
mod workload;

use clap::Parser;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    if std::env::args().nth(1).as_deref() == Some("compare") {
        std::process::exit(compare::main(std::env::args_os().skip(1).collect()));
    }
    let args = cli::Args::parse();
    let target = match cli::Target::parse(&args.url) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("loadgen: --url: {e}");
            std::process::exit(2);
        }
    };
    let workload = match workload::Workload::from_args(&args, &target) {
        Ok(w) => Arc::new(w),
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    if args.rate.is_some() && args.pipeline > 1 {
        eprintln!("loadgen: --rate sends one request at a time per connection; drop --pipeline");
        std::process::exit(2);
    }
    let threads = args.threads.max(1) as usize;
    let conns = args.connections.max(1) as usize;
    let progress = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let cpu0 = report::cpu_seconds();
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(args.duration);
    let mut handles = Vec::new();
    for t in 0..threads {
        // Spread connections over threads as evenly as possible.
        let n = conns / threads + usize::from(t < conns % threads);
        let per_conn_rate = args.rate.map(|r| r / conns as f64);
        let cfg = conn::ThreadConfig {
            thread: t,
            connections: n,
            pipeline: args.pipeline.max(1) as usize,
            rate: per_conn_rate,
            deadline,
            addr: target.addr,
            host: target.host.clone(),
            driver: args.driver,
            verify_every: args.verify_every,
        };
        let (w, p, s) = (workload.clone(), progress.clone(), stop.clone());
        handles.push(std::thread::spawn(move || conn::run_thread(cfg, w, p, s)));
    }
    report::progress_until(deadline, &progress, &stop);
    let mut total = report::Stats::new();
    for h in handles {
        match h.join() {
            Ok(Ok(s)) => total.merge(&s),
            Ok(Err(e)) => {
                eprintln!("loadgen: {e}");
                std::process::exit(1);
            }
            Err(_) => {
                eprintln!("loadgen: a worker thread panicked");
                std::process::exit(1);
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64().min(args.duration.max(0.001) + 1.0);
    let cpu = report::cpu_seconds() - cpu0;
    let summary = report::Summary::new(&args, &total, elapsed, cpu);
    // A closed stdout (e.g. `| head`) is not worth a panic.
    let mut out = std::io::stdout();
    let _ = if args.json { writeln!(out, "{}", summary.json()) } else { write!(out, "{}", summary.human()) };
    if total.requests == 0 {
        std::process::exit(1);
    }
}
