//! The template pool from the real binary: `--warm` loads before serving, SIGHUP and
//! `POST /admin/reload` rebuild it while a client keeps requesting (zero failed requests),
//! and reload is refused to a client without the admin token.

mod common;

use common::*;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary on port 0 and reads the address it bound from its start-up line. (A
/// port picked beforehand could be picked by the other test too, and with SO_REUSEPORT two
/// servers would then share it.)
fn spawn(warm: &std::path::Path, extra: &[&str]) -> (Proc, SocketAddr, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_barcoded"))
        .args(["--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--threads", "2", "--pin", "false"])
        // The warm list alone: live hot keys would join the pool at a reload (tests/restart.rs).
        .args(["--hot-keys", "0"])
        .arg("--warm")
        .arg(warm)
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let p = Proc(child);
    // "barcoded: listening on http://127.0.0.1:PORT with ...", then
    // "barcoded: admin (/metrics, /admin/reload) on http://127.0.0.1:PORT"
    let mut next_addr = || {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut err, &mut line).unwrap();
        line.split("http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|a| a.parse::<SocketAddr>().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
    };
    let addr = next_addr();
    let admin = next_addr();
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    (p, addr, admin)
}

/// Waits until /metrics reports pool generation `g` (each core publishes once a second).
fn wait_generation(addr: SocketAddr, g: f64) {
    let t = Instant::now();
    while metric(addr, "barcoded_pool_generation") < g {
        assert!(t.elapsed() < Duration::from_secs(10), "generation {g} never came");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn warm_list_then_sighup_under_load_with_zero_failures() {
    let dir = std::env::temp_dir().join(format!("barcoded-warm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let warm = dir.join("warm.txt");
    std::fs::write(
        &warm,
        "# today's SKUs\n/v1/ean13/590123412345.png\n/v1/gs1-128.png?data=(01)09501101530003(17)261231\n",
    )
    .unwrap();
    let (p, addr, admin) = spawn(&warm, &[]);
    assert_eq!(metric(admin, "barcoded_pool_entries"), 2.0);
    assert_eq!(metric(admin, "barcoded_pool_generation"), 1.0);
    let r = get(addr, "/v1/ean13/590123412345.png");
    assert_eq!(r.status, 200);
    // Load: four clients repeat warm and cold requests for the whole test.
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut c = Client::new(addr);
                let (mut ok, mut failed, mut i) = (0u64, 0u64, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    let path = match i % 3 {
                        0 => "/v1/ean13/590123412345.png".to_string(),
                        1 => "/v1/ean13/400638133393.png".to_string(),
                        _ => format!("/v1/code128/reload-{t}-{i}.svg"),
                    };
                    if c.get(&path).status == 200 {
                        ok += 1
                    } else {
                        failed += 1
                    }
                    i += 1;
                }
                (ok, failed)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&warm, "/v1/ean13/400638133393.png\n/v1/qr.png?data=SKU-1\n/v1/ean13/12.png\n").unwrap();
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(p.0.id() as i32, libc::SIGHUP) };
    wait_generation(admin, 2.0);
    assert_eq!(metric(admin, "barcoded_pool_entries"), 2.0, "the bad line is skipped");
    // The public port does not serve it, loopback or not.
    let r = raw(addr, b"POST /admin/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(r.status, 404, "{}", r.text());
    // The admin listener (no token configured) does the same as SIGHUP and says what it did.
    let r = raw(admin, b"POST /admin/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(r.status, 200, "{}", r.text());
    let doc: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(doc["generation"], 3);
    assert_eq!(doc["entries"], 2);
    assert!(doc["errors"][0].as_str().unwrap().starts_with("line 3: /v1/ean13/12.png"), "{doc}");
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let (ok, failed) = clients.into_iter().map(|h| h.join().unwrap()).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    eprintln!("reload under load: {ok} requests answered 200, {failed} failed");
    assert_eq!(failed, 0);
    assert!(ok > 100);
    let before = metric(admin, "barcoded_events_total{event=\"pool_hit\"}");
    assert_eq!(get(addr, "/v1/qr.png?data=SKU-1").status, 200);
    std::thread::sleep(Duration::from_millis(1100));
    assert!(metric(admin, "barcoded_events_total{event=\"pool_hit\"}") > before, "served from the new pool");
    drop(p);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reload_needs_the_token_when_one_is_set_and_a_missing_list_keeps_the_pool() {
    let dir = std::env::temp_dir().join(format!("barcoded-warm-token-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let warm = dir.join("warm.txt");
    std::fs::write(&warm, "/v1/ean8/5512345.png\n").unwrap();
    let (p, addr, admin) = spawn(&warm, &["--admin-token", "s3cret", "--admin-on-public"]);
    // On the admin listener a configured token is required too.
    let r = raw(admin, b"POST /admin/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(r.status, 403);
    // On the public one (--admin-on-public), only with the token; /metrics likewise.
    assert_eq!(get(addr, "/metrics").status, 403);
    let m = raw(addr, b"GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3cret\r\n\r\n");
    assert_eq!(m.status, 200);
    assert!(m.text().contains("barcoded_pool_entries 1"));
    let r = raw(addr, b"POST /admin/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(r.status, 403);
    assert!(r.text().contains("\"code\":\"forbidden\""));
    let r = raw(
        addr,
        b"POST /admin/reload HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer wrong\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(r.status, 403);
    std::fs::remove_file(&warm).unwrap();
    let r = raw(
        addr,
        b"POST /admin/reload HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3cret\r\nContent-Length: 0\r\n\r\n",
    );
    assert_eq!(r.status, 500, "{}", r.text());
    assert!(r.text().contains("the previous pool stays in service"), "{}", r.text());
    assert_eq!(metric(admin, "barcoded_pool_entries"), 1.0);
    assert_eq!(get(admin, "/admin/reload").status, 405);
    drop(p);
    let _ = std::fs::remove_dir_all(&dir);
}
