//! A connection's queued output: bytes copied into one reused buffer, with large shared
//! bodies (a cached image's `Bytes`, owned by the L1 or the template pool) referenced in
//! place rather than copied. The connection writes the queue with one vectored write and
//! stops answering while it is over its bound (`server/conn.rs`), so the memory one
//! connection holds is the copied part (a few tens of KiB) plus references to shared bodies.

use bytes::Bytes;

/// Bodies at least this long are referenced, not copied. Below it a copy into the
/// connection's buffer is cheaper than another iovec (measured: `benches/writev.sh`,
/// README "Writes by reference").
pub const SHARE_MIN: usize = 8 * 1024;

/// Whether a body of `len` bytes is referenced rather than copied (never, in
/// `benches/writev.sh`'s comparison build with the feature `bench-copy-bodies`).
pub fn shares(len: usize) -> bool {
    !cfg!(feature = "bench-copy-bodies") && len >= SHARE_MIN
}

/// Answering pauses while this many bytes are queued for the client (copied and shared);
/// a streamed response sends what is queued once it is past it.
pub const OUT_BOUND: usize = 32 * 1024;

/// The queued output of one connection.
#[derive(Debug, Default)]
pub struct Out {
    bytes: Vec<u8>,
    /// Shared bodies, each with the length of `bytes` when it was queued: it goes out
    /// after `bytes[..at]` and before the rest.
    shared: Vec<(usize, Bytes)>,
    shared_len: usize,
}

impl Out {
    pub fn new() -> Out {
        Out::default()
    }

    /// The copied part, to append to.
    pub fn bytes(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }

    /// Queues `body`: referenced when large, copied otherwise.
    pub fn body(&mut self, body: &Bytes) {
        if shares(body.len()) {
            self.shared.push((self.bytes.len(), body.clone()));
            self.shared_len += body.len();
        } else {
            self.bytes.extend_from_slice(body);
        }
    }

    /// Bytes queued in all.
    pub fn len(&self) -> usize {
        self.bytes.len() + self.shared_len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any part is referenced (a vectored write is needed).
    pub fn has_shared(&self) -> bool {
        !self.shared.is_empty()
    }

    /// Forgets everything queued; keeps the buffer's capacity unless it grew past `keep`.
    pub fn clear(&mut self, keep: usize) {
        self.bytes.clear();
        if self.bytes.capacity() > keep {
            self.bytes = Vec::new();
        }
        self.shared.clear();
        self.shared_len = 0;
    }

    /// The queued parts in order, after skipping the first `skip` bytes, at most `max` of them.
    pub fn segments(&self, skip: usize, max: usize, mut each: impl FnMut(&[u8])) {
        let mut skip = skip;
        let mut from = 0;
        let mut n = 0;
        let mut emit = |s: &[u8], skip: &mut usize| {
            if s.len() <= *skip {
                *skip -= s.len();
                return;
            }
            if n < max {
                each(&s[*skip..]);
                n += 1;
            }
            *skip = 0;
        };
        for (at, body) in &self.shared {
            emit(&self.bytes[from..*at], &mut skip);
            emit(body, &mut skip);
            from = *at;
        }
        emit(&self.bytes[from..], &mut skip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(o: &Out, skip: usize) -> Vec<u8> {
        let mut v = Vec::new();
        o.segments(skip, usize::MAX, |s| v.extend_from_slice(s));
        v
    }

    #[test]
    fn order_kept_and_large_bodies_shared() {
        let big = Bytes::from(vec![b'B'; SHARE_MIN]);
        let mut o = Out::new();
        o.bytes().extend_from_slice(b"h1|");
        o.body(&big);
        o.bytes().extend_from_slice(b"h2|");
        o.body(&Bytes::from_static(b"small"));
        o.bytes().extend_from_slice(b"h3|");
        o.body(&big);
        assert!(o.has_shared());
        assert_eq!(o.len(), 6 + 3 + 5 + 2 * SHARE_MIN);
        let mut want = b"h1|".to_vec();
        want.extend_from_slice(&big);
        want.extend_from_slice(b"h2|smallh3|");
        want.extend_from_slice(&big);
        assert_eq!(collect(&o, 0), want);
        for skip in [1, 3, 4, SHARE_MIN + 3, SHARE_MIN + 13, want.len() - 1, want.len()] {
            assert_eq!(collect(&o, skip), want[skip..], "skip {skip}");
        }
        // The copied part holds only the small pieces.
        assert_eq!(o.bytes().len(), 3 + 3 + 5 + 3);
        o.clear(1024);
        assert!(o.is_empty() && !o.has_shared());
    }

    #[test]
    fn empty_segments_are_skipped() {
        let big = Bytes::from(vec![1u8; SHARE_MIN]);
        let mut o = Out::new();
        o.body(&big);
        o.body(&big);
        let mut n = 0;
        o.segments(0, usize::MAX, |s| {
            assert!(!s.is_empty());
            n += 1;
        });
        assert_eq!(n, 2);
    }
}
