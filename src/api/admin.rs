//! Operations endpoints: `GET /metrics` (the board of per-core snapshots plus process
//! gauges) and `POST /admin/reload` (rebuild the template pool off the serving path: the
//! build runs on a worker thread while the core keeps serving). Both are served on the
//! admin listener (`--admin-listen`); the public listener answers them only with
//! `--admin-on-public` and `Authorization: Bearer <--admin-token>` (`api::route`). A
//! configured token is required for `/admin/*` on both listeners; the peer's address is
//! never a credential (behind a local proxy every client is loopback).

use super::error::ApiError;
use crate::http::head::Head;
use crate::metrics::{self, Gauges};
use crate::state::Shared;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The Prometheus text of the whole process.
pub fn metrics(shared: &Shared) -> String {
    let pool = shared.pool.load();
    let g = Gauges {
        l1_bytes: shared.l1.weight(),
        l1_capacity: shared.config.l1_bytes,
        l1_entries: shared.l1.len(),
        pool_entries: pool.entries,
        pool_bytes: pool.bytes,
        pool_generation: pool.generation,
        rss: shared.memory.rss(),
        memory_watermark: shared.memory.watermark(),
        decodes_in_flight: shared.decodes_in_flight.load(Ordering::Relaxed),
        log_counts: crate::log::counts(),
    };
    let mut text = metrics::render(&shared.board.snapshots(), &g);
    shared.switches().metrics(&mut text);
    shared.decoders.metrics(&mut text);
    if matches!(shared.config.redis.as_ref().map(|r| &r.topology), Some(crate::cache::l2::Topology::Cluster { .. })) {
        shared.redis_map.metrics(&mut text);
    }
    if let Some(sh) = &shared.shadow {
        sh.metrics(&mut text);
    }
    if let Some(a) = &shared.access {
        use std::fmt::Write;
        let _ = write!(
            text,
            "# HELP barcoded_access_log_lines_total Access-log lines written.\n# TYPE barcoded_access_log_lines_total counter\nbarcoded_access_log_lines_total {}\n# HELP barcoded_access_log_dropped_total Access-log lines dropped (the writer was behind).\n# TYPE barcoded_access_log_dropped_total counter\nbarcoded_access_log_dropped_total {}\n",
            a.written.load(Ordering::Relaxed),
            a.dropped.load(Ordering::Relaxed)
        );
    }
    text
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks `Authorization: Bearer <--admin-token>`; without a token configured, refuses.
pub fn bearer(shared: &Shared, head: &Head<'_>) -> Result<(), ApiError> {
    let current = shared.current();
    let Some(token) = &current.admin_token else {
        return Err(ApiError::Forbidden("no --admin-token is configured"));
    };
    let given = head.authorization.and_then(|v| v.strip_prefix(b"Bearer ")).map(<[u8]>::trim_ascii);
    match given {
        Some(g) if same(g, token.as_bytes()) => Ok(()),
        _ => Err(ApiError::Forbidden("send Authorization: Bearer <admin token>")),
    }
}

/// Rebuilds the pool on a worker thread and reports what it loaded.
pub async fn reload(shared: &Arc<Shared>, head: &Head<'_>) -> Result<String, ApiError> {
    if shared.current().admin_token.is_some() {
        bearer(shared, head)?;
    }
    let s = shared.clone();
    let r = monoio::spawn_blocking(move || super::warm::reload(&s))
        .await
        .map_err(|_| ApiError::ReloadFailed("the worker pool is gone".into()))?
        .map_err(ApiError::ReloadFailed)?;
    Ok(serde_json::json!({
        "generation": r.generation,
        "entries": r.entries,
        "bytes": r.bytes,
        "errors": r.errors,
        "more_errors": r.more_errors,
        "hot_keys": r.hot,
    })
    .to_string())
}
