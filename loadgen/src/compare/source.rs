//! Where the compared requests come from: the golden corpus (`tests/golden/corpus.tsv`:
//! method, target and body, escaped, tab-separated), a file of request paths (one GET per
//! line), or an access log (JSON lines with `method` and `path`; only GET and HEAD are
//! replayed, their bodies are not logged).

use barcoded_compare::Request;

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// Reads the requests of `text`, recognising its form line by line.
pub fn parse(text: &str) -> Result<Vec<Request>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |m: &str| format!("line {}: {m}", i + 1);
        if line.starts_with('{') {
            let v: serde_json::Value = serde_json::from_str(line).map_err(|e| at(&e.to_string()))?;
            let method = v["method"].as_str().ok_or_else(|| at("no method"))?;
            let path = v["path"].as_str().ok_or_else(|| at("no path"))?;
            if (method == "GET" || method == "HEAD") && v.get("path_cut").is_none() {
                out.push(Request { method: method.into(), target: path.into(), body: Vec::new() });
            }
        } else if line.starts_with('/') {
            out.push(Request { method: "GET".into(), target: line.trim().into(), body: Vec::new() });
        } else {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 3 || !f[1].starts_with('/') {
                return Err(at("not a corpus line (method, target, body), a path or a JSON access-log line"));
            }
            out.push(Request { method: f[0].into(), target: unescape(f[1]), body: unescape(f[2]).into_bytes() });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_forms() {
        let text = "# comment\nPOST\t/v1/qr.png\ta\\tb\t200\t\"e\"\tsha\n/v1/ean13/590123412345.png\n\
            {\"method\":\"GET\",\"path\":\"/v1/qr/x.svg\",\"status\":200}\n{\"method\":\"POST\",\"path\":\"/v1/batch\"}\n";
        let r = parse(text).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].method.as_str(), r[0].body.as_slice()), ("POST", &b"a\tb"[..]));
        assert_eq!(r[1].target, "/v1/ean13/590123412345.png");
        assert_eq!(r[2].target, "/v1/qr/x.svg");
        assert!(parse("nonsense\n").unwrap_err().starts_with("line 1"));
    }
}
