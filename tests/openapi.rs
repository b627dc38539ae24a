//! `/openapi.json` and `/openapi.yaml` against the registries they are generated from: every
//! symbology has its operations, each operation lists exactly the options the option table
//! lets that symbology and format take (with a schema each), every format is reachable, the
//! data schemas accept the golden corpus's accepted data and the YAML says what the JSON
//! says. schemathesis (tests/contract/run.sh) holds the server to the document.

mod common;

use barcoded::api::options::{applicable, Format};
use barcoded::symbology::Symbology;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn doc() -> Value {
    let s = start(|_| {});
    let r = get(s.local_addr(), "/openapi.json");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    serde_json::from_slice(&r.body).expect("JSON")
}

/// The operations for a symbology's generate requests: (path, method, operation).
fn generate_ops<'a>(d: &'a Value, name: &str) -> Vec<(&'a str, &'a str, &'a Value)> {
    let mut out = Vec::new();
    for (path, item) in d["paths"].as_object().unwrap() {
        let rest = path.strip_prefix("/v1/").unwrap_or_default();
        if rest.starts_with(&format!("{name}.")) || rest.starts_with(&format!("{name}/{{data}}.")) {
            for (method, op) in item.as_object().unwrap() {
                out.push((path.as_str(), method.as_str(), op));
            }
        }
    }
    out
}

/// The formats an operation's path serves: its `format` enum, or the extension it names.
fn formats_of(path: &str, op: &Value) -> Vec<String> {
    let params = op["parameters"].as_array().unwrap();
    match params.iter().find(|p| p["name"] == "format") {
        Some(p) => p["schema"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect(),
        None => vec![path.rsplit('.').next().unwrap().to_string()],
    }
}

#[test]
fn every_symbology_format_and_option_is_described() {
    let d = doc();
    assert_eq!(d["openapi"], "3.1.0");
    let mut all_options = BTreeSet::new();
    for sym in Symbology::all() {
        let spec = sym.spec();
        let ops = generate_ops(&d, spec.name);
        // GET and POST with the data in the query or body, GET with it in the path.
        for (form, method) in [("", "get"), ("", "post"), ("/{data}", "get")] {
            let mut served = BTreeSet::new();
            for (path, m, op) in &ops {
                let in_path = path.contains("/{data}.");
                if *m != method || in_path == form.is_empty() {
                    continue;
                }
                for fmt_name in formats_of(path, op) {
                    let fmt = Format::all().find(|f| f.ext() == fmt_name).expect("a known format");
                    served.insert(fmt_name.clone());
                    let listed: BTreeSet<String> = op["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|p| p["in"] == "query" && p["name"] != "data")
                        .map(|p| {
                            assert!(
                                p["schema"].as_object().is_some_and(|s| !s.is_empty()),
                                "{path}: {p} has no schema"
                            );
                            p["name"].as_str().unwrap().to_string()
                        })
                        .collect();
                    let takes: BTreeSet<String> = applicable(spec, fmt).iter().map(|a| a.name.to_string()).collect();
                    assert_eq!(listed, takes, "{method} {path} as .{fmt_name}");
                    all_options.extend(takes);
                }
                let data = if method == "post" {
                    &op["requestBody"]["content"]["text/plain"]["schema"]
                } else {
                    let p = op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "data").expect("data");
                    assert_eq!(p["required"], true);
                    &p["schema"]
                };
                assert_eq!(data["maxLength"].as_u64(), Some(spec.data_schema.max_chars as u64), "{path}");
                assert!(spec.data_schema.max_chars > 0, "{}: no data schema", spec.name);
            }
            let every: BTreeSet<String> = Format::all().map(|f| f.ext().to_string()).collect();
            assert_eq!(served, every, "{} {method}{form}: formats", spec.name);
        }
    }
    // Every query option of the table is somewhere.
    let names: BTreeSet<String> = barcoded::api::options::names().map(str::to_string).collect();
    assert_eq!(all_options, names);
    for p in ["/v1/parse", "/v1/decode", "/v1/symbologies", "/healthz", "/readyz", "/openapi.json", "/openapi.yaml"] {
        assert!(d["paths"][p].is_object(), "{p}");
    }
}

#[test]
fn data_the_server_accepts_matches_its_schema() {
    // Every answered GET of the golden corpus: its data (in the path or the query) matches
    // the symbology's pattern and length. A pattern narrower than the encoder would fail
    // schemathesis's negative tests only when it happens to generate such data.
    let corpus = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/corpus.tsv")).unwrap();
    let decode = |s: &str, plus: bool| barcoded::http::query::decode(s.as_bytes(), plus).ok().map(|c| c.into_owned());
    let mut checked = 0;
    for line in corpus.lines().filter(|l| l.starts_with("GET\t/v1/")) {
        let f: Vec<&str> = line.split('\t').collect();
        if f[3] != "200" {
            continue;
        }
        let rest = f[1].strip_prefix("/v1/").unwrap();
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (name, data) = match path.split_once('/') {
            Some((name, file)) => (name, file.rsplit_once('.').and_then(|(d, _)| decode(d, false))),
            None => (
                path.split_once('.').map_or(path, |(n, _)| n),
                query.split('&').find_map(|kv| kv.strip_prefix("data=")).and_then(|d| decode(d, true)),
            ),
        };
        let (Some(sym), Some(Ok(data))) =
            (Symbology::all().find(|s| s.spec().name == name), data.map(String::from_utf8))
        else {
            continue;
        };
        let schema = sym.spec().data_schema;
        assert!(data.chars().count() <= schema.max_chars, "{name}: {data:?} longer than {}", schema.max_chars);
        if !schema.pattern.is_empty() {
            let re = regex::Regex::new(schema.pattern).unwrap();
            assert!(re.is_match(&data), "{name}: {data:?} does not match {}", schema.pattern);
        }
        checked += 1;
    }
    assert!(checked > 300, "{checked} corpus entries checked");
}

#[test]
fn the_yaml_says_what_the_json_says() {
    let s = start(|_| {});
    let json = get(s.local_addr(), "/openapi.json");
    let yaml = get(s.local_addr(), "/openapi.yaml");
    assert_eq!(yaml.status, 200);
    assert_eq!(yaml.header("content-type"), Some("application/yaml; charset=utf-8"));
    // Every key and every string of the JSON appears in the YAML as JSON text (the writer
    // quotes every string as JSON does); the structure is checked by the writer's own test
    // and by a YAML parser in tests/contract (schemathesis loads the YAML too).
    let yaml_text = yaml.text();
    let v: Value = serde_json::from_slice(&json.body).unwrap();
    let mut strings = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(serde_json::to_string(s).unwrap()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(serde_json::to_string(k).unwrap());
                walk(x, out)
            }),
            _ => {}
        }
    }
    walk(&v, &mut strings);
    for s in strings {
        assert!(yaml_text.contains(&s), "{s} missing from the YAML");
    }
}

#[test]
fn every_error_code_is_listed() {
    let d = doc();
    let listed: BTreeSet<String> = d["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let all: BTreeSet<String> =
        barcoded::api::error::ApiError::samples().iter().map(|e| e.code().to_string()).collect();
    assert_eq!(listed, all);
    // A generate operation's 400 names the codes a bad request may carry.
    let r400 = d["paths"]["/v1/ean13.{format}"]["get"]["responses"]["400"]["description"].as_str().unwrap();
    for code in ["`check_digit`", "`bad_option`", "`option_not_applicable`", "`conflicting_options`"] {
        assert!(r400.contains(code), "{r400}");
    }
}

#[test]
fn every_symbologys_example_renders_and_is_in_the_document() {
    let s = start(|_| {});
    let d: Value = serde_json::from_slice(&get(s.local_addr(), "/openapi.json").body).unwrap();
    let list: Value = serde_json::from_slice(&get(s.local_addr(), "/v1/symbologies").body).unwrap();
    for sym in Symbology::all() {
        let spec = sym.spec();
        let ex = spec.data_schema.example;
        let q: String = ex.bytes().map(|b| format!("%{b:02X}")).collect();
        for fmt in ["png", "svg", "zpl"] {
            let r = get(s.local_addr(), &format!("/v1/{}.{fmt}?data={q}", spec.name));
            assert_eq!(r.status, 200, "{} example {ex:?} as {fmt}: {}", spec.name, r.text());
        }
        let entry = list["symbologies"].as_array().unwrap().iter().find(|e| e["name"] == spec.name).unwrap();
        assert_eq!(entry["example"], ex, "{}", spec.name);
        let (_, _, op) = generate_ops(&d, spec.name)[0];
        let data = op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "data").unwrap();
        assert_eq!(data["schema"]["examples"][0], ex, "{}", spec.name);
    }
    s.shutdown();
}
