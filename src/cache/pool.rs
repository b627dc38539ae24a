//! The template pool: an immutable snapshot of pre-rendered assets, read lock-free by every
//! core through `arc-swap` and replaced whole by a reload that runs off the serving path.
//! It holds the hot set (ready responses for the warm list's URL paths, under both the raw
//! target and the canonical key, so they never depend on L1 eviction): the responses the
//! degraded path can still serve when a renderer's breaker is open. Building it is a pure
//! function of the warm list's text. The render templates (glyph atlases, fixed deflate
//! tables) depend on no configuration and live beside it in `render/` (ARCHITECTURE.md,
//! "Templates").

use crate::api::error::ApiError;
use crate::api::generate;
use crate::api::route::{self, Endpoint};
use crate::config::Limits;
use crate::http::encode::Ready;
use crate::http::parse::Method;
use std::collections::HashMap;
use std::sync::Arc;

/// Errors reported per reload, at most this many.
const MAX_ERRORS: usize = 20;

/// One snapshot.
#[derive(Default)]
pub struct Pool {
    pub generation: u64,
    hot: HashMap<Box<[u8]>, Arc<Ready>>,
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

    /// Renders every URL path of `warm` (one per line, `#` comments, blank lines skipped),
    /// stopping at `max_bytes` of responses.
    pub fn build(generation: u64, warm: &str, limits: &Limits, max_bytes: u64) -> Pool {
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
            if p.bytes >= max_bytes {
                fail(format!("pool is full ({max_bytes} bytes)"));
                continue;
            }
            match render_line(line.as_bytes(), limits) {
                Ok((key, ready)) => {
                    p.bytes += ready.weight() as u64;
                    p.entries += 1;
                    p.hot.insert(line.as_bytes().into(), ready.clone());
                    p.hot.insert(key.into_bytes().into_boxed_slice(), ready);
                }
                Err(e) => fail(format!("{}: {}", line.chars().take(80).collect::<String>(), e.message())),
            }
        }
        p
    }

    /// The pre-rendered response for a raw target or canonical key.
    pub fn get(&self, key: &[u8]) -> Option<&Arc<Ready>> {
        self.hot.get(key)
    }
}

/// Renders one warm-list line as a GET of that target would.
fn render_line(target: &[u8], limits: &Limits) -> Result<(String, Arc<Ready>), ApiError> {
    if target.len() > limits.max_uri {
        return Err(ApiError::UriTooLong { max: limits.max_uri });
    }
    match route::route(Method::Get, target)? {
        Endpoint::Generate { sym, fmt, path_data, query } => {
            let p = generate::prepare(sym, fmt, generate::DataSource::of(path_data, &[]), query)?;
            let ready = generate::render(&p, limits.max_pixels)?;
            Ok((p.key, Arc::new(ready)))
        }
        _ => Err(ApiError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_list_loads_good_lines_and_names_bad_ones() {
        let warm = "# today\n/v1/ean13/590123412345.png\n\n/v1/qr.svg?data=hello\n/v1/ean13/123.png\n/nope\n";
        let p = Pool::build(3, warm, &Limits::default(), 1 << 20);
        assert_eq!((p.generation, p.entries), (3, 2));
        assert!(p.get(b"/v1/ean13/590123412345.png").is_some());
        assert!(p.get(b"/v1/qr.svg?data=hello").is_some());
        assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
        assert!(p.errors[0].starts_with("line 5: /v1/ean13/123.png"), "{:?}", p.errors);
        // The canonical key of the first line is there too.
        assert_eq!(p.hot.len(), 4);
    }

    #[test]
    fn the_byte_cap_holds() {
        let warm: String = (0..50).map(|i| format!("/v1/code128/item{i}.png\n")).collect();
        let p = Pool::build(1, &warm, &Limits::default(), 1000);
        assert!(p.entries < 50 && p.entries >= 1);
        assert!(p.errors.iter().any(|e| e.contains("pool is full")));
    }
}
