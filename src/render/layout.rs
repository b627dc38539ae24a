//! Geometry shared by the PNG and SVG renderers: where every bar, module and text glyph
//! goes, in pixels, before rotation. Computing it allocates nothing per pixel.

use super::text::GLYPH;
use super::{RenderError, RenderOptions};
use crate::symbology::{HumanText, Linear, Matrix, MatrixKind, Symbol};

/// A dark rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// One line of text: glyphs drawn left to right from `x`, `y` at the glyph's top.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextRun {
    pub x: i64,
    pub y: u32,
    pub text: String,
    /// Pixels per font pixel.
    pub px: u32,
}

/// A shape beyond rectangles, in pixels (floating point: the geometry is exact, the raster
/// samples it at pixel centres).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// A regular hexagon with vertices up and down, `flat` across its flat sides.
    Hexagon { cx: f32, cy: f32, flat: f32 },
    /// The ring between radii `r0` and `r1` (a disc when `r0` is 0).
    Ring { cx: f32, cy: f32, r0: f32, r1: f32 },
}

impl Shape {
    /// Whether the point is inside.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        match *self {
            Shape::Hexagon { cx, cy, flat } => {
                let (dx, dy) = ((x - cx).abs(), (y - cy).abs());
                let r = flat / 3f32.sqrt();
                dx <= flat / 2.0 && dy <= r - dx / 3f32.sqrt()
            }
            Shape::Ring { cx, cy, r0, r1 } => {
                let d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                d2 >= r0 * r0 && d2 <= r1 * r1
            }
        }
    }

    /// Its bounding box in whole pixels: (x0, y0, x1, y1), x1 and y1 exclusive.
    pub fn bounds(&self) -> (u32, u32, u32, u32) {
        let (cx, cy, rx, ry) = match *self {
            Shape::Hexagon { cx, cy, flat } => (cx, cy, flat / 2.0, flat / 3f32.sqrt()),
            Shape::Ring { cx, cy, r1, .. } => (cx, cy, r1, r1),
        };
        let lo = |v: f32| v.floor().max(0.0) as u32;
        let hi = |v: f32| v.ceil().max(0.0) as u32;
        (lo(cx - rx), lo(cy - ry), hi(cx + rx), hi(cy + ry))
    }
}

/// The image before rotation.
#[derive(Clone, Debug)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    /// Dark rectangles; for matrix symbols these are horizontal runs.
    pub rects: Vec<Rect>,
    /// Dark hexagons and rings (MaxiCode).
    pub shapes: Vec<Shape>,
    pub texts: Vec<TextRun>,
    /// For linear codes: the rows `band.0..band.1` are one repeated pattern (the bars), which
    /// the raster draws once and copies; `(0, 0)` when there is no such band.
    pub band: (u32, u32),
    /// Matrix symbols (all but MaxiCode): the module grid itself, in place of `rects`; the
    /// raster draws it straight from the modules, the vector writers take its runs from
    /// `dark_rects`.
    pub grid: Option<Grid>,
}

/// A matrix symbol's modules placed in the image: `scale` pixels a module, the top-left
/// module at `origin` pixels.
#[derive(Clone, Debug)]
pub struct Grid {
    pub origin: (u32, u32),
    pub scale: u32,
    /// Modules per row.
    pub width: usize,
    /// Row-major, dark = true.
    pub dark: Vec<bool>,
}

impl Grid {
    /// The module rows, top first.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, bool> {
        self.dark.chunks_exact(self.width.max(1))
    }

    /// The horizontal runs of dark modules as pixel rectangles, row by row.
    pub fn runs(&self) -> Vec<Rect> {
        let (s, (x0, y0)) = (self.scale, self.origin);
        // At most one run per two modules (runs are separated by light modules).
        let mut rects = Vec::with_capacity(self.width.div_ceil(2) * self.dark.len() / self.width.max(1));
        for (row, line) in self.rows().enumerate() {
            for (start, end) in dark_runs(line) {
                let (x, y) = (x0 + start as u32 * s, y0 + row as u32 * s);
                rects.push(Rect { x, y, w: (end - start) as u32 * s, h: s });
            }
        }
        rects
    }
}

/// The runs of dark modules in a row, as `start..end` module indexes.
pub fn dark_runs(line: &[bool]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = i + line.get(i..)?.iter().position(|&d| d)?;
        let end = start + line[start..].iter().position(|&d| !d).unwrap_or(line.len() - start);
        i = end;
        Some((start, end))
    })
}

impl Layout {
    /// Every dark rectangle: `rects`, or a matrix grid's runs.
    pub fn dark_rects(&self) -> std::borrow::Cow<'_, [Rect]> {
        match &self.grid {
            Some(g) => g.runs().into(),
            None => (&self.rects[..]).into(),
        }
    }
}

/// Computes the layout, refusing images over `max_pixels` before anything is allocated.
pub fn layout(sym: &Symbol, o: &RenderOptions, max_pixels: u64) -> Result<Layout, RenderError> {
    let (w, h) = size(sym, o);
    let o = &fitted(sym, o);
    if w * h > max_pixels || w > u32::MAX as u64 || h > u32::MAX as u64 {
        return Err(RenderError::TooManyPixels { width: w, height: h, max: max_pixels });
    }
    Ok(match sym {
        Symbol::Linear(l) => linear(l, o, w as u32, h as u32),
        Symbol::Matrix(m) if m.kind == MatrixKind::MaxiCode => maxicode(m, o, w as u32, h as u32),
        Symbol::Matrix(m) if m.kind == MatrixKind::Dots => dots(m, o, w as u32, h as u32),
        Symbol::Matrix(m) => matrix(m, o, w as u32, h as u32),
    })
}

/// The options with both quiet zones widened when a centred text line is wider than the
/// bars and their quiet zones (GS1 DataBar's `(01)…` under its 96 modules), so that the
/// line fits with a module to spare each side.
pub fn fitted(sym: &Symbol, o: &RenderOptions) -> RenderOptions {
    let Symbol::Linear(l) = sym else { return *o };
    let HumanText::Centered(t) = &l.text else { return *o };
    let need = (t.chars().count() as u64 * GLYPH as u64 + 2).min(u32::MAX as u64 / 4) as u32;
    let have = (o.quiet.0 as u64 + o.quiet.1 as u64 + l.modules.len() as u64).min(u32::MAX as u64) as u32;
    if !o.text || need <= have {
        return *o;
    }
    let extra = (need - have).div_ceil(2);
    RenderOptions { quiet: (o.quiet.0.saturating_add(extra), o.quiet.1.saturating_add(extra)), ..*o }
}

/// Text block below linear bars: a gap, the glyphs, a bottom margin; in pixels.
fn text_block(o: &RenderOptions) -> (u32, u32) {
    let gap = o.scale * 2;
    (gap, gap + GLYPH * o.scale + o.scale)
}

/// The image size in pixels before rotation (what `layout` checks against the pixel limit).
pub fn size(sym: &Symbol, o: &RenderOptions) -> (u64, u64) {
    let o = &fitted(sym, o);
    let s = o.scale as u64;
    let q = (o.quiet.0 + o.quiet.1) as u64;
    match sym {
        Symbol::Linear(l) => {
            let w = (q + l.modules.len() as u64) * s;
            let text = if o.text { text_block(o).1 as u64 + above_block(l, o) as u64 } else { 0 };
            (w, o.bar_px() as u64 + 2 * l.bearer as u64 * s + text)
        }
        Symbol::Matrix(m) if m.kind == MatrixKind::MaxiCode => {
            // Rows √3/2 of a module apart, hexagons a module tall (ISO/IEC 16023).
            let rows = 1.0 + (m.height.max(1) - 1) as f64 * 3f64.sqrt() / 2.0;
            ((q + m.width as u64) * s, (q as f64 * s as f64 + rows * s as f64).ceil() as u64)
        }
        Symbol::Matrix(m) => ((q + m.width as u64) * s, (q + m.height as u64) * s),
    }
}

/// Height of the line above the bars, if the symbol has one and text is on: a margin, the
/// glyphs, a gap.
fn above_block(l: &Linear, o: &RenderOptions) -> u32 {
    if o.text && l.above.is_some() {
        o.scale + GLYPH * o.scale + o.scale * 2
    } else {
        0
    }
}

fn linear(l: &Linear, o: &RenderOptions, width: u32, height: u32) -> Layout {
    let mut out = linear_below(l, o, width, height);
    let top = above_block(l, o);
    if let (Some(t), true) = (&l.above, top > 0) {
        for r in &mut out.rects {
            r.y += top;
        }
        for t in &mut out.texts {
            t.y += top;
        }
        out.band = (out.band.0 + top, out.band.1 + top);
        let tw = t.chars().count() as i64 * (GLYPH * o.scale) as i64;
        out.texts.push(TextRun { x: (width as i64 - tw) / 2, y: o.scale, text: t.clone(), px: o.scale });
    }
    out
}

/// The layout of the bars and the line below them, from the top of the image.
fn linear_below(l: &Linear, o: &RenderOptions, width: u32, height: u32) -> Layout {
    let s = o.scale;
    let bearer = l.bearer * s;
    let bar_h = o.bar_px();
    let x0 = o.quiet.0;
    let mut rects = Vec::with_capacity(l.modules.len().div_ceil(2) + 2 + l.guards.len());
    let mut i = 0;
    while i < l.modules.len() {
        if l.modules[i] {
            let start = i;
            while i < l.modules.len() && l.modules[i] {
                i += 1;
            }
            rects.push(Rect { x: (x0 + start as u32) * s, y: bearer, w: (i - start) as u32 * s, h: bar_h });
        } else {
            i += 1;
        }
    }
    if bearer > 0 {
        // Bearer bars span the symbol and its quiet zones, above and below.
        rects.push(Rect { x: 0, y: 0, w: width, h: bearer });
        rects.push(Rect { x: 0, y: bearer + bar_h, w: width, h: bearer });
    }
    let bar_h = bar_h + 2 * bearer;
    let mut texts = Vec::new();
    if o.text {
        let (gap, _) = text_block(o);
        let ext = gap + GLYPH * s / 2;
        for &g in &l.guards {
            if l.modules.get(g) == Some(&true) {
                rects.push(Rect { x: (x0 + g as u32) * s, y: bar_h, w: s, h: ext });
            }
        }
        let y = bar_h + gap;
        match &l.text {
            HumanText::Ean13(d) => push_ean13_digits(&mut texts, d, x0, y, s),
            HumanText::Ean8(d) => {
                for (k, &digit) in d.iter().enumerate() {
                    let m = if k < 4 { 3 + 7 * k } else { 36 + 7 * (k - 4) };
                    texts.push(TextRun { x: ((x0 as usize + m) * s as usize) as i64, y, text: char_of(digit), px: s });
                }
            }
            HumanText::UpcA(d) => {
                texts.push(TextRun { x: (x0 as i64 - 8) * s as i64, y, text: char_of(d[0]), px: s });
                for (k, &digit) in d.iter().enumerate().take(11).skip(1) {
                    let m = if k < 6 { 10 + 7 * (k - 1) } else { 50 + 7 * (k - 6) };
                    texts.push(TextRun { x: ((x0 as usize + m) * s as usize) as i64, y, text: char_of(digit), px: s });
                }
                texts.push(TextRun { x: ((x0 as usize + 96) * s as usize) as i64, y, text: char_of(d[11]), px: s });
            }
            HumanText::UpcE(d) => {
                texts.push(TextRun { x: (x0 as i64 - 8) * s as i64, y, text: char_of(d[0]), px: s });
                for (k, &digit) in d.iter().enumerate().take(7).skip(1) {
                    let m = 3 + 7 * (k - 1);
                    texts.push(TextRun { x: ((x0 as usize + m) * s as usize) as i64, y, text: char_of(digit), px: s });
                }
                texts.push(TextRun { x: ((x0 as usize + 52) * s as usize) as i64, y, text: char_of(d[7]), px: s });
            }
            HumanText::Centered(t) => {
                let tw = t.chars().count() as i64 * (GLYPH * s) as i64;
                texts.push(TextRun { x: (width as i64 - tw) / 2, y, text: t.clone(), px: s });
            }
        }
        if let Some(addon) = &l.addon {
            // Centred over the add-on's own bars, the last modules of the symbol (guard,
            // seven modules a digit, two between digits).
            let span = 4 + 7 * addon.len() + 2 * addon.len().saturating_sub(1);
            let start = x0 as usize + l.modules.len().saturating_sub(span);
            let tw = addon.len() * (GLYPH * s) as usize;
            let x = (start * s as usize + (span * s as usize).saturating_sub(tw) / 2) as i64;
            texts.push(TextRun { x, y, text: addon.to_owned(), px: s });
        }
        if o.marks {
            // The glyphs' ink is 5 columns wide: one module off the symbol, inside the
            // standard 7-module quiet zone (beyond an add-on, the 5-module one).
            let end = x0 as i64 + l.modules.len() as i64;
            texts.push(TextRun { x: (end + 1) * s as i64, y, text: ">".into(), px: s });
            if matches!(l.text, HumanText::Ean8(_)) {
                texts.push(TextRun { x: (x0 as i64 - 6) * s as i64, y, text: "<".into(), px: s });
            }
        }
    }
    Layout { width, height, rects, shapes: Vec::new(), texts, band: (bearer, bar_h - bearer), grid: None }
}

/// EAN-13 digits: the first in the left quiet zone, six under each half.
fn push_ean13_digits(texts: &mut Vec<TextRun>, d: &[u8; 13], x0: u32, y: u32, s: u32) {
    texts.push(TextRun { x: (x0 as i64 - 8) * s as i64, y, text: char_of(d[0]), px: s });
    for (k, &digit) in d.iter().enumerate().skip(1) {
        let m = if k < 7 { 3 + 7 * (k - 1) } else { 50 + 7 * (k - 7) };
        texts.push(TextRun { x: ((x0 as usize + m) * s as usize) as i64, y, text: char_of(digit), px: s });
    }
}

fn char_of(digit: u8) -> String {
    ((b'0' + digit) as char).to_string()
}

fn matrix(m: &Matrix, o: &RenderOptions, width: u32, height: u32) -> Layout {
    let (s, q) = (o.scale, o.quiet.0);
    let grid = Grid { origin: (q * s, q * s), scale: s, width: m.width, dark: m.dark.clone() };
    Layout { width, height, rects: Vec::new(), shapes: Vec::new(), texts: Vec::new(), band: (0, 0), grid: Some(grid) }
}

/// DotCode's dots across, in modules: 0.8, as printed (and Zint's default), so that
/// diagonal neighbours stay apart.
const DOT: f32 = 0.8;

/// DotCode: a disc at the centre of each dark module.
fn dots(m: &Matrix, o: &RenderOptions, width: u32, height: u32) -> Layout {
    let (s, q) = (o.scale as f32, o.quiet.0 as f32);
    let shapes = (0..m.height)
        .flat_map(|r| (0..m.width).map(move |c| (r, c)))
        .filter(|&(r, c)| m.dark[r * m.width + c])
        .map(|(r, c)| {
            let (cx, cy) = ((q + c as f32 + 0.5) * s, (q + r as f32 + 0.5) * s);
            Shape::Ring { cx, cy, r0: 0.0, r1: DOT / 2.0 * s }
        })
        .collect();
    Layout { width, height, rects: Vec::new(), shapes, texts: Vec::new(), band: (0, 0), grid: None }
}

/// The bullseye's circles in modules (ISO/IEC 16023's nominal 0.51, 1.18, 1.86, 2.53,
/// 3.20 and 3.87 mm at its 0.88 mm module): dark between the 1st and 2nd, 3rd and 4th,
/// 5th and 6th, the centre light.
const BULLSEYE: [f32; 6] = [0.51 / 0.88, 1.18 / 0.88, 1.86 / 0.88, 2.53 / 0.88, 3.20 / 0.88, 3.87 / 0.88];

/// Hexagons across their flat sides, in modules (the horizontal pitch): a little gap
/// between neighbours, as printed.
const HEX_FLAT: f32 = 0.87;

/// MaxiCode: each dark module a hexagon, odd rows half a module to the right, rows √3/2 of
/// a module apart; the bullseye centred on row 16, column 14.
fn maxicode(m: &Matrix, o: &RenderOptions, width: u32, height: u32) -> Layout {
    let (s, q) = (o.scale as f32, o.quiet.0 as f32);
    let v = s * 3f32.sqrt() / 2.0;
    let centre = |r: usize, c: usize| {
        let x = q * s + s / 2.0 + c as f32 * s + if r % 2 == 1 { s / 2.0 } else { 0.0 };
        (x, q * s + s / 2.0 + r as f32 * v)
    };
    let mut shapes = Vec::with_capacity(m.dark.iter().filter(|&&d| d).count() + 3);
    for r in 0..m.height {
        for c in 0..m.width {
            if m.dark[r * m.width + c] {
                let (cx, cy) = centre(r, c);
                shapes.push(Shape::Hexagon { cx, cy, flat: HEX_FLAT * s });
            }
        }
    }
    let (cx, cy) = centre(16, 14);
    for k in 0..3 {
        shapes.push(Shape::Ring { cx, cy, r0: BULLSEYE[2 * k] * s, r1: BULLSEYE[2 * k + 1] * s });
    }
    Layout { width, height, rects: Vec::new(), shapes, texts: Vec::new(), band: (0, 0), grid: None }
}
