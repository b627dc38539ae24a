//! GS1 DataBar Omnidirectional, fresh food and coupons.

use crate::symbology::databar;
use crate::symbology::spec::{Spec, LINEAR};

pub const SPEC: Spec = Spec {
    name: "databar",
    data_rule: databar::RULE,
    quiet: (1, 1),
    height: 33,
    encode: |d, _| databar::encode(d, databar::Form::Omni),
    ..LINEAR
};
