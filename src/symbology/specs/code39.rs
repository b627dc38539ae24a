//! Code 39 (ISO/IEC 16388), with full ASCII and the mod-43 check character as options.

use crate::symbology::linear;
use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "code39",
    data_rule: linear::CODE39_RULE,
    data_schema: DataSchema { pattern: r"^[\u0000-\u007f]+$", max_chars: 80, example: "CODE39-TEST" },
    options: &[Opt::FullAscii, Opt::Check],
    encode: |d, o| linear::code39(d, o.full_ascii, o.check),
    ..LINEAR
};
