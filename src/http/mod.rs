//! HTTP/1.1 as pure bytes in, bytes out: request-head parsing, response encoding, the
//! per-core `Date` cache and query-string handling. Only `server/conn.rs` touches sockets.

pub mod date;
pub mod encode;
pub mod parse;
pub mod query;
