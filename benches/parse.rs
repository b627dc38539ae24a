//! GS1 element-string parsing and validation per code (bracketed form, as GS1-128 takes it).

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
}

criterion_group! { name = benches; config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(1)).warm_up_time(std::time::Duration::from_millis(300)); targets = gs1 }
criterion_main!(benches);
