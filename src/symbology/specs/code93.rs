//! Code 93.

use crate::symbology::linear;
use crate::symbology::spec::{LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "code93",
    data_rule: "1-80 ASCII characters (0-127, full ASCII through shift pairs); two check characters added",
    encode: |d, _| linear::code93(d),
    ..LINEAR
};
