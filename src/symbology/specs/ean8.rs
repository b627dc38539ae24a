//! EAN-8 (ISO/IEC 15420).

use crate::symbology::linear;
use crate::symbology::spec::{no_defaults, Family, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "ean8",
    data_rule: "7 digits (check digit computed) or 8 (verified)",
    two_d: false,
    quiet: (7, 7),
    height: 55,
    scale: 2,
    family: Family::Linear,
    options: &[Opt::Marks],
    text_data: false,
    gs1_data: false,
    encode: |d, _| linear::ean8(d),
    defaults: no_defaults,
};
