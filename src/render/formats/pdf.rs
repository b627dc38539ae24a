//! PDF: one page the size of the symbol with its quiet zone at its physical size (pixels at
//! the request's `dpi`, default 300), bars and modules as vector paths (the layout's merged
//! runs, not one rectangle per module), the human-readable line as real text in Helvetica
//! (a standard-14 font, so nothing is embedded; OCR-B is not among them), rotation as a
//! page transform. Written with `pdf-writer`.

use crate::render::format::{Drawing, FormatSpec};
use crate::render::layout::{Shape, TextRun};
use crate::render::text::GLYPH;
use crate::render::Rotation;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

pub const SPEC: FormatSpec = FormatSpec { ext: "pdf", content_type: "application/pdf", default_dpi: 300, dpis: None, printed: true, options: &[], write };

fn rgb(c: [u8; 4]) -> (f32, f32, f32) {
    (c[0] as f32 / 255.0, c[1] as f32 / 255.0, c[2] as f32 / 255.0)
}

/// Draws `d` into `c` as vector paths and text: its background (unless transparent), bars
/// and modules, text, rotated as asked, in the box whose lower left corner is `at` (points)
/// at `pt` points per layout pixel. The font resource `/F1` must be Helvetica.
pub fn paint(c: &mut Content, d: &Drawing<'_>, at: (f32, f32), pt: f32) {
    let (ow, oh) = d.size();
    let (pw, ph) = (ow as f32 * pt, oh as f32 * pt);
    // Layout pixels (y down) to page points (y up), then the rotation about the box.
    let (a, b, cc, dd, e, f) = match d.opts.rotate {
        Rotation::R0 => (pt, 0.0, 0.0, -pt, 0.0, ph),
        Rotation::R90 => (0.0, -pt, -pt, 0.0, pw, ph),
        Rotation::R180 => (-pt, 0.0, 0.0, pt, pw, 0.0),
        Rotation::R270 => (0.0, pt, pt, 0.0, 0.0, 0.0),
    };
    if d.opts.bg.0[3] > 0 {
        let (r, g, bl) = rgb(d.opts.bg.0);
        c.set_fill_rgb(r, g, bl);
        c.rect(at.0, at.1, pw, ph);
        c.fill_nonzero();
    }
    c.save_state();
    c.transform([a, b, cc, dd, e + at.0, f + at.1]);
    let (r, g, bl) = rgb(d.opts.fg.0);
    c.set_fill_rgb(r, g, bl);
    for rect in d.layout.dark_rects().iter() {
        c.rect(rect.x as f32, rect.y as f32, rect.w as f32, rect.h as f32);
    }
    c.fill_nonzero();
    if !d.layout.shapes.is_empty() {
        for sh in &d.layout.shapes {
            shape_path(c, sh);
        }
        c.fill_even_odd();
    }
    for t in &d.layout.texts {
        text_run(c, t);
    }
    c.restore_state();
}

/// A shape's outline as path segments: a hexagon's six sides, a ring's two circles of
/// four Bézier quarter arcs each (even-odd fill leaves the ring).
fn shape_path(c: &mut Content, sh: &Shape) {
    match *sh {
        Shape::Hexagon { cx, cy, flat } => {
            let (a, r) = (flat / 2.0, flat / 3f32.sqrt());
            c.move_to(cx, cy - r);
            for (x, y) in [(cx + a, cy - r / 2.0), (cx + a, cy + r / 2.0), (cx, cy + r), (cx - a, cy + r / 2.0), (cx - a, cy - r / 2.0)] {
                c.line_to(x, y);
            }
            c.close_path();
        }
        Shape::Ring { cx, cy, r0, r1 } => {
            const K: f32 = 0.552_284_8;
            for r in [r1, r0] {
                if r <= 0.0 {
                    continue;
                }
                let k = K * r;
                c.move_to(cx + r, cy);
                c.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
                c.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
                c.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
                c.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
                c.close_path();
            }
        }
    }
}

/// Draws a text run in a y-down pixel space (the current transform's): each character at
/// its cell of the monospace layout, in Helvetica (`/F1`) sized so that a digit is as tall
/// as the raster font's (cap height 0.718 em).
pub fn text_run(c: &mut Content, t: &TextRun) {
    let cell = (GLYPH * t.px) as f32;
    let size = cell * 0.75 / 0.718;
    c.begin_text();
    c.set_font(Name(b"F1"), size);
    for (i, ch) in t.text.chars().enumerate() {
        let byte = if (ch as u32) < 256 { ch as u8 } else { b'?' };
        let x = t.x as f32 + i as f32 * cell + cell * 0.1;
        // Text space is y-up inside the y-down transform: flip it back.
        c.set_text_matrix([1.0, 0.0, 0.0, -1.0, x, t.y as f32 + cell * 0.875]);
        c.show(Str(&[byte]));
    }
    c.end_text();
}

fn write(d: &Drawing<'_>) -> Vec<u8> {
    let pt = 72.0 / d.dpi(300) as f32;
    let (ow, oh) = d.size();
    let (pw, ph) = (ow as f32 * pt, oh as f32 * pt);
    let mut c = Content::new();
    paint(&mut c, d, (0.0, 0.0), pt);
    one_page((pw, ph), &c.finish())
}

/// A one-page document `size` points large whose content stream is `content` (`/F1` is
/// Helvetica).
pub fn one_page((pw, ph): (f32, f32), content: &[u8]) -> Vec<u8> {
    let (catalog, pages, page, font, stream) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, pw, ph)).parent(pages).contents(stream);
    p.resources().fonts().pair(Name(b"F1"), font);
    p.finish();
    pdf.type1_font(font).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.stream(stream, content);
    pdf.finish()
}
