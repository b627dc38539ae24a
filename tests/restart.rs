//! Restarts and upgrades that fail no request, from the real binary: a second instance
//! started with the same flags takes the listening sockets (public and admin) from the
//! first (`server::handover`); the first, sent SIGTERM, stops accepting, answers what its
//! keep-alive clients send with `Connection: close` and exits as soon as its connections are
//! done — while clients on keep-alive connections see no failed request and no reset. A
//! successor that crashes hands the sockets back to its predecessor, which offers them to
//! the next one. Alone, a stopping instance also exits when its connections are done, not at
//! the end of its grace.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One instance of the binary and everything it wrote on stderr.
struct Instance {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Instance {
    /// Starts the binary with `flags` and returns once it serves.
    fn start(flags: &[String]) -> Instance {
        let mut child =
            Command::new(env!("CARGO_BIN_EXE_barcoded")).args(flags).stderr(Stdio::piped()).spawn().unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let log = Arc::new(Mutex::new(String::new()));
        loop {
            let mut line = String::new();
            assert!(err.read_line(&mut line).unwrap() > 0, "the instance exited: {}", log.lock().unwrap());
            log.lock().unwrap().push_str(&line);
            if line.contains("listening on") {
                break;
            }
        }
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        Instance { child, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then how long it took to exit (and that it exited cleanly).
    fn stop(&mut self) -> Duration {
        let t = Instant::now();
        // SAFETY: plain kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        assert!(status.success(), "exit status {status}: {}", self.log());
        t.elapsed()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the clients saw.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    /// Answers other than 200.
    bad_status: AtomicU64,
    /// Requests written whose connection ended (end of stream or reset) before the answer.
    failed: AtomicU64,
    /// Connections that could not be made.
    refused: AtomicU64,
    /// Answers with `Connection: close` (the client then reconnects).
    closes: AtomicU64,
    /// Of those, answers to keep-alive clients (which never ask for it): the server's own.
    told_to_go: AtomicU64,
}

/// Clients requesting `paths` in turn until `stop`, half on keep-alive connections, half
/// with a new connection per request; each reconnects after an answer with
/// `Connection: close` as HTTP clients do.
fn clients(
    n: usize,
    addr: SocketAddr,
    paths: &'static [&'static str],
    stop: Arc<AtomicBool>,
    t: Arc<Tally>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let (stop, t) = (stop.clone(), t.clone());
            std::thread::spawn(move || {
                let mut k = i;
                let t0 = Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    let Ok(s) = TcpStream::connect(addr) else {
                        t.refused.fetch_add(1, Ordering::Relaxed);
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    };
                    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                    let mut r = BufReader::new(s);
                    while !stop.load(Ordering::Relaxed) {
                        k += 1;
                        // Odd clients open a connection per request: the accept queues stay busy.
                        let close = if i % 2 == 1 { "Connection: close\r\n" } else { "" };
                        let req = format!("GET {} HTTP/1.1\r\nHost: t\r\n{close}\r\n", paths[k % paths.len()]);
                        if let Err(e) = r.get_mut().write_all(req.as_bytes()) {
                            // Which request failed, and how: a failure here is a bug to find.
                            eprintln!("client {i}: writing request {k} ({}) at {:?}: {e}", close.trim(), t0.elapsed());
                            t.failed.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                        let Some(resp) = read_response(&mut r, false) else {
                            eprintln!("client {i}: no answer to request {k} ({}) at {:?}", close.trim(), t0.elapsed());
                            t.failed.fetch_add(1, Ordering::Relaxed);
                            break;
                        };
                        if resp.status != 200 {
                            eprintln!("{} {}: {}", paths[k % paths.len()], resp.status, resp.text());
                        }
                        let counter = if resp.status == 200 { &t.ok } else { &t.bad_status };
                        counter.fetch_add(1, Ordering::Relaxed);
                        if resp.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
                            t.closes.fetch_add(1, Ordering::Relaxed);
                            if close.is_empty() {
                                t.told_to_go.fetch_add(1, Ordering::Relaxed);
                            }
                            break;
                        }
                    }
                }
            })
        })
        .collect()
}

const PATHS: &[&str] = &["/v1/ean13/590123412345.png", "/v1/code128/SWAP-1.svg", "/v1/qr/swap.png"];

/// A public and an admin address on free loopback ports: fixed, since the handover's name
/// is the public address (port 0 would share nothing).
fn fixed_ports() -> (SocketAddr, SocketAddr) {
    let at = |p: u16| SocketAddr::from(([127, 0, 0, 1], p));
    (at(free_port()), at(free_port()))
}

fn flags(public: SocketAddr, admin: SocketAddr, grace: u64) -> Vec<String> {
    [
        "--listen",
        &public.to_string(),
        "--admin-listen",
        &admin.to_string(),
        "--threads",
        "2",
        "--pin",
        "false",
        "--shutdown-grace",
        &grace.to_string(),
    ]
    .map(String::from)
    .to_vec()
}

#[test]
fn a_successor_takes_the_sockets_and_the_swap_fails_no_request() {
    let (public, admin) = fixed_ports();
    // The same warm list for both (same flags): the successor starts with these rendered,
    // so a cold render's queue in a debug build refuses nothing (a cold start is the hot
    // list's business, not the swap's).
    let warm = std::env::temp_dir().join(format!("barcoded-swap-warm-{}", std::process::id()));
    std::fs::write(&warm, PATHS.join("\n")).unwrap();
    let mut f = flags(public, admin, 30);
    f.extend(["--warm".to_string(), warm.display().to_string()]);
    let mut old = Instance::start(&f);
    for p in PATHS {
        assert_eq!(get(public, p).status, 200);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let load = clients(8, public, PATHS, stop.clone(), tally.clone());
    std::thread::sleep(Duration::from_millis(400));

    // The new instance, exactly the same flags: it takes both listeners, admin included.
    let mut new = Instance::start(&f);
    let took = format!("took over 2 listening socket(s) and the admin socket from pid {}", old.pid());
    assert!(new.log().contains(&took), "{}", new.log());
    std::thread::sleep(Duration::from_millis(400));
    let before = tally.ok.load(Ordering::Relaxed);
    let took_to_stop = old.stop();
    assert!(old.log().contains(&format!("handed the listening sockets to pid {}", new.pid())), "{}", old.log());
    // It left when its connections were done, far inside its 30 s grace.
    assert!(took_to_stop < Duration::from_secs(5), "the old instance took {took_to_stop:?} to exit");
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    for h in load {
        h.join().unwrap();
    }
    let (ok, failed, bad, refused, closes) = (
        tally.ok.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
        tally.bad_status.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
        tally.closes.load(Ordering::Relaxed),
    );
    eprintln!("swap: {ok} answered, {failed} failed, {bad} not 200, {refused} refused, {closes} polite closes; old exited in {took_to_stop:?}");
    assert_eq!((failed, bad, refused), (0, 0, 0));
    assert!(ok > before, "the new instance answered nothing after the swap");
    // Keep-alive clients of the old one were told to go (Connection: close), not cut off:
    // each of the 4 (the even ones) was on the old instance when it stopped. (It was
    // `closes > ok / 4`, which a loaded machine fails with 0 requests lost: the clients that
    // connect per request then make fewer of them.)
    let told = tally.told_to_go.load(Ordering::Relaxed);
    assert!(told >= 4, "{told} keep-alive clients were told to go");
    // Both listeners are the new instance's now.
    assert_eq!(get(public, PATHS[0]).status, 200);
    assert_eq!(get(admin, "/healthz").status, 200);
    new.stop();
    let _ = std::fs::remove_file(&warm);
}

/// Waits until `inst`'s log holds `what` (for at most `secs`).
fn wait_log(inst: &Instance, what: &str, secs: u64) -> bool {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if inst.log().contains(what) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn a_successor_that_dies_hands_the_sockets_back_and_the_next_one_takes_them() {
    let (public, admin) = fixed_ports();
    let warm = std::env::temp_dir().join(format!("barcoded-dying-warm-{}", std::process::id()));
    std::fs::write(&warm, PATHS.join("\n")).unwrap();
    let mut f = flags(public, admin, 30);
    f.extend(["--warm".to_string(), warm.display().to_string()]);
    let mut old = Instance::start(&f);
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Tally::default());
    let load = clients(8, public, PATHS, stop.clone(), tally.clone());
    std::thread::sleep(Duration::from_millis(300));

    // A successor takes the sockets, then crashes (SIGKILL) before the old one is stopped.
    let mut dying = Instance::start(&f);
    assert!(dying.log().contains(&format!("from pid {}", old.pid())), "{}", dying.log());
    std::thread::sleep(Duration::from_millis(300));
    let pid = dying.pid();
    dying.child.kill().unwrap();
    // The old one notices (even before the dead one is reaped) and offers the sockets anew.
    let back = format!("successor pid {pid} exited");
    assert!(wait_log(&old, &back, 5), "{}", old.log());
    dying.child.wait().unwrap();
    // The crash fails what the dead process held (its connections); from here on nothing
    // fails: the old instance never stopped accepting from the shared queues.
    std::thread::sleep(Duration::from_millis(300));
    let failed_by_crash = tally.failed.load(Ordering::Relaxed);
    let before = tally.ok.load(Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(300));
    assert!(tally.ok.load(Ordering::Relaxed) > before, "nothing answered after the crash");

    // The next successor takes the sockets from the old instance, which then stops.
    let mut next = Instance::start(&f);
    let took = format!("took over 2 listening socket(s) and the admin socket from pid {}", old.pid());
    assert!(next.log().contains(&took), "{}", next.log());
    std::thread::sleep(Duration::from_millis(300));
    let took_to_stop = old.stop();
    assert!(took_to_stop < Duration::from_secs(5), "the old instance took {took_to_stop:?} to exit");
    std::thread::sleep(Duration::from_millis(400));
    stop.store(true, Ordering::Relaxed);
    for h in load {
        h.join().unwrap();
    }
    let (ok, failed, bad, refused) = (
        tally.ok.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
        tally.bad_status.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
    );
    eprintln!("crashed successor: {ok} answered, {failed_by_crash} failed with the crash, {failed} failed in all, {bad} not 200, {refused} refused");
    assert_eq!((failed, bad, refused), (failed_by_crash, 0, 0), "requests failed after the crash");
    assert_eq!(get(public, PATHS[0]).status, 200);
    assert_eq!(get(admin, "/healthz").status, 200);
    next.stop();
    let _ = std::fs::remove_file(&warm);
}

#[test]
fn alone_it_answers_idle_clients_with_close_and_exits_when_they_are_done() {
    let (public, admin) = fixed_ports();
    let mut inst = Instance::start(&flags(public, admin, 30));
    // Idle keep-alive connections, one of which sends again just after the stop.
    let mut idle: Vec<Client> = (0..3).map(|_| Client::new(public)).collect();
    for c in &mut idle {
        assert_eq!(c.get(PATHS[0]).status, 200);
    }
    let pid = inst.pid();
    let stopping = std::thread::spawn(move || {
        let t = Instant::now();
        // SAFETY: plain kill(2) on our own child.
        unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        t
    });
    let sent_at = stopping.join().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let r = idle[0].get(PATHS[0]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), Some("close"));
    let status = inst.child.wait().unwrap();
    let took = sent_at.elapsed();
    assert!(status.success());
    assert!(took < Duration::from_secs(5), "an instance with idle clients took {took:?} to stop (grace 30 s)");
    // The others were closed politely: end of stream, no reset.
    for c in &mut idle[1..] {
        let mut b = [0u8; 1];
        let s = c.stream();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        assert!(matches!(std::io::Read::read(s, &mut b), Ok(0)), "not a clean close");
    }
}

/// Targets requested `weight(i)` times each: a skewed workload over 20 keys.
fn hot_targets() -> Vec<(String, usize)> {
    (0..20).map(|i| (format!("/v1/code128/HOT-{i}.png"), 400 / (i + 1))).collect()
}

#[test]
fn a_restarted_instance_starts_with_the_hot_keys_of_the_one_before() {
    let (public, admin) = fixed_ports();
    let hot_file = std::env::temp_dir().join(format!("barcoded-hot-{}", std::process::id()));
    let _ = std::fs::remove_file(&hot_file);
    let mut f = flags(public, admin, 30);
    f.extend(["--hot-file".to_string(), hot_file.display().to_string()]);
    let mut old = Instance::start(&f);
    let mut c = Client::new(public);
    for (t, n) in hot_targets() {
        for _ in 0..n {
            assert_eq!(c.get(&t).status, 200);
        }
    }
    drop(c);
    // Each core folds its counts in once a second.
    std::thread::sleep(Duration::from_millis(2500));
    let listed = get(admin, "/admin/hot?n=5");
    assert_eq!(listed.status, 200);
    let doc: serde_json::Value = serde_json::from_slice(&listed.body).unwrap();
    let keys = doc["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 5, "{doc}");
    assert_eq!(keys[0]["target"], "/v1/code128/HOT-0.png", "{doc}");
    // Counts are sampled (1 in 8) and scaled back: about 400 for the heaviest.
    let top = keys[0]["count"].as_u64().unwrap();
    assert!((150..=800).contains(&top), "{doc}");
    assert_eq!(get(admin, "/admin/hot?n=0").status, 400);

    // The successor: the old one writes the hot file as it hands the sockets over, and the
    // new one renders it into the pool before it accepts a request.
    let mut new = Instance::start(&f);
    let log = new.log();
    let preheated: usize = log
        .split("pre-heated the pool with ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no pre-heat in {log}"));
    // The 20 keys were requested 20 to 400 times: each sampled with near certainty.
    assert!(preheated >= 15, "{log}");
    old.stop();
    let pool_hits = metric(admin, "barcoded_events_total{event=\"pool_hit\"}");
    for (t, _) in hot_targets().iter().take(10) {
        assert_eq!(get(public, t).status, 200);
    }
    // The ten heaviest were answered from the pool: no render after the restart. (Each
    // core publishes its counters once a second.)
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(metric(admin, "barcoded_events_total{event=\"pool_hit\"}") - pool_hits, 10.0);
    new.stop();

    // A damaged hot file is refused whole, said once, and the instance serves.
    let text = std::fs::read_to_string(&hot_file).unwrap();
    std::fs::write(&hot_file, &text[..text.len() / 2]).unwrap();
    let mut damaged = Instance::start(&f);
    assert!(damaged.log().contains("the hot list is ignored"), "{}", damaged.log());
    assert!(damaged.log().contains("checksum does not match"), "{}", damaged.log());
    assert_eq!(get(public, "/v1/code128/HOT-0.png").status, 200);
    damaged.stop();
    let _ = std::fs::remove_file(&hot_file);
}

/// SIGHUP reads the configuration again: live settings (here the memory watermark, a request
/// limit and the admin token) are taken over at once, every other change is named as needing
/// a restart, secrets are never logged, and a file that does not read changes nothing.
#[test]
fn sighup_takes_the_live_settings_and_names_what_needs_a_restart() {
    let (public, admin) = fixed_ports();
    let file = std::env::temp_dir().join(format!("barcoded-hup-{}.toml", std::process::id()));
    std::fs::write(&file, "memory-watermark-mb = 2048\nbacklog = 512\n").unwrap();
    let mut f = flags(public, admin, 5);
    f.extend(["--config".to_string(), file.display().to_string()]);
    let mut inst = Instance::start(&f);
    let watermark = || metric(admin, "barcoded_memory_watermark_bytes");
    assert_eq!(watermark(), 2048.0 * 1024.0 * 1024.0);
    let hup = |inst: &Instance, expect: &str| {
        // SAFETY: plain kill(2) on our own child.
        unsafe { libc::kill(inst.pid() as i32, libc::SIGHUP) };
        let t = Instant::now();
        while !inst.log().contains(expect) {
            assert!(t.elapsed() < Duration::from_secs(10), "no {expect:?} in {}", inst.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let long = format!("/v1/code128/{}.png", "A".repeat(60));
    assert_eq!(get(public, &long).status, 200);
    assert_eq!(get(admin, "/admin/hot").status, 200);
    std::fs::write(&file, "memory-watermark-mb = 1000\nbacklog = 1024\nmax-uri = 64\nadmin-token = \"s3cret\"\n")
        .unwrap();
    hup(&inst, "needs a restart to take effect: backlog 512 -> 1024");
    let log = inst.log();
    let live = log.lines().find(|l| l.contains("in force now:")).unwrap_or_default();
    for change in ["memory-watermark-mb 2048 -> 1000", "max-uri 8192 -> 64", "admin-token set"] {
        assert!(live.contains(change), "{change} not in force: {log}");
    }
    assert!(!log.contains("s3cret"), "the token is in the log: {log}");
    assert_eq!(watermark(), 1000.0 * 1024.0 * 1024.0);
    // Limits and the admin token apply at once (to new connections).
    assert_eq!(get(public, &long).status, 414);
    assert_eq!(get(public, PATHS[0]).status, 200);
    assert_eq!(get(admin, "/admin/hot").status, 403);
    std::fs::write(&file, "memory-watermark-mb = \"lots\"\n").unwrap();
    hup(&inst, "the configuration does not read, the running one stays");
    assert_eq!(watermark(), 1000.0 * 1024.0 * 1024.0);
    assert_eq!(get(public, PATHS[0]).status, 200);
    inst.stop();
    let _ = std::fs::remove_file(&file);
}
