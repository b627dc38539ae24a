//! The access log and trace context end to end: a caller's `traceparent` continued and
//! answered, one started otherwise; lines with where the answer came from and the switch
//! that applied; sampling that always keeps errors; and a writer that cannot keep up (a
//! pipe nobody reads) dropping lines — counted — while every request is still answered.

mod common;

use common::*;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn traced(addr: SocketAddr, path: &str, tp: Option<&str>) -> Response {
    let extra = tp.map(|t| format!("traceparent: {t}\r\n")).unwrap_or_default();
    raw(addr, format!("GET {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n").as_bytes())
}

fn lines_of(path: &std::path::Path, at_least: usize) -> Vec<serde_json::Value> {
    let t = Instant::now();
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let v: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect(l)).collect();
        if v.len() >= at_least || t.elapsed() > Duration::from_secs(5) {
            return v;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A server whose access log goes to `target`, logging `sample` of ordinary requests.
fn logged(target: &std::path::Path, sample: f64) -> barcoded::Server {
    start(|c| {
        c.access_log = Some(barcoded::access::AccessConfig {
            target: barcoded::access::Target::File(target.to_path_buf()),
            sample,
            slow: Duration::from_secs(10),
        })
    })
}

#[test]
fn lines_carry_the_trace_the_source_and_the_switch() {
    let dir = std::env::temp_dir().join(format!("barcoded-access-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("access.log");
    let _ = std::fs::remove_file(&file);
    let s = logged(&file, 1.0);
    let (api, admin) = (s.local_addr(), admin(&s));
    let caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let cold = traced(api, "/v1/ean13/590123412345.png", Some(caller));
    let hit = traced(api, "/v1/ean13/590123412345.png", None);
    assert_eq!((cold.status, hit.status), (200, 200));
    let tp = cold.header("traceparent").expect("the answer carries traceparent");
    assert!(tp.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-") && tp.ends_with("-01"), "{tp}");
    assert!(!tp.contains("00f067aa0ba902b7"), "our span id, not the caller's");
    let started = hit.header("traceparent").unwrap();
    assert_eq!(started.len(), 55);
    assert!(!started.contains("4bf92f3577b34da6a3ce929d0e0e4736"));
    // A switch that refuses QR: its name is in the line.
    let sw = r#"{"action":"refuse","scope":{"symbology":"qr"}}"#;
    let put = format!("PUT /admin/switches/no-qr HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{sw}", sw.len());
    assert_eq!(raw(admin, put.as_bytes()).status, 200);
    assert_eq!(traced(api, "/v1/qr/X.png", None).status, 503);
    assert_eq!(traced(api, "/v1/nope/1.png", None).status, 404);
    let lines = lines_of(&file, 4);
    let by_path = |p: &str| lines.iter().filter(|l| l["path"] == p).cloned().collect::<Vec<_>>();
    let ean = by_path("/v1/ean13/590123412345.png");
    assert_eq!(ean.len(), 2, "{lines:?}");
    assert_eq!((ean[0]["source"].as_str(), ean[1]["source"].as_str()), (Some("render"), Some("l1")));
    assert_eq!(ean[0]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(ean[0]["parent_id"], "00f067aa0ba902b7");
    assert_eq!(ean[0]["id"].as_str().unwrap(), &tp[36..52], "the line's id is the span answered");
    assert_eq!(ean[0]["method"], "GET");
    assert!(ean[0]["bytes"].as_u64().unwrap() > 100 && ean[0]["us"].as_u64().is_some());
    assert_eq!(ean[0]["client"], "127.0.0.1");
    let qr = &by_path("/v1/qr/X.png")[0];
    assert_eq!(
        (qr["status"].as_u64(), qr["switch"].as_str(), qr["code"].as_str()),
        (Some(503), Some("no-qr"), Some("switched_off"))
    );
    assert_eq!(by_path("/v1/nope/1.png")[0]["code"], "unknown_symbology");
    assert!(metric(admin, "barcoded_access_log_lines_total") >= 4.0);
    s.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sampling_keeps_errors_and_drops_the_rest() {
    let dir = std::env::temp_dir().join(format!("barcoded-access-sample-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("access.log");
    let s = logged(&file, 0.0);
    let api = s.local_addr();
    let mut c = Client::new(api);
    for _ in 0..200 {
        assert_eq!(c.get("/v1/ean13/590123412345.png").status, 200);
    }
    assert_eq!(c.get("/v1/ean13/5901234123458.png").status, 400);
    // The error's line arrives; a tick later, still nothing else has.
    lines_of(&file, 1);
    std::thread::sleep(Duration::from_millis(1200));
    let lines = lines_of(&file, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["status"], 400, "{lines:?}");
    s.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_writer_that_cannot_keep_up_drops_lines_never_requests() {
    let dir = std::env::temp_dir().join(format!("barcoded-access-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("stuck");
    let _ = std::fs::remove_file(&fifo);
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    // A reader that never reads: the pipe fills, then the writer thread blocks for good.
    let _reader = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&fifo).unwrap();
    let s = logged(&fifo, 1.0);
    let (api, admin) = (s.local_addr(), admin(&s));
    let long = format!("/v1/code128/{}.png", "A".repeat(60));
    let _ = get(api, &long);
    let mut c = Client::new(api);
    let t = Instant::now();
    let n = 30_000;
    for i in 0..n {
        let r = c.request(format!("GET {long} HTTP/1.1\r\nHost: t\r\nX-Pad: {}\r\n\r\n", "p".repeat(i % 7)).as_bytes());
        assert_eq!(r.status, 200);
    }
    let took = t.elapsed();
    let t = Instant::now();
    while metric(admin, "barcoded_access_log_dropped_total") == 0.0 {
        assert!(t.elapsed() < Duration::from_secs(5), "nothing was dropped");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(took < Duration::from_secs(60), "{n} requests took {took:?}");
    s.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

use std::os::unix::fs::OpenOptionsExt;
