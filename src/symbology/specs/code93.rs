//! Code 93.

use crate::symbology::linear;
use crate::symbology::spec::{no_defaults, Family, Spec};

pub const SPEC: Spec = Spec {
    name: "code93",
    data_rule: "1-80 ASCII characters (0-127, full ASCII through shift pairs); two check characters added",
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: false,
    encode: |d, _| linear::code93(d),
    defaults: no_defaults,
};
