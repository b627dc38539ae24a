//! The `--api-keys` file (TOML), checked whole: a file with one bad entry is refused, naming
//! the entry and the field, and the keys in force stay (at start: the server does not start).
//!
//! ```toml
//! [costs]            # quota units per request class (these are the defaults)
//! hit = 1
//! render = 10
//! parse = 1
//! decode = 50
//! label = 20
//! batch_item = 10
//!
//! [[key]]
//! id = "acme-wms"                  # what logs, metrics and switches see
//! hash = "sha256:9f86d081884c7d…" # SHA-256 of the key, hex (`barcoded api-key` makes both)
//! rate = 500                       # requests per second, a request costing its class's units
//! burst = 1000                     # the most it may spend at once
//! routes = ["generate", "parse"]   # optional: generate, parse, decode, batch, label (default all)
//! tags = ["partner"]               # optional: switches can target them (`tag:partner`)
//! ```

use super::Costs;
use crate::switch::RouteClass;
use serde::Deserialize;
use std::collections::HashSet;

/// The largest file read.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Most keys in one file.
pub const MAX_KEYS: usize = 100_000;
/// Most tags per key.
pub const MAX_TAGS: usize = 16;
/// The largest rate (units per second) and burst.
pub const MAX_RATE: u32 = 100_000_000;

/// One checked key of the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: String,
    pub sha256: [u8; 32],
    pub rate: u32,
    pub burst: u32,
    pub routes: Vec<RouteClass>,
    pub tags: Vec<String>,
}

/// The checked file.
#[derive(Clone, Debug, PartialEq)]
pub struct KeysFile {
    pub entries: Vec<Entry>,
    pub costs: Costs,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    costs: Option<RawCosts>,
    #[serde(default)]
    key: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCosts {
    hit: Option<u32>,
    render: Option<u32>,
    parse: Option<u32>,
    decode: Option<u32>,
    label: Option<u32>,
    batch_item: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    /// Spanned: an error names the entry's line.
    id: toml::Spanned<String>,
    hash: String,
    rate: u32,
    burst: u32,
    routes: Option<Vec<String>>,
    tags: Option<Vec<String>>,
}

/// A key's id or a tag: `[A-Za-z0-9._-]{1,64}`.
fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks(2).enumerate() {
        let n = |c: u8| (c as char).to_digit(16);
        out[i] = (n(pair[0])? * 16 + n(pair[1])?) as u8;
    }
    Some(out)
}

/// Reads and checks the file's text.
pub fn parse(text: &str) -> Result<KeysFile, String> {
    let raw: Raw = toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))?;
    if raw.key.len() > MAX_KEYS {
        return Err(format!("{} keys: at most {MAX_KEYS}", raw.key.len()));
    }
    let d = Costs::default();
    let costs = match raw.costs {
        None => d,
        Some(c) => {
            let pick = |name: &str, v: Option<u32>, dv: u32| match v {
                Some(0) => Err(format!("costs.{name}: 0; a cost is 1 or more")),
                Some(n) if n > 1_000_000 => Err(format!("costs.{name}: {n}; at most 1000000")),
                Some(n) => Ok(n),
                None => Ok(dv),
            };
            Costs {
                hit: pick("hit", c.hit, d.hit)?,
                render: pick("render", c.render, d.render)?,
                parse: pick("parse", c.parse, d.parse)?,
                decode: pick("decode", c.decode, d.decode)?,
                label: pick("label", c.label, d.label)?,
                batch_item: pick("batch_item", c.batch_item, d.batch_item)?,
            }
        }
    };
    let mut ids = HashSet::new();
    let mut hashes = HashSet::new();
    let mut entries = Vec::with_capacity(raw.key.len());
    for (n, k) in raw.key.into_iter().enumerate() {
        let line = text[..k.id.span().start.min(text.len())].matches('\n').count() + 1;
        let at = format!("line {line}: key {} ({:?})", n + 1, k.id.get_ref());
        let id = k.id.into_inner();
        if !valid_name(&id) {
            return Err(format!("{at}: id must be [A-Za-z0-9._-]{{1,64}}"));
        }
        if !ids.insert(id.clone()) {
            return Err(format!("{at}: the id is used twice"));
        }
        let sha256 = k
            .hash
            .strip_prefix("sha256:")
            .and_then(|h| unhex(&h.to_ascii_lowercase()))
            .ok_or_else(|| format!("{at}: hash must be \"sha256:\" and 64 hex digits (the SHA-256 of the key)"))?;
        if !hashes.insert(sha256) {
            return Err(format!("{at}: the same key (hash) is listed twice"));
        }
        if k.rate == 0 || k.rate > MAX_RATE {
            return Err(format!("{at}: rate {} must be 1-{MAX_RATE} quota units per second", k.rate));
        }
        if k.burst == 0 || k.burst > MAX_RATE {
            return Err(format!("{at}: burst {} must be 1-{MAX_RATE}", k.burst));
        }
        let routes = match k.routes {
            None => RouteClass::ALL.to_vec(),
            Some(names) => {
                let mut v = Vec::new();
                for name in &names {
                    let r = RouteClass::from_name(name).ok_or_else(|| {
                        format!("{at}: route {name:?} is not one of generate, parse, decode, batch, label")
                    })?;
                    if !v.contains(&r) {
                        v.push(r);
                    }
                }
                if v.is_empty() {
                    return Err(format!("{at}: routes is empty; leave it out for every route"));
                }
                v
            }
        };
        let tags = k.tags.unwrap_or_default();
        if tags.len() > MAX_TAGS {
            return Err(format!("{at}: {} tags, at most {MAX_TAGS}", tags.len()));
        }
        if let Some(t) = tags.iter().find(|t| !valid_name(t)) {
            return Err(format!("{at}: tag {t:?} must be [A-Za-z0-9._-]{{1,64}}"));
        }
        entries.push(Entry { id, sha256, rate: k.rate, burst: k.burst, routes, tags });
    }
    Ok(KeysFile { entries, costs })
}

/// Reads the file at `path` (bounded) and checks it.
pub fn read(path: &std::path::Path) -> Result<KeysFile, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(|e| format!("{}: {e}", path.display()))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("{}: larger than {MAX_FILE_BYTES} bytes", path.display()));
    }
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    #[test]
    fn a_full_entry_and_the_defaults() {
        let f = parse(&format!(
            "[costs]\ndecode = 80\n[[key]]\nid = \"acme\"\nhash = \"sha256:{H}\"\nrate = 5\nburst = 9\nroutes = [\"parse\", \"generate\", \"parse\"]\ntags = [\"eu\"]\n"
        ))
        .unwrap();
        assert_eq!(f.costs.decode, 80);
        assert_eq!(f.costs.hit, Costs::default().hit);
        let e = &f.entries[0];
        assert_eq!((e.id.as_str(), e.rate, e.burst), ("acme", 5, 9));
        assert_eq!(e.routes, vec![RouteClass::Parse, RouteClass::Generate]);
        assert_eq!(e.tags, vec!["eu".to_string()]);
        let f = parse(&format!("[[key]]\nid = \"a\"\nhash = \"sha256:{}\"\nrate = 1\nburst = 1\n", H.to_uppercase()))
            .unwrap();
        assert_eq!(f.entries[0].routes, RouteClass::ALL.to_vec());
        assert_eq!(parse("").unwrap().entries.len(), 0);
    }

    #[test]
    fn each_mistake_is_named() {
        let key = |extra: &str| format!("[[key]]\nid = \"a\"\nhash = \"sha256:{H}\"\nrate = 1\nburst = 1\n{extra}");
        let cases = [
            (key("colour = 1\n"), "colour"),
            (key("routes = [\"render\"]\n"), "\"render\""),
            (key("routes = []\n"), "routes is empty"),
            (key("tags = [\"a b\"]\n"), "tag \"a b\""),
            (format!("{}{}", key(""), key("")), "used twice"),
            (key("").replace("rate = 1", "rate = 0"), "rate 0"),
            (key("").replace(H, "abc"), "64 hex digits"),
            (key("").replace("sha256:", "md5:"), "\"sha256:\""),
            (key("").replace("id = \"a\"", "id = \"\""), "id must be"),
            ("[costs]\nhit = 0\n".to_string(), "costs.hit"),
            (key("").replace("burst = 1\n", ""), "burst"),
        ];
        for (text, want) in cases {
            let e = parse(&text).unwrap_err();
            assert!(e.contains(want), "{want:?} not in {e:?}");
        }
        let twice = format!("{}{}", key(""), key("").replace("id = \"a\"", "id = \"b\""));
        let e = parse(&twice).unwrap_err();
        assert!(e.contains("listed twice") && e.starts_with("line 7: key 2"), "{e}");
    }
}
