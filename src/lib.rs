//! barcoded: a thread-per-core HTTP/1.1 service that turns data into barcode images.
//!
//! Map of the crate (see ARCHITECTURE.md for the request's path and the invariants):
//! - `config`: the one validated configuration struct, from flags and env vars.
//! - `server`: per-core threads, runtimes, listeners and the connection loop (the only IO).
//! - `http`: pure request parsing and response encoding, the per-core `Date` cache.
//! - `api`: routing, options, the generate ladder, JSON errors.
//! - `symbology`: pure data validation and encoding into module patterns.
//! - `render`: pure PNG and SVG output from a symbol and options.
//! - `cache`: the sharded L1 of ready responses shared by all cores.
//! - `state`: what all cores share.

pub mod api;
pub mod cache;
pub mod config;
pub mod decode;
pub mod gs1;
pub mod http;
pub mod render;
pub mod server;
pub mod state;
pub mod symbology;

pub use config::Config;
pub use server::Server;
