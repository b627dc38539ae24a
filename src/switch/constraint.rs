//! Constraints on who a switch applies to, with the semantics of Unleash's constraint
//! operators (its client specification is the reference, `tests/unleash_spec.rs`), so a
//! rule an operator writes in their feature-flag tool means the same clients here. Pure: a
//! constraint is evaluated against a `Context` that names the request's fields.

use ipnet::IpNet;
use std::borrow::Cow;
use std::net::IpAddr;

/// Where a constraint reads its value: the request's fields by name (`client`, `address`,
/// `route`, `symbology`, `family`, `header:NAME`; Unleash's `userId`, `remoteAddress`, … in
/// the specification test).
pub trait Context {
    /// The field's value; `None` when the request has none (or it is empty, as in Unleash).
    fn field(&self, name: &str) -> Option<Cow<'_, str>>;
}

/// The operators supported, named as Unleash names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    StrContains,
    StrStartsWith,
    StrEndsWith,
    NumEq,
    NumGt,
    NumGte,
    NumLt,
    NumLte,
    InCidr,
}

impl Operator {
    pub const ALL: [Operator; 11] = [
        Operator::In,
        Operator::NotIn,
        Operator::StrContains,
        Operator::StrStartsWith,
        Operator::StrEndsWith,
        Operator::NumEq,
        Operator::NumGt,
        Operator::NumGte,
        Operator::NumLt,
        Operator::NumLte,
        Operator::InCidr,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operator::In => "IN",
            Operator::NotIn => "NOT_IN",
            Operator::StrContains => "STR_CONTAINS",
            Operator::StrStartsWith => "STR_STARTS_WITH",
            Operator::StrEndsWith => "STR_ENDS_WITH",
            Operator::NumEq => "NUM_EQ",
            Operator::NumGt => "NUM_GT",
            Operator::NumGte => "NUM_GTE",
            Operator::NumLt => "NUM_LT",
            Operator::NumLte => "NUM_LTE",
            Operator::InCidr => "IN_CIDR",
        }
    }

    pub fn from_name(s: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.name() == s)
    }

    /// Whether the operator compares one number (`value`) rather than a list (`values`).
    pub fn numeric(self) -> bool {
        matches!(self, Operator::NumEq | Operator::NumGt | Operator::NumGte | Operator::NumLt | Operator::NumLte)
    }
}

/// What a constraint compares with, prepared once when the switch is stored.
#[derive(Clone, Debug, PartialEq)]
enum Operand {
    /// Trimmed, non-empty values (lower-cased when case-insensitive).
    Strings(Vec<String>),
    /// `None` when `value` is not a number: the constraint never holds.
    Number(Option<f64>),
    /// Values that are not a block or an address are ignored, as Unleash does.
    Nets(Vec<IpNet>),
}

/// One constraint: `field OPERATOR values`, optionally inverted and case-insensitive.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    pub field: String,
    pub operator: Operator,
    pub inverted: bool,
    pub case_insensitive: bool,
    /// The values as given (for answers and the stored file).
    pub values: Vec<String>,
    operand: Operand,
}

/// A number as JavaScript's `Number()` reads a context value: trimmed, empty is no number.
fn number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| !v.is_nan())
}

/// Whether `s` reads as a number (a numeric operator's `value`).
pub fn is_number(s: &str) -> bool {
    number(s).is_some()
}

/// A CIDR block or a single address.
pub fn net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>().ok().or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

impl Constraint {
    /// A constraint over `values` (for a numeric operator, the first value is the number).
    /// Lenient as Unleash is: empty values are dropped, bad blocks ignored; the admin API
    /// refuses those before they get here (`body.rs`).
    pub fn new(field: &str, operator: Operator, values: Vec<String>, inverted: bool, case_insensitive: bool) -> Self {
        let cleaned = || values.iter().filter(|v| !v.is_empty()).map(|v| v.trim().to_string());
        let operand = match operator {
            o if o.numeric() => Operand::Number(values.first().and_then(|v| number(v))),
            Operator::InCidr => Operand::Nets(values.iter().filter_map(|v| net(v)).collect()),
            Operator::In | Operator::NotIn => Operand::Strings(cleaned().collect()),
            _ if case_insensitive => Operand::Strings(cleaned().map(|v| v.to_lowercase()).collect()),
            _ => Operand::Strings(cleaned().collect()),
        };
        Constraint { field: field.to_string(), operator, inverted, case_insensitive, values, operand }
    }

    /// Whether the constraint holds for `ctx`.
    pub fn holds(&self, ctx: &dyn Context) -> bool {
        let value = ctx.field(&self.field);
        let r = match (&self.operand, self.operator) {
            (Operand::Strings(vs), Operator::In) => value.is_some_and(|v| vs.iter().any(|x| *x == v)),
            (Operand::Strings(vs), Operator::NotIn) => !value.is_some_and(|v| vs.iter().any(|x| *x == v)),
            (Operand::Strings(vs), op) => {
                let Some(v) = value else { return self.inverted };
                let v = if self.case_insensitive { Cow::Owned(v.to_lowercase()) } else { v };
                vs.iter().any(|x| match op {
                    Operator::StrStartsWith => v.starts_with(x.as_str()),
                    Operator::StrEndsWith => v.ends_with(x.as_str()),
                    _ => v.contains(x.as_str()),
                })
            }
            (Operand::Number(n), op) => match (n, value.as_deref().and_then(number)) {
                (Some(n), Some(v)) => match op {
                    Operator::NumEq => v == *n,
                    Operator::NumGt => v > *n,
                    Operator::NumGte => v >= *n,
                    Operator::NumLt => v < *n,
                    _ => v <= *n,
                },
                _ => false,
            },
            (Operand::Nets(nets), _) => value
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
                .is_some_and(|ip| nets.iter().any(|n| n.contains(&ip))),
        };
        r != self.inverted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<&'static str, &'static str>);

    impl Context for Map {
        fn field(&self, name: &str) -> Option<Cow<'_, str>> {
            self.0.get(name).filter(|v| !v.is_empty()).map(|v| Cow::Borrowed(*v))
        }
    }

    fn ctx(pairs: &[(&'static str, &'static str)]) -> Map {
        Map(pairs.iter().copied().collect())
    }

    fn c(field: &str, op: Operator, values: &[&str]) -> Constraint {
        Constraint::new(field, op, values.iter().map(|s| s.to_string()).collect(), false, false)
    }

    #[test]
    fn lists_and_absent_fields() {
        let app = ctx(&[("header:X-Channel", "app")]);
        let none = ctx(&[]);
        assert!(c("header:X-Channel", Operator::In, &["web", "app"]).holds(&app));
        assert!(!c("header:X-Channel", Operator::In, &["web"]).holds(&app));
        assert!(!c("header:X-Channel", Operator::In, &["app"]).holds(&none));
        assert!(c("header:X-Channel", Operator::NotIn, &["app"]).holds(&none));
        assert!(!c("header:X-Channel", Operator::NotIn, &["app"]).holds(&app));
        // An empty list: IN never holds, NOT_IN always.
        assert!(!c("x", Operator::In, &[]).holds(&app));
        assert!(c("x", Operator::NotIn, &[]).holds(&app));
    }

    #[test]
    fn strings_case_and_inversion() {
        let v = ctx(&[("client", "Partner-ACME")]);
        assert!(c("client", Operator::StrStartsWith, &["Partner-"]).holds(&v));
        assert!(!c("client", Operator::StrStartsWith, &["partner-"]).holds(&v));
        let ci = Constraint::new("client", Operator::StrStartsWith, vec!["partner-".into()], false, true);
        assert!(ci.holds(&v));
        let inv = Constraint::new("client", Operator::StrEndsWith, vec!["ACME".into()], true, false);
        assert!(!inv.holds(&v));
        // An absent field fails the operator; inverted, it holds.
        assert!(inv.holds(&ctx(&[])));
        assert!(c("client", Operator::StrContains, &["r-A"]).holds(&v));
    }

    #[test]
    fn numbers_and_blocks() {
        let v = ctx(&[("n", " 3.5 "), ("address", "10.1.2.3"), ("bad", "x")]);
        assert!(c("n", Operator::NumGt, &["3"]).holds(&v));
        assert!(c("n", Operator::NumLte, &["3.5"]).holds(&v));
        assert!(!c("n", Operator::NumEq, &["abc"]).holds(&v));
        assert!(!c("bad", Operator::NumLt, &["9"]).holds(&v));
        assert!(c("address", Operator::InCidr, &["nope", "10.0.0.0/8"]).holds(&v));
        assert!(!c("address", Operator::InCidr, &["10.1.2.4"]).holds(&v));
        assert!(c("address", Operator::InCidr, &["10.1.2.3"]).holds(&v));
    }

    #[test]
    fn operator_names_round_trip() {
        for o in Operator::ALL {
            assert_eq!(Operator::from_name(o.name()), Some(o));
        }
        assert_eq!(Operator::from_name("REGEX"), None);
    }
}
