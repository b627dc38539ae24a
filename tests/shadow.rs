//! Shadow traffic (`--shadow URL --shadow-sample P`): sampled `GET /v1/…` answers replayed
//! against another instance in the background and classified as `loadgen compare` does;
//! `GET /admin/shadow` and `barcoded_shadow_total` report it; a dead shadow costs the
//! callers nothing.

mod common;

use barcoded::shadow::ShadowConfig;
use common::*;
use std::time::{Duration, Instant};

fn report(s: &barcoded::Server) -> serde_json::Value {
    serde_json::from_str(&get(admin(s), "/admin/shadow").text()).expect("JSON")
}

/// Waits until the shadow has accounted for `n` samples (any result).
fn settled(s: &barcoded::Server, n: u64) -> serde_json::Value {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let r = report(s);
        let seen: u64 = r["results"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
        if seen >= n || Instant::now() > until {
            return r;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn shadowing(candidate: &barcoded::Server, sample: f64) -> barcoded::Server {
    let url = format!("http://{}", candidate.local_addr());
    start(|c| c.shadow = Some(ShadowConfig::parse(&url, sample).unwrap()))
}

#[test]
fn the_same_build_answers_identically_and_a_different_one_is_caught() {
    let same = start(|_| {});
    let s = shadowing(&same, 1.0);
    let addr = s.local_addr();
    for i in 0..12 {
        assert_eq!(get(addr, &format!("/v1/code128/SHADOW-{i}.png")).status, 200);
        assert_eq!(get(addr, &format!("/v1/qr/shadow-{i}.svg")).status, 200);
    }
    // Not sampled: a POST, the admin listener, a 304.
    let r = get(addr, "/v1/code128/SHADOW-0.png");
    let etag = r.header("ETag").unwrap().to_string();
    let req = format!("GET /v1/code128/SHADOW-0.png HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\n\r\n");
    assert_eq!(raw(addr, req.as_bytes()).status, 304);
    let r = settled(&s, 25);
    assert_eq!(r["results"]["identical"], 25, "{r}");
    assert_eq!(r["differences"], 0, "{r}");
    assert_eq!(r["examples"].as_array().unwrap().len(), 0);
    assert_eq!(r["shadow"], format!("http://{}", same.local_addr()));
    assert_eq!(metric(admin(&s), "barcoded_shadow_total{result=\"identical\"}"), 25.0);
    // Only on the admin listener.
    assert_eq!(get(addr, "/admin/shadow").status, 404);
    s.shutdown();

    // A candidate that refuses large images: its other status is caught and shown.
    let strict = start(|c| c.limits.max_pixels = 50_000);
    let s = shadowing(&strict, 1.0);
    let addr = s.local_addr();
    assert_eq!(get(addr, "/v1/qr/large.png?scale=20").status, 200);
    assert_eq!(get(addr, "/v1/ean13/590123412345.png").status, 200);
    let r = settled(&s, 2);
    assert_eq!(r["results"]["different_status"], 1, "{r}");
    assert_eq!(r["results"]["identical"], 1, "{r}");
    assert_eq!(r["differences"], 1);
    let ex = &r["examples"][0];
    assert_eq!(ex["class"], "different_status");
    assert_eq!(ex["target"], "/v1/qr/large.png?scale=20");
    assert_eq!(ex["ours"]["status"], 200);
    assert!(ex["shadow"]["status"].as_u64().unwrap() >= 400, "{ex}");
    s.shutdown();
    strict.shutdown();
    same.shutdown();
}

#[test]
fn a_dead_shadow_costs_the_callers_nothing() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let s = start(|c| c.shadow = Some(ShadowConfig::parse(&url, 1.0).unwrap()));
    let addr = s.local_addr();
    let t = Instant::now();
    for i in 0..300 {
        assert_eq!(get(addr, &format!("/v1/ean8/{:07}.png", 1_000_000 + i)).status, 200);
    }
    assert!(t.elapsed() < Duration::from_secs(20));
    let r = settled(&s, 300);
    let (failed, dropped) = (r["results"]["failed"].as_u64().unwrap(), r["results"]["dropped"].as_u64().unwrap());
    assert_eq!(failed + dropped, 300, "{r}");
    assert!(failed > 0);
    s.shutdown();
}

#[test]
fn sampling_replays_about_the_share_asked_for() {
    let same = start(|_| {});
    let s = shadowing(&same, 0.25);
    let addr = s.local_addr();
    let mut c = Client::new(addr);
    for i in 0..800 {
        assert_eq!(c.get(&format!("/v1/ean8/{:07}.png", 2_000_000 + i)).status, 200);
    }
    std::thread::sleep(Duration::from_millis(500));
    let r = settled(&s, 1);
    let n: u64 = r["results"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    // Binomial(800, 0.25): mean 200, sd 12.2; ±6 sd.
    assert!((127..=273).contains(&n), "{n} of 800 sampled at 25 %: {r}");
    assert_eq!(r["results"]["identical"].as_u64().unwrap() + r["results"]["dropped"].as_u64().unwrap(), n, "{r}");
    s.shutdown();
    same.shutdown();
}
