//! ZPL II for thermal label printers. Where the printer's own commands draw the symbol
//! they are used, at any quarter turn: linear symbols in `linear.rs` (EAN/UPC with their
//! add-ons, ITF and ITF-14 with bearer bars, Code 39 and Code 93 with full ASCII, Codabar,
//! Code 128, GS1-128), 2D ones in `matrix.rs` (QR, DataMatrix with GS1, PDF417, Aztec,
//! MaxiCode), placed by `place.rs` where our raster puts the symbol, with the module width
//! (`^BY`) from our scale. Everything else — other symbologies, options a command cannot
//! say (a pinned QR version or mask, rectangular DataMatrix, a turned MaxiCode), data it
//! would have to escape — and `zpl=graphic` get our raster as `^GF` graphic fields
//! (`render/zpl.rs`), pixel for pixel the PNG at the same resolution (`zpl_compress=z64`:
//! their data as `:Z64:`). docs/API.md's table says which, per symbology and option.
//! `label=true` (default) wraps it in `^XA ^PW ^LL … ^XZ` sized to the symbol plus the
//! offsets; `label=false` gives the field block alone. Printers draw black: `fg`/`bg` do
//! not apply.

mod linear;
mod matrix;
mod place;

use crate::render::format::{Dpis, Drawing, FormatSpec};
use crate::render::{layout, zpl};
use crate::symbology::Symbol;
use place::Place;

pub const SPEC: FormatSpec = FormatSpec {
    ext: "zpl",
    content_type: "application/zpl; charset=utf-8",
    printed: true,
    default_dpi: 203,
    // The resolutions thermal printers are made in: 6, 8, 12 and 24 dots/mm. A ZPL file
    // drawn for another (250 dpi) prints at the wrong size on every printer.
    dpis: Some(&PRINTER_DPIS),
    options: &["zpl", "zpl_compress", "label", "x", "y"],
    write,
};

/// Printer resolutions, dots per inch.
const PRINTER_DPIS: Dpis = Dpis {
    values: &[152, 203, 300, 600],
    rule: "152, 203, 300 or 600 for ZPL (6, 8, 12 or 24 dots/mm: what thermal printers print at)",
};

/// Data a command takes as it is: printable ASCII (`^FH` escapes `^ ~ _`; nothing beyond
/// ASCII, so no code page to agree on).
fn printable(data: &str) -> bool {
    data.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// The printer's own commands for the symbol, when they draw the same thing.
fn native(d: &Drawing<'_>) -> Option<String> {
    // The quiet zones as the raster has them (widened where the text line is wider).
    let o = &layout::fitted(d.symbol, d.opts);
    // The guide's module widths (`^BY`, `^BQ`, `^BX`, `^BO` magnification) are 1-10 dots.
    if d.out.graphic || o.marks || !(1..=10).contains(&o.scale) {
        return None;
    }
    let p = Place::new(d);
    match d.symbol {
        Symbol::Linear(l) => linear::fields(d, l, o, &p),
        Symbol::Matrix(m) => matrix::field(d, m, o, &p),
    }
}

fn write(d: &Drawing<'_>) -> Vec<u8> {
    let (w, h) = d.size();
    let field = native(d).unwrap_or_else(|| zpl::graphic_fields(&d.raster(), d.out.x, d.out.y, d.out.z64));
    let text = if d.out.label {
        format!("^XA^PW{}^LL{}{field}^XZ\n", w + d.out.x, h + d.out.y)
    } else {
        format!("{field}\n")
    };
    text.into_bytes()
}
