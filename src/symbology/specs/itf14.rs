//! ITF-14: a GTIN-14 in Interleaved 2 of 5, with bearer bars by default.

use crate::symbology::linear;
use crate::symbology::spec::{no_defaults, Family, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "itf14",
    data_rule: "13 digits (check digit computed) or 14 (verified)",
    two_d: false,
    quiet: (10, 10),
    height: 97,
    scale: 2,
    family: Family::Linear,
    options: &[Opt::Bearer { default: true }],
    text_data: false,
    gs1_data: false,
    encode: |d, o| linear::itf14(d, o.bearer.unwrap_or(true)),
    defaults: no_defaults,
};
