//! GS1 DataBar Truncated (Omnidirectional's bars, 13 modules high), small items.

use crate::symbology::databar;
use crate::symbology::spec::{Spec, LINEAR};

pub const SPEC: Spec = Spec {
    name: "databar-truncated",
    data_rule: databar::RULE,
    quiet: (1, 1),
    height: 13,
    encode: |d, _| databar::encode(d, databar::Form::Truncated),
    ..LINEAR
};
