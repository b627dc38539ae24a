//! UPC-E (ISO/IEC 15420): the zero-suppressed form of a UPC-A.

use crate::symbology::linear;
use crate::symbology::spec::{no_defaults, Family, Spec};

pub const SPEC: Spec = Spec {
    name: "upce",
    data_rule: linear::UPCE_RULE,
    two_d: false,
    quiet: (9, 9),
    height: 69,
    scale: 2,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: false,
    encode: |d, _| linear::upce(d),
    defaults: no_defaults,
};
