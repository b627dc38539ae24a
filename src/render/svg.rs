//! SVG output: one `<path>` of run-length rectangles for all dark modules, `crispEdges`,
//! a background rectangle when the background is not transparent, text as `<text>` with a
//! monospace font, everything escaped, nothing external.

use super::layout::{Layout, Shape};
use super::text::GLYPH;
use super::{RenderOptions, Rgba, Rotation};
use std::fmt::Write;

fn colour(c: Rgba) -> (String, String) {
    let [r, g, b, a] = c.0;
    let alpha = if a == 255 { String::new() } else { format!("{:.3}", a as f64 / 255.0) };
    (format!("#{r:02x}{g:02x}{b:02x}"), alpha)
}

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Appends a shape's outline to a path's `d`, to 3 decimals.
fn shape_path(sh: &Shape, s: &mut String) {
    match *sh {
        Shape::Hexagon { cx, cy, flat } => {
            let (a, r) = (flat / 2.0, flat / 3f32.sqrt());
            let _ = write!(
                s,
                "M{:.3} {:.3}L{:.3} {:.3}L{:.3} {:.3}L{:.3} {:.3}L{:.3} {:.3}L{:.3} {:.3}Z",
                cx,
                cy - r,
                cx + a,
                cy - r / 2.0,
                cx + a,
                cy + r / 2.0,
                cx,
                cy + r,
                cx - a,
                cy + r / 2.0,
                cx - a,
                cy - r / 2.0
            );
        }
        Shape::Ring { cx, cy, r0, r1 } => {
            for r in [r1, r0] {
                if r > 0.0 {
                    let _ = write!(
                        s,
                        "M{:.3} {cy:.3}A{r:.3} {r:.3} 0 1 0 {:.3} {cy:.3}A{r:.3} {r:.3} 0 1 0 {:.3} {cy:.3}Z",
                        cx + r,
                        cx - r,
                        cx + r
                    );
                }
            }
        }
    }
}

/// Renders a layout as an SVG document.
pub fn encode(l: &Layout, o: &RenderOptions) -> String {
    let (w, h) = (l.width, l.height);
    let (ow, oh) = match o.rotate {
        Rotation::R90 | Rotation::R270 => (h, w),
        _ => (w, h),
    };
    let rects = l.dark_rects();
    let mut s = String::with_capacity(256 + rects.len() * 16);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{ow}\" height=\"{oh}\" viewBox=\"0 0 {ow} {oh}\" shape-rendering=\"crispEdges\">"
    );
    let (bg, bga) = colour(o.bg);
    if o.bg.0[3] != 0 {
        let _ = write!(s, "<rect width=\"{ow}\" height=\"{oh}\" fill=\"{bg}\"");
        if !bga.is_empty() {
            let _ = write!(s, " fill-opacity=\"{bga}\"");
        }
        s.push_str("/>");
    }
    let transform = match o.rotate {
        Rotation::R0 => String::new(),
        Rotation::R90 => format!(" transform=\"translate({h} 0) rotate(90)\""),
        Rotation::R180 => format!(" transform=\"translate({w} {h}) rotate(180)\""),
        Rotation::R270 => format!(" transform=\"translate(0 {w}) rotate(270)\""),
    };
    let (fg, fga) = colour(o.fg);
    let _ = write!(s, "<g{transform} fill=\"{fg}\"");
    if !fga.is_empty() {
        let _ = write!(s, " fill-opacity=\"{fga}\"");
    }
    s.push_str("><path d=\"");
    for r in rects.iter() {
        let _ = write!(s, "M{} {}h{}v{}h-{}z", r.x, r.y, r.w, r.h, r.w);
    }
    s.push_str("\"/>");
    if !l.shapes.is_empty() {
        // Hexagons and rings (MaxiCode): one even-odd path, two arcs a circle.
        s.push_str("<path fill-rule=\"evenodd\" d=\"");
        for sh in &l.shapes {
            shape_path(sh, &mut s);
        }
        s.push_str("\"/>");
    }
    for t in &l.texts {
        let size = GLYPH * t.px;
        let width = t.text.chars().count() as i64 * size as i64;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-family=\"monospace\" font-size=\"{size}\" text-anchor=\"middle\" textLength=\"{width}\">",
            t.x + width / 2,
            t.y + size
        );
        escape(&t.text, &mut s);
        s.push_str("</text>");
    }
    s.push_str("</g></svg>");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        let mut s = String::new();
        super::escape("<a&\"b'>\u{1}", &mut s);
        assert_eq!(s, "&lt;a&amp;&quot;b&apos;&gt; ");
    }
}
