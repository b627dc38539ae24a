//! `POST /v1/batch` end to end over real sockets: the body is streamed (chunked, read back
//! whole, the connection kept), and other clients are served while batches run.

mod common;
use common::*;
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A batch of `n` distinct Code 128 symbols as SVG at scale 4 (about 1.5 KB each, cheap to
/// encode even in a debug build).
fn code128_batch(n: usize, tag: &str) -> Vec<u8> {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"symbology":"code128","data":"SHIP-{tag}-{i:06}-XYZ","options":{{"scale":4}}}}"#))
        .collect();
    format!(r#"{{"format":"svg","output":"zip","items":[{}]}}"#, items.join(",")).into_bytes()
}

fn post(body: &[u8]) -> Vec<u8> {
    let mut req = format!("POST /v1/batch HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    req.extend_from_slice(body);
    req
}

/// Decodes a chunked body; `None` when it is cut short.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = b.windows(2).position(|w| w == b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&b[..line_end]).ok()?, 16).ok()?;
        b = &b[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

#[test]
fn a_batch_streams_a_whole_zip() {
    let s = start(|_| {});
    let a = s.local_addr();
    let mut st = connect(a);
    st.write_all(&post(&code128_batch(200, "whole"))).unwrap();
    let mut r = BufReader::new(st);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        r.read_line_compat(&mut line);
        if line == "\r\n" || line.is_empty() {
            break;
        }
        head.push_str(&line);
    }
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("Transfer-Encoding: chunked"), "{head}");
    // Read to the last chunk (the connection stays open: keep-alive).
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    while !raw.ends_with(b"0\r\n\r\n") {
        let n = match r.read(&mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            n => n.unwrap(),
        };
        assert!(n > 0, "closed before the last chunk");
        raw.extend_from_slice(&buf[..n]);
    }
    let zip = dechunk(&raw).expect("a complete chunked body");
    // 200 local headers and 200 central directory entries.
    assert_eq!(zip.windows(4).filter(|w| w == b"PK\x03\x04").count(), 200);
    assert_eq!(zip.windows(4).filter(|w| w == b"PK\x01\x02").count(), 200);
    assert!(zip.len() > 200 * 1000, "{} bytes", zip.len());
    // The same connection answers the next request.
    let mut st = r.into_inner();
    st.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let resp = read_response(&mut BufReader::new(st), false).unwrap();
    assert_eq!(resp.status, 200);
    s.shutdown();
}

/// A small extension so the test reads header lines without pulling in more helpers.
trait ReadLine {
    fn read_line_compat(&mut self, s: &mut String);
}

impl<R: Read> ReadLine for BufReader<R> {
    fn read_line_compat(&mut self, s: &mut String) {
        use std::io::BufRead;
        self.read_line(s).unwrap();
    }
}

/// While 20 clients' 1,000-item batches are being checked and written (and never read),
/// a fresh client's requests — a health check, a cold render — are answered at once: the
/// batches' work runs on the render thread as background work, not on the core's loop.
/// (Their memory and the write timeout are checked against the release binary in
/// tests/labels/test_batch.py, where the allocator is the service's own.)
#[test]
fn hits_and_cold_renders_are_served_while_batches_run() {
    let s = start(|c| {
        c.limits.write_timeout = Duration::from_secs(3);
        // A debug build on a loaded machine checks a chunk of items in tens of ms, and a
        // render queued behind the chunk in progress would spend the default 50 ms budget
        // waiting (released, a chunk takes well under 1 ms): the point here is that requests
        // are served, not starved.
        c.render_budget = Duration::from_secs(2);
    });
    let a = s.local_addr();
    let mut conns = Vec::new();
    for i in 0..20 {
        let mut st = TcpStream::connect(a).unwrap();
        st.write_all(&post(&code128_batch(1000, &format!("c{i}")))).unwrap();
        conns.push(st);
    }
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(get(a, "/healthz").status, 200);
    let health = t.elapsed();
    let t = Instant::now();
    let r = get(a, "/v1/ean13/590123412345.png?scale=7");
    assert_eq!(r.status, 200, "{}", r.text());
    let cold = t.elapsed();
    eprintln!("while 20 batches run: health check {health:?}, cold render {cold:?}");
    assert!(health < Duration::from_secs(1) && cold < Duration::from_secs(1), "{health:?} {cold:?}");
    drop(conns);
    s.shutdown();
}
