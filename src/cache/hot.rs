//! Hot keys from live traffic. Each core counts a sample of the generate targets it answers
//! in a Space-Saving sketch (Metwally, Agrawal, El Abbadi 2005: `k` counters; a key not
//! counted takes the place of the smallest counter, inheriting its count as its error) and
//! hands its counts over once a second; `Hot` folds them into one decayed ranking (a
//! half-life, so yesterday's hot keys fade) that `/admin/hot` lists, the template pool
//! pre-renders and the hot file keeps across restarts (`HotFile`). Pure data structures: no
//! IO beyond the hot file's text, which the caller reads and writes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// One in this many answered generate requests is counted (the core's random draw).
pub const SAMPLE_EVERY: u32 = 8;
/// Counters per core's sketch: keys whose share of a core's sampled second exceeds
/// 1 / `SKETCH_COUNTERS` are always among them.
pub const SKETCH_COUNTERS: usize = 8192;
/// A key's weight halves over this many seconds without requests.
pub const HALF_LIFE_S: f64 = 60.0;
/// Longest target kept (longer ones are never hot keys).
pub const MAX_TARGET: usize = 2048;

/// A Space-Saving sketch over byte strings: a min-heap of counters by count, and an index
/// from key to heap position. `add` is O(log k); memory is bounded by `k` keys.
pub struct SpaceSaving {
    cap: usize,
    heap: Vec<Counter>,
    index: HashMap<Box<[u8]>, usize>,
}

struct Counter {
    key: Box<[u8]>,
    count: u64,
    /// The count inherited from the key it replaced (an upper bound of the over-count).
    err: u64,
}

impl SpaceSaving {
    pub fn new(cap: usize) -> SpaceSaving {
        SpaceSaving { cap: cap.max(1), heap: Vec::new(), index: HashMap::new() }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Counts one occurrence of `key`.
    pub fn add(&mut self, key: &[u8]) {
        if key.len() > MAX_TARGET {
            return;
        }
        if let Some(&i) = self.index.get(key) {
            self.heap[i].count += 1;
            self.sift_down(i);
            return;
        }
        let key: Box<[u8]> = key.into();
        if self.heap.len() < self.cap {
            let i = self.heap.len();
            self.heap.push(Counter { key: key.clone(), count: 1, err: 0 });
            self.index.insert(key, i);
            self.sift_up(i);
            return;
        }
        // The smallest counter is the root: the new key takes it over.
        let min = self.heap[0].count;
        let old = std::mem::replace(&mut self.heap[0], Counter { key: key.clone(), count: min + 1, err: min });
        self.index.remove(&old.key);
        self.index.insert(key, 0);
        self.sift_down(0);
    }

    /// Every counter as (key, count less its error: occurrences surely seen), emptying the
    /// sketch for the next interval.
    pub fn drain(&mut self) -> Vec<(Box<[u8]>, u64)> {
        self.index.clear();
        self.heap.drain(..).filter(|c| c.count > c.err).map(|c| (c.key, c.count - c.err)).collect()
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        for i in [a, b] {
            if let Some(slot) = self.index.get_mut(&self.heap[i].key) {
                *slot = i;
            }
        }
    }

    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.heap[parent].count <= self.heap[i].count {
                break;
            }
            self.swap(parent, i);
            i = parent;
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut least = i;
            if l < self.heap.len() && self.heap[l].count < self.heap[least].count {
                least = l;
            }
            if r < self.heap.len() && self.heap[r].count < self.heap[least].count {
                least = r;
            }
            if least == i {
                return;
            }
            self.swap(i, least);
            i = least;
        }
    }
}

/// The instance's ranking of hot keys: every core's counts, decayed, bounded.
pub struct Hot {
    /// How many keys the instance keeps hot (`--hot-keys`).
    pub keys: usize,
    board: Mutex<Board>,
}

struct Board {
    weights: HashMap<Box<[u8]>, f64>,
    decayed_at: Instant,
}

/// One hot key: its target and its weight (sampled requests, decayed, scaled back to requests).
#[derive(Clone, Debug, PartialEq)]
pub struct HotKey {
    pub target: String,
    pub weight: u64,
}

impl Hot {
    pub fn new(keys: usize) -> Hot {
        Hot { keys, board: Mutex::new(Board { weights: HashMap::new(), decayed_at: Instant::now() }) }
    }

    /// Folds one core's counts in (once a second per core). Weights decay by the time since
    /// the last fold; the board keeps at most 4 × `keys` keys (the heaviest 2 × `keys`
    /// once it is over).
    pub fn merge(&self, counts: Vec<(Box<[u8]>, u64)>, now: Instant) {
        if self.keys == 0 {
            return;
        }
        let Ok(mut b) = self.board.lock() else { return };
        let dt = now.saturating_duration_since(b.decayed_at).as_secs_f64();
        if dt >= 1.0 {
            let f = 0.5f64.powf(dt / HALF_LIFE_S);
            b.weights.retain(|_, w| {
                *w *= f;
                *w >= 0.5
            });
            b.decayed_at = now;
        }
        for (k, n) in counts {
            *b.weights.entry(k).or_insert(0.0) += n as f64;
        }
        if b.weights.len() > 4 * self.keys {
            let keep = 2 * self.keys;
            let mut all: Vec<(Box<[u8]>, f64)> = b.weights.drain().collect();
            all.select_nth_unstable_by(keep, |a, b| b.1.total_cmp(&a.1));
            all.truncate(keep);
            b.weights = all.into_iter().collect();
        }
    }

    /// Adds a list read back (the hot file) with its weights, as if counted now.
    pub fn seed(&self, keys: &[HotKey]) {
        let Ok(mut b) = self.board.lock() else { return };
        for k in keys.iter().take(self.keys) {
            let w = b.weights.entry(k.target.as_bytes().into()).or_insert(0.0);
            *w = w.max(k.weight as f64 / f64::from(SAMPLE_EVERY));
        }
    }

    /// The heaviest `n` keys (at most `keys`), heaviest first.
    pub fn top(&self, n: usize) -> Vec<HotKey> {
        let Ok(b) = self.board.lock() else { return Vec::new() };
        let mut all: Vec<(&[u8], f64)> = b.weights.iter().map(|(k, w)| (&k[..], *w)).collect();
        let n = n.min(self.keys).min(all.len());
        if n == 0 {
            return Vec::new();
        }
        if n < all.len() {
            all.select_nth_unstable_by(n - 1, |a, b| b.1.total_cmp(&a.1));
            all.truncate(n);
        }
        all.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        all.into_iter()
            .filter_map(|(k, w)| {
                let target = std::str::from_utf8(k).ok()?.to_string();
                Some(HotKey { target, weight: (w * f64::from(SAMPLE_EVERY)).round() as u64 })
            })
            .collect()
    }
}

/// The hot file: the hot list as text, one `weight target` line per key under a header that
/// names the renderer and ends with a checksum line, so a truncated or edited file is
/// refused whole rather than half trusted.
pub struct HotFile;

/// Why a hot file was not used.
#[derive(Debug, PartialEq)]
pub enum HotFileError {
    NoHeader,
    BadLine(usize),
    /// The checksum line is missing or does not match: a partial or edited file.
    Checksum,
    TooLarge(usize),
}

impl std::fmt::Display for HotFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HotFileError::NoHeader => write!(f, "not a barcoded hot list (no header line)"),
            HotFileError::BadLine(n) => write!(f, "line {n} is not `weight /target`"),
            HotFileError::Checksum => write!(f, "its checksum does not match (truncated or edited)"),
            HotFileError::TooLarge(n) => write!(f, "{n} bytes, more than {}", HotFile::MAX_BYTES),
        }
    }
}

/// A hot file read back: its keys, and the renderer version that wrote it.
#[derive(Debug, PartialEq)]
pub struct ReadBack {
    pub renderer: u32,
    pub keys: Vec<HotKey>,
}

const HEADER: &str = "# barcoded hot list v1 renderer ";
const END: &str = "# end crc32 ";

impl HotFile {
    /// Largest hot file read.
    pub const MAX_BYTES: usize = 64 * 1024 * 1024;

    pub fn write(renderer: u32, keys: &[HotKey]) -> String {
        let mut body = String::new();
        for k in keys {
            body.push_str(&format!("{} {}\n", k.weight, k.target));
        }
        format!("{HEADER}{renderer}\n{body}{END}{:08x}\n", crc32fast::hash(body.as_bytes()))
    }

    /// Reads a hot file's text back; at most `max` keys are kept (the heaviest come first).
    pub fn read(text: &str, max: usize) -> Result<ReadBack, HotFileError> {
        if text.len() > Self::MAX_BYTES {
            return Err(HotFileError::TooLarge(text.len()));
        }
        let (first, rest) = text.split_once('\n').ok_or(HotFileError::NoHeader)?;
        let renderer = first.strip_prefix(HEADER).and_then(|v| v.parse().ok()).ok_or(HotFileError::NoHeader)?;
        let end = rest.rfind(END).ok_or(HotFileError::Checksum)?;
        let (body, trailer) = rest.split_at(end);
        let sum = trailer[END.len()..].trim_end_matches('\n');
        if u32::from_str_radix(sum, 16).ok() != Some(crc32fast::hash(body.as_bytes())) || sum.len() != 8 {
            return Err(HotFileError::Checksum);
        }
        let mut keys = Vec::new();
        for (i, line) in body.lines().enumerate() {
            let bad = || HotFileError::BadLine(i + 2);
            let (w, t) = line.split_once(' ').ok_or_else(bad)?;
            let weight = w.parse().map_err(|_| bad())?;
            if !t.starts_with('/') || t.len() > MAX_TARGET || t.bytes().any(|b| b <= b' ' || b == 0x7f) {
                return Err(bad());
            }
            if keys.len() < max {
                keys.push(HotKey { target: t.to_string(), weight });
            }
        }
        Ok(ReadBack { renderer, keys })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn counted(s: &mut SpaceSaving) -> HashMap<Vec<u8>, u64> {
        s.drain().into_iter().map(|(k, n)| (k.into_vec(), n)).collect()
    }

    #[test]
    fn counts_are_exact_while_the_sketch_has_room() {
        let mut s = SpaceSaving::new(8);
        for k in ["/a", "/b", "/a", "/c", "/a", "/b"] {
            s.add(k.as_bytes());
        }
        let c = counted(&mut s);
        assert_eq!((c[&b"/a".to_vec()], c[&b"/b".to_vec()], c[&b"/c".to_vec()]), (3, 2, 1));
        assert!(s.is_empty());
    }

    /// Space-Saving's guarantee: a key seen more than N / k times in N additions is kept,
    /// whatever the order; the heavy keys of a Zipf-like stream over many more keys than
    /// counters are all found, with counts that never exceed the truth.
    #[test]
    fn heavy_keys_survive_a_long_tail() {
        let mut s = SpaceSaving::new(64);
        let mut truth: HashMap<Vec<u8>, u64> = HashMap::new();
        let mut x = 12345u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Rank r with probability ∝ 1/r over 5,000 keys (inverse of a log-uniform draw).
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            let r = (5000f64.powf(u)) as u64;
            let k = format!("/k{r}").into_bytes();
            s.add(&k);
            *truth.entry(k).or_default() += 1;
        }
        let found = counted(&mut s);
        for (k, &n) in &truth {
            if n > 200_000 / 64 {
                let got = found.get(k).copied().unwrap_or(0);
                assert!(got > 0, "{} (seen {n}) lost", String::from_utf8_lossy(k));
            }
        }
        for (k, &n) in &found {
            assert!(n <= truth[k], "over-counted");
        }
        assert!(found.len() <= 64);
    }

    #[test]
    fn the_board_decays_bounds_and_ranks() {
        let hot = Hot::new(3);
        let t0 = Instant::now();
        let batch = |ks: &[(&str, u64)]| ks.iter().map(|(k, n)| (k.as_bytes().into(), *n)).collect();
        hot.merge(batch(&[("/a", 10), ("/b", 5), ("/c", 1)]), t0);
        hot.merge(batch(&[("/b", 10)]), t0);
        let top = hot.top(10);
        assert_eq!(top.iter().map(|k| k.target.as_str()).collect::<Vec<_>>(), ["/b", "/a", "/c"]);
        assert_eq!(top[0].weight, 15 * u64::from(SAMPLE_EVERY));
        // Two half-lives later, a fresh key outweighs what was hot then.
        hot.merge(batch(&[("/d", 8)]), t0 + Duration::from_secs_f64(2.0 * HALF_LIFE_S));
        assert_eq!(hot.top(1)[0].target, "/d");
        // Never more than 4 x keys on the board.
        let many: Vec<(Box<[u8]>, u64)> = (0..100).map(|i| (format!("/m{i}").into_bytes().into(), 100)).collect();
        hot.merge(many, t0 + Duration::from_secs_f64(2.0 * HALF_LIFE_S));
        assert!(hot.board.lock().unwrap().weights.len() <= 12);
        assert_eq!(hot.top(100).len(), 3);
    }

    #[test]
    fn a_hot_file_reads_back_and_a_damaged_one_is_refused_whole() {
        let keys = vec![
            HotKey { target: "/v1/ean13/590123412345.png".into(), weight: 80 },
            HotKey { target: "/v1/qr/a.svg?scale=3".into(), weight: 8 },
        ];
        let text = HotFile::write(9, &keys);
        assert_eq!(HotFile::read(&text, 10), Ok(ReadBack { renderer: 9, keys: keys.clone() }));
        assert_eq!(HotFile::read(&text, 1).unwrap().keys, keys[..1]);
        // Cut anywhere before its end, edited, or not ours: refused.
        for cut in [10, text.len() / 2, text.len() - 3] {
            assert!(HotFile::read(&text[..cut], 10).is_err(), "cut at {cut}");
        }
        assert_eq!(HotFile::read(&text.replace("80 ", "81 "), 10), Err(HotFileError::Checksum));
        assert_eq!(HotFile::read("/v1/ean13/1.png\n", 10), Err(HotFileError::NoHeader));
        let bad_line = HotFile::write(9, &[HotKey { target: "no-slash".into(), weight: 1 }]);
        assert_eq!(HotFile::read(&bad_line, 10), Err(HotFileError::BadLine(2)));
    }
}
