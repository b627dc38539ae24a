//! `/v1/parse` over real sockets, and hostile input: megabyte bodies and codes get a fast
//! 4xx and cost no memory.

mod common;
use common::*;
use std::io::{BufReader, Write};
use std::time::{Duration, Instant};

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines().find(|l| l.starts_with("VmRSS:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn parse_get_post_and_json() {
    let s = start(|_| {});
    let a = s.local_addr();
    let r = get(a, "/v1/parse?code=5901234123457");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let t = r.text();
    assert!(t.contains("\"valid\":true") && t.contains("\"issuer\":\"GS1 Poland\""), "{t}");
    let r = get(a, "/v1/parse?code=%2801%2909506000134352%2817%29261332");
    assert!(r.text().contains("(17) 261332: month 13"), "{}", r.text());
    let body = "]C10109506000134352\u{1d}10ABC";
    let r = raw(a, format!("POST /v1/parse HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    assert!(r.text().contains("\"digital_link\":\"https://id.gs1.org/01/09506000134352/10/ABC\""), "{}", r.text());
    let j = r#"{"code":"https://example.com/01/09506000134352?17=261231","symbology":"qr"}"#;
    let r = raw(
        a,
        format!("POST /v1/parse HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{j}", j.len())
            .as_bytes(),
    );
    let t = r.text();
    assert!(t.contains("\"symbology\":\"qr\"") && t.contains("\"bracketed\":\"(01)09506000134352(17)261231\""), "{t}");
    assert_eq!(get(a, "/v1/parse").status, 400);
    assert_eq!(get(a, "/v1/parse?code=1&bogus=2").status, 400);
    s.shutdown();
}

#[test]
fn coupon_codes_are_checked_field_by_field() {
    let s = start(|_| {});
    let a = s.local_addr();
    // (8110) with an expiration date; (8112) positive offer file coupon.
    let r = get(a, "/v1/parse?code=%288110%290123456123456111101233251231");
    let t = r.text();
    assert!(t.contains("\"valid\":true") && !t.contains("couponcode"), "{t}");
    let r = get(a, "/v1/parse?code=%288110%290123456123456111101233251331");
    let t = r.text();
    assert!(t.contains("\"valid\":false") && t.contains("expiration date at position 22"), "{t}");
    let r = get(a, "/v1/parse?code=%288112%29201234561234560123456");
    let t = r.text();
    assert!(t.contains("\"valid\":false") && t.contains("coupon format 2 at position 0"), "{t}");
    assert!(get(a, "/v1/parse?code=%288112%29001234561234560123456").text().contains("\"valid\":true"));
    s.shutdown();
}

#[test]
fn company_prefix_positions_are_checked() {
    let s = start(|_| {});
    let a = s.local_addr();
    // (8004) GIAI: a company prefix, then the asset reference; (01) GTIN: from position 2.
    let t = get(a, "/v1/parse?code=%288004%299506000ABC123").text();
    assert!(t.contains("\"valid\":true") && t.contains("\"unchecked_linters\":[]"), "{t}");
    let t = get(a, "/v1/parse?code=%288004%2995X6000ABC123").text();
    assert!(t.contains("\"valid\":false") && t.contains("must start at position 1"), "{t}");
    let t = get(a, "/v1/parse?code=%2801%2909506000134352").text();
    assert!(t.contains("\"valid\":true") && !t.contains("gcppos2"), "{t}");
    s.shutdown();
}

#[test]
fn package_types_are_checked_against_the_code_list() {
    let s = start(|_| {});
    let a = s.local_addr();
    // (7041) UFRGT unit type needs an SSCC (00) beside it.
    let t = get(a, "/v1/parse?code=%2800%29106141411234567897%287041%29BX").text();
    assert!(t.contains("\"valid\":true") && t.contains("\"unchecked_linters\":[]"), "{t}");
    let t = get(a, "/v1/parse?code=%2800%29106141411234567897%287041%29BXX").text();
    assert!(t.contains("\"valid\":false") && t.contains("BXX: not a package type code"), "{t}");
    s.shutdown();
}

#[test]
fn hostile_bodies_are_refused_fast_and_cost_no_memory() {
    let s = start(|_| {});
    let a = s.local_addr();
    // Warm up so allocator pools exist before the baseline.
    for _ in 0..50 {
        get(a, "/v1/parse?code=5901234123457");
    }
    let before = rss_kib();
    let t = Instant::now();
    for _ in 0..20 {
        // A 100 MiB Base64 body announced by Content-Length: refused from the header alone.
        let mut c = connect(a);
        c.write_all(
            b"POST /v1/parse HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 104857600\r\n\r\nQUFBQUFB",
        )
        .unwrap();
        let resp = read_response(&mut BufReader::new(c), false).unwrap();
        assert_eq!(resp.status, 413);
        assert!(resp.text().contains("104857600 bytes exceeds the limit of 65536"));
        // A 1 MiB code in the query: refused as soon as the URI limit is passed.
        let mut c = connect(a);
        let _ = c.write_all(b"GET /v1/parse?code=");
        let chunk = vec![b'A'; 64 * 1024];
        for _ in 0..16 {
            if c.write_all(&chunk).is_err() {
                break;
            }
        }
        assert_eq!(read_response(&mut BufReader::new(c), false).unwrap().status, 414);
        // A code just over the code limit inside an allowed body.
        let body = "9".repeat(4097);
        let r = raw(a, format!("POST /v1/parse HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        assert_eq!(r.status, 400);
        assert!(r.text().contains("code_too_long"));
    }
    assert!(t.elapsed() < Duration::from_secs(10), "hostile input must be refused quickly: {:?}", t.elapsed());
    let after = rss_kib();
    assert!(after < before + 8 * 1024, "RSS grew from {before} KiB to {after} KiB");
    assert_eq!(get(a, "/v1/parse?code=5901234123457").status, 200);
    s.shutdown();
}
