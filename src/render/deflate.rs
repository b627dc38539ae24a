//! Our own zlib stream for barcode rasters, measured against the `png` crate's encoders
//! (see benches/render.rs and benches/png_size.py): one deflate block whose matcher looks
//! at only two places, the same column one row up (repeated rows: every row of a linear
//! code, every module row of a 2D code `scale` times) and the previous byte (runs of white
//! or black), coded with Huffman tables built for this image (or the fixed tables when
//! those are smaller, or when the image is so small that building tables costs more than
//! they save: `SMALL_BLOCK`). Barcodes are almost nothing but those two redundancies and a few
//! distinct byte values, so this is both smaller and faster than a general deflate.

/// Bits go out least-significant first, as deflate wants, into a buffer sized beforehand
/// for the worst case (`block_bound`): no capacity check per write, and the writer's state
/// stays in registers.
struct BitWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
    acc: u64,
    n: u32,
}

impl BitWriter<'_> {
    /// `len` ≤ 32 bits (a Huffman code and its extra bits together are at most 28).
    #[inline]
    fn put(&mut self, v: u32, len: u32) {
        self.acc |= (v as u64) << self.n;
        self.n += len;
        if self.n >= 32 {
            self.buf[self.pos..self.pos + 4].copy_from_slice(&(self.acc as u32).to_le_bytes());
            self.pos += 4;
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    /// Flushes the last bits (padded to a byte); the bytes written.
    fn finish(mut self) -> usize {
        while self.n > 0 {
            self.buf[self.pos] = self.acc as u8;
            self.pos += 1;
            self.acc >>= 8;
            self.n = self.n.saturating_sub(8);
        }
        self.pos
    }
}

/// The most bytes a block of `tokens` tokens can take: the header (3 + 14 bits, 19 code
/// length code lengths of 3 bits, at most 316 run codes of 7 + 7 bits) and 48 bits a token
/// (a length code, 5 extra bits, a distance code, 13 extra bits), rounded up.
fn block_bound(tokens: usize) -> usize {
    (17 + 19 * 3 + 316 * 14) / 8 + 6 * tokens + 16
}

const LEN_BASE: [u16; 29] =
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const MAX_MATCH: usize = 258;
const MAX_DIST: usize = 32768;

/// The fixed literal/length codes (RFC 1951 3.2.6) of symbols 0..=287, bit-reversed for
/// the LSB-first stream, and their lengths.
const FIXED: ([u32; 288], [u8; 288]) = {
    let (mut codes, mut lens) = ([0u32; 288], [0u8; 288]);
    let mut v = 0u32;
    while v < 288 {
        let (code, len) = match v {
            0..=143 => (0x30 + v, 8),
            144..=255 => (0x190 + v - 144, 9),
            256..=279 => (v - 256, 7),
            _ => (0xC0 + v - 280, 8),
        };
        codes[v as usize] = code.reverse_bits() >> (32 - len);
        lens[v as usize] = len as u8;
        v += 1;
    }
    (codes, lens)
};

/// The fixed distance codes: five bits each, bit-reversed.
const FIXED_DIST: ([u32; 30], [u8; 30]) = {
    let mut codes = [0u32; 30];
    let mut d = 0;
    while d < 30 {
        codes[d] = (d as u32).reverse_bits() >> 27;
        d += 1;
    }
    (codes, [5u8; 30])
};

/// Deflate tokens, packed in a `u32` (the tokenizer's output and the writer's input, a
/// few per row): a literal is its byte value, a match `MATCH | (dist - 1) << 9 | len`
/// (length 3..=258, distance 1..=32768).
const MATCH: u32 = 1 << 31;

fn pack_match(len: usize, dist: usize) -> u32 {
    MATCH | ((dist - 1) as u32) << 9 | len as u32
}

/// A packed match's (length, distance).
fn unpack_match(t: u32) -> (usize, usize) {
    ((t & 511) as usize, ((t >> 9) & 0x7FFF) as usize + 1)
}

/// Length code index (0..29) per match length 0..=258 (0-2 unused).
const LEN_INDEX: [u8; 259] = {
    let mut t = [0u8; 259];
    let mut i = 0;
    let mut len = 3;
    while len <= 258 {
        while i + 1 < 29 && LEN_BASE[i + 1] as usize <= len {
            i += 1;
        }
        t[len] = i as u8;
        len += 1;
    }
    t
};

/// Distance code index per `dist - 1` below 256, then per `(dist - 1) >> 7` (zlib's layout).
const DIST_INDEX: [u8; 512] = {
    let mut t = [0u8; 512];
    let mut k = 0;
    while k < 512 {
        let dist = if k < 256 { k + 1 } else { ((k - 256) << 7) + 1 };
        let mut i = 0;
        while i + 1 < 30 && DIST_BASE[i + 1] as usize <= dist {
            i += 1;
        }
        t[k] = i as u8;
        k += 1;
    }
    t
};

fn len_index(len: usize) -> usize {
    LEN_INDEX[len] as usize
}

fn dist_index(dist: usize) -> usize {
    let d = dist - 1;
    DIST_INDEX[if d < 256 { d } else { 256 + (d >> 7) }] as usize
}

/// The largest alphabet, literal/length symbols.
const MAX_SYMS: usize = 286;

/// An alphabet's symbol counts and the set of symbols in use, kept as a bit set so that
/// the list of used symbols comes out in symbol order without a sort. Alphabets are then
/// walked through that list, not whole: a barcode's raster uses a few dozen of the 286
/// literal/length symbols, and for a small image walking whole alphabets a dozen times was
/// most of the stream's cost.
struct Counts<const N: usize> {
    freq: [u32; N],
    used: [u64; 5],
}

impl<const N: usize> Counts<N> {
    fn new() -> Self {
        Counts { freq: [0; N], used: [0; 5] }
    }

    #[inline]
    fn add(&mut self, sym: usize) {
        let f = &mut self.freq[sym];
        // The bit is set once, on the first count (a write per count was a dependency
        // chain through memory).
        if *f == 0 {
            self.used[sym >> 6] |= 1 << (sym & 63);
        }
        *f += 1;
    }

    /// The symbols in use, in symbol order, into `out`.
    fn list<'a>(&self, out: &'a mut [u16; N]) -> &'a [u16] {
        let mut n = 0;
        for (k, &word) in self.used.iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                out[n] = (k * 64 + bits.trailing_zeros() as usize) as u16;
                n += 1;
                bits &= bits - 1;
            }
        }
        &out[..n]
    }
}

/// Huffman code lengths (at most `limit` bits) of the symbols `used` (counts in `freq`)
/// into `lens` (indexed by symbol; entries of unused symbols are left alone).
fn code_lengths(used: &[u16], freq: &[u32], limit: u8, lens: &mut [u8]) {
    if used.len() <= 32 {
        code_lengths_n::<32>(used, freq, limit, lens)
    } else if used.len() <= 80 {
        code_lengths_n::<80>(used, freq, limit, lens)
    } else {
        code_lengths_n::<MAX_SYMS>(used, freq, limit, lens)
    }
}

/// `code_lengths` with scratch arrays `N` long (at least `used.len()`), so that the common
/// small alphabet clears little memory. Never inlined: each size's arrays stay in its own
/// stack frame rather than all three in the caller's (a 9 KB frame touched per image).
#[inline(never)]
fn code_lengths_n<const N: usize>(used: &[u16], freq: &[u32], limit: u8, lens: &mut [u8]) {
    let mut f = [0u64; N];
    let f = &mut f[..used.len()];
    for (d, &s) in f.iter_mut().zip(used) {
        *d = freq[s as usize] as u64;
    }
    let mut depth = [0u8; N];
    loop {
        huffman_lengths::<N>(f, &mut depth);
        if depth[..used.len()].iter().all(|&l| l <= limit) {
            break;
        }
        // Too deep: flatten the distribution and try again (it converges quickly).
        for x in f.iter_mut() {
            *x = (*x >> 1).max(1);
        }
    }
    for (&s, &d) in used.iter().zip(&depth) {
        lens[s as usize] = d;
    }
}

/// Code lengths for the weights `freq` (all non-zero, at most `N`) into `lens[..freq.len()]`.
fn huffman_lengths<const N: usize>(freq: &[u64], lens: &mut [u8]) {
    // Leaves sorted by weight (then position); internal nodes are made in non-decreasing
    // weight order, so two queues replace a heap (the classic linear-time construction).
    // A leaf is one u64, weight above the position, so a plain integer sort orders both
    // (the weights are byte counts, far below 2^48).
    let n = freq.len();
    match n {
        0 => return,
        1 => {
            lens[0] = 1;
            return;
        }
        _ => {}
    }
    let mut leaves = [0u64; N];
    let leaves = &mut leaves[..n];
    for (i, (l, &f)) in leaves.iter_mut().zip(freq).enumerate() {
        *l = f << 16 | i as u64;
    }
    leaves.sort_unstable();
    // Node ids: leaves 0..n, internal n..2n-1; parent[id] links upwards.
    let mut parent = [[0u16; 2]; N];
    let parent = parent.as_flattened_mut();
    let mut internal = [0u64; N];
    let (mut li, mut ii, mut made) = (0, 0, 0);
    for k in 0..n - 1 {
        let mut ids = [0usize; 2];
        let mut weight = 0;
        for id in &mut ids {
            if li < n && (ii >= made || leaves[li] >> 16 <= internal[ii]) {
                weight += leaves[li] >> 16;
                *id = li;
                li += 1;
            } else {
                weight += internal[ii];
                *id = n + ii;
                ii += 1;
            }
        }
        parent[ids[0]] = (n + k) as u16;
        parent[ids[1]] = (n + k) as u16;
        internal[made] = weight;
        made += 1;
    }
    // Depths from the root down: parents always have larger ids than their children.
    let mut depth = [[0u8; 2]; N];
    let depth = depth.as_flattened_mut();
    for id in (0..2 * n - 2).rev() {
        depth[id] = depth[parent[id] as usize].saturating_add(1);
    }
    for (k, &leaf) in leaves.iter().enumerate() {
        lens[(leaf & 0xFFFF) as usize] = depth[k];
    }
}

/// Canonical codes (RFC 1951 3.2.2) of the `used` symbols (in symbol order) with lengths
/// `lens` into `codes`, bit-reversed: deflate sends Huffman codes most-significant bit first
/// into an LSB-first stream, and reversing once per symbol here spares it once per token.
fn canonical(used: &[u16], lens: &[u8], codes: &mut [u32]) {
    let mut count = [0u32; 16];
    for &s in used {
        count[lens[s as usize] as usize & 15] += 1;
    }
    let mut next = [0u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    for &s in used {
        let l = lens[s as usize];
        codes[s as usize] = next[l as usize].reverse_bits() >> (32 - l as u32);
        next[l as usize] += 1;
    }
}

const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// Blocks of fewer tokens than this take the fixed codes without building tables: a tiny
/// image's tokens (a 4-state code at 2 px/module has 48) cost less to write than the tables
/// do to build — measured in the whole render, 0.6-0.9 µs of 2.2 (`benches/libzint.sh`) —
/// for at most 16 bytes more over the libzint cases at scales 1-4 (most, nothing).
const SMALL_BLOCK: usize = 64;

/// Writes `tokens` as one final block into `buf` (`block_bound` bytes long), with dynamic
/// tables when they come out smaller; the bytes written.
fn write_block(buf: &mut [u8], tokens: &[u32]) -> usize {
    let mut w = BitWriter { buf, pos: 0, acc: 0, n: 0 };
    if tokens.len() < SMALL_BLOCK {
        return write_fixed(w, tokens);
    }
    let mut lf = Counts::<MAX_SYMS>::new();
    let mut df = Counts::<30>::new();
    // Extra bits are the same under both tables: counted once, left out of the comparison.
    lf.add(256);
    for &t in tokens {
        if t & MATCH == 0 {
            lf.add(t as usize);
        } else {
            let (len, dist) = unpack_match(t);
            lf.add(257 + len_index(len));
            df.add(dist_index(dist));
        }
    }
    let mut lbuf = [0u16; MAX_SYMS];
    let lused = lf.list(&mut lbuf);
    let mut dbuf = [0u16; 30];
    let dused = df.list(&mut dbuf);
    let mut ll = [0u8; MAX_SYMS];
    code_lengths(lused, &lf.freq, 15, &mut ll);
    let mut dl = [0u8; 30];
    code_lengths(dused, &df.freq, 15, &mut dl);
    // At least one distance code must be described.
    let dused = if dused.is_empty() {
        dl[0] = 1;
        &[0u16][..]
    } else {
        dused
    };
    let hlit = 257.max(lused.last().map_or(0, |&s| s as usize + 1));
    let hdist = dused.last().map_or(1, |&s| s as usize + 1);
    // The code lengths, literal/length then distance, as runs of equal values (the zeros
    // between symbols in use are runs too).
    let nonzero = lused.iter().map(|&s| (s as usize, ll[s as usize]));
    let nonzero = nonzero.chain(dused.iter().map(|&s| (hlit + s as usize, dl[s as usize])));
    let mut rle = [(0u8, 0u8, 0u8); MAX_SYMS + 30];
    let rle = rle_lengths(runs(nonzero, hlit + hdist), &mut rle);
    let mut cf = Counts::<19>::new();
    for &(sym, _, _) in rle {
        cf.add(sym as usize);
    }
    let mut cbuf = [0u16; 19];
    let cused = cf.list(&mut cbuf);
    let mut cl = [0u8; 19];
    code_lengths(cused, &cf.freq, 7, &mut cl);
    let hclen = 4.max(CL_ORDER.iter().rposition(|&i| cl[i] > 0).map_or(0, |p| p + 1));
    let header_bits =
        14 + 3 * hclen as u64 + rle.iter().map(|&(sym, _, eb)| (cl[sym as usize] + eb) as u64).sum::<u64>();
    let (mut dynamic, mut fixed) = (header_bits, 0);
    for &s in lused {
        let f = lf.freq[s as usize] as u64;
        dynamic += f * ll[s as usize] as u64;
        fixed += f * FIXED.1[s as usize] as u64;
    }
    for &s in dused {
        let f = df.freq[s as usize] as u64;
        dynamic += f * dl[s as usize] as u64;
        fixed += f * FIXED_DIST.1[s as usize] as u64;
    }
    if fixed <= dynamic {
        return write_fixed(w, tokens);
    }
    w.put(1, 1);
    w.put(2, 2);
    w.put((hlit - 257) as u32, 5);
    w.put((hdist - 1) as u32, 5);
    w.put((hclen - 4) as u32, 4);
    for &i in &CL_ORDER[..hclen] {
        w.put(cl[i] as u32, 3);
    }
    let mut cc = [0u32; 19];
    canonical(cused, &cl, &mut cc);
    for &(sym, ev, eb) in rle {
        let l = cl[sym as usize] as u32;
        w.put(cc[sym as usize] | (ev as u32) << l, l + eb as u32);
    }
    let (mut lc, mut dc) = ([0u32; MAX_SYMS], [0u32; 30]);
    canonical(lused, &ll, &mut lc);
    canonical(dused, &dl, &mut dc);
    write_tokens(&mut w, tokens, &Tables { lc: &lc, ll: &ll, dc: &dc, dl: &dl });
    w.finish()
}

/// The tokens in the codes of `t`, then end-of-block.
fn write_tokens(w: &mut BitWriter, tokens: &[u32], t: &Tables<'_>) {
    for &tok in tokens {
        if tok & MATCH == 0 {
            w.put(t.lc[tok as usize], t.ll[tok as usize] as u32);
        } else {
            let (len, dist) = unpack_match(tok);
            let li = len_index(len);
            let di = dist_index(dist);
            // Each code and its extra bits in one write (at most 15 + 5 and 15 + 13 bits).
            let l = t.ll[257 + li] as u32;
            w.put(t.lc[257 + li] | ((len - LEN_BASE[li] as usize) as u32) << l, l + LEN_EXTRA[li] as u32);
            let d = t.dl[di] as u32;
            w.put(t.dc[di] | ((dist - DIST_BASE[di] as usize) as u32) << d, d + DIST_EXTRA[di] as u32);
        }
    }
    w.put(t.lc[256], t.ll[256] as u32);
}

/// Writes `tokens` as one final block with the fixed codes; the bytes written.
fn write_fixed(mut w: BitWriter, tokens: &[u32]) -> usize {
    w.put(1, 1);
    w.put(1, 2);
    let tables = Tables { lc: &FIXED.0, ll: &FIXED.1, dc: &FIXED_DIST.0, dl: &FIXED_DIST.1 };
    write_tokens(&mut w, tokens, &tables);
    w.finish()
}

/// The runs `(value, count)` of a sequence of `len` values that are zero but at the given
/// `(index, value)` pairs (indexes increasing, values non-zero).
fn runs(nonzero: impl Iterator<Item = (usize, u8)>, len: usize) -> impl Iterator<Item = (u8, usize)> {
    let mut nonzero = nonzero.peekable();
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= len {
            return None;
        }
        match nonzero.peek() {
            Some(&(at, _)) if at > i => {
                let gap = at - i;
                i = at;
                Some((0, gap))
            }
            Some(&(_, v)) => {
                let mut n = 0;
                while let Some(&(at, w)) = nonzero.peek() {
                    if at != i + n || w != v {
                        break;
                    }
                    nonzero.next();
                    n += 1;
                }
                i += n;
                Some((v, n))
            }
            None => {
                let gap = len - i;
                i = len;
                Some((0, gap))
            }
        }
    })
}

/// Run-length codes for a code-length sequence given as its runs (RFC 1951 3.2.7):
/// (symbol, extra value, extra bits), with 16 repeating the previous length and 17/18 runs
/// of zeros. Written into `out` (long enough for one code per value); the used part is
/// returned.
fn rle_lengths(runs: impl Iterator<Item = (u8, usize)>, out: &mut [(u8, u8, u8)]) -> &[(u8, u8, u8)] {
    let mut k = 0;
    let mut push = |code: (u8, u8, u8)| {
        out[k] = code;
        k += 1;
    };
    for (l, mut run) in runs {
        while run > 0 {
            if l == 0 && run >= 3 {
                let n = run.min(138);
                if n >= 11 {
                    push((18, (n - 11) as u8, 7));
                } else {
                    push((17, (n - 3) as u8, 3));
                }
                run -= n;
            } else if l != 0 && run >= 4 {
                push((l, 0, 0));
                let n = (run - 1).min(6);
                push((16, (n - 3) as u8, 2));
                run -= 1 + n;
            } else {
                push((l, 0, 0));
                run -= 1;
            }
        }
    }
    &out[..k]
}

/// Dynamic code tables: codes (bit-reversed, see `canonical`) and their lengths,
/// literal/length then distance.
struct Tables<'a> {
    lc: &'a [u32],
    ll: &'a [u8],
    dc: &'a [u32],
    dl: &'a [u8],
}

/// How many leading bytes of `a` equal those of `b` (which may overlap it, further back).
fn equal_len(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    // Eight bytes at a time: the first differing byte is the lowest set byte of the XOR.
    let mut k = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let word = |c: &[u8]| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let diff = word(x) ^ word(y);
        if diff != 0 {
            return k + (diff.trailing_zeros() / 8) as usize;
        }
        k += 8;
    }
    k + a[k..].iter().zip(&b[k..]).take_while(|(x, y)| x == y).count()
}

/// Compresses PNG scanlines (`rows` of `stride` bytes, each to be preceded by filter byte
/// 0, every bit flipped when `invert`) into a zlib stream.
pub fn zlib_scanlines(rows: &[u8], stride: usize, invert: bool) -> Vec<u8> {
    let mut out = Vec::new();
    zlib_scanlines_into(rows, stride, invert, &mut out);
    out
}

/// `zlib_scanlines`, appended to `out` (a PNG writes it straight into its IDAT chunk).
pub fn zlib_scanlines_into(rows: &[u8], stride: usize, invert: bool, out: &mut Vec<u8>) {
    let stride = stride.max(1);
    let line = stride + 1;
    let mut raw = vec![0u8; rows.len() + rows.len().div_ceil(stride)];
    // Each row after its filter byte (0), flipped on the way when asked: in whole words, no
    // call per row (a copy call per short row, then a flipping pass, were a tenth of a small
    // image's render).
    let flip = if invert { u64::MAX } else { 0 };
    for (l, r) in raw.chunks_mut(line).zip(rows.chunks(stride)) {
        let mut dst = l[1..=r.len()].chunks_exact_mut(8);
        let mut src = r.chunks_exact(8);
        for (d, s) in (&mut dst).zip(&mut src) {
            let v = u64::from_ne_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]) ^ flip;
            d.copy_from_slice(&v.to_ne_bytes());
        }
        for (d, s) in dst.into_remainder().iter_mut().zip(src.remainder()) {
            *d = s ^ flip as u8;
        }
    }
    let tokens = tokenize(&raw, line);
    let at = out.len();
    out.resize(at + 2 + block_bound(tokens.len()), 0);
    out[at..at + 2].copy_from_slice(&[0x78, 0x01]);
    let written = write_block(&mut out[at + 2..], &tokens);
    out.truncate(at + 2 + written);
    out.extend_from_slice(&simd_adler32::adler32(&raw.as_slice()).to_be_bytes());
}

/// The eight bytes at `at`, little-endian; past the end of `raw`, zeros.
#[inline]
fn load64(raw: &[u8], at: usize) -> u64 {
    match raw.get(at..at + 8) {
        Some(b) => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        None => raw[at.min(raw.len())..].iter().rev().fold(0, |acc, &b| acc << 8 | u64::from(b)),
    }
}

/// In the XOR of eight bytes with eight others, the high bit of byte `j` set where bytes
/// `j`, `j + 1` and `j + 2` are all zero (all equal), for `j` up to 5.
#[inline]
fn three_equal(d: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // A byte's high bit set when the byte is non-zero (no carry crosses bytes).
    let nonzero = (((d & LOW7) + LOW7) | d) & !LOW7;
    let zero = !nonzero & !LOW7;
    zero & zero >> 8 & zero >> 16
}

/// The matches and literals of `raw` (lines of `line` bytes), packed (see `MATCH`).
fn tokenize(raw: &[u8], line: usize) -> Vec<u32> {
    let up = if line <= MAX_DIST { line } else { 0 };
    let n = raw.len();
    let mut tokens = Vec::with_capacity(64 + n / 4);
    let mut pos = 0;
    let mut next_row = line;
    // The four bytes at `at` (`at + 4` at most `n`), little-endian.
    let word = |at: usize| load64(raw, at) as u32;
    while pos < n {
        while next_row < pos {
            next_row += line;
        }
        // Fast path: at a row start, whole rows equal to the one above become one run of
        // maximal matches, found with row compares instead of byte-by-byte scanning.
        if up > 0 && pos == next_row {
            // Rows equal to the one above, each in turn: the bytes from here equal those one
            // row up for whole rows (one compare over all of them, no call per row).
            let equal = equal_len(&raw[pos..], &raw[pos - line..]);
            if equal >= line && equal >= 3 {
                let mut left = if equal < 4 * line {
                    line * (1 + (equal >= 2 * line) as usize + (equal >= 3 * line) as usize)
                } else {
                    equal / line * line
                };
                // Rows of 1-2 bytes (a 1-byte stride) can leave less than a match: then no
                // progress would be made here, and the byte-wise path below takes over.
                if left >= 3 {
                    while left >= 3 {
                        let len = left.min(MAX_MATCH);
                        // Never leave a tail of 1-2 bytes that a match cannot carry.
                        let len = if left - len > 0 && left - len < 3 { len - 3 } else { len };
                        tokens.push(pack_match(len, up));
                        left -= len;
                        pos += len;
                    }
                    // Any 1-2 byte tail falls through to the byte-wise path below.
                    continue;
                }
            }
        }
        // Literals in bulk: the first of the next few positions (up to six, within this
        // row) where 3 bytes equal those one row up or one back, from one compare of eight
        // bytes per distance; the positions before it are literals.
        if pos >= 1 && pos + 8 <= n {
            let row_end = if next_row > pos { next_row } else { next_row + line };
            let window = 6.min(row_end - pos);
            let here = load64(raw, pos);
            let mut starts = three_equal(here ^ load64(raw, pos - 1));
            if up > 0 && pos >= up {
                starts |= three_equal(here ^ load64(raw, pos - up));
            }
            starts &= (1u64 << (8 * window)) - 1;
            let literals = if starts == 0 { window } else { starts.trailing_zeros() as usize / 8 };
            if literals > 0 {
                tokens.extend(raw[pos..pos + literals].iter().map(|&b| u32::from(b)));
                pos += literals;
                continue;
            }
        }
        // Byte-wise: a match where 3 bytes equal those one row up or one back, else a literal.
        // The common case, a literal, is decided from two word compares.
        let (a, b) = if pos + 4 <= n {
            let here = word(pos);
            let same = |dist: usize| dist > 0 && dist <= pos && (here ^ word(pos - dist)) & 0xFF_FFFF == 0;
            let (u, o) = (same(up), same(1));
            if !u && !o {
                tokens.push(raw[pos] as u32);
                pos += 1;
                continue;
            }
            let max = MAX_MATCH.min(n - pos);
            let run = |ok: bool, dist: usize| {
                if ok {
                    3 + equal_len(&raw[pos + 3..pos + max], &raw[pos + 3 - dist..])
                } else {
                    0
                }
            };
            (run(u, up), run(o, 1))
        } else {
            // The last 3 bytes: a match only if exactly 3 remain and equal.
            let same =
                |dist: usize| dist > 0 && dist <= pos && pos + 3 == n && raw[pos..] == raw[pos - dist..pos - dist + 3];
            (if same(up) { 3 } else { 0 }, if same(1) { 3 } else { 0 })
        };
        let (len, dist) = if a >= b { (a, up) } else { (b, 1) };
        if len >= 3 {
            tokens.push(pack_match(len, dist));
            pos += len;
        } else {
            tokens.push(raw[pos] as u32);
            pos += 1;
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflate(z: &[u8]) -> Vec<u8> {
        miniz_oxide::inflate::decompress_to_vec_zlib(z).expect("valid zlib")
    }

    #[test]
    fn narrow_rows_always_make_progress() {
        // One byte per row (an image 1-8 pixels wide at one bit a pixel): every sequence of
        // up to 8 rows of two values, e.g. rows 00 00 FF after a row 00 (three bytes equal
        // to those a row up, then a different one) once looped for ever.
        for len in 1..=8usize {
            for bits in 0..1u32 << len {
                let rows: Vec<u8> = (0..len).map(|i| if bits >> i & 1 == 1 { 0xFF } else { 0 }).collect();
                for invert in [false, true] {
                    let z = zlib_scanlines(&rows, 1, invert);
                    let want: Vec<u8> = rows.iter().flat_map(|&r| [0, if invert { !r } else { r }]).collect();
                    assert_eq!(inflate(&z), want, "{rows:?}");
                }
            }
        }
        for stride in 2..=3 {
            let rows = vec![0u8; stride * 9];
            assert_eq!(inflate(&zlib_scanlines(&rows, stride, false)).len(), 9 * (stride + 1));
        }
    }

    #[test]
    fn three_equal_marks_starts_of_three_zero_bytes() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Bytes zero about half the time, the rest non-zero (high bit set or not).
            let d = (0..8).fold(0u64, |acc, k| {
                acc | if x >> (40 + k) & 1 == 0 { 0 } else { (x >> (8 * k)) & 0xFF | 1 } << (8 * k)
            });
            let byte = |j: usize| d >> (8 * j) & 0xFF;
            let want = (0..6)
                .filter(|&j| byte(j) == 0 && byte(j + 1) == 0 && byte(j + 2) == 0)
                .fold(0, |m, j| m | 0x80 << (8 * j));
            assert_eq!(three_equal(d), want, "{d:016x}");
        }
    }

    #[test]
    fn round_trips_through_a_real_inflater() {
        let stride = 30;
        let mut rows = Vec::new();
        for y in 0..50u32 {
            for x in 0..stride as u32 {
                rows.push(if y < 40 { (x * 37 % 251) as u8 } else { (x * y) as u8 });
            }
        }
        let z = zlib_scanlines(&rows, stride, false);
        let back = inflate(&z);
        assert_eq!(back.len(), rows.len() + 50);
        for (i, r) in back.chunks(stride + 1).enumerate() {
            assert_eq!(r[0], 0);
            assert_eq!(&r[1..], &rows[i * stride..(i + 1) * stride]);
        }
        assert!(z.len() < 400, "40 repeated rows cost little: {}", z.len());
    }

    #[test]
    fn skewed_alphabets_stay_within_15_bits() {
        // Fibonacci-like frequencies force a Huffman tree deeper than deflate allows.
        let mut rows = Vec::new();
        let (mut a, mut b) = (1usize, 1usize);
        for sym in 0..30u8 {
            for k in 0..a {
                rows.push(sym.wrapping_mul(7));
                if k % 2 == 1 {
                    rows.push(sym.wrapping_mul(13).wrapping_add(1));
                }
            }
            (a, b) = (b, (a + b).min(20_000));
        }
        let f: Vec<u32> = (0..286).map(|i| if i < 30 { 1 << (i % 24) } else { 0 }).collect();
        let used: Vec<u16> = (0..286).filter(|&i| f[i as usize] > 0).collect();
        let mut lens = [0u8; 286];
        code_lengths(&used, &f, 15, &mut lens);
        assert!(lens.iter().all(|&l| l <= 15));
        let stride = 997;
        rows.truncate(rows.len() / stride * stride);
        let back = inflate(&zlib_scanlines(&rows, stride, false));
        assert_eq!(back.len(), rows.len() + rows.len() / stride);
    }

    #[test]
    fn pseudo_random_rows_round_trip() {
        let mut x = 0x2545F4914F6CDD1Du64;
        for stride in [5, 64, 131] {
            let rows: Vec<u8> = (0..stride * 40)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    [0x00, 0xFF, 0x0F, 0xF0, (x >> 32) as u8][(x % 5) as usize]
                })
                .collect();
            let back = inflate(&zlib_scanlines(&rows, stride, false));
            let expect: Vec<u8> =
                rows.chunks(stride).flat_map(|r| std::iter::once(0).chain(r.iter().copied())).collect();
            assert_eq!(back, expect);
        }
    }

    /// The block type (1 fixed, 2 dynamic) of a one-block zlib stream.
    fn block_type(z: &[u8]) -> u8 {
        (z[2] >> 1) & 3
    }

    #[test]
    fn tiny_images_take_the_fixed_codes_and_larger_ones_build_tables() {
        // A few distinct rows, repeated: few tokens, fixed codes.
        let stride = 21;
        let rows: Vec<u8> =
            (0..32 * stride).map(|i| [0x00, 0xCC, 0x0F][i / stride / 11] ^ (i % stride % 5 == 0) as u8).collect();
        let z = zlib_scanlines(&rows, stride, true);
        assert_eq!(block_type(&z), 1);
        let expect: Vec<u8> =
            rows.chunks(stride).flat_map(|r| std::iter::once(0).chain(r.iter().map(|b| !b))).collect();
        assert_eq!(inflate(&z), expect);
        // Many distinct rows of a few byte values: tables pay for themselves.
        let mut x = 0x2545F4914F6CDD1Du64;
        let rows: Vec<u8> = (0..40 * stride)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                [0x00, 0xFF, 0x0F][(x % 3) as usize]
            })
            .collect();
        let z = zlib_scanlines(&rows, stride, false);
        assert_eq!(block_type(&z), 2);
        assert_eq!(inflate(&z).len(), rows.len() + 40);
    }

    #[test]
    fn inverted_rows_are_the_rows_flipped() {
        let rows: Vec<u8> = (0..64u8).map(|i| i.wrapping_mul(37)).collect();
        let flipped: Vec<u8> = rows.iter().map(|b| !b).collect();
        assert_eq!(zlib_scanlines(&rows, 16, true), zlib_scanlines(&flipped, 16, false));
    }

    #[test]
    fn every_match_length_and_long_rows() {
        for stride in [1, 2, 3, 257, 258, 300, 1000] {
            let rows: Vec<u8> = (0..stride * 7).map(|i| if i % 11 < 6 { 0xFF } else { i as u8 }).collect();
            let back = inflate(&zlib_scanlines(&rows, stride, false));
            let expect: Vec<u8> =
                rows.chunks(stride).flat_map(|r| std::iter::once(0).chain(r.iter().copied())).collect();
            assert_eq!(back, expect, "stride {stride}");
        }
    }

    /// The run-length codes straight from a plain sequence of lengths (RFC 1951 3.2.7, as
    /// the encoder wrote them before it worked from runs).
    fn rle_reference(lens: &[u8]) -> Vec<(u8, u8, u8)> {
        let (mut out, mut i) = (Vec::new(), 0);
        while i < lens.len() {
            let l = lens[i];
            let run = lens[i..].iter().take_while(|&&x| x == l).count();
            if l == 0 && run >= 3 {
                let n = run.min(138);
                out.push(if n >= 11 { (18, (n - 11) as u8, 7) } else { (17, (n - 3) as u8, 3) });
                i += n;
            } else if l != 0 && run >= 4 {
                let n = (run - 1).min(6);
                out.extend([(l, 0, 0), (16, (n - 3) as u8, 2)]);
                i += 1 + n;
            } else {
                out.push((l, 0, 0));
                i += 1;
            }
        }
        out
    }

    #[test]
    fn length_runs_code_as_the_plain_sequence_does() {
        let mut x = 0x9E3779B97F4A7C15u64;
        for case in 0..2000 {
            let len = 1 + case % 316;
            let lens: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Mostly zeros and long equal runs, as code lengths are.
                    match x % 10 {
                        0..=5 => 0,
                        6..=8 => 8,
                        _ => (x >> 8) as u8 % 15 + 1,
                    }
                })
                .collect();
            let nonzero = lens.iter().enumerate().filter(|(_, &l)| l > 0).map(|(i, &l)| (i, l));
            let mut out = [(0u8, 0u8, 0u8); 316];
            assert_eq!(rle_lengths(runs(nonzero, len), &mut out), &rle_reference(&lens)[..], "{lens:?}");
        }
    }
}
