//! DataMatrix ECC 200 encodation (ISO/IEC 16022 §5.2) in linear time: a shortest-path
//! choice over ASCII (digit pairs, upper shift), C40, Text, X12, EDIFACT and Base 256 with
//! a fixed number of states per character (mode, and the values or characters pending in
//! an unfinished triple or quadruple), so no input costs more than a constant per
//! character. The codewords then go to `rxing` for the Reed–Solomon blocks, the symbol
//! size table and the module placement, and the finder borders are drawn here. (rxing's
//! own minimal encoder finds the same sizes but allocates per edge: 43 ms for 3,116 digits.)

use super::{Matrix, MatrixKind};
use rxing::datamatrix::encoder::{error_correction, SymbolInfoLookup, SymbolShapeHint};

/// Mode states: ASCII; C40, Text, X12 with 0-2 values pending; EDIFACT with 0-3
/// characters pending; Base 256 with a one-byte length (at most 249 bytes) or a two-byte one.
const ASCII: usize = 0;
const C40: usize = 1;
const TEXT: usize = 4;
const X12: usize = 7;
const EDIF: usize = 10;
const B256_SHORT: usize = 14;
const B256_LONG: usize = 15;
const STATES: usize = 16;
const INF: u32 = u32::MAX / 2;

/// C40 (`text` false) or Text values of a byte: 1-4 values.
fn ctext_values(b: u8, text: bool, out: &mut Vec<u8>) {
    if b >= 128 {
        out.extend([1, 30]); // Upper shift.
        return ctext_values(b - 128, text, out);
    }
    let upper = if text { b.is_ascii_lowercase() } else { b.is_ascii_uppercase() };
    let lower = if text { b.is_ascii_uppercase() } else { b.is_ascii_lowercase() };
    match b {
        b' ' => out.push(3),
        b'0'..=b'9' => out.push(b - b'0' + 4),
        _ if upper => out.push(b.to_ascii_uppercase() - b'A' + 14),
        0..=31 => out.extend([0, b]),
        b'!'..=b'/' => out.extend([1, b - b'!']),
        b':'..=b'@' => out.extend([1, b - b':' + 15]),
        b'['..=b'_' => out.extend([1, b - b'[' + 22]),
        b'`' => out.extend([2, 0]),
        _ if lower => out.extend([2, b.to_ascii_uppercase() - b'A' + 1]),
        _ => out.extend([2, b - b'{' + 27]),
    }
}

/// ASCII codewords of `s` written greedily (digit pairs, upper shift).
fn ascii(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        if s[i].is_ascii_digit() && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
            out.push(130 + (s[i] - b'0') * 10 + (s[i + 1] - b'0'));
            i += 2;
        } else if s[i] >= 128 {
            out.extend([235, s[i] - 128 + 1]);
            i += 1;
        } else {
            out.push(s[i] + 1);
            i += 1;
        }
    }
}

fn ascii_len(s: &[u8]) -> u32 {
    let mut v = Vec::with_capacity(8);
    ascii(s, &mut v);
    v.len() as u32
}

fn ctext_len(b: u8, text: bool) -> u32 {
    let mut v = Vec::with_capacity(4);
    ctext_values(b, text, &mut v);
    v.len() as u32
}

fn x12_value(b: u8) -> Option<u8> {
    match b {
        b'\r' => Some(0),
        b'*' => Some(1),
        b'>' => Some(2),
        b' ' => Some(3),
        b'0'..=b'9' => Some(b - b'0' + 4),
        b'A'..=b'Z' => Some(b - b'A' + 14),
        _ => None,
    }
}

fn edifact(b: u8) -> bool {
    (32..=94).contains(&b)
}

/// Codewords for `k` EDIFACT values (unlatch included) in a last, partial group.
fn edif_tail(k: u32) -> u32 {
    [0, 1, 2, 3, 3][k as usize]
}

#[derive(Clone, Copy)]
struct Step {
    from: u8,
    /// Characters consumed (0 for a latch or unlatch).
    chars: u8,
}

/// The cheapest path's steps, and its codeword count, for `data`.
fn plan(data: &[u8]) -> (Vec<[u32; STATES]>, Vec<[Step; STATES]>) {
    let n = data.len();
    let mut cost = vec![[INF; STATES]; n + 1];
    let mut back = vec![[Step { from: 0, chars: 0 }; STATES]; n + 1];
    // Base 256 with a short length: the position it was entered at, to stop at 249 bytes.
    let mut b256_start = vec![0usize; n + 1];
    cost[0][ASCII] = 0;
    let relax =
        |cost: &mut Vec<[u32; STATES]>, back: &mut Vec<[Step; STATES]>, i: usize, s: usize, c: u32, step: Step| {
            if c < cost[i][s] {
                cost[i][s] = c;
                back[i][s] = step;
            }
        };
    for i in 0..=n {
        // Back to ASCII: an unlatch from a finished triple; EDIFACT's unlatch value
        // closes its group; Base 256 just ends.
        for (m, pend) in [(C40, 0), (TEXT, 0), (X12, 0)] {
            let c = cost[i][m + pend] + 1;
            relax(&mut cost, &mut back, i, ASCII, c, Step { from: (m + pend) as u8, chars: 0 });
        }
        for p in 0..4 {
            let c = cost[i][EDIF + p] + edif_tail(p as u32 + 1);
            relax(&mut cost, &mut back, i, ASCII, c, Step { from: (EDIF + p) as u8, chars: 0 });
        }
        for s in [B256_SHORT, B256_LONG] {
            let c = cost[i][s];
            relax(&mut cost, &mut back, i, ASCII, c, Step { from: s as u8, chars: 0 });
        }
        // Latches from ASCII.
        let a = cost[i][ASCII];
        for (s, add) in [(C40, 1), (TEXT, 1), (X12, 1), (EDIF, 1), (B256_SHORT, 2), (B256_LONG, 3)] {
            if a + add < cost[i][s] {
                cost[i][s] = a + add;
                back[i][s] = Step { from: ASCII as u8, chars: 0 };
                if s == B256_SHORT {
                    b256_start[i] = i;
                }
            }
        }
        if i == n {
            break;
        }
        let b = data[i];
        // ASCII: a digit pair, a character, or an upper-shifted one.
        if b.is_ascii_digit() && data.get(i + 1).is_some_and(u8::is_ascii_digit) {
            relax(&mut cost, &mut back, i + 2, ASCII, a + 1, Step { from: ASCII as u8, chars: 2 });
        }
        relax(
            &mut cost,
            &mut back,
            i + 1,
            ASCII,
            a + if b < 128 { 1 } else { 2 },
            Step { from: ASCII as u8, chars: 1 },
        );
        // C40, Text, X12: values in triples of two codewords.
        let triples =
            [(C40, Some(ctext_len(b, false))), (TEXT, Some(ctext_len(b, true))), (X12, x12_value(b).map(|_| 1))];
        for (m, k) in triples {
            let Some(k) = k else { continue };
            for p in 0..3 {
                let c = cost[i][m + p];
                if c < INF {
                    let total = p as u32 + k;
                    let step = Step { from: (m + p) as u8, chars: 1 };
                    relax(&mut cost, &mut back, i + 1, m + (total % 3) as usize, c + 2 * (total / 3), step);
                }
            }
        }
        if edifact(b) {
            for p in 0..4 {
                let c = cost[i][EDIF + p];
                if c < INF {
                    let (next, add) = if p == 3 { (EDIF, 3) } else { (EDIF + p + 1, 0) };
                    relax(&mut cost, &mut back, i + 1, next, c + add, Step { from: (EDIF + p) as u8, chars: 1 });
                }
            }
        }
        if cost[i][B256_SHORT] < INF
            && i + 1 - b256_start[i] <= 249
            && cost[i][B256_SHORT] + 1 < cost[i + 1][B256_SHORT]
        {
            cost[i + 1][B256_SHORT] = cost[i][B256_SHORT] + 1;
            back[i + 1][B256_SHORT] = Step { from: B256_SHORT as u8, chars: 1 };
            b256_start[i + 1] = b256_start[i];
        }
        let c = cost[i][B256_LONG];
        relax(&mut cost, &mut back, i + 1, B256_LONG, c.saturating_add(1), Step { from: B256_LONG as u8, chars: 1 });
    }
    (cost, back)
}

/// The steps that reach state `s` after all of `data`.
fn path(back: &[[Step; STATES]], n: usize, mut s: usize) -> Vec<(usize, usize, Step)> {
    let mut steps = Vec::new();
    let mut i = n;
    while i > 0 || s != ASCII {
        let st = back[i][s];
        steps.push((i, s, st));
        i -= usize::from(st.chars);
        s = usize::from(st.from);
    }
    steps.reverse();
    steps
}

/// How the data ends (ISO/IEC 16022 5.2.5.2, 5.2.7, 5.2.8): in ASCII; in C40, Text, X12
/// or after a whole EDIFACT group with the unlatch left out because the symbol is full; two C40/Text values padded to a triple
/// (then unlatched unless full); or the last characters after a whole triple or group
/// written in ASCII into the symbol's last codeword (two after EDIFACT), the unlatch implied.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    Plain,
    Pad { unlatch: bool },
    LastAscii(usize),
}

/// The data codewords of the planned path, and the Base 256 runs to randomise.
fn codewords(data: &[u8], steps: &[(usize, usize, Step)], end: End) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut out: Vec<u8> = Vec::with_capacity(data.len() + 8);
    let mut runs = Vec::new();
    let mut vals: Vec<u8> = Vec::new();
    let mut b256_at: Option<usize> = None;
    let flush = |vals: &mut Vec<u8>, out: &mut Vec<u8>, edif: bool| {
        if edif {
            for g in vals.chunks(4) {
                let mut v = 0u32;
                for (k, &x) in g.iter().enumerate() {
                    v |= u32::from(x & 63) << (18 - 6 * k);
                }
                let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
                out.extend(&bytes[..edif_tail(g.len() as u32) as usize]);
            }
        } else {
            for g in vals.chunks(3) {
                let v = 1600 * u32::from(g[0])
                    + 40 * u32::from(*g.get(1).unwrap_or(&0))
                    + u32::from(*g.get(2).unwrap_or(&0))
                    + 1;
                out.extend([(v >> 8) as u8, v as u8]);
            }
        }
        vals.clear();
    };
    for &(i, s, st) in steps {
        let from = usize::from(st.from);
        if st.chars == 0 {
            // A latch or an unlatch.
            match (from, s) {
                (ASCII, C40) => out.push(230),
                (ASCII, TEXT) => out.push(239),
                (ASCII, X12) => out.push(238),
                (ASCII, EDIF) => out.push(240),
                (ASCII, B256_SHORT) | (ASCII, B256_LONG) => {
                    out.push(231);
                    b256_at = Some(out.len());
                    out.push(0);
                    if s == B256_LONG {
                        out.push(0);
                    }
                }
                (f, ASCII) if (EDIF..EDIF + 4).contains(&f) => {
                    vals.push(31);
                    flush(&mut vals, &mut out, true);
                }
                (f, ASCII) if f == B256_SHORT || f == B256_LONG => {
                    if let Some(at) = b256_at.take() {
                        let len = out.len() - at - if f == B256_LONG { 2 } else { 1 };
                        if f == B256_LONG {
                            out[at] = (len / 250 + 249) as u8;
                            out[at + 1] = (len % 250) as u8;
                        } else {
                            out[at] = len as u8;
                        }
                        runs.push((at, out.len()));
                    }
                }
                (_, ASCII) => {
                    flush(&mut vals, &mut out, false);
                    out.push(254);
                }
                _ => {}
            }
            continue;
        }
        let b = data[i - usize::from(st.chars)];
        match from {
            ASCII if st.chars == 2 => out.push(130 + (b - b'0') * 10 + (data[i - 1] - b'0')),
            ASCII if b >= 128 => out.extend([235, b - 128 + 1]),
            ASCII => out.push(b + 1),
            f if (C40..C40 + 3).contains(&f) => ctext_values(b, false, &mut vals),
            f if (TEXT..TEXT + 3).contains(&f) => ctext_values(b, true, &mut vals),
            f if (X12..X12 + 3).contains(&f) => vals.push(x12_value(b).unwrap_or(0)),
            f if (EDIF..EDIF + 4).contains(&f) => {
                vals.push(b & 63);
                if vals.len() == 4 {
                    flush(&mut vals, &mut out, true);
                }
            }
            _ => out.push(b),
        }
        if (C40..EDIF).contains(&from) && vals.len() >= 3 {
            let whole = vals.len() / 3 * 3;
            let rest = vals.split_off(whole);
            flush(&mut vals, &mut out, false);
            vals = rest;
        }
    }
    match end {
        End::Plain => flush(&mut vals, &mut out, false),
        End::Pad { unlatch } => {
            // Two C40/Text values pending: a Shift 1 completes the triple.
            vals.push(0);
            flush(&mut vals, &mut out, false);
            if unlatch {
                out.push(254);
            }
        }
        End::LastAscii(k) => ascii(&data[data.len() - k..], &mut out),
    }
    (out, runs)
}

/// Randomises the Base 256 runs (`runs`: index ranges of their length fields and bytes)
/// by each codeword's 1-based position `offset` + index + 1 (the 255-state algorithm).
fn randomise_b256(cw: &mut [u8], runs: &[(usize, usize)], offset: usize) {
    for &(a, b) in runs {
        for j in a..b {
            let pos = (offset + j + 1) as u32;
            let r = (149 * pos) % 255 + 1;
            cw[offset + j] = ((u32::from(cw[offset + j]) + r) % 256) as u8;
        }
    }
}

/// The ECC 200 placement (ISO/IEC 16022 Annex F): each codeword's eight bits as a "utah"
/// shape along diagonal sweeps, the four corner cases, the fixed corner pattern. `rxing`'s
/// `DefaultPlacement` does the same but looks each codeword up in a `String` by `nth`,
/// quadratic in the symbol size (4 ms for 144 x 144).
struct Placement {
    rows: usize,
    cols: usize,
    /// 0 unset, 1 light, 2 dark.
    bits: Vec<u8>,
}

impl Placement {
    fn new(cw: &[u8], rows: usize, cols: usize) -> Placement {
        let mut p = Placement { rows, cols, bits: vec![0; rows * cols] };
        let (r, c) = (rows as isize, cols as isize);
        let (mut row, mut col, mut pos) = (4isize, 0isize, 0usize);
        loop {
            if row == r && col == 0 {
                p.corner(
                    cw,
                    pos,
                    [(r - 1, 0), (r - 1, 1), (r - 1, 2), (0, c - 2), (0, c - 1), (1, c - 1), (2, c - 1), (3, c - 1)],
                );
                pos += 1;
            }
            if row == r - 2 && col == 0 && c % 4 != 0 {
                p.corner(
                    cw,
                    pos,
                    [(r - 3, 0), (r - 2, 0), (r - 1, 0), (0, c - 4), (0, c - 3), (0, c - 2), (0, c - 1), (1, c - 1)],
                );
                pos += 1;
            }
            if row == r - 2 && col == 0 && c % 8 == 4 {
                p.corner(
                    cw,
                    pos,
                    [(r - 3, 0), (r - 2, 0), (r - 1, 0), (0, c - 2), (0, c - 1), (1, c - 1), (2, c - 1), (3, c - 1)],
                );
                pos += 1;
            }
            if row == r + 4 && col == 2 && c % 8 == 0 {
                p.corner(
                    cw,
                    pos,
                    [
                        (r - 1, 0),
                        (r - 1, c - 1),
                        (0, c - 3),
                        (0, c - 2),
                        (0, c - 1),
                        (1, c - 3),
                        (1, c - 2),
                        (1, c - 1),
                    ],
                );
                pos += 1;
            }
            loop {
                if row < r && col >= 0 && p.unset(row, col) {
                    p.utah(cw, pos, row, col);
                    pos += 1;
                }
                row -= 2;
                col += 2;
                if !(row >= 0 && col < c) {
                    break;
                }
            }
            row += 1;
            col += 3;
            loop {
                if row >= 0 && col < c && p.unset(row, col) {
                    p.utah(cw, pos, row, col);
                    pos += 1;
                }
                row += 2;
                col -= 2;
                if !(row < r && col >= 0) {
                    break;
                }
            }
            row += 3;
            col += 1;
            if !(row < r || col < c) {
                break;
            }
        }
        if p.bits[rows * cols - 1] == 0 {
            p.bits[rows * cols - 1] = 2;
            p.bits[(rows - 2) * cols + cols - 2] = 2;
        }
        p
    }

    fn unset(&self, row: isize, col: isize) -> bool {
        self.bits[row as usize * self.cols + col as usize] == 0
    }

    fn module(&mut self, cw: &[u8], pos: usize, mut row: isize, mut col: isize, bit: u32) {
        let (r, c) = (self.rows as isize, self.cols as isize);
        if row < 0 {
            row += r;
            col += 4 - ((r + 4) % 8);
        }
        if col < 0 {
            col += c;
            row += 4 - ((c + 4) % 8);
        }
        let dark = cw.get(pos).is_some_and(|&v| v & (1 << (8 - bit)) != 0);
        self.bits[row as usize * self.cols + col as usize] = if dark { 2 } else { 1 };
    }

    fn utah(&mut self, cw: &[u8], pos: usize, row: isize, col: isize) {
        let at = [
            (row - 2, col - 2),
            (row - 2, col - 1),
            (row - 1, col - 2),
            (row - 1, col - 1),
            (row - 1, col),
            (row, col - 2),
            (row, col - 1),
            (row, col),
        ];
        for (k, (r, c)) in at.into_iter().enumerate() {
            self.module(cw, pos, r, c, k as u32 + 1);
        }
    }

    fn corner(&mut self, cw: &[u8], pos: usize, at: [(isize, isize); 8]) {
        for (k, (r, c)) in at.into_iter().enumerate() {
            self.module(cw, pos, r, c, k as u32 + 1);
        }
    }

    fn dark(&self, col: usize, row: usize) -> bool {
        self.bits[row * self.cols + col] == 2
    }
}

/// The symbol for `data` (ASCII bytes, or UTF-8 behind ECI 26), square or rectangular;
/// `None` when it holds too much.
pub fn encode(text: &str, rect: bool) -> Option<Matrix> {
    let mut prefix: Vec<u8> = Vec::new();
    if !text.is_ascii() {
        prefix.extend([241, 27]); // ECI 26: UTF-8.
    }
    let data = text.as_bytes();
    let n = data.len();
    let (cost, back) = plan(data);
    let shape = if rect { SymbolShapeHint::FORCE_RECTANGLE } else { SymbolShapeHint::FORCE_SQUARE };
    let lookup = SymbolInfoLookup::new();
    // Every way to end, and the smallest symbol each fits (the exact ones only if full).
    let pre = prefix.len() as u32;
    // EDIFACT after a whole group needs no unlatch when the symbol is full either.
    let mut ends = vec![(ASCII, cost[n][ASCII], false, End::Plain), (EDIF, cost[n][EDIF], true, End::Plain)];
    for m in [C40, TEXT, X12, EDIF] {
        if m != EDIF {
            ends.push((m, cost[n][m], true, End::Plain));
        }
        // The last characters in ASCII after a whole triple (one codeword: a reader takes
        // two as a triple) or EDIFACT group (one or two), the unlatch implied by the
        // symbol's end.
        let room = if m == EDIF { 2 } else { 1 };
        for k in 1..=4.min(n) {
            let ascii = ascii_len(&data[n - k..]);
            if ascii <= room {
                ends.push((m, cost[n - k][m].saturating_add(ascii), true, End::LastAscii(k)));
            }
        }
    }
    for m in [C40, TEXT] {
        ends.push((m + 2, cost[n][m + 2].saturating_add(2), true, End::Pad { unlatch: false }));
        ends.push((m + 2, cost[n][m + 2].saturating_add(3), false, End::Pad { unlatch: true }));
    }
    let mut best: Option<(u32, usize, End, &rxing::datamatrix::encoder::SymbolInfo)> = None;
    for (state, c, exact, end) in ends {
        if c >= INF {
            continue;
        }
        let Ok(Some(info)) = lookup.lookup_with_shape(c + pre, shape) else { continue };
        if exact && info.getDataCapacity() != c + pre {
            continue;
        }
        if best.as_ref().is_none_or(|b| info.getDataCapacity() < b.0) {
            best = Some((info.getDataCapacity(), state, end, info));
        }
    }
    let (_, state, end, info) = best?;
    let at = if let End::LastAscii(k) = end { n - k } else { n };
    let steps = path(&back, at, state);
    let (body, runs) = codewords(data, &steps, end);
    let offset = prefix.len();
    let mut cw = prefix;
    cw.extend(body);
    randomise_b256(&mut cw, &runs, offset);
    let cap = info.getDataCapacity() as usize;
    // Padding: 129, then 253-state randomised pads.
    if cw.len() < cap {
        cw.push(129);
        while cw.len() < cap {
            let pos = cw.len() as u32 + 1;
            let r = (149 * pos) % 253 + 1;
            let v = 129 + r;
            cw.push(if v <= 254 { v as u8 } else { (v - 254) as u8 });
        }
    }
    let s: String = cw.iter().map(|&c| c as char).collect();
    let full: Vec<u8> = error_correction::encodeECC200(&s, info).ok()?.chars().map(|c| c as u8).collect();
    let (dw, dh) = (info.getSymbolDataWidth().ok()? as usize, info.getSymbolDataHeight().ok()? as usize);
    let (w, h) = (info.getSymbolWidth().ok()? as usize, info.getSymbolHeight().ok()? as usize);
    let p = Placement::new(&full, dh, dw);
    let (hr, vr) = ((w - dw) / 2, (h - dh) / 2);
    let (rw, rh) = (dw / hr, dh / vr);
    let mut dark = vec![false; w * h];
    for ry in 0..vr {
        for rx in 0..hr {
            let (x0, y0) = (rx * (rw + 2), ry * (rh + 2));
            for k in 0..rw + 2 {
                dark[y0 * w + x0 + k] = k % 2 == 0; // Top: alternating.
                dark[(y0 + rh + 1) * w + x0 + k] = true; // Bottom: solid.
            }
            for k in 0..rh + 2 {
                dark[(y0 + k) * w + x0] = true; // Left: solid.
                dark[(y0 + k) * w + x0 + rw + 1] = k % 2 == 1 || k == rh + 1; // Right: alternating.
            }
            for y in 0..rh {
                for x in 0..rw {
                    dark[(y0 + 1 + y) * w + x0 + 1 + x] = p.dark(rx * rw + x, ry * rh + y);
                }
            }
        }
    }
    Some(Matrix { width: w, height: h, dark, kind: MatrixKind::Square })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads our matrix back with rxing's DataMatrix decoder (error correction included).
    fn read(m: &Matrix) -> String {
        let rows: Vec<Vec<bool>> = m.dark.chunks(m.width).map(|r| r.to_vec()).collect();
        let r = rxing::datamatrix::decoder::Decoder::new().decode_bools(&rows).expect("decodes");
        r.getText().to_owned()
    }

    /// rxing's minimal encoder's symbol for the same data (the size to match).
    fn rxing_size(s: &str) -> Option<usize> {
        let h = rxing::EncodeHints {
            DataMatrixCompact: Some(true),
            DataMatrixShape: Some(SymbolShapeHint::FORCE_SQUARE),
            CharacterSet: (!s.is_ascii()).then(|| "UTF-8".into()),
            Margin: Some("0".into()),
            ..Default::default()
        };
        use rxing::Writer;
        let m = rxing::MultiFormatWriter.encode_with_hints(s, &rxing::BarcodeFormat::DATA_MATRIX, 0, 0, &h).ok()?;
        // Only a symbol that reads back counts.
        let ok = rxing::datamatrix::decoder::Decoder::new().decode(&m).is_ok_and(|r| r.getText() == s);
        ok.then_some(m.getWidth() as usize)
    }

    fn inputs() -> Vec<String> {
        let mut v: Vec<String> = [
            "HELLO",
            "hello world",
            "12345678901234567890",
            "https://id.gs1.org/01/09506000134352",
            "ABC-123/xyz",
            "A",
            "0",
            "\u{1}\u{2}\r\n",
            "AIMAIMAIM",
            "*>\r ABC123*>",
            "EDIFACT: !\"#$%&'()*+,-./:;<=>?",
            "äöü ÄÖÜ ß",
            "日本語",
            "~`{|}\u{7f}",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "X12X12X12X12X12X12",
            "Mixed 123 abc ABC !!!",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed = 0x2545F491u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let classes: [&[u8]; 6] = [
            b"0123456789",
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ ",
            b"abcdefghij ",
            b"!\"#$%&/:;<=>?",
            b"\r*> ",
            b"\x01\x1f\x7f",
        ];
        // DM_CASES and DM_LEN widen the search (a one-off run: 5,000 cases up to 600 characters).
        let env = |k: &str, d: u32| std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d);
        let (count, max_len) = (env("DM_CASES", 200), env("DM_LEN", 60));
        for _ in 0..count {
            let len = next() % max_len + 1;
            let mut s = String::new();
            while s.len() < len as usize {
                let class = classes[next() as usize % classes.len()];
                let run = next() % 8 + 1;
                for _ in 0..run {
                    s.push(class[next() as usize % class.len()] as char);
                }
            }
            v.push(s);
        }
        v
    }

    #[test]
    fn reads_back_and_is_never_larger_than_rxings_minimal_encoding() {
        for s in inputs() {
            let m = encode(&s, false).expect("fits");
            // rxing's decoder mangles ECI data (it doubles it); zxing-cpp reads those
            // (tests/decode/test_decode.py).
            if s.is_ascii() {
                assert_eq!(read(&m), s, "{s:?}");
            }
            if let Some(w) = rxing_size(&s) {
                assert!(m.width <= w, "{s:?}: {} > {w}", m.width);
            }
        }
    }

    #[test]
    fn placement_equals_rxings() {
        for (rows, cols) in [
            (8, 8),
            (10, 10),
            (12, 12),
            (14, 14),
            (20, 20),
            (22, 22),
            (24, 24),
            (6, 16),
            (10, 24),
            (14, 32),
            (18, 18),
            (36, 36),
            (132, 132),
        ] {
            let n = rows * cols / 8;
            let cw: Vec<u8> = (0..n).map(|i| (i * 73 + 19) as u8).collect();
            let ours = Placement::new(&cw, rows, cols);
            let s: String = cw.iter().map(|&c| c as char).collect();
            let mut theirs = rxing::datamatrix::encoder::DefaultPlacement::new(s, cols, rows);
            theirs.place().unwrap();
            for r in 0..rows {
                for c in 0..cols {
                    assert_eq!(ours.dark(c, r), theirs.getBit(c, r), "{rows}x{cols} at {r},{c}");
                }
            }
        }
    }

    #[test]
    fn largest_inputs_and_rectangles() {
        let digits = "1".repeat(3116);
        let m = encode(&digits, false).unwrap();
        assert_eq!((m.width, read(&m).len()), (144, 3116));
        assert!(encode(&"1".repeat(3117), false).is_none());
        let upper = "A".repeat(2335);
        assert_eq!(read(&encode(&upper, false).unwrap()), upper);
        let bytes: String = (0..700).map(|i| char::from(128 + (i % 100) as u8)).collect();
        assert!(encode(&bytes, false).is_some());
        let r = encode("RECT 12345", true).unwrap();
        assert!(r.width > r.height);
        assert_eq!(read(&r), "RECT 12345");
    }
}
