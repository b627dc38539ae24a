//! Business switches end to end (`/admin/switches`): the contract's body, scope, match and
//! percentage with stickiness, every action's answer on every route class, gray release
//! without flapping, persistence across a restart, the audit log, expiry, metrics, and
//! the refusals of bad input — over real sockets against an in-process server.

mod common;

use common::*;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn put(admin: SocketAddr, name: &str, body: &str) -> Response {
    req(admin, "PUT", &format!("/admin/switches/{name}"), &[], body)
}

fn json(r: &Response) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.text()))
}

#[test]
fn degrade_one_channels_datamatrix_for_a_share_of_users_then_all_then_none() {
    let s = start(|c| c.threads = 2);
    let (api, admin) = (s.local_addr(), admin(&s));
    // Cached before the switch: still served under it.
    let cached = "/v1/datamatrix/CACHED-1.png";
    assert_eq!(get(api, cached).status, 200);
    let r = put(
        admin,
        "dm-app",
        r#"{"action": "degrade", "scope": {"route": "generate", "symbology": "datamatrix"},
            "match": {"header": {"X-Channel": ["app"]}}, "percent": 10, "stickiness": "header:X-User",
            "reason": "DataMatrix renders slow on the app channel"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let stored = json(&r);
    assert_eq!(stored["name"], "dm-app");
    assert_eq!(stored["percent"], 10);
    assert_eq!(stored["group_id"], "dm-app");
    assert_eq!(stored["updated_by"].as_str().unwrap().split(':').next(), Some("admin-listener"));

    // Who is in at each step: a user's uncached render is 503 degraded when in.
    let step = |n: &mut u32| -> Vec<bool> {
        (0..200)
            .map(|u| {
                *n += 1;
                let user = format!("user-{u}");
                let path = format!("/v1/datamatrix/D{n}.png");
                let r = req(api, "GET", &path, &[("X-Channel", "app"), ("X-User", &user)], "");
                match r.status {
                    200 => false,
                    503 => {
                        assert_eq!(json(&r)["code"], "degraded", "{}", r.text());
                        assert_eq!(r.header("Retry-After"), Some("1"));
                        true
                    }
                    s => panic!("{s}: {}", r.text()),
                }
            })
            .collect()
    };
    let mut n = 0;
    let at10 = step(&mut n);
    let share = at10.iter().filter(|&&x| x).count();
    assert!((5..=40).contains(&share), "10 % of 200 users: {share}");
    // Other channels, other symbologies and cached answers are untouched.
    let r = req(api, "GET", "/v1/datamatrix/WEB-1.png", &[("X-Channel", "web"), ("X-User", "user-1")], "");
    assert_eq!(r.status, 200);
    let every = |status: u16, path: &str| {
        for u in 0..200 {
            let user = format!("user-{u}");
            let r = req(api, "GET", path, &[("X-Channel", "app"), ("X-User", &user)], "");
            assert_eq!(r.status, status, "{path} for {user}: {}", r.text());
        }
    };
    every(200, cached);
    every(200, "/v1/qr/APP-QR.png");

    // Raised to 50 %, then 100 %: nobody who was in leaves (gray release).
    assert_eq!(
        put(admin, "dm-app", &json(&r_get(admin, "dm-app")).to_string().replace("\"percent\":10", "\"percent\":50"))
            .status,
        200
    );
    let at50 = step(&mut n);
    for (u, (a, b)) in at10.iter().zip(&at50).enumerate() {
        assert!(!a || *b, "user-{u} was in at 10 % and out at 50 %");
    }
    assert!(at50.iter().filter(|&&x| x).count() > share);
    let listed = json(&get(admin, "/admin/switches"));
    let matched = listed["switches"][0]["matched"].as_u64().unwrap();
    assert!(matched >= (share + at50.iter().filter(|&&x| x).count()) as u64, "counts carry over updates: {matched}");
    let r = put(
        admin,
        "dm-app",
        r#"{"action": "degrade", "scope": {"route": "generate", "symbology": "datamatrix"}, "match": {"header": {"X-Channel": ["app"]}}, "percent": 100}"#,
    );
    assert_eq!(r.status, 200);
    assert!(step(&mut n).iter().all(|&x| x), "at 100 % every app user is degraded");
    let text = get(admin, "/metrics").text();
    assert!(text.contains("barcoded_switch_active{name=\"dm-app\",action=\"degrade\",percent=\"100\"} 1"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("barcoded_switch_matched_total{name=\"dm-app\"} ")));

    // Removed: served again; a second delete is 404.
    assert_eq!(req(admin, "DELETE", "/admin/switches/dm-app", &[], "").status, 200);
    assert_eq!(req(admin, "DELETE", "/admin/switches/dm-app", &[], "").status, 404);
    every(200, "/v1/datamatrix/AFTER.png");
    assert_eq!(json(&get(admin, "/admin/switches"))["switches"], serde_json::json!([]));
    s.shutdown();
}

fn r_get(admin: SocketAddr, name: &str) -> Response {
    let r = get(admin, &format!("/admin/switches/{name}"));
    assert_eq!(r.status, 200, "{}", r.text());
    r
}

#[test]
fn every_action_answers_as_the_contract_says() {
    let s = start(|c| c.threads = 2);
    let (api, admin) = (s.local_addr(), admin(&s));
    let hit = "/v1/ean13/590123412345.png";
    assert_eq!(get(api, hit).status, 200);

    // refuse: 503 for matched requests, cached or not, on every core at once.
    assert_eq!(
        put(admin, "r", r#"{"action":"refuse","scope":{"symbology":"ean13"},"match":{"cidr":["127.0.0.0/8"]}}"#).status,
        200
    );
    for _ in 0..8 {
        let r = get(api, hit);
        assert_eq!(r.status, 503, "{}", r.text());
        assert_eq!(json(&r)["code"], "switched_off");
        assert_eq!(r.header("Retry-After"), Some("5"));
    }
    assert_eq!(get(api, "/v1/ean8/9031101.png").status, 200, "another symbology is served");
    assert_eq!(
        put(admin, "r", r#"{"action":"refuse","scope":{"symbology":"ean13"},"match":{"cidr":["10.0.0.0/8"]}}"#).status,
        200
    );
    assert_eq!(get(api, hit).status, 200, "a client outside the block is served");
    assert_eq!(req(admin, "DELETE", "/admin/switches/r", &[], "").status, 200);

    // degrade on parse: the minimal answer.
    assert_eq!(put(admin, "p", r#"{"action":"degrade","scope":{"route":"parse"}}"#).status, 200);
    let r = get(api, "/v1/parse?code=4006381333931");
    assert_eq!(r.status, 200);
    assert_eq!(json(&r)["degraded"], true, "{}", r.text());
    // breaker-open on parse: the same minimal answer.
    assert_eq!(put(admin, "p", r#"{"action":"breaker-open","scope":{"route":"parse"}}"#).status, 200);
    assert_eq!(json(&get(api, "/v1/parse?code=4006381333931"))["degraded"], true);
    assert_eq!(req(admin, "DELETE", "/admin/switches/p", &[], "").status, 200);
    assert!(json(&get(api, "/v1/parse?code=4006381333931")).get("degraded").is_none());

    // no-decode, no-batch: refused; degrade on decode: 503 degraded.
    assert_eq!(put(admin, "d", r#"{"action":"no-decode"}"#).status, 200);
    let r = req(api, "POST", "/v1/decode", &[("Content-Type", "image/png")], "x");
    assert_eq!((r.status, json(&r)["code"].as_str()), (503, Some("switched_off")));
    assert_eq!(put(admin, "d", r#"{"action":"degrade","scope":{"route":"decode"}}"#).status, 200);
    let r = req(api, "POST", "/v1/decode", &[("Content-Type", "image/png")], "x");
    assert_eq!((r.status, json(&r)["code"].as_str()), (503, Some("degraded")));
    assert_eq!(put(admin, "b", r#"{"action":"no-batch"}"#).status, 200);
    let r = req(api, "POST", "/v1/batch", &[("Content-Type", "application/json")], r#"{"items":[]}"#);
    assert_eq!((r.status, json(&r)["code"].as_str()), (503, Some("switched_off")));

    // breaker-open on a family: its cold renders degrade, its hits are served; l1-only the same.
    assert_eq!(get(api, "/v1/qr/CACHED.png").status, 200);
    assert_eq!(put(admin, "q", r#"{"action":"breaker-open","scope":{"family":"qr"}}"#).status, 200);
    let r = get(api, "/v1/qr/COLD-1.png");
    assert_eq!((r.status, json(&r)["code"].as_str()), (503, Some("degraded")));
    assert_eq!(get(api, "/v1/qr/CACHED.png").status, 200);
    assert_eq!(get(api, "/v1/code128/COLD-1.png").status, 200);
    assert_eq!(put(admin, "q", r#"{"action":"l1-only","scope":{"family":"qr"}}"#).status, 200);
    assert_eq!(get(api, "/v1/qr/COLD-2.png").status, 503);
    assert_eq!(get(api, "/v1/qr/CACHED.png").status, 200);
    // breaker-closed and no-l2 serve renders.
    assert_eq!(put(admin, "q", r#"{"action":"breaker-closed","scope":{"family":"qr"}}"#).status, 200);
    assert_eq!(get(api, "/v1/qr/COLD-3.png").status, 200);
    assert_eq!(put(admin, "q", r#"{"action":"no-l2"}"#).status, 200);
    assert_eq!(get(api, "/v1/qr/COLD-4.png").status, 200);
    s.shutdown();
}

#[test]
fn bad_input_is_a_clear_4xx_naming_the_field() {
    let s = start(|_| {});
    let (api, admin) = (s.local_addr(), admin(&s));
    let bad = |name: &str, body: &str, status: u16, field: &str| {
        let r = put(admin, name, body);
        assert_eq!(r.status, status, "{body}: {}", r.text());
        let e = json(&r);
        assert!(e["error"].as_str().unwrap().contains(field), "{body}: {e}");
        assert!(e["code"].is_string());
    };
    bad("a", r#"{"action":"explode"}"#, 400, "action");
    bad("a", r#"{"action":"degrade","percent":101}"#, 400, "percent");
    bad(
        "a",
        r#"{"action":"degrade","match":{"constraints":[{"contextName":"client","operator":"SEMVER_EQ","values":["1"]}]}}"#,
        400,
        "operator",
    );
    bad("a", r#"{"action":"degrade","match":{"weather":["rain"]}}"#, 400, "weather");
    bad("a", r#"{"action":"degrade","scope":{"symbology":"nope"}}"#, 400, "scope.symbology");
    bad("a", "not json", 400, "body");
    bad("A_B", r#"{"action":"degrade"}"#, 400, "name");
    bad("a", &format!(r#"{{"action":"degrade","reason":"{}"}}"#, "x".repeat(20_000)), 413, "body");
    let r = req(admin, "POST", "/admin/switches/a", &[], "{}");
    assert_eq!((r.status, r.header("Allow")), (405, Some("GET, HEAD, PUT, DELETE")));
    assert_eq!(get(admin, "/admin/switches/none").status, 404);
    // Nothing of it on the public listener.
    assert_eq!(put(api, "a", r#"{"action":"degrade"}"#).status, 404);
    assert_eq!(get(api, "/admin/switches").status, 404);
    s.shutdown();

    // With a token: required, and only its id is recorded.
    let s = start(|c| c.admin_token = Some("s3cret-token".into()));
    let admin = common::admin(&s);
    assert_eq!(put(admin, "a", r#"{"action":"degrade"}"#).status, 403);
    assert_eq!(
        req(admin, "PUT", "/admin/switches/a", &[("Authorization", "Bearer wrong")], r#"{"action":"degrade"}"#).status,
        403
    );
    assert_eq!(get(admin, "/admin/switches").status, 403);
    let r =
        req(admin, "PUT", "/admin/switches/a", &[("Authorization", "Bearer s3cret-token")], r#"{"action":"degrade"}"#);
    assert_eq!(r.status, 200);
    let by = json(&r)["updated_by"].as_str().unwrap().to_string();
    assert!(by.starts_with("token:") && !by.contains("s3cret"), "{by}");
    s.shutdown();
}

#[test]
fn switches_persist_are_audited_and_expire() {
    let dir = std::env::temp_dir().join(format!("barcoded-switch-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (file, audit) = (dir.join("switches.jsonl"), dir.join("audit.jsonl"));
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&audit);
    let with_files = |c: &mut barcoded::Config| {
        c.switches = Some(file.clone());
        c.audit_log = Some(audit.clone());
    };
    let s = start(with_files);
    let admin = common::admin(&s);
    assert_eq!(
        put(admin, "keep", r#"{"action":"refuse","scope":{"symbology":"aztec"},"reason":"incident 42"}"#).status,
        200
    );
    assert_eq!(put(admin, "brief", r#"{"action":"no-l2","expires_in_s":1}"#).status, 200);
    // The tick removes the expired one (and says so in the audit log).
    let t = Instant::now();
    while json(&get(admin, "/admin/switches"))["switches"].as_array().unwrap().len() > 1 {
        assert!(t.elapsed() < Duration::from_secs(5), "the switch did not expire");
        std::thread::sleep(Duration::from_millis(100));
    }
    s.shutdown();

    // A restart comes back with the same switches.
    let s = start(with_files);
    let (api, admin) = (s.local_addr(), common::admin(&s));
    let listed = json(&get(admin, "/admin/switches"));
    let names: Vec<&str> = listed["switches"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["keep"]);
    assert_eq!(listed["switches"][0]["reason"], "incident 42");
    assert_eq!(get(api, "/v1/aztec/A.png").status, 503);
    s.shutdown();

    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&audit).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ops: Vec<(&str, &str)> =
        lines.iter().map(|l| (l["op"].as_str().unwrap(), l["name"].as_str().unwrap())).collect();
    assert_eq!(ops, [("put", "keep"), ("put", "brief"), ("expire", "brief")]);
    assert!(lines[0]["before"].is_null() && lines[0]["after"]["action"] == "refuse");
    assert_eq!(lines[0]["reason"], "incident 42");
    assert_eq!(lines[2]["who"], "expiry");

    // A corrupt file refuses the start, naming the line and the reason.
    let good = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{good}{{\"name\":\"x\",\"action\":\"degrade\",\"percent\":500}}\n")).unwrap();
    let mut c = barcoded::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: None,
        threads: 1,
        pin: false,
        ..Default::default()
    };
    c.switches = Some(file.clone());
    let e = barcoded::Server::start(c).err().expect("a corrupt switches file refuses the start").to_string();
    assert!(e.contains("switches.jsonl:2: percent: 500"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
