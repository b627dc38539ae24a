//! Code 32 (Codice Farmaceutico Italiano), Italian pharmaceuticals, drawn as Code 39.

use crate::symbology::pharma39;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "code32",
    data_rule: pharma39::CODE32_RULE,
    data_schema: DataSchema { pattern: r"^[0-9]{8,9}$", max_chars: 9, example: "12345678" },
    encode: |d, _| pharma39::code32(d),
    ..LINEAR
};
