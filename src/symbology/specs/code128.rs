//! Code 128 (ISO/IEC 15417).

use crate::symbology::code128;
use crate::symbology::spec::{LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "code128",
    data_rule: code128::RULE,
    encode: |d, _| code128::encode(d),
    ..LINEAR
};
