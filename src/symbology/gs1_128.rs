//! GS1-128: a GS1 element string in bracketed form, `(01)09506000134352(17)261231(10)ABC`,
//! encoded as Code 128 with FNC1 first and FNC1 after every variable-length value that is
//! not last. This checks the element-string syntax: AIs of 2-4 digits, values in GS1 CSET
//! 82, the lengths of the AIs whose length GS1 predefines, and the check digit of (00),
//! (01) and (02). Per-AI validation against the full Syntax Dictionary belongs to the
//! parse module (a later issue) and will be shared here.

use super::code128::{self, FNC1};
use super::ean::gs1_check_digit;
use super::{DataError, Encoded, HumanText, Linear, Symbol};

pub const RULE: &str = "a GS1 element string in bracketed form, e.g. (01)09506000134352(17)261231(10)ABC; \
at most 48 data characters; values in GS1 CSET 82";

/// GS1 limit on data characters in one GS1-128 symbol (AIs and values, FNC1 excluded).
pub const MAX_DATA: usize = 48;

/// Total length (AI + value) of the AIs whose length GS1 predefines, by their first two digits.
fn predefined_len(ai: &str) -> Option<usize> {
    Some(match &ai[..2] {
        "00" => 20,
        "01" | "02" | "03" => 16,
        "04" => 18,
        "11" | "12" | "13" | "14" | "15" | "16" | "17" | "18" | "19" => 8,
        "20" => 4,
        "31" | "32" | "33" | "34" | "35" | "36" => 10,
        "41" => 16,
        _ => return None,
    })
}

/// GS1 CSET 82: the printable characters allowed in alphanumeric values.
pub fn cset82(c: u8) -> bool {
    matches!(c, b'!' | b'"' | b'%'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

/// One element: application identifier and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub ai: String,
    pub value: String,
}

fn err(m: String) -> DataError {
    DataError::Gs1(m)
}

/// Parses a bracketed element string.
pub fn parse_bracketed(s: &str) -> Result<Vec<Element>, DataError> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'(' {
            return Err(err(format!("expected '(' at position {i}: bracketed form is (AI)value(AI)value...")));
        }
        let close = b[i..]
            .iter()
            .position(|&c| c == b')')
            .map(|p| p + i)
            .ok_or_else(|| err(format!("unclosed '(' at position {i}")))?;
        let ai = &s[i + 1..close];
        if !(2..=4).contains(&ai.len()) || !ai.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err(format!("({ai}): an application identifier is 2 to 4 digits")));
        }
        let end = b[close + 1..].iter().position(|&c| c == b'(').map_or(b.len(), |p| p + close + 1);
        let value = &s[close + 1..end];
        if value.is_empty() {
            return Err(err(format!("({ai}): empty value")));
        }
        if let Some(p) = value.bytes().position(|c| !cset82(c)) {
            return Err(err(format!(
                "({ai}): character {:?} at position {p} is not in GS1 CSET 82",
                value.as_bytes()[p] as char
            )));
        }
        if let Some(total) = predefined_len(ai) {
            if ai.len() + value.len() != total {
                return Err(err(format!("({ai}): value must be {} characters, got {}", total - ai.len(), value.len())));
            }
        }
        if matches!(ai, "00" | "01" | "02") {
            if !value.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err(format!("({ai}): value must be digits")));
            }
            let d: Vec<u8> = value.bytes().map(|c| c - b'0').collect();
            let (body, check) = d.split_at(d.len() - 1);
            let want = gs1_check_digit(body);
            if check[0] != want {
                return Err(err(format!("({ai}) {value}: check digit is {} but should be {want}", check[0])));
            }
        }
        out.push(Element { ai: ai.to_owned(), value: value.to_owned() });
        i = end;
    }
    if out.is_empty() {
        return Err(err("no element strings".into()));
    }
    Ok(out)
}

/// The symbol characters: FNC1, then each AI and value, FNC1 after variable-length values.
pub fn atoms(elements: &[Element]) -> Vec<u16> {
    let mut a = vec![FNC1];
    for (k, e) in elements.iter().enumerate() {
        a.extend(e.ai.bytes().map(u16::from));
        a.extend(e.value.bytes().map(u16::from));
        if predefined_len(&e.ai).is_none() && k + 1 < elements.len() {
            a.push(FNC1);
        }
    }
    a
}

/// The element data as 2D symbologies carry it: GS (0x1D) wherever FNC1 separates values.
pub fn raw_with_gs(elements: &[Element]) -> String {
    atoms(elements).into_iter().skip(1).map(|a| if a == FNC1 { '\u{1d}' } else { a as u8 as char }).collect()
}

pub fn encode(data: &[u8]) -> Result<Encoded, DataError> {
    let s = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    if data.len() > 4 * MAX_DATA {
        return Err(DataError::TooLong { symbology: "gs1-128", max: MAX_DATA, got: data.len(), unit: "characters" });
    }
    let elements = parse_bracketed(s)?;
    let n: usize = elements.iter().map(|e| e.ai.len() + e.value.len()).sum();
    if n > MAX_DATA {
        return Err(DataError::TooLong { symbology: "gs1-128", max: MAX_DATA, got: n, unit: "data characters" });
    }
    let modules = code128::modules(&code128::values(&atoms(&elements)));
    Ok(Encoded {
        symbol: Symbol::Linear(Linear {
            modules,
            guards: Vec::new(),
            text: HumanText::Centered(s.to_owned()),
            bearer: 0,
            addon: None,
        }),
        canonical: s.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnc1_only_after_variable_values() {
        let e = parse_bracketed("(01)09506000134352(10)ABC(17)261231").unwrap();
        let a = atoms(&e);
        assert_eq!(a[0], FNC1);
        assert_eq!(a.iter().filter(|&&x| x == FNC1).count(), 2, "FNC1 first and after (10)");
        let e = parse_bracketed("(01)09506000134352(17)261231(10)ABC").unwrap();
        assert_eq!(atoms(&e).iter().filter(|&&x| x == FNC1).count(), 1);
    }

    #[test]
    fn syntax_errors_name_the_ai() {
        let m = |s: &str| parse_bracketed(s).unwrap_err().to_string();
        assert!(m("(01)09506000134353").contains("(01) 09506000134353: check digit is 3 but should be 2"));
        assert!(m("(17)2612").contains("(17): value must be 6 characters"));
        assert!(m("01)x").contains("expected '('"));
        assert!(m("(1)x").contains("2 to 4 digits"));
        assert!(m("(10)AB C").contains("CSET 82"));
        assert!(encode(format!("(10){}", "A".repeat(47)).as_bytes()).is_err());
    }
}
