//! UPC-A (ISO/IEC 15420).

use crate::symbology::linear;
use crate::symbology::spec::{LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "upca",
    data_rule: "11 digits (check digit computed) or 12 (verified)",
    quiet: (9, 9),
    height: 69,
    encode: |d, _| linear::upca(d),
    ..LINEAR
};
