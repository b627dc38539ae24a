//! Comparing two builds' answers: `fetch` sends one request to a server and reads its
//! answer (a small blocking HTTP/1.1 client), and reads an answer already in memory;
//! `classify` says how a candidate's answer differs from a reference's (Diffy's classes,
//! images decoded before they are called different). Used by `loadgen compare` (offline,
//! three servers) and by the server's `--shadow` (live samples against one other instance).

pub mod classify;
pub mod fetch;

pub use classify::{classify, noisy, Class};
pub use fetch::{Answer, Request, Server};
