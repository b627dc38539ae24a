//! HTTP/1.1 as pure bytes in, bytes out: request-head parsing, chunked bodies, response
//! encoding into the connection's output queue, the per-core `Date` cache and query-string
//! handling. Only `server/conn.rs` touches sockets.

pub mod chunked;
pub mod date;
pub mod encode;
pub mod forwarded;
pub mod head;
pub mod out;
pub mod query;
