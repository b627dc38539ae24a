//! Aztec Code (ISO/IEC 24778), our encoder. The high-level encodation is a shortest path
//! over the five character modes (upper, lower, mixed, punctuation, digit: latches, shifts,
//! the punctuation pairs) and binary shift runs, in linear time: a run's cost is linear in
//! its length but for its header (10 bits up to 31 bytes, 21 beyond), so the best run ending
//! at each position comes from a sliding minimum over its possible starts. Text beyond ASCII
//! is UTF-8 bytes behind ECI 26 (FLG(2)). The symbol size (compact 1-4 layers, full 4-32),
//! bit stuffing, Reed–Solomon over GF(16/64/256/1024/4096), the mode message and the layout
//! follow ISO/IEC 24778 as zxing lays them out (the smallest symbol whose data words and
//! `ecc` percent plus 3 words fit). Each size's layout is worked out once (`Template`):
//! a symbol is its fixed pattern with the modules of its dark bits set.

use super::{Matrix, MatrixKind};
use std::borrow::Cow;
use std::sync::OnceLock;

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

/// Bits per code in each mode: 4 in digit mode, else 5 (`width` as costs).
const WIDTH: [i32; 5] = [5, 5, 4, 5, 5];

/// The modes that hold each byte, one bit per mode (from `CODES`).
static HAS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let mut m = 0;
        while m < 5 {
            if CODES[m][c] != 0 {
                t[c] |= 1 << m;
            }
            m += 1;
        }
        c += 1;
    }
    t
};

/// Per source and target mode, `LATCH_BITS * 8 + rank` (see the latch pass): rank 0 for a
/// mode to itself, else 1 + the source.
const LATCH_KEYS: [[i32; 5]; 5] = {
    let mut t = [[0i32; 5]; 5];
    let mut f = 0;
    while f < 5 {
        let mut to = 0;
        while to < 5 {
            t[f][to] = LATCH_BITS[f][to] as i32 * 8 + if f == to { 0 } else { f as i32 + 1 };
            to += 1;
        }
        f += 1;
    }
    t
};

/// A punctuation pair's cost from each mode: through P/S, or in punctuation mode itself.
const PAIR_COST: [i32; 5] = [10, 10, 9, 10, 5];

/// Per byte, the cheapest single step over it that stays in each mode: its code in the
/// mode, else P/S or U/S and its code there (shifts to upper only from lower and digit),
/// else none (cost INF). Its costs, and its kinds (`step`).
static ONE_STEP: ([[i32; 5]; 256], [[u8; 5]; 256]) = {
    let (mut add, mut kind) = ([[INF; 5]; 256], [[0u8; 5]; 256]);
    let mut c = 0;
    while c < 256 {
        let has = HAS[c];
        let mut m = 0;
        while m < 5 {
            let w = WIDTH[m];
            (add[c][m], kind[c][m]) = if has >> m & 1 == 1 {
                (w, step::CHAR as u8)
            } else if m != P && has >> P & 1 == 1 {
                (w + 5, step::SHIFT_P as u8)
            } else if (m == L || m == D) && has >> U & 1 == 1 {
                (w + 5, step::SHIFT_U as u8)
            } else {
                (INF, 0)
            };
            m += 1;
        }
        c += 1;
    }
    (add, kind)
};

/// How the cheapest path reaches a (position, mode) state, packed in a `u32`: the kind in
/// the low three bits, its argument (the mode latched from, or a binary run's start) above.
mod step {
    pub const NONE: u32 = 0;
    pub const START: u32 = 1;
    /// A latch from the mode in the argument.
    pub const LATCH: u32 = 2;
    /// One character in the mode itself.
    pub const CHAR: u32 = 3;
    /// A punctuation pair, in punctuation mode or through P/S.
    pub const PAIR: u32 = 4;
    /// P/S and one punctuation character.
    pub const SHIFT_P: u32 = 5;
    /// U/S and one upper-case letter.
    pub const SHIFT_U: u32 = 6;
    /// B/S and the bytes from the position in the argument to this one.
    pub const BINARY: u32 = 7;

    pub const fn with(kind: u32, arg: usize) -> u32 {
        kind | (arg as u32) << 3
    }
}

/// A cost no path reaches (real ones stay under 2^17 bits); sums of a few with it stay far
/// above any real cost, and eight times them (the latch pass's keys) far from overflow.
const INF: i32 = 1 << 24;

/// The modes a binary shift leaves from (B/S exists in upper, lower and mixed).
const BINARY_FROM: [usize; 3] = [U, L, M];

/// A monotonic deque of (value, start) for a sliding minimum, in a ring: it holds starts
/// within 31 positions of the current one, at most 32 (no allocation per symbol).
#[derive(Clone, Copy)]
struct Window {
    buf: [(i32, u32); 32],
    head: usize,
    len: usize,
}

impl Window {
    const EMPTY: Window = Window { buf: [(0, 0); 32], head: 0, len: 0 };

    fn front(&self) -> Option<(i32, u32)> {
        (self.len > 0).then(|| self.buf[self.head])
    }

    fn back(&self) -> Option<(i32, u32)> {
        (self.len > 0).then(|| self.buf[(self.head + self.len - 1) % 32])
    }

    fn pop_front(&mut self) {
        self.head = (self.head + 1) % 32;
        self.len -= 1;
    }

    fn push_back(&mut self, v: (i32, u32)) {
        // Full would mean a start over 31 positions back: dropped first (never happens).
        if self.len == 32 {
            self.pop_front();
        }
        self.buf[(self.head + self.len) % 32] = v;
        self.len += 1;
    }
}

/// A bit string, most significant bit first, in bytes; the unused end of the last byte is
/// ones (the padding `stuff` wants).
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
    acc: u32,
}

impl Bits {
    fn with_capacity(bits: usize) -> Bits {
        Bits { bytes: Vec::with_capacity(bits / 8 + 2), len: 0, acc: 0 }
    }

    /// Appends the low `w` (≤ 16) bits of `v`.
    fn put(&mut self, v: u32, w: u32) {
        let used = (self.len % 8) as u32;
        self.acc = self.acc << w | (v & ((1 << w) - 1));
        let mut n = used + w;
        self.len += w as usize;
        while n >= 8 {
            n -= 8;
            self.bytes.push((self.acc >> n) as u8);
        }
        self.acc &= (1 << n) - 1;
    }

    /// Ends the string: the last byte, its unused bits ones.
    fn finish(mut self) -> Bits {
        let used = (self.len % 8) as u32;
        if used > 0 {
            self.bytes.push((self.acc << (8 - used)) as u8 | (0xFF >> used));
        }
        self
    }

    /// Bit `i` (after `finish`); past the end, `false`.
    #[cfg(test)]
    fn get(&self, i: usize) -> bool {
        i < self.len && self.bytes[i / 8] >> (7 - i % 8) & 1 == 1
    }

    /// The `w` (≤ 16) bits from `i` (after `finish`); past the end, ones.
    fn peek(&self, i: usize, w: usize) -> u32 {
        let b = |k: usize| u32::from(self.bytes.get(i / 8 + k).copied().unwrap_or(0xFF));
        let x = b(0) << 16 | b(1) << 8 | b(2);
        x >> (24 - i % 8 - w) & ((1 << w) - 1)
    }
}

/// The high-level bit stream of `data`.
fn high_level(data: &[u8], eci_utf8: bool) -> Bits {
    let n = data.len();
    // Rows to n + 1: a pair at the last byte but one writes two ahead.
    let mut cost = vec![[INF; 5]; n + 2];
    let mut steps = vec![[step::NONE; 5]; n + 2];
    cost[0][U] = if eci_utf8 { 21 } else { 0 };
    steps[0][U] = step::START;
    // Binary-run windows per B/S-capable mode: starts within 31 bytes (monotonic deque of
    // (cost - 8*start, start)) and the best start 32 or more bytes back.
    let mut short = [Window::EMPTY; 3];
    let mut long = [(INF, 0u32); 3];
    for i in 0..=n {
        let (done, ahead) = cost.split_at_mut(i);
        let step_ahead = &mut steps[i..];
        let (mut here, mut st) = (ahead[0], step_ahead[0]);
        let at = i as i32;
        // Binary runs ending here.
        for (b, &m) in BINARY_FROM.iter().enumerate() {
            if i >= 32 {
                let s = i - 32;
                let v = done[s][m] - 8 * s as i32;
                if v < long[b].0 {
                    long[b] = (v, s as u32);
                }
            }
            while short[b].front().is_some_and(|(_, s)| s as usize + 31 < i) {
                short[b].pop_front();
            }
            if let Some((v, s)) = short[b].front() {
                let c = v + 10 + 8 * at;
                if c < here[m] {
                    here[m] = c;
                    st[m] = step::with(step::BINARY, s as usize);
                }
            }
            if long[b].0 < INF {
                let c = long[b].0 + 21 + 8 * at;
                if c < here[m] {
                    here[m] = c;
                    st[m] = step::with(step::BINARY, long[b].1 as usize);
                }
            }
        }
        // Latches (the table is already shortest, one pass closes it), as one minimum per
        // target mode over keys `cost * 8 + rank`: rank 0 for staying, 1 + the source mode
        // for a latch, so that a tie keeps the mode and else takes the first source (the
        // order the path is chosen in). Minima and selects, no branch to mispredict. An
        // unreached mode (INF) plus a latch never wins.
        let mut key = [i32::MAX; 5];
        for from in MODES {
            let base = here[from] * 8;
            for (k, &add) in key.iter_mut().zip(LATCH_KEYS[from].iter()) {
                *k = (*k).min(base + add);
            }
        }
        for to in MODES {
            let rank = key[to] & 7;
            here[to] = key[to] >> 3;
            let latch = step::with(step::LATCH, (rank as usize).wrapping_sub(1));
            st[to] = if rank != 0 { latch } else { st[to] };
        }
        (ahead[0], step_ahead[0]) = (here, st);
        // This position as the start of binary runs.
        for (b, &m) in BINARY_FROM.iter().enumerate() {
            if here[m] < INF {
                let v = here[m] - 8 * at;
                while short[b].back().is_some_and(|(x, _)| x >= v) {
                    short[b].len -= 1;
                }
                short[b].push_back((v, i as u32));
            }
        }
        if i == n {
            break;
        }
        // Steps from here: to i + 1 and (pairs) i + 2, each within its own mode.
        let c = data[i];
        let (next, after) = ahead[1..].split_at_mut(1);
        let (step_next, step_after) = step_ahead[1..].split_at_mut(1);
        // One character: in the mode, else shifted (costs and kinds from the byte's table;
        // a mode that can take it neither way adds INF and never wins).
        let (add, kind) = (&ONE_STEP.0[c as usize], &ONE_STEP.1[c as usize]);
        for m in MODES {
            let v = here[m] + add[m];
            if v < next[0][m] {
                next[0][m] = v;
                step_next[0][m] = u32::from(kind[m]);
            }
        }
        if data.get(i + 1).is_some_and(|&d| pair(c, d).is_some()) {
            for m in MODES {
                let v = here[m] + PAIR_COST[m];
                if v < after[0][m] {
                    after[0][m] = v;
                    step_after[0][m] = step::PAIR;
                }
            }
        }
    }
    // Walk back from the cheapest final mode, then write forwards.
    let mut m = (0..5).min_by_key(|&m| cost[n][m]).unwrap_or(U);
    let total = cost[n][m].max(0) as usize;
    let mut i = n;
    let mut path: Vec<(usize, usize, u32)> = Vec::with_capacity(n + 8); // (position before, mode, step)
    loop {
        let s = steps[i][m];
        let arg = (s >> 3) as usize;
        match s & 7 {
            step::LATCH => {
                path.push((i, m, s));
                m = arg;
            }
            step::CHAR | step::SHIFT_P | step::SHIFT_U => {
                path.push((i - 1, m, s));
                i -= 1;
            }
            step::PAIR => {
                path.push((i - 2, m, s));
                i -= 2;
            }
            step::BINARY => {
                path.push((arg, m, step::with(step::BINARY, i)));
                i = arg;
            }
            _ => break,
        }
    }
    let mut bits = Bits::with_capacity(total + 64);
    if eci_utf8 {
        // P/S, FLG(n) with n = 2, the digits 2 and 6.
        for (v, w) in [(0, 5), (0, 5), (2, 3), (4, 4), (8, 4)] {
            bits.put(v, w);
        }
    }
    let code = |m: usize, c: u8| u32::from(CODES[m][c as usize]);
    for &(at, m, s) in path.iter().rev() {
        let w = width(m);
        match s & 7 {
            step::LATCH => latch((s >> 3) as usize, m).iter().for_each(|&(v, w)| bits.put(v, w)),
            step::CHAR => bits.put(code(m, data[at]), w),
            step::PAIR => {
                if m != P {
                    bits.put(0, w);
                }
                bits.put(pair(data[at], data[at + 1]).unwrap_or(0), 5);
            }
            step::SHIFT_P => {
                bits.put(0, w);
                bits.put(code(P, data[at]), 5);
            }
            step::SHIFT_U => {
                bits.put(if m == D { 15 } else { 28 }, w);
                bits.put(code(U, data[at]), 5);
            }
            step::BINARY => {
                for chunk in data[at..(s >> 3) as usize].chunks(2078) {
                    bits.put(31, 5);
                    if chunk.len() <= 31 {
                        bits.put(chunk.len() as u32, 5);
                    } else {
                        bits.put(0, 5);
                        bits.put(chunk.len() as u32 - 31, 11);
                    }
                    chunk.iter().for_each(|&b| bits.put(u32::from(b), 8));
                }
            }
            _ => {}
        }
    }
    bits.finish()
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
fn stuff(bits: &Bits, word: usize) -> Vec<u32> {
    let mask = (1u32 << word) - 2;
    let mut out = Vec::with_capacity(bits.len / (word - 1) + 2);
    let mut i = 0;
    while i < bits.len {
        let w = bits.peek(i, word);
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
/// logarithms indexes it directly and `zero_log` (standing for the log of 0) lands on 0.
/// Both are sized for the largest field (GF(4096)) so that an index masked to their length
/// needs no bounds check in the remainder's inner loop.
struct Gf {
    exp: Box<[u16; EXP_LEN]>,
    log: Box<[u16; LOG_LEN]>,
    size: usize,
}

/// `Gf::exp`'s length: a power of two over three times the largest field.
const EXP_LEN: usize = 1 << 14;
/// `Gf::log`'s length: the largest field.
const LOG_LEN: usize = 1 << 12;

impl Gf {
    /// A logarithm that stands for 0: `exp[zero_log + any log]` is 0.
    fn zero_log(&self) -> u16 {
        2 * self.size as u16
    }

    fn log_of(&self, v: u16) -> u16 {
        if v == 0 {
            self.zero_log()
        } else {
            self.log[v as usize]
        }
    }
}

/// The fields' slots (by word size: 4, 6, 8, 10, 12 bits).
fn slot(word: usize) -> usize {
    match word {
        4 => 0,
        6 => 1,
        8 => 2,
        10 => 3,
        _ => 4,
    }
}

fn gf(word: usize) -> &'static Gf {
    static FIELDS: [OnceLock<Gf>; 5] = [const { OnceLock::new() }; 5];
    let (poly, m) = field(word);
    FIELDS[slot(word)].get_or_init(|| {
        let size = 1usize << m;
        let mut exp = Box::new([0u16; EXP_LEN]);
        let mut log = Box::new([0u16; LOG_LEN]);
        let mut x = 1u32;
        for (i, e) in exp.iter_mut().enumerate().take(size - 1) {
            *e = x as u16;
            log[x as usize] = i as u16;
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

/// Degrees up to this have their generators kept (5 fields × 128 degrees, under 90 KB).
const CACHED_DEGREES: usize = 128;

/// The generator polynomial ∏ (x + α^i), i = 1..k, over the field of `word`-bit words:
/// its coefficients below the top one, as logarithms (`Gf::zero_log` for a zero), so that
/// the remainder's inner loop is one table read per word. Built once per field and degree
/// up to `CACHED_DEGREES` (building it was a third of a small symbol's check words; a
/// larger symbol's remainder outweighs it). Shared by all threads: after its one write a
/// slot is only read, which costs a load and keeps no cache line moving between cores.
fn generator_logs(word: usize, k: usize) -> Cow<'static, [u16]> {
    static CACHE: [[OnceLock<Box<[u16]>>; CACHED_DEGREES + 1]; 5] =
        [const { [const { OnceLock::new() }; CACHED_DEGREES + 1] }; 5];
    match CACHE[slot(word)].get(k) {
        Some(cell) => Cow::Borrowed(cell.get_or_init(|| build_generator_logs(word, k).into_boxed_slice())),
        None => Cow::Owned(build_generator_logs(word, k)),
    }
}

/// `generator_logs`, built.
fn build_generator_logs(word: usize, k: usize) -> Vec<u16> {
    let f = gf(word);
    let Gf { exp, log, size } = f;
    let mul = |a: u16, b: u16| if a == 0 || b == 0 { 0 } else { exp[(log[a as usize] + log[b as usize]) as usize] };
    // g[0] is the highest degree (1).
    let mut g = vec![0u16; k + 1];
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
fn check_words(data: &[u32], k: usize, word: usize) -> Vec<u16> {
    let Gf { exp, log, .. } = gf(word);
    if k == 0 {
        return Vec::new();
    }
    let lg = generator_logs(word, k);
    let (exp, log): (&[u16; EXP_LEN], &[u16; LOG_LEN]) = (exp, log);
    // The remainder, shifted and reduced in one pass per word, from its low end (each
    // word takes the one above it, carried in a register: no bounds to check).
    let mut r = vec![0u16; k];
    for &d in data {
        let t = d as u16 ^ r[0];
        let lt = usize::from(log[usize::from(t) % LOG_LEN]);
        let mut above = 0;
        for (x, &g) in r.iter_mut().zip(lg.iter()).rev() {
            let product = if t == 0 { 0 } else { exp[(lt + usize::from(g)) % EXP_LEN] };
            (*x, above) = (above ^ product, *x);
        }
    }
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
fn with_check_words(words: &[u32], total: usize, word: usize) -> Bits {
    let k = total / word - words.len();
    let ec = check_words(words, k, word);
    let mut bits = Bits::with_capacity(total);
    bits.put(0, (total % word) as u32);
    for w in words.iter().copied().chain(ec.iter().map(|&c| u32::from(c))) {
        bits.put(w, word as u32);
    }
    bits.finish()
}

/// Encodes `data` with at least `ecc` percent error correction; `None` when no symbol holds it.
pub fn encode(data: &[u8], ecc: u8) -> Option<Matrix> {
    if data.is_empty() {
        return None; // the mode message counts data words from one
    }
    let bits = high_level(data, !data.is_ascii());
    let ecc_bits = bits.len * usize::from(ecc) / 100 + 11;
    let needed = bits.len + ecc_bits;
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
    // The mode message: layers - 1 and data words - 1 (2 + 6 bits compact, 5 + 11 full) in
    // 4-bit words, then its check words.
    let mode = {
        let (head, n) = if compact {
            ((layers - 1) << 6 | (words.len() - 1), 2)
        } else {
            ((layers - 1) << 11 | (words.len() - 1), 4)
        };
        let w: Vec<u32> = (0..n).rev().map(|k| (head >> (4 * k) & 15) as u32).collect();
        with_check_words(&w, if compact { 28 } else { 40 }, 4)
    };
    Some(layout(&message, &mode, compact, layers))
}

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
fn layout(message: &Bits, mode: &Bits, compact: bool, layers: usize) -> Matrix {
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
        assert_eq!(stuff(&bits(&[true; 6]), 6), [0b111110, 0b111110]);
        assert_eq!(stuff(&bits(&[false; 5]), 6), [0b000001]);
        // A run of ones across a byte boundary stuffed (its sixth bit starts the next word),
        // and ones padding the last word.
        let mixed = [false, true, false, true, false, true, true, true, true, true, true, false];
        assert_eq!(stuff(&bits(&mixed), 6), [0b010101, 0b111110, 0b011111]);
    }

    fn bits(b: &[bool]) -> Bits {
        let mut out = Bits::with_capacity(b.len());
        b.iter().for_each(|&x| out.put(u32::from(x), 1));
        out.finish()
    }

    #[test]
    fn bit_strings_keep_what_is_put_and_read_ones_past_the_end() {
        let mut b = Bits::with_capacity(0);
        let fields = [(0b101u32, 3u32), (0x3FF, 10), (0, 7), (0xABCD, 16), (1, 1), (0x2A, 6)];
        fields.iter().for_each(|&(v, w)| b.put(v, w));
        let b = b.finish();
        assert_eq!(b.len, 43);
        let mut at = 0;
        for &(v, w) in &fields {
            assert_eq!(b.peek(at, w as usize), v, "at {at}");
            (0..w).for_each(|k| assert_eq!(b.get(at + k as usize), v >> (w - 1 - k) & 1 == 1));
            at += w as usize;
        }
        assert_eq!(b.peek(40, 8), 0b010_11111, "ones past the end");
        assert!(!b.get(43), "past the end reads light");
    }

    /// The check words make a codeword polynomial with roots α^1..α^k, in every field: each
    /// word times α^(j·power), summed, is zero (evaluated directly, not by the encoder's
    /// division).
    #[test]
    fn check_words_make_alpha_powers_roots() {
        let mut next = testkit::rng(0x9e37_79b9_7f4a_7c15);
        for word in [4, 6, 8, 10, 12] {
            let Gf { exp, log, size } = gf(word);
            for (n, k) in [(2, 5), (7, 3), (20, 12), (33, 18), (60, 140)] {
                if n + k >= *size {
                    continue;
                }
                let data: Vec<u32> = (0..n).map(|_| next(*size) as u32).collect();
                let ec = check_words(&data, k, word);
                let all: Vec<u32> = data.iter().copied().chain(ec.iter().map(|&c| u32::from(c))).collect();
                for root in 1..=k {
                    let at = all.iter().fold(0u32, |acc, &c| {
                        let shifted = if acc == 0 {
                            0
                        } else {
                            u32::from(exp[(usize::from(log[acc as usize]) + root) % (size - 1)])
                        };
                        shifted ^ c
                    });
                    assert_eq!(at, 0, "word {word} n {n} k {k} root {root}");
                }
            }
        }
    }

    #[test]
    fn never_longer_than_rxings_encoding() {
        for s in ["Hello, World! 123", "ABCdef123456789012345xyz", "a.b,c:d;e!f", "MiXeD cAsE tExT 42"] {
            let ours = high_level(s.as_bytes(), false).len;
            let theirs =
                rxing::aztec::encoder::HighLevelEncoder::new(s.as_bytes().to_vec()).encode().unwrap().get_size();
            assert!(ours <= theirs, "{s}: {ours} > {theirs}");
        }
    }
}
