//! End-to-end HTTP behaviour over real sockets: keep-alive, pipelining, HEAD, 304, HTTP/1.0,
//! and the framing rules.

mod common;
use common::*;
use std::io::{BufReader, Write};

const EAN: &str = "/v1/ean13/590123412345.png";

#[test]
fn ean13_png_headers() {
    let s = start(|_| {});
    let r = get(s.local_addr(), EAN);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.header("content-length").unwrap().parse::<usize>().unwrap(), r.body.len());
    assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(r.header("server"), Some("barcoded"));
    assert!(r.header("date").unwrap().ends_with("GMT"));
    let etag = r.header("etag").unwrap();
    assert!(etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"));
    assert_eq!(&r.body[..8], b"\x89PNG\r\n\x1a\n");
    s.shutdown();
}

#[test]
fn equivalent_urls_share_an_etag() {
    let s = start(|_| {});
    let a = s.local_addr();
    let base = get(a, EAN);
    for u in [
        "/v1/ean13/5901234123457.png",
        "/v1/ean13/590123412345.png?scale=2&text=true",
        "/v1/ean13/590123412345.png?text=1&scale=2&rotate=0&fg=000000&bg=FFFFFFFF",
        "/v1/ean13.png?data=590123412345",
        "/v1/ean13.png?scale=2&data=5901234123457",
    ] {
        let r = get(a, u);
        assert_eq!(r.status, 200, "{u}");
        assert_eq!(r.header("etag"), base.header("etag"), "{u}");
        assert_eq!(r.body, base.body, "{u}");
    }
    let other = get(a, "/v1/ean13/590123412345.png?scale=3");
    assert_ne!(other.header("etag"), base.header("etag"));
    let svg = get(a, "/v1/ean13/590123412345.svg");
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert_ne!(svg.header("etag"), base.header("etag"));
    s.shutdown();
}

#[test]
fn post_body_is_the_data() {
    let s = start(|_| {});
    let a = s.local_addr();
    let r = raw(a, b"POST /v1/qr.png?ecc=H HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(r.status, 200);
    let g = get(a, "/v1/qr/hello.png?ecc=H");
    assert_eq!(r.header("etag"), g.header("etag"));
    let e = raw(a, b"POST /v1/qr.png HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(e.status, 400);
    assert!(e.text().contains("\"code\":\"missing_data\""));
    s.shutdown();
}

#[test]
fn keep_alive_and_pipelining_answer_in_order() {
    let s = start(|_| {});
    let mut c = connect(s.local_addr());
    let mut req = Vec::new();
    for i in 0..100 {
        let path = match i % 3 {
            0 => EAN.to_string(),
            1 => "/healthz".to_string(),
            _ => format!("/v1/code128/ITEM-{i}.svg"),
        };
        req.extend_from_slice(format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes());
    }
    c.write_all(&req).unwrap();
    let mut r = BufReader::new(c.try_clone().unwrap());
    for i in 0..100 {
        let resp = read_response(&mut r, false).expect("response");
        assert_eq!(resp.status, 200, "request {i}");
        let ct = resp.header("content-type").unwrap();
        match i % 3 {
            0 => assert_eq!(ct, "image/png"),
            1 => assert_eq!(ct, "application/json"),
            _ => {
                assert_eq!(ct, "image/svg+xml");
                assert!(resp.text().contains(&format!("ITEM-{i}")), "request {i} out of order");
            }
        }
    }
    // The connection is still usable afterwards.
    c.write_all(b"GET /healthz HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut r, false).unwrap().status, 200);
    s.shutdown();
}

#[test]
fn head_has_headers_without_body() {
    let s = start(|_| {});
    let g = get(s.local_addr(), EAN);
    let mut c = connect(s.local_addr());
    c.write_all(format!("HEAD {EAN} HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n").as_bytes()).unwrap();
    let mut r = BufReader::new(c);
    let h = read_response(&mut r, true).unwrap();
    assert_eq!(h.status, 200);
    assert_eq!(h.header("content-length"), g.header("content-length"));
    assert_eq!(h.header("etag"), g.header("etag"));
    assert!(h.body.is_empty());
    // The next response starts right where the HEAD response ended.
    assert_eq!(read_response(&mut r, false).unwrap().status, 200);
    s.shutdown();
}

#[test]
fn if_none_match_gives_304() {
    let s = start(|_| {});
    let a = s.local_addr();
    let g = get(a, EAN);
    let tag = g.header("etag").unwrap();
    for inm in [tag.to_string(), format!("\"zzz\", {tag}"), format!("W/{tag}"), "*".to_string()] {
        let r = raw(a, format!("GET {EAN} HTTP/1.1\r\nIf-None-Match: {inm}\r\n\r\n").as_bytes());
        assert_eq!(r.status, 304, "{inm}");
        assert!(r.body.is_empty());
        assert_eq!(r.header("etag"), Some(tag));
        assert_eq!(r.header("cache-control"), Some("public, max-age=31536000, immutable"));
        assert!(r.header("content-length").is_none());
    }
    let r = raw(a, format!("GET {EAN} HTTP/1.1\r\nIf-None-Match: \"other\"\r\n\r\n").as_bytes());
    assert_eq!(r.status, 200);
    s.shutdown();
}

#[test]
fn http10_closes_unless_keep_alive() {
    let s = start(|_| {});
    let mut c = connect(s.local_addr());
    c.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").unwrap();
    let mut r = BufReader::new(c);
    let resp = read_response(&mut r, false).unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(closed(&mut r));

    let mut c = connect(s.local_addr());
    c.write_all(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
    let mut r = BufReader::new(c.try_clone().unwrap());
    assert_eq!(read_response(&mut r, false).unwrap().header("connection"), Some("keep-alive"));
    c.write_all(b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut r, false).unwrap().status, 200);
    s.shutdown();
}

#[test]
fn connection_close_is_honoured() {
    let s = start(|_| {});
    let mut c = connect(s.local_addr());
    c.write_all(b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n").unwrap();
    let mut r = BufReader::new(c);
    let resp = read_response(&mut r, false).unwrap();
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(closed(&mut r), "second request must not be answered");
    s.shutdown();
}

#[test]
fn get_body_is_skipped() {
    let s = start(|_| {});
    let mut c = connect(s.local_addr());
    c.write_all(b"GET /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /readyz HTTP/1.1\r\n\r\n").unwrap();
    let mut r = BufReader::new(c);
    assert_eq!(read_response(&mut r, false).unwrap().text(), "{\"status\":\"ok\"}");
    assert_eq!(read_response(&mut r, false).unwrap().text(), "{\"status\":\"ready\"}");
    // A chunked GET body is skipped the same way: it is not the data of a generate request.
    r.get_mut()
        .write_all(b"GET /v1/qr.png HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        .unwrap();
    let resp = read_response(&mut r, false).unwrap();
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert!(resp.text().contains("missing_data"), "{}", resp.text());
    s.shutdown();
}

#[test]
fn symbologies_document() {
    let s = start(|_| {});
    let r = get(s.local_addr(), "/v1/symbologies");
    assert_eq!(r.status, 200);
    let t = r.text();
    for name in [
        "ean13",
        "ean8",
        "upca",
        "upce",
        "itf",
        "itf14",
        "code128",
        "gs1-128",
        "code39",
        "code93",
        "codabar",
        "qr",
        "datamatrix",
        "pdf417",
        "aztec",
    ] {
        assert!(t.contains(&format!("\"name\":\"{name}\"")), "{t}");
    }
    assert!(t.contains("\"scale\":{\"min\":1,\"max\":50"));
    s.shutdown();
}
