//! A label: barcodes, text, boxes and lines placed on a page in printer dots, checked
//! (inside the label, nothing on a barcode or its quiet zone, text within its width) and
//! drawn as ZPL (the printer's own barcode commands where the single `.zpl` request uses
//! them, `^A0` text, `^GB` boxes and lines), PDF (vector) or PNG (1 bit at the label's
//! resolution). Pure: the caller prepares the barcodes and hands over their layouts.
//!
//! Text is laid out in fixed cells, as the barcodes' human-readable lines are: a cell is
//! `8 × px` dots square (`px` from the asked height), so a line's box is known exactly and
//! the PNG draws it with the embedded 8 × 8 font, the PDF with Helvetica a character per
//! cell, and the ZPL with the printer's scalable font 0 inside a field block of that
//! width (its proportional glyphs are narrower than the cells, never wider).

pub mod pdf;
pub mod png;
pub mod zpl;

use crate::render::format::{Drawing, OutputOptions};
use crate::render::layout::Layout;
use crate::render::text::GLYPH;
use crate::render::{RenderOptions, Rotation};
use crate::symbology::{EncodeOptions, Symbol};

/// A rectangle in dots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Area {
    fn right(&self) -> u64 {
        self.x as u64 + self.w as u64
    }

    fn bottom(&self) -> u64 {
        self.y as u64 + self.h as u64
    }

    fn overlaps(&self, o: &Area) -> bool {
        (self.x as u64) < o.right()
            && (o.x as u64) < self.right()
            && (self.y as u64) < o.bottom()
            && (o.y as u64) < self.bottom()
    }
}

/// A barcode ready to draw: everything a format writer's `Drawing` borrows.
pub struct Barcode {
    pub layout: Layout,
    pub opts: RenderOptions,
    pub symbol: Symbol,
    pub encode: EncodeOptions,
    pub symbology: &'static str,
    pub data: String,
    pub text: Option<String>,
    pub gs1: bool,
}

impl Barcode {
    /// The drawing a format writer takes, placed at (`x`, `y`) for the ZPL field origin.
    pub fn drawing<'a>(&'a self, out: &'a OutputOptions) -> Drawing<'a> {
        Drawing {
            layout: &self.layout,
            opts: &self.opts,
            out,
            symbol: &self.symbol,
            encode: &self.encode,
            symbology: self.symbology,
            data: &self.data,
            text: self.text.as_deref(),
            gs1: self.gs1,
        }
    }

    /// Its size in dots after rotation (quiet zones included).
    pub fn size(&self) -> (u32, u32) {
        match self.opts.rotate {
            Rotation::R90 | Rotation::R270 => (self.layout.height, self.layout.width),
            _ => (self.layout.width, self.layout.height),
        }
    }
}

/// What an element is.
pub enum Kind {
    Barcode(Box<Barcode>),
    /// One line of text in cells of `8 × px` dots; at most `max_width` dots wide if given.
    Text {
        text: String,
        px: u32,
        rotate: Rotation,
        max_width: Option<u32>,
    },
    /// A rectangle's outline `thickness` dots wide (filled when it is as thick as half a side).
    Frame {
        w: u32,
        h: u32,
        thickness: u32,
    },
    /// A horizontal or vertical bar.
    Line {
        w: u32,
        h: u32,
    },
}

/// An element at its place: the top left corner of its box, in dots.
pub struct Element {
    pub x: u32,
    pub y: u32,
    pub kind: Kind,
}

impl Element {
    /// The box the element occupies.
    pub fn area(&self) -> Area {
        let (w, h) = match &self.kind {
            Kind::Barcode(b) => b.size(),
            Kind::Text { text, px, rotate, .. } => {
                let (w, h) = (text.chars().count() as u32 * GLYPH * px, GLYPH * px);
                match rotate {
                    Rotation::R90 | Rotation::R270 => (h, w),
                    _ => (w, h),
                }
            }
            Kind::Frame { w, h, .. } | Kind::Line { w, h } => (*w, *h),
        };
        Area { x: self.x, y: self.y, w, h }
    }

    /// Where it puts ink: a frame only along its sides (a barcode may sit inside one).
    fn ink(&self) -> Vec<Area> {
        let a = self.area();
        match self.kind {
            Kind::Frame { w, h, thickness: t } if 2 * t < w && 2 * t < h => vec![
                Area { h: t, ..a },
                Area { y: a.y + h - t, h: t, ..a },
                Area { w: t, ..a },
                Area { x: a.x + w - t, w: t, ..a },
            ],
            _ => vec![a],
        }
    }

    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Barcode(_) => "barcode",
            Kind::Text { .. } => "text",
            Kind::Frame { .. } => "box",
            Kind::Line { .. } => "line",
        }
    }
}

/// A label of `width × height` dots at `dpi`.
pub struct Label {
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
    pub elements: Vec<Element>,
}

/// Why a label cannot be drawn: the element (by index) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelError {
    pub index: usize,
    pub why: String,
}

impl Label {
    /// Every element inside the label; no ink on a barcode or its quiet zone (another
    /// barcode included); text within its `width_mm`. The first problem, by element.
    pub fn check(&self) -> Result<(), LabelError> {
        let err = |index, why: String| Err(LabelError { index, why });
        for (i, e) in self.elements.iter().enumerate() {
            let a = e.area();
            if a.w == 0 || a.h == 0 {
                return err(i, format!("the {} is empty", e.name()));
            }
            if a.right() > self.width as u64 || a.bottom() > self.height as u64 {
                return err(
                    i,
                    format!(
                        "the {} ({} x {} dots at {}, {}) reaches outside the {} x {}-dot label",
                        e.name(),
                        a.w,
                        a.h,
                        a.x,
                        a.y,
                        self.width,
                        self.height
                    ),
                );
            }
            if let Kind::Text { max_width: Some(m), .. } = e.kind {
                let long =
                    if matches!(e.kind, Kind::Text { rotate: Rotation::R90 | Rotation::R270, .. }) { a.h } else { a.w };
                if long > m {
                    return err(i, format!("the text is {long} dots long and does not fit its width of {m} dots"));
                }
            }
        }
        for (i, b) in self.elements.iter().enumerate() {
            if !matches!(b.kind, Kind::Barcode(_)) {
                continue;
            }
            let zone = b.area();
            for (j, e) in self.elements.iter().enumerate() {
                if j != i && e.ink().iter().any(|a| a.overlaps(&zone)) {
                    return err(j, format!("the {} overlaps element {i}, a barcode with its quiet zone", e.name()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn text(x: u32, y: u32, s: &str, px: u32) -> Element {
        Element { x, y, kind: Kind::Text { text: s.into(), px, rotate: Rotation::R0, max_width: None } }
    }

    #[test]
    fn outside_and_overlaps_are_named() {
        let mut l = Label { width: 100, height: 50, dpi: 203, elements: vec![text(0, 0, "AB", 1)] };
        assert!(l.check().is_ok());
        l.elements.push(text(90, 0, "AB", 1));
        assert_eq!(l.check().unwrap_err().index, 1);
        l.elements.pop();
        // A frame around an area may enclose other elements; its sides are its ink.
        l.elements.push(Element { x: 0, y: 0, kind: Kind::Frame { w: 100, h: 50, thickness: 2 } });
        assert!(Element { x: 0, y: 0, kind: Kind::Frame { w: 100, h: 50, thickness: 2 } }.ink().len() == 4);
        assert!(l.check().is_ok());
        let mut t = text(0, 20, "ABCDEFGH", 1);
        if let Kind::Text { max_width, .. } = &mut t.kind {
            *max_width = Some(40);
        }
        l.elements.push(t);
        let e = l.check().unwrap_err();
        assert_eq!(e.index, 2);
        assert!(e.why.contains("does not fit"), "{}", e.why);
    }
}
