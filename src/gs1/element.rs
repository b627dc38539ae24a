//! GS1 element strings in their three spellings — bracketed `(01)…(10)…`, raw with FNC1/GS
//! separators (optionally behind a symbology identifier `]C1`, `]d2`, `]Q3`, `]e0`, `]J1`)
//! and GS1 Digital Link URIs — parsed into (AI, value) pairs, validated against the
//! dictionary (lengths, character sets, linters, mandatory and excluded associations) and
//! converted between the spellings.

use super::lint::{self, Lint};
use super::table::{self, ai_matches, AiDef};
use std::fmt::Write as _;

/// GS, the separator raw element strings use for FNC1.
pub const GS: char = '\u{1d}';

/// One element, with its definition when the dictionary has it.
#[derive(Debug, Clone)]
pub struct Element {
    pub ai: String,
    pub value: String,
    pub def: Option<&'static AiDef>,
}

/// A problem, tied to an AI where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub ai: Option<String>,
    pub message: String,
}

fn issue(ai: &str, message: String) -> Issue {
    Issue { ai: Some(ai.to_string()), message }
}

fn element(ai: &str, value: &str) -> Element {
    Element { ai: ai.to_string(), value: value.to_string(), def: table::lookup(ai) }
}

/// Parses `(AI)value(AI)value…`; a literal `(` in a value is written `\(`.
pub fn parse_bracketed(s: &str) -> Result<Vec<Element>, String> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let body = rest.strip_prefix('(').ok_or_else(|| format!("expected '(' at {:?}", truncate(rest)))?;
        let close = body.find(')').ok_or("unclosed '('")?;
        let ai = &body[..close];
        if !(2..=4).contains(&ai.len()) || !ai.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("({ai}): an AI is 2 to 4 digits"));
        }
        let mut value = String::new();
        let mut tail = &body[close + 1..];
        loop {
            match tail.find(['(', '\\']) {
                Some(i) if tail[i..].starts_with("\\(") => {
                    value.push_str(&tail[..i]);
                    value.push('(');
                    tail = &tail[i + 2..];
                }
                Some(i) if tail.as_bytes()[i] == b'\\' => {
                    value.push_str(&tail[..=i]);
                    tail = &tail[i + 1..];
                }
                Some(i) => {
                    value.push_str(&tail[..i]);
                    tail = &tail[i..];
                    break;
                }
                None => {
                    value.push_str(tail);
                    tail = "";
                    break;
                }
            }
        }
        out.push(element(ai, &value));
        rest = tail;
    }
    if out.is_empty() {
        return Err("no element strings".into());
    }
    Ok(out)
}

fn truncate(s: &str) -> String {
    s.chars().take(20).collect()
}

/// Length of a predefined-length AI's whole value (all components fixed), if it is one.
fn fixed_len(def: &AiDef) -> Option<usize> {
    if def.fnc1 {
        return None;
    }
    def.comps.iter().try_fold(0usize, |acc, c| (c.min == c.max && !c.optional).then_some(acc + c.max as usize))
}

/// Parses raw GS1 data: AIs back to back, GS after variable-length values.
pub fn parse_raw(s: &str) -> Result<Vec<Element>, String> {
    let s = strip_symbology_id(s).trim_start_matches(GS);
    let mut out = Vec::new();
    for segment in s.split(GS).filter(|x| !x.is_empty()) {
        let mut rest = segment;
        while !rest.is_empty() {
            let def = table::ai_prefix(rest).ok_or_else(|| format!("no known AI at {:?}", truncate(rest)))?;
            let after = &rest[def.ai.len()..];
            let take = match fixed_len(def) {
                Some(n) if after.len() >= n && after.is_char_boundary(n) => n,
                Some(n) => return Err(format!("({}): value needs {n} characters, has {}", def.ai, after.len())),
                None => after.len(),
            };
            out.push(Element { ai: def.ai.to_string(), value: after[..take].to_string(), def: Some(def) });
            rest = &after[take..];
        }
    }
    if out.is_empty() {
        return Err("no element strings".into());
    }
    Ok(out)
}

/// Removes a GS1 symbology identifier (GS1-128, GS1 DataMatrix, GS1 QR, DataBar, DotCode).
pub fn strip_symbology_id(s: &str) -> &str {
    for id in ["]C1", "]d2", "]Q3", "]e0", "]J1"] {
        if let Some(r) = s.strip_prefix(id) {
            return r;
        }
    }
    s
}

/// Whether `s` looks like raw GS1 data (a symbology identifier or GS separators).
pub fn looks_raw(s: &str) -> bool {
    strip_symbology_id(s).len() != s.len() || s.contains(GS)
}

fn pct_decode(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3).ok_or("bad percent-encoding")?)
                .map_err(|_| "bad percent-encoding")?;
            out.push(u8::from_str_radix(h, 16).map_err(|_| format!("bad percent-encoding {:?}", &s[i..i + 3]))?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-decoded value is not UTF-8".into())
}

/// Parses a GS1 Digital Link URI: `https://host/[path/]{pk}/{v}[/{q}/{v}…][?{ai}={v}&…]`.
pub fn parse_dl(uri: &str) -> Result<Vec<Element>, String> {
    let rest = uri.strip_prefix("https://").or_else(|| uri.strip_prefix("http://")).ok_or("not an http(s) URI")?;
    let (path_part, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q.split('#').next().unwrap_or("")),
        None => (rest.split('#').next().unwrap_or(rest), ""),
    };
    let segs: Vec<&str> = path_part.split('/').skip(1).collect();
    // The primary key is the first AI segment with a Digital Link primary-key role.
    let start = (0..segs.len().saturating_sub(1))
        .find(|&i| table::lookup(segs[i]).is_some_and(|d| d.dlpkey.is_some()))
        .ok_or("no GS1 Digital Link primary key in the path")?;
    let tail = &segs[start..];
    if !tail.len().is_multiple_of(2) {
        return Err("path after the primary key must be AI/value pairs".into());
    }
    let mut out = Vec::new();
    for pair in tail.chunks(2) {
        let def = table::lookup(pair[0]).ok_or_else(|| format!("/{}/: unknown AI in the path", pair[0]))?;
        out.push(Element { ai: def.ai.into(), value: pct_decode(pair[1])?, def: Some(def) });
    }
    let pk = out[0].def.and_then(|d| d.dlpkey).unwrap_or("");
    let quals: Vec<&str> = out[1..].iter().map(|e| e.ai.as_str()).collect();
    if !quals.is_empty() && !pk.split('|').any(|alt| in_order(&quals, &alt.split(',').collect::<Vec<_>>())) {
        return Err(format!("({}) takes the path qualifiers {pk:?} in that order; got {}", out[0].ai, quals.join(",")));
    }
    for kv in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        if !k.bytes().all(|b| b.is_ascii_digit()) {
            continue; // non-GS1 query parameters are allowed and ignored
        }
        let def = table::lookup(k).ok_or_else(|| format!("?{k}=: unknown AI"))?;
        if !def.dl_attr {
            return Err(format!("?{k}=: ({k}) is not a Digital Link data attribute"));
        }
        out.push(Element { ai: k.into(), value: pct_decode(v)?, def: Some(def) });
    }
    Ok(out)
}

fn in_order(got: &[&str], allowed: &[&str]) -> bool {
    let mut pos = 0;
    got.iter().all(|g| match allowed[pos..].iter().position(|a| a == g) {
        Some(p) => {
            pos += p + 1;
            true
        }
        None => false,
    })
}

fn cset_ok(cset: u8, c: u8) -> bool {
    match cset {
        b'N' => c.is_ascii_digit(),
        b'X' => cset82(c),
        b'Y' => c.is_ascii_digit() || c.is_ascii_uppercase() || b"#-/".contains(&c),
        b'Z' => c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'=',
        _ => false,
    }
}

/// Validates each element against its definition and the set against the associations;
/// returns the issues and the names of linters that were not checked.
pub fn validate(elements: &[Element]) -> (Vec<Issue>, Vec<&'static str>) {
    let (mut issues, unchecked) = validate_each(elements);
    associations(elements, &mut issues);
    (issues, unchecked)
}

/// Validates each element on its own: AI known, lengths, character sets, linters.
pub fn validate_each(elements: &[Element]) -> (Vec<Issue>, Vec<&'static str>) {
    let mut issues = Vec::new();
    let mut unchecked: Vec<&'static str> = Vec::new();
    for e in elements {
        let Some(def) = e.def else {
            issues.push(issue(&e.ai, format!("({}): not an AI of the GS1 Syntax Dictionary", e.ai)));
            continue;
        };
        let mut rest = e.value.as_str();
        for c in def.comps {
            if rest.is_empty() {
                if !c.optional {
                    issues.push(issue(&e.ai, format!("({}) {}: value too short", e.ai, e.value)));
                }
                break;
            }
            let n = if c.min == c.max { c.max as usize } else { rest.len().min(c.max as usize) };
            if rest.len() < n || !rest.is_char_boundary(n) {
                issues.push(issue(
                    &e.ai,
                    format!("({}) {}: value too short ({} needs {n} more)", e.ai, e.value, def.title),
                ));
                rest = "";
                break;
            }
            let part = &rest[..n];
            if let Some(p) = part.bytes().position(|b| !cset_ok(c.cset, b)) {
                let set = match c.cset {
                    b'N' => "digits",
                    b'X' => "GS1 CSET 82",
                    b'Y' => "GS1 CSET 39",
                    _ => "base64url",
                };
                issues.push(issue(
                    &e.ai,
                    format!("({}) {}: character {:?} is not in {set}", e.ai, e.value, part.as_bytes()[p] as char),
                ));
            } else {
                for l in c.linters {
                    match lint::apply(l, part) {
                        Lint::Ok => {}
                        Lint::Fail(m) => issues.push(issue(&e.ai, format!("({}) {m}", e.ai))),
                        Lint::Unchecked => {
                            if !unchecked.contains(l) {
                                unchecked.push(l);
                            }
                        }
                    }
                }
            }
            rest = &rest[n..];
        }
        if !rest.is_empty() {
            let max: u32 = def.comps.iter().map(|c| c.max).sum();
            issues.push(issue(&e.ai, format!("({}) {}: value longer than {max} characters", e.ai, e.value)));
        }
    }
    (issues, unchecked)
}

fn present(elements: &[Element], pattern: &str) -> bool {
    elements.iter().any(|e| ai_matches(&e.ai, pattern))
}

fn associations(elements: &[Element], issues: &mut Vec<Issue>) {
    for (i, e) in elements.iter().enumerate() {
        if elements[..i].iter().any(|p| p.ai == e.ai) {
            if elements[..i].iter().any(|p| p.ai == e.ai && p.value != e.value) {
                issues.push(issue(&e.ai, format!("({}): given twice with different values", e.ai)));
            }
            continue;
        }
        let Some(def) = e.def else { continue };
        for req in def.req {
            let ok = req.split(',').any(|group| group.split('+').all(|p| present(elements, p)));
            if !ok {
                issues.push(issue(
                    &e.ai,
                    format!("({}) needs ({}) too", e.ai, req.replace(',', ") or (").replace('+', ")+(")),
                ));
            }
        }
        for ex in def.ex {
            for p in ex.split(',') {
                if let Some(other) = elements.iter().find(|o| o.ai != e.ai && ai_matches(&o.ai, p)) {
                    issues.push(issue(&e.ai, format!("({}) and ({}) must not appear together", e.ai, other.ai)));
                }
            }
        }
    }
}

/// The bracketed spelling (a `(` inside a value written `\(`).
pub fn to_bracketed(elements: &[Element]) -> String {
    let mut s = String::new();
    for e in elements {
        let _ = write!(s, "({}){}", e.ai, e.value.replace('(', "\\("));
    }
    s
}

/// The raw spelling: GS after variable-length values that are not last.
pub fn to_raw(elements: &[Element]) -> String {
    let mut s = String::new();
    for (i, e) in elements.iter().enumerate() {
        s.push_str(&e.ai);
        s.push_str(&e.value);
        if e.def.is_none_or(|d| d.fnc1) && i + 1 < elements.len() {
            s.push(GS);
        }
    }
    s
}

fn pct_encode(v: &str, out: &mut String) {
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// The Digital Link URI on `https://id.gs1.org`, when the elements have a primary key.
pub fn to_dl(elements: &[Element]) -> Option<String> {
    let pk = elements.iter().find(|e| e.def.is_some_and(|d| d.dlpkey.is_some()))?;
    let quals_spec = pk.def.and_then(|d| d.dlpkey).unwrap_or("");
    let mut s = String::from("https://id.gs1.org/");
    s.push_str(&pk.ai);
    s.push('/');
    pct_encode(&pk.value, &mut s);
    let mut used = vec![pk.ai.as_str()];
    if let Some(alt) = quals_spec
        .split('|')
        .filter(|a| !a.is_empty())
        .max_by_key(|alt| alt.split(',').filter(|q| elements.iter().any(|e| e.ai == *q)).count())
    {
        for q in alt.split(',') {
            if let Some(e) = elements.iter().find(|e| e.ai == q) {
                let _ = write!(s, "/{q}/");
                pct_encode(&e.value, &mut s);
                used.push(q);
            }
        }
    }
    let mut sep = '?';
    for e in elements.iter().filter(|e| !used.contains(&e.ai.as_str())) {
        let _ = write!(s, "{sep}{}=", e.ai);
        pct_encode(&e.value, &mut s);
        sep = '&';
    }
    Some(s)
}

/// GS1 CSET 82: the printable characters allowed in alphanumeric values.
pub fn cset82(c: u8) -> bool {
    matches!(c, b'!' | b'"' | b'%'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msgs(s: &str) -> Vec<String> {
        let (i, _) = validate(&parse_bracketed(s).unwrap());
        i.into_iter().map(|x| x.message).collect()
    }

    #[test]
    fn valid_examples_from_the_general_specifications() {
        for s in [
            "(01)09506000134352(17)261231(10)ABC123",
            "(00)106141411234567897",
            "(01)09506000134352(3103)000189",
            "(00)106141411234567897(02)09506000134352(37)12",
            "(01)09506000134352(21)12345",
            "(414)9506000134352(254)ABC",
            "(8006)095060001343520102(21)1",
            "(01)09506000134352(422)616",
        ] {
            assert!(msgs(s).is_empty(), "{s}: {:?}", msgs(s));
        }
    }

    #[test]
    fn each_class_of_invalid() {
        let m = msgs("(01)09506000134353");
        assert!(m[0].contains("check digit is 3 but should be 2"), "{m:?}");
        assert_eq!(msgs("(01)09506000134352(17)261332"), vec!["(17) 261332: month 13"]);
        assert!(msgs("(17)261231")[0].contains("needs (01) or (02)"));
        assert!(msgs("(02)09506000134352")[0].contains("needs (37)"));
        assert!(msgs("(01)09506000134352(02)09506000134352(37)1")
            .iter()
            .any(|m| m.contains("must not appear together")));
        assert!(msgs("(01)0950600013435")[0].contains("too short"));
        assert!(msgs("(01)09506000134352(10)ABC DEF")[0].contains("CSET 82"));
        assert!(msgs("(01)09506000134352(10)AAAAAAAAAAAAAAAAAAAAA")[0].contains("longer than 20"));
        assert!(msgs("(01)09506000134352(422)000")[0].contains("ISO 3166"));
        assert!(msgs("(99)X(23)Y")[0].contains("not an AI"));
    }

    #[test]
    fn three_spellings_round_trip() {
        let b = "(01)09506000134352(10)ABC(17)261231(21)S/N 1";
        let e = parse_bracketed(b).unwrap();
        let raw = to_raw(&e);
        // GS only after the variable-length (10); (01) and (17) are of predefined length.
        assert_eq!(raw, "010950600013435210ABC\u{1d}1726123121S/N 1");
        assert_eq!(to_bracketed(&parse_raw(&format!("]C1{raw}")).unwrap()), b);
        let dl = to_dl(&e).unwrap();
        assert_eq!(dl, "https://id.gs1.org/01/09506000134352/10/ABC/21/S%2FN%201?17=261231");
        assert_eq!(to_bracketed(&parse_dl(&dl).unwrap()), "(01)09506000134352(10)ABC(21)S/N 1(17)261231");
    }

    #[test]
    fn digital_link_rules() {
        assert!(parse_dl("https://example.com/shop/01/09506000134352/21/X/10/Y").is_err(), "qualifier order");
        assert!(parse_dl("https://example.com/01/09506000134352?3103=000189&utm=x").is_ok());
        assert!(parse_dl("https://example.com/nothing/here").is_err());
        assert!(parse_dl("https://example.com/01/09506000134352?21=X").is_err(), "(21) is not a DL attribute");
    }

    #[test]
    fn brackets_in_values_are_escaped() {
        let e = parse_bracketed("(10)A\\(B)C").unwrap();
        assert_eq!(e[0].value, "A(B)C");
        assert_eq!(to_bracketed(&e), "(10)A\\(B)C");
    }
}
