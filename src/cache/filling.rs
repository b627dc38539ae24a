//! The raw targets being filled right now, on any core: a request refused a render slot
//! (the adaptive concurrency limit) whose very target is already being rendered waits for
//! that render instead of being refused — a burst of misses of one key (a new hot SKU, a
//! key just evicted: cache breakdown) costs one render and no 503s. Sharded sets of
//! targets with a count each; touched twice per cold fill and once per refused request.

use std::collections::HashMap;
use std::sync::Mutex;

const SHARDS: usize = 16;

pub struct Filling {
    shards: [Mutex<HashMap<Box<[u8]>, u32>>; SHARDS],
}

impl Default for Filling {
    fn default() -> Self {
        Filling { shards: std::array::from_fn(|_| Mutex::new(HashMap::new())) }
    }
}

/// A fill in progress; the target leaves the set when the last mark of it is dropped.
pub struct Mark<'a> {
    filling: &'a Filling,
    target: Box<[u8]>,
}

impl Filling {
    fn shard(&self, target: &[u8]) -> &Mutex<HashMap<Box<[u8]>, u32>> {
        &self.shards[xxhash_rust::xxh3::xxh3_64(target) as usize % SHARDS]
    }

    /// Whether `target` is being filled now.
    pub fn contains(&self, target: &[u8]) -> bool {
        self.shard(target).lock().is_ok_and(|m| m.contains_key(target))
    }

    /// Marks `target` as being filled until the mark is dropped.
    pub fn begin(&self, target: &[u8]) -> Mark<'_> {
        if let Ok(mut m) = self.shard(target).lock() {
            *m.entry(target.into()).or_insert(0) += 1;
        }
        Mark { filling: self, target: target.into() }
    }
}

impl Drop for Mark<'_> {
    fn drop(&mut self) {
        if let Ok(mut m) = self.filling.shard(&self.target).lock() {
            if let Some(n) = m.get_mut(&self.target[..]) {
                *n -= 1;
                if *n == 0 {
                    m.remove(&self.target[..]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_filling_while_a_mark_lives() {
        let f = Filling::default();
        assert!(!f.contains(b"/v1/qr/a.png"));
        let a = f.begin(b"/v1/qr/a.png");
        let b = f.begin(b"/v1/qr/a.png");
        assert!(f.contains(b"/v1/qr/a.png") && !f.contains(b"/v1/qr/b.png"));
        drop(a);
        assert!(f.contains(b"/v1/qr/a.png"), "one fill still runs");
        drop(b);
        assert!(!f.contains(b"/v1/qr/a.png"));
        assert!(f.shards.iter().all(|s| s.lock().unwrap().is_empty()));
    }
}
