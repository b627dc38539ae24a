//! Code 128 (ISO/IEC 15417).

use crate::symbology::code128;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "code128",
    data_rule: code128::RULE,
    data_schema: DataSchema { pattern: r"^[\u0000-\u00ff]+$", max_chars: 256, example: "ORD-2026-000123" },
    encode: |d, _| code128::encode(d),
    ..LINEAR
};
