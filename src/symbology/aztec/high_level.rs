//! Aztec's high-level encodation: the shortest path over the five character modes (upper,
//! lower, mixed, punctuation, digit: latches, shifts, the punctuation pairs) and binary
//! shift runs, in linear time. A run's cost is linear in its length but for its header (10
//! bits up to 31 bytes, 21 beyond), so the best run ending at each position comes from a
//! sliding minimum over its possible starts. Costs per position and mode in `i32`, the step
//! that reached each packed in a `u32`; a byte's one-character steps from a table.

use super::bits::Bits;

const U: usize = 0;
const L: usize = 1;
const D: usize = 2;
const M: usize = 3;
const P: usize = 4;
const MODES: [usize; 5] = [U, L, D, M, P];

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

/// Bits per code in each mode: 4 in digit mode, else 5.
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
const PAIR_COST: [i32; 5] = {
    let mut t = [0i32; 5];
    let mut m = 0;
    while m < 5 {
        t[m] = if m == P { 5 } else { WIDTH[m] + 5 };
        m += 1;
    }
    t
};

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

    fn pop_back(&mut self) {
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

/// The high-level bit stream of `data`.
pub(super) fn high_level(data: &[u8], eci_utf8: bool) -> Bits {
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
                    short[b].pop_back();
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
        let w = WIDTH[m] as u32;
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn never_longer_than_rxings_encoding() {
        for s in ["Hello, World! 123", "ABCdef123456789012345xyz", "a.b,c:d;e!f", "MiXeD cAsE tExT 42"] {
            let ours = high_level(s.as_bytes(), false).len;
            let theirs =
                rxing::aztec::encoder::HighLevelEncoder::new(s.as_bytes().to_vec()).encode().unwrap().get_size();
            assert!(ours <= theirs, "{s}: {ours} > {theirs}");
        }
    }
}
