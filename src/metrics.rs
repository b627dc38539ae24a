//! Observability: per-core counters and latency histograms (plain `Cell`s and an
//! `hdrhistogram` per route, touched only by their own core), published to a shared board
//! on a slow tick (once a second), and the Prometheus text rendering of the board.

use crate::guard::breaker::{Counts, State};
use crate::guard::{Breakers, Class};
use hdrhistogram::Histogram;
use std::cell::{Cell, RefCell};
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Route classes counted in `barcoded_requests_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// A generate request answered from L1 by its raw target (the hit path).
    Hit,
    Generate,
    Parse,
    Decode,
    /// `POST /v1/batch` (timed to its last byte queued).
    Batch,
    /// `POST /v1/label`.
    Label,
    Info,
    Metrics,
    Admin,
    /// Refused before routing (framing, limits, unknown paths).
    Other,
}

impl Route {
    pub const ALL: [Route; 10] = [
        Route::Hit,
        Route::Generate,
        Route::Parse,
        Route::Decode,
        Route::Batch,
        Route::Label,
        Route::Info,
        Route::Metrics,
        Route::Admin,
        Route::Other,
    ];

    fn name(self) -> &'static str {
        match self {
            Route::Hit => "generate_hit",
            Route::Generate => "generate",
            Route::Parse => "parse",
            Route::Decode => "decode",
            Route::Batch => "batch",
            Route::Label => "label",
            Route::Info => "info",
            Route::Metrics => "metrics",
            Route::Admin => "admin",
            Route::Other => "other",
        }
    }
}

const STATUSES: [u16; 17] = [200, 304, 400, 403, 404, 405, 411, 413, 414, 415, 422, 429, 431, 500, 501, 503, 505];
/// Index of statuses not in the list ("other").
const OTHER_STATUS: usize = STATUSES.len();

fn status_index(code: u16) -> usize {
    STATUSES.iter().position(|&s| s == code).unwrap_or(OTHER_STATUS)
}

/// Events along the ladder and on degraded paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    L1KeyHit,
    PoolHit,
    L1Miss,
    Coalesced,
    L2Hit,
    L2Miss,
    L2Error,
    L2Invalid,
    L2Skipped,
    L2Write,
    L2WriteDropped,
    Render,
    RenderFailed,
    /// Refused by admission (render queue full, in-flight limit).
    Shed,
    /// Answered 503 because a breaker is open, the budget was spent, or memory is high.
    Degraded,
    /// Parse answered with the minimal degraded document.
    ParseDegraded,
    /// A client over `--client-rate` answered 429.
    ClientLimited,
    /// An invalid generate request answered from the core's negative cache.
    NegativeHit,
    /// API keys: a request admitted on its key's quota; refused for its quota (429, or 413
    /// over the burst); for a route its key may not use (403); without a key where one is
    /// required, or with an unknown key (401).
    KeyAdmitted,
    KeyLimited,
    KeyRoute,
    KeyMissing,
    KeyInvalid,
}

impl Event {
    pub const ALL: [Event; 23] = [
        Event::L1KeyHit,
        Event::PoolHit,
        Event::L1Miss,
        Event::Coalesced,
        Event::L2Hit,
        Event::L2Miss,
        Event::L2Error,
        Event::L2Invalid,
        Event::L2Skipped,
        Event::L2Write,
        Event::L2WriteDropped,
        Event::Render,
        Event::RenderFailed,
        Event::Shed,
        Event::Degraded,
        Event::ParseDegraded,
        Event::ClientLimited,
        Event::NegativeHit,
        Event::KeyAdmitted,
        Event::KeyLimited,
        Event::KeyRoute,
        Event::KeyMissing,
        Event::KeyInvalid,
    ];

    fn name(self) -> &'static str {
        match self {
            Event::L1KeyHit => "l1_key_hit",
            Event::PoolHit => "pool_hit",
            Event::NegativeHit => "negative_hit",
            Event::L1Miss => "l1_miss",
            Event::Coalesced => "coalesced",
            Event::L2Hit => "l2_hit",
            Event::L2Miss => "l2_miss",
            Event::L2Error => "l2_error",
            Event::L2Invalid => "l2_invalid",
            Event::L2Skipped => "l2_skipped",
            Event::L2Write => "l2_write",
            Event::L2WriteDropped => "l2_write_dropped",
            Event::Render => "render",
            Event::RenderFailed => "render_failed",
            Event::Shed => "shed",
            Event::Degraded => "degraded",
            Event::ParseDegraded => "parse_degraded",
            Event::ClientLimited => "client_limited",
            Event::KeyAdmitted => "api_key_admitted",
            Event::KeyLimited => "api_key_limited",
            Event::KeyRoute => "api_key_route",
            Event::KeyMissing => "api_key_missing",
            Event::KeyInvalid => "api_key_invalid",
        }
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 2).expect("static bounds are valid")
}

/// One core's counters; only its own thread touches them.
pub struct CoreMetrics {
    requests: [[Cell<u64>; STATUSES.len() + 1]; Route::ALL.len()],
    events: [Cell<u64>; Event::ALL.len()],
    latency: [RefCell<Histogram<u64>>; Route::ALL.len()],
}

impl Default for CoreMetrics {
    fn default() -> Self {
        CoreMetrics {
            requests: Default::default(),
            events: Default::default(),
            latency: std::array::from_fn(|_| RefCell::new(histogram())),
        }
    }
}

impl CoreMetrics {
    pub fn request(&self, route: Route, status: u16, took: Duration) {
        let c = &self.requests[route as usize][status_index(status)];
        c.set(c.get() + 1);
        let _ = self.latency[route as usize].borrow_mut().record((took.as_micros() as u64).clamp(1, 600_000_000));
    }

    pub fn event(&self, e: Event) {
        let c = &self.events[e as usize];
        c.set(c.get() + 1);
    }

    pub fn get(&self, e: Event) -> u64 {
        self.events[e as usize].get()
    }

    /// A copy for the board.
    pub fn snapshot(&self, core: usize, breakers: &Breakers, queued: usize) -> Snapshot {
        Snapshot {
            core,
            requests: self.requests.iter().map(|r| r.iter().map(Cell::get).collect()).collect(),
            events: self.events.iter().map(Cell::get).collect(),
            latency: self.latency.iter().map(|h| h.borrow().clone()).collect(),
            breakers: breakers.iter().map(|(c, b)| (c, b.state(), b.counts, b.latency())).collect(),
            queued,
            limits: Vec::new(),
            redis_nodes: Vec::new(),
        }
    }
}

/// What one core published at its last tick.
#[derive(Clone)]
pub struct Snapshot {
    pub core: usize,
    requests: Vec<Vec<u64>>,
    events: Vec<u64>,
    latency: Vec<Histogram<u64>>,
    breakers: Vec<(Class, State, Counts, Histogram<u64>)>,
    queued: usize,
    /// Each render class's concurrency limit, slots in use and requests refused by it.
    pub limits: Vec<(Class, u32, u32, u64)>,
    /// A Redis Cluster's nodes as this core sees them: address, breaker, open connections.
    pub redis_nodes: Vec<(std::net::SocketAddr, State, usize)>,
}

impl Snapshot {
    pub fn event(&self, e: Event) -> u64 {
        self.events[e as usize]
    }

    pub fn breaker_state(&self, c: Class) -> Option<State> {
        self.breakers.iter().find(|b| b.0 == c).map(|b| b.1)
    }
}

/// The shared board: one slot per core, written on each core's slow tick.
pub struct Board {
    slots: Mutex<Vec<Option<Snapshot>>>,
}

impl Board {
    pub fn new(cores: usize) -> Board {
        Board { slots: Mutex::new(vec![None; cores]) }
    }

    pub fn publish(&self, s: Snapshot) {
        if let Ok(mut slots) = self.slots.lock() {
            let i = s.core;
            if i < slots.len() {
                slots[i] = Some(s);
            }
        }
    }

    pub fn snapshots(&self) -> Vec<Snapshot> {
        self.slots.lock().map(|s| s.iter().flatten().cloned().collect()).unwrap_or_default()
    }
}

/// Process-wide gauges added to the rendering.
pub struct Gauges {
    pub l1_bytes: u64,
    pub l1_capacity: u64,
    pub l1_entries: usize,
    pub pool_entries: usize,
    pub pool_bytes: u64,
    pub pool_generation: u64,
    pub rss: u64,
    pub memory_watermark: u64,
    pub decodes_in_flight: usize,
    pub log_counts: Vec<(&'static str, u64)>,
}

const BUCKETS_S: [f64; 14] =
    [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

fn state_value(s: State) -> u8 {
    match s {
        State::Closed => 0,
        State::Open => 1,
        State::HalfOpen => 2,
    }
}

/// The Prometheus text exposition of the board and gauges.
pub fn render(snaps: &[Snapshot], g: &Gauges) -> String {
    let mut o = String::with_capacity(16 * 1024);
    let _ = writeln!(o, "# HELP barcoded_requests_total Requests answered, by route class and status.");
    let _ = writeln!(o, "# TYPE barcoded_requests_total counter");
    for (ri, r) in Route::ALL.iter().enumerate() {
        for si in 0..=STATUSES.len() {
            let n: u64 = snaps.iter().map(|s| s.requests[ri][si]).sum();
            if n > 0 {
                let st = STATUSES.get(si).map_or("other".to_string(), u16::to_string);
                let _ = writeln!(o, "barcoded_requests_total{{route=\"{}\",status=\"{st}\"}} {n}", r.name());
            }
        }
    }
    let _ = writeln!(o, "# HELP barcoded_events_total Cache ladder and degradation events.");
    let _ = writeln!(o, "# TYPE barcoded_events_total counter");
    for e in Event::ALL {
        let n: u64 = snaps.iter().map(|s| s.event(e)).sum();
        let _ = writeln!(o, "barcoded_events_total{{event=\"{}\"}} {n}", e.name());
    }
    let hits: u64 = snaps.iter().map(|s| s.requests[Route::Hit as usize].iter().sum::<u64>()).sum::<u64>()
        + snaps.iter().map(|s| s.event(Event::L1KeyHit)).sum::<u64>();
    let misses: u64 = snaps.iter().map(|s| s.event(Event::L1Miss)).sum();
    let ratio = |h: u64, m: u64| if h + m == 0 { 0.0 } else { h as f64 / (h + m) as f64 };
    let pool: u64 = snaps.iter().map(|s| s.event(Event::PoolHit)).sum();
    let l2h: u64 = snaps.iter().map(|s| s.event(Event::L2Hit)).sum();
    let l2m: u64 = snaps.iter().map(|s| s.event(Event::L2Miss)).sum();
    let _ = writeln!(o, "# TYPE barcoded_hit_ratio gauge");
    let _ = writeln!(o, "barcoded_hit_ratio{{cache=\"l1\"}} {:.4}", ratio(hits, misses + pool));
    let _ = writeln!(o, "barcoded_hit_ratio{{cache=\"pool\"}} {:.4}", ratio(pool, misses));
    let _ = writeln!(o, "barcoded_hit_ratio{{cache=\"l2\"}} {:.4}", ratio(l2h, l2m));
    let gauges: [(&str, &str, f64); 10] = [
        ("barcoded_l1_bytes", "Bytes held by the L1 (keys and overhead counted).", g.l1_bytes as f64),
        ("barcoded_l1_capacity_bytes", "The L1 byte bound.", g.l1_capacity as f64),
        ("barcoded_l1_entries", "Entries in the L1.", g.l1_entries as f64),
        ("barcoded_pool_entries", "Responses in the template pool's hot set.", g.pool_entries as f64),
        ("barcoded_pool_bytes", "Bytes of the template pool's hot set.", g.pool_bytes as f64),
        ("barcoded_pool_generation", "Template pool snapshots built so far.", g.pool_generation as f64),
        ("barcoded_memory_rss_bytes", "Resident memory at the last tick.", g.rss as f64),
        ("barcoded_memory_watermark_bytes", "Renders are refused above this RSS (0: off).", g.memory_watermark as f64),
        ("barcoded_decodes_in_flight", "Decodes queued or running.", g.decodes_in_flight as f64),
        (
            "barcoded_render_queue_length",
            "Renders waiting in the per-core queues.",
            snaps.iter().map(|s| s.queued).sum::<usize>() as f64,
        ),
    ];
    for (name, help, v) in gauges {
        let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
    }
    let _ = writeln!(o, "# HELP barcoded_concurrency_limit Cold requests a render class may have in flight per core (adaptive with --concurrency-limit auto).");
    let _ = writeln!(o, "# TYPE barcoded_concurrency_limit gauge");
    for s in snaps {
        for (c, limit, _, _) in &s.limits {
            let _ = writeln!(o, "barcoded_concurrency_limit{{class=\"{}\",core=\"{}\"}} {limit}", c.name(), s.core);
        }
    }
    let _ = writeln!(o, "# HELP barcoded_concurrency_in_flight Cold requests of a render class in flight per core.");
    let _ = writeln!(o, "# TYPE barcoded_concurrency_in_flight gauge");
    for s in snaps {
        for (c, _, n, _) in &s.limits {
            let _ = writeln!(o, "barcoded_concurrency_in_flight{{class=\"{}\",core=\"{}\"}} {n}", c.name(), s.core);
        }
    }
    let _ = writeln!(
        o,
        "# HELP barcoded_concurrency_refused_total Requests refused by a render class's concurrency limit."
    );
    let _ = writeln!(o, "# TYPE barcoded_concurrency_refused_total counter");
    for c in Class::ALL {
        let n: u64 = snaps.iter().flat_map(|s| s.limits.iter()).filter(|l| l.0 == c).map(|l| l.3).sum();
        if snaps.iter().any(|s| s.limits.iter().any(|l| l.0 == c)) {
            let _ = writeln!(o, "barcoded_concurrency_refused_total{{class=\"{}\"}} {n}", c.name());
        }
    }
    let _ = writeln!(o, "# HELP barcoded_breaker_state Breaker state per core (0 closed, 1 open, 2 half-open).");
    let _ = writeln!(o, "# TYPE barcoded_breaker_state gauge");
    for s in snaps {
        for (c, st, _, _) in &s.breakers {
            let _ = writeln!(
                o,
                "barcoded_breaker_state{{class=\"{}\",core=\"{}\"}} {}",
                c.name(),
                s.core,
                state_value(*st)
            );
        }
    }
    if snaps.iter().any(|s| !s.redis_nodes.is_empty()) {
        let _ = writeln!(
            o,
            "# HELP barcoded_redis_node_breaker_state A Redis Cluster node's breaker per core (0 closed, 1 open, 2 half-open)."
        );
        let _ = writeln!(o, "# TYPE barcoded_redis_node_breaker_state gauge");
        for s in snaps {
            for (node, st, _) in &s.redis_nodes {
                let _ = writeln!(
                    o,
                    "barcoded_redis_node_breaker_state{{node=\"{node}\",core=\"{}\"}} {}",
                    s.core,
                    state_value(*st)
                );
            }
        }
        let _ =
            writeln!(o, "# HELP barcoded_redis_node_connections Connections open to a Redis Cluster node, per core.");
        let _ = writeln!(o, "# TYPE barcoded_redis_node_connections gauge");
        for s in snaps {
            for (node, _, n) in &s.redis_nodes {
                let _ = writeln!(o, "barcoded_redis_node_connections{{node=\"{node}\",core=\"{}\"}} {n}", s.core);
            }
        }
    }
    let _ = writeln!(
        o,
        "# HELP barcoded_breaker_slow_seconds The slow-call threshold in force (adaptive with --breaker-slow-ms auto)."
    );
    let _ = writeln!(o, "# TYPE barcoded_breaker_slow_seconds gauge");
    for s in snaps {
        for (c, _, counts, _) in &s.breakers {
            let v = counts.slow_us as f64 / 1e6;
            let _ = writeln!(o, "barcoded_breaker_slow_seconds{{class=\"{}\",core=\"{}\"}} {v}", c.name(), s.core);
        }
    }
    let _ = writeln!(o, "# TYPE barcoded_breaker_transitions_total counter");
    let _ = writeln!(o, "# TYPE barcoded_breaker_calls_total counter");
    for c in Class::ALL {
        let sum = |f: fn(&Counts) -> u64| -> u64 {
            snaps.iter().flat_map(|s| s.breakers.iter()).filter(|b| b.0 == c).map(|b| f(&b.2)).sum()
        };
        for (to, n) in
            [("open", sum(|k| k.opened)), ("half_open", sum(|k| k.half_opened)), ("closed", sum(|k| k.closed))]
        {
            let _ = writeln!(o, "barcoded_breaker_transitions_total{{class=\"{}\",to=\"{to}\"}} {n}", c.name());
        }
        for (what, n) in
            [("call", sum(|k| k.calls)), ("failure", sum(|k| k.failures)), ("rejected", sum(|k| k.rejected))]
        {
            let _ = writeln!(o, "barcoded_breaker_calls_total{{class=\"{}\",outcome=\"{what}\"}} {n}", c.name());
        }
    }
    let _ = writeln!(o, "# HELP barcoded_breaker_latency_seconds Latency over each breaker's rolling window.");
    let _ = writeln!(o, "# TYPE barcoded_breaker_latency_seconds gauge");
    for c in Class::ALL {
        let mut h = histogram();
        for s in snaps {
            for b in s.breakers.iter().filter(|b| b.0 == c) {
                let _ = h.add(&b.3);
            }
        }
        if h.is_empty() {
            continue;
        }
        for q in [0.5, 0.95, 0.99] {
            let v = h.value_at_quantile(q) as f64 / 1e6;
            let _ = writeln!(o, "barcoded_breaker_latency_seconds{{class=\"{}\",quantile=\"{q}\"}} {v}", c.name());
        }
    }
    let _ = writeln!(
        o,
        "# HELP barcoded_request_duration_seconds Time from parsed request to response written to the buffer."
    );
    let _ = writeln!(o, "# TYPE barcoded_request_duration_seconds histogram");
    for (ri, r) in Route::ALL.iter().enumerate() {
        let mut h = histogram();
        for s in snaps {
            let _ = h.add(&s.latency[ri]);
        }
        if h.is_empty() {
            continue;
        }
        for le in BUCKETS_S {
            let n = h.count_between(0, (le * 1e6) as u64);
            let _ = writeln!(o, "barcoded_request_duration_seconds_bucket{{route=\"{}\",le=\"{le}\"}} {n}", r.name());
        }
        let total = h.len();
        let sum = h.mean() * total as f64 / 1e6;
        let _ = writeln!(o, "barcoded_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {total}", r.name());
        let _ = writeln!(o, "barcoded_request_duration_seconds_sum{{route=\"{}\"}} {sum}", r.name());
        let _ = writeln!(o, "barcoded_request_duration_seconds_count{{route=\"{}\"}} {total}", r.name());
    }
    let _ =
        writeln!(o, "# HELP barcoded_log_events_total Degraded-path log events by pattern (lines are rate-limited).");
    let _ = writeln!(o, "# TYPE barcoded_log_events_total counter");
    for (p, n) in &g.log_counts {
        let _ = writeln!(o, "barcoded_log_events_total{{pattern=\"{p}\"}} {n}");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::BreakerConfig;
    use std::time::Instant;

    fn gauges() -> Gauges {
        Gauges {
            l1_bytes: 10,
            l1_capacity: 100,
            l1_entries: 1,
            pool_entries: 0,
            pool_bytes: 0,
            pool_generation: 1,
            rss: 1,
            memory_watermark: 0,
            decodes_in_flight: 0,
            log_counts: vec![("redis_down", 3)],
        }
    }

    #[test]
    fn counters_merge_across_cores() {
        let b = Breakers::new(&BreakerConfig::default(), Instant::now());
        let board = Board::new(2);
        for core in 0..2 {
            let m = CoreMetrics::default();
            m.request(Route::Hit, 200, Duration::from_micros(20));
            m.request(Route::Generate, 400, Duration::from_micros(30));
            m.request(Route::Generate, 299, Duration::from_micros(30));
            m.event(Event::L2Hit);
            board.publish(m.snapshot(core, &b, 0));
        }
        let text = render(&board.snapshots(), &gauges());
        assert!(text.contains("barcoded_requests_total{route=\"generate_hit\",status=\"200\"} 2"), "{text}");
        assert!(text.contains("barcoded_requests_total{route=\"generate\",status=\"other\"} 2"));
        assert!(text.contains("barcoded_events_total{event=\"l2_hit\"} 2"));
        assert!(text.contains("barcoded_breaker_state{class=\"redis\",core=\"1\"} 0"));
        assert!(text.contains("barcoded_request_duration_seconds_count{route=\"generate_hit\"} 2"));
        assert!(text.contains("barcoded_log_events_total{pattern=\"redis_down\"} 3"));
        // Every sample line is `name{labels} number` or `name number`.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let v = line.rsplit(' ').next().unwrap();
            assert!(v.parse::<f64>().is_ok(), "{line}");
        }
    }
}
