//! GS1: the AI table compiled from the Syntax Dictionary, the linters it names, element
//! strings in bracketed, raw (FNC1/GS) and Digital Link form, and GTIN facts (check digit,
//! prefix issuer). Pure: no IO, typed errors, no panics.

pub mod coupon;
pub mod dates;
pub mod element;
pub mod gtin;
pub mod iso;
pub mod lint;
pub mod package_type;
pub mod table;

/// The outcome of one linter (`lint.rs`, `coupon.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lint {
    Ok,
    Fail(String),
    Unchecked,
}
