//! PZN (Pharmazentralnummer, PZN8), German pharmaceuticals, drawn as Code 39.

use crate::symbology::pharma39;
use crate::symbology::spec::{LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "pzn",
    data_rule: pharma39::PZN_RULE,
    encode: |d, _| pharma39::pzn(d),
    ..LINEAR
};
