//! Code 128 (ISO/IEC 15417).

use crate::symbology::code128;
use crate::symbology::spec::{no_defaults, Family, Spec};

pub const SPEC: Spec = Spec {
    name: "code128",
    data_rule: code128::RULE,
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: false,
    encode: |d, _| code128::encode(d),
    defaults: no_defaults,
};
