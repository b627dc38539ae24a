//! Codabar.

use crate::symbology::linear;
use crate::symbology::spec::{no_defaults, Family, Spec};

pub const SPEC: Spec = Spec {
    name: "codabar",
    data_rule: linear::CODABAR_RULE,
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: false,
    encode: |d, _| linear::codabar(d),
    defaults: no_defaults,
};
