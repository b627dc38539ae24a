//! Reed–Solomon parity over GF(64) with the primitive polynomial x⁶ + x + 1 and the
//! generator's roots α¹…αⁿ: Australia Post's four parity symbols and MaxiCode's error
//! correction share it.

/// (exp, log) tables of GF(64), built at compile time.
static TABLES: ([u8; 63], [u8; 64]) = {
    let (mut exp, mut log) = ([0u8; 63], [0u8; 64]);
    let mut v = 1u8;
    let mut i = 0;
    while i < 63 {
        exp[i] = v;
        log[v as usize] = i as u8;
        v <<= 1;
        if v & 0x40 != 0 {
            v ^= 0x43;
        }
        i += 1;
    }
    (exp, log)
};

fn mul(a: u8, b: u8) -> u8 {
    let (exp, log) = &TABLES;
    if a == 0 || b == 0 {
        0
    } else {
        exp[(usize::from(log[usize::from(a)]) + usize::from(log[usize::from(b)])) % 63]
    }
}

/// The `n` parity symbols (n < 63) of `data` (6-bit values), highest degree first.
pub fn parity(data: &[u8], n: usize) -> Vec<u8> {
    let exp = &TABLES.0;
    // g(x) = (x - α)(x - α²)…(x - αⁿ), coefficients highest degree first.
    let mut g = [0u8; 64];
    g[0] = 1;
    for (i, &root) in exp[1..=n].iter().enumerate() {
        for j in (1..=i + 1).rev() {
            g[j] ^= mul(g[j - 1], root);
        }
    }
    let mut rem = vec![0u8; n];
    for &d in data {
        let f = (d & 63) ^ rem[0];
        for k in 0..n - 1 {
            rem[k] = rem[k + 1] ^ mul(f, g[k + 1]);
        }
        rem[n - 1] = mul(f, g[n]);
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
