//! Hot keys as the operator sees them: `GET /admin/hot` (the instance's current top keys
//! with their counts), the hot file (`--hot-file`: read and pre-rendered into the template
//! pool at start, before the first request is accepted; written every `KEEP_EVERY`, when a
//! successor takes the sockets over and at stop) and the keeper thread that refreshes the
//! pool with the live top keys. The ranking itself is `cache::hot`.

use super::error::ApiError;
use crate::cache::hot::{HotFile, HotKey};
use crate::http::head::Head;
use crate::state::Shared;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the keeper refreshes the pool with the live top keys and writes the hot file.
pub const KEEP_EVERY: Duration = Duration::from_secs(30);
/// Keys `GET /admin/hot` lists unless `n` says otherwise.
const DEFAULT_LISTED: usize = 100;

/// `GET /admin/hot[?n=N]`: the top `n` keys (default 100, at most `--hot-keys`) with their
/// counts (sampled requests, decayed by the half-life, scaled back to requests).
pub fn document(shared: &Shared, head: &Head<'_>, query: &[u8]) -> Result<String, ApiError> {
    if shared.current().admin_token.is_some() {
        super::admin::bearer(shared, head)?;
    }
    let mut n = DEFAULT_LISTED;
    for (k, v) in crate::http::query::pairs(query) {
        if k == b"n" {
            n = std::str::from_utf8(v).ok().and_then(|s| s.parse().ok()).filter(|&n: &usize| n >= 1).ok_or_else(
                || ApiError::BadOption {
                    name: "n",
                    value: String::from_utf8_lossy(v).into_owned(),
                    expected: "a whole number of keys, at least 1",
                },
            )?;
        }
    }
    let keys: Vec<_> =
        shared.hot.top(n).into_iter().map(|k| json!({ "target": k.target, "count": k.weight })).collect();
    let pool = shared.pool.load();
    Ok(json!({
        "hot_keys": shared.hot.keys,
        "sample_every": crate::cache::hot::SAMPLE_EVERY,
        "half_life_s": crate::cache::hot::HALF_LIFE_S,
        "hot_file": shared.config.hot_file.as_ref().map(|p| p.display().to_string()),
        "pool": { "generation": pool.generation, "entries": pool.entries, "bytes": pool.bytes },
        "keys": keys,
    })
    .to_string())
}

/// How long a Redis call for the hot list may take (connecting, each read, each write).
const REDIS_PATIENCE: Duration = Duration::from_millis(1000);
/// The largest hot list read from or written to Redis (a longer value is cut here, and its
/// checksum then refuses it).
const MAX_REDIS_LIST: usize = 8 * 1024 * 1024;
/// A hot list in Redis lives this long without a write (a fleet stopped for a day starts
/// from its warm lists).
const REDIS_LIST_TTL_S: u64 = 86_400;

/// Reads the hot list into the ranking (start-up), from the hot file, or from Redis when
/// the file gave none and `--hot-redis-key` is set: how many keys and from where, or why
/// none. A missing list is no keys; a damaged one is refused whole, never half trusted.
pub fn load(shared: &Shared) -> Result<(usize, &'static str), String> {
    let from_file = load_file(shared)?;
    if from_file > 0 {
        return Ok((from_file, "the hot file"));
    }
    Ok((load_redis(shared)?, "Redis"))
}

fn load_redis(shared: &Shared) -> Result<usize, String> {
    let (Some(key), Some(l2)) = (&shared.config.hot_redis_key, &shared.config.redis) else { return Ok(0) };
    // GETRANGE bounds the reply whatever the key holds.
    let text: Vec<u8> = l2
        .blocking_query(redis::cmd("GETRANGE").arg(key).arg(0).arg(MAX_REDIS_LIST - 1), REDIS_PATIENCE)
        .map_err(|e| format!("Redis {key}: {e}"))?;
    if text.is_empty() {
        return Ok(0);
    }
    let text = String::from_utf8(text).map_err(|_| format!("Redis {key}: not text"))?;
    let read = HotFile::read(&text, shared.hot.keys).map_err(|e| format!("Redis {key}: {e}"))?;
    shared.hot.seed(&read.keys);
    Ok(read.keys.len())
}

fn load_file(shared: &Shared) -> Result<usize, String> {
    let Some(path) = &shared.config.hot_file else { return Ok(0) };
    let text = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(format!("{}: {e}", path.display())),
        Ok(m) if m.len() > HotFile::MAX_BYTES as u64 => {
            return Err(format!("{}: {} bytes, more than {}", path.display(), m.len(), HotFile::MAX_BYTES))
        }
        Ok(_) => std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
    };
    let read = HotFile::read(&text, shared.hot.keys).map_err(|e| format!("{}: {e}", path.display()))?;
    if read.renderer != crate::render::RENDERER_VERSION {
        // Its targets are requests, valid across renderers: they are rendered anew by this one.
        eprintln!(
            "barcoded: {}: written by renderer {}, this is {}: its keys are rendered anew",
            path.display(),
            read.renderer,
            crate::render::RENDERER_VERSION
        );
    }
    shared.hot.seed(&read.keys);
    Ok(read.keys.len())
}

/// Writes the current hot list to the hot file (atomically: a temporary file renamed) and
/// to Redis when `--hot-redis-key` is set; how many keys, or what failed.
pub fn save(shared: &Shared) -> Result<usize, String> {
    let keys: Vec<HotKey> = shared.hot.top(shared.hot.keys);
    if keys.is_empty() {
        // Nothing counted yet (a fresh start): keep what the file and Redis hold.
        return Ok(0);
    }
    let text = HotFile::write(crate::render::RENDERER_VERSION, &keys);
    if let Some(path) = &shared.config.hot_file {
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        std::fs::write(&tmp, &text)
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let (Some(key), Some(l2)) = (&shared.config.hot_redis_key, &shared.config.redis) {
        if text.len() <= MAX_REDIS_LIST {
            l2.blocking_query::<()>(
                redis::cmd("SET").arg(key).arg(text.as_bytes()).arg("EX").arg(REDIS_LIST_TTL_S),
                REDIS_PATIENCE,
            )
            .map_err(|e| format!("Redis {key}: {e}"))?;
        }
    }
    Ok(keys.len())
}

/// The keeper: every `KEEP_EVERY`, rebuilds the pool from the warm list and the live top
/// keys (responses already in the pool are reused, so only new keys are rendered) and
/// writes the hot file. Runs on its own thread until `stop`.
pub fn keep(shared: Arc<Shared>, stop: Arc<AtomicBool>) {
    if shared.hot.keys == 0 {
        return;
    }
    let spawned = std::thread::Builder::new().name("barcoded-hot".into()).spawn(move || {
        let mut next = Instant::now() + KEEP_EVERY;
        let mut failing = false;
        let mut last_set = 0u64;
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
            if Instant::now() < next {
                continue;
            }
            next = Instant::now() + KEEP_EVERY;
            // The pool is rebuilt only when the set of top keys changed.
            let mut targets: Vec<String> = shared.hot.top(shared.hot.keys).into_iter().map(|k| k.target).collect();
            targets.sort_unstable();
            let set = xxhash_rust::xxh3::xxh3_64(targets.join("\n").as_bytes());
            if set != last_set {
                last_set = set;
                if let Err(e) = super::warm::reload(&shared) {
                    eprintln!("barcoded: refreshing the pool with the hot keys failed, the previous pool stays: {e}");
                }
            }
            match save(&shared) {
                Ok(_) => failing = false,
                // Said once until it works again.
                Err(e) if !failing => {
                    failing = true;
                    eprintln!("barcoded: cannot write the hot list: {e}");
                }
                Err(_) => {}
            }
        }
    });
    if let Err(e) = spawned {
        eprintln!("barcoded: cannot start the hot-key keeper: {e}");
    }
}
