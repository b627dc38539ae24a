//! Code 11 (USD-8), telecommunications equipment labelling.

use crate::symbology::code11;
use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "code11",
    data_rule: code11::RULE,
    data_schema: DataSchema { pattern: r"^[0-9-]+$", max_chars: 121, example: "123-45" },
    options: &[Opt::Checks],
    encode: |d, o| code11::encode(d, o.checks.unwrap_or(code11::DEFAULT_CHECKS)),
    defaults: |o| {
        o.checks.get_or_insert(code11::DEFAULT_CHECKS);
    },
    ..LINEAR
};
