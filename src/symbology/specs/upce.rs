//! UPC-E (ISO/IEC 15420): the zero-suppressed form of a UPC-A.

use crate::symbology::linear;
use crate::symbology::spec::{LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "upce",
    data_rule: linear::UPCE_RULE,
    quiet: (9, 9),
    height: 69,
    encode: |d, _| linear::upce(d),
    ..LINEAR
};
