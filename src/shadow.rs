//! Shadow traffic (`--shadow URL --shadow-sample P`): a sample of live `GET /v1/…` requests
//! is sent again, in the background, to another instance — a candidate build — and its
//! answer compared with the one this server gave, in the same classes as `loadgen compare`
//! (the `barcoded-compare` crate: identical bytes; same content under a new ETag; the same
//! ETag on other bytes; other content; another status). A core copies a sampled answer
//! into a bounded queue with `try_send` and goes on: a full queue drops the sample and
//! counts it, so the shadow never delays or fails a request. One thread (at nice 19)
//! sends, reads and classifies. Results: `/metrics` (`barcoded_shadow_total{result}`) and `GET /admin/shadow`
//! (counts and the latest examples of every class that is not identical).

use barcoded_compare::{classify, Answer, Class, Request, Server};
use std::collections::VecDeque;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Where shadow samples go, and how many.
#[derive(Clone, Debug, PartialEq)]
pub struct ShadowConfig {
    /// As given: `http://host:port`.
    pub url: String,
    pub addr: SocketAddr,
    pub host: String,
    /// Share of `GET /v1/…` requests replayed (0-1).
    pub sample: f64,
}

impl ShadowConfig {
    /// `url` must be `http://host[:port]` with no path; the name is resolved once, here.
    pub fn parse(url: &str, sample: f64) -> Result<ShadowConfig, String> {
        let rest = url.strip_prefix("http://").ok_or("--shadow: only http://host:port URLs")?;
        let hostport = rest.strip_suffix('/').unwrap_or(rest);
        if hostport.is_empty() || hostport.contains('/') {
            return Err(format!("--shadow {url:?}: give http://host:port, without a path"));
        }
        let with_port = if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}:80") };
        let addr = with_port
            .to_socket_addrs()
            .map_err(|e| format!("--shadow {url:?}: {e}"))?
            .next()
            .ok_or_else(|| format!("--shadow {url:?}: no address"))?;
        Ok(ShadowConfig { url: url.to_string(), addr, host: hostport.to_string(), sample })
    }
}

/// Samples waiting for the shadow thread; beyond it they are dropped.
pub const QUEUE: usize = 256;
/// Examples kept for `GET /admin/shadow`.
const EXAMPLES: usize = 20;
/// A sampled answer larger than this is not replayed (the copy would cost the core).
pub const MAX_ANSWER: usize = 4 << 20;

/// One sample: the request's target and this server's whole answer as sent.
pub struct Sample {
    pub target: String,
    pub ours: Vec<u8>,
}

/// The shadow's counters, by outcome.
#[derive(Default)]
pub struct Counts {
    /// Per comparison class, in `Class::ALL` order.
    pub classes: [AtomicU64; 5],
    /// The queue was full.
    pub dropped: AtomicU64,
    /// The shadow did not answer (refused, timed out, a malformed answer).
    pub failed: AtomicU64,
}

/// The shadow of a running server: the queue's sender, the counters, the examples.
pub struct Shadow {
    pub config: ShadowConfig,
    tx: crossbeam::channel::Sender<Sample>,
    pub counts: Counts,
    examples: Mutex<VecDeque<serde_json::Value>>,
}

impl Shadow {
    /// Starts the shadow thread; it ends when the last `Arc<Shadow>`'s sender is dropped.
    pub fn start(config: ShadowConfig) -> std::io::Result<std::sync::Arc<Shadow>> {
        let (tx, rx) = crossbeam::channel::bounded(QUEUE);
        let s = std::sync::Arc::new(Shadow {
            config,
            tx,
            counts: Counts::default(),
            examples: Mutex::new(VecDeque::new()),
        });
        let weak = std::sync::Arc::downgrade(&s);
        let mut server = Server::new(s.config.addr, s.config.host.clone());
        std::thread::Builder::new().name("barcoded-shadow".into()).spawn(move || {
            // The lowest priority: the comparison takes only CPU the cores leave idle.
            crate::cpus::renice(19);
            while let Ok(sample) = rx.recv() {
                let Some(s) = weak.upgrade() else { return };
                s.compare(&mut server, sample);
            }
        })?;
        Ok(s)
    }

    /// Hands a sample to the shadow thread, never waiting: dropped and counted when full.
    pub fn offer(&self, sample: Sample) {
        if self.tx.try_send(sample).is_err() {
            self.counts.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn compare(&self, server: &mut Server, sample: Sample) {
        let Ok(ours) = Answer::parse(&sample.ours, false) else {
            self.counts.failed.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let req = Request { method: "GET".into(), target: sample.target.clone(), body: Vec::new() };
        let theirs = match server.send(&req) {
            Ok(a) => a,
            Err(e) => {
                self.counts.failed.fetch_add(1, Ordering::Relaxed);
                crate::log::error("shadow", format_args!("{}: {e}", self.config.url));
                return;
            }
        };
        let class = classify(&ours, &theirs);
        let i = Class::ALL.iter().position(|&c| c == class).unwrap_or(0);
        self.counts.classes[i].fetch_add(1, Ordering::Relaxed);
        if class != Class::Identical {
            let side =
                |a: &Answer| serde_json::json!({"status": a.status, "etag": a.header("etag"), "bytes": a.body.len()});
            let ex = serde_json::json!({
                "class": key(class),
                "target": sample.target.chars().take(512).collect::<String>(),
                "ours": side(&ours),
                "shadow": side(&theirs),
            });
            if let Ok(mut q) = self.examples.lock() {
                if q.len() == EXAMPLES {
                    q.pop_front();
                }
                q.push_back(ex);
            }
        }
    }

    /// The counts by result name (`identical`, …, `dropped`, `failed`).
    pub fn results(&self) -> Vec<(&'static str, u64)> {
        let mut v: Vec<(&'static str, u64)> =
            Class::ALL.iter().zip(&self.counts.classes).map(|(&c, n)| (key(c), n.load(Ordering::Relaxed))).collect();
        v.push(("dropped", self.counts.dropped.load(Ordering::Relaxed)));
        v.push(("failed", self.counts.failed.load(Ordering::Relaxed)));
        v
    }

    /// Appends `barcoded_shadow_total{result}` to the Prometheus text.
    pub fn metrics(&self, o: &mut String) {
        use std::fmt::Write;
        let _ = writeln!(o, "# HELP barcoded_shadow_total Sampled requests replayed against --shadow, by how its answer compared (dropped: the queue was full; failed: no answer).");
        let _ = writeln!(o, "# TYPE barcoded_shadow_total counter");
        for (k, n) in self.results() {
            let _ = writeln!(o, "barcoded_shadow_total{{result=\"{k}\"}} {n}");
        }
    }

    /// `GET /admin/shadow`'s document.
    pub fn report(&self) -> serde_json::Value {
        let results: serde_json::Map<String, serde_json::Value> =
            self.results().into_iter().map(|(k, n)| (k.to_string(), n.into())).collect();
        let differ: u64 = Class::ALL
            .iter()
            .zip(&self.counts.classes)
            .filter(|(c, _)| c.fails())
            .map(|(_, n)| n.load(Ordering::Relaxed))
            .sum();
        let examples: Vec<serde_json::Value> =
            self.examples.lock().map(|q| q.iter().cloned().collect()).unwrap_or_default();
        serde_json::json!({
            "shadow": self.config.url,
            "sample": self.config.sample,
            "results": results,
            "differences": differ,
            "examples": examples,
        })
    }
}

/// A class's key in JSON and metrics.
pub fn key(c: Class) -> &'static str {
    match c {
        Class::Identical => "identical",
        Class::SameContent => "same_content",
        Class::SameEtag => "same_etag",
        Class::DifferentContent => "different_content",
        Class::DifferentStatus => "different_status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let c = ShadowConfig::parse("http://127.0.0.1:9000", 0.5).unwrap();
        assert_eq!(c.addr, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(c.host, "127.0.0.1:9000");
        assert!(ShadowConfig::parse("http://127.0.0.1:9000/", 1.0).is_ok());
        assert!(ShadowConfig::parse("https://x:1", 1.0).is_err());
        assert!(ShadowConfig::parse("http://127.0.0.1:9000/v1", 1.0).is_err());
        assert!(ShadowConfig::parse("http://", 1.0).is_err());
    }
}
