//! The dependency rules of ARCHITECTURE.md, checked against the code ("tidy" test, as
//! rust-analyzer keeps): every `crate::`/`super::` path in `src/` is resolved to the file it
//! names; a top-level module may only import modules below it in `LAYERS`, and no two files
//! import each other (a module file and its own submodules excepted). Reads the sources as
//! text; runs nothing. `cargo test --test layers` prints what breaks a rule.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules, lowest first: each may import only those before it.
const LAYERS: &[&str] = &[
    // Foundations: pure, or plain OS helpers; they import nothing of the crate above them.
    "log",
    "fault",
    "cpus",
    "http",
    "gs1",
    "symbology",
    "render",
    "pack",
    "label",
    "reader",
    "decoder",
    "workers",
    "access",
    "shadow",
    // Policy and storage.
    "guard",
    "cache",
    "config",
    "metrics",
    "switch",
    "keys",
    // The running server's state, the API, the sockets.
    "state",
    "local",
    "api",
    "server",
    // The command line without a server, over the API's pure code.
    "cli",
];

/// A source file's module path: `src/api/ladder.rs` is `api::ladder`, `src/api/mod.rs` is `api`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// Every `crate::a::b` and `super::a` path in `text`, with one level of `{a, b::c}` groups
/// expanded, relative to the file's module `here`; comments are skipped.
fn paths(text: &str, here: &[String], is_mod_file: bool) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    // A module file names its own children without a prefix (`mod ladder;` … `ladder::f()`).
    let children: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
        .filter_map(|l| l.strip_suffix(';'))
        .collect();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for child in &children {
            let pat = format!("{child}::");
            for (start, _) in code.match_indices(&pat) {
                let before = code[..start].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                for seg in expand(&code[start..]) {
                    let mut p = here.to_vec();
                    p.extend(seg);
                    out.push(p);
                }
            }
        }
        for (start, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
            // Only path starts: not the tail of another path (`a::super::b` does not occur).
            if start > 0 && code[..start].ends_with("::") {
                continue;
            }
            let rest = &code[start..];
            let (base, tail) = if let Some(t) = rest.strip_prefix("crate::") {
                (Vec::new(), t)
            } else {
                // `super` of a `mod.rs` file is the directory's parent; of `a/b.rs` it is `a`.
                let mut b = here.to_vec();
                let mut t = rest;
                while let Some(next) = t.strip_prefix("super::") {
                    if !is_mod_file || b.len() < here.len() {
                        b.pop();
                    }
                    if is_mod_file && b.len() == here.len() {
                        b.pop();
                    }
                    t = next;
                }
                (b, t)
            };
            for seg in expand(tail) {
                let mut p = base.clone();
                p.extend(seg);
                out.push(p);
            }
        }
    }
    out
}

/// `a::b::{c, d::e}` → `[a, b, c]`, `[a, b, d, e]`; `a::b(..)` → `[a, b]`.
fn expand(tail: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut prefix = Vec::new();
    let mut t = tail;
    loop {
        if let Some(group) = t.strip_prefix('{') {
            let body = group.split('}').next().unwrap_or("");
            return body
                .split(',')
                .map(|item| {
                    let mut p = prefix.clone();
                    p.extend(item.trim().split("::").map(ident).filter(|s| !s.is_empty()));
                    p
                })
                .collect();
        }
        let id = ident(t);
        if id.is_empty() {
            return vec![prefix];
        }
        t = &t[id.len()..];
        prefix.push(id);
        match t.strip_prefix("::") {
            Some(next) => t = next,
            None => return vec![prefix],
        }
    }
}

/// The file a module path lands in: the longest prefix that is a module file.
fn resolve(path: &[String], files: &BTreeMap<Vec<String>, PathBuf>) -> Option<Vec<String>> {
    (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| files.contains_key(p))
}

fn sources() -> BTreeMap<Vec<String>, PathBuf> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(&src).unwrap().to_path_buf();
                if rel != Path::new("main.rs") {
                    files.insert(module_of(&rel), p);
                }
            }
        }
    }
    files
}

/// File → files it imports (itself and the crate root excluded).
fn graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files = sources();
    let mut g = BTreeMap::new();
    for (m, p) in &files {
        let text = std::fs::read_to_string(p).unwrap();
        let is_mod = p.file_name().is_some_and(|f| f == "mod.rs");
        let targets: BTreeSet<Vec<String>> = paths(&text, m, is_mod)
            .iter()
            .filter_map(|path| resolve(path, &files))
            .filter(|t| t != m && !t.is_empty())
            .collect();
        g.insert(m.clone(), targets);
    }
    g
}

#[test]
fn lower_layers_never_import_upper_ones() {
    let g = graph();
    let rank = |m: &[String]| LAYERS.iter().position(|l| m.first().is_some_and(|f| f == l));
    let mut bad = Vec::new();
    for (from, tos) in &g {
        if from.is_empty() {
            continue; // lib.rs: the crate root declares every module.
        }
        let Some(rf) = rank(from) else {
            bad.push(format!("{}: top-level module not in LAYERS (tests/layers.rs, ARCHITECTURE.md)", from.join("::")));
            continue;
        };
        for to in tos {
            match rank(to) {
                Some(rt) if rt <= rf => {}
                _ => bad.push(format!("{} imports {} (a layer above it)", from.join("::"), to.join("::"))),
            }
        }
    }
    assert!(bad.is_empty(), "dependency rules broken:\n{}", bad.join("\n"));
}

#[test]
fn no_two_files_import_each_other() {
    let g = graph();
    let mut circles = Vec::new();
    for (a, tos) in &g {
        for b in tos {
            // A module file and its own submodules may refer to each other: the parent
            // declares them and holds what they share (`symbology/mod.rs` and `ean.rs`).
            let parent_child = b.starts_with(a) || a.starts_with(b);
            if a < b && !parent_child && g.get(b).is_some_and(|t| t.contains(a)) {
                circles.push(format!("{} <-> {}", a.join("::"), b.join("::")));
            }
        }
    }
    assert!(circles.is_empty(), "import circles:\n{}", circles.join("\n"));
}

#[test]
fn the_checker_sees_what_it_must() {
    // The resolver itself: a group, a nested path, `super` from a file and from a mod.rs.
    let here = vec!["api".to_string(), "ladder".to_string()];
    let p = paths("use super::{error::ApiError, generate};\nlet x = crate::guard::gate::Gate;", &here, false);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(p.contains(&s(&["api", "error", "ApiError"])), "{p:?}");
    assert!(p.contains(&s(&["api", "generate"])), "{p:?}");
    assert!(p.contains(&s(&["guard", "gate", "Gate"])), "{p:?}");
    let m = paths("use super::x;", &s(&["guard"]), true);
    assert_eq!(m, vec![s(&["x"])]);
    let c = paths("pub mod gate;\nfn f() { gate::Gate::new(); }", &s(&["guard"]), true);
    assert_eq!(c, vec![s(&["guard", "gate", "Gate", "new"])]);
    // And the real graph has the edges everyone knows are there.
    let g = graph();
    assert!(g[&s(&["api", "ladder"])].contains(&s(&["guard", "gate"])));
    assert!(g[&s(&["server", "conn"])].contains(&s(&["http", "chunked"])));
    assert!(g[&s(&["api"])].contains(&s(&["api", "ladder"])), "a mod.rs's own children");
}
