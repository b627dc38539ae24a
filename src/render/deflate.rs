//! Our own zlib stream for barcode rasters, measured against the `png` crate's encoders
//! (see benches/render.rs and benches/png_size.py): one deflate block whose matcher looks
//! at only two places, the same column one row up (repeated rows: every row of a linear
//! code, every module row of a 2D code `scale` times) and the previous byte (runs of white
//! or black), coded with Huffman tables built for this image (or the fixed tables when
//! those are smaller). Barcodes are almost nothing but those two redundancies and a few
//! distinct byte values, so this is both smaller and faster than a general deflate.

/// Bits go out least-significant first, as deflate wants.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, v: u32, len: u32) {
        self.acc |= (v as u64) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Huffman codes are defined most-significant bit first.
    fn put_code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
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

/// The fixed literal/length code of symbol `v` (0..=287).
fn symbol(w: &mut BitWriter, v: u32) {
    match v {
        0..=143 => w.put_code(0x30 + v, 8),
        144..=255 => w.put_code(0x190 + v - 144, 9),
        256..=279 => w.put_code(v - 256, 7),
        _ => w.put_code(0xC0 + v - 280, 8),
    }
}

/// One deflate token: a literal byte, or a match (length 3..=258, distance 1..=32768).
#[derive(Clone, Copy)]
enum Token {
    Lit(u8),
    Match(u16, u16),
}

fn len_index(len: usize) -> usize {
    LEN_BASE.partition_point(|&b| b as usize <= len) - 1
}

fn dist_index(dist: usize) -> usize {
    DIST_BASE.partition_point(|&b| b as usize <= dist) - 1
}

/// The largest alphabet, literal/length symbols; the tables below live on the stack in
/// arrays of this size (a small image's whole render is a few microseconds, and building
/// its tables in heap vectors was a third of it).
const MAX_SYMS: usize = 286;

/// Huffman code lengths (at most `limit` bits) for `freq` into `lens` (same length);
/// unused symbols get 0.
fn code_lengths(freq: &[u32], limit: u8, lens: &mut [u8]) {
    let mut f = [0u64; MAX_SYMS];
    let f = &mut f[..freq.len()];
    for (d, &x) in f.iter_mut().zip(freq) {
        *d = x as u64;
    }
    loop {
        huffman_lengths(f, lens);
        if lens.iter().all(|&l| l <= limit) {
            return;
        }
        // Too deep: flatten the distribution and try again (it converges quickly).
        for x in f.iter_mut().filter(|x| **x > 0) {
            *x = (*x >> 1).max(1);
        }
    }
}

fn huffman_lengths(freq: &[u64], lens: &mut [u8]) {
    lens.fill(0);
    // Leaves sorted by weight (then symbol); internal nodes are made in non-decreasing
    // weight order, so two queues replace a heap (the classic linear-time construction).
    // A leaf is one u64, weight above the symbol, so a plain integer sort orders both (the
    // weights are byte counts, far below 2^48) and the array clears as one memset.
    let mut all = [0u64; MAX_SYMS];
    let mut n = 0;
    for (i, &f) in freq.iter().enumerate() {
        if f > 0 {
            all[n] = f << 16 | i as u64;
            n += 1;
        }
    }
    let sym = |leaf: u64| (leaf & 0xFFFF) as usize;
    match n {
        0 => return,
        1 => {
            lens[sym(all[0])] = 1;
            return;
        }
        _ => {}
    }
    let leaves = &mut all[..n];
    leaves.sort_unstable();
    // Node ids: leaves 0..n, internal n..2n-1; parent[id] links upwards.
    let mut parent = [0u16; 2 * MAX_SYMS];
    let mut internal = [0u64; MAX_SYMS];
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
    let mut depth = [0u8; 2 * MAX_SYMS];
    for id in (0..2 * n - 2).rev() {
        depth[id] = depth[parent[id] as usize].saturating_add(1);
    }
    for (k, &leaf) in leaves.iter().enumerate() {
        lens[sym(leaf)] = depth[k];
    }
}

/// Canonical codes for `lens` into `codes` (RFC 1951 3.2.2), bit-reversed: deflate sends
/// Huffman codes most-significant bit first into an LSB-first stream, and reversing once
/// per symbol here spares reversing once per token.
fn canonical(lens: &[u8], codes: &mut [u32]) {
    // Four interleaved histograms: one would make each increment wait for the previous
    // one to the same counter (long runs of equal lengths), which was most of this function.
    let mut counts = [[0u32; 16]; 4];
    for (i, &l) in lens.iter().enumerate() {
        counts[i & 3][l as usize & 15] += 1;
    }
    let mut count = [0u32; 16];
    for (bits, c) in count.iter_mut().enumerate().skip(1) {
        *c = counts.iter().map(|h| h[bits]).sum();
    }
    let mut next = [0u32; 16];
    let mut code = 0;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    for (c, &l) in codes.iter_mut().zip(lens) {
        if l != 0 {
            *c = next[l as usize].reverse_bits() >> (32 - l as u32);
            next[l as usize] += 1;
        }
    }
}

/// Fixed-table literal/length code lengths (RFC 1951 3.2.6).
const FIXED_LIT_LEN: [u8; MAX_SYMS] = {
    let mut t = [8u8; MAX_SYMS];
    let mut v = 144;
    while v < 256 {
        t[v] = 9;
        v += 1;
    }
    while v < 280 {
        t[v] = 7;
        v += 1;
    }
    t
};

const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// Writes `tokens` as one final block, with dynamic tables when they come out smaller.
fn write_block(w: &mut BitWriter, tokens: &[Token]) {
    let mut lf = [0u32; 286];
    let mut df = [0u32; 30];
    lf[256] = 1;
    for t in tokens {
        match *t {
            Token::Lit(b) => lf[b as usize] += 1,
            Token::Match(l, d) => {
                lf[257 + len_index(l as usize)] += 1;
                df[dist_index(d as usize)] += 1;
            }
        }
    }
    let mut ll = [0u8; MAX_SYMS];
    code_lengths(&lf, 15, &mut ll);
    let mut dl = [0u8; 30];
    code_lengths(&df, 15, &mut dl);
    if dl.iter().all(|&l| l == 0) {
        dl[0] = 1; // at least one distance code must be described
    }
    let hlit = 257.max(ll.iter().rposition(|&l| l > 0).map_or(0, |p| p + 1));
    let hdist = 1.max(dl.iter().rposition(|&l| l > 0).map_or(0, |p| p + 1));
    let mut all = [0u8; MAX_SYMS + 30];
    all[..hlit].copy_from_slice(&ll[..hlit]);
    all[hlit..hlit + hdist].copy_from_slice(&dl[..hdist]);
    let mut rle = [(0u8, 0u8, 0u8); MAX_SYMS + 30];
    let rle = rle_lengths(&all[..hlit + hdist], &mut rle);
    let mut cf = [0u32; 19];
    for &(sym, _, _) in rle {
        cf[sym as usize] += 1;
    }
    let mut cl = [0u8; 19];
    code_lengths(&cf, 7, &mut cl);
    let hclen = 4.max(CL_ORDER.iter().rposition(|&i| cl[i] > 0).map_or(0, |p| p + 1));
    let data_bits = |lens: &[u8], dlens: &[u8]| -> u64 {
        lf.iter().zip(lens).map(|(&f, &l)| f as u64 * l as u64).sum::<u64>()
            + df.iter().zip(dlens).map(|(&f, &l)| f as u64 * l as u64).sum::<u64>()
    };
    let header_bits =
        14 + 3 * hclen as u64 + rle.iter().map(|&(sym, _, eb)| (cl[sym as usize] + eb) as u64).sum::<u64>();
    let dynamic = header_bits + data_bits(&ll, &dl);
    let fixed = data_bits(&FIXED_LIT_LEN, &[5u8; 30]);
    if fixed <= dynamic {
        w.put(1, 1);
        w.put(1, 2);
        for t in tokens {
            match *t {
                Token::Lit(b) => symbol(w, b as u32),
                Token::Match(l, d) => emit_match_with(w, l as usize, d as usize, None),
            }
        }
        symbol(w, 256);
        return;
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
    canonical(&cl, &mut cc);
    for &(sym, ev, eb) in rle {
        w.put(cc[sym as usize], cl[sym as usize] as u32);
        w.put(ev as u32, eb as u32);
    }
    let (mut lc, mut dc) = ([0u32; MAX_SYMS], [0u32; 30]);
    canonical(&ll, &mut lc);
    canonical(&dl, &mut dc);
    let tables = Tables { lc: &lc, ll: &ll, dc: &dc, dl: &dl };
    for t in tokens {
        match *t {
            Token::Lit(b) => w.put(lc[b as usize], ll[b as usize] as u32),
            Token::Match(l, d) => emit_match_with(w, l as usize, d as usize, Some(&tables)),
        }
    }
    w.put(lc[256], ll[256] as u32);
}

/// Run-length codes for a code-length sequence (RFC 1951 3.2.7): (symbol, extra value,
/// extra bits), with 16 repeating the previous length and 17/18 runs of zeros.
/// Written into `out` (at least `lens.len()` long); the used part is returned.
fn rle_lengths<'a>(lens: &[u8], out: &'a mut [(u8, u8, u8)]) -> &'a [(u8, u8, u8)] {
    let mut k = 0;
    let mut push = |code: (u8, u8, u8)| {
        out[k] = code;
        k += 1;
    };
    let mut i = 0;
    while i < lens.len() {
        let l = lens[i];
        let run = lens[i..].iter().take_while(|&&x| x == l).count();
        if l == 0 && run >= 3 {
            let n = run.min(138);
            if n >= 11 {
                push((18, (n - 11) as u8, 7));
            } else {
                push((17, (n - 3) as u8, 3));
            }
            i += n;
        } else if l != 0 && run >= 4 {
            push((l, 0, 0));
            let n = (run - 1).min(6);
            push((16, (n - 3) as u8, 2));
            i += 1 + n;
        } else {
            push((l, 0, 0));
            i += 1;
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

fn emit_match_with(w: &mut BitWriter, len: usize, dist: usize, t: Option<&Tables<'_>>) {
    let li = len_index(len);
    let di = dist_index(dist);
    match t {
        None => symbol(w, 257 + li as u32),
        Some(t) => w.put(t.lc[257 + li], t.ll[257 + li] as u32),
    }
    w.put((len - LEN_BASE[li] as usize) as u32, LEN_EXTRA[li] as u32);
    match t {
        None => w.put_code(di as u32, 5),
        Some(t) => w.put(t.dc[di], t.dl[di] as u32),
    }
    w.put((dist - DIST_BASE[di] as usize) as u32, DIST_EXTRA[di] as u32);
}

fn run(raw: &[u8], pos: usize, dist: usize) -> usize {
    if dist == 0 || dist > pos {
        return 0;
    }
    let max = MAX_MATCH.min(raw.len() - pos);
    let (a, b) = (&raw[pos..pos + max], &raw[pos - dist..pos - dist + max]);
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
    let line = stride + 1;
    let mut raw = Vec::with_capacity(rows.len() + rows.len() / stride.max(1) + 1);
    for r in rows.chunks(stride.max(1)) {
        raw.push(0);
        raw.extend_from_slice(r);
        if invert {
            let n = raw.len();
            for b in &mut raw[n - r.len()..] {
                *b = !*b;
            }
        }
    }
    let up = if line <= MAX_DIST { line } else { 0 };
    let mut tokens = Vec::with_capacity(raw.len() / 8);
    let mut pos = 0;
    let mut next_row = line;
    while pos < raw.len() {
        while next_row < pos {
            next_row += line;
        }
        // Fast path: at a row start, whole rows equal to the one above become one run of
        // maximal matches, found with row compares instead of byte-by-byte scanning.
        if up > 0 && pos == next_row {
            let same = raw[pos..].chunks(line).take_while(|r| r.len() == line && *r == &raw[pos - line..pos]).count();
            if same * line >= 3 {
                let mut left = same * line;
                while left >= 3 {
                    let len = left.min(MAX_MATCH);
                    // Never leave a tail of 1-2 bytes that a match cannot carry.
                    let len = if left - len > 0 && left - len < 3 { len - 3 } else { len };
                    tokens.push(Token::Match(len as u16, up as u16));
                    left -= len;
                    pos += len;
                }
                // Any 1-2 byte tail falls through to the byte-wise path below.
                continue;
            }
        }
        let (a, b) = (run(&raw, pos, up), run(&raw, pos, 1));
        let (len, dist) = if a >= b { (a, up) } else { (b, 1) };
        if len >= 3 {
            tokens.push(Token::Match(len as u16, dist as u16));
            pos += len;
        } else {
            tokens.push(Token::Lit(raw[pos]));
            pos += 1;
        }
    }
    let mut w = BitWriter { out: Vec::with_capacity(64 + tokens.len()), acc: 0, n: 0 };
    w.out.extend_from_slice(&[0x78, 0x01]);
    write_block(&mut w, &tokens);
    let mut out = w.finish();
    out.extend_from_slice(&simd_adler32::adler32(&raw.as_slice()).to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inflate(z: &[u8]) -> Vec<u8> {
        miniz_oxide::inflate::decompress_to_vec_zlib(z).expect("valid zlib")
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
        let mut lens = [0u8; 286];
        code_lengths(&f, 15, &mut lens);
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
}
