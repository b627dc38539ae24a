//! Code 32 (Codice Farmaceutico Italiano), Italian pharmaceuticals, drawn as Code 39.

use crate::symbology::pharma39;
use crate::symbology::spec::{no_defaults, Family, Spec};

pub const SPEC: Spec = Spec {
    name: "code32",
    data_rule: pharma39::CODE32_RULE,
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: false,
    encode: |d, _| pharma39::code32(d),
    defaults: no_defaults,
};
