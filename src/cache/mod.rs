//! Caches of ready responses. `l1` is the sharded in-process cache every core shares.

pub mod l1;
