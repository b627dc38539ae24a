//! The Redis Cluster client of one core. The slot map is one per process (`MapCell`, an
//! `arc-swap` snapshot every core reads without a lock), read with `CLUSTER SHARDS` (or
//! `CLUSTER SLOTS` from a Redis before 7) from a known node; connections and breakers are
//! per core and per node (`node::Node`). A call goes to the master of its key's slot (or,
//! with replica reads, to a healthy replica), follows `MOVED` (remembered in the map at
//! once) and `ASK` (`ASKING` first, not remembered) up to twice, and refreshes the map on a
//! redirection, on `CLUSTERDOWN`/`TRYAGAIN`/`READONLY`-like errors, on a lost connection or
//! timeout, and periodically: every 10 s, every second while a node of the map is sick or
//! slots are uncovered. A node whose breaker is open is skipped (its slots render locally);
//! the others go on. No call ever waits for a connection or a map: without one, the
//! lookup is skipped and what it lacked is fetched in the background.

use super::conn::L2Error;
use super::node::{Health, Node, Setup};
use super::slots::{key_slot, Redirect, Shard, SlotMap, SLOTS};
use crate::guard::breaker::{Policy, State};
use arc_swap::ArcSwap;
use redis::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The map is read again this often when all is well…
const REFRESH_EVERY: Duration = Duration::from_secs(10);
/// …and this often while a node is sick or slots are uncovered.
const REFRESH_SICK: Duration = Duration::from_secs(1);
/// Never two reads of the map closer than this.
const REFRESH_GAP: Duration = Duration::from_millis(100);
/// Time one node may take to give its map.
const MAP_TIMEOUT: Duration = Duration::from_millis(300);
/// Nodes asked for the map in one refresh, at most.
const MAP_TRIES: usize = 8;
/// Redirections followed by one call.
const REDIRECTS: usize = 2;

/// The process's view of the cluster, shared by the cores: the slot map and the counters
/// `/metrics` shows.
pub struct MapCell {
    map: ArcSwap<SlotMap>,
    refreshing: AtomicBool,
    /// When the map was last read (or tried), in ms since `epoch`; `u64::MAX`: never.
    last: AtomicU64,
    epoch: Instant,
    pub refreshed: AtomicU64,
    pub refresh_failed: AtomicU64,
    pub moved: AtomicU64,
    pub asked: AtomicU64,
}

impl Default for MapCell {
    fn default() -> Self {
        MapCell {
            map: ArcSwap::from_pointee(SlotMap::default()),
            refreshing: AtomicBool::new(false),
            last: AtomicU64::new(u64::MAX),
            epoch: Instant::now(),
            refreshed: AtomicU64::new(0),
            refresh_failed: AtomicU64::new(0),
            moved: AtomicU64::new(0),
            asked: AtomicU64::new(0),
        }
    }
}

impl MapCell {
    pub fn map(&self) -> Arc<SlotMap> {
        self.map.load_full()
    }

    /// Time since the map was last read; `None` before the first read.
    fn age(&self) -> Option<Duration> {
        match self.last.load(Ordering::Relaxed) {
            u64::MAX => None,
            ms => Some(self.epoch.elapsed().saturating_sub(Duration::from_millis(ms))),
        }
    }

    /// The map's and the redirections' counters, in Prometheus text.
    pub fn metrics(&self, out: &mut String) {
        use std::fmt::Write;
        let map = self.map();
        let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let _ = write!(
            out,
            "# HELP barcoded_redis_cluster_slots Slots the Redis Cluster map assigns to a master (16384 when whole).\n\
             # TYPE barcoded_redis_cluster_slots gauge\nbarcoded_redis_cluster_slots {}\n\
             # HELP barcoded_redis_cluster_masters Masters in the Redis Cluster map.\n\
             # TYPE barcoded_redis_cluster_masters gauge\nbarcoded_redis_cluster_masters {}\n\
             # HELP barcoded_redis_cluster_map_reads_total Reads of the slot map (CLUSTER SHARDS), by result.\n\
             # TYPE barcoded_redis_cluster_map_reads_total counter\n\
             barcoded_redis_cluster_map_reads_total{{result=\"ok\"}} {}\n\
             barcoded_redis_cluster_map_reads_total{{result=\"failed\"}} {}\n\
             # HELP barcoded_redis_cluster_redirects_total MOVED and ASK replies followed.\n\
             # TYPE barcoded_redis_cluster_redirects_total counter\n\
             barcoded_redis_cluster_redirects_total{{kind=\"moved\"}} {}\n\
             barcoded_redis_cluster_redirects_total{{kind=\"ask\"}} {}\n",
            map.covered(),
            map.shards().len(),
            c(&self.refreshed),
            c(&self.refresh_failed),
            c(&self.moved),
            c(&self.asked),
        );
    }

    fn touch(&self) {
        self.last.store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

/// Whether a call reads (and may go to a replica) or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    Read,
    Write,
}

/// Why a cluster call did not answer, and whether Redis as a whole is to blame.
#[derive(Debug)]
pub struct Failure {
    pub error: L2Error,
    /// The failing node's own (another master is healthy): its breaker took it, the
    /// core's Redis breaker must not.
    pub node_only: bool,
}

/// How a core reaches the cluster's nodes.
pub struct Reach {
    /// The nodes first asked for the map.
    pub seeds: Vec<SocketAddr>,
    /// Lookups go to a shard's healthy replicas (`READONLY`).
    pub replica_reads: bool,
    /// What a new connection sends first.
    pub setup: Setup,
    /// Connections per node on this core.
    pub max_conns: usize,
    /// The thresholds of every node's breaker (the core's Redis breaker's).
    pub policy: Policy,
}

/// One core's cluster client.
pub struct Cluster {
    cell: Arc<MapCell>,
    reach: Reach,
    nodes: RefCell<HashMap<SocketAddr, Rc<Node>>>,
    /// Round robin over a shard's replicas.
    next_replica: Cell<usize>,
}

impl Cluster {
    /// The client of one core; `cell` is the process's map.
    pub fn new(cell: Arc<MapCell>, reach: Reach) -> Cluster {
        let setup = Setup { readonly: reach.replica_reads, ..reach.setup };
        Cluster {
            cell,
            reach: Reach { setup, ..reach },
            nodes: RefCell::new(HashMap::new()),
            next_replica: Cell::new(0),
        }
    }

    /// The nodes this core talks to, with their breaker states and open connections.
    pub fn nodes(&self) -> Vec<(SocketAddr, State, usize)> {
        let mut v: Vec<_> = self.nodes.borrow().values().map(|n| (n.addr, n.state(), n.open())).collect();
        v.sort_by_key(|n| n.0);
        v
    }

    /// This core's node at `addr`, created on first use. Nodes the map no longer names are
    /// dropped once they outnumber it (bounded however often the cluster changes).
    fn node(&self, addr: SocketAddr) -> Rc<Node> {
        if let Some(n) = self.nodes.borrow().get(&addr) {
            return n.clone();
        }
        let mut nodes = self.nodes.borrow_mut();
        let map = self.cell.map();
        let known = map.shards().iter().map(|s| 1 + s.replicas.len()).sum::<usize>() + self.reach.seeds.len();
        if nodes.len() >= 2 * known + 8 {
            nodes.retain(|a, _| {
                self.reach.seeds.contains(a) || map.shards().iter().any(|s| s.master == *a || s.replicas.contains(a))
            });
        }
        let health =
            Health::Own(Box::new(RefCell::new(crate::guard::breaker::Breaker::new(self.reach.policy, Instant::now()))));
        let n = Node::new(addr, self.reach.setup.clone(), self.reach.max_conns, health);
        nodes.insert(addr, n.clone());
        n
    }

    /// The node a call of `use_` for a slot of `shard` goes to.
    fn pick(&self, shard: &Shard, use_: Use) -> SocketAddr {
        if use_ == Use::Read && self.reach.replica_reads && !shard.replicas.is_empty() {
            let i = self.next_replica.get();
            self.next_replica.set(i.wrapping_add(1));
            let n = shard.replicas.len();
            for k in 0..n {
                let addr = shard.replicas[(i + k) % n];
                if self.nodes.borrow().get(&addr).is_none_or(|node| node.state() == State::Closed) {
                    return addr;
                }
            }
        }
        shard.master
    }

    /// Whether a master other than `addr` is healthy on this core (unknown ones count as
    /// healthy): then a failure at `addr` is that node's, not the cluster's.
    fn healthy_elsewhere(&self, addr: SocketAddr) -> bool {
        let nodes = self.nodes.borrow();
        self.cell
            .map()
            .shards()
            .iter()
            .any(|s| s.master != addr && nodes.get(&s.master).is_none_or(|n| n.state() == State::Closed))
    }

    /// Whether this core sees trouble: slots uncovered, or a node's breaker not closed.
    fn sick(&self, map: &SlotMap) -> bool {
        map.covered() < SLOTS || self.nodes.borrow().values().any(|n| n.state() != State::Closed)
    }

    fn fail(&self, error: L2Error, at: SocketAddr) -> Failure {
        Failure { node_only: self.healthy_elsewhere(at), error }
    }

    /// Runs `cmd` on the node serving `key` within `deadline`.
    pub async fn call(
        self: &Rc<Self>,
        key: &[u8],
        cmd: Vec<u8>,
        use_: Use,
        deadline: Instant,
    ) -> Result<Value, Failure> {
        let map = self.cell.map();
        let due = match self.cell.age() {
            None => true,
            Some(age) => age >= if self.sick(&map) { REFRESH_SICK } else { REFRESH_EVERY },
        };
        if due {
            self.refresh();
        }
        let slot = key_slot(key);
        let Some(shard) = map.shard(slot) else {
            return Err(Failure { error: L2Error::NoConnection, node_only: true });
        };
        let mut addr = self.pick(shard, use_);
        let mut asking = false;
        for _ in 0..=REDIRECTS {
            let node = self.node(addr);
            if !node.admit() {
                return Err(Failure { error: L2Error::NodeOpen, node_only: true });
            }
            let Some(mut conn) = node.checkout() else {
                return Err(Failure { error: L2Error::NoConnection, node_only: true });
            };
            let left = deadline.saturating_duration_since(Instant::now());
            let started = Instant::now();
            let asked = if asking { Some(redis::cmd("ASKING").get_packed_command()) } else { None };
            let cmd = cmd.clone();
            let r = monoio::time::timeout(left, async {
                if let Some(a) = asked {
                    conn.call(a).await?;
                }
                conn.call(cmd).await
            })
            .await;
            match r {
                // On timeout the connection is dropped with its unread reply.
                Err(_) => {
                    node.record(started, false);
                    self.refresh();
                    return Err(self.fail(L2Error::Timeout, addr));
                }
                Ok(Ok(v)) => {
                    node.checkin(conn);
                    node.record(started, true);
                    return Ok(v);
                }
                Ok(Err(L2Error::Server { code, details })) => {
                    node.checkin(conn);
                    match Redirect::parse(&code, &details) {
                        Some(Redirect::Moved { slot, addr: to }) => {
                            node.record(started, true);
                            self.cell.moved.fetch_add(1, Ordering::Relaxed);
                            self.cell.map.store(Arc::new(self.cell.map().moved(slot, to)));
                            self.refresh();
                            (addr, asking) = (to, false);
                        }
                        Some(Redirect::Ask { addr: to, .. }) => {
                            node.record(started, true);
                            self.cell.asked.fetch_add(1, Ordering::Relaxed);
                            (addr, asking) = (to, true);
                        }
                        None => {
                            // CLUSTERDOWN, TRYAGAIN, LOADING, MASTERDOWN, READONLY…: the node
                            // answered, at once, that it cannot serve the slot now — during a
                            // failover every node says CLUSTERDOWN for a second or two. No
                            // breaker's failure (they would stay open past the failover);
                            // the map may be changing, so it is read again.
                            node.record(started, true);
                            self.refresh();
                            return Err(Failure { error: L2Error::Server { code, details }, node_only: true });
                        }
                    }
                }
                Ok(Err(e)) => {
                    node.record(started, false);
                    self.refresh();
                    return Err(self.fail(e, addr));
                }
            }
        }
        Err(Failure { error: L2Error::Protocol("redirected too often".into()), node_only: true })
    }

    /// Reads the map again in the background, unless another core is at it or it was read
    /// in the last `REFRESH_GAP`.
    pub fn refresh(self: &Rc<Self>) {
        if self.cell.age().is_some_and(|a| a < REFRESH_GAP) || self.cell.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = self.clone();
        monoio::spawn(async move {
            match me.read_map().await {
                Ok(map) => {
                    me.cell.map.store(Arc::new(map));
                    me.cell.refreshed.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    me.cell.refresh_failed.fetch_add(1, Ordering::Relaxed);
                    crate::log::error("redis_cluster_map", format_args!("{e}"));
                }
            }
            me.cell.touch();
            me.cell.refreshing.store(false, Ordering::Release);
        });
    }

    /// The nodes to ask for the map, best first: the map's masters whose breakers are
    /// closed, the seeds, then every other node the map names.
    fn candidates(&self) -> Vec<SocketAddr> {
        let map = self.cell.map();
        let closed = |a: &SocketAddr| self.nodes.borrow().get(a).is_none_or(|n| n.state() == State::Closed);
        let mut all: Vec<SocketAddr> = map.shards().iter().map(|s| s.master).filter(closed).collect();
        all.extend(self.reach.seeds.iter().copied());
        all.extend(map.shards().iter().flat_map(|s| std::iter::once(s.master).chain(s.replicas.iter().copied())));
        let mut seen = std::collections::HashSet::new();
        all.retain(|a| seen.insert(*a));
        all.truncate(MAP_TRIES);
        all
    }

    async fn read_map(&self) -> Result<SlotMap, String> {
        let mut why = Vec::new();
        for addr in self.candidates() {
            let node = Node::new(
                addr,
                Setup { readonly: false, ..self.reach.setup.clone() },
                1,
                Health::Own(Box::new(RefCell::new(crate::guard::breaker::Breaker::new(
                    self.reach.policy,
                    Instant::now(),
                )))),
            );
            match monoio::time::timeout(MAP_TIMEOUT, Self::ask_map(&node)).await {
                Ok(Ok(map)) if !map.is_empty() => return Ok(map),
                Ok(Ok(_)) => why.push(format!("{addr}: no slots assigned")),
                Ok(Err(e)) => why.push(format!("{addr}: {e}")),
                Err(_) => why.push(format!("{addr}: timed out")),
            }
        }
        Err(format!("no node gave the slot map ({})", why.join("; ")))
    }

    async fn ask_map(node: &Node) -> Result<SlotMap, String> {
        let mut c = node.connect().await.map_err(|e| format!("{e:?}"))?;
        match c.call(redis::cmd("CLUSTER").arg("SHARDS").get_packed_command()).await {
            Ok(v) => SlotMap::from_shards(&v),
            // Redis before 7 has no CLUSTER SHARDS.
            Err(L2Error::Server { code, .. }) if code == "ERR" => {
                let v = c
                    .call(redis::cmd("CLUSTER").arg("SLOTS").get_packed_command())
                    .await
                    .map_err(|e| format!("{e:?}"))?;
                SlotMap::from_slots(&v)
            }
            Err(e) => Err(format!("{e:?}")),
        }
    }
}
