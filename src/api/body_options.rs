//! Generate options given as a JSON object (a batch's `defaults` and items, a label's
//! barcodes) turned into the query string a single request would carry, so the one option
//! parser (`options::parse`) decides them and errors read the same.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;

/// An option's value as the text a query string would carry: a JSON string, number or
/// boolean (anything else is a shape error of the whole request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptText(pub String);

impl<'de> Deserialize<'de> for OptText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = OptText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OptText, E> {
                Ok(OptText(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<OptText, E> {
                Ok(OptText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<OptText, E> {
                Ok(OptText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<OptText, E> {
                Ok(OptText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<OptText, E> {
                Ok(OptText(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Options by name, as sent.
pub type Options = BTreeMap<String, OptText>;

/// Percent-encodes a query component.
fn enc(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The options as a query string: `defaults`, overridden by `own`. `data` is refused: the
/// data has its own field.
pub fn query(defaults: &Options, own: &Options) -> Result<String, &'static str> {
    let mut q = String::new();
    let merged = defaults.iter().filter(|(k, _)| !own.contains_key(*k)).chain(own.iter());
    for (k, OptText(v)) in merged {
        if k == "data" {
            return Err("options.data: the data has its own field");
        }
        if !q.is_empty() {
            q.push('&');
        }
        enc(&mut q, k);
        q.push('=');
        enc(&mut q, v);
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_options_override_defaults_and_values_are_escaped() {
        let d: Options = serde_json::from_str(r#"{"scale":2,"text":false}"#).unwrap();
        let o: Options = serde_json::from_str(r#"{"scale":3,"fg":"FF 00"}"#).unwrap();
        assert_eq!(query(&d, &o).unwrap(), "text=false&fg=FF%2000&scale=3");
        assert!(serde_json::from_str::<Options>(r#"{"scale":[1]}"#).is_err());
        let bad: Options = serde_json::from_str(r#"{"data":"x"}"#).unwrap();
        assert!(query(&bad, &Options::new()).is_err());
    }
}
