//! ITF-14: a GTIN-14 in Interleaved 2 of 5, with bearer bars by default.

use crate::symbology::linear;
use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "itf14",
    data_rule: "13 digits (check digit computed) or 14 (verified)",
    data_schema: DataSchema { pattern: r"^[0-9]{13,14}$", max_chars: 14, example: "1540014128876" },
    height: 97,
    options: &[Opt::Bearer { default: true }],
    encode: |d, o| linear::itf14(d, o.bearer.unwrap_or(true)),
    ..LINEAR
};
