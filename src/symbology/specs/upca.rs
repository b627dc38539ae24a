//! UPC-A (ISO/IEC 15420).

use crate::symbology::linear;
use crate::symbology::spec::{no_defaults, Family, Spec};

pub const SPEC: Spec = Spec {
    name: "upca",
    data_rule: "11 digits (check digit computed) or 12 (verified)",
    two_d: false,
    quiet: (9, 9),
    height: 69,
    scale: 2,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: false,
    encode: |d, _| linear::upca(d),
    defaults: no_defaults,
};
