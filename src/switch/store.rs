//! Where switches outlive the process and who changed them: the persisted file
//! (`--switches FILE`: one switch per line in its stored JSON form, replaced atomically —
//! written beside, synced, renamed) and the audit log (`--audit-log FILE`: one JSON line
//! per change, appended). A file that cannot be read refuses the start, naming the line.

use super::body::{self, Stamp};
use super::Switch;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Reads the persisted switches; expired ones are dropped. A missing file is none.
pub fn load(path: &Path, stamp: &Stamp) -> Result<Vec<Switch>, String> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut out: Vec<Switch> = Vec::new();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let at = |m: String| format!("{}:{}: {m}", path.display(), i + 1);
        let s = body::stored(line, stamp.clone()).map_err(|e| at(e.to_string()))?;
        if out.iter().any(|o| o.name == s.name) {
            return Err(at(format!("switch {:?} is defined twice", s.name)));
        }
        if out.len() == super::MAX_SWITCHES {
            return Err(at(format!("more than {} switches", super::MAX_SWITCHES)));
        }
        if s.expires_at.is_none_or(|t| t > stamp.now) {
            out.push(s);
        }
    }
    Ok(out)
}

/// The file's bytes for `list`: one stored form per line.
pub fn lines(list: &[Arc<Switch>]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in list {
        // A `Value` always serialises.
        out.extend_from_slice(s.wire.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Replaces the file with `list` atomically: a reader (or a crash) sees the old file or
/// the new one, never a part.
pub fn save(path: &Path, list: &[Arc<Switch>]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&lines(list))?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable once the directory is synced.
        std::fs::File::open(dir)?.sync_all()
    };
    let r = write();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// One audit line: when, who, what was done to which switch, before → after, and why.
pub fn audit_line(stamp: &Stamp, op: &str, name: &str, before: Option<&Switch>, after: Option<&Switch>) -> String {
    let reason = after.or(before).map_or("", |s| s.reason.as_str());
    serde_json::json!({
        "time": httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(stamp.now)),
        "unix": stamp.now,
        "who": stamp.who,
        "op": op,
        "name": name,
        "before": before.map(|s| &s.wire),
        "after": after.map(|s| &s.wire),
        "reason": reason,
    })
    .to_string()
}

/// Appends `line` to the audit log.
pub fn append(path: &Path, line: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(format!("{line}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "barcoded-switches-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn saved_switches_load_back_and_corrupt_lines_are_named() {
        let d = dir();
        let path = d.join("switches.jsonl");
        let st = Stamp::test();
        let a = Arc::new(body::parse("a", br#"{"action":"refuse","percent":5}"#, st.clone()).unwrap());
        let b = Arc::new(body::parse("b", br#"{"action":"no-l2","expires_in_s":10}"#, st.clone()).unwrap());
        save(&path, &[a.clone(), b.clone()]).unwrap();
        let back = load(&path, &st).unwrap();
        assert_eq!(back.iter().map(|s| s.wire.clone()).collect::<Vec<_>>(), vec![a.wire.clone(), b.wire.clone()]);
        // After b's expiry only a comes back.
        let later = Stamp { now: st.now + 11, ..st.clone() };
        assert_eq!(load(&path, &later).unwrap().len(), 1);
        std::fs::write(&path, format!("{}\n{{\"name\":\"c\",\"action\":\"fly\"}}\n", a.wire)).unwrap();
        let e = load(&path, &st).unwrap_err();
        assert!(e.ends_with(":2: action: unknown action \"fly\" (one of degrade, refuse, l1-only, no-l2, breaker-open, breaker-closed, no-decode, no-batch)"), "{e}");
        std::fs::write(&path, format!("{}\n{}\n", a.wire, a.wire)).unwrap();
        assert!(load(&path, &st).unwrap_err().contains(":2: switch \"a\" is defined twice"));
        assert!(load(&d.join("absent"), &st).unwrap().is_empty());
        let line = audit_line(&st, "put", "a", None, Some(&a));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!((v["who"].as_str(), v["op"].as_str(), v["before"].is_null()), (Some("test"), Some("put"), true));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
