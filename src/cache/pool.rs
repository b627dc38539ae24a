//! The template pool: an immutable snapshot of pre-rendered assets, read lock-free by every
//! core through `arc-swap` and replaced whole by a reload that runs off the serving path.
//! It holds the hot set (ready responses for the warm list's URL paths, under both the raw
//! target and the canonical key, so they never depend on L1 eviction): the responses the
//! degraded path can still serve when a renderer's breaker is open. Building it is a pure
//! function of the warm list's text and the line renderer the caller passes (`api::warm`:
//! the cache stores bytes and knows nothing of routes or symbologies). The render templates (glyph atlases, fixed deflate
//! tables) depend on no configuration and live beside it in `render/` (ARCHITECTURE.md,
//! "Templates").

use crate::http::encode::Ready;
use std::collections::HashMap;
use std::sync::Arc;

/// Errors reported per reload, at most this many.
const MAX_ERRORS: usize = 20;

/// One snapshot.
#[derive(Default)]
pub struct Pool {
    pub generation: u64,
    hot: HashMap<Box<[u8]>, Arc<Ready>>,
    /// Each line's canonical key, so a rebuild can reuse a response already made.
    keys: HashMap<Box<[u8]>, String>,
    /// Distinct responses in the hot set.
    pub entries: usize,
    pub bytes: u64,
    /// Lines that did not load: `line N: error`.
    pub errors: Vec<String>,
    /// Lines that failed beyond the first `MAX_ERRORS`.
    pub more_errors: usize,
}

impl Pool {
    /// An empty pool (no warm list).
    pub fn empty() -> Pool {
        Pool::default()
    }

    /// Renders every URL path of `warm` (one per line, `#` comments, blank lines skipped)
    /// with `render_line` (the canonical key and the response, or why not), stopping at
    /// `max_bytes` of responses.
    pub fn build(
        generation: u64,
        warm: &str,
        max_bytes: u64,
        mut render_line: impl FnMut(&str) -> Result<(String, Arc<Ready>), String>,
    ) -> Pool {
        let mut p = Pool { generation, ..Pool::default() };
        for (n, line) in warm.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fail = |e: String| {
                if p.errors.len() < MAX_ERRORS {
                    p.errors.push(format!("line {}: {e}", n + 1));
                } else {
                    p.more_errors += 1;
                }
            };
            // A line twice (in the warm list and among the hot keys) is made once.
            if p.keys.contains_key(line.as_bytes()) {
                continue;
            }
            if p.bytes >= max_bytes {
                fail(format!("pool is full ({max_bytes} bytes)"));
                continue;
            }
            match render_line(line) {
                Ok((key, ready)) => {
                    p.bytes += ready.weight() as u64;
                    p.entries += 1;
                    p.hot.insert(line.as_bytes().into(), ready.clone());
                    p.keys.insert(line.as_bytes().into(), key.clone());
                    p.hot.insert(key.into_bytes().into_boxed_slice(), ready);
                }
                Err(e) => fail(format!("{}: {e}", line.chars().take(80).collect::<String>())),
            }
        }
        p
    }

    /// A line's canonical key and response, when this pool made it (for a rebuild's reuse).
    pub fn entry(&self, line: &str) -> Option<(String, Arc<Ready>)> {
        let key = self.keys.get(line.as_bytes())?;
        Some((key.clone(), self.hot.get(line.as_bytes())?.clone()))
    }

    /// The pre-rendered response for a raw target or canonical key.
    pub fn get(&self, key: &[u8]) -> Option<&Arc<Ready>> {
        self.hot.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in renderer: a response of the line's length, keyed by its upper case.
    fn fake(line: &str) -> Result<(String, Arc<Ready>), String> {
        if line.contains("bad") {
            return Err("data: refused".into());
        }
        Ok((line.to_uppercase(), Arc::new(Ready::new("image/png", "\"e\"", &[], line.as_bytes()))))
    }

    #[test]
    fn warm_list_loads_good_lines_and_names_bad_ones() {
        let p = Pool::build(3, "# today\n/a\n\n/b\n/bad\n", 1 << 20, fake);
        assert_eq!((p.generation, p.entries), (3, 2));
        assert!(p.get(b"/a").is_some() && p.get(b"/A").is_some() && p.get(b"/b").is_some());
        assert_eq!(p.errors, vec!["line 5: /bad: data: refused".to_string()]);
        assert_eq!(p.hot.len(), 4, "raw target and canonical key each");
        assert_eq!(p.entry("/a").map(|(k, _)| k), Some("/A".to_string()));
        assert!(p.entry("/bad").is_none());
        // A line twice is made and counted once.
        assert_eq!(Pool::build(1, "/a\n/a\n", 1 << 20, fake).entries, 1);
    }

    #[test]
    fn the_byte_cap_holds() {
        let warm: String = (0..50).map(|i| format!("/item{i}\n")).collect();
        let p = Pool::build(1, &warm, 1000, fake);
        assert!(p.entries < 50 && p.entries >= 1);
        assert!(p.errors.iter().any(|e| e.contains("pool is full")));
    }
}
