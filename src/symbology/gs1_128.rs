//! GS1-128: a GS1 element string in bracketed form, `(01)09506000134352(17)261231(10)ABC`,
//! encoded as Code 128 with FNC1 first and FNC1 after every value whose AI the GS1 Syntax
//! Dictionary marks as needing a separator. Each element is validated against the
//! dictionary (AI known, lengths, character sets, linters such as check digits and dates)
//! by the shared `gs1` module. Mandatory associations are not enforced here: GS1 evaluates
//! them over all the carriers on an item, and one label may carry only part of the data.

use super::code128::{self, FNC1};
use super::{DataError, Encoded};
use crate::gs1::element::{self, Element};

pub const RULE: &str = "a GS1 element string in bracketed form, e.g. (01)09506000134352(17)261231(10)ABC; \
every AI validated against the GS1 Syntax Dictionary; at most 48 data characters";

/// GS1 limit on data characters in one GS1-128 symbol (AIs and values, FNC1 excluded).
pub const MAX_DATA: usize = 48;

pub use crate::gs1::element::cset82;

/// Parses a bracketed element string and validates every element (not the associations).
pub fn parse_bracketed(s: &str) -> Result<Vec<Element>, DataError> {
    let elements = element::parse_bracketed(s).map_err(DataError::Gs1)?;
    let (issues, _unchecked) = element::validate_each(&elements);
    match issues.into_iter().next() {
        Some(i) => Err(DataError::Gs1(i.message)),
        None => Ok(elements),
    }
}

/// The symbol characters: FNC1, then each AI and value, FNC1 after values that need one.
pub fn atoms(elements: &[Element]) -> Vec<u16> {
    let mut a = vec![FNC1];
    for (k, e) in elements.iter().enumerate() {
        a.extend(e.ai.bytes().map(u16::from));
        a.extend(e.value.bytes().map(u16::from));
        if e.def.is_none_or(|d| d.fnc1) && k + 1 < elements.len() {
            a.push(FNC1);
        }
    }
    a
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
    Ok(Encoded::linear(modules, s.to_owned(), s.to_owned()))
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
        assert!(m("(17)2612").contains("(17) 2612: value too short"), "{}", m("(17)2612"));
        assert!(m("(17)261332").contains("(17) 261332: month 13"));
        assert!(m("01)x").contains("expected '('"));
        assert!(m("(1)x").contains("2 to 4 digits"));
        assert!(m("(10)AB C").contains("CSET 82"));
        assert!(m("(23)X").contains("not an AI"));
        assert!(encode(format!("(10){}", "A".repeat(47)).as_bytes()).is_err());
    }
}
