//! Where a native field goes: a rectangle of our layout (a symbol's bars, a bearer bar, a
//! text line), in pixels before rotation, turned as the request asks and moved to the
//! label's origin, and the orientation letter the printer's commands take (`N R I B`: 0°,
//! 90°, 180°, 270° clockwise, as our `rotate`). Both renderers we check against (zplkit and
//! Zebrash) put a turned barcode's body — its bars, without the printer's own text line or
//! guard-bar extension, which stay on the side they were — and a turned `^FB` text block
//! with their top left corner at `^FO`, so placing the turned rectangle's corner there draws
//! the field where our raster has it.

use crate::render::format::Drawing;
use crate::render::layout::TextRun;
use crate::render::text::GLYPH;
use crate::render::zpl::{fd, font0, orientation};
use crate::render::Rotation;

/// A rectangle in pixels (dots).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    pub x: i64,
    pub y: i64,
    pub w: u32,
    pub h: u32,
}

/// The layout's size before rotation, the rotation and the field origin.
pub struct Place {
    width: u32,
    height: u32,
    rot: Rotation,
    x: u32,
    y: u32,
}

impl Place {
    pub fn new(d: &Drawing<'_>) -> Place {
        Place { width: d.layout.width, height: d.layout.height, rot: d.opts.rotate, x: d.out.x, y: d.out.y }
    }

    /// The orientation parameter of the printer's commands.
    pub fn letter(&self) -> char {
        orientation(self.rot)
    }

    pub fn upright(&self) -> bool {
        self.rot == Rotation::R0
    }

    /// `a` (layout pixels before rotation) turned clockwise as the image is, and moved to
    /// the field origin: label dots.
    pub fn turn(&self, a: Area) -> Area {
        let (w, h) = (self.width as i64, self.height as i64);
        let t = match self.rot {
            Rotation::R0 => a,
            Rotation::R90 => Area { x: h - a.y - a.h as i64, y: a.x, w: a.h, h: a.w },
            Rotation::R180 => Area { x: w - a.x - a.w as i64, y: h - a.y - a.h as i64, ..a },
            Rotation::R270 => Area { x: a.y, y: w - a.x - a.w as i64, w: a.h, h: a.w },
        };
        Area { x: t.x + self.x as i64, y: t.y + self.y as i64, ..t }
    }

    /// `^FOx,y` at the turned area's top left corner; `None` off the label's top or left.
    pub fn origin(&self, a: Area) -> Option<String> {
        let t = self.turn(a);
        (t.x >= 0 && t.y >= 0).then(|| format!("^FO{},{}", t.x, t.y))
    }

    /// A filled `^GB` box over the area (a bearer bar).
    pub fn fill(&self, a: Area) -> Option<String> {
        let t = self.turn(a);
        let fo = self.origin(a)?;
        Some(format!("{fo}^GB{},{},{}^FS", t.w, t.h, t.w.min(t.h)))
    }

    /// One of our text lines in the printer's font 0, centred in a one-line field block
    /// over the cells our raster draws it in (turned with the symbol); control characters,
    /// which our font leaves blank, as spaces.
    pub fn text(&self, tr: &TextRun) -> String {
        let cell = GLYPH * tr.px;
        let text: String = tr.text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let len = text.chars().count() as u32 * cell;
        let mut t = self.turn(Area { x: tr.x, y: tr.y as i64, w: len, h: cell });
        // A line wider than the image (ISBN's, over a small symbol) is clipped there in our
        // raster: its block narrowed by as much at both ends, so it stays centred.
        let mut len = len as i64;
        let along = if matches!(self.rot, Rotation::R0 | Rotation::R180) { &mut t.x } else { &mut t.y };
        if *along < 0 {
            len = (len + 2 * *along).max(cell as i64);
            *along = 0;
        }
        format!("^FO{},{}{}^FB{len},1,0,C{}^FS", t.x.max(0), t.y.max(0), font0(self.letter(), cell), fd(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(rot: Rotation) -> Place {
        Place { width: 100, height: 40, rot, x: 5, y: 7 }
    }

    #[test]
    fn areas_turn_as_the_raster_does() {
        // A 10x4 rectangle at (20, 30) of a 100x40 image.
        let a = Area { x: 20, y: 30, w: 10, h: 4 };
        assert_eq!(place(Rotation::R0).turn(a), Area { x: 25, y: 37, w: 10, h: 4 });
        // 90° clockwise: the image is 40 wide; the rectangle's bottom edge becomes its left.
        assert_eq!(place(Rotation::R90).turn(a), Area { x: 5 + 40 - 34, y: 7 + 20, w: 4, h: 10 });
        assert_eq!(place(Rotation::R180).turn(a), Area { x: 5 + 100 - 30, y: 7 + 40 - 34, w: 10, h: 4 });
        assert_eq!(place(Rotation::R270).turn(a), Area { x: 5 + 30, y: 7 + 100 - 30, w: 4, h: 10 });
        // The whole image turned is the whole turned image.
        let all = Area { x: 0, y: 0, w: 100, h: 40 };
        for r in [Rotation::R90, Rotation::R270] {
            assert_eq!(place(r).turn(all), Area { x: 5, y: 7, w: 40, h: 100 });
        }
        assert_eq!(place(Rotation::R90).letter(), 'R');
        assert_eq!(place(Rotation::R270).letter(), 'B');
    }

    #[test]
    fn fields_at_the_turned_corner() {
        let p = place(Rotation::R90);
        assert_eq!(p.fill(Area { x: 0, y: 0, w: 100, h: 6 }).unwrap(), "^FO39,7^GB6,100,6^FS");
        let tr = TextRun { x: 10, y: 30, text: "A\tB".into(), px: 1 };
        let t = p.text(&tr);
        assert!(t.starts_with(&format!("^FO{},17^A0R,", 5 + 40 - 30 - GLYPH)), "{t}");
        assert!(t.ends_with("^FDA B^FS"), "{t}");
        assert_eq!(place(Rotation::R0).origin(Area { x: -6, y: 0, w: 1, h: 1 }), None);
    }
}
