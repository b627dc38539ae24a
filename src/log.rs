//! Rate-limited logging for degraded paths: ERROR lines only, at most one line per pattern
//! per interval, each line carrying how many events of its pattern were not printed. The
//! counts per pattern are exported in `/metrics`. Used only off the hit path.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One line per pattern per this long.
const INTERVAL: Duration = Duration::from_secs(10);

struct Entry {
    total: u64,
    last_line: Option<Instant>,
    since_line: u64,
}

static PATTERNS: Mutex<Option<HashMap<&'static str, Entry>>> = Mutex::new(None);

/// Decides whether an event of `pattern` at `now` prints a line; returns how many events
/// were suppressed since the last line when it does.
fn admit(map: &mut HashMap<&'static str, Entry>, pattern: &'static str, now: Instant) -> Option<u64> {
    let e = map.entry(pattern).or_insert(Entry { total: 0, last_line: None, since_line: 0 });
    e.total += 1;
    match e.last_line {
        Some(t) if now.saturating_duration_since(t) < INTERVAL => {
            e.since_line += 1;
            None
        }
        _ => {
            let suppressed = e.since_line;
            e.last_line = Some(now);
            e.since_line = 0;
            Some(suppressed)
        }
    }
}

/// Logs an error of a fixed `pattern` (e.g. `"redis_down"`) with a detail, rate-limited.
pub fn error(pattern: &'static str, detail: std::fmt::Arguments<'_>) {
    let Ok(mut g) = PATTERNS.lock() else { return };
    let map = g.get_or_insert_with(HashMap::new);
    if let Some(suppressed) = admit(map, pattern, Instant::now()) {
        drop(g);
        eprintln!("barcoded: ERROR {pattern}: {detail} ({suppressed} more since the last line)");
    }
}

/// Makes panics log through the rate limit, as pattern `panic`, one line each (location and
/// message, no backtrace). Every panic the service survives is caught — an encoder's fails
/// its request, a connection's closes it — and the default hook printed a backtrace for
/// each: input that panics, sent in a flood, would have flooded the log.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let line = PanicLine(info);
        match PATTERNS.try_lock() {
            Ok(mut g) => {
                let map = g.get_or_insert_with(HashMap::new);
                if let Some(suppressed) = admit(map, "panic", Instant::now()) {
                    drop(g);
                    eprintln!("barcoded: ERROR panic: {line} ({suppressed} more since the last line)");
                }
            }
            // Held (by this thread, panicking while logging, or another): print, never wait.
            Err(_) => eprintln!("barcoded: ERROR panic: {line}"),
        }
    }));
}

/// A panic on one line: where, and its message when it has one.
struct PanicLine<'a>(&'a std::panic::PanicHookInfo<'a>);

impl std::fmt::Display for PanicLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let info = self.0;
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        match info.location() {
            Some(l) => write!(f, "at {}:{}: {}", l.file(), l.line(), msg.replace('\n', " ")),
            None => write!(f, "{}", msg.replace('\n', " ")),
        }
    }
}

/// Events per pattern since start.
pub fn counts() -> Vec<(&'static str, u64)> {
    let Ok(g) = PATTERNS.lock() else { return Vec::new() };
    let mut v: Vec<_> = g.as_ref().map(|m| m.iter().map(|(k, e)| (*k, e.total)).collect()).unwrap_or_default();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_interval_with_the_count_of_the_rest() {
        let mut m = HashMap::new();
        let t0 = Instant::now();
        assert_eq!(admit(&mut m, "p", t0), Some(0));
        for i in 1..100 {
            assert_eq!(admit(&mut m, "p", t0 + Duration::from_millis(i)), None);
        }
        assert_eq!(admit(&mut m, "q", t0), Some(0));
        assert_eq!(admit(&mut m, "p", t0 + INTERVAL), Some(99));
        assert_eq!(m["p"].total, 101);
    }
}
