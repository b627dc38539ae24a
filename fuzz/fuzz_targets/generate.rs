//! Generation from a request's parts: any symbology, data and query string is refused
//! with a typed error or renders to a PNG and an SVG within the pixel limit.
#![no_main]
use barcoded::api::options;
use barcoded::render::{bitmap::Bitmap, layout, png, svg};
use barcoded::symbology::{encode, Symbology};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &[u8], &[u8])| {
    let (which, data, query) = input;
    let all: Vec<Symbology> = Symbology::all().collect();
    let sym = all[which as usize % all.len()];
    let Ok(p) = options::parse(sym, options::Format::from_ext(b"png").unwrap(), query, true) else { return };
    let Ok(e) = encode(sym, data, &p.encode) else { return };
    let Ok(l) = layout::layout(&e.symbol, &p.render, 4_000_000) else { return };
    let bm = Bitmap::from_layout(&l).rotate(p.render.rotate);
    assert!(png::encode(&bm, &p.render).starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(svg::encode(&l, &p.render).ends_with("</svg>"));
});
