//! The command line without a server (`barcoded render|parse|decode|batch|completions|man`),
//! run as the built binary: its render and batch output is byte for byte the body the golden
//! corpus records for the same request (every 200 GET of the path form, over 1,000, and every
//! batch: ZIP, ZPL, PDF sheets, partial); a refused
//! request exits 1 with the API's JSON error — the corpus's error body — on stderr; an
//! unknown option or symbology is a usage error (exit 2); parse and decode print what the
//! server answers.

mod common;
use common::*;
use sha2::{Digest, Sha256};
use std::process::{Command, Output};

fn barcoded(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_barcoded")).args(args).output().expect("the binary runs")
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-decoding (the server's own), `+` as a space where `plus` (query values);
/// `None` for a bad escape.
fn unescape(s: &str, plus: bool) -> Option<Vec<u8>> {
    barcoded::http::query::decode(s.as_bytes(), plus).ok().map(|c| c.into_owned())
}

/// A golden GET of the path form as command line arguments: `None` where the command line
/// cannot say it (data or a value that is not UTF-8, `data=` in the query).
fn as_args(target: &str) -> Option<Vec<String>> {
    let rest = target.strip_prefix("/v1/")?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (sym, file) = path.split_once('/')?;
    let (data, ext) = file.rsplit_once('.')?;
    let data = String::from_utf8(unescape(data, false)?).ok().filter(|d| !d.is_empty())?;
    let mut args =
        vec!["render".to_string(), sym.to_string(), data, "--format".into(), ext.into(), "-o".into(), "-".into()];
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        // `data` is the argument; `format` and `output` are the command line's own.
        if matches!(k, "data" | "format" | "output") {
            return None;
        }
        args.push(format!("--{}", String::from_utf8(unescape(k, true)?).ok()?));
        args.push(String::from_utf8(unescape(v, true)?).ok()?);
    }
    Some(args)
}

#[test]
fn render_bytes_equal_the_golden_corpus() {
    let corpus = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/corpus.tsv")).unwrap();
    let names: Vec<&str> = barcoded::api::options::names().collect();
    let (mut same, mut refused, mut usage) = (0, 0, 0);
    for line in corpus.lines().filter(|l| l.starts_with("GET\t/v1/")) {
        let f: Vec<&str> = line.split('\t').collect();
        let (target, status, want) = (f[1], f[3], f[5]);
        let Some(args) = as_args(target) else { continue };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let keys: Vec<&str> = args.iter().filter_map(|a| a.strip_prefix("--")).filter(|&k| k != "format").collect();
        let repeated = keys.iter().enumerate().any(|(i, k)| keys[..i].contains(k));
        let known = keys.iter().all(|k| names.contains(k));
        if !args[4].chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let out = barcoded(&args);
        match status {
            "200" => {
                assert_eq!(out.status.code(), Some(0), "{target}: {}", String::from_utf8_lossy(&out.stderr));
                assert_eq!(sha(&out.stdout), want, "{target}: the bytes differ from the HTTP answer's");
                same += 1;
            }
            "400" | "422" if known && !repeated => {
                assert_eq!(out.status.code(), Some(1), "{target}");
                let err = out.stderr.strip_suffix(b"\n").unwrap_or(&out.stderr);
                assert_eq!(sha(err), want, "{target}: {}", String::from_utf8_lossy(&out.stderr));
                assert!(out.stdout.is_empty());
                refused += 1;
            }
            _ => {
                // An option the API does not have, one given twice, an unknown symbology:
                // the command line's own usage error.
                assert_eq!(out.status.code(), Some(2), "{target}: {}", String::from_utf8_lossy(&out.stderr));
                usage += 1;
            }
        }
    }
    eprintln!("{same} renders byte-equal, {refused} refusals equal, {usage} usage errors");
    assert!(same >= 1000, "only {same} renders compared");
    assert!(refused >= 30 && usage >= 3, "{refused} refusals, {usage} usage errors");
}

/// A corpus field as written (tests/golden.rs escapes backslash, tab and newline).
fn corpus_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[test]
fn batch_bytes_equal_the_golden_corpus() {
    let corpus = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/corpus.tsv")).unwrap();
    let dir = std::env::temp_dir().join(format!("barcoded-cli-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut same, mut refused) = (0, 0);
    for (n, line) in corpus.lines().filter(|l| l.starts_with("POST\t/v1/batch\t")).enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        let (body, status, want) = (corpus_unescape(f[2]), f[3], f[5]);
        let file = dir.join(format!("{n}.json"));
        std::fs::write(&file, &body).unwrap();
        let out = barcoded(&["batch", file.to_str().unwrap(), "-o", "-"]);
        if status == "200" {
            assert_eq!(out.status.code(), Some(0), "{body}: {}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(sha(&out.stdout), want, "{body}: the bytes differ from the HTTP answer's");
            same += 1;
        } else {
            assert_eq!(out.status.code(), Some(1), "{body}");
            let err = out.stderr.strip_suffix(b"\n").unwrap_or(&out.stderr);
            assert_eq!(sha(err), want, "{body}: {}", String::from_utf8_lossy(&out.stderr));
            refused += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(same >= 6 && refused >= 3, "{same} batches, {refused} refusals");
}

#[test]
fn parse_and_decode_print_what_the_server_answers() {
    let server = start(|_| {});
    let addr = server.local_addr();
    for code in ["(01)09506000134352(17)261231(10)ABC", "5901234123457", "https://id.gs1.org/01/09506000134352"] {
        let out = barcoded(&["parse", code]);
        assert_eq!(out.status.code(), Some(0));
        let mut q = String::new();
        for b in code.bytes() {
            q.push_str(&format!("%{b:02X}"));
        }
        let http = get(addr, &format!("/v1/parse?code={q}"));
        assert_eq!(http.status, 200);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), http.text(), "{code}");
    }
    let dir = std::env::temp_dir().join(format!("barcoded-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (sym, data) in [("qr", "CLI decode"), ("dotcode", "DotCode via the CLI"), ("ean13", "590123412345")] {
        let png = dir.join(format!("{sym}.png"));
        let out = barcoded(&["render", sym, data, "--scale", "3", "-o", png.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let bytes = std::fs::read(&png).unwrap();
        let out = barcoded(&["decode", png.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
        let req = [
            format!(
                "POST /v1/decode HTTP/1.1\r\nHost: t\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n",
                bytes.len()
            )
            .into_bytes(),
            bytes,
        ]
        .concat();
        let http = raw(addr, &req);
        assert_eq!(http.status, 200);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), http.text(), "{sym}");
        assert!(http.text().contains(&format!("\"format\":\"{sym}\"")), "{}", http.text());
    }
    // Not an image: the API's error, exit 1.
    let junk = dir.join("junk.png");
    std::fs::write(&junk, b"not an image at all").unwrap();
    let out = barcoded(&["decode", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"code\":\"unknown_image_format\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_version_completions_and_man() {
    let out = barcoded(&["--version"]);
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(v.contains(env!("CARGO_PKG_VERSION")), "{v}");
    assert!(v.contains(&format!("renderer {}", barcoded::api::options::RENDERER_VERSION)), "{v}");
    // No output file, an option twice, no such command: usage errors.
    assert_eq!(barcoded(&["render", "qr", "x"]).status.code(), Some(2));
    assert_eq!(barcoded(&["render", "qr", "x", "--scale", "2", "--scale", "3", "-o", "-"]).status.code(), Some(2));
    assert_eq!(barcoded(&["render", "nope", "x", "-o", "-"]).status.code(), Some(2));
    // The format given, else png on stdout.
    let out = barcoded(&["render", "code128", "ABC-123", "--format", "zpl", "-o", "-"]);
    assert!(out.stdout.starts_with(b"^XA"), "{}", String::from_utf8_lossy(&out.stdout));
    let out = barcoded(&["render", "code128", "ABC-123", "-o", "-"]);
    assert!(out.stdout.starts_with(b"\x89PNG"));
    for shell in ["bash", "zsh", "fish"] {
        let out = barcoded(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains("render"), "{shell}");
    }
    let man = barcoded(&["man"]);
    assert!(String::from_utf8_lossy(&man.stdout).contains(".TH barcoded 1"));
}

#[test]
fn api_key_makes_a_key_and_an_entry_the_server_accepts() {
    let out = barcoded(&["api-key", "--id", "acme", "--rate", "50", "--burst", "80", "--routes", "generate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stderr).unwrap().trim().to_string();
    assert!(key.starts_with("bk_") && key.len() == 46, "{key}");
    let entry = String::from_utf8(out.stdout).unwrap();
    assert!(!entry.contains(&key), "the entry holds the key's hash, never the key");
    let path = std::env::temp_dir().join(format!("barcoded-cli-keys-{}.toml", std::process::id()));
    std::fs::write(&path, &entry).unwrap();
    let s = start(|c| {
        c.api_keys = Some(path.clone());
        c.require_api_key = true;
    });
    let ask = |k: &str| {
        raw(s.local_addr(), format!("GET /v1/qr/K.png HTTP/1.1\r\nHost: t\r\nX-Api-Key: {k}\r\n\r\n").as_bytes())
    };
    let r = ask(&key);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("RateLimit-Policy"), Some("\"key\";q=80;w=2"));
    assert_eq!(ask("bk_other").status, 401);
    s.shutdown();
    // Two keys differ; a bad id is refused by the file's own rules (exit 1).
    let again = barcoded(&["api-key", "--id", "b"]);
    assert_ne!(String::from_utf8_lossy(&again.stderr).trim(), key);
    let bad = barcoded(&["api-key", "--id", "a b"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("id must be"));
}
