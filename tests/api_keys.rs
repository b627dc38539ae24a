//! API keys end to end (`--api-keys`, `--require-api-key`): 401 without or with a wrong
//! key (`WWW-Authenticate`), 403 outside the key's routes, the `RateLimit-Policy` and
//! `RateLimit` fields on keyed answers counting down by each class's cost, 429 with
//! `Retry-After` when the quota is spent and admission again once it refills, a batch paid
//! per item (413 past the burst), keyed clients free of the per-IP rate, a switch
//! targeting a key's tag, the key's id (never the key) in the access log, a reload that
//! keeps what a key spent, and a keys file refused whole — over real sockets.

mod common;

use barcoded::keys::{digest, hex};
use common::*;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const KEY_A: &str = "bk_test_alpha_0123456789abcdef";
const KEY_B: &str = "bk_test_beta_0123456789abcdef";

fn entry(id: &str, key: &str, rate: u32, burst: u32, extra: &str) -> String {
    format!(
        "[[key]]\nid = \"{id}\"\nhash = \"sha256:{}\"\nrate = {rate}\nburst = {burst}\n{extra}\n",
        hex(&digest(key.as_bytes()))
    )
}

fn keys_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("barcoded-keys-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("keys.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn keyed(addr: SocketAddr, path: &str, key: &str) -> Response {
    req(addr, "GET", path, &[("X-Api-Key", key)], "")
}

/// `RateLimit: "key";r=N;t=T` → (N, T).
fn remaining(r: &Response) -> (u64, u64) {
    let v = r.header("RateLimit").unwrap_or_else(|| panic!("no RateLimit on {} {}", r.status, r.text()));
    let num = |name: &str| -> u64 {
        v.split(';').find_map(|p| p.strip_prefix(name)).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{v}"))
    };
    assert!(v.starts_with("\"key\";"), "{v}");
    (num("r="), num("t="))
}

fn code(r: &Response) -> String {
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()));
    v["code"].as_str().unwrap_or_default().to_string()
}

#[test]
fn without_a_key_401_with_a_wrong_one_401_outside_its_routes_403() {
    let text = entry("acme", KEY_A, 1000, 1000, "routes = [\"generate\"]");
    let path = keys_file("auth", &text);
    let s = start(|c| {
        c.api_keys = Some(path.clone());
        c.require_api_key = true;
    });
    let api = s.local_addr();
    let r = get(api, "/v1/qr/HELLO.png");
    assert_eq!((r.status, code(&r).as_str()), (401, "api_key_required"), "{}", r.text());
    assert_eq!(r.header("WWW-Authenticate"), Some("Bearer realm=\"barcoded\""));
    assert!(r.header("RateLimit").is_none());
    let r = keyed(api, "/v1/qr/HELLO.png", "bk_wrong");
    assert_eq!((r.status, code(&r).as_str()), (401, "api_key_invalid"));
    assert!(r.header("WWW-Authenticate").unwrap().contains("invalid_token"));
    // Either header; the Bearer scheme in any case.
    let r = keyed(api, "/v1/qr/HELLO.png", KEY_A);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("RateLimit-Policy"), Some("\"key\";q=1000;w=1"));
    let r = req(api, "GET", "/v1/qr/HELLO.png", &[("Authorization", &format!("bearer {KEY_A}"))], "");
    assert_eq!(r.status, 200);
    // The key's routes: generate only.
    let r = keyed(api, "/v1/parse?code=0101234567890128", KEY_A);
    assert_eq!((r.status, code(&r).as_str()), (403, "api_key_route"), "{}", r.text());
    assert!(r.text().contains("generate"), "{}", r.text());
    assert!(r.header("RateLimit").is_some(), "a keyed refusal still says the quota");
    // Health, the description and the symbology list stay open.
    for p in ["/healthz", "/readyz", "/openapi.json", "/v1/symbologies"] {
        assert_eq!(get(api, p).status, 200, "{p}");
    }
    // An unknown path is still a 404 (routing first), keyed or not.
    assert_eq!(keyed(api, "/v2/nothing", KEY_A).status, 404);
    let text = get(admin(&s), "/metrics").text();
    for (event, at_least) in [("api_key_missing", 1.0), ("api_key_invalid", 1.0), ("api_key_route", 1.0)] {
        let n = metric(admin(&s), &format!("barcoded_events_total{{event=\"{event}\"}}"));
        assert!(n >= at_least, "{event}: {n}\n{text}");
    }
    assert!(!text.contains(KEY_A), "the key itself never reaches the metrics");
    s.shutdown();
}

#[test]
fn the_quota_counts_down_by_cost_then_429_then_refills() {
    // 10 units per second, a burst of 30: a hit costs 1, a render 10, a parse 1.
    let text = entry("slow", KEY_A, 10, 30, "") + &entry("other", KEY_B, 10, 30, "");
    let path = keys_file("quota", &text);
    let s = start(|c| c.api_keys = Some(path.clone()));
    let api = s.local_addr();
    // Unkeyed: open, no RateLimit (no --require-api-key).
    let r = get(api, "/v1/code128/OPEN.svg");
    assert_eq!(r.status, 200);
    assert!(r.header("RateLimit").is_none());
    let r = keyed(api, "/v1/code128/Q-1.svg", KEY_A); // a render: 10
    assert_eq!(r.status, 200);
    assert_eq!(r.header("RateLimit-Policy"), Some("\"key\";q=30;w=3"));
    let (r1, t1) = remaining(&r);
    assert!((19..=20).contains(&r1), "30 - 10 = {r1}");
    assert!((1..=2).contains(&t1), "10 units at 10 per second: {t1} s");
    let r = keyed(api, "/v1/code128/Q-1.svg", KEY_A); // a hit now: 1
    assert_eq!(r.status, 200);
    let (r2, _) = remaining(&r);
    assert!(r2 <= r1, "a hit costs 1, the clock gives back: {r1} -> {r2}");
    // Spend it: renders until refused.
    let t0 = Instant::now();
    let mut refused = None;
    for i in 0..10 {
        let r = keyed(api, &format!("/v1/code128/Q-SPEND-{i}.svg"), KEY_A);
        if r.status == 429 {
            refused = Some(r);
            break;
        }
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = refused.expect("the quota runs out");
    assert!(t0.elapsed() < Duration::from_secs(2), "refused within the burst, not by the clock");
    assert_eq!(code(&r), "api_key_rate", "{}", r.text());
    let retry: u64 = r.header("Retry-After").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert!(remaining(&r).0 < 10);
    // Another key is untouched by this one's spending.
    let r = keyed(api, "/v1/code128/Q-OTHER.svg", KEY_B);
    assert_eq!(r.status, 200);
    assert!(remaining(&r).0 >= 19);
    // After Retry-After the render is admitted again.
    std::thread::sleep(Duration::from_millis(retry * 1000 + 100));
    let r = keyed(api, "/v1/code128/Q-AGAIN.svg", KEY_A);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(metric(admin(&s), "barcoded_events_total{event=\"api_key_limited\"}") >= 1.0);
    s.shutdown();
}

#[test]
fn a_batch_is_paid_per_item_and_over_the_burst_is_413() {
    let text = entry("batcher", KEY_A, 1000, 100, "");
    let path = keys_file("batch", &text);
    let s = start(|c| c.api_keys = Some(path.clone()));
    let api = s.local_addr();
    let items = |n: usize| {
        let v: Vec<String> = (0..n).map(|i| format!(r#"{{"symbology":"code128","data":"B-{i}"}}"#)).collect();
        format!(r#"{{"format":"png","output":"zip","items":[{}]}}"#, v.join(","))
    };
    let h = [("X-Api-Key", KEY_A), ("Content-Type", "application/json")];
    let r = req(api, "POST", "/v1/batch", &h, &items(3));
    assert_eq!(r.status, 200, "{}", r.text());
    let (left, _) = remaining(&r);
    assert!((69..=70).contains(&left), "3 items at 10: {left}");
    let r = req(api, "POST", "/v1/batch", &h, &items(11));
    assert_eq!((r.status, code(&r).as_str()), (413, "api_key_cost"), "{}", r.text());
    assert!(r.text().contains("110") && r.text().contains("100"), "{}", r.text());
    s.shutdown();
}

#[test]
fn a_keyed_client_is_not_held_to_the_per_ip_rate() {
    let text = entry("bulk", KEY_A, 100_000, 100_000, "");
    let path = keys_file("perip", &text);
    let s = start(|c| {
        c.api_keys = Some(path.clone());
        c.limits.client_rate = 1;
        c.limits.client_burst = 2;
    });
    let api = s.local_addr();
    let unkeyed: Vec<u16> = (0..6).map(|i| get(api, &format!("/v1/code128/IP-{i}.svg")).status).collect();
    assert!(unkeyed.contains(&429), "the per-IP rate still holds for the unkeyed: {unkeyed:?}");
    let keyed_all: Vec<u16> = (0..6).map(|i| keyed(api, &format!("/v1/code128/KEY-{i}.svg"), KEY_A).status).collect();
    assert!(keyed_all.iter().all(|&s| s == 200), "{keyed_all:?}");
    s.shutdown();
}

#[test]
fn a_switch_targets_a_keys_tag_and_the_log_names_the_id_only() {
    let text = entry("eu-shop", KEY_A, 1000, 1000, "tags = [\"eu\"]") + &entry("us-shop", KEY_B, 1000, 1000, "");
    let path = keys_file("tags", &text);
    let log = path.with_file_name("access.log");
    let s = start(|c| {
        c.api_keys = Some(path.clone());
        c.access_log = Some(barcoded::access::AccessConfig {
            target: barcoded::access::Target::File(log.clone()),
            sample: 1.0,
            slow: Duration::from_secs(10),
        });
    });
    let (api, adm) = (s.local_addr(), admin(&s));
    let body = r#"{"action":"refuse","scope":{"route":"parse"},"match":{"constraints":[{"contextName":"tag:eu","operator":"IN","values":["true"]}]}}"#;
    let r = req(adm, "PUT", "/admin/switches/eu-off", &[], body);
    assert_eq!(r.status, 200, "{}", r.text());
    let p = "/v1/parse?code=0101234567890128";
    assert_eq!(keyed(api, p, KEY_A).status, 503, "the eu key is refused (switched_off)");
    assert_eq!(keyed(api, p, KEY_B).status, 200, "the other key is not");
    assert_eq!(get(api, p).status, 200, "nor an unkeyed client");
    s.shutdown();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("\"key\":\"eu-shop\"") && text.contains("\"key\":\"us-shop\""), "{text}");
    assert!(!text.contains(KEY_A) && !text.contains(KEY_B), "no key in the log");
}

#[test]
fn a_reload_keeps_what_was_spent_and_a_bad_file_is_refused_whole() {
    let path = keys_file("reload", &entry("r", KEY_A, 1, 20, ""));
    let s = start(|c| c.api_keys = Some(path.clone()));
    let api = s.local_addr();
    let r = keyed(api, "/v1/code128/R-1.svg", KEY_A);
    let (before, _) = remaining(&r);
    assert!(before <= 10, "{before}");
    // A new key joins; the unchanged one keeps its spent quota.
    std::fs::write(&path, entry("r", KEY_A, 1, 20, "") + &entry("new", KEY_B, 1, 20, "")).unwrap();
    let done = s.reconfigure(&s.shared().config);
    assert!(done.iter().any(|d| d.contains("2 API key(s)")), "{done:?}");
    let r = keyed(api, "/v1/code128/R-1.svg", KEY_A);
    assert!(remaining(&r).0 < before, "spent before the reload is still spent");
    assert_eq!(keyed(api, "/v1/code128/R-1.svg", KEY_B).status, 200);
    // A file with one bad entry: refused, the keys in force stay.
    std::fs::write(&path, entry("r", KEY_A, 0, 20, "")).unwrap();
    let done = s.reconfigure(&s.shared().config);
    assert!(done.iter().any(|d| d.contains("not reloaded") && d.contains("rate 0")), "{done:?}");
    assert_eq!(keyed(api, "/v1/code128/R-1.svg", KEY_B).status, 200);
    s.shutdown();
    // At start a bad file stops the server with the reason.
    let bad = keys_file("bad", "[[key]]\nid = \"x\"\n");
    let mut c = barcoded::Config { listen: "127.0.0.1:0".parse().unwrap(), admin_listen: None, ..Default::default() };
    c.api_keys = Some(bad);
    let e = barcoded::Server::start(c).err().expect("refused");
    assert!(e.to_string().contains("--api-keys") && e.to_string().contains("hash"), "{e}");
}
