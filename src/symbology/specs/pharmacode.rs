//! Pharmacode (Laetus one-track), pharmaceutical packaging.

use crate::symbology::pharma;
use crate::symbology::spec::{LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "pharmacode",
    data_rule: pharma::RULE,
    quiet: (6, 6),
    height: 24,
    encode: |d, _| pharma::encode(d),
    ..LINEAR
};
