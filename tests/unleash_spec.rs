//! Unleash's client specification (`@unleash/client-specification` from npm, installed by
//! `scripts/test.sh` into `tests/unleash`) run against the switches' own constraint and
//! rollout code: every case whose strategies (`default`, `flexibleRollout`) and operators
//! (`switch::constraint::Operator`) we support must give Unleash's expected result, so an
//! operator's "10 % of channel=app" means the same clients here as in their flag tool.
//! Cases that need what switches do not have (segments, dependencies, semver, date and
//! regex operators, the older strategies, variants) are counted as skipped, with why.

use barcoded::switch::constraint::{Constraint, Context, Operator};
use barcoded::switch::rollout;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn spec_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/unleash/node_modules/@unleash/client-specification/specifications");
    d.is_dir().then_some(d)
}

/// An Unleash context: top-level fields, then `properties`; empty is absent.
struct Ctx<'a>(&'a Value);

impl Context for Ctx<'_> {
    fn field(&self, name: &str) -> Option<Cow<'_, str>> {
        let v = self.0.get(name).or_else(|| self.0.get("properties").and_then(|p| p.get(name)))?;
        let s = match v {
            Value::String(s) => Cow::Borrowed(s.as_str()),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Bool(b) => Cow::Owned(b.to_string()),
            _ => return None,
        };
        (!s.is_empty()).then_some(s)
    }
}

/// Why a case cannot run here, or the constraints of one strategy as ours.
fn constraints(strategy: &Value) -> Result<Vec<Constraint>, String> {
    if strategy.get("segments").and_then(Value::as_array).is_some_and(|s| !s.is_empty()) {
        return Err("segments".into());
    }
    let mut out = Vec::new();
    for c in strategy.get("constraints").and_then(Value::as_array).into_iter().flatten() {
        let op_name = c["operator"].as_str().unwrap_or("");
        let Some(op) = Operator::from_name(op_name) else { return Err(format!("operator {op_name}")) };
        let strings = |v: &Value| -> Vec<String> {
            v.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_string)).collect()
        };
        let values = if op.numeric() {
            c.get("value").and_then(Value::as_str).map(|v| vec![v.to_string()]).unwrap_or_default()
        } else {
            strings(&c["values"])
        };
        let field = c["contextName"].as_str().unwrap_or("");
        let inverted = c.get("inverted").and_then(Value::as_bool).unwrap_or(false);
        let ci = c.get("caseInsensitive").and_then(Value::as_bool).unwrap_or(false);
        out.push(Constraint::new(field, op, values, inverted, ci));
    }
    Ok(out)
}

/// A feature's result for a context with our code, or why it cannot be judged here.
fn enabled(feature: &Value, ctx: &Value) -> Result<bool, String> {
    if feature.get("dependencies").is_some() {
        return Err("dependencies".into());
    }
    if !feature["enabled"].as_bool().unwrap_or(false) {
        return Ok(false);
    }
    let strategies = feature["strategies"].as_array().cloned().unwrap_or_default();
    if strategies.is_empty() {
        return Ok(true);
    }
    let c = Ctx(ctx);
    let mut any = false;
    for s in &strategies {
        let cs = constraints(s)?;
        let holds = cs.iter().all(|k| k.holds(&c));
        let ok = match s["name"].as_str().unwrap_or("") {
            "default" => holds,
            "flexibleRollout" => {
                let p = &s["parameters"];
                let percent: u8 = p["rollout"].as_str().and_then(|r| r.parse().ok()).ok_or("rollout")?;
                let group = p.get("groupId").and_then(Value::as_str).unwrap_or(feature["name"].as_str().unwrap_or(""));
                let stick = p.get("stickiness").and_then(Value::as_str).unwrap_or("default");
                let id = match stick {
                    "default" => c.field("userId").or_else(|| c.field("sessionId")),
                    "random" => None,
                    other => c.field(other),
                };
                let random = id.is_none() && matches!(stick, "default" | "random");
                if random && !matches!(percent, 0 | 100) {
                    return Err("random stickiness".into());
                }
                holds && (random && percent == 100 || id.is_some() && rollout::within(percent, id.as_deref(), group))
            }
            other => return Err(format!("strategy {other}")),
        };
        any |= ok;
    }
    Ok(any)
}

#[test]
fn unleash_client_specification() {
    let Some(dir) = spec_dir() else {
        if std::env::var_os("BARCODED_REQUIRE_TOOLS").is_some() {
            panic!("tests/unleash/node_modules is missing: npm ci --prefix tests/unleash");
        }
        eprintln!("skipped: Unleash's client specification is not installed (npm ci --prefix tests/unleash)");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let (mut passed, mut failed) = (0, Vec::new());
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for f in files.iter().filter(|f| f.file_name().is_some_and(|n| n != "index.json")) {
        let doc: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let features = doc["state"]["features"].as_array().cloned().unwrap_or_default();
        for t in doc.get("tests").and_then(Value::as_array).into_iter().flatten() {
            let name = t["toggleName"].as_str().unwrap_or("");
            let Some(feature) = features.iter().find(|x| x["name"] == name) else {
                *skipped.entry("no such feature".into()).or_default() += 1;
                continue;
            };
            match enabled(feature, &t["context"]) {
                Ok(got) if Some(got) == t["expectedResult"].as_bool() => passed += 1,
                Ok(got) => failed.push(format!("{}: {} (got {got})", f.display(), t["description"])),
                Err(why) => *skipped.entry(why).or_default() += 1,
            }
        }
    }
    eprintln!("unleash specification: {passed} cases agree, {} differ; skipped {skipped:?}", failed.len());
    assert!(failed.is_empty(), "cases that differ from Unleash:\n{}", failed.join("\n"));
    assert!(passed >= 80, "only {passed} cases ran: is the specification complete?");
}
