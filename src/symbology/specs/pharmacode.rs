//! Pharmacode (Laetus one-track), pharmaceutical packaging.

use crate::symbology::pharma;
use crate::symbology::spec::{no_defaults, Family, Spec};

pub const SPEC: Spec = Spec {
    name: "pharmacode",
    data_rule: pharma::RULE,
    two_d: false,
    quiet: (6, 6),
    height: 24,
    scale: 2,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: false,
    encode: |d, _| pharma::encode(d),
    defaults: no_defaults,
};
