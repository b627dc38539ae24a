//! Where a cold PNG render's time goes, stage by stage, for each case of
//! `benches/libzint_cases.tsv` (the cases `benches/libzint.sh` compares): `prepare` (options,
//! validation, encoding, cache key), then within `render` the layout, the raster and the
//! zlib stream. Microseconds per call; the image's size and its PNG's bytes alongside.
//! `cargo bench --bench stages [-- NAME]` (one case by name).

/// The service's allocator (src/main.rs), so that allocation costs what it costs there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use barcoded::api::generate::{self, DataSource};
use barcoded::api::options::Format;
use barcoded::render::{bitmap::Bitmap, deflate, layout, png};
use barcoded::symbology::Symbology;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Microseconds per call of `f`, over at least 50 ms after a warm-up.
fn time(mut f: impl FnMut()) -> f64 {
    for _ in 0..100 {
        f();
    }
    let (t0, mut n) = (Instant::now(), 0u64);
    while t0.elapsed() < Duration::from_millis(50) {
        for _ in 0..50 {
            f();
        }
        n += 50;
    }
    t0.elapsed().as_secs_f64() / n as f64 * 1e6
}

fn main() {
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let cases = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/libzint_cases.tsv")).unwrap();
    let png_format = Format::from_ext(b"png").unwrap();
    println!(
        "{:<18} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6}",
        "symbology", "prepare", "render", "layout", "raster", "zlib", "pixels", "bytes"
    );
    for line in cases.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, data) = (f[0], f[2]);
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let sym = Symbology::from_name(name.as_bytes()).unwrap();
        // The case's own options (a fifth column) after scale=2, as benches/vs_libzint.rs.
        let query = f.get(4).map_or("scale=2".to_string(), |more| format!("scale=2&{more}"));
        let prepare =
            || generate::prepare(sym, png_format, DataSource::QueryOrBody(data.as_bytes()), query.as_bytes()).unwrap();
        let p = prepare();
        let lay = layout::layout(&p.symbol, &p.render, 100_000_000).unwrap();
        let bm = Bitmap::from_layout(&lay);
        println!(
            "{:<18} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9} {:>6}",
            name,
            time(|| drop(black_box(prepare()))),
            time(|| drop(black_box(generate::render(&p, 100_000_000).unwrap()))),
            time(|| drop(black_box(layout::layout(&p.symbol, &p.render, 100_000_000).unwrap()))),
            time(|| drop(black_box(Bitmap::from_layout(&lay)))),
            time(|| drop(black_box(deflate::zlib_scanlines(&bm.bits, bm.stride, true)))),
            format!("{}x{}", bm.width, bm.height),
            png::encode(&bm, &p.render).len(),
        );
    }
}
