//! Live profiling end to end: a CPU profile taken under load (hits and cold renders from
//! several clients) fails no request — SIGPROF lands on io_uring waits and render threads
//! alike — and is a gzip pprof protobuf that `go tool pprof` reads, or a flame graph; one at
//! a time; bad parameters refused; nothing of it on the public listener.

mod common;

use common::*;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn a_profile_under_load_fails_no_request_and_go_tool_pprof_reads_it() {
    let s = start(|c| c.threads = 2);
    let (api, admin) = (s.local_addr(), admin(&s));
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, bad) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let load: Vec<_> = (0..4)
        .map(|t| {
            let (stop, ok, bad) = (stop.clone(), ok.clone(), bad.clone());
            std::thread::spawn(move || {
                let mut c = Client::new(api);
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let path = if i.is_multiple_of(4) {
                        format!("/v1/qr/P{t}-{i}.png")
                    } else {
                        "/v1/ean13/590123412345.png".into()
                    };
                    if c.get(&path).status == 200 {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // A second profile while one runs: 409.
    let second = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        get(admin, "/debug/pprof/profile?seconds=1")
    });
    let r = get(admin, "/debug/pprof/profile?seconds=3");
    let busy = second.join().unwrap();
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.join().unwrap();
    }
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Content-Type"), Some("application/octet-stream"));
    assert_eq!(busy.status, 409, "{}", busy.text());
    assert_eq!(bad.load(Ordering::Relaxed), 0, "requests failed during the profile");
    assert!(ok.load(Ordering::Relaxed) > 1000, "the load ran: {}", ok.load(Ordering::Relaxed));
    // gzip of a protobuf.
    let mut proto = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..]).read_to_end(&mut proto).unwrap();
    assert!(proto.len() > 100);
    let dir = std::env::temp_dir().join(format!("barcoded-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cpu.pb.gz");
    std::fs::write(&file, &r.body).unwrap();
    if need("go", "go tool pprof reads the profile") {
        let out = std::process::Command::new("go")
            .args(["tool", "pprof", "-top", "-nodecount=200"])
            .arg(&file)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "go tool pprof failed: {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("Type: cpu"), "{text}");
        assert!(text.contains("barcoded::"), "our functions are named:\n{text}");
    }
    std::fs::remove_dir_all(&dir).unwrap();

    // A flame graph, and the refusals.
    let svg = get(admin, "/debug/pprof/profile?seconds=1&format=svg");
    assert_eq!((svg.status, svg.header("Content-Type")), (200, Some("image/svg+xml")));
    assert!(svg.text().contains("<svg"));
    for bad in ["seconds=0", "seconds=61", "seconds=x", "format=png", "colour=red"] {
        let r = get(admin, &format!("/debug/pprof/profile?{bad}"));
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
    assert_eq!(get(api, "/debug/pprof/profile?seconds=1").status, 404);
    let a = get(admin, "/debug/allocator");
    assert_eq!(a.status, 200);
    let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert!(v["rss_bytes"].as_u64().unwrap() > 0, "{v}");
    s.shutdown();
}
