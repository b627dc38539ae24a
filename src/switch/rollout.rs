//! Percentage rollout with stickiness, as Unleash's `flexibleRollout` computes it: the
//! stickiness value and the group id hashed with MurmurHash3 (x86, 32-bit, seed 0) into a
//! bucket 1–100; a client is in when its bucket is at most the percentage. The bucket does
//! not depend on the percentage, so raising a switch from 1 % to 100 % only ever adds
//! clients (gray release: nobody flips back and forth), and every core and every instance
//! puts the same client in the same bucket. Pure.

/// Whose value picks the bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stickiness {
    /// The client: its API key id when it has one, else its address.
    Client,
    /// A request header's value (absent: never in a partial rollout, as Unleash's custom
    /// stickiness).
    Header(String),
}

impl Stickiness {
    /// `client` or `header:NAME`.
    pub fn parse(s: &str) -> Option<Stickiness> {
        match s {
            "client" => Some(Stickiness::Client),
            _ => {
                let name = s.strip_prefix("header:")?;
                super::valid_header_name(name).then(|| Stickiness::Header(name.to_string()))
            }
        }
    }

    /// The context field whose value is hashed.
    pub fn field(&self) -> String {
        match self {
            Stickiness::Client => "client".to_string(),
            Stickiness::Header(h) => format!("header:{h}"),
        }
    }
}

/// The bucket (1–100) of `id` in `group`: Unleash's `normalizedHash`.
pub fn bucket(id: &str, group: &str) -> u32 {
    let mut key = Vec::with_capacity(group.len() + 1 + id.len());
    key.extend_from_slice(group.as_bytes());
    key.push(b':');
    key.extend_from_slice(id.as_bytes());
    // Reading from an in-memory cursor cannot fail.
    let h = murmur3::murmur3_32(&mut std::io::Cursor::new(key), 0).unwrap_or(0);
    h % 100 + 1
}

/// Whether a client whose stickiness value is `id` is within `percent` of `group`.
pub fn within(percent: u8, id: Option<&str>, group: &str) -> bool {
    match (percent, id) {
        (0, _) => false,
        (100.., _) => true,
        (p, Some(id)) => bucket(id, group) <= u32::from(p),
        (_, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_unleash() {
        // From Unleash's client specification (10-flexible-rollout-strategy.json): userId
        // 174 is in the 10 % of its group, 499 is not.
        assert!(within(10, Some("174"), "Feature.flexibleRollout.10"));
        assert!(!within(10, Some("499"), "Feature.flexibleRollout.10"));
        for id in ["a", "b", "10.0.0.1"] {
            let b = bucket(id, "g");
            assert!((1..=100).contains(&b));
        }
    }

    #[test]
    fn raising_the_percentage_only_adds_clients() {
        let ids: Vec<String> = (0..2000).map(|i| format!("client-{i}")).collect();
        let mut prev = 0;
        let mut was_in = vec![false; ids.len()];
        for p in [1u8, 5, 10, 25, 50, 99, 100] {
            let mut n = 0;
            for (i, id) in ids.iter().enumerate() {
                let now = within(p, Some(id), "dm-app");
                assert!(now || !was_in[i], "{id} left the rollout when it grew to {p} %");
                was_in[i] = now;
                n += usize::from(now);
            }
            assert!(n >= prev);
            // Within a few points of the percentage.
            let share = n as f64 / ids.len() as f64 * 100.0;
            assert!((share - f64::from(p)).abs() < 4.0, "{p} %: {share:.1} %");
            prev = n;
        }
        assert!(!within(50, None, "g"));
        assert!(within(100, None, "g"));
    }

    #[test]
    fn stickiness_forms() {
        assert_eq!(Stickiness::parse("client"), Some(Stickiness::Client));
        assert_eq!(Stickiness::parse("header:X-User"), Some(Stickiness::Header("X-User".into())));
        assert_eq!(Stickiness::parse("header:"), None);
        assert_eq!(Stickiness::parse("header:a b"), None);
        assert_eq!(Stickiness::parse("user"), None);
    }
}
