//! A switch's JSON form: the body of `PUT /admin/switches/{name}` and a line of the
//! persisted file, read strictly (unknown keys, actions, scopes, constraint fields and
//! operators are refused naming the field), and written back in one canonical form. Pure.

use super::constraint::{self, Constraint, Operator};
use super::rollout::Stickiness;
use super::{Action, Counts, RouteClass, Scope, Switch};
use crate::symbology::spec::Family;
use crate::symbology::Symbology;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Longest `expires_in_s`: a year.
pub const MAX_EXPIRY_S: u64 = 365 * 24 * 3600;
const MAX_LIST: usize = 64;
const MAX_VALUE: usize = 256;
const MAX_CONSTRAINTS: usize = 16;
const MAX_REASON: usize = 512;

/// Why a switch body is refused: the field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyError {
    pub field: String,
    pub message: String,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn err<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, BodyError> {
    Err(BodyError { field: field.into(), message: message.into() })
}

/// When and by whom a change is made; `now` in unix seconds.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub now: u64,
    pub who: String,
    /// Cores, for the per-core match counters.
    pub cores: usize,
}

impl Stamp {
    /// A fixed stamp for unit tests.
    #[cfg(test)]
    pub fn test() -> Stamp {
        Stamp { now: 1_800_000_000, who: "test".into(), cores: 2 }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    action: String,
    #[serde(default)]
    scope: Option<WireScope>,
    #[serde(default, rename = "match")]
    matches: Option<WireMatch>,
    #[serde(default)]
    percent: Option<Value>,
    #[serde(default)]
    stickiness: Option<String>,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    expires_in_s: Option<u64>,
    #[serde(default)]
    expires_at: Option<u64>,
    #[serde(default)]
    reason: Option<String>,
    // What an answer adds, accepted so that a switch read with GET can be PUT back.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    updated_at: Option<u64>,
    #[serde(default)]
    updated_by: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    matched: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WireScope {
    route: Option<String>,
    symbology: Option<String>,
    family: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WireMatch {
    header: Option<BTreeMap<String, Vec<String>>>,
    cidr: Option<Vec<String>>,
    client: Option<Vec<String>>,
    constraints: Option<Vec<WireConstraint>>,
}

/// One constraint, in Unleash's own field names (so rules can be pasted across).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireConstraint {
    #[serde(rename = "contextName")]
    context_name: String,
    operator: String,
    #[serde(default)]
    values: Option<Vec<String>>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    inverted: bool,
    #[serde(default, rename = "caseInsensitive")]
    case_insensitive: bool,
}

/// The request fields a constraint may read.
const FIELDS: &str = "client, address, key, tag:NAME, route, symbology, family, header:NAME";

/// An API key's tag as a switch names it (`tag:NAME`): `[A-Za-z0-9._-]{1,64}`.
fn valid_tag(t: &str) -> bool {
    !t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn context_field(field: &str, name: &str) -> Result<String, BodyError> {
    match name {
        "client" | "address" | "key" | "route" | "symbology" | "family" => Ok(name.to_string()),
        "remoteAddress" => Ok("address".to_string()),
        _ => match (name.strip_prefix("header:"), name.strip_prefix("tag:")) {
            (Some(h), _) if super::valid_header_name(h) => Ok(name.to_string()),
            (_, Some(t)) if valid_tag(t) => Ok(name.to_string()),
            _ => err(field, format!("unknown context field {name:?} (one of {FIELDS})")),
        },
    }
}

fn list(field: &str, values: &[String]) -> Result<(), BodyError> {
    if values.len() > MAX_LIST {
        return err(field, format!("{} values exceed the limit of {MAX_LIST}", values.len()));
    }
    if let Some(v) = values.iter().find(|v| v.len() > MAX_VALUE) {
        return err(field, format!("a value of {} bytes exceeds the limit of {MAX_VALUE}", v.len()));
    }
    Ok(())
}

fn blocks(field: &str, values: &[String]) -> Result<(), BodyError> {
    list(field, values)?;
    match values.iter().find(|v| constraint::net(v).is_none()) {
        Some(v) => err(field, format!("{v:?} is not a CIDR block or an address")),
        None => Ok(()),
    }
}

/// An optional name looked up in a registry; an unknown one names the field and the choices.
fn named<T>(
    v: Option<&str>,
    field: &str,
    what: &str,
    find: impl Fn(&str) -> Option<T>,
    known: &str,
) -> Result<Option<T>, BodyError> {
    match v {
        None => Ok(None),
        Some(name) => find(name).map(Some).map_or_else(|| err(field, format!("unknown {what} {name:?} ({known})")), Ok),
    }
}

fn scope(w: WireScope) -> Result<Scope, BodyError> {
    Ok(Scope {
        route: named(
            w.route.as_deref(),
            "scope.route",
            "route class",
            RouteClass::from_name,
            "generate, parse, decode, batch, label",
        )?,
        symbology: named(
            w.symbology.as_deref(),
            "scope.symbology",
            "symbology",
            |s| Symbology::from_name(s.as_bytes()),
            "see /v1/symbologies",
        )?,
        family: named(
            w.family.as_deref(),
            "scope.family",
            "family",
            Family::from_name,
            "linear, qr, datamatrix, pdf417, aztec",
        )?,
    })
}

/// The `match` object's constraints: its shorthand parts (header, cidr, client) first, then
/// the Unleash-form `constraints` (returned apart, as they are written back).
fn constraints(m: &WireMatch) -> Result<(Vec<Constraint>, Vec<Constraint>), BodyError> {
    let mut out = Vec::new();
    for (name, values) in m.header.iter().flatten() {
        let field = format!("match.header.{name}");
        if !super::valid_header_name(name) {
            return err(field, "not a header name");
        }
        list(&field, values)?;
        out.push(Constraint::new(&format!("header:{name}"), Operator::In, values.clone(), false, false));
    }
    if let Some(c) = &m.cidr {
        blocks("match.cidr", c)?;
        out.push(Constraint::new("address", Operator::InCidr, c.clone(), false, false));
    }
    if let Some(c) = &m.client {
        list("match.client", c)?;
        out.push(Constraint::new("client", Operator::In, c.clone(), false, false));
    }
    let mut unleash = Vec::new();
    let given = m.constraints.as_deref().unwrap_or_default();
    if given.len() > MAX_CONSTRAINTS {
        return err("match.constraints", format!("{} exceed the limit of {MAX_CONSTRAINTS}", given.len()));
    }
    for (i, c) in given.iter().enumerate() {
        let at = |f: &str| format!("match.constraints[{i}].{f}");
        let field = context_field(&at("contextName"), &c.context_name)?;
        let Some(op) = Operator::from_name(&c.operator) else {
            let names: Vec<&str> = Operator::ALL.iter().map(|o| o.name()).collect();
            return err(at("operator"), format!("unknown operator {:?} (one of {})", c.operator, names.join(", ")));
        };
        let values = match (op.numeric(), &c.value, &c.values) {
            (true, Some(v), _) if constraint::is_number(v) => vec![v.clone()],
            (true, _, _) => return err(at("value"), format!("{} needs a number in \"value\"", op.name())),
            (false, _, Some(vs)) => vs.clone(),
            (false, _, None) => return err(at("values"), format!("{} needs a list in \"values\"", op.name())),
        };
        if op == Operator::InCidr {
            blocks(&at("values"), &values)?;
        } else {
            list(&at("values"), &values)?;
        }
        unleash.push(Constraint::new(&field, op, values, c.inverted, c.case_insensitive));
    }
    Ok((out, unleash))
}

/// A constraint in Unleash's form (the stored file, answers).
fn constraint_json(c: &Constraint) -> Value {
    let mut v = json!({"contextName": c.field, "operator": c.operator.name()});
    if let Some(o) = v.as_object_mut() {
        if c.operator.numeric() {
            o.insert("value".into(), json!(c.values.first()));
        } else {
            o.insert("values".into(), json!(c.values));
        }
        if c.inverted {
            o.insert("inverted".into(), Value::Bool(true));
        }
        if c.case_insensitive {
            o.insert("caseInsensitive".into(), Value::Bool(true));
        }
    }
    v
}

/// The `match` object as stored: the shorthand parts as given, the constraints normalised.
fn match_json(m: &WireMatch, unleash: &[Constraint]) -> serde_json::Map<String, Value> {
    let mut mo = serde_json::Map::new();
    if let Some(h) = &m.header {
        mo.insert("header".into(), json!(h));
    }
    if let Some(c) = &m.cidr {
        mo.insert("cidr".into(), json!(c));
    }
    if let Some(c) = &m.client {
        mo.insert("client".into(), json!(c));
    }
    if !unleash.is_empty() {
        mo.insert("constraints".into(), Value::Array(unleash.iter().map(constraint_json).collect()));
    }
    mo
}

fn percent(v: Option<&Value>) -> Result<u8, BodyError> {
    match v {
        None => Ok(100),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(p @ 0..=100) => Ok(p as u8),
            _ => err("percent", format!("{n} is not a whole number from 0 to 100")),
        },
        Some(other) => err("percent", format!("{other} is not a whole number from 0 to 100")),
    }
}

/// Reads a `PUT` body for switch `name`, stamped with `stamp`.
pub fn parse(name: &str, body: &[u8], stamp: Stamp) -> Result<Switch, BodyError> {
    read(name, body, stamp, false)
}

/// Reads a line of the persisted file (its name, expiry and stamp are its own).
pub fn stored(line: &[u8], stamp: Stamp) -> Result<Switch, BodyError> {
    read("", line, stamp, true)
}

fn read(name: &str, body: &[u8], stamp: Stamp, from_file: bool) -> Result<Switch, BodyError> {
    let w: Wire = serde_json::from_slice(body).or_else(|e| err("body", e.to_string()))?;
    let name = match (from_file, &w.name) {
        (true, Some(n)) => n.clone(),
        (true, None) => return err("name", "missing"),
        (false, Some(n)) if n != name => return err("name", format!("{n:?} differs from the path's {name:?}")),
        (false, _) => name.to_string(),
    };
    if !super::valid_name(&name) {
        return err("name", format!("{name:?} is not [a-z0-9-]{{1,64}}"));
    }
    let Some(action) = Action::from_name(&w.action) else {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        return err("action", format!("unknown action {:?} (one of {})", w.action, names.join(", ")));
    };
    let scope = scope(w.scope.unwrap_or_default())?;
    if let (Some(own), Some(r)) = (action.own_route(), scope.route) {
        if own != r {
            return err("scope.route", format!("{} applies to {} only, not {}", action.name(), own.name(), r.name()));
        }
    }
    let m = w.matches.unwrap_or_default();
    let (mut constraints, unleash) = constraints(&m)?;
    let percent = percent(w.percent.as_ref())?;
    let stickiness = match w.stickiness.as_deref() {
        None => Stickiness::Client,
        Some(s) => {
            Stickiness::parse(s).map_or_else(|| err("stickiness", format!("{s:?} is not client or header:NAME")), Ok)?
        }
    };
    let group = w.group_id.clone().unwrap_or_else(|| name.clone());
    if group.is_empty() || group.len() > 128 {
        return err("group_id", "must be 1 to 128 bytes");
    }
    let reason = w.reason.clone().unwrap_or_default();
    if reason.len() > MAX_REASON {
        return err("reason", format!("{} bytes exceed the limit of {MAX_REASON}", reason.len()));
    }
    let expires_at = match (w.expires_in_s, w.expires_at) {
        (Some(_), Some(_)) => return err("expires_in_s", "give expires_in_s or expires_at, not both"),
        (Some(s @ 1..=MAX_EXPIRY_S), None) => Some(stamp.now + s),
        (Some(s), None) => return err("expires_in_s", format!("{s} is outside 1-{MAX_EXPIRY_S}")),
        (None, at) => at,
    };
    let (updated_at, updated_by) = match (from_file, w.updated_at, &w.updated_by) {
        (true, Some(at), Some(by)) => (at, by.clone()),
        _ => (stamp.now, stamp.who.clone()),
    };
    let mut wire = json!({ "name": name, "action": action.name() });
    let o = wire.as_object_mut().expect("an object");
    let sc: serde_json::Map<String, Value> = [
        ("route", scope.route.map(|r| r.name())),
        ("symbology", scope.symbology.map(|s| s.name())),
        ("family", scope.family.map(|f| f.name())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), Value::from(v))))
    .collect();
    if !sc.is_empty() {
        o.insert("scope".into(), Value::Object(sc));
    }
    let mo = match_json(&m, &unleash);
    if !mo.is_empty() {
        o.insert("match".into(), Value::Object(mo));
    }
    o.insert("percent".into(), json!(percent));
    o.insert("stickiness".into(), json!(w.stickiness.as_deref().unwrap_or("client")));
    o.insert("group_id".into(), json!(group));
    if let Some(t) = expires_at {
        o.insert("expires_at".into(), json!(t));
    }
    o.insert("reason".into(), json!(reason));
    o.insert("updated_at".into(), json!(updated_at));
    o.insert("updated_by".into(), json!(updated_by));
    constraints.extend(unleash);
    Ok(Switch {
        name,
        action,
        scope,
        constraints,
        percent,
        stickiness,
        group,
        expires_at,
        reason,
        updated_at,
        updated_by,
        wire,
        matched: Arc::new(Counts::new(stamp.cores)),
    })
}

/// A switch as answered: its stored form plus how many requests it matched.
pub fn answer(s: &Switch) -> Value {
    let mut v = s.wire.clone();
    if let Some(o) = v.as_object_mut() {
        o.insert("matched".into(), json!(s.matched.total()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(json: &str) -> Result<Switch, BodyError> {
        parse("dm-app", json.as_bytes(), Stamp::test())
    }

    #[test]
    fn the_contract_example_reads() {
        let s = p(r#"{"action": "degrade", "scope": {"route": "generate", "symbology": "datamatrix"},
            "match": {"header": {"X-Channel": ["app"]}, "cidr": ["10.0.0.0/8"], "client": ["key-id"]},
            "percent": 10, "stickiness": "header:X-User", "expires_in_s": 3600, "reason": "DM renders slow"}"#)
        .unwrap();
        assert_eq!(s.action, Action::Degrade);
        assert_eq!(s.scope.route, Some(RouteClass::Generate));
        assert_eq!(s.constraints.len(), 3);
        assert_eq!((s.percent, s.group.as_str()), (10, "dm-app"));
        assert_eq!(s.stickiness, Stickiness::Header("X-User".into()));
        assert_eq!(s.expires_at, Some(Stamp::test().now + 3600));
        // The stored form reads back to the same switch.
        let line = serde_json::to_vec(&s.wire).unwrap();
        let back = stored(&line, Stamp { now: 5, who: "other".into(), cores: 1 }).unwrap();
        assert_eq!(back.wire, s.wire);
        assert_eq!(back.updated_by, "test");
        // And an answer can be PUT back as it is.
        let again = p(&answer(&s).to_string()).unwrap();
        assert_eq!(again.constraints, s.constraints);
    }

    #[test]
    fn every_refusal_names_its_field() {
        let cases = [
            (r#"{"action":"explode"}"#, "action"),
            (r#"{}"#, "body"),
            (r#"{"action":"degrade","colour":1}"#, "body"),
            (r#"{"action":"degrade","percent":101}"#, "percent"),
            (r#"{"action":"degrade","percent":-1}"#, "percent"),
            (r#"{"action":"degrade","percent":2.5}"#, "percent"),
            (r#"{"action":"degrade","percent":"10"}"#, "percent"),
            (r#"{"action":"degrade","scope":{"route":"print"}}"#, "scope.route"),
            (r#"{"action":"degrade","scope":{"symbology":"nope"}}"#, "scope.symbology"),
            (r#"{"action":"degrade","scope":{"family":"nope"}}"#, "scope.family"),
            (r#"{"action":"degrade","scope":{"colour":"red"}}"#, "body"),
            (r#"{"action":"degrade","match":{"cidr":["10.0.0.0/33"]}}"#, "match.cidr"),
            (r#"{"action":"degrade","match":{"header":{"a b":["x"]}}}"#, "match.header.a b"),
            (r#"{"action":"degrade","match":{"weather":["x"]}}"#, "body"),
            (
                r#"{"action":"degrade","match":{"constraints":[{"contextName":"userId","operator":"IN","values":[]}]}}"#,
                "match.constraints[0].contextName",
            ),
            (
                r#"{"action":"degrade","match":{"constraints":[{"contextName":"client","operator":"REGEX","values":[]}]}}"#,
                "match.constraints[0].operator",
            ),
            (
                r#"{"action":"degrade","match":{"constraints":[{"contextName":"client","operator":"NUM_GT","value":"x"}]}}"#,
                "match.constraints[0].value",
            ),
            (r#"{"action":"degrade","stickiness":"user"}"#, "stickiness"),
            (r#"{"action":"degrade","expires_in_s":0}"#, "expires_in_s"),
            (r#"{"action":"no-decode","scope":{"route":"generate"}}"#, "scope.route"),
            (r#"{"action":"degrade","name":"other"}"#, "name"),
        ];
        for (body, field) in cases {
            let e = p(body).map(|_| ()).unwrap_err();
            assert_eq!(e.field, field, "{body}: {e}");
        }
        assert_eq!(parse("Bad", b"{\"action\":\"refuse\"}", Stamp::test()).unwrap_err().field, "name");
        let long = format!(r#"{{"action":"degrade","reason":"{}"}}"#, "x".repeat(600));
        assert_eq!(p(&long).unwrap_err().field, "reason");
    }
}
