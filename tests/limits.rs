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
