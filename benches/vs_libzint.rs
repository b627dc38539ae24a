//! Our side of `benches/libzint.sh`: for each case of `benches/libzint_cases.tsv`, two
//! figures, microseconds per PNG at 2 pixels per module (as libzint's side encodes and
//! rasterises at its scale 1):
//! - `render`, the work libzint's `ZBarcode_Encode_and_Buffer` does, plus PNG: options read
//!   (`scale=2` and the case's own, if any), data validated and encoded, layout, raster, PNG (zlib stream and chunks);
//! - `request`, the whole pure path of a cold request (`generate::prepare` then
//!   `generate::render`): the above plus what only a service does — the canonical cache
//!   key, the ETag, the response head assembled around the body.
//!
//! Both with the service's allocator (mimalloc). Prints "name<TAB>render<TAB>request" per case.
//! `cargo bench --bench vs_libzint [-- SECONDS] [NAME ...]`.

/// The service's allocator (src/main.rs), so that allocation costs what it costs there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use barcoded::api::generate::{self, DataSource};
use barcoded::api::options::{self, Format};
use barcoded::render::{bitmap::Bitmap, layout, png};
use barcoded::symbology::{self, Symbology};
use std::time::{Duration, Instant};

/// Microseconds per call of `once`, over at least `min` seconds after one warm-up call.
fn time(min: f64, once: impl Fn()) -> f64 {
    once();
    let (t0, mut n) = (Instant::now(), 0u64);
    while t0.elapsed() < Duration::from_secs_f64(min) {
        for _ in 0..20 {
            once();
        }
        n += 20;
    }
    t0.elapsed().as_secs_f64() / n as f64 * 1e6
}

fn main() {
    let min = std::env::args().skip(1).find_map(|a| a.parse::<f64>().ok()).unwrap_or(0.5);
    // Any other argument names the cases to run (all when none is given).
    let only: Vec<String> =
        std::env::args().skip(1).filter(|a| a.parse::<f64>().is_err() && !a.starts_with('-')).collect();
    let cases = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/libzint_cases.tsv")).unwrap();
    let fmt = Format::from_ext(b"png").unwrap();
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, data) = (f[0], f[2]);
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let sym = Symbology::from_name(name.as_bytes()).unwrap();
        let query = match f.get(4) {
            Some(more) => format!("scale=2&{more}"),
            None => "scale=2".to_string(),
        };
        let query = query.as_bytes();
        let render = time(min, || {
            let o = options::parse(sym, fmt, query, true).unwrap();
            let e = symbology::encode(sym, data.as_bytes(), &o.encode).unwrap();
            let l = layout::layout(&e.symbol, &o.render, 100_000_000).unwrap();
            std::hint::black_box(png::encode(&Bitmap::from_layout(&l), &o.render));
        });
        let request = time(min, || {
            let p = generate::prepare(sym, fmt, DataSource::QueryOrBody(data.as_bytes()), query).unwrap();
            std::hint::black_box(generate::render(&p, 100_000_000).unwrap());
        });
        println!("{name}\t{render:.2}\t{request:.2}");
    }
}
