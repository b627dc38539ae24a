//! Reed–Solomon parity over GF(64) with the primitive polynomial x⁶ + x + 1 and the
//! generator's roots α¹…αⁿ: Australia Post's four parity symbols and MaxiCode's error
//! correction share it.

/// (exp, log) tables of GF(64).
fn tables() -> ([u8; 63], [u8; 64]) {
    let (mut exp, mut log) = ([0u8; 63], [0u8; 64]);
    let mut v = 1u8;
    for (i, e) in exp.iter_mut().enumerate() {
        *e = v;
        log[usize::from(v)] = i as u8;
        v <<= 1;
        if v & 0x40 != 0 {
            v ^= 0x43;
        }
    }
    (exp, log)
}

/// The `n` parity symbols of `data` (6-bit values), highest degree first.
pub fn parity(data: &[u8], n: usize) -> Vec<u8> {
    let (exp, log) = tables();
    let mul = |a: u8, b: u8| {
        if a == 0 || b == 0 {
            0
        } else {
            exp[(usize::from(log[usize::from(a)]) + usize::from(log[usize::from(b)])) % 63]
        }
    };
    // g(x) = (x - α)(x - α²)…(x - αⁿ), coefficients highest degree first.
    let mut g = vec![1u8];
    for &root in &exp[1..=n] {
        let mut next = vec![0u8; g.len() + 1];
        for (j, &c) in g.iter().enumerate() {
            next[j] ^= c;
            next[j + 1] ^= mul(c, root);
        }
        g = next;
    }
    let mut rem = vec![0u8; n];
    for &d in data {
        let f = (d & 63) ^ rem[0];
        rem.rotate_left(1);
        rem[n - 1] = 0;
        for k in 0..n {
            rem[k] ^= mul(f, g[k + 1]);
        }
    }
    rem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_codeword_with_its_parity_divides_by_the_generator() {
        for n in [4, 10, 20, 28] {
            let data: Vec<u8> = (0..42).map(|i| (i * 37 + 5) as u8 % 64).collect();
            let mut all = data.clone();
            all.extend(parity(&data, n));
            assert!(parity(&all, n).iter().all(|&r| r == 0), "n = {n}");
        }
    }
}
