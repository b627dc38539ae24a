//! `GET /v1/parse?code=…` and `POST /v1/parse` (the code as the body, or JSON
//! `{"code": "...", "symbology": "..."}`): say what a scanned code is and whether it is
//! valid. The input is bounded before any work (`MAX_CODE`), and every step is pure.

use super::error::ApiError;
use crate::gs1::{element, gtin, table};
use crate::http::query;
use crate::symbology::linear::{upca_to_upce, upce_to_upca};
use serde_json::{json, Map, Value};

/// Longest code accepted, in bytes: a GS1 Digital Link URI with every attribute fits.
pub const MAX_CODE: usize = 4096;

/// A parse request after decoding.
pub struct ParseRequest {
    pub code: String,
    pub symbology: Option<String>,
}

fn bad(name: &'static str, v: &[u8], expected: &'static str) -> ApiError {
    ApiError::BadOption { name, value: String::from_utf8_lossy(v).into_owned(), expected }
}

/// Reads `code`/`symbology` from the query, or the body (JSON or the code itself).
pub fn request(query_str: &[u8], body: &[u8], content_type: Option<&[u8]>) -> Result<ParseRequest, ApiError> {
    let mut code: Option<Vec<u8>> = None;
    let mut symbology = None;
    for (k, v) in query::pairs(query_str) {
        let dec = |field| {
            query::decode(v, true)
                .map_err(|query::DecodeError::BadEscape(o)| ApiError::BadPercentEncoding { field, offset: o })
        };
        match k {
            b"code" if code.is_none() => code = Some(dec("code")?.into_owned()),
            b"code" => return Err(ApiError::DuplicateOption("code".into())),
            b"symbology" if symbology.is_none() => {
                let v = dec("symbology")?.into_owned();
                symbology = Some(String::from_utf8(v).map_err(|_| ApiError::NotUtf8 { field: "symbology" })?);
            }
            b"symbology" => return Err(ApiError::DuplicateOption("symbology".into())),
            other => return Err(ApiError::UnknownOption(String::from_utf8_lossy(other).into_owned())),
        }
    }
    if !body.is_empty() {
        if code.is_some() {
            return Err(ApiError::DataTwice);
        }
        let json = content_type.is_some_and(|c| c.trim_ascii().starts_with(b"application/json"));
        if json {
            let v: Value = serde_json::from_slice(body)
                .map_err(|e| bad("body", format!("{e}").as_bytes(), "JSON {\"code\": \"...\"}"))?;
            let c = v.get("code").and_then(Value::as_str).ok_or_else(|| bad("code", b"(absent)", "a JSON string"))?;
            code = Some(c.as_bytes().to_vec());
            match v.get("symbology") {
                None => {}
                Some(Value::String(s)) => symbology = Some(s.clone()),
                Some(_) => return Err(bad("symbology", b"(not a string)", "a JSON string")),
            }
        } else {
            code = Some(body.to_vec());
        }
    }
    // An empty code is no scanned code: refused as absent (it once described itself as
    // "Code 128 text").
    let code = code.filter(|c| !c.is_empty()).ok_or(ApiError::MissingCode)?;
    if code.len() > MAX_CODE {
        return Err(ApiError::CodeTooLong { length: code.len(), max: MAX_CODE });
    }
    let code = String::from_utf8(code).map_err(|_| ApiError::NotUtf8 { field: "code" })?;
    Ok(ParseRequest { code, symbology })
}

fn is_code39(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b"-. $/+%".contains(&b))
}

fn elements_json(elements: &[element::Element], issues: &[element::Issue]) -> Value {
    Value::Array(
        elements
            .iter()
            .map(|e| {
                let errs: Vec<&str> = issues
                    .iter()
                    .filter(|i| i.ai.as_deref() == Some(e.ai.as_str()))
                    .map(|i| i.message.as_str())
                    .collect();
                json!({
                    "ai": e.ai,
                    "title": e.def.map(|d| d.title),
                    "value": e.value,
                    "fnc1": e.def.map(|d| d.fnc1),
                    "valid": errs.is_empty(),
                    "errors": errs,
                })
            })
            .collect(),
    )
}

fn gtin_json(d: &str) -> Option<Value> {
    gtin::describe(d).map(|g| gtin_info_json(d, &g))
}

fn gtin_info_json(d: &str, g: &gtin::GtinInfo) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), json!(g.kind));
    m.insert("check_digit".into(), json!({"expected": g.expected, "found": g.found, "valid": g.valid}));
    m.insert("gtin14".into(), json!(g.gtin14));
    m.insert("prefix".into(), json!(g.prefix));
    m.insert("issuer".into(), json!(g.issuer));
    if g.kind == "GTIN-12" && g.valid {
        let a: Vec<u8> = d.bytes().map(|b| b - b'0').collect();
        let first: [u8; 11] = a[..11].try_into().unwrap_or_default();
        m.insert("upce".into(), json!(upca_to_upce(&first).map(|e| format!("{}{}{}", a[0], digits(&e), a[11]))));
    }
    Value::Object(m)
}

fn digits(d: &[u8]) -> String {
    d.iter().map(|x| (b'0' + x) as char).collect()
}

/// Describes a code. `Err` only for input that is not a code at all (handled as 400 above).
pub fn describe(req: &ParseRequest) -> Value {
    let code = req.code.trim_end_matches(['\r', '\n']);
    let mut out = Map::new();
    out.insert("input".into(), json!(code));
    let mut candidates: Vec<&str> = Vec::new();
    let mut valid = true;
    let mut errors: Vec<Value> = Vec::new();

    // Scanned data behind a symbology identifier: GS1 data, plain data, or an EAN/UPC.
    let scanned = element::parse_scan(code);
    let mut plain_scan = false;
    // GS1 element strings in their three spellings.
    let gs1 = if let Some(scan) = scanned {
        match scan {
            Ok(element::Scanned::Elements(e)) => Some(Ok((e, "GS1 scanned data"))),
            Ok(element::Scanned::Plain { symbology, data }) => {
                // Valid scanned data that is not GS1: no element strings.
                plain_scan = true;
                candidates.push("scanned data");
                out.insert("scanned".into(), json!({"symbology": symbology, "data": data}));
                None
            }
            Ok(element::Scanned::Ean { digits, composite }) => {
                out.insert("gtin".into(), json!(gtin_json(&digits)));
                if composite.is_empty() {
                    plain_scan = true;
                    candidates.push("EAN/UPC scanned data");
                    None
                } else {
                    Some(Ok((composite, "EAN/UPC with a GS1 composite")))
                }
            }
            Err(e) => Some(Err(e)),
        }
    } else if code.starts_with('(') {
        Some(element::parse_bracketed(code).map(|e| (e, "GS1 element string")))
    } else if element::looks_raw(code) {
        Some(element::parse_raw(code).map(|e| (e, "GS1 element string")))
    } else if element::is_dl_scheme(code) {
        match element::parse_dl(code) {
            Ok(e) => Some(Ok((e, "GS1 Digital Link URI"))),
            Err(e) if code.split('/').any(|seg| table::lookup(seg).is_some_and(|d| d.dlpkey.is_some())) => Some(Err(e)),
            Err(_) => {
                candidates.push("URL");
                None
            }
        }
    } else {
        None
    };
    match gs1 {
        Some(Ok((elements, kind))) => {
            candidates.push(kind);
            let (issues, unchecked) = element::validate(&elements);
            valid = issues.is_empty();
            errors.extend(issues.iter().map(|i| json!({"ai": i.ai, "message": i.message})));
            out.insert("elements".into(), elements_json(&elements, &issues));
            out.insert("unchecked_linters".into(), json!(unchecked));
            out.insert("bracketed".into(), json!(element::to_bracketed(&elements)));
            out.insert("raw".into(), json!(element::to_raw(&elements)));
            out.insert("digital_link".into(), json!(element::to_dl(&elements)));
            if let Some(e) = elements.iter().find(|e| matches!(e.ai.as_str(), "01" | "02" | "00")) {
                out.insert("gtin".into(), json!(gtin_json(&e.value)));
            }
        }
        Some(Err(msg)) => {
            candidates.push("GS1 element string");
            valid = false;
            errors.push(json!({"ai": null, "message": msg}));
        }
        None if plain_scan => {
            out.insert("elements".into(), json!([]));
        }
        None => {}
    }

    // Digit strings: GTIN-8/12/13/14, SSCC-18, UPC-E.
    if candidates.is_empty() && !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(info) = gtin::describe(code) {
            candidates.push(info.kind);
            if !info.valid {
                valid = false;
                errors.push(json!({"ai": null, "message": format!("check digit is {} but should be {}", info.found, info.expected)}));
            }
            out.insert("gtin".into(), gtin_info_json(code, &info));
        }
        if code.len() == 8 && matches!(code.as_bytes()[0], b'0' | b'1') {
            let d: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
            let a = upce_to_upca(d[0], &d[1..7].try_into().unwrap_or_default());
            let check = crate::symbology::ean::gs1_check_digit(&a);
            candidates.push("UPC-E");
            out.insert(
                "upce".into(),
                json!({"upca": format!("{}{check}", digits(&a)), "check_digit_valid": check == d[7]}),
            );
        }
        if candidates.is_empty() {
            candidates.push("digits");
        }
    }
    if candidates.is_empty() {
        if is_code39(code) {
            candidates.push("Code 39 text");
        }
        if code.bytes().all(|b| b < 128) {
            candidates.push("Code 128 text");
        }
        if candidates.is_empty() {
            candidates.push("unknown");
        }
    }
    out.insert("symbology".into(), json!(req.symbology.as_deref().unwrap_or(candidates[0])));
    out.insert("candidates".into(), json!(candidates));
    out.insert("valid".into(), json!(valid));
    out.insert("errors".into(), Value::Array(errors));
    Value::Object(out)
}

/// The degraded answer (parse breaker open): only `valid` and `symbology`, from the one
/// check that costs nothing (a digit string's check digit); anything else is
/// `{"valid": false, "symbology": "unknown"}`. `valid` is true only when verified.
pub fn minimal(req: &ParseRequest) -> Value {
    let code = req.code.trim_end_matches(['\r', '\n']);
    let info = (!code.is_empty() && code.bytes().all(|b| b.is_ascii_digit())).then(|| gtin::describe(code)).flatten();
    match info {
        Some(i) => json!({"valid": i.valid, "symbology": i.kind, "degraded": true}),
        None => json!({"valid": false, "symbology": "unknown", "degraded": true}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(code: &str) -> Value {
        describe(&ParseRequest { code: code.into(), symbology: None })
    }

    #[test]
    fn minimal_answers() {
        let m = |c: &str| minimal(&ParseRequest { code: c.into(), symbology: None });
        assert_eq!(m("4006381333931"), json!({"valid": true, "symbology": "GTIN-13", "degraded": true}));
        assert_eq!(m("4006381333932")["valid"], false);
        assert_eq!(m("(01)04006381333931"), json!({"valid": false, "symbology": "unknown", "degraded": true}));
    }

    #[test]
    fn gtins() {
        let v = d("5901234123457");
        assert_eq!(v["valid"], true);
        assert_eq!(v["symbology"], "GTIN-13");
        assert_eq!(v["gtin"]["issuer"], "GS1 Poland");
        let v = d("5901234123450");
        assert_eq!(v["valid"], false);
        assert_eq!(v["gtin"]["check_digit"]["expected"], 7);
        assert_eq!(d("042100005264")["gtin"]["upce"], "04252614");
        assert_eq!(d("04252614")["upce"]["upca"], "042100005264");
        assert_eq!(d("106141411234567897")["symbology"], "SSCC-18");
    }

    #[test]
    fn gs1_forms() {
        let v = d("(01)09506000134352(17)261231(10)ABC");
        assert_eq!(v["valid"], true, "{v}");
        assert_eq!(v["elements"][1]["title"], "USE BY or EXPIRY");
        assert_eq!(v["digital_link"], "https://id.gs1.org/01/09506000134352/10/ABC?17=261231");
        let v = d("]C10109506000134352\u{1d}17261332");
        assert_eq!(v["valid"], false);
        assert_eq!(v["errors"][0]["message"], "(17) 261332: month 13");
        let v = d("https://example.com/01/09506000134352/10/ABC?17=261231");
        assert_eq!(v["symbology"], "GS1 Digital Link URI");
        assert_eq!(v["bracketed"], "(01)09506000134352(10)ABC(17)261231");
        assert_eq!(d("https://example.com/about")["symbology"], "URL");
    }

    #[test]
    fn text() {
        assert_eq!(d("ABC-123")["candidates"], json!(["Code 39 text", "Code 128 text"]));
        assert_eq!(d("zażółć")["symbology"], "unknown");
    }

    #[test]
    fn request_limits() {
        assert!(matches!(request(b"", &vec![b'1'; MAX_CODE + 1], None), Err(ApiError::CodeTooLong { .. })));
        assert!(matches!(request(b"", b"", None), Err(ApiError::MissingCode)));
        let r = request(b"", br#"{"code":"123","symbology":"gtin"}"#, Some(b"application/json")).unwrap();
        assert_eq!((r.code.as_str(), r.symbology.as_deref()), ("123", Some("gtin")));
        assert!(request(b"", b"{", Some(b"application/json")).is_err());
        assert!(request(b"bogus=1", b"", None).is_err());
    }
}
