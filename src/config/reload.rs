//! What a reload (SIGHUP) may change without a restart: the effective configuration before
//! and after (`file::print`'s text, one `key = value  # source` line per flag) compared key
//! by key, each change either live (applied by the server at once) or one that needs a
//! restart (listeners, threads, sizes of what was allocated at start, …). Pure: the caller
//! reads the files and applies the changes.

/// Flags a running server takes over at once on reload.
pub const LIVE: &[&str] = &["memory_watermark_mb", "access_log_sample", "access_log_slow_ms", "shadow_sample"];

/// One flag whose effective value differs.
#[derive(Debug, PartialEq)]
pub struct Change {
    pub key: String,
    pub old: String,
    pub new: String,
}

impl Change {
    pub fn live(&self) -> bool {
        LIVE.contains(&self.key.as_str())
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.key.replace('_', "-"), self.old, self.new)
    }
}

/// The flags whose values differ between two `--print-config` texts (sources ignored),
/// in the order of the new text.
pub fn diff(old: &str, new: &str) -> Vec<Change> {
    let values = |text: &str| -> Vec<(String, String)> {
        text.lines()
            .filter_map(|l| {
                let l = l.strip_prefix("# ").map_or(l, |rest| rest);
                let (k, v) = l.split_once(" = ")?;
                let v = v.rsplit_once("  # ").map_or(v, |(v, _)| v);
                Some((k.trim().to_string(), v.trim().to_string()))
            })
            .collect()
    };
    let before = values(old);
    values(new)
        .into_iter()
        .filter_map(|(key, new)| {
            let old = before.iter().find(|(k, _)| *k == key).map_or("(not set)".to_string(), |(_, v)| v.clone());
            (old != new).then_some(Change { key, old, new })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_values_count_and_each_change_says_if_it_is_live() {
        let old = "# header\nthreads = 0  # default\nmemory_watermark_mb = 2048  # default\n# redis = (not set)\nlisten = \"a\"  # flag\n";
        let new = "# header\nthreads = 4  # --config\nmemory_watermark_mb = 1024  # --config\nredis = \"redis://r:6379\"  # --config\nlisten = \"a\"  # --config\n";
        let d = diff(old, new);
        let keys: Vec<_> = d.iter().map(|c| (c.key.as_str(), c.live())).collect();
        assert_eq!(keys, [("threads", false), ("memory_watermark_mb", true), ("redis", false)]);
        assert_eq!(d[1].to_string(), "memory-watermark-mb 2048 -> 1024");
        assert_eq!(d[2].old, "(not set)");
        assert!(diff(old, old).is_empty());
    }
}
