//! GS1 element-string parsing and validation per code (bracketed form, as GS1-128 takes
//! it), and the whole `/v1/parse` description (JSON included) for three kinds of code.

use barcoded::api::describe::{describe, ParseRequest};
use barcoded::symbology::gs1_128::parse_bracketed;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn gs1(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse/gs1-bracketed");
    for s in [
        "(01)09506000134352",
        "(01)09506000134352(17)261231(10)ABC",
        "(00)106141411234567897(3103)001234(15)270101(21)SERIAL-000042",
    ] {
        g.bench_function(format!("{} AIs", s.matches('(').count()), |b| {
            b.iter(|| parse_bracketed(black_box(s)).map(|e| e.len()))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("parse/describe");
    for code in [
        "5901234123457",
        "]C10109506000134352\u{1d}10ABC123\u{1d}17261231",
        "https://id.gs1.org/01/09506000134352/10/ABC?17=261231",
    ] {
        let req = ParseRequest { code: code.into(), symbology: None };
        g.bench_function(code.chars().take(12).collect::<String>(), |b| {
            b.iter(|| describe(black_box(&req)).to_string())
        });
    }
    g.finish();
}

criterion_group! { name = benches; config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(1)).warm_up_time(std::time::Duration::from_millis(300)); targets = gs1 }
criterion_main!(benches);
