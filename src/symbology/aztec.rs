//! Aztec Code (ISO/IEC 24778), our encoder. The high-level encodation is a shortest path
//! over the five character modes (upper, lower, mixed, punctuation, digit: latches, shifts,
//! the punctuation pairs) and binary shift runs, in linear time: a run's cost is linear in
//! its length but for its header (10 bits up to 31 bytes, 21 beyond), so the best run ending
//! at each position comes from a sliding minimum over its possible starts. Text beyond ASCII
//! is UTF-8 bytes behind ECI 26 (FLG(2)). The symbol size (compact 1-4 layers, full 4-32),
//! bit stuffing, Reed–Solomon over GF(16/64/256/1024/4096), the mode message and the layout
//! follow ISO/IEC 24778 as zxing lays them out (the smallest symbol whose data words and
//! `ecc` percent plus 3 words fit).

use super::{Matrix, MatrixKind};

const U: usize = 0;
const L: usize = 1;
const D: usize = 2;
const M: usize = 3;
const P: usize = 4;
const MODES: [usize; 5] = [U, L, D, M, P];

/// Bits per code in a mode: 4 in digit mode, else 5.
fn width(mode: usize) -> u32 {
    if mode == D {
        4
    } else {
        5
    }
}

/// The code of byte `c` in `mode`, if the mode has it (looked up: the encoder asks for
/// every character in every mode).
fn code(mode: usize, c: u8) -> Option<u32> {
    match CODES[mode][c as usize] {
        0 => None,
        v => Some(u32::from(v)),
    }
}

/// `code_of`'s values by mode and byte, 0 where a mode lacks the byte (no code is 0).
static CODES: [[u8; 256]; 5] = {
    let mut t = [[0u8; 256]; 5];
    let mut m = 0;
    while m < 5 {
        let mut c = 0;
        while c < 256 {
            t[m][c] = match code_of(MODES[m], c as u8) {
                Some(v) => v as u8,
                None => 0,
            };
            c += 1;
        }
        m += 1;
    }
    t
};

/// The code of byte `c` in `mode`, if the mode has it (ISO/IEC 24778 Table 2).
const fn code_of(mode: usize, c: u8) -> Option<u32> {
    let c32 = c as u32;
    match mode {
        U => match c {
            b' ' => Some(1),
            b'A'..=b'Z' => Some(c32 - 63),
            _ => None,
        },
        L => match c {
            b' ' => Some(1),
            b'a'..=b'z' => Some(c32 - 95),
            _ => None,
        },
        D => match c {
            b' ' => Some(1),
            b'0'..=b'9' => Some(c32 - 46),
            b',' => Some(12),
            b'.' => Some(13),
            _ => None,
        },
        M => match c {
            b' ' => Some(1),
            1..=13 => Some(c32 + 1),
            27..=31 => Some(c32 - 12),
            b'@' => Some(20),
            b'\\' => Some(21),
            b'^' => Some(22),
            b'_' => Some(23),
            b'`' => Some(24),
            b'|' => Some(25),
            b'~' => Some(26),
            127 => Some(27),
            _ => None,
        },
        _ => match c {
            b'\r' => Some(1),
            b'!'..=b'/' => Some(c32 - 27),
            b':'..=b'?' => Some(c32 - 37),
            b'[' => Some(27),
            b']' => Some(28),
            b'{' => Some(29),
            b'}' => Some(30),
            _ => None,
        },
    }
}

/// The punctuation code of a two-character pair: CR LF, ". ", ", ", ": ".
fn pair(a: u8, b: u8) -> Option<u32> {
    match (a, b) {
        (b'\r', b'\n') => Some(2),
        (b'.', b' ') => Some(3),
        (b',', b' ') => Some(4),
        (b':', b' ') => Some(5),
        _ => None,
    }
}

/// The codes that latch from one mode to another, shortest first (as zxing's table).
fn latch(from: usize, to: usize) -> &'static [(u32, u32)] {
    const UL: (u32, u32) = (14, 4); // digit -> upper
    match (from, to) {
        (U, L) | (M, L) => &[(28, 5)],
        (U, D) | (L, D) => &[(30, 5)],
        (U, M) | (L, M) | (M, U) => &[(29, 5)],
        (U, P) | (L, P) => &[(29, 5), (30, 5)],
        (L, U) => &[(30, 5), UL],
        (D, U) => &[UL],
        (D, L) => &[UL, (28, 5)],
        (D, M) => &[UL, (29, 5)],
        (D, P) => &[UL, (29, 5), (30, 5)],
        (M, D) => &[(29, 5), (30, 5)],
        (M, P) => &[(30, 5)],
        (P, U) => &[(31, 5)],
        (P, L) => &[(31, 5), (28, 5)],
        (P, D) => &[(31, 5), (30, 5)],
        (P, M) => &[(31, 5), (29, 5)],
        _ => &[],
    }
}

/// `latch`'s bit counts, from x to.
const LATCH_BITS: [[u32; 5]; 5] = [
    [0, 5, 5, 5, 10],   // upper
    [9, 0, 5, 5, 10],   // lower
    [4, 9, 0, 9, 14],   // digit
    [5, 5, 10, 0, 5],   // mixed
    [5, 10, 10, 10, 0], // punctuation
];

/// How the cheapest path reaches a (position, mode) state.
#[derive(Clone, Copy)]
enum Step {
    None,
    Start,
    Latch(usize),
    /// One character in the mode itself.
    Char,
    /// A punctuation pair, in punctuation mode or through P/S.
    Pair,
    /// P/S and one punctuation character.
    ShiftP,
    /// U/S and one upper-case letter.
    ShiftU,
    /// B/S and the bytes since this position.
    Binary(usize),
}

/// A monotonic deque of (value, start) for a sliding minimum, in a ring: it holds starts
/// within 31 positions of the current one, at most 32 (no allocation per symbol).
#[derive(Clone, Copy)]
struct Window {
    buf: [(i64, usize); 64],
    head: usize,
    len: usize,
}

impl Window {
    const EMPTY: Window = Window { buf: [(0, 0); 64], head: 0, len: 0 };

    fn front(&self) -> Option<&(i64, usize)> {
        (self.len > 0).then(|| &self.buf[self.head])
    }

    fn back(&self) -> Option<&(i64, usize)> {
        (self.len > 0).then(|| &self.buf[(self.head + self.len - 1) % 64])
    }

    fn pop_front(&mut self) {
        self.head = (self.head + 1) % 64;
        self.len -= 1;
    }

    fn pop_back(&mut self) {
        self.len -= 1;
    }

    fn push_back(&mut self, v: (i64, usize)) {
        // Full would mean a start over 63 positions back: dropped first (never happens).
        if self.len == 64 {
            self.pop_front();
        }
        self.buf[(self.head + self.len) % 64] = v;
        self.len += 1;
    }
}

/// The high-level bit stream of `data`.
fn high_level(data: &[u8], eci_utf8: bool) -> Vec<bool> {
    let n = data.len();
    const INF: i64 = i64::MAX / 4;
    let mut cost = vec![[INF; 5]; n + 1];
    let mut step = vec![[Step::None; 5]; n + 1];
    cost[0][U] = if eci_utf8 { 21 } else { 0 };
    step[0][U] = Step::Start;
    // Binary-run windows per B/S-capable mode: starts within 31 bytes (monotonic deque of
    // (cost - 8*start, start)) and the best start 32 or more bytes back.
    let mut short = [Window::EMPTY; 5];
    let mut long: [(i64, usize); 5] = [(INF, 0); 5];
    for i in 0..=n {
        // Binary runs ending here.
        for m in [U, L, M] {
            if i >= 32 {
                let s = i - 32;
                let v = cost[s][m] - 8 * s as i64;
                if v < long[m].0 {
                    long[m] = (v, s);
                }
            }
            while short[m].front().is_some_and(|&(_, s)| s + 31 < i) {
                short[m].pop_front();
            }
            let best_short = short[m].front().map(|&(v, s)| (v + 10, s));
            let best_long = (long[m].0 < INF).then_some((long[m].0 + 21, long[m].1));
            for (v, s) in [best_short, best_long].into_iter().flatten() {
                let c = v + 8 * i as i64;
                if c < cost[i][m] {
                    cost[i][m] = c;
                    step[i][m] = Step::Binary(s);
                }
            }
        }
        // Latches (the table is already shortest, one pass closes it).
        // No test per pair: a mode's latch to itself costs 0 and never improves it, and an
        // unreached mode's cost (INF) plus a latch stays far above any reached one.
        let before = cost[i];
        for to in MODES {
            let (mut best, mut via) = (before[to], to);
            for from in MODES {
                let c = before[from] + i64::from(LATCH_BITS[from][to]);
                if c < best {
                    (best, via) = (c, from);
                }
            }
            if via != to {
                cost[i][to] = best;
                step[i][to] = Step::Latch(via);
            }
        }
        // This position as the start of binary runs.
        for m in [U, L, M] {
            if cost[i][m] < INF {
                let v = cost[i][m] - 8 * i as i64;
                while short[m].back().is_some_and(|&(b, _)| b >= v) {
                    short[m].pop_back();
                }
                short[m].push_back((v, i));
            }
        }
        if i == n {
            break;
        }
        let c = data[i];
        let has: [bool; 5] = MODES.map(|m| code(m, c).is_some());
        let mut relax = |cost: &mut Vec<[i64; 5]>, at: usize, m: usize, v: i64, s: Step| {
            if v < cost[at][m] {
                cost[at][m] = v;
                step[at][m] = s;
            }
        };
        for m in MODES {
            let here = cost[i][m];
            if here >= INF {
                continue;
            }
            if has[m] {
                relax(&mut cost, i + 1, m, here + i64::from(width(m)), Step::Char);
            }
            let paired = data.get(i + 1).and_then(|&d| pair(c, d)).is_some();
            if m == P {
                if paired {
                    relax(&mut cost, i + 2, P, here + 5, Step::Pair);
                }
                continue;
            }
            if paired {
                relax(&mut cost, i + 2, m, here + i64::from(width(m)) + 5, Step::Pair);
            }
            if has[P] {
                relax(&mut cost, i + 1, m, here + i64::from(width(m)) + 5, Step::ShiftP);
            }
            if (m == L || m == D) && has[U] {
                relax(&mut cost, i + 1, m, here + i64::from(width(m)) + 5, Step::ShiftU);
            }
        }
    }
    // Walk back from the cheapest final mode, then write forwards.
    let mut m = (0..5).min_by_key(|&m| cost[n][m]).unwrap_or(U);
    let mut i = n;
    let mut path: Vec<(usize, usize, Step)> = Vec::new(); // (position before, mode, step)
    loop {
        let s = step[i][m];
        match s {
            Step::Start | Step::None => break,
            Step::Latch(from) => {
                path.push((i, m, s));
                m = from;
            }
            Step::Char | Step::ShiftP | Step::ShiftU => {
                path.push((i - 1, m, s));
                i -= 1;
            }
            Step::Pair => {
                path.push((i - 2, m, s));
                i -= 2;
            }
            Step::Binary(start) => {
                path.push((start, m, Step::Binary(i)));
                i = start;
            }
        }
    }
    let mut bits = Vec::with_capacity(cost[n][m].max(0) as usize + 32);
    let put = |bits: &mut Vec<bool>, v: u32, w: u32| bits.extend((0..w).rev().map(|k| v >> k & 1 == 1));
    if eci_utf8 {
        // P/S, FLG(n) with n = 2, the digits 2 and 6.
        for (v, w) in [(0, 5), (0, 5), (2, 3), (4, 4), (8, 4)] {
            put(&mut bits, v, w);
        }
    }
    for &(at, m, s) in path.iter().rev() {
        let w = width(m);
        match s {
            Step::Latch(from) => latch(from, m).iter().for_each(|&(v, w)| put(&mut bits, v, w)),
            Step::Char => put(&mut bits, code(m, data[at]).unwrap_or(0), w),
            Step::Pair => {
                if m != P {
                    put(&mut bits, 0, w);
                }
                put(&mut bits, pair(data[at], data[at + 1]).unwrap_or(0), 5);
            }
            Step::ShiftP => {
                put(&mut bits, 0, w);
                put(&mut bits, code(P, data[at]).unwrap_or(0), 5);
            }
            Step::ShiftU => {
                put(&mut bits, if m == D { 15 } else { 28 }, w);
                put(&mut bits, code(U, data[at]).unwrap_or(0), 5);
            }
            Step::Binary(end) => {
                for chunk in data[at..end].chunks(2078) {
                    put(&mut bits, 31, 5);
                    if chunk.len() <= 31 {
                        put(&mut bits, chunk.len() as u32, 5);
                    } else {
                        put(&mut bits, 0, 5);
                        put(&mut bits, chunk.len() as u32 - 31, 11);
                    }
                    chunk.iter().for_each(|&b| put(&mut bits, u32::from(b), 8));
                }
            }
            Step::Start | Step::None => {}
        }
    }
    bits
}

/// Codeword size in bits per layer count (index 0: the mode message's 4).
fn word_size(layers: usize) -> usize {
    match layers {
        0 => 4,
        1..=2 => 6,
        3..=8 => 8,
        9..=22 => 10,
        _ => 12,
    }
}

fn total_bits(layers: usize, compact: bool) -> usize {
    ((if compact { 88 } else { 112 }) + 16 * layers) * layers
}

/// Words of `word` bits; a word whose first `word - 1` bits are all equal gets the
/// opposite last bit and the bit it displaced starts the next word (§7.3.1.2). The last
/// word is padded with ones.
fn stuff(bits: &[bool], word: usize) -> Vec<u32> {
    let mask = (1u32 << word) - 2;
    let mut out = Vec::with_capacity(bits.len() / word + 2);
    let mut i = 0;
    while i < bits.len() {
        let mut w = 0u32;
        for j in 0..word {
            if bits.get(i + j).copied().unwrap_or(true) {
                w |= 1 << (word - 1 - j);
            }
        }
        if w & mask == mask {
            out.push(w & mask);
            i += word - 1;
        } else if w & mask == 0 {
            out.push(w | 1);
            i += word - 1;
        } else {
            out.push(w);
            i += word;
        }
    }
    out
}

/// Exponent and logarithm tables of GF(2^m) with `poly`, built once per field. `exp` runs
/// on to three times the field's size, zeros after its second period, so that a sum of two
/// logarithms indexes it directly and `ZERO_LOG` (standing for the log of 0) lands on 0.
struct Gf {
    exp: Vec<u32>,
    log: Vec<u32>,
    size: usize,
}

impl Gf {
    /// A logarithm that stands for 0: `exp[ZERO_LOG + any log]` is 0.
    fn zero_log(&self) -> u32 {
        2 * self.size as u32
    }

    fn log_of(&self, v: u32) -> u32 {
        if v == 0 {
            self.zero_log()
        } else {
            self.log[v as usize]
        }
    }
}

fn gf(word: usize) -> &'static Gf {
    static FIELDS: [std::sync::OnceLock<Gf>; 5] = [const { std::sync::OnceLock::new() }; 5];
    let (poly, m) = field(word);
    let slot = match word {
        4 => 0,
        6 => 1,
        8 => 2,
        10 => 3,
        _ => 4,
    };
    FIELDS[slot].get_or_init(|| {
        let size = 1usize << m;
        let mut exp = vec![0u32; 3 * size];
        let mut log = vec![0u32; size];
        let mut x = 1u32;
        for (i, e) in exp.iter_mut().enumerate().take(size - 1) {
            *e = x;
            log[x as usize] = i as u32;
            x <<= 1;
            if x as usize >= size {
                x ^= poly;
            }
        }
        for i in size - 1..2 * size {
            exp[i] = exp[i - (size - 1)];
        }
        Gf { exp, log, size }
    })
}

/// The generator polynomial ∏ (x + α^i), i = 1..k, over the field of `word`-bit words:
/// its coefficients below the top one, as logarithms (`Gf::zero_log` for a zero), so that
/// the remainder's inner loop is one table read per word. Built once per field and degree
/// up to degree `CACHED_DEGREES` (building it was a third of a small symbol's check words;
/// a larger symbol's remainder outweighs it, and the cache stays under 200 KB a thread).
fn generator_logs(word: usize, k: usize) -> std::rc::Rc<[u32]> {
    type Cache = std::cell::RefCell<std::collections::HashMap<(usize, usize), std::rc::Rc<[u32]>>>;
    // Per thread: render threads share nothing (no lock, no cache line bouncing between
    // cores), at the price of one copy per thread.
    thread_local! {
        static CACHE: Cache = Default::default();
    }
    if k > CACHED_DEGREES {
        return build_generator_logs(word, k);
    }
    CACHE.with(|c| {
        if let Some(g) = c.borrow().get(&(word, k)) {
            return g.clone();
        }
        let g = build_generator_logs(word, k);
        c.borrow_mut().insert((word, k), g.clone());
        g
    })
}

/// Degrees up to this have their generators kept (5 fields × 128 degrees, ≤ 170 KB a thread).
const CACHED_DEGREES: usize = 128;

/// `generator_logs`, built.
fn build_generator_logs(word: usize, k: usize) -> std::rc::Rc<[u32]> {
    let f = gf(word);
    let Gf { exp, log, size } = f;
    let mul = |a: u32, b: u32| if a == 0 || b == 0 { 0 } else { exp[(log[a as usize] + log[b as usize]) as usize] };
    // g[0] is the highest degree (1).
    let mut g = vec![0u32; k + 1];
    g[0] = 1;
    for i in 1..=k {
        // g *= (x + α^i), in place: each coefficient gains α^i times the one above it.
        let root = exp[i % (size - 1)];
        for j in (1..=i).rev() {
            g[j] ^= mul(g[j - 1], root);
        }
    }
    g[1..].iter().map(|&c| f.log_of(c)).collect()
}

/// Reed–Solomon check words over the field of `word`-bit words, generator roots α^1..α^k.
fn check_words(data: &[u32], k: usize, word: usize) -> Vec<u32> {
    let Gf { exp, log, .. } = gf(word);
    if k == 0 {
        return Vec::new();
    }
    let lg = generator_logs(word, k);
    // The remainder, shifted and reduced in one pass per word (`r[k]` stays 0).
    let mut r = vec![0u32; k + 1];
    for &d in data {
        let t = d ^ r[0];
        if t == 0 {
            r.copy_within(1.., 0);
            continue;
        }
        let lt = log[t as usize] as usize;
        for j in 0..k {
            r[j] = r[j + 1] ^ exp[lt + lg[j] as usize];
        }
    }
    r.truncate(k);
    r
}

fn field(word: usize) -> (u32, u32) {
    match word {
        4 => (0x13, 4),
        6 => (0x43, 6),
        8 => (0x12D, 8),
        10 => (0x409, 10),
        _ => (0x1069, 12),
    }
}

/// `words` and their check words to fill `total` bits, as a bit string (leading pad).
fn with_check_words(words: &[u32], total: usize, word: usize) -> Vec<bool> {
    let k = total / word - words.len();
    let ec = check_words(words, k, word);
    let mut bits = Vec::with_capacity(total);
    bits.resize(total % word, false);
    for &w in words.iter().chain(ec.iter()) {
        for j in (0..word).rev() {
            bits.push(w >> j & 1 == 1);
        }
    }
    bits
}

/// Encodes `data` with at least `ecc` percent error correction; `None` when no symbol holds it.
pub fn encode(data: &[u8], ecc: u8) -> Option<Matrix> {
    if data.is_empty() {
        return None; // the mode message counts data words from one
    }
    let bits = high_level(data, !data.is_ascii());
    let ecc_bits = bits.len() * usize::from(ecc) / 100 + 11;
    let needed = bits.len() + ecc_bits;
    let (mut chosen, mut words) = (None, Vec::new());
    let mut stuffed_for = 0;
    for i in 0..=32usize {
        let compact = i <= 3;
        let layers = if compact { i + 1 } else { i };
        let total = total_bits(layers, compact);
        if needed > total {
            continue;
        }
        let word = word_size(layers);
        if stuffed_for != word {
            words = stuff(&bits, word);
            stuffed_for = word;
        }
        if compact && words.len() > 64 {
            continue;
        }
        if words.len() * word + ecc_bits <= total - total % word {
            chosen = Some((compact, layers, total, word));
            break;
        }
    }
    let (compact, layers, total, word) = chosen?;
    let message = with_check_words(&words, total, word);
    let mode = {
        let mut b = Vec::new();
        let put = |b: &mut Vec<bool>, v: usize, w: usize| b.extend((0..w).rev().map(|k| v >> k & 1 == 1));
        if compact {
            put(&mut b, layers - 1, 2);
            put(&mut b, words.len() - 1, 6);
        } else {
            put(&mut b, layers - 1, 5);
            put(&mut b, words.len() - 1, 11);
        }
        let w: Vec<u32> = b.chunks(4).map(|c| c.iter().fold(0, |a, &x| a << 1 | u32::from(x))).collect();
        with_check_words(&w, if compact { 28 } else { 40 }, 4)
    };
    Some(layout(&message, &mode, compact, layers))
}

/// Places the message spiral, the mode message, the bull's-eye and (full symbols) the
/// reference grid.
fn layout(message: &[bool], mode: &[bool], compact: bool, layers: usize) -> Matrix {
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
    let mut dark = vec![false; size * size];
    let mut set = |x: usize, y: usize| dark[y * size + x] = true;
    let bit = |i: usize| message.get(i).copied().unwrap_or(false);
    let mut row_offset = 0;
    for i in 0..layers {
        let row = (layers - i) * 4 + if compact { 9 } else { 12 };
        for j in 0..row {
            let col = j * 2;
            for k in 0..2 {
                if bit(row_offset + col + k) {
                    set(map[i * 2 + k], map[i * 2 + j]);
                }
                if bit(row_offset + row * 2 + col + k) {
                    set(map[i * 2 + j], map[base - 1 - i * 2 - k]);
                }
                if bit(row_offset + row * 4 + col + k) {
                    set(map[base - 1 - i * 2 - k], map[base - 1 - i * 2 - j]);
                }
                if bit(row_offset + row * 6 + col + k) {
                    set(map[base - 1 - i * 2 - j], map[i * 2 + k]);
                }
            }
        }
        row_offset += row * 8;
    }
    let c = size / 2;
    // The mode message around the bull's-eye: 7 bits a side (compact) or 10 with a gap in
    // the middle for the reference grid (full), clockwise from the top left.
    let (side, ring) = if compact { (7, 5) } else { (10, 7) };
    for i in 0..side {
        let o = if compact { c - 3 + i } else { c - 5 + i + i / 5 };
        for (k, (x, y)) in [(o, c - ring), (c + ring, o), (o, c + ring), (c - ring, o)].into_iter().enumerate() {
            let b = if k < 2 { k * side + i } else { (k + 1) * side - 1 - i };
            if mode[b] {
                set(x, y);
            }
        }
    }
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
    Matrix { width: size, height: size, dark, kind: MatrixKind::Square }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::testkit;

    /// rxing's Aztec reader (zxing's) reads what we draw, for every mode, shift, pair,
    /// binary run length class and symbol class (compact, full, with reference grid).
    #[test]
    fn rxing_reads_our_symbols() {
        let long_mixed: String = (0..600).map(|i| ["Ab", "1.", ", ", "é", "\r\n", "x@"][i % 6]).collect();
        let cases: Vec<String> = vec![
            "A".into(),
            "HELLO WORLD".into(),
            "hello World 12345, ok. Fine: \r\n".into(),
            "https://example.com/aztec?q=1".into(),
            "zażółć gęślą jaźń".into(),
            "0123456789".repeat(40),
            "\u{7f}\u{1b}@\\^_`|~ mixed".into(),
            "é".repeat(40),
            long_mixed,
            "Q".repeat(1500),
        ];
        for (n, s) in cases.iter().enumerate() {
            for ecc in [5u8, 23, 50] {
                let m = encode(s.as_bytes(), ecc).unwrap_or_else(|| panic!("case {n} ecc {ecc}"));
                let read = testkit::rxing_read(&m, rxing::BarcodeFormat::AZTEC, 3, 6);
                assert_eq!(read.as_deref(), Some(s.as_str()), "case {n} ecc {ecc}");
            }
        }
    }

    /// Random text over every mode's characters, binary and non-ASCII, at every length
    /// class and level: never a panic, and what fits is read back by rxing.
    #[test]
    fn random_inputs_encode_and_read_back() {
        let alphabet: Vec<char> =
            "AZaz09 .,:;!?\r\n\t@\\^_`|~\u{7f}\u{1}\u{1b}[]{}#$%&'()*+-/<=>éß日\u{0}\u{80}\u{ff}".chars().collect();
        let mut next = testkit::rng(0x2545_f491_4f6c_dd1d);
        for round in 0..60 {
            let len = [1, 5, 31, 32, 33, 200, 1200][round % 7] + next(9);
            let s: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let ecc = [5u8, 23, 50, 95][round % 4];
            let Some(m) = encode(s.as_bytes(), ecc) else { continue };
            if round % 3 != 0 {
                continue; // reading back is the slow part: every third
            }
            let read = testkit::rxing_read(&m, rxing::BarcodeFormat::AZTEC, 2, 4);
            assert_eq!(read.as_deref(), Some(s.as_str()), "round {round}");
        }
    }

    #[test]
    fn latch_costs_are_the_latch_sequences() {
        for from in MODES {
            for to in MODES {
                let bits: u32 = latch(from, to).iter().map(|&(_, w)| w).sum();
                assert_eq!(LATCH_BITS[from][to], bits, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn empty_data_is_refused_not_a_panic() {
        assert!(encode(b"", 23).is_none());
    }

    #[test]
    fn stuffing_breaks_runs_of_equal_bits() {
        assert_eq!(stuff(&[true; 6], 6), [0b111110, 0b111110]);
        assert_eq!(stuff(&[false; 5], 6), [0b000001]);
    }

    #[test]
    fn never_longer_than_rxings_encoding() {
        for s in ["Hello, World! 123", "ABCdef123456789012345xyz", "a.b,c:d;e!f", "MiXeD cAsE tExT 42"] {
            let ours = high_level(s.as_bytes(), false).len();
            let theirs =
                rxing::aztec::encoder::HighLevelEncoder::new(s.as_bytes().to_vec()).encode().unwrap().get_size();
            assert!(ours <= theirs, "{s}: {ours} > {theirs}");
        }
    }
}
