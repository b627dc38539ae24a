//! The L1 cache: ready responses shared by all cores, sharded (a power of two, at least
//! 4 x cores) with `quick_cache`'s scan-resistant CLOCK-Pro eviction, bounded in bytes with
//! keys and per-entry overhead counted. A lookup borrows the key: no allocation on a hit.
//! Misses coalesce through `get_or_fill` (quick_cache's placeholders): one fill per key.

use crate::http::encode::Ready;
use quick_cache::sync::{Cache, DefaultLifecycle, PlaceholderGuard};
use quick_cache::{DefaultHashBuilder, OptionsBuilder, Weighter};
use std::sync::Arc;

/// Bytes charged per entry beyond key and response: the Arc, the Ready, the slot.
const ENTRY_OVERHEAD: u64 = 128;

#[derive(Clone, Copy)]
struct ByteWeighter;

impl Weighter<Vec<u8>, Arc<Ready>> for ByteWeighter {
    fn weight(&self, key: &Vec<u8>, val: &Arc<Ready>) -> u64 {
        key.len() as u64 + val.weight() as u64 + ENTRY_OVERHEAD
    }
}

type Inner = Cache<Vec<u8>, Arc<Ready>, ByteWeighter, DefaultHashBuilder>;
type Guard<'a> =
    PlaceholderGuard<'a, Vec<u8>, Arc<Ready>, ByteWeighter, DefaultHashBuilder, DefaultLifecycle<Vec<u8>, Arc<Ready>>>;

/// The right to fill one key that missed: other lookups of the key (on any core) wait for
/// it, so concurrent misses render once. Dropped unfilled, one waiter gets the right next.
pub struct Fill<'a>(Option<Guard<'a>>);

impl Fill<'_> {
    pub fn insert(self, val: Arc<Ready>) {
        if let Some(g) = self.0 {
            let _ = g.insert(val);
        }
    }
}

/// The shared L1; `None` inside when configured with zero bytes.
pub struct L1 {
    cache: Option<Inner>,
}

impl L1 {
    /// A cache of at most `bytes`, with `shards` rounded up to a power of two.
    pub fn new(bytes: u64, cores: usize) -> L1 {
        if bytes == 0 {
            return L1 { cache: None };
        }
        let shards = (cores * 4).next_power_of_two().max(4);
        let opts = OptionsBuilder::new()
            .shards(shards)
            .estimated_items_capacity((bytes / 2048).clamp(64, 1 << 22) as usize)
            .weight_capacity(bytes)
            .build();
        let cache =
            opts.ok().map(|o| Cache::with_options(o, ByteWeighter, DefaultHashBuilder::default(), Default::default()));
        L1 { cache }
    }

    pub fn get(&self, key: &[u8]) -> Option<Arc<Ready>> {
        self.cache.as_ref()?.get(key)
    }

    /// The value of `key`, waiting for a fill in progress elsewhere; or the right to fill it.
    pub async fn get_or_fill(&self, key: &[u8]) -> Result<Arc<Ready>, Fill<'_>> {
        match &self.cache {
            Some(c) => c.get_value_or_guard_async(key).await.map_err(|g| Fill(Some(g))),
            None => Err(Fill(None)),
        }
    }

    pub fn insert(&self, key: &[u8], val: Arc<Ready>) {
        if let Some(c) = &self.cache {
            c.insert(key.into(), val);
        }
    }

    /// Bytes held now (as weighed).
    pub fn weight(&self) -> u64 {
        self.cache.as_ref().map_or(0, |c| c.weight())
    }

    pub fn len(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| c.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_bound_holds() {
        let l1 = L1::new(64 * 1024, 2);
        let body = vec![0u8; 1000];
        for i in 0..1000 {
            let r = Arc::new(Ready::new("image/png", "\"x\"", &[], &body));
            l1.insert(format!("/k/{i}").as_bytes(), r);
            assert!(l1.weight() <= 64 * 1024);
        }
        assert!(l1.len() > 10);
    }

    #[test]
    fn hit_and_disabled() {
        let l1 = L1::new(1 << 20, 1);
        l1.insert(b"/a", Arc::new(Ready::new("image/png", "\"x\"", &[], b"b")));
        assert!(l1.get(b"/a").is_some());
        assert!(l1.get(b"/b").is_none());
        let off = L1::new(0, 1);
        off.insert(b"/a", Arc::new(Ready::new("image/png", "\"x\"", &[], b"b")));
        assert!(off.get(b"/a").is_none());
    }
}
