//! Pharmacode (Laetus one-track), pharmaceutical packaging.

use crate::symbology::pharma;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "pharmacode",
    data_rule: pharma::RULE,
    data_schema: DataSchema { pattern: r"^[0-9]+$", max_chars: 6, example: "1234" },
    quiet: (6, 6),
    height: 24,
    encode: |d, _| pharma::encode(d),
    ..LINEAR
};
