//! ZPL II for thermal label printers: the symbol as a `^GF` graphic field of our own raster
//! (`render/zpl.rs`), pixel for pixel the PNG at the same resolution, at `^FO x,y`; with
//! `label=true` (default) a whole label, `^XA ^PW ^LL … ^XZ`, sized to the symbol plus the
//! offsets. Printers draw black; `fg`/`bg` do not apply. Native barcode commands (`^BE`,
//! `^BC`, …) are not written yet.

use crate::render::bitmap::Bitmap;
use crate::render::format::FormatSpec;
use crate::render::{zpl, Rotation};

pub const SPEC: FormatSpec = FormatSpec {
    ext: "zpl",
    content_type: "application/zpl; charset=utf-8",
    default_dpi: 203,
    options: &["label", "x", "y"],
    write: |d| {
        let bm = Bitmap::from_layout(d.layout);
        let bm = if d.opts.rotate == Rotation::R0 { bm } else { bm.rotate(d.opts.rotate) };
        let field = format!("^FO{},{}{}^FS", d.out.x, d.out.y, zpl::graphic_field(&bm));
        let text = if d.out.label {
            format!("^XA^PW{}^LL{}{field}^XZ\n", bm.width + d.out.x, bm.height + d.out.y)
        } else {
            format!("{field}\n")
        };
        text.into_bytes()
    },
};
