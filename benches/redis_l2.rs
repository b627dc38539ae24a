//! The L2 client, measured two ways against a real redis-server (started here on a free
//! port; skipped when `redis-server` is missing):
//! (a) ours: RESP on the core's own monoio `TcpStream`s (`cache::l2`), the `redis` crate only
//!     packing commands and parsing replies;
//! (b) the `redis` crate's sync client on helper threads, fed through monoio's
//!     `spawn_blocking` onto the same crossbeam-fed pool the decoder uses.
//! Reports GET latency (sequential) and throughput (32 concurrent lookups) for a 2 KiB value.
//! Run: `taskset -c 1 cargo bench --bench redis_l2` (redis-server then runs on the other CPU).

use barcoded::cache::l2::{L2Config, L2};
use barcoded::guard::{gate, Breakers, Class};
use barcoded::workers::DecodeWorkers;
use std::cell::RefCell;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SEQ: usize = 20_000;
const TASKS: usize = 32;
const PER_TASK: usize = 2_000;

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort_unstable();
    v[((v.len() - 1) as f64 * p) as usize]
}

fn report(name: &str, lat: &mut [Duration], rps: f64) {
    println!(
        "{name:<40} p50 {:>7.1} µs   p99 {:>7.1} µs   {rps:>9.0} GET/s (32 concurrent)",
        pct(lat, 0.5).as_secs_f64() * 1e6,
        pct(lat, 0.99).as_secs_f64() * 1e6
    );
}

/// Runs `TASKS` lookup loops at once; returns successful lookups per second.
async fn concurrent_rate<F, Fut>(task: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = usize> + 'static,
{
    let t = Instant::now();
    let handles: Vec<_> = (0..TASKS).map(|_| monoio::spawn(task())).collect();
    let mut ok = 0;
    for h in handles {
        ok += h.await;
    }
    ok as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let Ok(mut redis) = Command::new("taskset")
        .args(["-c", "0", "redis-server", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
    else {
        println!("redis_l2: redis-server (or taskset) not found; skipped");
        return;
    };
    let url = format!("redis://127.0.0.1:{port}");
    let client = redis::Client::open(url.as_str()).unwrap();
    let t = Instant::now();
    let mut conn = loop {
        match client.get_connection() {
            Ok(c) => break c,
            Err(_) if t.elapsed() < Duration::from_secs(10) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("redis-server did not start: {e}"),
        }
    };
    let value = vec![7u8; 2048];
    let _: () = redis::cmd("SET").arg("bc:bench").arg(&value).query(&mut conn).unwrap();

    let pool = DecodeWorkers::new(2);
    let mut rt = monoio::RuntimeBuilder::<monoio::FusionDriver>::new()
        .attach_thread_pool(Box::new(pool))
        .enable_timer()
        .build()
        .unwrap();
    rt.block_on(async move {
        // (a) ours.
        let mut cfg = L2Config::from_url(&url, Duration::from_secs(1), Duration::from_secs(900), TASKS).unwrap();
        cfg.budget = Duration::from_secs(1);
        cfg.max_conns = TASKS;
        let breakers = Rc::new(RefCell::new(Breakers::new(&barcoded::Config::default().breakers, Instant::now())));
        let l2 = L2::new(cfg, breakers.clone(), Default::default());
        let permit = move || gate::light(&breakers, Class::Redis).expect("the Redis breaker admits");
        while l2.get(b"bench", permit()).await.is_err() {
            monoio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut lat = Vec::with_capacity(SEQ);
        for _ in 0..SEQ {
            let t = Instant::now();
            let v = l2.get(b"bench", permit()).await.unwrap().unwrap();
            lat.push(t.elapsed());
            assert_eq!(v.len(), 2048);
        }
        // Open the connections the concurrent run needs (they open in the background).
        for _ in 0..TASKS * 4 {
            let _ = l2.get(b"bench", permit()).await;
            monoio::time::sleep(Duration::from_millis(1)).await;
        }
        let rps = concurrent_rate(|| {
            let l2 = l2.clone();
            let permit = permit.clone();
            async move {
                let mut ok = 0;
                for _ in 0..PER_TASK {
                    if l2.get(b"bench", permit()).await.is_ok() {
                        ok += 1;
                    }
                }
                ok
            }
        })
        .await;
        report("(a) RESP on monoio, per core (ours)", &mut lat, rps);

        // (b) the sync client on helper threads.
        let conns: Arc<Mutex<Vec<redis::Connection>>> =
            Arc::new(Mutex::new((0..TASKS).map(|_| client.get_connection().unwrap()).collect()));
        let get = |conns: Arc<Mutex<Vec<redis::Connection>>>| async move {
            monoio::spawn_blocking(move || {
                let mut c = conns.lock().unwrap().pop().unwrap();
                let v: Vec<u8> = redis::cmd("GET").arg("bc:bench").query(&mut c).unwrap();
                conns.lock().unwrap().push(c);
                v
            })
            .await
            .unwrap()
        };
        let mut lat = Vec::with_capacity(SEQ);
        for _ in 0..SEQ {
            let t = Instant::now();
            let v = get(conns.clone()).await;
            lat.push(t.elapsed());
            assert_eq!(v.len(), 2048);
        }
        let rps = concurrent_rate(|| {
            let conns = conns.clone();
            async move {
                for _ in 0..PER_TASK {
                    get(conns.clone()).await;
                }
                PER_TASK
            }
        })
        .await;
        report("(b) sync client on 2 helper threads", &mut lat, rps);
    });
    let _ = redis.kill();
    let _ = redis.wait();
}
