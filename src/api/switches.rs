//! The business switches' admin endpoints: `GET /admin/switches` (all, with their match
//! counts), `GET|PUT|DELETE /admin/switches/{name}`, on the admin listener, behind the
//! admin token when one is configured. A change is made one at a time (`switch_lock`):
//! the new list is persisted first (`--switches`, atomically; a failed write changes
//! nothing), then swapped in for every core, then audited (`--audit-log` and the log).
//! Expired switches are removed by core 0's tick the same way. The file IO runs on a
//! blocking thread, never on a core's loop.

use super::error::ApiError;
use crate::http::head::Head;
use crate::state::Shared;
use crate::switch::body::{self, Stamp};
use crate::switch::{store, Switch, Switches, MAX_SWITCHES};
use serde_json::json;
use sha2::Digest;
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest switch body (`api::route::body_limit`: refused with 413 before it is read).
pub const MAX_BODY: usize = 16 * 1024;

/// Unix seconds now.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Who makes a change: the admin token's id (a hash prefix, never the token), else the
/// admin listener's peer.
fn who(shared: &Shared, peer: Option<SocketAddr>) -> String {
    match &shared.current().admin_token {
        Some(t) => {
            let h = sha2::Sha256::digest(t.as_bytes());
            let hex: String = h.iter().take(6).map(|b| format!("{b:02x}")).collect();
            format!("token:{hex}")
        }
        None => format!("admin-listener:{}", peer.map_or("-".to_string(), |p| p.ip().to_string())),
    }
}

fn stamp(shared: &Shared, peer: Option<SocketAddr>) -> Stamp {
    Stamp { now: unix_now(), who: who(shared, peer), cores: shared.config.threads.max(1) }
}

/// Reads `--switches` at start: the switches come back as they were saved.
pub fn load(shared: &Shared) -> Result<(), String> {
    let Some(path) = &shared.config.switches else { return Ok(()) };
    let st = Stamp { now: unix_now(), who: "start".into(), cores: shared.config.threads.max(1) };
    let list = store::load(path, &st)?;
    if !list.is_empty() {
        eprintln!("barcoded: {} switch(es) in force from {}", list.len(), path.display());
    }
    shared.set_switches(Switches::new(list.into_iter().map(Arc::new).collect()));
    Ok(())
}

/// Reads the switches file again (a reload: edited by hand or by configuration management),
/// one change at a time with the admin endpoint's; how many switches are in force.
pub fn reload_file(shared: &Shared) -> Result<usize, String> {
    let _one_at_a_time = shared.switch_lock.lock().map_err(|_| "switch lock poisoned".to_string())?;
    load(shared)?;
    Ok(shared.switches().list.len())
}

/// `GET /admin/switches`.
pub fn list(shared: &Shared, head: &Head<'_>) -> Result<String, ApiError> {
    check(shared, head)?;
    let all: Vec<serde_json::Value> = shared.switches().list.iter().map(|s| body::answer(s)).collect();
    Ok(json!({ "switches": all }).to_string())
}

/// `GET /admin/shadow`: the shadow's counts and examples; `{"shadow": null}` when off.
pub fn shadow(shared: &Shared, head: &Head<'_>) -> Result<String, ApiError> {
    check(shared, head)?;
    Ok(shared.shadow.as_ref().map_or_else(|| json!({ "shadow": null }), |s| s.report()).to_string())
}

/// `GET /admin/switches/{name}`.
pub fn one(shared: &Shared, head: &Head<'_>, name: &str) -> Result<String, ApiError> {
    check(shared, head)?;
    let sw = shared.switches();
    let s = sw.get(name).ok_or_else(|| ApiError::SwitchNotFound(name.to_string()))?;
    Ok(body::answer(s).to_string())
}

fn check(shared: &Shared, head: &Head<'_>) -> Result<(), ApiError> {
    if shared.current().admin_token.is_some() {
        super::admin::bearer(shared, head)?;
    }
    Ok(())
}

/// A change to the list.
enum Change {
    Put(Box<Switch>),
    Delete(String),
    /// Remove the switches expired by the stamp's time.
    Expire,
}

/// `PUT /admin/switches/{name}`: stores the switch and answers it.
pub async fn put(
    shared: &Arc<Shared>,
    head: &Head<'_>,
    peer: Option<SocketAddr>,
    name: &str,
    body: &[u8],
) -> Result<String, ApiError> {
    check(shared, head)?;
    let st = stamp(shared, peer);
    let s = body::parse(name, body, st.clone()).map_err(|e| ApiError::BadSwitch(e.to_string()))?;
    if s.expires_at.is_some_and(|t| t <= st.now) {
        return Err(ApiError::BadSwitch("expires_at: already past".into()));
    }
    run(shared, Change::Put(Box::new(s)), st).await
}

/// `DELETE /admin/switches/{name}`.
pub async fn delete(
    shared: &Arc<Shared>,
    head: &Head<'_>,
    peer: Option<SocketAddr>,
    name: &str,
) -> Result<String, ApiError> {
    check(shared, head)?;
    run(shared, Change::Delete(name.to_string()), stamp(shared, peer)).await
}

/// Removes expired switches (core 0's tick, when the earliest expiry has passed).
pub async fn expire(shared: &Arc<Shared>) {
    let st = Stamp { now: unix_now(), who: "expiry".into(), cores: shared.config.threads.max(1) };
    if shared.switches().next_expiry.is_some_and(|t| t <= st.now) {
        if let Err(e) = run(shared, Change::Expire, st).await {
            crate::log::error("switch_expiry", format_args!("{}", e.message()));
        }
    }
}

async fn run(shared: &Arc<Shared>, change: Change, st: Stamp) -> Result<String, ApiError> {
    let s = shared.clone();
    monoio::spawn_blocking(move || apply(&s, change, &st))
        .await
        .map_err(|_| ApiError::SwitchesNotSaved("the worker pool is gone".into()))?
}

/// Makes one change: persisted, swapped in, audited. Answers the switch (a put), or what
/// was removed.
fn apply(shared: &Shared, change: Change, st: &Stamp) -> Result<String, ApiError> {
    let _one = shared.switch_lock.lock().unwrap_or_else(|p| p.into_inner());
    let cur = shared.switches();
    let (mut list, gone): (Vec<Arc<Switch>>, Vec<Arc<Switch>>) = match &change {
        Change::Put(s) => cur.list.iter().cloned().partition(|o| o.name != s.name),
        Change::Delete(name) => cur.list.iter().cloned().partition(|o| o.name != *name),
        Change::Expire => cur.without_expired(st.now),
    };
    let (op, answer, after) = match change {
        Change::Put(mut s) => {
            if let Some(before) = gone.first() {
                // The match count goes on across updates (a gray release's steps).
                s.matched = before.matched.clone();
            } else if list.len() >= MAX_SWITCHES {
                return Err(ApiError::TooManySwitches { max: MAX_SWITCHES });
            }
            let s: Arc<Switch> = Arc::from(s);
            list.push(s.clone());
            ("put", body::answer(&s).to_string(), Some(s))
        }
        Change::Delete(name) => {
            let Some(before) = gone.first() else { return Err(ApiError::SwitchNotFound(name)) };
            ("delete", json!({ "deleted": body::answer(before) }).to_string(), None)
        }
        Change::Expire if gone.is_empty() => return Ok(String::new()),
        Change::Expire => ("expire", String::new(), None),
    };
    drop(cur);
    if let Some(path) = &shared.config.switches {
        list.sort_by(|a, b| a.name.cmp(&b.name));
        store::save(path, &list).map_err(|e| ApiError::SwitchesNotSaved(format!("{}: {e}", path.display())))?;
    }
    shared.set_switches(Switches::new(list));
    let mut lines: Vec<String> = Vec::new();
    match (&after, op) {
        (Some(a), _) => lines.push(store::audit_line(st, op, &a.name, gone.first().map(|b| &**b), Some(a))),
        (None, _) => lines.extend(gone.iter().map(|b| store::audit_line(st, op, &b.name, Some(b), None))),
    }
    for line in &lines {
        eprintln!("barcoded: switch change {line}");
        if let Some(path) = &shared.config.audit_log {
            if let Err(e) = store::append(path, line) {
                crate::log::error("audit_log", format_args!("{}: {e}", path.display()));
            }
        }
    }
    Ok(answer)
}
