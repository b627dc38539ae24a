//! A label as ZPL II: `^XA`, `^CI28` (UTF-8 field data), `^PW`/`^LL` the label's size in
//! dots, then each element — a barcode as the `.zpl` format writes it (native command or
//! graphic field) at its place, text as font 0 (`^A0`, scalable, at least the guide's 10 dots
//! high) in a one-line field block as wide as its cells, boxes and lines as `^GB` — and `^XZ`.

use super::{Kind, Label};
use crate::render::format::OutputOptions;
use crate::render::formats::zpl::SPEC;
use crate::render::text::GLYPH;
use crate::render::zpl::{fd, font0, orientation};
use std::fmt::Write as _;

pub fn write(l: &Label) -> Vec<u8> {
    let mut z = format!("^XA^CI28^PW{}^LL{}\n", l.width, l.height);
    for e in &l.elements {
        let (x, y) = (e.x, e.y);
        match &e.kind {
            Kind::Barcode(b) => {
                let out = OutputOptions { label: false, x, y, graphic: false, z64: false };
                z.push_str(&String::from_utf8_lossy(&(SPEC.write)(&b.drawing(&out))));
            }
            Kind::Text { text, px, rotate, .. } => {
                let h = GLYPH * px;
                let len = text.chars().count() as u32 * h;
                let _ = writeln!(z, "^FO{x},{y}{}^FB{len},1,0,L{}^FS", font0(orientation(*rotate), h), fd(text));
            }
            Kind::Frame { w, h, thickness } => {
                let _ = writeln!(z, "^FO{x},{y}^GB{w},{h},{thickness}^FS");
            }
            Kind::Line { w, h } => {
                let _ = writeln!(z, "^FO{x},{y}^GB{w},{h},{}^FS", w.min(h));
            }
        }
    }
    z.push_str("^XZ\n");
    z.into_bytes()
}
