//! Reed–Solomon generator polynomials over a prime field GF(p) with the root 3, the form
//! PDF417 (p = 929) and DotCode (p = 113) share.

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The polynomial (leading coefficient first) at x, modulo p.
    fn eval(g: &[u32], x: u32, p: u32) -> u32 {
        g.iter().fold(0, |acc, &c| (acc * x + c) % p)
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
