//! Code 93.

use crate::symbology::linear;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "code93",
    data_rule: "1-80 ASCII characters (0-127, full ASCII through shift pairs); two check characters added",
    data_schema: DataSchema { pattern: r"^[\u0000-\u007f]+$", max_chars: 80, example: "CODE93" },
    encode: |d, _| linear::code93(d),
    ..LINEAR
};
