//! A 1-bit image, rows packed MSB-first (the PNG layout), bit set = dark module.

use super::layout::{dark_runs, Grid, Layout, Rect, Shape, TextRun};
use super::text::{atlas, glyph, Atlas, GLYPH};
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

    /// Sets the bits of one row segment, a byte at a time where it can.
    fn fill_row(&mut self, y: u32, x: u32, w: u32) {
        let end = (x + w).min(self.width);
        if x >= end {
            return;
        }
        let row = &mut self.bits[y as usize * self.stride..(y as usize + 1) * self.stride];
        let (first, last) = (x as usize / 8, (end as usize - 1) / 8);
        let head = 0xFFu8 >> (x % 8);
        let tail = 0xFFu8 << (7 - (end - 1) % 8);
        if first == last {
            row[first] |= head & tail;
        } else {
            row[first] |= head;
            row[first + 1..last].fill(0xFF);
            row[last] |= tail;
        }
    }

    pub fn fill_rect(&mut self, r: Rect) {
        for y in r.y..(r.y + r.h).min(self.height) {
            self.fill_row(y, r.x, r.w);
        }
    }

    /// Draws a text run, clipped to the image.
    pub fn draw_text(&mut self, t: &TextRun) {
        match atlas(t.px) {
            Some(a) => self.draw_text_atlas(t, a),
            None => self.draw_text_spans(t),
        }
    }

    /// From the pre-expanded glyph rows: each visible row of a glyph is shifted to its bit
    /// position once and ORed into its `px` pixel rows.
    fn draw_text_atlas(&mut self, t: &TextRun, a: &Atlas) {
        let gw = (GLYPH * t.px) as i64;
        for (k, c) in t.text.chars().enumerate() {
            let gx = t.x + k as i64 * gw;
            let (x0, x1) = (gx.max(0), (gx + gw).min(self.width as i64));
            if x1 <= x0 {
                continue;
            }
            // The visible pixels: `skip` cut on the left, `vis` kept (1..=64, so the
            // shifts below stay in range).
            let (skip, vis) = ((x0 - gx) as u32, (x1 - x0) as u32);
            let keep = !0u64 << (64 - vis);
            let (first, shift) = (x0 as usize / 8, x0 as u32 % 8);
            let n = (shift + vis).div_ceil(8) as usize;
            for (row, &wide) in a.rows(c).iter().enumerate() {
                let m = (wide << skip) & keep;
                if m == 0 {
                    continue;
                }
                let bytes = (((m as u128) << 64) >> shift).to_be_bytes();
                for dy in 0..t.px {
                    let y = t.y + row as u32 * t.px + dy;
                    if y >= self.height {
                        break;
                    }
                    let start = y as usize * self.stride + first;
                    for (d, s) in self.bits[start..start + n].iter_mut().zip(&bytes) {
                        *d |= s;
                    }
                }
            }
        }
    }

    /// Span by span, for scales beyond the atlases.
    fn draw_text_spans(&mut self, t: &TextRun) {
        let step = (GLYPH * t.px) as i64;
        for (k, c) in t.text.chars().enumerate() {
            let gx = t.x + k as i64 * step;
            for (row, bits) in glyph(c).iter().enumerate() {
                // Each horizontal run of font pixels is one span, filled on `px` rows.
                let mut col = 0;
                while col < GLYPH {
                    if bits >> col & 1 == 0 {
                        col += 1;
                        continue;
                    }
                    let start = col;
                    while col < GLYPH && bits >> col & 1 == 1 {
                        col += 1;
                    }
                    let x0 = gx + (start * t.px) as i64;
                    let x1 = (gx + (col * t.px) as i64).min(self.width as i64);
                    let x0 = x0.max(0);
                    if x1 <= x0 {
                        continue;
                    }
                    for dy in 0..t.px {
                        let y = t.y + row as u32 * t.px + dy;
                        if y < self.height {
                            self.fill_row(y, x0 as u32, (x1 - x0) as u32);
                        }
                    }
                }
            }
        }
    }

    /// Draws a whole layout. Linear bars are one row pattern: draw it once, copy it down.
    pub fn from_layout(l: &Layout) -> Bitmap {
        let mut bm = Bitmap::new(l.width, l.height);
        if let Some(g) = &l.grid {
            bm.draw_grid(g);
            return bm;
        }
        let (y0, y1) = (l.band.0.min(l.height), l.band.1.min(l.height));
        let (pattern, rest): (Vec<&Rect>, Vec<&Rect>) =
            l.rects.iter().partition(|r| y1 > y0 && r.y == y0 && r.y + r.h == y1);
        if !pattern.is_empty() {
            for r in &pattern {
                bm.fill_row(y0, r.x, r.w);
            }
            bm.repeat_row(y0 as usize, y1 as usize);
        }
        for r in rest {
            bm.fill_rect(*r);
        }
        for sh in &l.shapes {
            bm.fill_shape(sh);
        }
        for t in &l.texts {
            bm.draw_text(t);
        }
        bm
    }

    /// A matrix grid: each module row is expanded into its first pixel row, or that row is
    /// copied from the pixel row of an equal module row above; the rest of the module row
    /// are copies.
    fn draw_grid(&mut self, g: &Grid) {
        let (stride, s) = (self.stride, g.scale as usize);
        let mut prev: Option<(&[bool], usize)> = None;
        for (row, line) in g.rows().enumerate() {
            let y = g.origin.1 as usize + row * s;
            if y >= self.height as usize {
                break;
            }
            match prev {
                Some((p, py)) if p == line => self.bits.copy_within(py * stride..(py + 1) * stride, y * stride),
                _ => {
                    self.expand_row(y, g.origin.0 as usize, line, s);
                    prev = Some((line, y));
                }
            }
            self.repeat_row(y, (y + s).min(self.height as usize));
        }
    }

    /// Copies pixel row `y` into the rows after it up to `end` (exclusive), doubling the
    /// copied block each time: a few copies for a bar's hundred rows instead of one each.
    fn repeat_row(&mut self, y: usize, end: usize) {
        let stride = self.stride;
        let (start, end) = (y * stride, end.min(self.height as usize) * stride);
        let mut done = start + stride;
        while done < end {
            let n = (done - start).min(end - done);
            self.bits.copy_within(start..start + n, done);
            done += n;
        }
    }

    /// Draws one module row into pixel row `y` from pixel `x0`, `s` pixels a module: eight
    /// modules at a time packed into a byte and spread to `8 s` pixel bits from a table
    /// (scales 1-4), else a module at a time; the bits are shifted in with no branch per
    /// module (scales over 32 go run by run).
    fn expand_row(&mut self, y: usize, x0: usize, line: &[bool], s: usize) {
        if s > 32 {
            for (start, end) in dark_runs(line) {
                self.fill_row(y as u32, (x0 + start * s) as u32, ((end - start) * s) as u32);
            }
            return;
        }
        let row = &mut self.bits[y * self.stride..(y + 1) * self.stride];
        let ones = (1u64 << s) - 1;
        let (mut at, mut acc, mut n) = (x0 / 8, 0u64, x0 % 8);
        let mut put = |byte: u8| {
            if let Some(b) = row.get_mut(at) {
                *b |= byte;
            }
            at += 1;
        };
        let mut rest = line;
        if s <= 4 {
            let spread = &SPREAD[s - 1];
            let mut chunks = line.chunks_exact(8);
            for c in &mut chunks {
                // Eight 0/1 bytes to eight bits, the first module the highest.
                let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]].map(u8::from));
                let byte = (word.wrapping_mul(0x8040_2010_0804_0201) >> 56) as usize;
                acc = acc << (8 * s) | spread[byte] as u64;
                n += 8 * s;
                while n >= 8 {
                    n -= 8;
                    put((acc >> n) as u8);
                }
            }
            rest = chunks.remainder();
        }
        for &d in rest {
            acc = acc << s | (d as u64 * ones);
            n += s;
            while n >= 8 {
                n -= 8;
                put((acc >> n) as u8);
            }
        }
        if n > 0 {
            put((acc << (8 - n)) as u8);
        }
    }

    /// Fills a shape: every pixel whose centre is inside it.
    pub fn fill_shape(&mut self, sh: &Shape) {
        let (x0, y0, x1, y1) = sh.bounds();
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                if sh.contains(x as f32 + 0.5, y as f32 + 0.5) {
                    self.set(x, y);
                }
            }
        }
    }

    /// Ors `src` into this image with its top left corner at (`x`, `y`), clipped: a byte
    /// of `src` at a time, shifted to its bit position (padding bits are clear).
    pub fn blit(&mut self, src: &Bitmap, x: u32, y: u32) {
        if x >= self.width {
            return;
        }
        let (first, shift) = (x as usize / 8, x % 8);
        let room = self.stride - first;
        for sy in 0..src.height {
            let ty = y + sy;
            if ty >= self.height {
                break;
            }
            let row = &src.bits[sy as usize * src.stride..(sy as usize + 1) * src.stride];
            let start = ty as usize * self.stride + first;
            let dst = &mut self.bits[start..start + room];
            for (k, &b) in row.iter().enumerate().take(room) {
                dst[k] |= b >> shift;
                if shift > 0 && k + 1 < room {
                    dst[k + 1] |= b << (8 - shift);
                }
            }
        }
        // Bits past the right edge would be set only by a source reaching past it: clear them.
        let tail = self.width % 8;
        if tail != 0 && x + src.width > self.width {
            let mask = 0xFFu8 << (8 - tail);
            for ty in y..(y + src.height).min(self.height) {
                self.bits[(ty as usize + 1) * self.stride - 1] &= mask;
            }
        }
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

/// `SPREAD[s - 1][m]`: the eight bits of `m` each repeated `s` times, highest first (eight
/// modules at scale `s`, 1-4, as pixel bits).
const SPREAD: [[u32; 256]; 4] = {
    let mut t = [[0u32; 256]; 4];
    let mut s = 1;
    while s <= 4 {
        let mut m = 0;
        while m < 256 {
            let mut v = 0u32;
            let mut bit = 8;
            while bit > 0 {
                bit -= 1;
                let ink = (m >> bit) & 1;
                v = v << s | if ink == 1 { (1 << s) - 1 } else { 0 };
            }
            t[s - 1][m] = v;
            m += 1;
        }
        s += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_rows_expand_as_pixel_by_pixel() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for s in 1..=9usize {
            for x0 in 0..9usize {
                for len in [1usize, 7, 8, 9, 16, 21, 75] {
                    let line: Vec<bool> = (0..len)
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            x & 1 == 1
                        })
                        .collect();
                    let w = (x0 + len * s) as u32;
                    let mut fast = Bitmap::new(w, 1);
                    fast.expand_row(0, x0, &line, s);
                    let mut slow = Bitmap::new(w, 1);
                    for (i, &d) in line.iter().enumerate() {
                        for p in 0..s {
                            if d {
                                slow.set((x0 + i * s + p) as u32, 0);
                            }
                        }
                    }
                    assert_eq!(fast, slow, "scale {s}, from {x0}, {len} modules");
                }
            }
        }
    }

    #[test]
    fn blit_equals_setting_each_pixel() {
        let mut src = Bitmap::new(21, 5);
        for (x, y) in [(0, 0), (20, 0), (7, 2), (8, 2), (13, 4)] {
            src.set(x, y);
        }
        for (x, y) in [(0, 0), (3, 1), (8, 0), (17, 3), (30, 9), (45, 2)] {
            let mut fast = Bitmap::new(50, 10);
            fast.blit(&src, x, y);
            let mut slow = Bitmap::new(50, 10);
            for sy in 0..src.height {
                for sx in 0..src.width {
                    if src.get(sx, sy) && x + sx < 50 && y + sy < 10 {
                        slow.set(x + sx, y + sy);
                    }
                }
            }
            assert_eq!(fast, slow, "at {x}, {y}");
        }
    }

    /// The text line drawn pixel by pixel: the reference for `draw_text`.
    fn naive_text(b: &mut Bitmap, t: &TextRun) {
        for (k, c) in t.text.chars().enumerate() {
            for (row, bits) in glyph(c).iter().enumerate() {
                for col in 0..GLYPH {
                    if bits >> col & 1 == 0 {
                        continue;
                    }
                    for dy in 0..t.px {
                        for dx in 0..t.px {
                            let x = t.x + (k as u32 * GLYPH * t.px + col * t.px + dx) as i64;
                            let y = t.y + row as u32 * t.px + dy;
                            if x >= 0 && (x as u32) < b.width && y < b.height {
                                b.set(x as u32, y);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn text_matches_the_pixel_by_pixel_reference_with_clipping() {
        for (w, h, x, y, px, text) in [
            (120, 20, 3, 2, 1, "5901234"),
            (200, 40, -5, 10, 2, "ABC xyz"),
            (61, 30, 40, 20, 3, "0123"),
            (64, 16, 0, 0, 1, "\u{e9}t\u{e9}!"),
            (30, 10, 29, 9, 2, "88"),
            (30, 10, 31, 0, 1, "8"),
            (300, 90, -13, 5, 8, "0123"),
            (300, 90, 250, 5, 8, "4567"),
            (77, 90, -70, 0, 9, "89"),
            (250, 120, 7, 1, 10, "Ab"),
            (100, 50, -3, 45, 5, "x\u{e9}y"),
            (23, 50, 1, 0, 4, "88"),
            (24, 50, 3, 3, 6, "\u{2603}W"),
        ] {
            let t = TextRun { x, y, text: text.to_string(), px };
            let mut a = Bitmap::new(w, h);
            a.fill_rect(Rect { x: 0, y: 0, w: 2, h });
            let mut b = a.clone();
            let mut c = a.clone();
            a.draw_text(&t);
            naive_text(&mut b, &t);
            assert_eq!(a, b, "{text:?} at {x},{y} px {px} in {w}x{h}");
            // Both drawers (the atlas one where the scale has an atlas) match the reference.
            c.draw_text_spans(&t);
            assert_eq!(c, b, "spans: {text:?} at {x},{y} px {px} in {w}x{h}");
        }
    }

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
    fn row_fill_edges() {
        for (x, w) in [(0, 20), (1, 2), (7, 1), (8, 8), (5, 11), (0, 1), (19, 1)] {
            let mut b = Bitmap::new(20, 1);
            b.fill_rect(Rect { x, y: 0, w, h: 1 });
            for px in 0..20 {
                assert_eq!(b.get(px, 0), (x..x + w).contains(&px), "x={x} w={w} px={px}");
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
