//! W3C Trace Context (`traceparent`): the caller's trace continued, or one started, and our
//! span's id, which is also the request's id in the access log. Pure.

/// One request's trace context: the trace it belongs to, our span, and the flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trace {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    /// The caller's parent span, when it sent one.
    pub parent: Option<[u8; 8]>,
    pub flags: u8,
}

/// A small per-core random source (xorshift64*): ids, and the sampling draw.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// A generator for core `core`, seeded from the clock (each core its own sequence).
    pub fn for_core(core: usize) -> Rng {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
        Rng::new(t ^ (core as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn draw(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A draw in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.draw() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A non-zero id (all-zero ids are invalid in Trace Context).
    fn id(&mut self) -> u64 {
        loop {
            let v = self.draw();
            if v != 0 {
                return v;
            }
        }
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

fn hex<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = hex_val(pair[0])? << 4 | hex_val(pair[1])?;
    }
    Some(out)
}

/// The caller's `traceparent` (version 00, or a later version read as 00 would be), when it
/// is valid: lower-case hex, non-zero ids.
pub fn parse(v: &[u8]) -> Option<([u8; 16], [u8; 8], u8)> {
    let v = v.trim_ascii();
    if v.len() < 55 || (v.len() > 55 && v.get(55) != Some(&b'-')) {
        return None;
    }
    let version = hex::<1>(&v[0..2])?[0];
    if version == 0xff || (version == 0 && v.len() != 55) || v[2] != b'-' || v[35] != b'-' || v[52] != b'-' {
        return None;
    }
    let trace: [u8; 16] = hex(&v[3..35])?;
    let parent: [u8; 8] = hex(&v[36..52])?;
    let flags = hex::<1>(&v[53..55])?[0];
    if trace == [0; 16] || parent == [0; 8] {
        return None;
    }
    Some((trace, parent, flags))
}

impl Trace {
    /// Continues the caller's trace (`traceparent`), or starts one (sampled flag set).
    pub fn new(caller: Option<&[u8]>, rng: &mut Rng) -> Trace {
        let span_id = rng.id().to_be_bytes();
        match caller.and_then(parse) {
            Some((trace_id, parent, flags)) => Trace { trace_id, span_id, parent: Some(parent), flags },
            None => {
                let mut trace_id = [0u8; 16];
                trace_id[..8].copy_from_slice(&rng.id().to_be_bytes());
                trace_id[8..].copy_from_slice(&rng.draw().to_be_bytes());
                Trace { trace_id, span_id, parent: None, flags: 1 }
            }
        }
    }

    /// `traceparent: 00-…-…-..\r\n`, the header our answer carries.
    pub fn header_line(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"traceparent: 00-");
        push_hex(out, &self.trace_id);
        out.push(b'-');
        push_hex(out, &self.span_id);
        out.push(b'-');
        push_hex(out, &[self.flags]);
        out.extend_from_slice(b"\r\n");
    }
}

/// Bytes of a `traceparent` header line (`traceparent: 00-32-16-2\r\n`).
const TRACE_LINE: usize = 13 + 55 + 2;

impl Trace {
    /// Writes the header line into `out` (exactly `TRACE_LINE` bytes), without allocating.
    fn write_line(&self, out: &mut [u8]) -> usize {
        const D: &[u8; 16] = b"0123456789abcdef";
        let mut i = 0;
        let mut put = |bytes: &[u8]| {
            out[i..i + bytes.len()].copy_from_slice(bytes);
            i += bytes.len();
        };
        put(b"traceparent: 00-");
        for b in &self.trace_id {
            put(&[D[(b >> 4) as usize], D[(b & 15) as usize]]);
        }
        put(b"-");
        for b in &self.span_id {
            put(&[D[(b >> 4) as usize], D[(b & 15) as usize]]);
        }
        put(b"-");
        put(&[D[(self.flags >> 4) as usize], D[(self.flags & 15) as usize]]);
        put(b"\r\n");
        i
    }
}

/// Lower-case hex of `bytes`.
pub fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const D: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(D[(b >> 4) as usize]);
        out.push(D[(b & 15) as usize]);
    }
}

/// The lines a response head carries after its status line: the `Date` line and, when the
/// request is traced, its `traceparent`, and what `push` adds (an API key's `RateLimit`
/// lines) — on the stack, for the hit path.
pub struct HeadLines {
    buf: [u8; 384],
    len: usize,
}

impl HeadLines {
    /// `date` followed by `trace`'s header (left out if `date` is unexpectedly long).
    pub fn new(date: &[u8], trace: Option<&Trace>) -> HeadLines {
        let mut h = HeadLines { buf: [0; 384], len: 0 };
        let n = date.len().min(h.buf.len());
        h.buf[..n].copy_from_slice(&date[..n]);
        h.len = n;
        if let Some(t) = trace.filter(|_| n + TRACE_LINE <= h.buf.len()) {
            h.len += t.write_line(&mut h.buf[n..n + TRACE_LINE]);
        }
        h
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Appends whole header lines (CRLF-terminated); false, and nothing appended, when
    /// they do not fit.
    pub fn push(&mut self, lines: &[u8]) -> bool {
        let Some(room) = self.buf.get_mut(self.len..self.len + lines.len()) else { return false };
        room.copy_from_slice(lines);
        self.len += lines.len();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W3C: &[u8] = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn continues_a_valid_caller() {
        let mut r = Rng::new(7);
        let t = Trace::new(Some(W3C), &mut r);
        let mut line = Vec::new();
        t.header_line(&mut line);
        let s = String::from_utf8(line).unwrap();
        assert!(s.starts_with("traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-"), "{s}");
        assert!(s.ends_with("-01\r\n"));
        assert!(!s.contains("00f067aa0ba902b7"), "our own span, not the caller's");
        assert_eq!(t.parent, Some([0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]));
    }

    #[test]
    fn starts_one_for_invalid_callers() {
        let bad: [&[u8]; 7] = [
            b"00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            b"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            b"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            b"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            b"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            b"",
        ];
        let mut r = Rng::new(9);
        for b in bad {
            assert_eq!(parse(b), None, "{}", String::from_utf8_lossy(b));
            let t = Trace::new(Some(b), &mut r);
            assert_eq!((t.parent, t.flags), (None, 1));
            assert_ne!(t.trace_id, [0; 16]);
        }
        // A later version may carry more fields after the flags.
        assert!(parse(b"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future").is_some());
    }

    #[test]
    fn head_lines_carry_date_and_trace() {
        let mut r = Rng::new(11);
        let t = Trace::new(Some(W3C), &mut r);
        let date = b"Date: Sun, 06 Dec 2026 12:00:00 GMT\r\n";
        let h = HeadLines::new(date, Some(&t));
        let mut want = date.to_vec();
        t.header_line(&mut want);
        assert_eq!(h.as_slice(), &want[..]);
        assert_eq!(want.len() - date.len(), TRACE_LINE);
        assert_eq!(HeadLines::new(date, None).as_slice(), date);
    }

    #[test]
    fn draws_are_spread() {
        let mut r = Rng::new(1);
        let n = 10_000;
        let below = (0..n).filter(|_| r.unit() < 0.1).count();
        assert!((800..1200).contains(&below), "{below}");
    }
}
