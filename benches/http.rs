//! The hit path without sockets: parse the request head, look the raw target up in the L1,
//! write the ready response into a reused buffer. Baseline in the same group: a naive
//! allocation-per-request server path (owned strings, a header map, a mutex-guarded map
//! and a freshly formatted response).

use barcoded::cache::l1::L1;
use barcoded::http::date::DateCache;
use barcoded::http::encode::{write_ready, ConnHeader, Ready};
use barcoded::http::head::{parse, HeadLimits, Parsed};
use barcoded::http::out::Out;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const REQ: &[u8] =
    b"GET /v1/ean13/590123412345.png HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n";

fn hit(c: &mut Criterion) {
    let body = vec![0x89u8; 234];
    let l1 = L1::new(1 << 26, 2);
    l1.insert(b"/v1/ean13/590123412345.png", Arc::new(Ready::new("image/png", "\"0123456789abcdef\"", &[], &body)));
    let date = DateCache::default();
    let limits = HeadLimits { max_uri: 8192, max_header_bytes: 16384 };
    let mut out = Out::new();
    let mut g = c.benchmark_group("http/hit");
    g.bench_function("ours", |b| {
        b.iter(|| {
            out.clear(4096);
            if let Ok(Parsed::Complete(h)) = parse(black_box(REQ), limits) {
                if let Some(r) = l1.get(h.target) {
                    write_ready(&mut out, date.line(), &r, false, ConnHeader::None);
                }
            }
            black_box(out.len())
        })
    });
    let naive: Mutex<HashMap<String, Vec<u8>>> =
        Mutex::new(HashMap::from([("/v1/ean13/590123412345.png".into(), body.clone())]));
    g.bench_function("naive-alloc-per-request", |b| {
        b.iter(|| {
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut req = httparse::Request::new(&mut headers);
            let _ = req.parse(black_box(REQ));
            let path = req.path.unwrap_or("/").to_string();
            let map: HashMap<String, String> = req
                .headers
                .iter()
                .map(|h| (h.name.to_ascii_lowercase(), String::from_utf8_lossy(h.value).into_owned()))
                .collect();
            let body = naive.lock().unwrap().get(&path).cloned().unwrap_or_default();
            let date = httpdate::fmt_http_date(std::time::SystemTime::now());
            let mut resp = format!(
                "HTTP/1.1 200 OK\r\nDate: {date}\r\nServer: naive\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            resp.extend_from_slice(&body);
            black_box((resp.len(), map.len()))
        })
    });
    g.finish();
}

criterion_group! { name = benches; config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(1)).warm_up_time(std::time::Duration::from_millis(300)); targets = hit }
criterion_main!(benches);
