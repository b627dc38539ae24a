//! Aztec's module placement: per size (compact or full, and layers) the bull's-eye,
//! orientation marks and reference grid, and the module of every message and mode-message
//! bit, worked out once; a symbol is that pattern with its dark bits set.

use super::bits::Bits;
use super::total_bits;
use crate::symbology::{Matrix, MatrixKind};
use std::sync::OnceLock;

/// Where a symbol's bits go, per size (compact or full, and layers): worked out once, then a
/// symbol is the fixed pattern with its dark bits set by index.
struct Template {
    size: usize,
    /// The bull's-eye, orientation marks and (full symbols) reference grid.
    fixed: Vec<bool>,
    /// The module (y * size + x) of each message bit, in message order.
    message: Vec<u16>,
    /// The module of each mode message bit.
    mode: Vec<u16>,
}

/// The template of a size: compact 1-4 layers in slots 0-3, full 1-32 in slots 4-35.
fn template(compact: bool, layers: usize) -> &'static Template {
    static TEMPLATES: [OnceLock<Template>; 36] = [const { OnceLock::new() }; 36];
    let slot = if compact { layers - 1 } else { layers + 3 };
    TEMPLATES[slot].get_or_init(|| build_template(compact, layers))
}

/// The message spiral, the mode message ring, the bull's-eye and (full symbols) the
/// reference grid of one size, as ISO/IEC 24778 lays them out (zxing's order).
fn build_template(compact: bool, layers: usize) -> Template {
    let base = (if compact { 11 } else { 14 }) + layers * 4;
    let size = if compact { base } else { base + 1 + 2 * ((base / 2 - 1) / 15) };
    let mut map: Vec<usize> = (0..base).collect();
    if !compact {
        let (orig, center) = (base / 2, size / 2);
        for i in 0..orig {
            let off = i + i / 15;
            map[orig - i - 1] = center - off - 1;
            map[orig + i] = center + off + 1;
        }
    }
    let at = |x: usize, y: usize| (y * size + x) as u16;
    let mut message = vec![0u16; total_bits(layers, compact)];
    let mut row_offset = 0;
    for i in 0..layers {
        let row = (layers - i) * 4 + if compact { 9 } else { 12 };
        for j in 0..row {
            let col = j * 2;
            for k in 0..2 {
                message[row_offset + col + k] = at(map[i * 2 + k], map[i * 2 + j]);
                message[row_offset + row * 2 + col + k] = at(map[i * 2 + j], map[base - 1 - i * 2 - k]);
                message[row_offset + row * 4 + col + k] = at(map[base - 1 - i * 2 - k], map[base - 1 - i * 2 - j]);
                message[row_offset + row * 6 + col + k] = at(map[base - 1 - i * 2 - j], map[i * 2 + k]);
            }
        }
        row_offset += row * 8;
    }
    let c = size / 2;
    // The mode message around the bull's-eye: 7 bits a side (compact) or 10 with a gap in
    // the middle for the reference grid (full), clockwise from the top left.
    let (side, ring) = if compact { (7, 5) } else { (10, 7) };
    let mut mode = vec![0u16; 4 * side];
    for i in 0..side {
        let o = if compact { c - 3 + i } else { c - 5 + i + i / 5 };
        for (k, (x, y)) in [(o, c - ring), (c + ring, o), (o, c + ring), (c - ring, o)].into_iter().enumerate() {
            let b = if k < 2 { k * side + i } else { (k + 1) * side - 1 - i };
            mode[b] = at(x, y);
        }
    }
    let mut fixed = vec![false; size * size];
    let mut set = |x: usize, y: usize| fixed[y * size + x] = true;
    let eye = if compact { 5 } else { 7 };
    for i in (0..eye).step_by(2) {
        for j in c - i..=c + i {
            set(j, c - i);
            set(j, c + i);
            set(c - i, j);
            set(c + i, j);
        }
    }
    for (x, y) in [(c - eye, c - eye), (c - eye + 1, c - eye), (c - eye, c - eye + 1), (c + eye, c - eye)] {
        set(x, y);
    }
    set(c + eye, c - eye + 1);
    set(c + eye, c + eye - 1);
    if !compact {
        let (mut i, mut j) = (0, 0);
        while i < base / 2 - 1 {
            let mut k = c & 1;
            while k < size {
                set(c - j, k);
                set(c + j, k);
                set(k, c - j);
                set(k, c + j);
                k += 2;
            }
            i += 15;
            j += 16;
        }
    }
    Template { size, fixed, message, mode }
}

/// The symbol: its size's fixed pattern, and the modules of the message's and the mode
/// message's dark bits (found a byte at a time, from their set bits).
pub(super) fn layout(message: &Bits, mode: &Bits, compact: bool, layers: usize) -> Matrix {
    let t = template(compact, layers);
    let mut dark = t.fixed.clone();
    for (bits, places) in [(message, &t.message), (mode, &t.mode)] {
        let n = bits.len.min(places.len());
        for (b, &byte) in bits.bytes.iter().enumerate().take(n.div_ceil(8)) {
            // Bits past the end (the last byte's padding) are dropped.
            let mut v = if 8 * b + 8 > n { byte & !(0xFFu8 >> (n - 8 * b)) } else { byte };
            while v != 0 {
                // The lowest set bit, the last in string order: one short dependency a bit.
                let k = 7 - v.trailing_zeros() as usize;
                v &= v - 1;
                dark[usize::from(places[8 * b + k])] = true;
            }
        }
    }
    Matrix { width: t.size, height: t.size, dark, kind: MatrixKind::Square }
}
