//! Reed–Solomon over a prime field GF(p) with the root 3, the form PDF417 (p = 929) and
//! DotCode (p = 113) share: the generator polynomials (writing), and errors and erasures
//! corrected (reading: Berlekamp–Massey on the Forney syndromes, Chien's search, Forney's
//! values).

/// ∏(x − 3^i) for i = 1..k over GF(`p`), highest degree first (monic), built in place.
pub fn generator(p: u32, k: usize) -> Vec<u32> {
    let mut g = vec![0u32; k + 1];
    g[0] = 1;
    let mut root = 1u32;
    for i in 1..=k {
        root = root * 3 % p;
        // Multiply by (x − root): each coefficient less root times the one before it.
        for j in (1..=i).rev() {
            g[j] = (g[j] + p * p - g[j - 1] * root) % p;
        }
    }
    g
}

/// Arithmetic modulo the prime `p` (below 2^16, so products fit a `u32`).
#[derive(Clone, Copy)]
struct Field(u32);

impl Field {
    fn mul(self, a: u32, b: u32) -> u32 {
        a * b % self.0
    }

    fn sub(self, a: u32, b: u32) -> u32 {
        (a + self.0 - b) % self.0
    }

    fn pow(self, mut b: u32, mut e: u32) -> u32 {
        let mut r = 1;
        while e > 0 {
            if e & 1 == 1 {
                r = self.mul(r, b);
            }
            b = self.mul(b, b);
            e >>= 1;
        }
        r
    }

    fn inv(self, a: u32) -> u32 {
        self.pow(a, self.0 - 2)
    }

    /// The polynomial (lowest degree first) at `x`.
    fn eval_low(self, poly: &[u32], x: u32) -> u32 {
        poly.iter().rev().fold(0, |acc, &c| (self.mul(acc, x) + c) % self.0)
    }

    /// The product of two polynomials (lowest degree first), cut to `len` terms.
    fn mul_poly(self, a: &[u32], b: &[u32], len: usize) -> Vec<u32> {
        let mut out = vec![0; (a.len() + b.len()).saturating_sub(1).min(len)];
        for (i, &x) in a.iter().enumerate() {
            for (j, &y) in b.iter().enumerate() {
                if i + j < out.len() {
                    out[i + j] = (out[i + j] + self.mul(x, y)) % self.0;
                }
            }
        }
        out
    }
}

/// What a correction did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Corrected {
    /// Words whose value was wrong (erasures included).
    pub changed: usize,
    /// The share of the block's checks the correction spent: (2 errors + erasures) / checks.
    pub spent: f32,
}

/// Corrects a received block in place: words leading coefficient first, the last `checks`
/// of them the checks, the code's roots 3^1..3^checks over GF(`p`) (`p` prime, < 2^16);
/// `erasures` are indexes of words known to be unreadable. `None` when the block is beyond
/// correction, or when 2 errors + erasures would exceed `checks - margin` (a margin makes a
/// wrong correction of a random block far less likely).
pub fn correct(p: u32, block: &mut [u32], checks: usize, erasures: &[usize], margin: usize) -> Option<Corrected> {
    let f = Field(p);
    let n = block.len();
    if n >= p as usize || checks == 0 || checks > n || erasures.len() + margin > checks {
        return None;
    }
    if block.iter().any(|&v| v >= p) || erasures.iter().any(|&i| i >= n) {
        return None;
    }
    // Word i stands at degree n - 1 - i: its locator is 3^(n - 1 - i).
    let locator = |i: usize| f.pow(3, (n - 1 - i) as u32);
    let syndromes: Vec<u32> = (1..=checks as u32)
        .map(|j| {
            let x = f.pow(3, j);
            block.iter().fold(0, |acc, &c| (f.mul(acc, x) + c) % p)
        })
        .collect();
    if syndromes.iter().all(|&s| s == 0) && erasures.is_empty() {
        return Some(Corrected { changed: 0, spent: 0.0 });
    }
    // The erasures' locator Γ(x) = Π (1 − X x), lowest degree first.
    let mut gamma = vec![1u32];
    for &i in erasures {
        gamma = f.mul_poly(&gamma, &[1, p - locator(i)], usize::MAX);
    }
    // Forney syndromes: S(x)·Γ(x) mod x^checks; the errors' locator comes from those past
    // the erasures' count.
    let forney = f.mul_poly(&syndromes, &gamma, checks);
    let seq = &forney[erasures.len().min(forney.len())..];
    let sigma = berlekamp_massey(f, seq);
    let errors = sigma.len() - 1;
    if 2 * errors + erasures.len() + margin > checks {
        return None;
    }
    let lambda = f.mul_poly(&sigma, &gamma, usize::MAX);
    let omega = f.mul_poly(&syndromes, &lambda, checks);
    // Λ'(x), lowest degree first.
    let deriv: Vec<u32> = lambda.iter().enumerate().skip(1).map(|(k, &c)| f.mul(c, k as u32 % p)).collect();
    let mut changed = 0;
    let mut roots = 0;
    for (i, word) in block.iter_mut().enumerate() {
        let x_inv = f.inv(locator(i));
        if f.eval_low(&lambda, x_inv) != 0 {
            continue;
        }
        roots += 1;
        let d = f.eval_low(&deriv, x_inv);
        if d == 0 {
            return None;
        }
        // Forney (first root 3^1): e = −Ω(X⁻¹) / Λ'(X⁻¹).
        let e = f.sub(0, f.mul(f.eval_low(&omega, x_inv), f.inv(d)));
        if e != 0 {
            *word = f.sub(*word, e);
            changed += 1;
        }
    }
    if roots != lambda.len() - 1 {
        return None;
    }
    // The corrected block must be a codeword.
    for j in 1..=checks as u32 {
        let x = f.pow(3, j);
        if block.iter().fold(0, |acc, &c| (f.mul(acc, x) + c) % p) != 0 {
            return None;
        }
    }
    Some(Corrected { changed, spent: (2 * errors + erasures.len()) as f32 / checks as f32 })
}

/// The shortest linear recurrence (connection polynomial, lowest degree first, constant
/// term 1) that generates `s`.
fn berlekamp_massey(f: Field, s: &[u32]) -> Vec<u32> {
    let (mut c, mut b) = (vec![1u32], vec![1u32]);
    let (mut l, mut m, mut bd) = (0usize, 1usize, 1u32);
    for k in 0..s.len() {
        let mut d = s[k];
        for i in 1..=l.min(c.len() - 1) {
            d = (d + f.mul(c[i], s[k - i])) % f.0;
        }
        if d == 0 {
            m += 1;
            continue;
        }
        let coef = f.mul(d, f.inv(bd));
        let mut next = c.clone();
        if next.len() < b.len() + m {
            next.resize(b.len() + m, 0);
        }
        for (i, &bv) in b.iter().enumerate() {
            next[i + m] = f.sub(next[i + m], f.mul(coef, bv));
        }
        if 2 * l <= k {
            l = k + 1 - l;
            b = std::mem::replace(&mut c, next);
            bd = d;
            m = 1;
        } else {
            c = next;
            m += 1;
        }
    }
    c.truncate(l + 1);
    c.resize(l + 1, 0);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The polynomial (leading coefficient first) at x, modulo p.
    fn eval(g: &[u32], x: u32, p: u32) -> u32 {
        g.iter().fold(0, |acc, &c| (acc * x + c) % p)
    }

    /// A codeword of `nd` random data words and `k` checks (leading coefficient first).
    fn codeword(p: u32, nd: usize, k: usize, next: &mut impl FnMut(usize) -> usize) -> Vec<u32> {
        let g = generator(p, k);
        let mut block: Vec<u32> = (0..nd).map(|_| next(p as usize) as u32).collect();
        // Remainder of data·x^k by g, subtracted.
        let mut rem: Vec<u32> = block.clone();
        rem.resize(nd + k, 0);
        for i in 0..nd {
            let c = rem[i];
            if c != 0 {
                for (j, &gj) in g.iter().enumerate() {
                    rem[i + j] = (rem[i + j] + p * p - c * gj) % p;
                }
            }
        }
        block.extend(rem[nd..].iter().map(|&r| (p - r) % p));
        block
    }

    #[test]
    fn errors_and_erasures_within_the_bound_are_corrected() {
        let mut next = crate::symbology::testkit::rng(5);
        for p in [113u32, 929] {
            for trial in 0..400 {
                let nd = 1 + next(60);
                let k = 3 + next(30);
                let good = codeword(p, nd, k, &mut next);
                for j in 1..=k as u32 {
                    let x = Field(p).pow(3, j);
                    assert_eq!(good.iter().fold(0, |a, &c| (a * x + c) % p), 0);
                }
                let n = good.len();
                let erasures_n = next(k + 1);
                let errors_n = (k - erasures_n) / 2;
                let mut idx: Vec<usize> = (0..n).collect();
                for i in 0..n {
                    idx.swap(i, i + next(n - i));
                }
                let (erased, wrong) = idx.split_at(erasures_n.min(n));
                let wrong = &wrong[..errors_n.min(wrong.len())];
                let mut got = good.clone();
                for &i in erased {
                    got[i] = next(p as usize) as u32;
                }
                for &i in wrong {
                    got[i] = (got[i] + 1 + next(p as usize - 1) as u32) % p;
                }
                let r = correct(p, &mut got, k, erased, 0);
                assert_eq!(got, good, "p {p}, trial {trial}, {erasures_n} erasures, {errors_n} errors");
                let r = r.unwrap();
                assert!(r.spent <= 1.0);
            }
        }
    }

    #[test]
    fn too_many_errors_are_refused_or_land_on_a_codeword() {
        let mut next = crate::symbology::testkit::rng(9);
        let p = 113;
        for _ in 0..300 {
            let (nd, k) = (20, 8);
            let good = codeword(p, nd, k, &mut next);
            let mut got = good.clone();
            for i in 0..6 {
                got[3 * i] = (got[3 * i] + 1 + next(112) as u32) % p;
            }
            if correct(p, &mut got, k, &[], 0).is_some() {
                // A different codeword (never the sent one, which is 6 > 4 away).
                for j in 1..=k as u32 {
                    let x = Field(p).pow(3, j);
                    assert_eq!(got.iter().fold(0, |a, &c| (a * x + c) % p), 0);
                }
                assert_ne!(got, good);
            }
        }
        // The margin refuses what the bare bound allows.
        let mut got = codeword(p, 10, 6, &mut next);
        got[0] = (got[0] + 1) % p;
        got[5] = (got[5] + 1) % p;
        got[7] = (got[7] + 1) % p;
        assert!(correct(p, &mut got.clone(), 6, &[], 0).is_some());
        assert!(correct(p, &mut got, 6, &[], 1).is_none());
    }

    #[test]
    fn the_generator_vanishes_at_its_roots() {
        for p in [113, 929] {
            for k in 1..40 {
                let g = generator(p, k);
                let mut root = 1;
                for i in 1..=k {
                    root = root * 3 % p;
                    assert_eq!(eval(&g, root, p), 0, "p {p}, degree {k}, root 3^{i}");
                }
                assert_ne!(eval(&g, root * 3 % p, p), 0);
            }
        }
        // DotCode's smallest generator (AIM DotCode Annex B): x³ + 74x² + 12x + 62.
        assert_eq!(generator(113, 3), [1, 74, 12, 62]);
    }
}
