//! Caches of ready responses: `l1` the sharded in-process cache every core shares, `pool`
//! the template pool (an `arc-swap` snapshot of pre-rendered responses), `l2` the per-core
//! Redis client, `value` the stored form of a response in Redis `filling` the raw targets being rendered
//! now, and `hot` the ranking of hot
//! keys from live traffic, `negative` a core's recent refusals of invalid requests.

pub mod filling;
pub mod hot;
pub mod l1;
pub mod l2;
pub mod negative;
pub mod pool;
pub mod value;
