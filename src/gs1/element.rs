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

/// Parses raw GS1 data (after any symbology identifier: `parse_scan` reads those): AIs back
/// to back, one GS (FNC1) after a variable-length value that is not last (GS1 General
/// Specifications 7.8.5.1; after a fixed-length value a GS is tolerated). An empty element
/// string — a GS where an AI must start: leading, doubled, or doubled at the end — is refused.
pub fn parse_raw(s: &str) -> Result<Vec<Element>, String> {
    let mut rest = s;
    let mut out = Vec::new();
    if rest.is_empty() {
        return Err("no element strings".into());
    }
    while !rest.is_empty() {
        if rest.starts_with(GS) {
            return Err("empty element string: a separator (GS/FNC1) where an AI must start".into());
        }
        let def = table::ai_prefix(rest).ok_or_else(|| format!("no known AI at {:?}", truncate(rest)))?;
        let after = &rest[def.ai.len()..];
        let take = match fixed_len(def) {
            Some(n) if after.len() >= n && after.is_char_boundary(n) => n,
            Some(n) => return Err(format!("({}): value needs {n} characters, has {}", def.ai, after.len())),
            None => after.find(GS).unwrap_or(after.len()),
        };
        out.push(Element { ai: def.ai.to_string(), value: after[..take].to_string(), def: Some(def) });
        rest = &after[take..];
        rest = rest.strip_prefix(GS).unwrap_or(rest);
    }
    Ok(out)
}

/// Whether `s` looks like raw GS1 data without a symbology identifier: GS separators.
pub fn looks_raw(s: &str) -> bool {
    s.contains(GS)
}

/// Scanned data as a reader returns it, behind its symbology identifier (ISO/IEC 15424).
#[derive(Debug)]
pub enum Scanned {
    /// GS1 data: `]C1` GS1-128, `]d2` GS1 DataMatrix, `]Q3` GS1 QR, `]e0` GS1 DataBar or a
    /// composite, `]J1` GS1 DotCode; or a Digital Link URI inside plain data.
    Elements(Vec<Element>),
    /// Plain (non-GS1) data of `]d1` DataMatrix, `]Q1` QR, `]J0` DotCode.
    Plain { symbology: &'static str, data: String },
    /// `]E0` EAN-13/UPC (13 digits) or `]E4` EAN-8 (8 digits), the check digit verified, with
    /// the composite's element strings after `|]e0` (GS1 General Specifications 5.11.3).
    Ean { digits: String, composite: Vec<Element> },
}

/// Reads scanned data with its symbology identifier; `None` when `s` does not start with one.
pub fn parse_scan(s: &str) -> Option<Result<Scanned, String>> {
    let id = s.strip_prefix(']')?;
    Some(scan(id))
}

fn scan(id: &str) -> Result<Scanned, String> {
    if id.len() < 2 || !id.is_char_boundary(2) {
        return Err("missing symbology identifier (]C1, ]d2, ]Q3, ]e0, ]J1, ]E0, ]E4, ]d1, ]Q1, ]J0)".into());
    }
    let (code, data) = id.split_at(2);
    let plain = |symbology: &'static str| -> Result<Scanned, String> {
        if is_dl_scheme(data) {
            return parse_dl(data).map(Scanned::Elements);
        }
        Ok(Scanned::Plain { symbology, data: data.to_string() })
    };
    match code {
        "C1" | "d2" | "Q3" | "e0" | "J1" => parse_raw(data).map(Scanned::Elements),
        "d1" => plain("DataMatrix"),
        "Q1" => plain("QR Code"),
        "J0" => plain("DotCode"),
        "E0" | "E4" => {
            let n = if code == "E0" { 13 } else { 8 };
            let (digits, cc) = match data.get(n..) {
                None => return Err(format!("]{code}: primary data needs {n} digits, has {}", data.len())),
                Some("") => (data, None),
                Some(rest) => match rest.strip_prefix("|]e0") {
                    Some(cc) => (&data[..n], Some(cc)),
                    None => return Err(format!("]{code}: primary data longer than {n} digits")),
                },
            };
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("]{code}: primary data may only contain digits"));
            }
            let d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
            if super::gtin::gs1_check_digit(&d[..n - 1]) != d[n - 1] {
                return Err(format!("]{code}: check digit of {digits} is incorrect"));
            }
            let composite = match cc {
                Some(cc) => parse_raw(cc)?,
                None => Vec::new(),
            };
            Ok(Scanned::Ean { digits: digits.to_string(), composite })
        }
        other => Err(format!("]{other}: unsupported symbology identifier")),
    }
}

/// Whether `s` starts with a scheme GS1 Digital Link takes: `https://` or `http://`, in
/// lower or upper case (what QR alphanumeric mode produces).
pub fn is_dl_scheme(s: &str) -> bool {
    ["https://", "HTTPS://", "http://", "HTTP://"].iter().any(|p| s.starts_with(p))
}

/// Characters RFC 3986 allows in a URI; anything else makes it malformed.
fn uri_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

/// Characters that may not stand in a host name (RFC 3986 3.2.2: reg-name is unreserved,
/// sub-delims minus these, and percent-escapes we do not take).
fn bad_host_char(b: u8) -> bool {
    b"_~?#@!$&'()*+,;=%".contains(&b)
}

/// Percent-decodes a Digital Link path segment or query value (`+` is a space in the query,
/// RFC 3986 2.1 / HTML form encoding); a `%` not followed by two hex digits is malformed, a
/// decoded NUL is refused.
fn pct_decode(s: &str, query: bool) -> Result<String, String> {
    let v = crate::http::query::decode(s.as_bytes(), query)
        .map_err(|crate::http::query::DecodeError::BadEscape(at)| format!("bad percent-encoding at {:?}", &s[at..]))?;
    if v.contains(&0) {
        return Err("percent-decoded value contains NUL".into());
    }
    String::from_utf8(v.into_owned()).map_err(|_| "percent-decoded value is not UTF-8".into())
}

/// Parses a GS1 Digital Link URI (GS1 Digital Link standard 1.4, URI syntax):
/// `scheme://host/[stem/]{pk}/{v}[/{q}/{v}…][?{ai}={v}&…][#…]`. The primary key is found
/// from the right: the path is read back in AI/value pairs until a primary key, so a stem
/// may hold AI-like segments. Query keys that are not digits are ignored, digit keys must be
/// data-attribute AIs, parameters without `=` are ignored; no AI may appear twice, and a
/// key qualifier of the primary key belongs in the path, not the query.
pub fn parse_dl(uri: &str) -> Result<Vec<Element>, String> {
    if let Some(p) = uri.bytes().position(|b| !uri_char(b)) {
        return Err(format!("URI contains a character RFC 3986 does not allow at position {p}"));
    }
    let rest = ["https://", "HTTPS://", "http://", "HTTP://"]
        .iter()
        .find_map(|p| uri.strip_prefix(p))
        .ok_or("not an http(s) URI")?;
    let slash = rest.find('/').ok_or("URI needs a host and a path")?;
    let host = &rest[..slash];
    if host.is_empty() {
        return Err("URI needs a host and a path".into());
    }
    if let Some(c) = host.bytes().find(|&b| bad_host_char(b)) {
        return Err(format!("host contains {:?}, not allowed in a host name", c as char));
    }
    let rest = &rest[slash..];
    let rest = rest.split('#').next().unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    // Back from the end, in /AI/value pairs, to the first primary key.
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let mut start = None;
    let mut i = segs.len();
    while i >= 2 {
        let Some(def) = table::lookup(segs[i - 2]) else { break };
        if def.dlpkey.is_some() {
            start = Some(i - 2);
            break;
        }
        i -= 2;
    }
    let start = start.ok_or("no GS1 Digital Link primary key in the path")?;
    let mut out = Vec::new();
    for pair in segs[start..].chunks(2) {
        let def = table::lookup(pair[0]).ok_or_else(|| format!("/{}/: unknown AI in the path", pair[0]))?;
        if pair[1].is_empty() {
            return Err(format!("/{}/: empty value in the path", pair[0]));
        }
        out.push(Element { ai: def.ai.into(), value: pct_decode(pair[1], false)?, def: Some(def) });
    }
    let pk = out[0].def.and_then(|d| d.dlpkey).unwrap_or("");
    let alternatives: Vec<Vec<&str>> =
        pk.split('|').map(|alt| alt.split(',').filter(|q| !q.is_empty()).collect()).collect();
    let quals: Vec<&'static str> = out[1..].iter().filter_map(|e| e.def.map(|d| d.ai)).collect();
    if !quals.is_empty() && !alternatives.iter().any(|alt| in_order(&quals, alt)) {
        return Err(format!("({}) takes the path qualifiers {pk:?} in that order; got {}", out[0].ai, quals.join(",")));
    }
    let path_len = out.len();
    for kv in query.split('&').filter(|p| !p.is_empty()) {
        let Some((k, v)) = kv.split_once('=') else { continue }; // a parameter without a value: ignored
        if k.is_empty() {
            return Err(format!("?={v}: a query parameter without a name"));
        }
        if !k.bytes().all(|b| b.is_ascii_digit()) {
            continue; // non-GS1 query parameters are allowed and ignored
        }
        let def = table::lookup(k).ok_or_else(|| format!("?{k}=: unknown AI"))?;
        if !def.dl_attr {
            return Err(format!("?{k}=: ({k}) is not a Digital Link data attribute"));
        }
        if v.is_empty() {
            return Err(format!("?{k}=: empty value"));
        }
        out.push(Element { ai: k.into(), value: pct_decode(v, true)?, def: Some(def) });
    }
    for (i, e) in out.iter().enumerate() {
        if out[..i].iter().any(|p| p.ai == e.ai) {
            return Err(format!("({}) appears twice in the URI", e.ai));
        }
    }
    // A qualifier of the primary key goes in the path (the standard's key-qualifier rule).
    for e in &out[path_len..] {
        let fits = (0..=quals.len()).any(|at| {
            let mut seq: Vec<&str> = quals.clone();
            seq.insert(at, e.ai.as_str());
            alternatives.iter().any(|alt| in_order(&seq, alt))
        });
        if fits {
            return Err(format!("?{}=: ({}) qualifies the key ({}): it belongs in the path", e.ai, e.ai, out[0].ai));
        }
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
        // CSET 64 (base64url); `=` only as trailing padding, checked apart (`cset64_padding`).
        b'Z' => c.is_ascii_alphanumeric() || c == b'-' || c == b'_',
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
            // CSET 64's padding: at most two `=`, only at the end, and then the length is a
            // multiple of 3 (GS1 General Specifications 7.11, figure 7.11-3).
            let (chars, pads) = match c.cset {
                b'Z' => {
                    let body = part.trim_end_matches('=');
                    (body, part.len() - body.len())
                }
                _ => (part, 0),
            };
            if pads > 2 || (pads > 0 && !part.len().is_multiple_of(3)) {
                issues.push(issue(
                    &e.ai,
                    format!(
                        "({}) {}: CSET 64 padding is at most two '=' at the end of a length that is a multiple of 3",
                        e.ai, e.value
                    ),
                ));
            } else if let Some(p) = chars.bytes().position(|b| !cset_ok(c.cset, b)) {
                let set = match c.cset {
                    b'N' => "digits",
                    b'X' => "GS1 CSET 82",
                    b'Y' => "GS1 CSET 39",
                    _ => "base64url",
                };
                issues.push(issue(
                    &e.ai,
                    format!("({}) {}: character {:?} is not in {set}", e.ai, e.value, chars.as_bytes()[p] as char),
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

/// A digital signature (8030) needs a serialised key: with (253), (255) or (8003) the
/// optional serial component must be there (GS1 General Specifications 3.9.14, the note on
/// AI 8030; the dictionary cannot say it, so it is checked here, as the Syntax Engine does).
fn digital_signature_serial(elements: &[Element], issues: &mut Vec<Issue>) {
    if !elements.iter().any(|e| e.ai == "8030") {
        return;
    }
    for e in elements.iter().filter(|e| matches!(e.ai.as_str(), "253" | "255" | "8003")) {
        let Some(def) = e.def else { continue };
        let min: u32 = def.comps.iter().filter(|c| !c.optional).map(|c| c.min).sum();
        if e.value.len() == min as usize {
            issues.push(issue(
                "8030",
                format!("(8030) needs a serialised key: ({}) {} has no serial component", e.ai, e.value),
            ));
        }
    }
}

fn associations(elements: &[Element], issues: &mut Vec<Issue>) {
    digital_signature_serial(elements, issues);
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
        assert_eq!(to_bracketed(&parse_raw(&raw).unwrap()), b);
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

    // Rules the differential test against GS1's Syntax Engine brought in
    // (tests/gs1_differential.rs); each named after its rule and source.

    #[test]
    fn gs_raw_element_strings_no_empty_element_string() {
        // GS1 General Specifications, FNC1 as a separator: a separator stands only after a
        // value; where an AI must start, a GS is an empty element string.
        let scan = |s: &str| match parse_scan(s) {
            Some(Ok(Scanned::Elements(e))) => Ok(e),
            Some(Err(e)) => Err(e),
            other => panic!("{other:?}"),
        };
        assert!(scan("]C1010950600013435217261231\u{1d}\u{1d}10ABC").is_err());
        assert!(scan("]C1\u{1d}0109506000134352").is_err());
        assert!(scan("]C10109506000134352\u{1d}\u{1d}").is_err());
        assert!(scan("]C1").is_err());
        // One identifier: a second one is data, and not an AI.
        assert!(scan("]C1]C10109506000134352").is_err());
        // One GS after the last value, or after a fixed-length one, is tolerated.
        assert_eq!(scan("]C10109506000134352\u{1d}").unwrap().len(), 1);
        assert_eq!(scan("]C10109506000134352\u{1d}10ABC").unwrap().len(), 2);
    }

    #[test]
    fn gs_character_sets_cset64_padding_only_at_the_end() {
        // GS1 General Specifications, character sets (CSET 64, base64url): '=' pads the end,
        // at most twice, to a length that is a multiple of 3.
        let ok = |s: &str| msgs(&format!("(01)09506000134352(21)S(8030){s}")).is_empty();
        assert!(ok("ABC") && ok("ABCD==") && ok("ABCDE=") && ok("AB-_cd"));
        assert!(!ok("AB=DEF") && !ok("=BCDEF") && !ok("ABCD=") && !ok("AB===") && !ok("A=BC"));
    }

    #[test]
    fn gs_ai_8030_digital_signature_needs_a_serialised_key() {
        // GS1 General Specifications, AI (8030): a digital signature goes with a serialised
        // key; (253), (255) and (8003) must then carry their optional serial component.
        assert!(msgs("(253)9506000134352(8030)ABC").iter().any(|m| m.contains("serialised key")));
        assert!(msgs("(253)9506000134352X(8030)ABC").is_empty());
        assert!(msgs("(8003)09506000134352(8030)ABC").iter().any(|m| m.contains("serialised key")));
        assert!(msgs("(253)9506000134352").is_empty(), "without (8030) no serial is needed");
    }

    #[test]
    fn dl_uri_syntax_duplicate_ais_refused() {
        // GS1 Digital Link standard, URI syntax: each AI at most once in a URI.
        assert!(parse_dl("https://id.gs1.org/01/09506000134352?17=261231&17=261231").is_err());
        assert!(parse_dl("https://id.gs1.org/01/09506000134352/10/L?10=L").is_err());
    }

    #[test]
    fn dl_uri_syntax_key_qualifiers_belong_in_the_path() {
        // GS1 Digital Link standard: a key qualifier (10, 21, 22 for a GTIN) is a path
        // segment after the key, never a query attribute.
        assert!(parse_dl("https://id.gs1.org/01/09506000134352?10=ABC").is_err());
        assert!(parse_dl("https://id.gs1.org/01/09506000134352/10/ABC?21=S").is_err());
        assert_eq!(parse_dl("https://id.gs1.org/01/09506000134352/10/ABC?17=261231").unwrap().len(), 3);
    }

    #[test]
    fn dl_uri_syntax_scheme_in_either_case() {
        // RFC 3986 3.1 (schemes are case-insensitive) as GS1 Digital Link takes it: all lower
        // or all upper case, what QR alphanumeric mode encodes.
        assert!(parse_dl("HTTPS://ID.GS1.ORG/01/09506000134352").is_ok());
        assert!(parse_dl("HTTP://ID.GS1.ORG/01/09506000134352/10/ABC").is_ok());
        assert!(is_dl_scheme("HTTPS://x/") && !is_dl_scheme("Https://x/"));
    }

    #[test]
    fn dl_uri_syntax_primary_key_is_found_from_the_right() {
        // GS1 Digital Link standard: any path may precede the key; the key is the rightmost
        // primary key with only its qualifiers after it.
        let e = parse_dl("https://example.com/00/faux/01/09506000134352").unwrap();
        assert_eq!(e.iter().map(|e| e.ai.as_str()).collect::<Vec<_>>(), ["01"]);
        let e = parse_dl("https://example.com/some/path/01/09506000134352/10/ABC").unwrap();
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn rfc3986_characters_host_and_escapes() {
        // RFC 3986 2 (allowed characters), 3.2.2 (host), 2.1 (percent-encoding).
        assert!(parse_dl("https://example.com/01/09506000134352/10/A<B").is_err());
        assert!(parse_dl("https://example.com/01/09506000134352/10/A\"B").is_err());
        assert!(parse_dl("https:///01/09506000134352").is_err());
        assert!(parse_dl("https://id=gs1.org/01/09506000134352").is_err());
        assert!(parse_dl("https://id.gs1.org/01/09506000134352/10/AB%2").is_err());
        assert_eq!(parse_dl("https://id.gs1.org/01/09506000134352/10/AB%2FC").unwrap()[1].value, "AB/C");
        // A parameter without '=' is ignored; one without a name is malformed.
        assert_eq!(parse_dl("https://id.gs1.org/01/09506000134352?17").unwrap().len(), 1);
        assert!(parse_dl("https://id.gs1.org/01/09506000134352?=x").is_err());
    }

    #[test]
    fn iso15424_symbology_identifiers() {
        // ISO/IEC 15424 symbology identifiers as GS1 scanners send them.
        assert!(matches!(parse_scan("]Q1TESTING"), Some(Ok(Scanned::Plain { .. }))));
        let Some(Ok(Scanned::Elements(e))) = parse_scan("]Q1https://example.com/01/12312312312333?99=TEST") else {
            panic!("a DL URI in a plain QR code is read as GS1 data");
        };
        assert_eq!(e.len(), 2);
        assert!(matches!(parse_scan("]E02112345678900"), Some(Ok(Scanned::Ean { .. }))));
        assert!(parse_scan("]E02112345678901").unwrap().is_err(), "EAN check digit");
        assert!(parse_scan("]E0211234567890").unwrap().is_err(), "EAN-13 needs 13 digits");
        let Some(Ok(Scanned::Ean { composite, .. })) = parse_scan("]E02112345678900|]e099COMPOSITE") else {
            panic!("EAN with a composite");
        };
        assert_eq!(composite[0].ai, "99");
        assert!(parse_scan("]X").unwrap().is_err() && parse_scan("]XX1").unwrap().is_err());
        assert!(parse_scan("no identifier").is_none());
    }
}
