//! `POST /v1/decode` over real sockets: our own images read back, and hostile images
//! (bombs, truncation, garbage, oversized Base64) refused quickly with the right status.

mod common;
use common::*;
use std::time::{Duration, Instant};

fn post(addr: std::net::SocketAddr, ctype: &str, body: &[u8]) -> Response {
    let mut req =
        format!("POST /v1/decode HTTP/1.1\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n", body.len())
            .into_bytes();
    req.extend_from_slice(body);
    raw(addr, &req)
}

/// A PNG whose header claims `w` x `h` and whose data is a stub.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = png::Encoder::new(&mut out, w, h);
    e.set_color(png::ColorType::Grayscale);
    e.set_depth(png::BitDepth::Eight);
    let mut wr = e.write_header().unwrap();
    wr.write_chunk(png::chunk::IDAT, &[0x78, 0x01, 0x03, 0x00, 0, 0, 0, 1]).unwrap();
    drop(wr);
    out
}

/// A minimal JPEG header (SOI + SOF0) claiming 65500 x 65500 pixels.
fn jpeg_bomb() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0xFF, 0xDC, 0xFF, 0xDC, 0x01, 0x01, 0x11, 0x00];
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

#[test]
fn reads_our_own_images() {
    let s = start(|_| {});
    let a = s.local_addr();
    for path in [
        "/v1/ean13/590123412345.png?scale=3",
        "/v1/code128/ORD-42.png?scale=3",
        "/v1/qr/https%3A%2F%2Fid.gs1.org%2F01%2F09506000134352.png",
        "/v1/datamatrix/hello.png?scale=6",
    ] {
        let img = get(a, path).body;
        let r = post(a, "image/png", &img);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert!(r.text().contains("\"count\":1"), "{path}: {}", r.text());
    }
    let r = post(a, "image/png", &get(a, "/v1/ean13/590123412345.png?scale=3").body);
    assert!(
        r.text().contains("\"text\":\"5901234123457\"") && r.text().contains("\"issuer\":\"GS1 Poland\""),
        "{}",
        r.text()
    );
    s.shutdown();
}

#[test]
fn hostile_images_are_refused_quickly() {
    let s = start(|_| {});
    let a = s.local_addr();
    let t = Instant::now();
    let r = post(a, "image/png", &png_header(100_000, 100_000));
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("100000x100000 exceeds the limit of 4096x4096"));
    let r = post(a, "image/jpeg", &jpeg_bomb());
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("image_dimensions"));
    let good = get(a, "/v1/qr/hello.png").body;
    let r = post(a, "image/png", &good[..good.len() / 2]);
    assert_eq!(r.status, 422, "truncated: {}", r.text());
    assert_eq!(post(a, "image/png", b"not an image").status, 400);
    // 1 MiB of Base64 garbage: decoded (under the limit), then not an image.
    let r = post(a, "text/plain", &vec![b'A'; 1 << 20]);
    assert_eq!(r.status, 400, "{}", r.text());
    // 100 MiB announced: refused from Content-Length.
    let r = raw(a, b"POST /v1/decode HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 104857600\r\n\r\nAAAA");
    assert_eq!(r.status, 413);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    s.shutdown();
}

#[test]
fn over_budget_and_full_pool_answer_503() {
    let s = start(|c| {
        c.limits.decode_budget = Duration::from_millis(10);
        c.limits.decode_queue = 0;
    });
    let a = s.local_addr();
    // A large noisy image takes the reader well over 10 ms.
    let (w, h) = (1200u32, 1200u32);
    let mut px = vec![0u8; (w * h) as usize];
    let mut x = 12345u32;
    for p in px.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *p = x as u8;
    }
    let mut img = Vec::new();
    {
        let mut e = png::Encoder::new(&mut img, w, h);
        e.set_color(png::ColorType::Grayscale);
        e.write_header().unwrap().write_image_data(&px).unwrap();
    }
    let r = post(a, "image/png", &img);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("1"));
    // The abandoned decode still holds the only slot: the next one is refused at once.
    let t = Instant::now();
    let r = post(a, "image/png", &img);
    assert_eq!(r.status, 503);
    assert!(r.text().contains("decode_busy") || r.text().contains("decode_budget"), "{}", r.text());
    assert!(t.elapsed() < Duration::from_millis(500));
    // Generation is unaffected meanwhile.
    assert_eq!(get(a, "/v1/ean13/590123412345.png").status, 200);
    s.shutdown();
}

#[test]
fn decode_pipelined_behind_other_requests_keeps_order() {
    let s = start(|_| {});
    let a = s.local_addr();
    let img = get(a, "/v1/ean13/590123412345.png?scale=3").body;
    let mut req = b"GET /healthz HTTP/1.1\r\n\r\n".to_vec();
    req.extend_from_slice(
        format!("POST /v1/decode HTTP/1.1\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n", img.len())
            .as_bytes(),
    );
    req.extend_from_slice(&img);
    req.extend_from_slice(b"GET /readyz HTTP/1.1\r\n\r\n");
    let mut c = connect(a);
    std::io::Write::write_all(&mut c, &req).unwrap();
    let mut r = std::io::BufReader::new(c);
    assert_eq!(read_response(&mut r, false).unwrap().text(), "{\"status\":\"ok\"}");
    let d = read_response(&mut r, false).unwrap();
    assert!(d.text().contains("5901234123457"), "{}", d.text());
    assert_eq!(read_response(&mut r, false).unwrap().text(), "{\"status\":\"ready\"}");
    s.shutdown();
}

/// The same upload again is answered from the L1 without a decode: the answer is the same,
/// and `/metrics` counts the hit.
#[test]
fn a_repeated_upload_is_answered_from_the_cache() {
    let s = start(|_| {});
    let a = s.local_addr();
    let png = get(a, "/v1/qr/cache-me.png").body;
    let first = post(a, "image/png", &png);
    assert_eq!(first.status, 200, "{}", first.text());
    let again = post(a, "image/png", &png);
    assert_eq!((again.status, again.text()), (200, first.text()));
    assert_eq!(metric(admin(&s), "barcoded_decode_cache_hits_total"), 1.0);
    // The same bytes as Base64 text are another upload (read differently): decoded.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
    assert_eq!(post(a, "text/plain", b64.as_bytes()).status, 200);
    assert_eq!(metric(admin(&s), "barcoded_decode_cache_hits_total"), 1.0);
    s.shutdown();
}
