//! The access log (`--access-log FILE|stderr`): one JSON line per sampled request — errors
//! and slow requests always — with its trace context (`trace.rs`). Each core formats its
//! lines into its own buffer (`CoreLog`), handed once a second (or when full) to one writer
//! thread through a bounded channel; when the writer falls behind (a slow disk), buffers
//! are dropped and counted, never waited for: the log never slows a request.

pub mod trace;

use crossbeam::channel::{bounded, Receiver, Sender, TrySendError};
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use trace::{push_hex, Rng, Trace};

/// Where the lines go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Stderr,
    File(PathBuf),
}

impl Target {
    /// `stderr` or a file path.
    pub fn parse(s: &str) -> Target {
        if s == "stderr" {
            Target::Stderr
        } else {
            Target::File(PathBuf::from(s))
        }
    }
}

/// The access log's settings.
#[derive(Clone, Debug)]
pub struct AccessConfig {
    pub target: Target,
    /// The share of ordinary requests logged, 0–1 (errors and slow ones always are).
    pub sample: f64,
    /// A request slower than this is always logged.
    pub slow: Duration,
}

/// A core's buffer is handed over past this many bytes.
const FLUSH_BYTES: usize = 64 * 1024;
/// A core's buffer never grows past this: lines beyond it are dropped (counted).
const MAX_BYTES: usize = 256 * 1024;
/// Buffers waiting for the writer; beyond it they are dropped.
const QUEUE: usize = 64;
/// Longest path logged (the rest is cut, and the line says so).
pub const MAX_PATH: usize = 512;

/// Where an answer came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// Not a cached kind of answer (parse, info, errors).
    #[default]
    None,
    L1,
    Pool,
    L2,
    /// Another request's render of the same key, waited for.
    Coalesced,
    Render,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::None => "-",
            Source::L1 => "l1",
            Source::Pool => "pool",
            Source::L2 => "l2",
            Source::Coalesced => "coalesced",
            Source::Render => "render",
        }
    }
}

/// The shared side: the writer thread's channel and the counts.
pub struct AccessLog {
    tx: Sender<Vec<u8>>,
    pub config: AccessConfig,
    pub written: Arc<AtomicU64>,
    pub dropped: AtomicU64,
}

impl AccessLog {
    /// Opens the target and starts the writer thread.
    pub fn start(config: AccessConfig) -> std::io::Result<AccessLog> {
        let mut out: Box<dyn Write + Send> = match &config.target {
            Target::Stderr => Box::new(std::io::stderr()),
            Target::File(p) => Box::new(std::fs::OpenOptions::new().create(true).append(true).open(p)?),
        };
        let (tx, rx): (Sender<Vec<u8>>, Receiver<Vec<u8>>) = bounded(QUEUE);
        let written = Arc::new(AtomicU64::new(0));
        let w = written.clone();
        std::thread::Builder::new().name("barcoded-access-log".into()).spawn(move || {
            for buf in rx {
                let lines = buf.iter().filter(|&&b| b == b'\n').count() as u64;
                if out.write_all(&buf).is_ok() {
                    w.fetch_add(lines, Ordering::Relaxed);
                }
            }
            let _ = out.flush();
        })?;
        Ok(AccessLog { tx, config, written, dropped: AtomicU64::new(0) })
    }

    /// Hands a core's buffer to the writer, or drops it when the writer is behind.
    fn hand(&self, buf: Vec<u8>, lines: u64) {
        match self.tx.try_send(buf) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.dropped.fetch_add(lines, Ordering::Relaxed);
            }
        }
    }
}

/// One request as logged.
pub struct Entry<'a> {
    pub trace: &'a Trace,
    pub client: Option<IpAddr>,
    pub method: &'a str,
    pub target: &'a [u8],
    pub status: u16,
    pub bytes: usize,
    pub took: Duration,
    pub source: Source,
    pub switch: Option<&'a str>,
    pub code: Option<&'a str>,
    /// The id of the API key the request presented (never the key).
    pub key: Option<&'a str>,
    pub core: usize,
}

/// One core's side of the log: its buffer and its random source.
pub struct CoreLog {
    buf: Vec<u8>,
    lines: u64,
    rng: Rng,
    sample: f64,
    slow: Duration,
}

impl CoreLog {
    pub fn new(core: usize, config: &AccessConfig) -> CoreLog {
        CoreLog { buf: Vec::new(), lines: 0, rng: Rng::for_core(core), sample: config.sample, slow: config.slow }
    }

    /// The request's trace: the caller's `traceparent` continued, or a new one.
    pub fn trace(&mut self, caller: Option<&[u8]>) -> Trace {
        Trace::new(caller, &mut self.rng)
    }

    /// Takes a reloaded sample share and slow threshold.
    pub fn set_policy(&mut self, sample: f64, slow: Duration) {
        self.sample = sample;
        self.slow = slow;
    }

    /// Whether a request is logged: errors, slow ones, and the sampled share.
    pub fn keep(&mut self, status: u16, took: Duration) -> bool {
        status >= 400 || took >= self.slow || (self.sample > 0.0 && self.rng.unit() < self.sample)
    }

    /// Appends the entry's line (dropped, and counted, when the buffer is full).
    pub fn write(&mut self, e: &Entry<'_>, log: &AccessLog) {
        if self.buf.len() >= MAX_BYTES {
            log.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        line(&mut self.buf, e);
        self.lines += 1;
        if self.buf.len() >= FLUSH_BYTES {
            self.flush(log);
        }
    }

    /// Hands what is buffered to the writer (the core's tick, and when full).
    pub fn flush(&mut self, log: &AccessLog) {
        if self.lines > 0 {
            let buf = std::mem::replace(&mut self.buf, Vec::with_capacity(FLUSH_BYTES));
            log.hand(buf, self.lines);
            self.lines = 0;
        }
    }
}

/// `unix` milliseconds as RFC 3339 UTC (`2026-12-06T12:00:00.123Z`).
fn rfc3339(out: &mut Vec<u8>, unix_ms: u64) {
    let (secs, ms) = (unix_ms / 1000, unix_ms % 1000);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let _ = write!(out, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z", rem / 3600, rem % 3600 / 60, rem % 60);
}

/// Appends `s` as a JSON string (escaped; invalid UTF-8 replaced).
fn json_str(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for c in String::from_utf8_lossy(s).chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Formats one line.
pub fn line(out: &mut Vec<u8>, e: &Entry<'_>) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    out.extend_from_slice(b"{\"time\":\"");
    rfc3339(out, now);
    out.extend_from_slice(b"\",\"id\":\"");
    push_hex(out, &e.trace.span_id);
    out.extend_from_slice(b"\",\"trace_id\":\"");
    push_hex(out, &e.trace.trace_id);
    if let Some(p) = &e.trace.parent {
        out.extend_from_slice(b"\",\"parent_id\":\"");
        push_hex(out, p);
    }
    out.extend_from_slice(b"\",\"client\":");
    match e.client {
        Some(ip) => {
            let _ = write!(out, "\"{ip}\"");
        }
        None => out.extend_from_slice(b"null"),
    }
    let _ = write!(out, ",\"method\":\"{}\",\"path\":", e.method);
    let cut = e.target.len() > MAX_PATH;
    json_str(out, &e.target[..e.target.len().min(MAX_PATH)]);
    if cut {
        let _ = write!(out, ",\"path_cut\":{}", e.target.len());
    }
    let _ = write!(
        out,
        ",\"status\":{},\"bytes\":{},\"us\":{},\"source\":\"{}\",\"core\":{}",
        e.status,
        e.bytes,
        e.took.as_micros(),
        e.source.name(),
        e.core
    );
    if let Some(s) = e.switch {
        out.extend_from_slice(b",\"switch\":");
        json_str(out, s.as_bytes());
    }
    if let Some(c) = e.code {
        out.extend_from_slice(b",\"code\":");
        json_str(out, c.as_bytes());
    }
    if let Some(k) = e.key {
        out.extend_from_slice(b",\"key\":");
        json_str(out, k.as_bytes());
    }
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339() {
        let mut o = Vec::new();
        rfc3339(&mut o, 0);
        assert_eq!(o, b"1970-01-01T00:00:00.000Z");
        o.clear();
        rfc3339(&mut o, 1_796_558_400_123);
        assert_eq!(String::from_utf8(o).unwrap(), "2026-12-06T12:00:00.123Z");
        let mut o = Vec::new();
        rfc3339(&mut o, 951_782_400_000);
        assert_eq!(o, b"2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn a_line_is_one_json_object() {
        let mut rng = Rng::new(3);
        let t = Trace::new(None, &mut rng);
        let long = [b'a'; 600];
        let e = Entry {
            trace: &t,
            client: Some(IpAddr::from([10, 0, 0, 1])),
            method: "GET",
            target: &long,
            status: 503,
            bytes: 120,
            took: Duration::from_micros(1234),
            source: Source::None,
            switch: Some("dm-\"app"),
            code: Some("degraded"),
            key: Some("acme"),
            core: 1,
        };
        let mut o = Vec::new();
        line(&mut o, &e);
        assert_eq!(o.iter().filter(|&&b| b == b'\n').count(), 1);
        let v: serde_json::Value = serde_json::from_slice(&o).unwrap();
        assert_eq!(v["status"], 503);
        assert_eq!(v["us"], 1234);
        assert_eq!(v["switch"], "dm-\"app");
        assert_eq!(v["key"], "acme");
        assert_eq!(v["path"].as_str().unwrap().len(), MAX_PATH);
        assert_eq!(v["path_cut"], 600);
        assert_eq!(v["id"].as_str().unwrap().len(), 16);
        assert_eq!(v["trace_id"].as_str().unwrap().len(), 32);
        assert!(v.get("parent_id").is_none());
        let ctrl = Entry { target: b"/v1/qr/\x01\xff", client: None, ..e };
        let mut o = Vec::new();
        line(&mut o, &ctrl);
        let v: serde_json::Value = serde_json::from_slice(&o).unwrap();
        assert_eq!(v["path"], "/v1/qr/\u{1}\u{fffd}");
        assert!(v["client"].is_null());
    }

    #[test]
    fn sampling_keeps_errors_and_slow_requests() {
        let cfg = AccessConfig { target: Target::Stderr, sample: 0.0, slow: Duration::from_millis(50) };
        let mut c = CoreLog::new(0, &cfg);
        assert!(c.keep(500, Duration::ZERO));
        assert!(c.keep(404, Duration::ZERO));
        assert!(c.keep(200, Duration::from_millis(60)));
        assert!(!c.keep(200, Duration::from_micros(10)));
        let mut c = CoreLog::new(0, &AccessConfig { sample: 0.01, ..cfg });
        let kept = (0..100_000).filter(|_| c.keep(200, Duration::ZERO)).count();
        assert!((700..1300).contains(&kept), "{kept}");
    }

    #[test]
    fn a_full_writer_drops_and_counts() {
        let dir = std::env::temp_dir().join(format!("barcoded-access-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.log");
        let cfg = AccessConfig { target: Target::File(path.clone()), sample: 1.0, slow: Duration::from_secs(1) };
        let log = AccessLog::start(cfg.clone()).unwrap();
        let mut c = CoreLog::new(0, &cfg);
        let mut rng = Rng::new(5);
        let t = Trace::new(None, &mut rng);
        let e = Entry {
            trace: &t,
            client: None,
            method: "GET",
            target: b"/x",
            status: 200,
            bytes: 1,
            took: Duration::ZERO,
            source: Source::L1,
            switch: None,
            code: None,
            key: None,
            core: 0,
        };
        for _ in 0..10 {
            c.write(&e, &log);
        }
        c.flush(&log);
        let t0 = std::time::Instant::now();
        while log.written.load(Ordering::Relaxed) < 10 {
            assert!(t0.elapsed() < Duration::from_secs(5));
            std::thread::sleep(Duration::from_millis(5));
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 10);
        // Buffers beyond the queue are dropped and counted, never waited for.
        let (tx, _rx) = bounded(1);
        let stuck = AccessLog { tx, config: cfg, written: Arc::new(AtomicU64::new(0)), dropped: AtomicU64::new(0) };
        stuck.hand(vec![b'\n'], 1);
        stuck.hand(vec![b'\n', b'\n'], 2);
        assert_eq!(stuck.dropped.load(Ordering::Relaxed), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
