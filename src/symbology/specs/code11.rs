//! Code 11 (USD-8), telecommunications equipment labelling.

use crate::symbology::code11;
use crate::symbology::spec::{Family, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "code11",
    data_rule: code11::RULE,
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[Opt::Checks],
    text_data: false,
    gs1_data: false,
    encode: |d, o| code11::encode(d, o.checks.unwrap_or(code11::DEFAULT_CHECKS)),
    defaults: |o| {
        o.checks.get_or_insert(code11::DEFAULT_CHECKS);
    },
};
