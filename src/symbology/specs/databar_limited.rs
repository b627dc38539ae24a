//! GS1 DataBar Limited, small healthcare items.

use crate::symbology::databar;
use crate::symbology::spec::{DataSchema, LINEAR, Spec};

pub const SPEC: Spec = Spec {
    name: "databar-limited",
    data_rule: databar::LIMITED_RULE,
    data_schema: DataSchema { pattern: r"^(\(01\))?[0-9]{13,14}$", max_chars: 18, example: "0950110153000" },
    quiet: (1, 1),
    height: 10,
    encode: |d, _| databar::limited(d),
    ..LINEAR
};
