//! Reed–Solomon check words over GF(16/64/256/1024/4096) for Aztec's message and mode
//! message: field tables built once per field, generators once per field and degree.

use super::bits::Bits;
use std::borrow::Cow;
use std::sync::OnceLock;

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

/// The field of `word`-bit words (4, 6, 8, 10, 12): its slot in the caches, its primitive
/// polynomial and its bits.
fn field(word: usize) -> (usize, u32, u32) {
    match word {
        4 => (0, 0x13, 4),
        6 => (1, 0x43, 6),
        8 => (2, 0x12D, 8),
        10 => (3, 0x409, 10),
        _ => (4, 0x1069, 12),
    }
}

fn gf(word: usize) -> &'static Gf {
    static FIELDS: [OnceLock<Gf>; 5] = [const { OnceLock::new() }; 5];
    let (slot, poly, m) = field(word);
    FIELDS[slot].get_or_init(|| {
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
    match CACHE[field(word).0].get(k) {
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

/// `words` and their check words to fill `total` bits, as a bit string (leading pad).
pub(super) fn with_check_words(words: &[u32], total: usize, word: usize) -> Bits {
    let k = total / word - words.len();
    let ec = check_words(words, k, word);
    let mut bits = Bits::with_capacity(total);
    bits.put(0, (total % word) as u32);
    for w in words.iter().copied().chain(ec.iter().map(|&c| u32::from(c))) {
        bits.put(w, word as u32);
    }
    bits.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::testkit;

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
}
