//! A 1-bit image, rows packed MSB-first (the PNG layout), bit set = dark module.

use super::layout::{Layout, Rect, TextRun};
use super::text::{glyph, GLYPH};
use super::Rotation;

/// A packed 1-bit image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub stride: usize,
    pub bits: Vec<u8>,
}

impl Bitmap {
    pub fn new(width: u32, height: u32) -> Bitmap {
        let stride = (width as usize).div_ceil(8);
        Bitmap { width, height, stride, bits: vec![0; stride * height as usize] }
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        self.bits[y as usize * self.stride + x as usize / 8] & (0x80 >> (x % 8)) != 0
    }

    fn set(&mut self, x: u32, y: u32) {
        self.bits[y as usize * self.stride + x as usize / 8] |= 0x80 >> (x % 8);
    }

    /// Sets the bits of one row segment.
    fn fill_row(&mut self, y: u32, x: u32, w: u32) {
        let row = y as usize * self.stride;
        for px in x..(x + w).min(self.width) {
            self.bits[row + px as usize / 8] |= 0x80 >> (px % 8);
        }
    }

    pub fn fill_rect(&mut self, r: Rect) {
        let y_end = (r.y + r.h).min(self.height);
        if r.y >= y_end {
            return;
        }
        self.fill_row(r.y, r.x, r.w);
        // Every row of a rectangle is the same: copy the first.
        let first = r.y as usize * self.stride;
        for y in r.y + 1..y_end {
            let at = y as usize * self.stride;
            for i in 0..self.stride {
                let b = self.bits[first + i];
                self.bits[at + i] |= b & mask_for(i, r.x, r.w);
            }
        }
    }

    pub fn draw_text(&mut self, t: &TextRun) {
        let step = (GLYPH * t.px) as i64;
        for (k, c) in t.text.chars().enumerate() {
            let g = glyph(c);
            let gx = t.x + k as i64 * step;
            for (row, bits) in g.iter().enumerate() {
                for col in 0..GLYPH {
                    if bits >> col & 1 == 0 {
                        continue;
                    }
                    for dy in 0..t.px {
                        let y = t.y + row as u32 * t.px + dy;
                        for dx in 0..t.px {
                            let x = gx + (col * t.px + dx) as i64;
                            if x >= 0 && (x as u64) < self.width as u64 && y < self.height {
                                self.set(x as u32, y);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Draws a whole layout. Linear bars are one row pattern: draw it once, copy it down.
    pub fn from_layout(l: &Layout) -> Bitmap {
        let mut bm = Bitmap::new(l.width, l.height);
        let uniform = l.uniform_rows.min(l.height);
        let (pattern, rest): (Vec<&Rect>, Vec<&Rect>) =
            l.rects.iter().partition(|r| uniform > 0 && r.y == 0 && r.h == uniform);
        if !pattern.is_empty() {
            for r in &pattern {
                bm.fill_row(0, r.x, r.w);
            }
            let stride = bm.stride;
            for y in 1..uniform as usize {
                bm.bits.copy_within(0..stride, y * stride);
            }
        }
        for r in rest {
            bm.fill_rect(*r);
        }
        for t in &l.texts {
            bm.draw_text(t);
        }
        bm
    }

    /// The image turned clockwise by `rot`.
    pub fn rotate(&self, rot: Rotation) -> Bitmap {
        let (w, h) = (self.width, self.height);
        match rot {
            Rotation::R0 => self.clone(),
            Rotation::R180 => {
                let mut out = Bitmap::new(w, h);
                for y in 0..h {
                    for x in 0..w {
                        if self.get(x, y) {
                            out.set(w - 1 - x, h - 1 - y);
                        }
                    }
                }
                out
            }
            Rotation::R90 | Rotation::R270 => {
                let mut out = Bitmap::new(h, w);
                for y in 0..h {
                    for x in 0..w {
                        if self.get(x, y) {
                            if rot == Rotation::R90 {
                                out.set(h - 1 - y, x);
                            } else {
                                out.set(y, w - 1 - x);
                            }
                        }
                    }
                }
                out
            }
        }
    }
}

/// The bits of byte `i` of a row that lie inside `[x, x + w)`.
fn mask_for(i: usize, x: u32, w: u32) -> u8 {
    let lo = i as u32 * 8;
    let (a, b) = (x.max(lo), (x + w).min(lo + 8));
    if a >= b {
        return 0;
    }
    let len = b - a;
    ((0xFFu16 << (8 - len)) as u8) >> (a - lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rect_bits() {
        let mut b = Bitmap::new(20, 3);
        b.fill_rect(Rect { x: 3, y: 1, w: 10, h: 2 });
        for y in 0..3 {
            for x in 0..20 {
                assert_eq!(b.get(x, y), y >= 1 && (3..13).contains(&x), "{x},{y}");
            }
        }
    }

    #[test]
    fn rotation_moves_pixels_clockwise() {
        let mut b = Bitmap::new(3, 2);
        b.set(0, 0);
        let r = b.rotate(Rotation::R90);
        assert_eq!((r.width, r.height), (2, 3));
        assert!(r.get(1, 0));
        let r = b.rotate(Rotation::R270);
        assert!(r.get(0, 2));
        let r = b.rotate(Rotation::R180);
        assert!(r.get(2, 1));
    }
}
