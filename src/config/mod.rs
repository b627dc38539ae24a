//! The one validated configuration struct, built once at start-up from flags,
//! `BARCODED_*` environment variables and an optional TOML file (`file.rs`), then passed
//! explicitly to every part that needs it. Every default is written once, on `Cli`;
//! `Config::default()` goes through the same parse.

pub mod file;
pub mod reload;

use crate::access::{AccessConfig, Target};
use crate::cache::l2::L2Config;
use crate::guard::breaker::{Auto, Policy};
use crate::guard::BreakerConfig;
use crate::http::forwarded::Trusted;
use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A share from 0 to 1 (`--access-log-sample`).
fn unit_interval(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number from 0 to 1")),
    }
}

/// `--breaker-slow-ms`: a number of milliseconds, or `auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlowMs {
    Auto,
    Fixed(u64),
}

impl std::fmt::Display for SlowMs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SlowMs::Auto => f.write_str("auto"),
            SlowMs::Fixed(ms) => write!(f, "{ms}"),
        }
    }
}

/// The ceiling of the adaptive threshold (and the fixed default).
const SLOW_CEILING_MS: u64 = 80;
/// The adaptive threshold's multiple of the class's p99.
const SLOW_K: u32 = 3;

fn slow_ms(s: &str) -> Result<SlowMs, String> {
    match s.trim() {
        "auto" => Ok(SlowMs::Auto),
        n => match n.parse::<u64>() {
            Ok(ms @ 1..=60000) => Ok(SlowMs::Fixed(ms)),
            _ => Err(format!("{s:?} is not auto or milliseconds 1-60000")),
        },
    }
}

/// `--concurrency-limit`: adaptive, off, or a fixed number of slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcurrencyLimit {
    Auto,
    Off,
    Fixed(u32),
}

impl std::fmt::Display for ConcurrencyLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConcurrencyLimit::Auto => f.write_str("auto"),
            ConcurrencyLimit::Off => f.write_str("off"),
            ConcurrencyLimit::Fixed(n) => write!(f, "{n}"),
        }
    }
}

fn concurrency_limit(s: &str) -> Result<ConcurrencyLimit, String> {
    match s.trim() {
        "auto" => Ok(ConcurrencyLimit::Auto),
        "off" => Ok(ConcurrencyLimit::Off),
        n => match n.parse::<u32>() {
            Ok(v @ 1..=1000000) => Ok(ConcurrencyLimit::Fixed(v)),
            _ => Err(format!("{s:?} is not auto, off or a number of requests 1-1000000")),
        },
    }
}

/// Default request-target limit (bytes of path + query).
pub const MAX_URI: usize = 8 * 1024;
/// Default limit for the header block after the request line.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The limit on the number of header fields (the parser's stack array).
pub use crate::http::head::MAX_HEADERS;
/// Default request body limit (POST data).
pub const MAX_BODY: usize = 64 * 1024;
/// Default limit on output pixels (width x height) of one image.
pub const MAX_PIXELS: u64 = 16_000_000;
/// Default largest `/v1/decode` body (an image, or its Base64).
pub const MAX_DECODE_BODY: usize = 2 * 1024 * 1024;
/// Default largest `/v1/batch` body (the JSON of every item).
pub const MAX_BATCH_BODY: usize = 1024 * 1024;
/// Default most items in one batch.
pub const BATCH_MAX_ITEMS: usize = 1000;
/// Default connections one core serves at once; more are accepted and closed.
pub const MAX_CONNS_PER_CORE: usize = 20_000;

/// Which io driver each core's monoio runtime uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DriverChoice {
    /// io_uring when the kernel allows it, epoll otherwise.
    Auto,
    /// io_uring only; start-up fails when unavailable.
    Uring,
    /// epoll (monoio's legacy driver).
    Epoll,
}

/// Command-line flags; every one also reads a `BARCODED_*` environment variable.
#[derive(Parser, Debug, Clone)]
#[command(name = "barcoded", version, about = "Thread-per-core HTTP/1.1 barcode service")]
pub struct Cli {
    /// A TOML file of flag values (`max_body = 65536`, `trusted_proxies = ["10.0.0.0/8"]`),
    /// read under the environment and the flags: a flag or a `BARCODED_*` variable wins.
    /// Unknown keys are refused by name.
    #[arg(long, env = "BARCODED_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print the effective configuration as TOML (each value with where it came from) and exit.
    #[arg(long)]
    pub print_config: bool,
    /// Address to listen on (every core binds it with SO_REUSEPORT).
    #[arg(long, env = "BARCODED_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Worker threads, one runtime each, pinned to cores; 0 means one per available core.
    #[arg(long, env = "BARCODED_THREADS", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=1024))]
    pub threads: u16,
    /// io driver: auto (io_uring, falling back to epoll), uring, epoll.
    #[arg(long, env = "BARCODED_DRIVER", value_enum, default_value_t = DriverChoice::Auto)]
    pub driver: DriverChoice,
    /// Pin each worker thread to one core.
    #[arg(long, env = "BARCODED_PIN", default_value_t = true, action = clap::ArgAction::Set)]
    pub pin: bool,
    /// Listen backlog.
    #[arg(long, env = "BARCODED_BACKLOG", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..=65535))]
    pub backlog: u32,
    /// Longest request target (path + query), bytes; longer gets 414.
    #[arg(long, env = "BARCODED_MAX_URI", default_value_t = MAX_URI as u32, value_parser = clap::value_parser!(u32).range(64..=65536))]
    pub max_uri: u32,
    /// Largest header block after the request line, bytes; larger gets 431.
    #[arg(long, env = "BARCODED_MAX_HEADER_BYTES", default_value_t = MAX_HEADER_BYTES as u32, value_parser = clap::value_parser!(u32).range(256..=262144))]
    pub max_header_bytes: u32,
    /// Largest request body (POST data), bytes; larger gets 413.
    #[arg(long, env = "BARCODED_MAX_BODY", default_value_t = MAX_BODY as u32, value_parser = clap::value_parser!(u32).range(0..=16777216))]
    pub max_body: u32,
    /// Largest output image, in pixels (width x height); larger gets 400.
    #[arg(long, env = "BARCODED_MAX_PIXELS", default_value_t = MAX_PIXELS, value_parser = clap::value_parser!(u64).range(1024..=100000000))]
    pub max_pixels: u64,
    /// Seconds an idle keep-alive connection is kept open.
    #[arg(long, env = "BARCODED_IDLE_TIMEOUT", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout: u64,
    /// Seconds a client has to send a whole request head once it started (slowloris guard).
    #[arg(long, env = "BARCODED_HEADER_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub header_timeout: u64,
    /// Seconds a write may make no progress (the client does not read) before the
    /// connection is closed, like nginx's `send_timeout`.
    #[arg(long, env = "BARCODED_WRITE_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub write_timeout: u64,
    /// Connections one core serves at once; beyond it new connections are closed at once.
    #[arg(long, env = "BARCODED_MAX_CONNS", default_value_t = MAX_CONNS_PER_CORE as u32, value_parser = clap::value_parser!(u32).range(1..=1000000))]
    pub max_conns: u32,
    /// Largest /v1/decode body in bytes (raw image or Base64); larger gets 413.
    #[arg(long, env = "BARCODED_MAX_DECODE_BODY", default_value_t = MAX_DECODE_BODY as u32, value_parser = clap::value_parser!(u32).range(1024..=67108864))]
    pub max_decode_body: u32,
    /// Largest /v1/batch body in bytes (its JSON); larger gets 413.
    #[arg(long, env = "BARCODED_MAX_BATCH_BODY", default_value_t = MAX_BATCH_BODY as u32, value_parser = clap::value_parser!(u32).range(1024..=67108864))]
    pub max_batch_body: u32,
    /// Most items in one /v1/batch; more gets 413 before any is read.
    #[arg(long, env = "BARCODED_BATCH_MAX_ITEMS", default_value_t = BATCH_MAX_ITEMS as u32, value_parser = clap::value_parser!(u32).range(1..=1000000))]
    pub batch_max_items: u32,
    /// Decode worker threads (image decoding never runs on a serving core's loop).
    #[arg(long, env = "BARCODED_DECODE_WORKERS", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub decode_workers: u16,
    /// Decodes that may wait for a worker; beyond workers + queue a decode gets 503 at once.
    #[arg(long, env = "BARCODED_DECODE_QUEUE", default_value_t = 8, value_parser = clap::value_parser!(u16).range(0..=10000))]
    pub decode_queue: u16,
    /// Memory (MiB) each decode worker process may allocate (RLIMIT_DATA); a decode that
    /// needs more ends its worker and answers 500 `decoder_crashed`.
    #[arg(long, env = "BARCODED_DECODE_WORKER_MEMORY_MB", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(64..=65536))]
    pub decode_worker_memory_mb: u64,
    /// Milliseconds a decode may take before the request gets 503 (its worker process is killed).
    #[arg(long, env = "BARCODED_DECODE_BUDGET_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..=60000))]
    pub decode_budget_ms: u64,
    /// Bytes the shared L1 response cache may hold (keys and overhead included).
    #[arg(long, env = "BARCODED_L1_BYTES", default_value_t = 256 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(0..=68719476736))]
    pub l1_bytes: u64,
    /// Seconds that shutdown waits for in-flight requests before closing the rest.
    #[arg(long, env = "BARCODED_SHUTDOWN_GRACE", default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=600))]
    pub shutdown_grace: u64,
    /// Warm list: one URL path per line, pre-rendered into the template pool at start and on
    /// reload (SIGHUP or POST /admin/reload).
    #[arg(long, env = "BARCODED_WARM")]
    pub warm: Option<PathBuf>,
    /// The hot list: the top keys of live traffic, written every 30 s, at a handover and at
    /// stop, and pre-rendered into the template pool at start before the first request.
    #[arg(long, env = "BARCODED_HOT_FILE")]
    pub hot_file: Option<PathBuf>,
    /// How many hot keys from live traffic the template pool holds beyond the warm list
    /// (0: none counted).
    #[arg(long, env = "BARCODED_HOT_KEYS", default_value_t = 10000, value_parser = clap::value_parser!(u32).range(0..=1000000))]
    pub hot_keys: u32,
    /// Bytes of responses the template pool may hold.
    #[arg(long, env = "BARCODED_POOL_BYTES", default_value_t = 64 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(0..=68719476736))]
    pub pool_bytes: u64,
    /// Address of the admin listener (`/metrics`, `/admin/*`, health checks), or `off`.
    /// Keep it off the public network: it is the trust boundary for operations.
    #[arg(long, env = "BARCODED_ADMIN_LISTEN", default_value = "127.0.0.1:9090")]
    pub admin_listen: String,
    /// Also serve `/metrics` and `/admin/*` on the public listener, to requests carrying
    /// `Authorization: Bearer <--admin-token>` (requires the token).
    #[arg(long, env = "BARCODED_ADMIN_ON_PUBLIC", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub admin_on_public: bool,
    /// Token for `/admin/*` (`Authorization: Bearer <token>`), required on both listeners
    /// when set; without it the admin listener alone is the boundary.
    #[arg(long, env = "BARCODED_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// API keys (TOML: each key's id, SHA-256, rate, burst, routes, tags; `barcoded api-key`
    /// makes an entry). A request presents its key as `Authorization: Bearer KEY` or
    /// `X-Api-Key: KEY`; keyed answers carry `RateLimit-Policy` and `RateLimit`. Reread on
    /// SIGHUP. Without it the service is open to all (the per-IP limit applies).
    #[arg(long, env = "BARCODED_API_KEYS")]
    pub api_keys: Option<PathBuf>,
    /// Refuse a request of the API without a key (401); health, `/openapi.*`,
    /// `/v1/symbologies` and the playground stay open. Needs --api-keys.
    #[arg(long, env = "BARCODED_REQUIRE_API_KEY", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub require_api_key: bool,
    /// Business switches persisted here (one JSON object per line, replaced atomically on
    /// every change) and read back at start: a restart keeps them. A file that cannot be
    /// read refuses the start, naming the line.
    #[arg(long, env = "BARCODED_SWITCHES")]
    pub switches: Option<PathBuf>,
    /// Audit log of switch changes: one JSON line per change appended (when, who, before,
    /// after, reason).
    #[arg(long, env = "BARCODED_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// Access log: a file path, or `stderr`. JSON lines (time, id, trace, client, method,
    /// path, status, bytes, µs, where the answer came from, the switch that applied),
    /// written off the request path; a slow disk drops lines, never requests. Off by default.
    #[arg(long, env = "BARCODED_ACCESS_LOG")]
    pub access_log: Option<String>,
    /// Share of ordinary requests logged (0-1); errors (status >= 400) and slow requests
    /// are always logged.
    #[arg(long, env = "BARCODED_ACCESS_LOG_SAMPLE", default_value_t = 1.0, value_parser = unit_interval)]
    pub access_log_sample: f64,
    /// Shadow traffic: another instance (a candidate build), http://host:port, that a
    /// sample of live GET /v1/ requests is replayed against in the background and
    /// compared with (`GET /admin/shadow`, `barcoded_shadow_total`). Off by default.
    #[arg(long, env = "BARCODED_SHADOW")]
    pub shadow: Option<String>,
    /// Share of GET /v1/ requests replayed against --shadow (0-1).
    #[arg(long, env = "BARCODED_SHADOW_SAMPLE", default_value_t = 0.01, value_parser = unit_interval)]
    pub shadow_sample: f64,
    /// A request slower than this many milliseconds is always logged.
    #[arg(long, env = "BARCODED_ACCESS_LOG_SLOW_MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=600000))]
    pub access_log_slow_ms: u64,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` name the client for `--client-rate`:
    /// comma-separated CIDR blocks or addresses. Others' headers are ignored.
    #[arg(long, env = "BARCODED_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// Redis L2: redis://[:password@]host:port[/db], or a Redis Cluster:
    /// redis+cluster://[:password@]host:port,host:port,...[?read_from_replicas=true].
    /// Without it there is no L2.
    #[arg(long, env = "BARCODED_REDIS")]
    pub redis: Option<String>,
    /// Milliseconds an L2 lookup may take before the request renders locally.
    #[arg(long, env = "BARCODED_REDIS_BUDGET_MS", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub redis_budget_ms: u64,
    /// Seconds an L2 entry lives.
    #[arg(long, env = "BARCODED_REDIS_TTL", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=2592000))]
    pub redis_ttl: u64,
    /// Percent by which each L2 entry's TTL is varied (per key, up or down), so that keys
    /// written together do not expire together.
    #[arg(long, env = "BARCODED_REDIS_TTL_JITTER", default_value_t = 10, value_parser = clap::value_parser!(u8).range(0..=50))]
    pub redis_ttl_jitter: u8,
    /// A Redis key (with --redis) where the hot list is also kept: every instance writes it
    /// every 30 s, and one that starts without a hot file pre-heats from it.
    #[arg(long, env = "BARCODED_HOT_REDIS_KEY")]
    pub hot_redis_key: Option<String>,
    /// Redis connections per core.
    #[arg(long, env = "BARCODED_REDIS_CONNS", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub redis_conns: u16,
    /// Milliseconds a render may wait plus take; a render still queued past it is answered
    /// 503 (degraded) without rendering.
    #[arg(long, env = "BARCODED_RENDER_BUDGET_MS", default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=60000))]
    pub render_budget_ms: u64,
    /// Renders one core may have queued; beyond it a cold request gets 503 at once.
    #[arg(long, env = "BARCODED_RENDER_QUEUE", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=1000000))]
    pub render_queue: u32,
    /// Cold requests each render class may have in flight on one core (from before the
    /// symbol is encoded to the answer); over it 503 `overloaded` at once. `auto`: adaptive
    /// (a gradient on the class's sojourn against its unqueued sojourn, between 8 and
    /// --render-queue); `off`: only the render queue bounds; a number: fixed.
    #[arg(long, env = "BARCODED_CONCURRENCY_LIMIT", default_value = "auto", value_parser = concurrency_limit)]
    pub concurrency_limit: ConcurrencyLimit,
    /// Nice value of the render threads (0-19): the CPU share renders keep while hits
    /// saturate the core (10 ≈ 10 %); they always get the idle time.
    #[arg(long, env = "BARCODED_RENDER_NICE", default_value_t = 10, value_parser = clap::value_parser!(i32).range(0..=19))]
    pub render_nice: i32,
    /// Generate misses one core may have waiting (on L2 or another core's render of the
    /// same key); beyond it 503 at once.
    #[arg(long, env = "BARCODED_MAX_MISSES", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1000000))]
    pub max_misses: u32,
    /// Cold requests (renders, decodes) per second one client IP may start on one core;
    /// over it 429 + Retry-After. 0: off (behind a proxy every client shares its address).
    #[arg(long, env = "BARCODED_CLIENT_RATE", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10000000))]
    pub client_rate: u32,
    /// Burst of cold requests a client may start at once before its rate applies.
    #[arg(long, env = "BARCODED_CLIENT_BURST", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=10000000))]
    pub client_burst: u32,
    /// Resident memory in MiB above which new renders and decodes are refused (503); 0: off.
    #[arg(long, env = "BARCODED_MEMORY_WATERMARK_MB", default_value_t = 2048, value_parser = clap::value_parser!(u64).range(0..=1048576))]
    pub memory_watermark_mb: u64,
    /// Breaker: consecutive failures that open it.
    #[arg(long, env = "BARCODED_BREAKER_CONSECUTIVE", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub breaker_consecutive: u32,
    /// Breaker: failure ratio (percent) over the window that opens it.
    #[arg(long, env = "BARCODED_BREAKER_RATIO", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub breaker_ratio: u32,
    /// Breaker: calls in the window before the ratio counts.
    #[arg(long, env = "BARCODED_BREAKER_MIN_CALLS", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000000))]
    pub breaker_min_calls: u32,
    /// Breaker: a render or parse slower than this many milliseconds is a failure; `auto`:
    /// 3 x each class's own p99 over the last two minutes of its successful calls, at least
    /// --breaker-slow-floor-ms and at most 80.
    #[arg(long, env = "BARCODED_BREAKER_SLOW_MS", default_value = "80", value_parser = slow_ms)]
    pub breaker_slow_ms: SlowMs,
    /// Breaker: the least slow-call threshold `--breaker-slow-ms auto` sets, milliseconds.
    #[arg(long, env = "BARCODED_BREAKER_SLOW_FLOOR_MS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=60000))]
    pub breaker_slow_floor_ms: u64,
    /// Breaker: milliseconds open before half-open probes.
    #[arg(long, env = "BARCODED_BREAKER_COOLDOWN_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..=3600000))]
    pub breaker_cooldown_ms: u64,
    /// Breaker: successful probes that close it.
    #[arg(long, env = "BARCODED_BREAKER_PROBES", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub breaker_probes: u32,
}

/// Request and resource limits, each checked before the memory it guards is spent.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_uri: usize,
    pub max_header_bytes: usize,
    pub max_body: usize,
    pub max_pixels: u64,
    pub idle_timeout: Duration,
    pub header_timeout: Duration,
    /// How long a write may make no progress before the connection is closed.
    pub write_timeout: Duration,
    pub max_conns_per_core: usize,
    pub max_decode_body: usize,
    pub max_batch_body: usize,
    pub batch_max_items: usize,
    pub decode_workers: usize,
    pub decode_queue: usize,
    pub decode_budget: Duration,
    pub decode_worker_memory_mib: u64,
    /// Renders one core may have queued.
    pub render_queue: usize,
    /// Generate misses one core may have waiting on L2 or a coalesced fill.
    pub max_misses: usize,
    /// Cold requests per second per client IP per core (0: off), and the burst.
    pub client_rate: u32,
    pub client_burst: u32,
}

impl Default for Limits {
    /// The flags' defaults (the one place they are written is `Cli`).
    fn default() -> Self {
        Config::default().limits
    }
}

/// The validated configuration of one server instance.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub threads: usize,
    pub driver: DriverChoice,
    pub pin: bool,
    pub backlog: u32,
    pub limits: Limits,
    pub l1_bytes: u64,
    pub shutdown_grace: Duration,
    pub warm: Option<PathBuf>,
    pub hot_file: Option<PathBuf>,
    pub hot_keys: usize,
    /// Where in Redis the hot list is also kept (`--hot-redis-key`).
    pub hot_redis_key: Option<String>,
    pub pool_bytes: u64,
    /// The admin listener's address; `None` when `off`.
    pub admin_listen: Option<SocketAddr>,
    pub admin_on_public: bool,
    pub admin_token: Option<String>,
    /// The API keys file (`--api-keys`), and whether a key is required.
    pub api_keys: Option<PathBuf>,
    pub require_api_key: bool,
    pub switches: Option<PathBuf>,
    pub audit_log: Option<PathBuf>,
    pub access_log: Option<AccessConfig>,
    /// Shadow traffic (`--shadow`), when on.
    pub shadow: Option<crate::shadow::ShadowConfig>,
    /// The binary started as the decode worker processes; `None`: this process's own
    /// (tests running the server in their own process name the `barcoded` binary).
    pub decode_worker_exe: Option<PathBuf>,
    pub trusted_proxies: Trusted,
    pub redis: Option<L2Config>,
    pub render_budget: Duration,
    pub render_nice: i32,
    /// Per class per core limits on cold requests in flight; `None`: off.
    pub concurrency: Option<crate::guard::limit::Policy>,
    /// RSS in bytes above which renders and decodes are refused; 0: off.
    pub memory_watermark: u64,
    pub breakers: BreakerConfig,
}

impl Default for Config {
    /// The configuration with every flag at its default: the same path as the binary's
    /// (`Cli` → `Config`), so tests and the service cannot disagree.
    fn default() -> Self {
        Config::try_from(Cli::parse_from(["barcoded"])).unwrap_or_else(|e| unreachable!("the defaults are valid: {e}"))
    }
}

impl TryFrom<Cli> for Config {
    type Error = String;

    fn try_from(c: Cli) -> Result<Self, String> {
        let redis = match &c.redis {
            Some(url) if !url.is_empty() => Some(
                L2Config::from_url(
                    url,
                    Duration::from_millis(c.redis_budget_ms),
                    Duration::from_secs(c.redis_ttl),
                    c.redis_conns as usize,
                )
                .map(|l2| L2Config { ttl_jitter: c.redis_ttl_jitter, ..l2 })
                .map_err(|e| format!("--redis: {e}"))?,
            ),
            _ => None,
        };
        let hot_redis_key = c.hot_redis_key.filter(|k| !k.is_empty());
        if hot_redis_key.is_some() && redis.is_none() {
            return Err("--hot-redis-key needs --redis".into());
        }
        let admin_listen = match c.admin_listen.trim() {
            "off" => None,
            a => Some(a.parse::<SocketAddr>().map_err(|_| format!("--admin-listen: {a:?} is not ADDR:PORT or off"))?),
        };
        let admin_token = c.admin_token.filter(|t| !t.is_empty());
        if c.admin_on_public && admin_token.is_none() {
            return Err(
                "--admin-on-public: needs --admin-token (the public listener never trusts a peer address)".into()
            );
        }
        let api_keys = c.api_keys.filter(|p| !p.as_os_str().is_empty());
        if c.require_api_key && api_keys.is_none() {
            return Err("--require-api-key: needs --api-keys FILE".into());
        }
        let trusted_proxies = Trusted::parse(&c.trusted_proxies).map_err(|e| format!("--trusted-proxies: {e}"))?;
        let shadow = c.shadow.as_deref().map(|u| crate::shadow::ShadowConfig::parse(u, c.shadow_sample)).transpose()?;
        let threads = if c.threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            c.threads as usize
        };
        Ok(Config {
            listen: c.listen,
            threads,
            driver: c.driver,
            pin: c.pin,
            backlog: c.backlog,
            limits: Limits {
                max_uri: c.max_uri as usize,
                max_header_bytes: c.max_header_bytes as usize,
                max_body: c.max_body as usize,
                max_pixels: c.max_pixels,
                idle_timeout: Duration::from_secs(c.idle_timeout),
                header_timeout: Duration::from_secs(c.header_timeout),
                write_timeout: Duration::from_secs(c.write_timeout),
                max_conns_per_core: c.max_conns as usize,
                max_decode_body: c.max_decode_body as usize,
                max_batch_body: c.max_batch_body as usize,
                batch_max_items: c.batch_max_items as usize,
                decode_workers: c.decode_workers as usize,
                decode_queue: c.decode_queue as usize,
                decode_budget: Duration::from_millis(c.decode_budget_ms),
                decode_worker_memory_mib: c.decode_worker_memory_mb,
                render_queue: c.render_queue as usize,
                max_misses: c.max_misses as usize,
                client_rate: c.client_rate,
                client_burst: c.client_burst,
            },
            l1_bytes: c.l1_bytes,
            shutdown_grace: Duration::from_secs(c.shutdown_grace),
            warm: c.warm,
            hot_file: c.hot_file,
            hot_keys: c.hot_keys as usize,
            hot_redis_key,
            pool_bytes: c.pool_bytes,
            admin_listen,
            admin_on_public: c.admin_on_public,
            admin_token,
            api_keys,
            require_api_key: c.require_api_key,
            switches: c.switches,
            audit_log: c.audit_log,
            decode_worker_exe: None,
            access_log: c.access_log.filter(|s| !s.is_empty()).map(|t| AccessConfig {
                target: Target::parse(&t),
                sample: c.access_log_sample,
                slow: Duration::from_millis(c.access_log_slow_ms),
            }),
            shadow,
            trusted_proxies,
            redis,
            render_budget: Duration::from_millis(c.render_budget_ms),
            render_nice: c.render_nice,
            concurrency: match c.concurrency_limit {
                ConcurrencyLimit::Auto => Some(crate::guard::limit::Policy::adaptive(c.render_queue)),
                ConcurrencyLimit::Off => None,
                ConcurrencyLimit::Fixed(n) => Some(crate::guard::limit::Policy::fixed(n)),
            },
            memory_watermark: c.memory_watermark_mb * 1024 * 1024,
            breakers: BreakerConfig {
                base: Policy {
                    consecutive: c.breaker_consecutive,
                    ratio: c.breaker_ratio as f64 / 100.0,
                    min_calls: c.breaker_min_calls,
                    slow: Duration::from_millis(match c.breaker_slow_ms {
                        SlowMs::Auto => SLOW_CEILING_MS,
                        SlowMs::Fixed(ms) => ms,
                    }),
                    auto: (c.breaker_slow_ms == SlowMs::Auto)
                        .then(|| Auto { k: SLOW_K, floor: Duration::from_millis(c.breaker_slow_floor_ms) }),
                    cooldown: Duration::from_millis(c.breaker_cooldown_ms),
                    probes: c.breaker_probes,
                    window: crate::guard::breaker::WINDOW,
                },
                decode_slow: Duration::from_millis(c.decode_budget_ms),
                redis_slow: Duration::from_millis(c.redis_budget_ms),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse() {
        let c: Config = Cli::try_parse_from(["barcoded"]).unwrap().try_into().unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.threads >= 1);
        assert_eq!(c.limits.max_uri, MAX_URI);
    }

    #[test]
    fn bad_value_names_the_flag() {
        let e = Cli::try_parse_from(["barcoded", "--threads", "x"]).unwrap_err();
        assert!(e.to_string().contains("--threads"), "{e}");
        let e = Cli::try_parse_from(["barcoded", "--driver", "kqueue"]).unwrap_err();
        assert!(e.to_string().contains("--driver"), "{e}");
        let cli = Cli::try_parse_from(["barcoded", "--redis", "http://x"]).unwrap();
        assert!(Config::try_from(cli).unwrap_err().starts_with("--redis"));
        let cli = Cli::try_parse_from(["barcoded", "--admin-on-public"]).unwrap();
        assert!(Config::try_from(cli).unwrap_err().starts_with("--admin-on-public"));
        let cli = Cli::try_parse_from(["barcoded", "--trusted-proxies", "10.0.0.0/8,nope"]).unwrap();
        assert!(Config::try_from(cli).unwrap_err().contains("\"nope\""));
        let cli = Cli::try_parse_from(["barcoded", "--admin-listen", "9090"]).unwrap();
        assert!(Config::try_from(cli).unwrap_err().starts_with("--admin-listen"));
    }

    #[test]
    fn admin_listener_default_and_off() {
        let c: Config = Cli::try_parse_from(["barcoded"]).unwrap().try_into().unwrap();
        assert_eq!(c.admin_listen, Some("127.0.0.1:9090".parse().unwrap()));
        let c: Config = Cli::try_parse_from(["barcoded", "--admin-listen", "off"]).unwrap().try_into().unwrap();
        assert_eq!(c.admin_listen, None);
    }
}
