//! Caches of ready responses: `l1` the sharded in-process cache every core shares, `pool`
//! the template pool (an `arc-swap` snapshot of pre-rendered responses), `l2` the per-core
//! Redis client and `value` the stored form of a response in Redis.

pub mod l1;
pub mod l2;
pub mod pool;
pub mod value;
