//! barcoded: a thread-per-core HTTP/1.1 service that turns data into barcode images.
//!
//! Map of the crate (see ARCHITECTURE.md for the request's path and the invariants):
//! - `access`: the access log (sampled JSON lines off the request path) and W3C trace context.
//! - `config`: the one validated configuration struct, from flags and env vars.
//! - `server`: per-core threads, runtimes, listeners and the connection loop (the only IO).
//! - `http`: pure request parsing and response encoding, the per-core `Date` cache.
//! - `api`: routing, options, the generate ladder, JSON errors.
//! - `symbology`: pure data validation and encoding into module patterns.
//! - `render`: pure PNG and SVG output from a symbol and options.
//! - `cache`: the sharded L1, the template pool, the Redis L2 client and its value format.
//! - `guard`: the admission gate, circuit breakers, the per-core render thread, the memory
//!   watermark.
//! - `workers`: the decode worker threads; `cpus`: thread placement and priority.
//! - `metrics`: per-core counters and histograms, the Prometheus text.
//! - `log`: rate-limited error lines for degraded paths.
//! - `switch`: business switches (degrade, refuse, … for some clients and a sticky
//!   percentage), their persisted file and audit log.
//! - `keys`: API keys (`--api-keys`): the hashed key table, route classes, tags and the
//!   per-key quota shared by the cores through leases.
//! - `state`: what all cores share; `local`: what one core owns.
//! - `fault`: test-only fault injection (cargo feature `fault-injection`).

pub mod access;
pub mod api;
pub mod cache;
pub mod cli;
pub mod config;
pub mod cpus;
pub mod decoder;
pub mod fault;
pub mod gs1;
pub mod guard;
pub mod http;
pub mod keys;
pub mod label;
pub mod local;
pub mod log;
pub mod metrics;
pub mod pack;
pub mod reader;
pub mod render;
pub mod server;
pub mod shadow;
pub mod state;
pub mod switch;
pub mod symbology;
pub mod workers;

pub use config::Config;

/// The global allocator's name, as the binary set it (`/debug/allocator`); `system` when
/// none was set (the tests).
static ALLOCATOR: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Records which allocator the binary installed.
pub fn set_allocator_name(name: &'static str) {
    let _ = ALLOCATOR.set(name);
}

pub fn allocator_name() -> &'static str {
    ALLOCATOR.get().copied().unwrap_or("system")
}
pub use server::Server;
