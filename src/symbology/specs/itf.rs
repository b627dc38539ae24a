//! Interleaved 2 of 5 (ISO/IEC 16390).

use crate::symbology::linear;
use crate::symbology::spec::{no_defaults, Family, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "itf",
    data_rule: "an even number of digits, 2-80 (pad=true adds a leading 0 to an odd count)",
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[Opt::Pad, Opt::Bearer { default: false }],
    text_data: false,
    gs1_data: false,
    encode: |d, o| linear::itf(d, o.pad, o.bearer.unwrap_or(false)),
    defaults: no_defaults,
};
