//! API keys (`--api-keys FILE`): who a keyed client is, which route classes it may use, its
//! switch tags and its quota. The file holds each key's SHA-256, never the key; a request's
//! key is hashed and looked up (`KeyTable::find`). The quota is a token bucket per key in
//! quota units (`Costs`: a cache hit costs least, a render more, a decode most, a batch per
//! item), shared by the cores through leases (`bucket`). Pure: the caller reads the file.

pub mod bucket;
pub mod file;

use crate::switch::RouteClass;
use bucket::Bucket;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// Longest key a request may present; a longer one is refused unhashed.
pub const MAX_KEY_BYTES: usize = 256;

/// What each request class costs in quota units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Costs {
    /// A generate answered from the caches (L1, the template pool), or a kept refusal.
    pub hit: u32,
    /// A generate that was not in the caches (an L2 read or a render).
    pub render: u32,
    pub parse: u32,
    pub decode: u32,
    /// A label (its elements rendered).
    pub label: u32,
    /// A batch, per item.
    pub batch_item: u32,
}

impl Default for Costs {
    fn default() -> Costs {
        Costs { hit: 1, render: 10, parse: 1, decode: 50, label: 20, batch_item: 10 }
    }
}

/// What one request is charged for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charge {
    Hit,
    Render,
    Parse,
    Decode,
    Label,
    Batch { items: usize },
}

impl Costs {
    pub fn of(&self, c: Charge) -> u64 {
        match c {
            Charge::Hit => self.hit as u64,
            Charge::Render => self.render as u64,
            Charge::Parse => self.parse as u64,
            Charge::Decode => self.decode as u64,
            Charge::Label => self.label as u64,
            Charge::Batch { items } => self.batch_item as u64 * items.max(1) as u64,
        }
    }
}

/// One key: its id (what logs, metrics and switches see), what it may do, and its bucket.
#[derive(Debug)]
pub struct Key {
    pub id: String,
    pub routes: Vec<RouteClass>,
    pub tags: Vec<String>,
    pub bucket: Arc<Bucket>,
}

impl Key {
    pub fn may(&self, route: RouteClass) -> bool {
        self.routes.contains(&route)
    }
}

/// Every key of the file, by the SHA-256 of the key.
#[derive(Debug, Default)]
pub struct KeyTable {
    pub keys: Vec<Arc<Key>>,
    by_hash: HashMap<[u8; 32], usize>,
    pub costs: Costs,
}

/// The SHA-256 of a key as a request presents it.
pub fn digest(key: &[u8]) -> [u8; 32] {
    Sha256::digest(key).into()
}

impl KeyTable {
    /// The table of `entries` (checked by `file::parse`: unique ids and hashes), keeping the
    /// buckets of `previous` whose id, rate and burst are unchanged (a reload keeps what
    /// their clients spent).
    pub fn new(entries: Vec<file::Entry>, costs: Costs, previous: Option<&KeyTable>) -> KeyTable {
        let mut keys = Vec::with_capacity(entries.len());
        let mut by_hash = HashMap::with_capacity(entries.len());
        // The previous keys by id: a reload of 100,000 keys is one pass, not one per key.
        let before: HashMap<&str, &Arc<Key>> =
            previous.map(|p| p.keys.iter().map(|k| (k.id.as_str(), k)).collect()).unwrap_or_default();
        for (i, e) in entries.into_iter().enumerate() {
            let kept = before
                .get(e.id.as_str())
                .filter(|k| k.bucket.rate == e.rate as f64 && k.bucket.burst == e.burst as f64)
                .map(|k| k.bucket.clone());
            let bucket = kept.unwrap_or_else(|| Arc::new(Bucket::new(e.rate, e.burst)));
            by_hash.insert(e.sha256, i);
            keys.push(Arc::new(Key { id: e.id, routes: e.routes, tags: e.tags, bucket }));
        }
        KeyTable { keys, by_hash, costs }
    }

    /// The key whose hash is `digest(key)`; `None` for an unknown or over-long key.
    pub fn find(&self, key: &[u8]) -> Option<&Arc<Key>> {
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return None;
        }
        self.by_hash.get(&digest(key)).map(|&i| &self.keys[i])
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Lower-case hex of a digest.
pub fn hex(d: &[u8; 32]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> KeyTable {
        let f = file::parse(text).unwrap();
        KeyTable::new(f.entries, f.costs, None)
    }

    #[test]
    fn a_key_is_found_by_its_hash_only() {
        let text =
            format!("[[key]]\nid = \"acme\"\nhash = \"sha256:{}\"\nrate = 10\nburst = 20\n", hex(&digest(b"s3cret")));
        let t = table(&text);
        assert_eq!(t.find(b"s3cret").map(|k| k.id.as_str()), Some("acme"));
        assert!(t.find(b"s3cret ").is_none());
        assert!(t.find(b"").is_none());
        assert!(t.find(&[b'a'; MAX_KEY_BYTES + 1]).is_none());
        assert!(t.find(b"S3CRET").is_none());
    }

    #[test]
    fn a_reload_keeps_the_bucket_of_an_unchanged_key() {
        let line = |id: &str, k: &[u8], rate: u32| {
            format!("[[key]]\nid = \"{id}\"\nhash = \"sha256:{}\"\nrate = {rate}\nburst = 20\n", hex(&digest(k)))
        };
        let a = table(&(line("a", b"ka", 10) + &line("b", b"kb", 10)));
        let f = file::parse(&(line("a", b"ka", 10) + &line("b", b"kb", 99))).unwrap();
        let b = KeyTable::new(f.entries, f.costs, Some(&a));
        assert!(Arc::ptr_eq(&a.keys[0].bucket, &b.keys[0].bucket), "same id, rate and burst: same bucket");
        assert!(!Arc::ptr_eq(&a.keys[1].bucket, &b.keys[1].bucket), "a new rate is a new bucket");
    }

    #[test]
    fn costs_grow_with_the_work() {
        let c = Costs::default();
        assert!(c.of(Charge::Hit) < c.of(Charge::Render) && c.of(Charge::Render) < c.of(Charge::Decode));
        assert_eq!(c.of(Charge::Batch { items: 7 }), 7 * c.of(Charge::Render));
        assert_eq!(c.of(Charge::Batch { items: 0 }), c.of(Charge::Batch { items: 1 }));
    }
}
