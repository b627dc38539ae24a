//! Helpers for end-to-end tests: start a server in-process on 127.0.0.1:0 and speak raw
//! HTTP/1.1 to it over blocking sockets.
#![allow(dead_code)]

use barcoded::{Config, Server};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Starts a one-thread server with test-friendly settings over the flags' defaults (the same
/// path as the binary's: `Config::default()` parses an empty command line); `tweak` adjusts it.
pub fn start(tweak: impl FnOnce(&mut Config)) -> Server {
    let mut c = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: Some("127.0.0.1:0".parse().unwrap()),
        threads: 1,
        pin: false,
        // The test binary is not `barcoded`: decodes start the real one as their workers.
        decode_worker_exe: Some(env!("CARGO_BIN_EXE_barcoded").into()),
        // No hot keys: their keeper would change the pool 30 s in, under another test's
        // assertions (the tests of hot keys turn them on).
        hot_keys: 0,
        ..Config::default()
    };
    c.shutdown_grace = Duration::from_secs(1);
    tweak(&mut c);
    Server::start(c).expect("server starts")
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_nodelay(true).unwrap();
    s
}

/// A parsed response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads one response; `head` says the request was HEAD (no body follows).
pub fn read_response(r: &mut BufReader<TcpStream>, head: bool) -> Option<Response> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let status: u16 = line.split(' ').nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let chunked = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == "chunked");
    if chunked && !head {
        let mut body = Vec::new();
        loop {
            let mut size = String::new();
            r.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim_end(), 16).ok()?;
            if n == 0 {
                let mut end = String::new();
                r.read_line(&mut end).ok()?;
                return Some(Response { status, headers, body });
            }
            let at = body.len();
            body.resize(at + n + 2, 0);
            r.read_exact(&mut body[at..]).ok()?;
            body.truncate(at + n);
        }
    }
    let len: usize =
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; if head || status == 304 { 0 } else { len }];
    r.read_exact(&mut body).ok()?;
    Some(Response { status, headers, body })
}

/// Sends one raw request on a new connection and reads one response.
pub fn raw(addr: SocketAddr, req: &[u8]) -> Response {
    let mut s = connect(addr);
    s.write_all(req).unwrap();
    let head = req.starts_with(b"HEAD ");
    read_response(&mut BufReader::new(s), head).expect("a response")
}

/// GET `path` on a new connection.
/// One request with these headers and body on a new connection (`Content-Length` set).
pub fn req(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    r.push_str(body);
    raw(addr, r.as_bytes())
}

pub fn get(addr: SocketAddr, path: &str) -> Response {
    raw(addr, format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
}

/// True when the peer has closed the connection (EOF or reset) within the read timeout.
pub fn closed(r: &mut BufReader<TcpStream>) -> bool {
    let mut b = [0u8; 1];
    matches!(r.read(&mut b), Ok(0) | Err(_))
}

/// A client that keeps one connection open (keep-alive) and times each request.
pub struct Client {
    r: BufReader<TcpStream>,
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        Client { r: BufReader::new(connect(addr)) }
    }

    pub fn from_stream(s: TcpStream) -> Client {
        s.set_nodelay(true).unwrap();
        Client { r: BufReader::new(s) }
    }

    pub fn get(&mut self, path: &str) -> Response {
        self.request(format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
    }

    /// The connection itself.
    pub fn stream(&mut self) -> &mut TcpStream {
        self.r.get_mut()
    }

    pub fn request(&mut self, req: &[u8]) -> Response {
        self.r.get_mut().write_all(req).unwrap();
        read_response(&mut self.r, req.starts_with(b"HEAD ")).expect("a response")
    }
}

/// The admin listener's address of a server started by `start`.
pub fn admin(s: &barcoded::Server) -> SocketAddr {
    s.admin_addr().expect("the admin listener is on")
}

/// The value of one sample of `GET /metrics` on the admin listener `addr`, e.g.
/// `barcoded_events_total{event="render"}`.
pub fn metric(addr: SocketAddr, sample: &str) -> f64 {
    let text = get(addr, "/metrics").text();
    text.lines()
        .find_map(|l| l.strip_prefix(sample).and_then(|v| v.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{sample} not in /metrics:\n{text}"))
}

/// A metric's value once `ok` holds for it, or its last value after `within`: the cores
/// publish their counters once a tick, and a busy machine delays a tick.
pub fn metric_when(addr: SocketAddr, sample: &str, ok: impl Fn(f64) -> bool, within: Duration) -> f64 {
    let until = std::time::Instant::now() + within;
    loop {
        let v = metric(addr, sample);
        if ok(v) || std::time::Instant::now() >= until {
            return v;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The p-th percentile (0-100) of durations.
pub fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort_unstable();
    if v.is_empty() {
        return Duration::ZERO;
    }
    v[((v.len() - 1) as f64 * p / 100.0).round() as usize]
}

/// A free loopback port (bound then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether an outside program a test needs (redis-server, nginx) is installed. Without it the
/// test says why it skips and passes — `cargo test` works with only the Rust toolchain —
/// unless `BARCODED_REQUIRE_TOOLS=1` (set by `scripts/test.sh` and so by CI, which install
/// them), where a missing tool fails the test instead of hiding it.
pub fn need(tool: &str, why: &str) -> bool {
    let found =
        std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(tool).is_file()));
    if found {
        return true;
    }
    if std::env::var("BARCODED_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("{tool} is required here ({why}); install it (scripts/test.sh does, as root)");
    }
    eprintln!("skipped: {tool} is not installed ({why}); scripts/test.sh installs it and runs this test");
    false
}
