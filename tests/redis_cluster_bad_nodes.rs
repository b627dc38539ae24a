//! A Redis Cluster that misbehaves, played by fake nodes this test runs itself (plain
//! threads speaking RESP): no node reachable, a node answering garbage, a line without an
//! end, a 512 MB bulk string (for the slot map and for a lookup), and two nodes that disagree
//! about who owns the slots and send every call to each other. In each case the instance
//! answers every request (from L1 or by rendering) within the lookup budget plus scheduling,
//! never reads more than a bounded amount from the bad node, and says in `/metrics` what
//! happened (map reads failed, L2 errors, redirections). Needs no redis-server.

mod common;

use barcoded::cache::l2::L2Config;
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// What a fake node sends for one command.
enum Answer {
    /// These bytes, then the next command.
    Bytes(Vec<u8>),
    /// `head`, then filler bytes (`x`, no line end) for as long as the client reads, up to
    /// `total` bytes; then the connection is closed.
    Flood { head: Vec<u8>, total: u64 },
}

/// How a fake node answers a command (its arguments, as sent).
type Behaviour = dyn Fn(&[Vec<u8>]) -> Answer + Send + Sync;

/// A fake node: its address, and what it saw and sent.
struct Fake {
    addr: SocketAddr,
    commands: Arc<Mutex<Vec<String>>>,
    sent: Arc<AtomicU64>,
}

impl Fake {
    /// Commands received whose first word is `name` (case-insensitive).
    fn count(&self, name: &str) -> usize {
        self.commands.lock().unwrap().iter().filter(|c| c.eq_ignore_ascii_case(name)).count()
    }
}

/// Reads one command (`*N` then `N` bulk strings); `None` when the client is gone.
fn read_command(r: &mut impl BufRead) -> Option<Vec<Vec<u8>>> {
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let n: usize = line.trim_end().strip_prefix('*')?.parse().ok()?;
    let mut args = Vec::with_capacity(n.min(16));
    for _ in 0..n {
        line.clear();
        r.read_line(&mut line).ok()?;
        let len: usize = line.trim_end().strip_prefix('$')?.parse().ok()?;
        let mut b = vec![0; len.min(1 << 20) + 2];
        r.read_exact(&mut b).ok()?;
        b.truncate(len);
        args.push(b);
    }
    Some(args)
}

/// Starts a fake node on a free port, one thread per connection.
fn fake(behaviour: impl Fn(&[Vec<u8>]) -> Answer + Send + Sync + 'static) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let behaviour: Arc<Behaviour> = Arc::new(behaviour);
    let commands = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(AtomicU64::new(0));
    let (b, c, s) = (behaviour.clone(), commands.clone(), sent.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (b, c, s) = (b.clone(), c.clone(), s.clone());
            std::thread::spawn(move || serve(stream, &*b, &c, &s));
        }
    });
    Fake { addr, commands, sent }
}

fn serve(stream: TcpStream, behaviour: &Behaviour, commands: &Mutex<Vec<String>>, sent: &AtomicU64) {
    let mut w = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    while let Some(args) = read_command(&mut r) {
        let name = args.first().map(|a| String::from_utf8_lossy(a).to_string()).unwrap_or_default();
        commands.lock().unwrap().push(name);
        match behaviour(&args) {
            Answer::Bytes(b) => {
                if w.write_all(&b).is_err() {
                    return;
                }
                sent.fetch_add(b.len() as u64, Ordering::Relaxed);
            }
            Answer::Flood { head, total } => {
                if w.write_all(&head).is_err() {
                    return;
                }
                let chunk = vec![b'x'; 64 * 1024];
                let mut n = head.len() as u64;
                while n < total {
                    if w.write_all(&chunk).is_err() {
                        break;
                    }
                    n += chunk.len() as u64;
                }
                sent.fetch_add(n, Ordering::Relaxed);
                return;
            }
        }
    }
}

fn is(args: &[Vec<u8>], name: &str) -> bool {
    args.first().is_some_and(|a| a.eq_ignore_ascii_case(name.as_bytes()))
}

/// `CLUSTER SLOTS`'s answer: every slot at `master`.
fn all_slots_at(master: SocketAddr) -> Vec<u8> {
    let ip = master.ip().to_string();
    format!("*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n${}\r\n{ip}\r\n:{}\r\n", ip.len(), master.port()).into_bytes()
}

/// The map as a Redis before 7 gives it: `CLUSTER SHARDS` unknown, `CLUSTER SLOTS` naming
/// `master`; `other` answers every other command.
fn with_map(master: SocketAddr, other: impl Fn(&[Vec<u8>]) -> Answer) -> impl Fn(&[Vec<u8>]) -> Answer {
    move |args: &[Vec<u8>]| {
        if is(args, "CLUSTER") {
            if args.get(1).is_some_and(|a| a.eq_ignore_ascii_case(b"SHARDS")) {
                Answer::Bytes(b"-ERR unknown subcommand 'SHARDS'\r\n".to_vec())
            } else {
                Answer::Bytes(all_slots_at(master))
            }
        } else {
            other(args)
        }
    }
}

const HALF_GIB: u64 = 512 * 1024 * 1024;

/// The lookup budget: generous for a busy test machine (the budget itself is
/// `tests/redis.rs`'s matter).
const BUDGET: Duration = Duration::from_millis(20);

fn instance(url: &str) -> barcoded::Server {
    let l2 = L2Config::from_url(url, BUDGET, Duration::from_secs(900), 2).unwrap();
    start(move |c| {
        c.redis = Some(l2);
        c.l1_bytes = 1 << 20;
        c.breakers.base.cooldown = Duration::from_millis(300);
        c.breakers.redis_slow = BUDGET;
        c.render_budget = Duration::from_secs(5);
    })
}

/// The test process's resident memory, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// One test at a time: they compare the process's memory.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE: OnceLock<Mutex<()>> = OnceLock::new();
    ONE.get_or_init(|| Mutex::new(())).lock().unwrap_or_else(|e| e.into_inner())
}

/// `n` requests for distinct keys (each one asks Redis) and then the same again (L1 hits):
/// every one answered 200 in time. Returns the slowest time seen.
fn requests_all_answered(s: &barcoded::Server, tag: &str, n: usize) -> Duration {
    let mut c = Client::new(s.local_addr());
    let mut lat = Vec::new();
    for round in 0..2 {
        for i in 0..n {
            let t = Instant::now();
            let r = c.get(&format!("/v1/code128/{tag}-{i}.svg"));
            lat.push(t.elapsed());
            assert_eq!(r.status, 200, "{tag} round {round} request {i}: {}", r.text());
        }
        // Between rounds: connections open and breakers move in the background.
        std::thread::sleep(Duration::from_millis(50));
    }
    let p99 = percentile(&mut lat, 99.0);
    eprintln!("{tag}: {} requests answered, p99 {p99:?}", 2 * n);
    assert!(p99 < BUDGET + Duration::from_millis(200), "{tag}: p99 {p99:?}");
    p99
}

#[test]
fn no_node_reachable_renders_locally_and_says_so() {
    let _one = serial();
    let url = format!("redis+cluster://127.0.0.1:{},127.0.0.1:{}", free_port(), free_port());
    let s = instance(&url);
    requests_all_answered(&s, "unreachable", 100);
    let a = admin(&s);
    let failed = metric_when(a, "barcoded_redis_cluster_map_reads_total{result=\"failed\"}", |v| v >= 1.0, TEN_S);
    assert!(failed >= 1.0);
    assert_eq!(metric(a, "barcoded_redis_cluster_slots"), 0.0);
    assert!(metric(a, "barcoded_events_total{event=\"l2_skipped\"}") >= 100.0);
    s.shutdown();
}

const TEN_S: Duration = Duration::from_secs(10);

#[test]
fn a_node_answering_garbage_for_the_map_gives_no_map() {
    let _one = serial();
    let node = fake(|_| Answer::Bytes(b"hello, this is not RESP\r\n".to_vec()));
    let s = instance(&format!("redis+cluster://{}", node.addr));
    requests_all_answered(&s, "garbage-map", 100);
    let a = admin(&s);
    assert!(metric_when(a, "barcoded_redis_cluster_map_reads_total{result=\"failed\"}", |v| v >= 1.0, TEN_S) >= 1.0);
    assert_eq!(metric(a, "barcoded_redis_cluster_slots"), 0.0);
    assert!(node.count("CLUSTER") >= 1, "the node was asked for the map");
    s.shutdown();
}

#[test]
fn a_512_mb_map_is_refused_unread() {
    let _one = serial();
    let before = rss();
    let node = fake(|_| Answer::Flood { head: format!("${HALF_GIB}\r\n").into_bytes(), total: HALF_GIB });
    let s = instance(&format!("redis+cluster://{}", node.addr));
    requests_all_answered(&s, "huge-map", 100);
    let a = admin(&s);
    assert!(metric_when(a, "barcoded_redis_cluster_map_reads_total{result=\"failed\"}", |v| v >= 1.0, TEN_S) >= 1.0);
    assert_eq!(metric(a, "barcoded_redis_cluster_slots"), 0.0);
    s.shutdown();
    let (sent, grown) = (node.sent.load(Ordering::Relaxed), rss().saturating_sub(before));
    eprintln!("512 MB map: the node got {sent} bytes out before the connection closed; memory grew {grown} bytes");
    assert!(sent < 64 << 20, "{sent} bytes read of a 512 MB value");
    assert!(grown < 128 << 20, "memory grew {grown} bytes");
}

/// Requests (answered) until the instance has read the map: it is read when calls need it,
/// in the background, never while a request waits.
fn until_mapped(s: &barcoded::Server, tag: &str) {
    let mut c = Client::new(s.local_addr());
    let t = Instant::now();
    for i in 0.. {
        assert_eq!(c.get(&format!("/v1/code128/{tag}-warm-{i}.svg")).status, 200);
        std::thread::sleep(Duration::from_millis(20));
        if metric(admin(s), "barcoded_redis_cluster_slots") == 16384.0 {
            return;
        }
        assert!(t.elapsed() < TEN_S, "{tag}: no map");
    }
}

/// A node with a good map whose every lookup answer is bad in the way `answer` makes it;
/// writes are taken (`+OK`).
fn bad_lookups(tag: &str, answer: fn() -> Answer) -> (Fake, u64) {
    let before = rss();
    let slot = Arc::new(OnceLock::<SocketAddr>::new());
    let me = slot.clone();
    let node =
        fake(move |args: &[Vec<u8>]| {
            let map = with_map(*me.get().unwrap(), |args: &[Vec<u8>]| {
                if is(args, "GET") {
                    answer()
                } else {
                    Answer::Bytes(b"+OK\r\n".to_vec())
                }
            });
            map(args)
        });
    slot.set(node.addr).unwrap();
    let s = instance(&format!("redis+cluster://{}", node.addr));
    let a = admin(&s);
    until_mapped(&s, tag);
    requests_all_answered(&s, tag, 100);
    let errors = metric_when(a, "barcoded_events_total{event=\"l2_error\"}", |v| v >= 1.0, TEN_S);
    assert!(errors >= 1.0, "{tag}: no lookup error counted");
    // The node's breaker took the failures; the requests after it skipped the lookup.
    assert!(metric(a, "barcoded_events_total{event=\"l2_skipped\"}") >= 1.0, "{tag}: the node's breaker never opened");
    assert!(node.count("GET") >= 1, "{tag}: no lookup reached the node");
    s.shutdown();
    (node, rss().saturating_sub(before))
}

#[test]
fn a_node_answering_garbage_to_lookups_is_broken_off() {
    let _one = serial();
    bad_lookups("garbage-get", || Answer::Bytes(b"?garbage\r\n".to_vec()));
}

#[test]
fn a_lookup_answer_without_a_line_end_is_cut_off() {
    let _one = serial();
    let (node, grown) = bad_lookups("endless-line", || Answer::Flood { head: b"+".to_vec(), total: HALF_GIB });
    let sent = node.sent.load(Ordering::Relaxed);
    eprintln!("endless line: the node got {sent} bytes out; memory grew {grown} bytes");
    assert!(sent < 64 << 20, "{sent} bytes of an endless line read");
    assert!(grown < 128 << 20, "memory grew {grown} bytes");
}

#[test]
fn a_512_mb_lookup_answer_is_refused_unread() {
    let _one = serial();
    let (node, grown) =
        bad_lookups("huge-get", || Answer::Flood { head: format!("${HALF_GIB}\r\n").into_bytes(), total: HALF_GIB });
    let sent = node.sent.load(Ordering::Relaxed);
    eprintln!("512 MB lookup: the node got {sent} bytes out; memory grew {grown} bytes");
    assert!(sent < 64 << 20, "{sent} bytes read of 512 MB values");
    assert!(grown < 128 << 20, "memory grew {grown} bytes");
}

#[test]
fn nodes_that_disagree_about_the_slots_cost_bounded_redirections() {
    let _one = serial();
    // A says every slot is B's, B says every slot is A's, and each sends every call to the
    // other: a client following redirections without a bound would loop for ever.
    let a_slot = Arc::new(OnceLock::<SocketAddr>::new());
    let b_slot = Arc::new(OnceLock::<SocketAddr>::new());
    let ping_pong = |other: Arc<OnceLock<SocketAddr>>| {
        move |args: &[Vec<u8>]| {
            let to = *other.get().unwrap();
            with_map(to, move |_: &[Vec<u8>]| Answer::Bytes(format!("-MOVED 42 {to}\r\n").into_bytes()))(args)
        }
    };
    let a = fake(ping_pong(b_slot.clone()));
    let b = fake(ping_pong(a_slot.clone()));
    a_slot.set(a.addr).unwrap();
    b_slot.set(b.addr).unwrap();
    let s = instance(&format!("redis+cluster://{}", a.addr));
    let adm = admin(&s);
    until_mapped(&s, "ping-pong");
    let started = Instant::now();
    requests_all_answered(&s, "ping-pong", 100);
    let moved = metric_when(adm, "barcoded_redis_cluster_redirects_total{kind=\"moved\"}", |v| v >= 1.0, TEN_S);
    let took = started.elapsed();
    let (gets, sets) = (a.count("GET") + b.count("GET"), a.count("SET") + b.count("SET"));
    let maps = a.count("CLUSTER") + b.count("CLUSTER");
    eprintln!("ping-pong: {gets} GET, {sets} SET, {maps} map reads, {moved} MOVED followed, in {took:?}");
    assert!(moved >= 1.0);
    // A lookup follows at most two redirections: three calls for each of the 100 misses.
    assert!(gets <= 300, "{gets} lookups for 100 misses");
    assert!(sets <= 300, "{sets} writes for 100 renders");
    // Map reads are 100 ms apart at the closest, however many redirections ask for them
    // (each read asks up to two nodes: SHARDS then SLOTS).
    let bound = 2 * 2 * (took.as_millis() as usize / 100 + 2) + 8;
    assert!(maps <= bound, "{maps} map reads in {took:?}");
    s.shutdown();
}
