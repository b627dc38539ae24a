//! Cold render time per symbology, PNG and SVG, through our whole pure path (validate,
//! encode, layout, raster, PNG/SVG). Baselines in the same groups: the straightforward
//! crate path for EAN-13, Code 128 and QR (barcoders/qrcode modules drawn into an 8-bit
//! grayscale image and written by the `png` crate with default settings), so the ratio
//! is visible.

use barcoded::api::options;
use barcoded::render::{bitmap::Bitmap, layout, png, svg};
use barcoded::symbology::{encode, Symbology};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const SAMPLES: [(&str, &str); 15] = [
    ("ean13", "590123412345"),
    ("ean8", "9638507"),
    ("upca", "03600029145"),
    ("upce", "0425261"),
    ("itf", "12345678901234"),
    ("itf14", "1540014128876"),
    ("code128", "ORD-123456789-42"),
    ("gs1-128", "(01)09506000134352(17)261231(10)ABC"),
    ("code39", "CODE39-LABEL"),
    ("code93", "Code93-label"),
    ("codabar", "A40156B"),
    ("qr", "https://shop.example.com/o/1234567890"),
    ("datamatrix", "https://shop.example.com/o/1234567890"),
    ("pdf417", "https://shop.example.com/o/1234567890"),
    ("aztec", "https://shop.example.com/o/1234567890"),
];

fn ours_png(sym: Symbology, data: &str) -> Vec<u8> {
    let p = options::parse(sym, options::Format::from_ext(b"png").unwrap(), b"", true).unwrap();
    let e = encode(sym, data.as_bytes(), &p.encode).unwrap();
    let l = layout::layout(&e.symbol, &p.render, 16_000_000).unwrap();
    png::encode(&Bitmap::from_layout(&l), &p.render)
}

fn ours_svg(sym: Symbology, data: &str) -> String {
    let p = options::parse(sym, options::Format::from_ext(b"png").unwrap(), b"", true).unwrap();
    let e = encode(sym, data.as_bytes(), &p.encode).unwrap();
    svg::encode(&layout::layout(&e.symbol, &p.render, 16_000_000).unwrap(), &p.render)
}

fn png_crate_fast(sym: Symbology, data: &str) -> Vec<u8> {
    let p = options::parse(sym, options::Format::from_ext(b"png").unwrap(), b"", true).unwrap();
    let e = encode(sym, data.as_bytes(), &p.encode).unwrap();
    let bm = Bitmap::from_layout(&layout::layout(&e.symbol, &p.render, 16_000_000).unwrap());
    let inv: Vec<u8> = bm.bits.iter().map(|b| !b).collect();
    let mut out = Vec::new();
    let mut enc = ::png::Encoder::new(&mut out, bm.width, bm.height);
    enc.set_color(::png::ColorType::Grayscale);
    enc.set_depth(::png::BitDepth::One);
    enc.set_compression(::png::Compression::Fast);
    enc.set_filter(::png::Filter::Up);
    enc.write_header().unwrap().write_image_data(&inv).unwrap();
    out
}

/// The straightforward path: modules → 8-bit gray pixels → `png` defaults.
fn naive_png(modules: &[bool], rows: usize, scale: usize, height: usize) -> Vec<u8> {
    let w = modules.len() / rows * scale;
    let h = if rows == 1 { height * scale } else { rows * scale };
    let mut px = vec![255u8; w * h];
    for y in 0..h {
        for x in 0..w {
            let (mx, my) = (x / scale, if rows == 1 { 0 } else { y / scale });
            if modules[my * (modules.len() / rows) + mx] {
                px[y * w + x] = 0;
            }
        }
    }
    let mut out = Vec::new();
    let mut enc = ::png::Encoder::new(&mut out, w as u32, h as u32);
    enc.set_color(::png::ColorType::Grayscale);
    enc.set_depth(::png::BitDepth::Eight);
    enc.write_header().unwrap().write_image_data(&px).unwrap();
    out
}

fn render(c: &mut Criterion) {
    for (name, data) in SAMPLES {
        let sym = Symbology::from_name(name.as_bytes()).expect("a served symbology");
        let mut g = c.benchmark_group(format!("render/{name}"));
        g.bench_function("png", |b| b.iter(|| ours_png(sym, black_box(data))));
        g.bench_function("svg", |b| b.iter(|| ours_svg(sym, black_box(data))));
        // The same raster through the png crate's fastest good setting (fdeflate, Up filter):
        // the alternative to our own deflate (src/render/deflate.rs).
        g.bench_function("png-crate-fast", |b| b.iter(|| png_crate_fast(sym, black_box(data))));
        match name {
            "ean13" => g.bench_function("naive-barcoders-png", |b| {
                b.iter(|| {
                    let m = barcoders::sym::ean13::EAN13::new(black_box(data)).unwrap().encode();
                    let m: Vec<bool> = m.iter().map(|&x| x == 1).collect();
                    naive_png(&m, 1, 2, 69)
                })
            }),
            "code128" => g.bench_function("naive-barcoders-png", |b| {
                b.iter(|| {
                    let m = barcoders::sym::code128::Code128::new(format!("Ɓ{}", black_box(data))).unwrap().encode();
                    let m: Vec<bool> = m.iter().map(|&x| x == 1).collect();
                    naive_png(&m, 1, 2, 50)
                })
            }),
            "qr" => g.bench_function("naive-qrcode-png", |b| {
                b.iter(|| {
                    let q = qrcode::QrCode::with_error_correction_level(black_box(data), qrcode::EcLevel::M).unwrap();
                    let n = q.width();
                    let m: Vec<bool> = q.to_colors().iter().map(|c| *c == qrcode::Color::Dark).collect();
                    naive_png(&m, n, 4, 0)
                })
            }),
            _ => &mut g,
        };
        g.finish();
    }
}

criterion_group! { name = benches; config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_millis(800)).warm_up_time(std::time::Duration::from_millis(300)); targets = render }
criterion_main!(benches);
