//! PZN (Pharmazentralnummer, PZN8), German pharmaceuticals, drawn as Code 39.

use crate::symbology::pharma39;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "pzn",
    data_rule: pharma39::PZN_RULE,
    data_schema: DataSchema { pattern: r"^[0-9]{7,8}$", max_chars: 8, example: "1234562" },
    encode: |d, _| pharma39::pzn(d),
    ..LINEAR
};
