//! L3: a real caching proxy (nginx `proxy_cache`, from apt) in front of barcoded serves
//! repeats without reaching us, and revalidates with `If-None-Match`, which we answer 304.
//! A cache honouring our `max-age=31536000, immutable` would not revalidate within a year,
//! so the proxy here is told to keep entries for one second to exercise revalidation.

mod common;

use common::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Nginx(Child, std::path::PathBuf);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn nginx(upstream: std::net::SocketAddr, port: u16) -> Nginx {
    let dir = std::env::temp_dir().join(format!("barcoded-l3-{}-{port}", std::process::id()));
    std::fs::create_dir_all(dir.join("cache")).unwrap();
    let conf = format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    proxy_cache_path {d}/cache keys_zone=l3:1m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache l3;
            proxy_cache_revalidate on;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_valid 200 1s;
            add_header X-Cache $upstream_cache_status;
        }}
    }}
}}
"#,
        d = dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new("nginx")
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx is installed (apt-get install nginx)");
    let n = Nginx(child, dir);
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t.elapsed() < Duration::from_secs(10), "nginx did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    n
}

fn served(addr: std::net::SocketAddr, status: u16) -> f64 {
    let text = get(addr, "/metrics").text();
    ["generate", "generate_hit"]
        .iter()
        .filter_map(|r| {
            let s = format!("barcoded_requests_total{{route=\"{r}\",status=\"{status}\"}} ");
            text.lines().find_map(|l| l.strip_prefix(s.as_str()).map(|v| v.parse::<f64>().unwrap()))
        })
        .sum()
}

#[test]
fn a_caching_proxy_serves_repeats_and_revalidates_with_the_etag() {
    if !need("nginx", "a real caching proxy in front") {
        return;
    }
    let s = start(|_| {});
    let ours = s.local_addr();
    let port = free_port();
    let _n = nginx(ours, port);
    let proxy: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let path = "/v1/ean13/590123412345.png?scale=3";
    let first = get(proxy, path);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("X-Cache"), Some("MISS"));
    let etag = first.header("ETag").unwrap().to_string();
    assert_eq!(served(admin(&s), 200), 1.0);
    for _ in 0..5 {
        let r = get(proxy, path);
        assert_eq!(r.header("X-Cache"), Some("HIT"));
        assert_eq!(r.body, first.body);
    }
    assert_eq!(served(admin(&s), 200), 1.0, "repeats never reached us");
    std::thread::sleep(Duration::from_millis(2200));
    let r = get(proxy, path);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Cache"), Some("REVALIDATED"));
    assert_eq!(r.header("ETag"), Some(etag.as_str()));
    assert_eq!(r.body, first.body);
    assert_eq!(served(admin(&s), 304), 1.0, "the proxy asked with If-None-Match and got a 304");
    assert_eq!(served(admin(&s), 200), 1.0);
    s.shutdown();
}

/// The usual deployment: nginx on the same host proxies the public port. Every request then
/// comes from loopback, so operations must not trust the peer address: through the proxy
/// `/admin/reload` and `/metrics` are 404, while the admin listener still serves them.
#[test]
fn operations_are_not_reachable_through_a_local_proxy() {
    if !need("nginx", "a real caching proxy in front") {
        return;
    }
    let s = start(|_| {});
    let port = free_port();
    let _n = nginx(s.local_addr(), port);
    let proxy: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let r = raw(proxy, b"POST /admin/reload HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(get(proxy, "/metrics").status, 404);
    assert_eq!(get(proxy, "/v1/ean13/590123412345.png").status, 200);
    assert_eq!(get(admin(&s), "/metrics").status, 200);
    s.shutdown();
}
