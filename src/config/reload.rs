//! What a reload (SIGHUP) may change without a restart: the effective configuration before
//! and after (`file::print`'s text, one `key = value  # source` line per flag) compared key
//! by key, each change either live (applied by the server at once) or one that needs a
//! restart (listeners, threads, sizes of what was allocated at start, …). Pure: the caller
//! reads the files and applies the changes.

use super::Config;

/// Flags a running server takes over at once on reload: the sampling and watermark, the
/// request limits (for connections opened from then on: a connection keeps the limits it
/// was opened with), the budgets (the decode breaker's slow threshold, derived from the
/// decode budget, stays until a restart), and who may use the admin and API routes.
pub const LIVE: &[&str] = &[
    "memory_watermark_mb",
    "access_log_sample",
    "access_log_slow_ms",
    "shadow_sample",
    "max_uri",
    "max_header_bytes",
    "max_body",
    "max_pixels",
    "idle_timeout",
    "header_timeout",
    "write_timeout",
    "max_decode_body",
    "max_batch_body",
    "batch_max_items",
    "decode_budget_ms",
    "render_budget_ms",
    "max_misses",
    "admin_token",
    "require_api_key",
];

/// The configuration a running server uses after a reload to `new`: `running` with the
/// `LIVE` flags' values taken from `new` (the others keep what the server started with).
pub fn take_live(running: &Config, new: &Config) -> Config {
    let mut c = running.clone();
    c.memory_watermark = new.memory_watermark;
    // Where the access log goes and where shadow traffic goes need a restart; how much of
    // it does not.
    if let (Some(a), Some(n)) = (c.access_log.as_mut(), &new.access_log) {
        (a.sample, a.slow) = (n.sample, n.slow);
    }
    if let (Some(a), Some(n)) = (c.shadow.as_mut(), &new.shadow) {
        a.sample = n.sample;
    }
    let (l, n) = (&mut c.limits, &new.limits);
    macro_rules! take {
        ($($field:ident),*) => { $(l.$field = n.$field;)* };
    }
    take!(
        max_uri,
        max_header_bytes,
        max_body,
        max_pixels,
        idle_timeout,
        header_timeout,
        write_timeout,
        max_decode_body,
        max_batch_body,
        batch_max_items,
        decode_budget,
        max_misses
    );
    c.render_budget = new.render_budget;
    c.admin_token = new.admin_token.clone();
    c.require_api_key = new.require_api_key;
    c
}

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

/// Flags whose values are secrets (a token; a Redis URL may hold a password): a change is
/// named in the log, its values never.
const SECRET: &[&str] = &["admin_token", "redis"];

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = self.key.replace('_', "-");
        if !SECRET.contains(&self.key.as_str()) {
            return write!(f, "{key} {} -> {}", self.old, self.new);
        }
        let what = match (self.old.as_str(), self.new.as_str()) {
            ("(not set)", _) => "set",
            (_, "(not set)") => "removed",
            _ => "changed",
        };
        write!(f, "{key} {what}")
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
    use crate::config::Cli;
    use clap::{CommandFactory, Parser};

    /// A configuration with an access log to `log` and shadow traffic to `shadow`.
    fn config(log: &str, shadow: &str, extra: &[&str]) -> Config {
        let base = ["barcoded", "--access-log", log, "--shadow", shadow, "--api-keys", "/k.toml"];
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        Config::try_from(Cli::try_parse_from(args).unwrap()).unwrap()
    }

    #[test]
    fn a_reload_takes_the_live_flags_and_nothing_else() {
        // Every live flag given another value than its default, beside flags that need a
        // restart.
        let live = [
            "--memory-watermark-mb=100",
            "--access-log-sample=0.5",
            "--access-log-slow-ms=7",
            "--shadow-sample=0.5",
            "--max-uri=1000",
            "--max-header-bytes=2000",
            "--max-body=3000",
            "--max-pixels=4000",
            "--idle-timeout=5",
            "--header-timeout=6",
            "--write-timeout=7",
            "--max-decode-body=8000",
            "--max-batch-body=9000",
            "--batch-max-items=10",
            "--decode-budget-ms=11",
            "--render-budget-ms=12",
            "--max-misses=13",
            "--admin-token=t0ken",
            "--require-api-key=true",
        ];
        assert_eq!(live.len(), LIVE.len(), "one flag per live key");
        for (flag, key) in live.iter().zip(LIVE) {
            assert!(flag.trim_start_matches("--").starts_with(&key.replace('_', "-")), "{flag} for {key}");
        }
        let (log, shadow) = ("stderr", "http://127.0.0.1:9");
        let restart = ["--threads=3", "--backlog=100"];
        let new: Vec<&str> = live.iter().chain(&restart).copied().collect();
        // Where the access log and the shadow go needs a restart too.
        let merged = take_live(&config(log, shadow, &[]), &config("/tmp/other.log", "http://127.0.0.1:10", &new));
        let mut want = config(log, shadow, &live);
        // The decode breaker's slow threshold, derived from the decode budget, is the
        // breakers' (built at start).
        want.breakers.decode_slow = config(log, shadow, &[]).breakers.decode_slow;
        assert_eq!(format!("{merged:?}"), format!("{want:?}"));
        // Every live key is a flag of the command line (and of --print-config).
        let ids: Vec<String> = Cli::command().get_arguments().map(|a| a.get_id().to_string()).collect();
        for key in LIVE {
            assert!(ids.iter().any(|i| i == key), "{key} is not a flag");
        }
    }

    #[test]
    fn only_values_count_and_each_change_says_if_it_is_live() {
        let old = "# header\nthreads = 0  # default\nmemory_watermark_mb = 2048  # default\n# redis = (not set)\nlisten = \"a\"  # flag\n";
        let new = "# header\nthreads = 4  # --config\nmemory_watermark_mb = 1024  # --config\nredis = \"redis://r:6379\"  # --config\nlisten = \"a\"  # --config\n";
        let d = diff(old, new);
        let keys: Vec<_> = d.iter().map(|c| (c.key.as_str(), c.live())).collect();
        assert_eq!(keys, [("threads", false), ("memory_watermark_mb", true), ("redis", false)]);
        assert_eq!(d[1].to_string(), "memory-watermark-mb 2048 -> 1024");
        assert_eq!(d[2].old, "(not set)");
        // Secrets are named, never shown.
        assert_eq!(d[2].to_string(), "redis set");
        let tokens = diff("admin_token = \"a\"  # flag\n", "admin_token = \"b\"  # flag\n");
        assert_eq!(tokens[0].to_string(), "admin-token changed");
        assert!(diff(old, old).is_empty());
    }
}
