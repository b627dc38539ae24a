//! A label as a one-page PDF of its physical size: barcodes as the `.pdf` format paints
//! them (vector runs), text in Helvetica a character per cell, boxes and lines as filled
//! rectangles; every position the label's dots at its resolution. Written with `pdf-writer`.

use super::{Kind, Label};
use crate::render::format::OutputOptions;
use crate::render::formats::pdf::{one_page, paint, text_run};
use crate::render::layout::TextRun;
use crate::render::text::GLYPH;
use crate::render::Rotation;
use pdf_writer::Content;

pub fn write(l: &Label) -> Vec<u8> {
    let pt = 72.0 / l.dpi as f32;
    let (pw, ph) = (l.width as f32 * pt, l.height as f32 * pt);
    let mut c = Content::new();
    let out = OutputOptions::default();
    for e in &l.elements {
        let a = e.area();
        let (x, y) = (a.x as f32, a.y as f32);
        match &e.kind {
            Kind::Barcode(b) => paint(&mut c, &b.drawing(&out), (x * pt, ph - (y + a.h as f32) * pt), pt),
            Kind::Text { text, px, rotate, .. } => {
                // Text space: u along the line, v down, in dots; onto the page rotated.
                let (w, h) = ((text.chars().count() as u32 * GLYPH * px) as f32, (GLYPH * px) as f32);
                let (top, left) = (l.height as f32 - y, x);
                let m = match rotate {
                    Rotation::R0 => [pt, 0.0, 0.0, -pt, left * pt, top * pt],
                    Rotation::R90 => [0.0, -pt, -pt, 0.0, (left + h) * pt, top * pt],
                    Rotation::R180 => [-pt, 0.0, 0.0, pt, (left + w) * pt, (top - h) * pt],
                    Rotation::R270 => [0.0, pt, pt, 0.0, left * pt, (top - w) * pt],
                };
                c.save_state();
                c.transform(m);
                c.set_fill_rgb(0.0, 0.0, 0.0);
                text_run(&mut c, &TextRun { x: 0, y: 0, text: text.clone(), px: *px });
                c.restore_state();
            }
            Kind::Frame { .. } | Kind::Line { .. } => {
                c.set_fill_rgb(0.0, 0.0, 0.0);
                for r in e.ink() {
                    c.rect(r.x as f32 * pt, ph - (r.y + r.h) as f32 * pt, r.w as f32 * pt, r.h as f32 * pt);
                }
                c.fill_nonzero();
            }
        }
    }
    one_page((pw, ph), &c.finish())
}
