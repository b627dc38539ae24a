//! Where and how to reach the L2: one Redis (`redis://`) or a Redis Cluster
//! (`redis+cluster://`), read from `--redis`; and a blocking client for the few calls made
//! off the serving cores (the hot list), which follows a cluster's redirections itself.

use super::slots::Redirect;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// Time a write-behind may take.
pub const WRITE_TIMEOUT: Duration = Duration::from_millis(100);
/// The default TTL jitter: ±10 %.
pub const TTL_JITTER: u8 = 10;
/// Seed nodes a cluster URL may name.
const MAX_SEEDS: usize = 64;

/// One Redis or a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Topology {
    /// One Redis and the database used on it.
    Single { addr: SocketAddr, db: u32 },
    /// A Redis Cluster: the nodes first asked for the slot map (any of them will do), and
    /// whether lookups may go to a shard's replicas (`READONLY`) rather than its master.
    Cluster { seeds: Vec<SocketAddr>, replica_reads: bool },
}

/// Where and how to reach Redis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct L2Config {
    pub topology: Topology,
    pub password: Option<String>,
    /// Budget of one lookup; past it the request carries on without L2.
    pub budget: Duration,
    pub ttl: Duration,
    /// Each key's TTL is `ttl` ± up to this many percent, fixed per key, so that keys
    /// written together do not expire together (cache avalanche).
    pub ttl_jitter: u8,
    /// Time a write-behind may take.
    pub write_timeout: Duration,
    /// Connections per core (per node, in a cluster).
    pub max_conns: usize,
}

impl L2Config {
    /// Parses `redis://[:password@]host:port[/db]` or
    /// `redis+cluster://[:password@]host:port,host:port,…[?read_from_replicas=true]`; the
    /// budget, TTL and connections per core come from the configuration (`--redis-budget-ms`,
    /// `--redis-ttl`, `--redis-conns`).
    pub fn from_url(url: &str, budget: Duration, ttl: Duration, max_conns: usize) -> Result<L2Config, String> {
        let (cluster, rest) = if let Some(r) = url.strip_prefix("redis+cluster://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("redis://") {
            (false, r)
        } else {
            return Err(format!("{url}: expected redis://host:port[/db] or redis+cluster://host:port,host:port,…"));
        };
        let (auth, rest) = match rest.rsplit_once('@') {
            Some((a, r)) => (Some(a), r),
            None => (None, rest),
        };
        let password = auth.map(|a| a.split_once(':').map_or(a, |(_, p)| p).to_string()).filter(|p| !p.is_empty());
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (hosts, db) = match rest.split_once('/') {
            Some((h, "")) => (h, 0),
            Some((h, d)) => (h, d.parse::<u32>().map_err(|_| format!("{url}: database must be a number"))?),
            None => (rest, 0),
        };
        let topology = if cluster {
            if db != 0 {
                return Err(format!("{url}: a cluster has database 0 only"));
            }
            let mut replica_reads = false;
            for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
                match pair.split_once('=') {
                    Some(("read_from_replicas", "true" | "yes" | "1")) => replica_reads = true,
                    Some(("read_from_replicas", "false" | "no" | "0")) => replica_reads = false,
                    _ => return Err(format!("{url}: unknown option {pair:?} (read_from_replicas=true|false)")),
                }
            }
            let names: Vec<&str> = hosts.split(',').map(str::trim).filter(|h| !h.is_empty()).collect();
            if names.is_empty() || names.len() > MAX_SEEDS {
                return Err(format!("{url}: name 1 to {MAX_SEEDS} nodes"));
            }
            let seeds = names.iter().map(|h| resolve(url, h)).collect::<Result<Vec<_>, _>>()?;
            Topology::Cluster { seeds, replica_reads }
        } else {
            if query.is_some() {
                return Err(format!("{url}: redis:// takes no options"));
            }
            if hosts.contains(',') {
                return Err(format!("{url}: several nodes are a cluster: redis+cluster://"));
            }
            Topology::Single { addr: resolve(url, hosts)?, db }
        };
        Ok(L2Config {
            topology,
            password,
            budget,
            ttl,
            ttl_jitter: TTL_JITTER,
            write_timeout: WRITE_TIMEOUT,
            max_conns,
        })
    }

    /// The first node to try: the one Redis, or the cluster's first seed.
    pub fn first_addr(&self) -> SocketAddr {
        match &self.topology {
            Topology::Single { addr, .. } => *addr,
            Topology::Cluster { seeds, .. } => seeds[0],
        }
    }

    /// Runs one single-key command `cmd` on the node that owns `key`, blocking (for the
    /// calls made off the serving cores: the hot list at start and from the keeper thread):
    /// `timeout` bounds connecting, each read and each write. In a cluster it starts at a
    /// seed and follows up to two `MOVED`/`ASK` redirections.
    pub fn blocking_query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd, timeout: Duration) -> Result<T, String> {
        let db = match &self.topology {
            Topology::Single { db, .. } => *db,
            Topology::Cluster { .. } => 0,
        };
        let mut tried = Vec::new();
        let mut target = match &self.topology {
            Topology::Single { addr, .. } => vec![*addr],
            Topology::Cluster { seeds, .. } => seeds.clone(),
        };
        let mut asking = false;
        for _ in 0..3 {
            let mut last = String::from("no node answered");
            let mut redirect = None;
            for addr in &target {
                let mut c = match self.blocking_connection(*addr, db, timeout) {
                    Ok(c) => c,
                    Err(e) => {
                        last = format!("{addr}: {e}");
                        continue;
                    }
                };
                if asking {
                    redis::cmd("ASKING").query::<()>(&mut c).map_err(|e| format!("{addr}: {e}"))?;
                }
                match cmd.query::<T>(&mut c) {
                    Ok(v) => return Ok(v),
                    Err(e) => {
                        let r = e.redirect_node().and_then(|_| Redirect::parse(e.code()?, e.detail()?));
                        match r {
                            Some(r) => {
                                redirect = Some(r);
                                break;
                            }
                            None => return Err(format!("{addr}: {e}")),
                        }
                    }
                }
            }
            tried.extend(target.iter().copied());
            match redirect {
                Some(Redirect::Moved { addr, .. }) => (target, asking) = (vec![addr], false),
                Some(Redirect::Ask { addr, .. }) => (target, asking) = (vec![addr], true),
                None => return Err(last),
            }
        }
        Err(format!("redirected too often (via {tried:?})"))
    }

    fn blocking_connection(&self, addr: SocketAddr, db: u32, timeout: Duration) -> Result<redis::Connection, String> {
        use redis::IntoConnectionInfo;
        let mut settings = redis::RedisConnectionInfo::default().set_db(i64::from(db));
        if let Some(p) = &self.password {
            settings = settings.set_password(p);
        }
        let info = redis::ConnectionAddr::Tcp(addr.ip().to_string(), addr.port())
            .into_connection_info()
            .map_err(|e| e.to_string())?
            .set_redis_settings(settings);
        let client = redis::Client::open(info).map_err(|e| e.to_string())?;
        let c = client.get_connection_with_timeout(timeout).map_err(|e| e.to_string())?;
        c.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
        c.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
        Ok(c)
    }
}

fn resolve(url: &str, hostport: &str) -> Result<SocketAddr, String> {
    // `host:port`, `[v6]:port`, or either without the port (6379).
    let with_port = if hostport.starts_with('[') { hostport.contains("]:") } else { hostport.contains(':') };
    let hostport = if with_port { hostport.to_string() } else { format!("{hostport}:6379") };
    hostport
        .to_socket_addrs()
        .map_err(|e| format!("{url}: {hostport}: {e}"))?
        .next()
        .ok_or_else(|| format!("{url}: {hostport}: no address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn single(c: &L2Config) -> (u16, u32) {
        match &c.topology {
            Topology::Single { addr, db } => (addr.port(), *db),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn single_urls() {
        let c = L2Config::from_url("redis://127.0.0.1:6390/2", MS, MS, 1).unwrap();
        assert_eq!((single(&c), c.password.clone()), ((6390, 2), None));
        let c = L2Config::from_url("redis://:s3cret@127.0.0.1", MS, MS, 1).unwrap();
        assert_eq!((single(&c), c.password.as_deref()), ((6379, 0), Some("s3cret")));
        assert!(L2Config::from_url("http://x", MS, MS, 1).is_err());
        assert!(L2Config::from_url("redis://127.0.0.1:1/x", MS, MS, 1).is_err());
        assert!(L2Config::from_url("redis://127.0.0.1:1,127.0.0.1:2", MS, MS, 1)
            .unwrap_err()
            .contains("redis+cluster://"));
        assert!(L2Config::from_url("redis://127.0.0.1:1?x=1", MS, MS, 1).is_err());
    }

    #[test]
    fn cluster_urls() {
        let c = L2Config::from_url("redis+cluster://127.0.0.1:7000,127.0.0.1:7001, 127.0.0.1", MS, MS, 2).unwrap();
        let want: Vec<SocketAddr> =
            ["127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:6379"].iter().map(|a| a.parse().unwrap()).collect();
        assert_eq!(c.topology, Topology::Cluster { seeds: want, replica_reads: false });
        assert_eq!(c.first_addr().port(), 7000);
        let c = L2Config::from_url("redis+cluster://:pw@127.0.0.1:7000?read_from_replicas=true", MS, MS, 2).unwrap();
        assert_eq!(c.password.as_deref(), Some("pw"));
        assert!(matches!(c.topology, Topology::Cluster { replica_reads: true, .. }));
        let c = L2Config::from_url("redis+cluster://[::1]:7000,[::1]", MS, MS, 2).unwrap();
        assert!(
            matches!(&c.topology, Topology::Cluster { seeds, .. } if seeds[1].port() == 6379 && seeds[0].port() == 7000)
        );
        for bad in [
            "redis+cluster://",
            "redis+cluster://127.0.0.1:7000/1",
            "redis+cluster://127.0.0.1:7000?read_from_replicas=maybe",
            "redis+cluster://127.0.0.1:7000?pool=3",
            "redis+cluster://127.0.0.1:notaport",
        ] {
            assert!(L2Config::from_url(bad, MS, MS, 1).is_err(), "{bad}");
        }
        let many = format!("redis+cluster://{}", vec!["127.0.0.1:1"; 65].join(","));
        assert!(L2Config::from_url(&many, MS, MS, 1).is_err());
    }
}
