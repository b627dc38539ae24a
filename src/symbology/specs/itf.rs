//! Interleaved 2 of 5 (ISO/IEC 16390).

use crate::symbology::linear;
use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "itf",
    data_rule: "an even number of digits, 2-80 (pad=true adds a leading 0 to an odd count)",
    data_schema: DataSchema { pattern: r"^[0-9]+$", max_chars: 80, example: "1234567890" },
    options: &[Opt::Pad, Opt::Bearer { default: false }],
    encode: |d, o| linear::itf(d, o.pad, o.bearer.unwrap_or(false)),
    ..LINEAR
};
