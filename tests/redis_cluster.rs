//! The L2 on a real Redis Cluster the test starts itself: three masters and three replicas
//! of the apt `redis-server` (`--cluster-enabled yes`, `redis-cli --cluster create
//! --cluster-replicas 1`) on free ports, one cluster per test. Keys spread over every
//! master; a second instance reads what the first wrote; a slot moved under a running
//! instance is followed (`MOVED`), a slot migrating is asked (`ASK`); a master killed
//! (`SIGKILL`) and a manual `CLUSTER FAILOVER` under load fail no request and L2 hits come
//! back; the whole cluster down is Redis down (answers within the budget, renders locally)
//! and the cluster back is used again.

mod common;

use barcoded::cache::l2::L2Config;
use common::*;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One node: its process, client port and cluster bus port.
struct Node {
    child: Option<Child>,
    port: u16,
    bus: u16,
}

/// Six nodes in a temporary directory (their `nodes.conf` files survive a kill, so a node
/// restarted on its ports rejoins as itself).
struct Cluster {
    nodes: Vec<Node>,
    dir: PathBuf,
}

/// A reply, read by the test's own RESP reader: keys are binary (they start with a NUL
/// byte), which no command line can carry.
#[derive(Debug)]
enum Reply {
    Text(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

impl Reply {
    fn read(r: &mut impl std::io::BufRead) -> std::io::Result<Reply> {
        let mut line = Vec::new();
        r.read_until(b'\n', &mut line)?;
        let text = String::from_utf8_lossy(line.get(1..line.len().saturating_sub(2)).unwrap_or_default()).to_string();
        Ok(match line.first() {
            Some(b'+') => Reply::Text(text),
            Some(b'-') => Reply::Error(text),
            Some(b':') => Reply::Int(text.parse().unwrap_or(0)),
            Some(b'$') => match text.parse::<i64>() {
                Ok(n) if n >= 0 => {
                    let mut b = vec![0; n as usize + 2];
                    r.read_exact(&mut b)?;
                    b.truncate(n as usize);
                    Reply::Bulk(Some(b))
                }
                _ => Reply::Bulk(None),
            },
            Some(b'*') => {
                let n: i64 = text.parse().unwrap_or(-1);
                Reply::Array((0..n.max(0)).map(|_| Reply::read(r)).collect::<Result<_, _>>()?)
            }
            _ => return Err(std::io::Error::other(format!("bad reply {line:?}"))),
        })
    }

    /// A one-line rendering: status and error text, integers, bulk strings (lossy).
    fn text(&self) -> String {
        match self {
            Reply::Text(t) | Reply::Error(t) => t.clone(),
            Reply::Int(i) => i.to_string(),
            Reply::Bulk(Some(b)) => String::from_utf8_lossy(b).to_string(),
            Reply::Bulk(None) => String::new(),
            Reply::Array(a) => a.iter().map(Reply::text).collect::<Vec<_>>().join("\n"),
        }
    }
}

/// Sends commands (binary arguments) on one connection to the node at `port`; their replies.
fn resp(port: u16, cmds: &[&[&[u8]]]) -> Vec<Reply> {
    use std::io::Write;
    let s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the node answers");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut w = s.try_clone().unwrap();
    let mut out = Vec::new();
    for args in cmds {
        out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for a in *args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
    }
    w.write_all(&out).unwrap();
    let mut r = std::io::BufReader::new(s);
    cmds.iter().map(|_| Reply::read(&mut r).expect("a reply")).collect()
}

/// One command of text arguments; its reply in one line (`Reply::text`).
fn cli(port: u16, args: &[&str]) -> String {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    resp(port, &[&args]).remove(0).text()
}

/// A client port and a bus port for a new node, free now and below the kernel's ephemeral
/// range (32768 and up by default): a port taken from that range (`free_port`) can become
/// the local port of an outgoing connection before redis-server binds it, and a node killed
/// and restarted must find its ports again.
fn node_ports(taken: &[Node]) -> (u16, u16) {
    let free = |p: u16| {
        !taken.iter().any(|n| n.port == p || n.bus == p) && std::net::TcpListener::bind(("127.0.0.1", p)).is_ok()
    };
    // Spread the start over the range by process and time, so parallel runs rarely meet.
    let seed = std::process::id() as u64 ^ Instant::now().elapsed().as_nanos() as u64 ^ {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() as u64)
    };
    for k in 0..6000u64 {
        let port = 20000 + ((seed + k * 7) % 6000) as u16;
        if free(port) && free(port + 6000) {
            return (port, port + 6000);
        }
    }
    panic!("no free ports for a cluster node in 20000-32000");
}

impl Cluster {
    /// `None` (the test skips, saying why) without redis-server and redis-cli.
    fn start(tag: &str) -> Option<Cluster> {
        if !need("redis-server", "a real Redis Cluster for the L2") || !need("redis-cli", "creating the cluster") {
            return None;
        }
        let dir = std::env::temp_dir().join(format!("barcoded-cluster-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut c = Cluster { nodes: Vec::new(), dir };
        for _ in 0..6 {
            let (port, bus) = node_ports(&c.nodes);
            c.nodes.push(Node { child: None, port, bus });
        }
        for i in 0..6 {
            c.run(i);
        }
        let addrs: Vec<String> = c.nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
        let out = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addrs)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .unwrap();
        assert!(out.status.success(), "cluster create: {}", String::from_utf8_lossy(&out.stdout));
        c.until_whole(Duration::from_secs(30));
        Some(c)
    }

    /// Starts (or restarts) node `i` on its ports.
    fn run(&mut self, i: usize) {
        let n = &self.nodes[i];
        let child = Command::new("redis-server")
            .args(["--port", &n.port.to_string(), "--cluster-port", &n.bus.to_string(), "--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes", "--cluster-config-file", &format!("nodes-{}.conf", n.port)])
            .args(["--cluster-node-timeout", "1000", "--save", "", "--appendonly", "no"])
            // A replica that never finished its first sync may not take over: no 5 s wait.
            .args(["--repl-diskless-sync-delay", "0"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let port = n.port;
        self.nodes[i].child = Some(child);
        let t = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() || cli(port, &["PING"]) != "PONG" {
            assert!(t.elapsed() < Duration::from_secs(10), "redis-server on {port} did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Each live node's role and, for replicas, its master's port.
    fn roles(&self) -> HashMap<u16, String> {
        self.nodes
            .iter()
            .filter(|n| n.child.is_some())
            .map(|n| (n.port, cli(n.port, &["ROLE"]).lines().next().unwrap_or_default().to_string()))
            .collect()
    }

    fn masters(&self) -> Vec<u16> {
        let mut m: Vec<u16> = self.roles().into_iter().filter(|(_, r)| r == "master").map(|(p, _)| p).collect();
        m.sort_unstable();
        m
    }

    /// Waits until every live node says the cluster is ok, three of them are masters and
    /// every replica has synced with its master (one that never did cannot take over).
    fn until_whole(&self, within: Duration) {
        let t = Instant::now();
        loop {
            let live: Vec<u16> = self.nodes.iter().filter(|n| n.child.is_some()).map(|n| n.port).collect();
            let ok = live.iter().all(|&p| cli(p, &["CLUSTER", "INFO"]).contains("cluster_state:ok"));
            let synced = self
                .roles()
                .iter()
                .filter(|(_, r)| r.as_str() == "slave")
                .all(|(&p, _)| cli(p, &["INFO", "replication"]).contains("master_link_status:up"));
            if ok && synced && self.masters().len() == 3 {
                return;
            }
            assert!(t.elapsed() < within, "the cluster did not become whole: {:?}", self.roles());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self, seeds: &[usize]) -> String {
        let s: Vec<String> = seeds.iter().map(|&i| format!("127.0.0.1:{}", self.nodes[i].port)).collect();
        format!("redis+cluster://{}", s.join(","))
    }

    fn index(&self, port: u16) -> usize {
        self.nodes.iter().position(|n| n.port == port).unwrap()
    }

    fn id(&self, port: u16) -> String {
        cli(port, &["CLUSTER", "MYID"])
    }

    /// The keys a master holds whose name contains `tag` (binary: they start `bc:\\0`).
    fn keys(&self, port: u16, tag: &str) -> Vec<Vec<u8>> {
        let (mut cursor, mut keys) = ("0".to_string(), Vec::new());
        loop {
            let pattern = format!("bc:*{tag}*");
            let args: [&[u8]; 6] = [b"SCAN", cursor.as_bytes(), b"MATCH", pattern.as_bytes(), b"COUNT", b"1000"];
            let Reply::Array(mut parts) = resp(port, &[&args]).remove(0) else { panic!("SCAN") };
            let Reply::Array(found) = parts.pop().unwrap() else { panic!("SCAN keys") };
            keys.extend(found.into_iter().filter_map(|k| match k {
                Reply::Bulk(Some(k)) => Some(k),
                _ => None,
            }));
            cursor = parts.pop().unwrap().text();
            if cursor == "0" {
                return keys;
            }
        }
    }

    /// A key's slot, asked of the node.
    fn slot(&self, port: u16, key: &[u8]) -> String {
        resp(port, &[&[b"CLUSTER", b"KEYSLOT", key]]).remove(0).text()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An instance on the cluster at `url`, with a lookup budget generous enough for a loaded
/// test machine (the budget itself is `tests/redis.rs`'s matter) and a small L1 so that
/// repeated keys are looked up in Redis.
fn instance(url: &str, l1_bytes: u64, budget: Duration) -> barcoded::Server {
    let l2 = L2Config::from_url(url, budget, Duration::from_secs(900), 4).unwrap();
    start(move |c| {
        c.redis = Some(l2);
        c.l1_bytes = l1_bytes;
        c.breakers.base.cooldown = Duration::from_millis(300);
        c.breakers.redis_slow = budget;
        // Renders must not be refused for their own budget on a busy machine: every
        // answer here is about Redis.
        c.render_budget = Duration::from_secs(5);
    })
}

/// One cluster test at a time: each runs six redis-servers and loads them.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn ev(admin: SocketAddr, e: &str) -> f64 {
    metric(admin, &format!("barcoded_events_total{{event=\"{e}\"}}"))
}

/// Requests until the instance has read the map and holds a connection to every master
/// (connections open in the background, never while a request waits).
fn warm_up(s: &barcoded::Server, tag: &str) {
    let mut c = Client::new(s.local_addr());
    let t = Instant::now();
    let mut i = 0;
    loop {
        for _ in 0..20 {
            assert_eq!(c.get(&format!("/v1/code128/warm-{tag}-{i}.svg")).status, 200);
            i += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
        let text = get(admin(s), "/metrics").text();
        let connected =
            text.lines().filter(|l| l.starts_with("barcoded_redis_node_connections{") && !l.ends_with(" 0")).count();
        if text.contains("barcoded_redis_cluster_slots 16384") && connected >= 3 {
            return;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "no map or connections: {text}");
    }
}

#[test]
fn keys_spread_over_every_master_and_a_second_instance_reads_them() {
    let _one = serial();
    let Some(cluster) = Cluster::start("spread") else { return };
    // One seed, a replica: the rest of the cluster is discovered from its map.
    let replica = *cluster.roles().iter().find(|(_, r)| r.as_str() == "slave").expect("a replica").0;
    let url = cluster.url(&[cluster.index(replica)]);
    let a = instance(&url, 1 << 20, Duration::from_millis(200));
    warm_up(&a, "a");
    let mut c = Client::new(a.local_addr());
    let n = 600;
    let bodies: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let r = c.get(&format!("/v1/code128/spread-{i}.png"));
            assert_eq!(r.status, 200);
            r.body
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300)); // the writes behind
    let masters = cluster.masters();
    assert_eq!(masters.len(), 3, "{:?}", cluster.roles());
    let per: Vec<usize> = masters.iter().map(|&m| cluster.keys(m, "spread").len()).collect();
    let total: usize = per.iter().sum();
    eprintln!("keys per master: {per:?} of {total}");
    assert!(total >= n * 95 / 100, "{total} of {n} keys written");
    for (m, k) in masters.iter().zip(&per) {
        assert!(*k * 5 >= total, "master {m} holds {k} of {total} keys (under 20 %)");
    }
    let text = get(admin(&a), "/metrics").text();
    assert!(text.contains("barcoded_redis_cluster_slots 16384"), "{text}");
    assert!(text.contains("barcoded_redis_cluster_masters 3"), "{text}");
    assert_eq!(metric(admin(&a), "barcoded_breaker_state{class=\"redis\",core=\"0\"}"), 0.0);

    // A second instance answers the same keys from Redis: the same bytes, no render.
    let b = instance(&url, 1 << 20, Duration::from_millis(200));
    warm_up(&b, "b");
    let (hits, renders) = (ev(admin(&b), "l2_hit"), ev(admin(&b), "render"));
    let mut cb = Client::new(b.local_addr());
    for (i, body) in bodies.iter().enumerate() {
        let r = cb.get(&format!("/v1/code128/spread-{i}.png"));
        assert_eq!(&r.body, body);
    }
    std::thread::sleep(Duration::from_millis(1100)); // the cores publish
    let got = ev(admin(&b), "l2_hit") - hits;
    let rendered = ev(admin(&b), "render") - renders;
    eprintln!("second instance: {got} L2 hits, {rendered} renders of {n}");
    assert!(got >= (n * 95 / 100) as f64, "{got} of {n} from Redis");

    // A third reads from the replicas (READONLY): their keyspace hits grow, the same bytes.
    let replicas: Vec<u16> =
        cluster.roles().into_iter().filter(|(_, r)| r.as_str() == "slave").map(|(p, _)| p).collect();
    let replica_hits = || -> u64 {
        replicas
            .iter()
            .map(|&p| {
                let info = cli(p, &["INFO", "stats"]);
                info.lines()
                    .find_map(|l| l.strip_prefix("keyspace_hits:"))
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(0)
            })
            .sum()
    };
    let before = replica_hits();
    let r = instance(&format!("{url}?read_from_replicas=true"), 1 << 20, Duration::from_millis(200));
    warm_up(&r, "r");
    let mut cr = Client::new(r.local_addr());
    for (i, body) in bodies.iter().enumerate() {
        assert_eq!(&cr.get(&format!("/v1/code128/spread-{i}.png")).body, body);
    }
    let from_replicas = replica_hits() - before;
    eprintln!("replica reads: {from_replicas} keyspace hits on the replicas for {n} lookups");
    assert!(from_replicas >= (n * 90 / 100) as u64, "{from_replicas} of {n} read from replicas");
    a.shutdown();
    b.shutdown();
    r.shutdown();
}

#[test]
fn a_moved_slot_and_a_migrating_one_are_followed() {
    let _one = serial();
    let Some(cluster) = Cluster::start("moved") else { return };
    let url = cluster.url(&[0, 1, 2]);
    let a = instance(&url, 1 << 20, Duration::from_millis(200));
    warm_up(&a, "a");
    let mut c = Client::new(a.local_addr());
    let first = c.get("/v1/qr/moved-one.png");
    assert_eq!(first.status, 200);
    std::thread::sleep(Duration::from_millis(200));
    // Where it went, and a master to move its slot to.
    let masters = cluster.masters();
    let (owner, key) = masters
        .iter()
        .find_map(|&m| cluster.keys(m, "moved-one").into_iter().next().map(|k| (m, k)))
        .expect("the key was written");
    let to = *masters.iter().find(|&&m| m != owner).unwrap();
    let slot = cluster.slot(owner, &key);
    // A second instance learns the map now, before the slot moves.
    let b = instance(&url, 1 << 20, Duration::from_millis(200));
    warm_up(&b, "b");
    let (owner_id, to_id) = (cluster.id(owner), cluster.id(to));
    assert_eq!(cli(to, &["CLUSTER", "SETSLOT", &slot, "IMPORTING", &owner_id]), "OK");
    assert_eq!(cli(owner, &["CLUSTER", "SETSLOT", &slot, "MIGRATING", &to_id]), "OK");
    let to_port = to.to_string();
    let migrate: [&[u8]; 8] = [b"MIGRATE", b"127.0.0.1", to_port.as_bytes(), b"", b"0", b"5000", b"KEYS", &key];
    assert_eq!(resp(owner, &[&migrate]).remove(0).text(), "OK");
    for m in &masters {
        assert_eq!(cli(*m, &["CLUSTER", "SETSLOT", &slot, "NODE", &to_id]), "OK");
    }
    let (hits, moved) =
        (ev(admin(&b), "l2_hit"), metric(admin(&b), "barcoded_redis_cluster_redirects_total{kind=\"moved\"}"));
    let again = Client::new(b.local_addr()).get("/v1/qr/moved-one.png");
    assert_eq!(again.body, first.body);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(ev(admin(&b), "l2_hit"), hits + 1.0, "found at its new master");
    assert!(metric(admin(&b), "barcoded_redis_cluster_redirects_total{kind=\"moved\"}") > moved, "through MOVED");

    // A slot migrating: a key not yet written is asked for at the importing node (ASK),
    // and written there.
    let (owner2, to2) = (to, owner);
    let (owner2_id, to2_id) = (cluster.id(owner2), cluster.id(to2));
    let mut tag = 0;
    let (key2, slot2) = loop {
        // A target whose key the migrating master owns: written by the first instance,
        // found there, then deleted.
        let path = format!("/v1/qr/ask-{tag}.png");
        let probe = Client::new(a.local_addr()).get(&path);
        assert_eq!(probe.status, 200);
        std::thread::sleep(Duration::from_millis(100));
        if let Some(k) = cluster.keys(owner2, &format!("ask-{tag}")).into_iter().next() {
            let s = cluster.slot(owner2, &k);
            // Delete it: the migration then finds it missing at the source.
            assert_eq!(resp(owner2, &[&[b"DEL", &k]]).remove(0).text(), "1");
            break (k, s);
        }
        tag += 1;
        assert!(tag < 50, "no key landed on {owner2}");
    };
    assert_eq!(cli(to2, &["CLUSTER", "SETSLOT", &slot2, "IMPORTING", &owner2_id]), "OK");
    assert_eq!(cli(owner2, &["CLUSTER", "SETSLOT", &slot2, "MIGRATING", &to2_id]), "OK");
    let asked = metric(admin(&b), "barcoded_redis_cluster_redirects_total{kind=\"ask\"}");
    let r = Client::new(b.local_addr()).get(&format!("/v1/qr/ask-{tag}.png"));
    assert_eq!(r.status, 200);
    std::thread::sleep(Duration::from_millis(1100));
    assert!(
        metric(admin(&b), "barcoded_redis_cluster_redirects_total{kind=\"ask\"}") >= asked + 2.0,
        "the lookup and the write went through ASK"
    );
    let exists = resp(to2, &[&[b"ASKING"], &[b"EXISTS", &key2]]).remove(1).text();
    assert_eq!(exists, "1", "written at the importing node");
    a.shutdown();
    b.shutdown();
}

/// Clients keep requesting a working set (the small L1 sends most lookups to Redis) until
/// `stop`: every answer must be 200.
fn load(
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    clients: usize,
    keys: usize,
) -> Vec<std::thread::JoinHandle<(u64, Vec<String>)>> {
    (0..clients)
        .map(|t| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut c = Client::new(addr);
                let (mut n, mut failed) = (0u64, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    let path = format!("/v1/code128/fo-{}.png", (n as usize * 7 + t * 13) % keys);
                    let r = c.get(&path);
                    if r.status != 200 && failed.len() < 10 {
                        failed.push(format!("{path}: {} {}", r.status, r.text()));
                    }
                    n += 1;
                }
                (n, failed)
            })
        })
        .collect()
}

/// Lookups that reached Redis and found the key, over a window.
fn hit_ratio(admin: SocketAddr, during: impl FnOnce()) -> f64 {
    let read = || ["l2_hit", "l2_miss", "l2_error", "l2_skipped"].map(|e| ev(admin, e));
    let before = read();
    during();
    std::thread::sleep(Duration::from_millis(1100));
    let after = read();
    let d: Vec<f64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    let all: f64 = d.iter().sum();
    eprintln!("L2 hit {}, miss {}, error {}, skipped {}", d[0], d[1], d[2], d[3]);
    if all == 0.0 {
        0.0
    } else {
        d[0] / all
    }
}

#[test]
fn a_master_killed_and_a_manual_failover_fail_no_request() {
    let _one = serial();
    let Some(mut cluster) = Cluster::start("failover") else { return };
    let url = cluster.url(&[0, 1, 2, 3, 4, 5]);
    // 64 KiB of L1 against 400 keys: most requests look up Redis.
    let s = instance(&url, 64 * 1024, Duration::from_millis(100));
    warm_up(&s, "s");
    let (addr, admin) = (s.local_addr(), admin(&s));
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(addr, stop.clone(), 4, 400);
    let steady = hit_ratio(admin, || std::thread::sleep(Duration::from_secs(2)));
    eprintln!("steady L2 hit ratio {steady:.2}");

    // SIGKILL a master; its replica takes over after the node timeout (1 s).
    let masters = cluster.masters();
    let victim = masters[0];
    let roles_before = cluster.roles();
    cluster.kill(cluster.index(victim));
    let t = Instant::now();
    loop {
        let m = cluster.masters();
        if m.len() == 3 && !m.contains(&victim) {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(30), "no replica took over: {:?}", cluster.roles());
        std::thread::sleep(Duration::from_millis(100));
    }
    cluster.until_whole(Duration::from_secs(30));
    eprintln!("failover after SIGKILL: {:?} (before: {roles_before:?})", t.elapsed());
    let after_kill = hit_ratio(admin, || std::thread::sleep(Duration::from_secs(3)));

    // A manual failover of another master, at its replica.
    let other = *cluster.masters().iter().find(|&&m| m != victim && masters.contains(&m)).unwrap();
    let replica = cluster
        .nodes
        .iter()
        .filter(|n| n.child.is_some())
        .map(|n| n.port)
        .find(|&p| {
            let role = cli(p, &["ROLE"]);
            let lines: Vec<&str> = role.lines().collect();
            lines.first() == Some(&"slave") && lines.get(2) == Some(&other.to_string().as_str())
        })
        .expect("the other master has a replica");
    assert_eq!(cli(replica, &["CLUSTER", "FAILOVER"]), "OK");
    let t = Instant::now();
    while cli(replica, &["ROLE"]).lines().next() != Some("master") {
        assert!(t.elapsed() < Duration::from_secs(30), "the manual failover did not happen");
        std::thread::sleep(Duration::from_millis(50));
    }
    cluster.until_whole(Duration::from_secs(30));
    eprintln!("manual failover: {:?}", t.elapsed());
    let after_failover = hit_ratio(admin, || std::thread::sleep(Duration::from_secs(3)));
    stop.store(true, Ordering::Relaxed);
    let mut total = 0;
    for h in clients {
        let (n, failed) = h.join().unwrap();
        assert!(failed.is_empty(), "failed requests: {failed:?}");
        total += n;
    }
    eprintln!("{total} requests, 0 failed; L2 hit ratio steady {steady:.2}, after the kill {after_kill:.2}, after the failover {after_failover:.2}");
    assert!(total > 1000, "{total} requests");
    assert!(steady > 0.5, "steady hit ratio {steady}");
    assert!(after_failover > 0.5 * steady, "L2 hits came back: {after_failover} (steady {steady})");
    s.shutdown();
}

#[test]
fn the_whole_cluster_down_is_redis_down_and_back_is_used_again() {
    let _one = serial();
    let Some(mut cluster) = Cluster::start("down") else { return };
    let url = cluster.url(&[0, 1, 2]);
    let s = instance(&url, 1 << 20, Duration::from_millis(2));
    warm_up(&s, "s");
    let (addr, admin) = (s.local_addr(), admin(&s));
    let mut c = Client::new(addr);
    for i in 0..6 {
        cluster.kill(i);
    }
    let mut lat = Vec::new();
    for i in 0..300 {
        let t = Instant::now();
        let r = c.get(&format!("/v1/code128/down-{i}.png"));
        lat.push(t.elapsed());
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let p99 = percentile(&mut lat, 99.0);
    eprintln!("cluster down: 300 requests, 0 failed, p99 {p99:?}");
    assert!(p99 < Duration::from_millis(20), "p99 {p99:?} with the cluster down");
    std::thread::sleep(Duration::from_millis(1100));
    let text = get(admin, "/metrics").text();
    let open =
        text.lines().filter(|l| l.starts_with("barcoded_redis_node_breaker_state{") && !l.ends_with(" 0")).count();
    assert!(open >= 3, "every master's breaker is open: {text}");
    assert!(ev(admin, "l2_skipped") > 250.0);
    // Back on the same ports, with the same node ids: lookups reach it again.
    for i in 0..6 {
        cluster.run(i);
    }
    cluster.until_whole(Duration::from_secs(30));
    let t = Instant::now();
    let mut i = 0;
    loop {
        let before = ev(admin, "l2_miss") + ev(admin, "l2_hit");
        for _ in 0..50 {
            assert_eq!(c.get(&format!("/v1/code128/back-{i}.png")).status, 200);
            i += 1;
        }
        std::thread::sleep(Duration::from_millis(1100));
        if ev(admin, "l2_miss") + ev(admin, "l2_hit") > before {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(30), "lookups did not reach the cluster again");
    }
    s.shutdown();
}
