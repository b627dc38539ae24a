//! Live profiling on the admin listener: `GET /debug/pprof/profile?seconds=N` samples the
//! CPU of every thread (SIGPROF at 99 Hz through `pprof`, the whole process) for N seconds
//! (1–60) and answers a gzip-compressed pprof protobuf (`go tool pprof` reads it), or with
//! `format=svg` a flame graph. One profile at a time (`409` while one runs). The sampling
//! runs on a thread of its own, never on a core or a decode worker; nothing is installed
//! while no profile runs, so it costs nothing then. `GET /debug/allocator`: the allocator's
//! process figures (mimalloc's `mi_process_info`: resident and committed memory, peaks,
//! page faults).

use super::error::ApiError;
use crate::state::Shared;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Longest profile.
pub const MAX_SECONDS: u64 = 60;
/// Samples per second.
const FREQUENCY: i32 = 99;

/// The flame graph of a profile that sampled nothing.
const IDLE_SVG: &str = "<?xml version=\"1.0\" standalone=\"no\"?>\n<svg version=\"1.1\" width=\"600\" height=\"40\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"25\">no samples: the process used no CPU during the profile</text></svg>\n";

/// What a profile answers: its content type and bytes.
pub struct Profile {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// Reads `seconds` (1–60, default 30) and `format` (`pprof` or `svg`).
fn options(query: &[u8]) -> Result<(u64, bool), ApiError> {
    let mut seconds = 30;
    let mut svg = false;
    for pair in query.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        match k {
            b"seconds" => {
                seconds = std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .filter(|s| (1..=MAX_SECONDS).contains(s))
                    .ok_or_else(|| ApiError::BadOption {
                        name: "seconds",
                        value: String::from_utf8_lossy(v).into_owned(),
                        expected: "a whole number of seconds from 1 to 60",
                    })?
            }
            b"format" => {
                svg = match v {
                    b"svg" => true,
                    b"pprof" | b"proto" => false,
                    _ => {
                        return Err(ApiError::BadOption {
                            name: "format",
                            value: String::from_utf8_lossy(v).into_owned(),
                            expected: "pprof or svg",
                        })
                    }
                }
            }
            _ => return Err(ApiError::UnknownOption(String::from_utf8_lossy(k).into_owned())),
        }
    }
    Ok((seconds, svg))
}

/// Releases the one-profile slot however the profile ends.
struct Running(Arc<Shared>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.profiling.store(false, Ordering::Release);
    }
}

/// Takes a CPU profile of the whole process for the asked time.
pub async fn cpu(shared: &Arc<Shared>, query: &[u8]) -> Result<Profile, ApiError> {
    let (seconds, svg) = options(query)?;
    if shared.profiling.swap(true, Ordering::AcqRel) {
        return Err(ApiError::ProfileRunning);
    }
    let running = Running(shared.clone());
    let (tx, rx) = flume::bounded(1);
    let spawned = std::thread::Builder::new().name("barcoded-profile".into()).spawn(move || {
        let _running = running;
        let _ = tx.send(sample(Duration::from_secs(seconds), svg));
    });
    if spawned.is_err() {
        return Err(ApiError::ProfileFailed("no thread for the profiler".into()));
    }
    rx.recv_async().await.map_err(|_| ApiError::ProfileFailed("the profiler thread ended".into()))?
}

/// Samples for `d` on this (non-serving) thread, then encodes.
fn sample(d: Duration, svg: bool) -> Result<Profile, ApiError> {
    let failed = |e: pprof::Error| ApiError::ProfileFailed(e.to_string());
    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(FREQUENCY)
        .blocklist(&["libc", "libgcc", "pthread", "vdso"])
        .build()
        .map_err(failed)?;
    std::thread::sleep(d);
    let report = guard.report().build().map_err(failed)?;
    drop(guard);
    if svg {
        let mut body = Vec::new();
        report.flamegraph(&mut body).map_err(failed)?;
        if body.is_empty() {
            // No stack was sampled (an idle process): say so rather than send nothing.
            body = IDLE_SVG.as_bytes().to_vec();
        }
        return Ok(Profile { content_type: "image/svg+xml", body });
    }
    use pprof::protos::Message;
    let proto = report.pprof().map_err(failed)?.encode_to_vec();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&proto).map_err(|e| ApiError::ProfileFailed(e.to_string()))?;
    let body = gz.finish().map_err(|e| ApiError::ProfileFailed(e.to_string()))?;
    Ok(Profile { content_type: "application/octet-stream", body })
}

/// `GET /debug/allocator`: the allocator's process figures.
pub fn allocator() -> String {
    let (mut elapsed, mut user, mut system) = (0usize, 0usize, 0usize);
    let (mut rss, mut peak_rss, mut commit, mut peak_commit, mut faults) = (0usize, 0usize, 0usize, 0usize, 0usize);
    // SAFETY: mi_process_info writes each out-parameter and keeps no pointer.
    unsafe {
        libmimalloc_sys::mi_process_info(
            &mut elapsed,
            &mut user,
            &mut system,
            &mut rss,
            &mut peak_rss,
            &mut commit,
            &mut peak_commit,
            &mut faults,
        )
    };
    serde_json::json!({
        "allocator": crate::allocator_name(),
        "elapsed_ms": elapsed,
        "user_ms": user,
        "system_ms": system,
        "rss_bytes": rss,
        "peak_rss_bytes": peak_rss,
        "committed_bytes": commit,
        "peak_committed_bytes": peak_commit,
        "page_faults": faults,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        assert_eq!(options(b"").unwrap(), (30, false));
        assert_eq!(options(b"seconds=5&format=svg").unwrap(), (5, true));
        assert_eq!(options(b"format=pprof&seconds=60").unwrap(), (60, false));
        for bad in [&b"seconds=0"[..], b"seconds=61", b"seconds=x", b"format=png", b"colour=1"] {
            assert!(options(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn allocator_figures_read() {
        let v: serde_json::Value = serde_json::from_str(&allocator()).unwrap();
        assert!(v["rss_bytes"].as_u64().unwrap() > 0);
    }
}
