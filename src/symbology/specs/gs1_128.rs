//! GS1-128: a GS1 element string in Code 128 with FNC1.

use crate::symbology::gs1_128;
use crate::symbology::spec::{no_defaults, Family, Spec};

pub const SPEC: Spec = Spec {
    name: "gs1-128",
    data_rule: gs1_128::RULE,
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: true,
    encode: |d, _| gs1_128::encode(d),
    defaults: no_defaults,
};
