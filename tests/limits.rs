//! Slow, broken and numerous clients: slowloris, resets mid-request, thousands of idle
//! connections, and shutdown.

mod common;
use common::*;
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn slowloris_is_cut_off_and_does_not_delay_others() {
    let s = start(|c| c.limits.header_timeout = Duration::from_secs(1));
    let a = s.local_addr();
    let mut slow = connect(a);
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    let t0 = Instant::now();
    let mut cut = false;
    while t0.elapsed() < Duration::from_secs(5) {
        // Meanwhile, other clients are served at once.
        let q = Instant::now();
        assert_eq!(get(a, "/healthz").status, 200);
        assert!(q.elapsed() < Duration::from_millis(500));
        if slow.write_all(b"X-a: b\r\n").is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(cut, "a trickling client must be disconnected after the header timeout");
    assert!(t0.elapsed() < Duration::from_secs(4));
    s.shutdown();
}

#[test]
fn reset_mid_request_is_harmless() {
    let s = start(|_| {});
    let a = s.local_addr();
    for _ in 0..50 {
        let c = TcpStream::connect(a).unwrap();
        (&c).write_all(b"GET /v1/ean13/5901234").unwrap();
        socket2::SockRef::from(&c).set_linger(Some(Duration::ZERO)).unwrap();
        drop(c); // RST
    }
    assert_eq!(get(a, "/v1/ean13/590123412345.png").status, 200);
    s.shutdown();
}

#[test]
fn thousands_of_idle_connections_do_not_hurt_service() {
    let s = start(|_| {});
    let a = s.local_addr();
    let idle: Vec<TcpStream> = (0..5000).map(|_| TcpStream::connect(a).unwrap()).collect();
    let t = Instant::now();
    for _ in 0..20 {
        assert_eq!(get(a, "/v1/ean13/590123412345.png").status, 200);
    }
    assert!(t.elapsed() < Duration::from_secs(5));
    drop(idle);
    s.shutdown();
}

#[test]
fn shutdown_stops_accepting_promptly() {
    let s = start(|_| {});
    let a = s.local_addr();
    let _idle = TcpStream::connect(a).unwrap();
    assert_eq!(get(a, "/readyz").status, 200);
    let t = Instant::now();
    s.shutdown();
    assert!(t.elapsed() < Duration::from_secs(3));
    assert!(TcpStream::connect_timeout(&a, Duration::from_millis(500)).is_err());
}

/// A keep-alive client whose socket is bound to `from` (any 127/8 address reaches us).
fn client_from(from: &str, to: std::net::SocketAddr) -> Client {
    let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    s.bind(&format!("{from}:0").parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    s.connect(&to.into()).unwrap();
    let s: TcpStream = s.into();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    Client::from_stream(s)
}

#[test]
fn a_client_over_its_cold_rate_gets_429_and_others_do_not() {
    let s = start(|c| {
        c.limits.client_rate = 2;
        c.limits.client_burst = 3;
    });
    let a = s.local_addr();
    let mut greedy = client_from("127.0.0.1", a);
    for n in 0..3 {
        assert_eq!(greedy.get(&format!("/v1/code128/GREEDY-{n}.png")).status, 200);
    }
    let r = greedy.get("/v1/code128/GREEDY-3.png");
    assert_eq!(r.status, 429, "{}", r.text());
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(r.text().contains("\"code\":\"client_rate\"") && r.text().contains("at most 2 per second"), "{}", r.text());
    // Its cached answers are still served: hits cost no tokens.
    assert_eq!(greedy.get("/v1/code128/GREEDY-0.png").status, 200);
    // Another client address has its own bucket.
    let mut other = client_from("127.0.0.2", a);
    assert_eq!(other.get("/v1/code128/OTHER-0.png").status, 200);
    // Decodes draw on the same bucket.
    let png = greedy.get("/v1/code128/GREEDY-0.png").body;
    let mut req =
        format!("POST /v1/decode HTTP/1.1\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n", png.len())
            .into_bytes();
    req.extend_from_slice(&png);
    assert_eq!(greedy.request(&req).status, 429);
    // Half a second refills one token.
    std::thread::sleep(Duration::from_millis(550));
    assert_eq!(greedy.get("/v1/code128/GREEDY-4.png").status, 200);
    assert_eq!(greedy.get("/v1/code128/GREEDY-5.png").status, 429);
    std::thread::sleep(Duration::from_millis(1100));
    assert!(metric(admin(&s), "barcoded_events_total{event=\"client_limited\"}") >= 3.0);
    s.shutdown();
}
