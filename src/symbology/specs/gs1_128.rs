//! GS1-128: a GS1 element string in Code 128 with FNC1.

use crate::symbology::gs1_128;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "gs1-128",
    data_rule: gs1_128::RULE,
    data_schema: DataSchema { pattern: r"^\([0-9]{2,4}\)[ -~]*$", max_chars: 192, example: "(01)09501101530003(17)261231" },
    gs1_data: true,
    encode: |d, _| gs1_128::encode(d),
    ..LINEAR
};
