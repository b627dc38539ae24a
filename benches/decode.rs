//! `/v1/decode`'s work on a typical 1 MP label photo (`fixtures/label-1mp.jpg`: 1280x800,
//! an EAN-13, a Code 128 and a QR code, turned, blurred, noisy; made by
//! `fixtures/make_label_photo.py`): JPEG to luma, then the reader as shipped (two passes
//! for photos) against one thorough full-size pass, the reader before it.

use barcoded::reader::{luma, read, read_pass, DecodeLimits};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn photo(c: &mut Criterion) {
    let jpeg = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/fixtures/label-1mp.jpg")).unwrap();
    let limits = DecodeLimits::default();
    let (px, w, h) = luma(&jpeg, &limits).unwrap();
    // What is measured must work: both readers find all three codes.
    for found in [read(px.clone(), w, h), read_pass(px.clone(), w, h, true, 1.0)] {
        let mut texts: Vec<String> = found.into_iter().map(|f| f.text).collect();
        texts.sort();
        assert_eq!(texts, ["5901234123457", "ORD-2026-000123", "https://shop.example.com/o/123"]);
    }
    let mut g = c.benchmark_group("decode/label-1mp");
    g.bench_function("jpeg to luma", |b| b.iter(|| luma(black_box(&jpeg), &limits).map(|l| l.1)));
    g.bench_function("read: two passes (shipped)", |b| b.iter(|| read(black_box(px.clone()), w, h).len()));
    g.bench_function("read: one thorough pass (before)", |b| {
        b.iter(|| read_pass(black_box(px.clone()), w, h, true, 1.0).len())
    });
    g.finish();
}

criterion_group! { name = benches; config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_millis(500)); targets = photo }
criterion_main!(benches);
