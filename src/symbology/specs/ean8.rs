//! EAN-8 (ISO/IEC 15420).

use crate::symbology::linear;
use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "ean8",
    data_rule: "7 digits (check digit computed) or 8 (verified)",
    data_schema: DataSchema { pattern: r"^[0-9]{7,8}$", max_chars: 8, example: "5512345" },
    quiet: (7, 7),
    height: 55,
    options: &[Opt::Marks],
    encode: |d, _| linear::ean8(d),
    ..LINEAR
};
