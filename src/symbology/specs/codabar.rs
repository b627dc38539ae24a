//! Codabar.

use crate::symbology::linear;
use crate::symbology::spec::{LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "codabar",
    data_rule: linear::CODABAR_RULE,
    encode: |d, _| linear::codabar(d),
    ..LINEAR
};
