//! Our side of `benches/libzint.sh`: for each case of `benches/libzint_cases.tsv`, the time to
//! make the PNG a cold request makes (`generate::prepare`: parse, validate, encode; then
//! `generate::render`: layout, raster, PNG) at 2 pixels per module, as libzint's side
//! encodes and rasterises at its scale 1. Prints "name<TAB>microseconds" per case.
//! `cargo bench --bench vs_libzint [-- SECONDS] [NAME ...]`.

use barcoded::api::generate::{self, DataSource};
use barcoded::api::options::Format;
use barcoded::symbology::Symbology;
use std::time::{Duration, Instant};

fn main() {
    let min = std::env::args().skip(1).find_map(|a| a.parse::<f64>().ok()).unwrap_or(0.5);
    // Any other argument names the cases to run (all when none is given).
    let only: Vec<String> =
        std::env::args().skip(1).filter(|a| a.parse::<f64>().is_err() && !a.starts_with('-')).collect();
    let cases = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/libzint_cases.tsv")).unwrap();
    let png = Format::from_ext(b"png").unwrap();
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, data) = (f[0], f[2]);
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        let sym = Symbology::from_name(name.as_bytes()).unwrap();
        let once = || {
            let p = generate::prepare(sym, png, DataSource::QueryOrBody(data.as_bytes()), b"scale=2").unwrap();
            std::hint::black_box(generate::render(&p, 100_000_000).unwrap());
        };
        once();
        let (t0, mut n) = (Instant::now(), 0u64);
        while t0.elapsed() < Duration::from_secs_f64(min) {
            for _ in 0..20 {
                once();
            }
            n += 20;
        }
        println!("{name}\t{:.2}", t0.elapsed().as_secs_f64() / n as f64 * 1e6);
    }
}
