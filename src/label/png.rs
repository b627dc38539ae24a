//! A label as a 1-bit PNG at its resolution: each barcode's raster (the PNG format's own)
//! copied to its place, text in the embedded 8 × 8 font at its cells (turned as asked),
//! boxes and lines filled.

use super::{Kind, Label};
use crate::render::bitmap::Bitmap;
use crate::render::format::OutputOptions;
use crate::render::layout::{Rect, TextRun};
use crate::render::text::GLYPH;
use crate::render::{png, RenderOptions, Rotation};

pub fn write(l: &Label) -> Vec<u8> {
    let mut bm = Bitmap::new(l.width, l.height);
    let out = OutputOptions::default();
    for e in &l.elements {
        match &e.kind {
            Kind::Barcode(b) => bm.blit(&b.drawing(&out).raster(), e.x, e.y),
            Kind::Text { text, px, rotate, .. } => {
                let w = text.chars().count() as u32 * GLYPH * px;
                let run = TextRun { x: 0, y: 0, text: text.clone(), px: *px };
                let mut t = Bitmap::new(w, GLYPH * px);
                t.draw_text(&run);
                let t = if *rotate == Rotation::R0 { t } else { t.rotate(*rotate) };
                bm.blit(&t, e.x, e.y);
            }
            Kind::Frame { .. } | Kind::Line { .. } => {
                for r in e.ink() {
                    bm.fill_rect(Rect { x: r.x, y: r.y, w: r.w, h: r.h });
                }
            }
        }
    }
    png::encode(&bm, &RenderOptions::plain(Some(l.dpi)))
}
