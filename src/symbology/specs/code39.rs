//! Code 39 (ISO/IEC 16388), with full ASCII and the mod-43 check character as options.

use crate::symbology::linear;
use crate::symbology::spec::{no_defaults, Family, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "code39",
    data_rule: linear::CODE39_RULE,
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[Opt::FullAscii, Opt::Check],
    text_data: false,
    gs1_data: false,
    encode: |d, o| linear::code39(d, o.full_ascii, o.check),
    defaults: no_defaults,
};
