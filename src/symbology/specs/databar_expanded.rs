//! GS1 DataBar Expanded: any GS1 element string, fresh food (weight, price, dates) and coupons.

use crate::symbology::databar_exp;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "databar-expanded",
    data_rule: databar_exp::RULE,
    data_schema: DataSchema { pattern: r"^\([0-9]{2,4}\)[ -~]*$", max_chars: 252, example: "(01)99501101530006(3103)001750" },
    quiet: (1, 1),
    height: 34,
    gs1_data: true,
    encode: |d, _| databar_exp::expanded(d),
    ..LINEAR
};
