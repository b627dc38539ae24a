//! GS1 DataBar Omnidirectional, fresh food and coupons.

use crate::symbology::databar;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "databar",
    data_rule: databar::RULE,
    data_schema: DataSchema { pattern: r"^(\(01\))?[0-9]{13,14}$", max_chars: 18, example: "0950110153000" },
    quiet: (1, 1),
    height: 33,
    encode: |d, _| databar::encode(d, databar::Form::Omni),
    ..LINEAR
};
