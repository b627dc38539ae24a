//! The Redis L2 against a real `redis-server` (from apt): hits after an L1 eviction, a
//! second instance sharing the cache, and the faults — Redis killed, Redis paused
//! (SIGSTOP) — during which requests keep being answered within the budget, the breaker
//! opens, and closes again once Redis is back. Each test starts its own redis-server on a
//! free port (so killing one disturbs no other test); `BARCODED_TEST_REDIS` names the
//! shared one `.ci/run` starts, used by the sharing test.

mod common;

use barcoded::cache::l2::L2Config;
use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (apt-get install redis-server)");
        let r = Redis { child, port };
        let t = Instant::now();
        while r.ping().is_err() {
            assert!(t.elapsed() < Duration::from_secs(10), "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        r
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn ping(&self) -> std::io::Result<()> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_millis(200)))?;
        s.write_all(b"PING\r\n")?;
        let mut b = [0u8; 7];
        s.read_exact(&mut b)?;
        Ok(())
    }

    fn signal(&self, sig: i32) {
        // SAFETY: plain kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, sig) };
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.signal(libc::SIGCONT);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CI's Redis (`BARCODED_TEST_REDIS`), else one of our own (kept alive by the first
/// value); `None` (the test skips, saying why) without redis-server.
fn shared_redis() -> Option<(Option<Redis>, String)> {
    if !need("redis-server", "a real Redis for the L2") {
        return None;
    }
    Some(match std::env::var("BARCODED_TEST_REDIS") {
        Ok(u) if !u.is_empty() => (None, u),
        _ => {
            let own = Redis::start();
            let url = own.url();
            (Some(own), url)
        }
    })
}

fn with_redis(url: &str, l1_bytes: u64) -> barcoded::Server {
    with_redis_budget(url, l1_bytes, Duration::from_millis(2))
}

/// `with_redis` with Redis calls allowed `budget` (a test of sharing rather than of latency
/// gives a loaded machine's Redis more than 2 ms, or a GET times out and the symbol renders).
fn with_redis_budget(url: &str, l1_bytes: u64, budget: Duration) -> barcoded::Server {
    let mut l2 = L2Config::from_url(url, budget, Duration::from_secs(900), 4).unwrap();
    l2.budget = budget;
    start(move |c| {
        c.redis = Some(l2);
        c.l1_bytes = l1_bytes;
        c.breakers.base.cooldown = Duration::from_millis(300);
        c.breakers.redis_slow = budget;
    })
}

fn ev(addr: std::net::SocketAddr, e: &str) -> f64 {
    metric(addr, &format!("barcoded_events_total{{event=\"{e}\"}}"))
}

/// Waits until a background connection to Redis is open (connections never open while a
/// request waits).
fn warm_up(c: &mut Client) {
    for i in 0..50 {
        assert_eq!(c.get(&format!("/v1/code39/WARM{i}.svg")).status, 200);
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn l2_hit_after_l1_eviction_and_a_second_instance_shares_it() {
    let Some((_own, url)) = shared_redis() else { return };
    // A tiny L1: 64 KiB holds a few dozen responses.
    let a = with_redis_budget(&url, 64 * 1024, Duration::from_millis(100));
    let addr = a.local_addr();
    let mut c = Client::new(addr);
    warm_up(&mut c);
    let tag = format!("{}", std::process::id());
    let path = format!("/v1/qr/l2-{tag}.png?scale=4");
    let first = c.get(&path);
    assert_eq!(first.status, 200);
    std::thread::sleep(Duration::from_millis(50)); // the write-behind
                                                   // The L1 resists scans: entries asked for twice push the once-asked-for one out.
    for i in 0..400 {
        for _ in 0..2 {
            assert_eq!(c.get(&format!("/v1/code128/evict-{tag}-{i}.png")).status, 200);
        }
    }
    let hits = ev(admin(&a), "l2_hit");
    let again = c.get(&path);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("ETag"), first.header("ETag"));
    assert_eq!(ev(admin(&a), "l2_hit"), hits + 1.0, "served from L2 after the L1 evicted it");

    let b = with_redis_budget(&url, 64 * 1024, Duration::from_millis(100));
    let mut cb = Client::new(b.local_addr());
    warm_up(&mut cb);
    let (renders, l2_hits) = (ev(admin(&b), "render"), ev(admin(&b), "l2_hit"));
    let from_b = cb.get(&path);
    assert_eq!(from_b.body, first.body);
    assert_eq!(ev(admin(&b), "l2_hit"), l2_hits + 1.0);
    assert_eq!(ev(admin(&b), "render"), renders, "the second instance did not render");
    a.shutdown();
    b.shutdown();
}

/// A decode answered by one instance is answered from Redis by another (the same upload:
/// same bytes, same content type), with the same document and ETag-keyed value.
#[test]
fn a_decode_is_shared_through_redis() {
    let Some((_own, url)) = shared_redis() else { return };
    let a = with_redis_budget(&url, 64 * 1024, Duration::from_millis(100));
    let mut ca = Client::new(a.local_addr());
    warm_up(&mut ca);
    let tag = format!("{}", std::process::id());
    let png = ca.get(&format!("/v1/qr/decode-{tag}.png?scale=4")).body;
    let post = |addr: std::net::SocketAddr| {
        let mut req =
            format!("POST /v1/decode HTTP/1.1\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n", png.len())
                .into_bytes();
        req.extend_from_slice(&png);
        raw(addr, &req)
    };
    let first = post(a.local_addr());
    assert_eq!(first.status, 200, "{}", first.text());
    assert!(first.text().contains(&format!("decode-{tag}")), "{}", first.text());
    std::thread::sleep(Duration::from_millis(100)); // the write-behind
    let b = with_redis_budget(&url, 64 * 1024, Duration::from_millis(100));
    let mut cb = Client::new(b.local_addr());
    warm_up(&mut cb);
    let l2_hits = ev(admin(&b), "l2_hit");
    let from_b = post(b.local_addr());
    assert_eq!(from_b.status, 200);
    assert_eq!(from_b.body, first.body, "the same document");
    assert_eq!(ev(admin(&b), "l2_hit"), l2_hits + 1.0, "answered from Redis, not decoded");
    a.shutdown();
    b.shutdown();
}

/// Keeps requesting (every one answered 200) until the core's Redis breaker is closed.
fn until_redis_breaker_closes(c: &mut Client, addr: std::net::SocketAddr, tag: &str) {
    let t = Instant::now();
    let mut i = 0;
    while metric(addr, "barcoded_breaker_state{class=\"redis\",core=\"0\"}") != 0.0 {
        assert!(t.elapsed() < Duration::from_secs(10), "the Redis breaker did not close");
        assert_eq!(c.get(&format!("/v1/code128/{tag}-{i}.png")).status, 200);
        i += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Requests during a fault: every one answered 200, and their p99.
fn during(c: &mut Client, tag: &str, n: usize) -> Duration {
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        let r = c.get(&format!("/v1/code128/{tag}-{i}.png"));
        lat.push(t.elapsed());
        assert_eq!(r.status, 200, "{tag} {i}: {}", r.text());
    }
    let p99 = percentile(&mut lat, 99.0);
    let max = *lat.last().unwrap();
    eprintln!("{tag}: {n} requests, 0 failed, p99 {p99:?}, max {max:?}");
    p99
}

#[test]
fn redis_killed_then_back_the_service_carries_on_and_the_breaker_cycles() {
    if !need("redis-server", "a real Redis for the L2") {
        return;
    }
    let redis = Redis::start();
    let port = redis.port;
    let s = with_redis(&redis.url(), 1 << 20);
    let addr = s.local_addr();
    let mut c = Client::new(addr);
    warm_up(&mut c);
    let before = during(&mut c, "healthy", 200);
    drop(redis); // SIGKILL
    let p99 = during(&mut c, "killed", 300);
    assert!(p99 < Duration::from_millis(20), "p99 {p99:?} while Redis is down (healthy: {before:?})");
    assert_eq!(metric(admin(&s), "barcoded_breaker_state{class=\"redis\",core=\"0\"}"), 1.0, "open");
    assert!(ev(admin(&s), "l2_skipped") > 250.0);
    // Back on the same port: after the cool-down, probes reconnect and close the breaker.
    let back = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let back = Redis { child: back, port };
    let t = Instant::now();
    while back.ping().is_err() {
        assert!(t.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
    }
    until_redis_breaker_closes(&mut c, admin(&s), "recover");
    assert!(metric(admin(&s), "barcoded_breaker_transitions_total{class=\"redis\",to=\"closed\"}") >= 1.0);
    let misses = ev(admin(&s), "l2_miss");
    during(&mut c, "recovered", 20);
    assert!(ev(admin(&s), "l2_miss") > misses, "lookups reach Redis again");
    s.shutdown();
}

#[test]
fn redis_paused_does_not_stall_requests_beyond_the_budget() {
    if !need("redis-server", "a real Redis for the L2") {
        return;
    }
    let redis = Redis::start();
    let s = with_redis(&redis.url(), 1 << 20);
    let addr = s.local_addr();
    let mut c = Client::new(addr);
    warm_up(&mut c);
    redis.signal(libc::SIGSTOP);
    let p99 = during(&mut c, "paused", 300);
    assert!(p99 < Duration::from_millis(20), "p99 {p99:?} while Redis is paused");
    assert_eq!(metric(admin(&s), "barcoded_breaker_state{class=\"redis\",core=\"0\"}"), 1.0);
    assert!(ev(admin(&s), "l2_error") >= 5.0, "timeouts counted");
    redis.signal(libc::SIGCONT);
    until_redis_breaker_closes(&mut c, admin(&s), "resume");
    s.shutdown();
}

/// One command to the Redis at `url` (`redis://host:port`, no password), its reply's lines
/// (a bulk string's length lines left out).
fn redis_command(url: &str, args: &[&str]) -> Vec<String> {
    use std::io::{BufRead, BufReader};
    let hostport = url.trim_start_matches("redis://").split('/').next().unwrap_or_default().to_string();
    let mut s = TcpStream::connect(hostport).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut cmd = format!("*{}\r\n", args.len());
    for a in args {
        cmd.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    s.write_all(cmd.as_bytes()).unwrap();
    let mut r = BufReader::new(s);
    let mut first = String::new();
    r.read_line(&mut first).unwrap();
    let first = first.trim_end().to_string();
    match first.as_bytes().first() {
        Some(b'*') => {
            let n: usize = first[1..].parse().unwrap_or(0);
            (0..n)
                .map(|_| {
                    let (mut len, mut v) = (String::new(), String::new());
                    r.read_line(&mut len).unwrap();
                    r.read_line(&mut v).unwrap();
                    v.trim_end().to_string()
                })
                .collect()
        }
        _ => vec![first],
    }
}

/// Keys written together get TTLs spread over ±10 % of `--redis-ttl` (900 s), not one:
/// they do not all expire in the same second (cache avalanche).
#[test]
fn l2_ttls_are_spread_per_key() {
    let Some((_own, url)) = shared_redis() else { return };
    let a = with_redis_budget(&url, 64 * 1024 * 1024, Duration::from_millis(100));
    let mut c = Client::new(a.local_addr());
    warm_up(&mut c);
    let tag = format!("ttl{}x", std::process::id());
    for i in 0..40 {
        assert_eq!(c.get(&format!("/v1/code128/{tag}{i}.png")).status, 200);
    }
    std::thread::sleep(Duration::from_millis(300)); // the writes behind
    let keys = redis_command(&url, &["KEYS", &format!("*{tag}*")]);
    assert!(keys.len() >= 30, "{} keys written", keys.len());
    let ttls: Vec<i64> =
        keys.iter().map(|k| redis_command(&url, &["TTL", k])[0].trim_start_matches(':').parse().unwrap()).collect();
    assert!(ttls.iter().all(|&t| (805..=990).contains(&t)), "{ttls:?}");
    let distinct: std::collections::BTreeSet<i64> = ttls.iter().copied().collect();
    assert!(distinct.len() >= 20, "only {} distinct TTLs among {}: {ttls:?}", distinct.len(), ttls.len());
    a.shutdown();
}

/// The hot list kept in Redis (`--hot-redis-key`): an instance writes it as it stops, and a
/// new one that has no hot file pre-renders it before its first request; a key holding
/// anything else is refused whole and the instance serves.
#[test]
fn a_new_instance_pre_heats_from_the_hot_list_in_redis() {
    let Some((_own, url)) = shared_redis() else { return };
    let key = format!("barcoded-test:hot:{}", std::process::id());
    let with_key = |url: &str, key: &str| {
        let l2 = L2Config::from_url(url, Duration::from_millis(100), Duration::from_secs(900), 4).unwrap();
        let key = key.to_string();
        start(move |c| {
            c.redis = Some(l2);
            c.hot_redis_key = Some(key);
            c.hot_keys = 10_000;
        })
    };
    let a = with_key(&url, &key);
    let mut c = Client::new(a.local_addr());
    for i in 0..20 {
        for _ in 0..(300 / (i + 1)) {
            assert_eq!(c.get(&format!("/v1/code128/REDIS-HOT-{i}.png")).status, 200);
        }
    }
    std::thread::sleep(Duration::from_millis(1500)); // the core folds its counts in
    a.shutdown();
    let written: usize = redis_command(&url, &["STRLEN", &key])[0].trim_start_matches(':').parse().unwrap();
    assert!(written > 100, "the hot list in Redis: {written} bytes");

    let b = with_key(&url, &key);
    let pooled = metric(admin(&b), "barcoded_pool_entries");
    assert!(pooled >= 15.0, "{pooled} responses pre-heated from Redis");
    let hits = ev(admin(&b), "pool_hit");
    let mut cb = Client::new(b.local_addr());
    assert_eq!(cb.get("/v1/code128/REDIS-HOT-0.png").status, 200);
    assert_eq!(ev(admin(&b), "pool_hit"), hits + 1.0);
    b.shutdown();

    redis_command(&url, &["SET", &key, "not a hot list"]);
    let d = with_key(&url, &key);
    assert_eq!(metric(admin(&d), "barcoded_pool_entries"), 0.0);
    assert_eq!(get(d.local_addr(), "/v1/code128/REDIS-HOT-0.png").status, 200);
    d.shutdown();
    redis_command(&url, &["DEL", &key]);
}
