//! Bit strings, most significant bit first, packed in bytes, and Aztec's bit stuffing into
//! codewords (§7.3.1.2).

/// A bit string, most significant bit first, in bytes; the unused end of the last byte is
/// ones (the padding `stuff` wants).
#[derive(Default)]
pub(super) struct Bits {
    pub(super) bytes: Vec<u8>,
    pub(super) len: usize,
    acc: u32,
}

impl Bits {
    pub(super) fn with_capacity(bits: usize) -> Bits {
        Bits { bytes: Vec::with_capacity(bits / 8 + 2), len: 0, acc: 0 }
    }

    /// Appends the low `w` (≤ 16) bits of `v`.
    pub(super) fn put(&mut self, v: u32, w: u32) {
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
    pub(super) fn finish(mut self) -> Bits {
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

/// Words of `word` bits; a word whose first `word - 1` bits are all equal gets the
/// opposite last bit and the bit it displaced starts the next word (§7.3.1.2). The last
/// word is padded with ones.
pub(super) fn stuff(bits: &Bits, word: usize) -> Vec<u32> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
