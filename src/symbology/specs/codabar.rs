//! Codabar.

use crate::symbology::linear;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "codabar",
    data_rule: linear::CODABAR_RULE,
    data_schema: DataSchema { pattern: r"^[0-9A-Da-d$:/.+-]+$", max_chars: 62, example: "A40156B" },
    encode: |d, _| linear::codabar(d),
    ..LINEAR
};
