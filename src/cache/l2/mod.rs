//! The Redis L2, one client per core: RESP spoken on the core's own monoio `TcpStream`s,
//! commands packed and replies parsed by the `redis` crate (`default-features = false`),
//! to one Redis (`redis://`) or a Redis Cluster (`redis+cluster://`, `cluster`).
//! Redis is never on the worst-case path: a lookup has a budget (default 2 ms) after which
//! the request renders locally; connections are opened in the background, never while a
//! request waits; the caller puts every call behind the core's Redis breaker, and in a
//! cluster each node has a breaker of its own besides.
//! Keys are `bc:<canonical key>`; values are `cache::value` (versioned) with a TTL.
//!
//! `config` reads `--redis`, `conn` is one connection, `node` one node's connections on a
//! core, `slots` the cluster's key space (pure), `cluster` the cluster client.

pub mod cluster;
mod config;
mod conn;
pub mod node;
pub mod slots;

pub use config::{L2Config, Topology, TTL_JITTER, WRITE_TIMEOUT};
pub use conn::{L2Error, MAX_VALUE};

use crate::guard::gate::Permit;
use crate::guard::{Breakers, Class};
use bytes::Bytes;
use cluster::{Cluster, MapCell, Reach, Use};
use node::{Health, Node, Setup};
use redis::Value;
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

/// Where a core's calls go.
enum Route {
    Single(Rc<Node>),
    Cluster(Rc<Cluster>),
}

/// One core's Redis client.
pub struct L2 {
    cfg: L2Config,
    route: Route,
    breakers: Rc<RefCell<Breakers>>,
}

impl L2 {
    /// The core's client; `map` is the process's cluster map (unused for one Redis).
    pub fn new(cfg: L2Config, breakers: Rc<RefCell<Breakers>>, map: Arc<MapCell>) -> Rc<L2> {
        let setup = Setup { password: cfg.password.clone(), db: 0, readonly: false };
        let route = match &cfg.topology {
            Topology::Single { addr, db } => Route::Single(Node::new(
                *addr,
                Setup { db: *db, ..setup },
                cfg.max_conns,
                Health::Core(breakers.clone()),
            )),
            Topology::Cluster { seeds, replica_reads } => {
                let policy = *breakers.borrow_mut().get(Class::Redis).policy();
                let reach = Reach {
                    seeds: seeds.clone(),
                    replica_reads: *replica_reads,
                    setup,
                    max_conns: cfg.max_conns,
                    policy,
                };
                Route::Cluster(Rc::new(Cluster::new(map, reach)))
            }
        };
        Rc::new(L2 { cfg, route, breakers })
    }

    pub fn config(&self) -> &L2Config {
        &self.cfg
    }

    /// A cluster's nodes as this core sees them (address, breaker, open connections); empty
    /// for one Redis (its breaker is the core's Redis breaker).
    pub fn nodes(&self) -> Vec<(SocketAddr, crate::guard::breaker::State, usize)> {
        match &self.route {
            Route::Single(_) => Vec::new(),
            Route::Cluster(c) => c.nodes(),
        }
    }

    /// Looks `key` up within the budget, under the Redis breaker's `permit` (from the gate):
    /// the lookup's outcome is recorded on it; without a connection nothing was asked, and
    /// a cluster node's own failure (another master is healthy) is its breaker's alone.
    pub async fn get(self: &Rc<Self>, key: &[u8], permit: Permit) -> Result<Option<Bytes>, L2Error> {
        let started = Instant::now();
        let cmd = redis::cmd("GET").arg([b"bc:", key].concat()).get_packed_command();
        let r = match &self.route {
            Route::Single(node) => {
                let Some(mut c) = node.checkout() else {
                    permit.cancel();
                    return Err(L2Error::NoConnection);
                };
                let r = match monoio::time::timeout(self.cfg.budget, c.call(cmd)).await {
                    // On timeout the connection is dropped with its unread reply.
                    Err(_) => Err(L2Error::Timeout),
                    Ok(Ok(v)) => {
                        node.checkin(c);
                        Ok(v)
                    }
                    Ok(Err(e)) => Err(e),
                };
                permit.done(started.elapsed(), r.is_ok());
                r
            }
            Route::Cluster(cluster) => {
                let key = [b"bc:", key].concat();
                match cluster.call(&key, cmd, Use::Read, started + self.cfg.budget).await {
                    Ok(v) => {
                        permit.done(started.elapsed(), true);
                        Ok(v)
                    }
                    Err(f) => {
                        if f.node_only {
                            permit.cancel();
                        } else {
                            permit.done(started.elapsed(), false);
                        }
                        Err(f.error)
                    }
                }
            }
        };
        match r? {
            Value::Nil => Ok(None),
            Value::BulkString(b) => Ok(Some(Bytes::from(b))),
            other => Err(L2Error::Protocol(format!("GET answered {other:?}"))),
        }
    }

    /// Writes `value` under `key` with the TTL, in the background; false when dropped
    /// (no idle connection, the value is too large, or Redis's breaker is not closed).
    pub fn set_behind(self: &Rc<Self>, key: &[u8], value: Vec<u8>) -> bool {
        if value.len() > MAX_VALUE {
            return false;
        }
        // While the breaker is not closed, writes would only pile onto a failing Redis.
        if self.breakers.borrow_mut().get(Class::Redis).state() != crate::guard::breaker::State::Closed {
            return false;
        }
        let full = [b"bc:", key].concat();
        let cmd = redis::cmd("SET")
            .arg(&full)
            .arg(value)
            .arg("EX")
            .arg(jittered_ttl(self.cfg.ttl.as_secs(), self.cfg.ttl_jitter, key))
            .get_packed_command();
        let timeout = self.cfg.write_timeout;
        match &self.route {
            Route::Single(node) => {
                let Some(mut c) = node.checkout() else { return false };
                let node = node.clone();
                monoio::spawn(async move {
                    match monoio::time::timeout(timeout, c.call(cmd)).await {
                        Ok(Ok(_)) => node.checkin(c),
                        Ok(Err(e)) => crate::log::error("redis_write", format_args!("{e:?}")),
                        Err(_) => crate::log::error("redis_write", format_args!("timed out")),
                    }
                });
            }
            Route::Cluster(cluster) => {
                let cluster = cluster.clone();
                monoio::spawn(async move {
                    if let Err(f) = cluster.call(&full, cmd, Use::Write, Instant::now() + timeout).await {
                        if !matches!(f.error, L2Error::NoConnection | L2Error::NodeOpen) {
                            crate::log::error("redis_write", format_args!("{:?}", f.error));
                        }
                    }
                });
            }
        }
        true
    }
}

/// `ttl` seconds ± up to `jitter` percent (at most 90), the factor taken from the key's hash (the same
/// key always gets the same TTL; keys written together are spread over the range), at
/// least one second.
pub fn jittered_ttl(ttl: u64, jitter: u8, key: &[u8]) -> u64 {
    // FNV-1a, then a finaliser so that keys differing in one byte land far apart.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    let unit = (h >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
    let factor = 1.0 + f64::from(jitter.min(90)) / 100.0 * (2.0 * unit - 1.0);
    ((ttl as f64 * factor).round() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_spread_within_the_jitter_and_stay_per_key() {
        let ttls: Vec<u64> = (0..2000).map(|i| jittered_ttl(900, 10, format!("ean13|{i}|png").as_bytes())).collect();
        assert!(ttls.iter().all(|&t| (810..=990).contains(&t)), "{:?}", (ttls.iter().min(), ttls.iter().max()));
        // Spread over the whole range: each tenth of it gets about a tenth of the keys.
        for bucket in 0..10 {
            let lo = 810 + bucket * 18;
            let n = ttls.iter().filter(|&&t| t >= lo && t < lo + 18).count();
            assert!((140..=260).contains(&n), "bucket {bucket}: {n}");
        }
        assert_eq!(jittered_ttl(900, 10, b"k"), jittered_ttl(900, 10, b"k"));
        assert_eq!(jittered_ttl(900, 0, b"k"), 900);
        assert_eq!(jittered_ttl(1, 50, b"k"), 1);
        assert_eq!(jittered_ttl(0, 10, b"k"), 1);
    }
}
