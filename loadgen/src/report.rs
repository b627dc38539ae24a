//! Statistics (per thread, merged at the end), the live progress line and the summary in
//! human and JSON form.

use crate::cli::Args;
use hdrhistogram::Histogram;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Clone, Debug, Default)]
pub struct Errors {
    pub connect: u64,
    /// Other I/O errors than the two below.
    pub io: u64,
    /// The connection was reset (`ECONNRESET`, `EPIPE`) with a request unanswered.
    pub reset: u64,
    /// The server closed the connection (end of stream) with a request unanswered.
    pub closed: u64,
    pub timeout: u64,
    pub framing: u64,
    pub status_4xx: u64,
    pub status_5xx: u64,
    pub status_other: u64,
    pub bad_body: u64,
}

impl Errors {
    /// Counts an I/O error that left `unanswered` requests without an answer.
    pub fn count_io(&mut self, e: &std::io::Error, unanswered: u64) {
        use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
        match e.kind() {
            ConnectionReset | BrokenPipe | ConnectionAborted => self.reset += unanswered,
            _ => self.io += unanswered,
        }
    }

    fn total(&self) -> u64 {
        self.connect
            + self.io
            + self.reset
            + self.closed
            + self.timeout
            + self.framing
            + self.status_4xx
            + self.status_5xx
            + self.status_other
            + self.bad_body
    }
}

#[derive(Clone)]
pub struct Stats {
    pub requests: u64,
    pub bytes: u64,
    pub hist: Histogram<u64>,
    /// Answers with a 2xx or 3xx status (goodput), and their latency alone.
    pub ok: u64,
    pub ok_hist: Histogram<u64>,
    pub errors: Errors,
    /// Connections the server closed politely (`Connection: close`); loadgen reconnects.
    pub server_closes: u64,
}

impl Stats {
    pub fn new() -> Stats {
        // Microseconds, 1 us to 100 s, 3 significant figures.
        let hist =
            Histogram::new_with_bounds(1, 100_000_000, 3).unwrap_or_else(|_| Histogram::new(3).expect("histogram"));
        Stats { requests: 0, bytes: 0, ok: 0, ok_hist: hist.clone(), hist, errors: Errors::default(), server_closes: 0 }
    }

    pub fn record(&mut self, status: u16, bytes: usize, latency: Duration) {
        self.requests += 1;
        self.bytes += bytes as u64;
        let us = (latency.as_micros() as u64).clamp(1, 100_000_000);
        let _ = self.hist.record(us);
        match status {
            200..=399 => {
                self.ok += 1;
                let _ = self.ok_hist.record(us);
            }
            400..=499 => self.errors.status_4xx += 1,
            500..=599 => self.errors.status_5xx += 1,
            _ => self.errors.status_other += 1,
        }
    }

    pub fn merge(&mut self, o: &Stats) {
        self.requests += o.requests;
        self.bytes += o.bytes;
        let _ = self.hist.add(&o.hist);
        self.ok += o.ok;
        let _ = self.ok_hist.add(&o.ok_hist);
        let e = &o.errors;
        self.errors.connect += e.connect;
        self.errors.io += e.io;
        self.errors.reset += e.reset;
        self.errors.closed += e.closed;
        self.server_closes += o.server_closes;
        self.errors.timeout += e.timeout;
        self.errors.framing += e.framing;
        self.errors.status_4xx += e.status_4xx;
        self.errors.status_5xx += e.status_5xx;
        self.errors.status_other += e.status_other;
        self.errors.bad_body += e.bad_body;
    }
}

/// This process's CPU time (user + system), seconds.
pub fn cpu_seconds() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

/// Waits for the run to end, printing a progress line once a second when stderr is a TTY.
pub fn progress_until(deadline: Instant, progress: &AtomicU64, stop: &AtomicBool) {
    let tty = std::io::stderr().is_terminal();
    let start = Instant::now();
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200).min(deadline.saturating_duration_since(Instant::now())));
        if tty {
            let n = progress.load(Ordering::Relaxed);
            let t = start.elapsed().as_secs_f64();
            let _ = write!(std::io::stderr(), "\r{t:5.1} s  {n:>10} requests  {:>10.0} req/s", n as f64 / t.max(0.001));
        }
    }
    stop.store(true, Ordering::Relaxed);
    if tty {
        let _ = writeln!(std::io::stderr());
    }
}

pub struct Summary {
    lines: Vec<(String, String)>,
    human: String,
}

impl Summary {
    pub fn new(a: &Args, s: &Stats, elapsed: f64, cpu: f64) -> Summary {
        let q = |p: f64| s.hist.value_at_quantile(p);
        let rps = s.requests as f64 / elapsed;
        let cpu_us = if s.requests > 0 { cpu * 1e6 / s.requests as f64 } else { f64::NAN };
        let mode = match a.rate {
            Some(r) => format!("open loop at {r} req/s (latency from intended send time)"),
            None => "closed loop".into(),
        };
        let e = &s.errors;
        let mut human = String::new();
        human += &format!(
            "loadgen: {:.2} s, {} connection(s) on {} thread(s), pipeline {}, {mode}, workload {:?}\n",
            elapsed, a.connections, a.threads, a.pipeline, a.workload
        );
        human += &format!(
            "requests: {} ({:.0} req/s), {:.1} MB read ({:.1} MB/s), client CPU {:.2} us/req\n",
            s.requests,
            rps,
            s.bytes as f64 / 1e6,
            s.bytes as f64 / 1e6 / elapsed,
            cpu_us
        );
        human += &format!(
            "latency us: p50 {} p90 {} p99 {} p99.9 {} max {}\n",
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            s.hist.max()
        );
        let okq = |p: f64| s.ok_hist.value_at_quantile(p);
        if s.ok != s.requests {
            human += &format!(
                "answered 2xx/3xx: {} ({:.0} req/s), latency us: p50 {} p99 {}\n",
                s.ok,
                s.ok as f64 / elapsed,
                okq(0.5),
                okq(0.99)
            );
        }
        if s.server_closes > 0 {
            human +=
                &format!("connections closed by the server (Connection: close, reconnected): {}\n", s.server_closes);
        }
        if e.total() == 0 {
            human += "errors: none\n";
        } else {
            human += &format!(
                "errors: connect {} reset {} closed-unanswered {} io {} timeout {} framing {} 4xx {} 5xx {} other-status {} bad-body {}\n",
                e.connect, e.reset, e.closed, e.io, e.timeout, e.framing, e.status_4xx, e.status_5xx, e.status_other, e.bad_body
            );
        }
        let lines = vec![
            ("seconds".into(), format!("{elapsed:.3}")),
            ("requests".into(), s.requests.to_string()),
            ("rps".into(), format!("{rps:.1}")),
            ("bytes".into(), s.bytes.to_string()),
            ("client_cpu_us_per_req".into(), if cpu_us.is_finite() { format!("{cpu_us:.3}") } else { "null".into() }),
            ("p50_us".into(), q(0.5).to_string()),
            ("p90_us".into(), q(0.9).to_string()),
            ("p99_us".into(), q(0.99).to_string()),
            ("p999_us".into(), q(0.999).to_string()),
            ("max_us".into(), s.hist.max().to_string()),
            ("ok".into(), s.ok.to_string()),
            ("ok_rps".into(), format!("{:.1}", s.ok as f64 / elapsed)),
            ("ok_p50_us".into(), okq(0.5).to_string()),
            ("ok_p99_us".into(), okq(0.99).to_string()),
            ("errors".into(), e.total().to_string()),
            ("errors_connect".into(), e.connect.to_string()),
            ("errors_io".into(), e.io.to_string()),
            ("errors_reset".into(), e.reset.to_string()),
            ("errors_closed".into(), e.closed.to_string()),
            ("server_closes".into(), s.server_closes.to_string()),
            ("errors_timeout".into(), e.timeout.to_string()),
            ("errors_framing".into(), e.framing.to_string()),
            ("errors_4xx".into(), e.status_4xx.to_string()),
            ("errors_5xx".into(), e.status_5xx.to_string()),
            ("errors_bad_body".into(), e.bad_body.to_string()),
        ];
        Summary { lines, human }
    }

    pub fn human(&self) -> String {
        self.human.clone()
    }

    pub fn json(&self) -> String {
        let body: Vec<String> = self.lines.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", body.join(","))
    }
}
