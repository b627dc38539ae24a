//! Code 32 (Codice Farmaceutico Italiano), Italian pharmaceuticals, drawn as Code 39.

use crate::symbology::pharma39;
use crate::symbology::spec::{LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "code32",
    data_rule: pharma39::CODE32_RULE,
    encode: |d, _| pharma39::code32(d),
    ..LINEAR
};
