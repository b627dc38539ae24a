//! The negative cache: a core's recent refusals of invalid generate requests (a bad check
//! digit, an unknown symbology, an option out of range), by raw target, so a flood of the
//! same invalid request costs a lookup after its first refusal instead of a route and a
//! validation each time (cache penetration). Per core (no lock), bounded in entries and
//! bytes, each entry short-lived (`TTL`), and kept apart from the L1 so a flood of distinct
//! junk can never evict a good response. Only answers that depend on the target alone are
//! kept (the caller decides: 400, 404 and 422 of a GET without a body).

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long a refusal is replayed.
pub const TTL: Duration = Duration::from_secs(10);
/// Entries per core.
pub const MAX_ENTRIES: usize = 4096;
/// Longest target kept.
pub const MAX_TARGET: usize = 1024;

/// A refusal as it was answered.
pub struct Refusal {
    pub status: crate::http::encode::Status,
    pub code: &'static str,
    pub body: Box<str>,
}

/// One core's negative cache.
#[derive(Default)]
pub struct Negative {
    map: HashMap<Box<[u8]>, (Rc<Refusal>, Instant)>,
    /// Insertion order, for eviction (oldest first).
    order: VecDeque<Box<[u8]>>,
}

impl Negative {
    /// The refusal kept for `target`, unless it expired.
    pub fn get(&self, target: &[u8], now: Instant) -> Option<Rc<Refusal>> {
        let (r, expires) = self.map.get(target)?;
        (now < *expires).then(|| r.clone())
    }

    /// Keeps `refusal` for `target` until `now + TTL`, evicting the oldest entry when full.
    pub fn insert(&mut self, target: &[u8], refusal: Refusal, now: Instant) {
        if target.len() > MAX_TARGET {
            return;
        }
        if let Some(e) = self.map.get_mut(target) {
            *e = (Rc::new(refusal), now + TTL);
            return;
        }
        while self.map.len() >= MAX_ENTRIES {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
        let key: Box<[u8]> = target.into();
        self.order.push_back(key.clone());
        self.map.insert(key, (Rc::new(refusal), now + TTL));
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal() -> Refusal {
        Refusal { status: crate::http::encode::Status::UnprocessableContent, code: "check_digit", body: "{}".into() }
    }

    #[test]
    fn a_refusal_is_replayed_until_it_expires() {
        let mut n = Negative::default();
        let t = Instant::now();
        n.insert(b"/v1/ean13/5901234123458.png", refusal(), t);
        let got = n.get(b"/v1/ean13/5901234123458.png", t + TTL / 2).unwrap();
        assert_eq!((got.status.code(), got.code), (422, "check_digit"));
        assert!(n.get(b"/v1/ean13/5901234123458.png", t + TTL).is_none());
        assert!(n.get(b"/v1/ean13/other.png", t).is_none());
    }

    #[test]
    fn a_flood_of_distinct_junk_stays_bounded() {
        let mut n = Negative::default();
        let t = Instant::now();
        for i in 0..3 * MAX_ENTRIES {
            n.insert(format!("/v1/x/{i}").as_bytes(), refusal(), t);
        }
        assert_eq!(n.len(), MAX_ENTRIES);
        assert_eq!(n.order.len(), MAX_ENTRIES);
        // The newest stay, the oldest went.
        assert!(n.get(format!("/v1/x/{}", 3 * MAX_ENTRIES - 1).as_bytes(), t).is_some());
        assert!(n.get(b"/v1/x/0", t).is_none());
        n.insert(&vec![b'a'; MAX_TARGET + 1], refusal(), t);
        assert_eq!(n.len(), MAX_ENTRIES);
    }
}
