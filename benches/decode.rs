//! `/v1/decode`'s work on a typical 1 MP label photo (`fixtures/label-1mp.jpg`: 1280x800,
//! an EAN-13, a Code 128 and a QR code, turned, blurred, noisy; made by
//! `fixtures/make_label_photo.py`): JPEG to luma, then the reader (zxing-cpp with its
//! thorough settings, in this process), then the whole round trip through a decode worker
//! process as the server does it. zxing-cpp's own Python build on the same luma is timed
//! beside it by `benches/decode_vs_zxing.py`.

use barcoded::decoder::wire::Request;
use barcoded::decoder::{Decoders, WorkerSpec};
use barcoded::reader::{luma, read, Ask, DecodeLimits};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

fn photo(c: &mut Criterion) {
    let jpeg = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/fixtures/label-1mp.jpg")).unwrap();
    let limits = DecodeLimits::default();
    let (px, w, h) = luma(&jpeg, &limits).unwrap();
    // What is measured must work: the reader finds all three codes.
    let mut texts: Vec<String> = read(&px, w, h).into_iter().map(|f| f.text).collect();
    texts.sort();
    assert_eq!(texts, ["5901234123457", "ORD-2026-000123", "https://shop.example.com/o/123"]);
    let pool = Decoders::new(WorkerSpec { exe: env!("CARGO_BIN_EXE_barcoded").into(), memory_mib: 1024 });
    let far = || Instant::now() + Duration::from_secs(10);
    let ask = Ask::default();
    let job = Request { fault: 0, limits, ask: &ask, image: &jpeg };
    assert_eq!(pool.decode(&job, far()).unwrap().unwrap().found.len(), 3);
    let mut g = c.benchmark_group("decode/label-1mp");
    g.bench_function("jpeg to luma", |b| b.iter(|| luma(black_box(&jpeg), &limits).map(|l| l.1)));
    g.bench_function("read (zxing-cpp, in process)", |b| b.iter(|| read(black_box(&px), w, h).len()));
    g.bench_function("jpeg through a worker process", |b| {
        b.iter(|| pool.decode(black_box(&job), far()).map(|r| r.map(|r| r.found.len())).ok())
    });
    g.finish();
}

criterion_group! { name = benches; config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_millis(500)); targets = photo }
criterion_main!(benches);
