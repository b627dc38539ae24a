//! GS1 DataBar Limited, small healthcare items.

use crate::symbology::databar;
use crate::symbology::spec::{Spec, LINEAR};

pub const SPEC: Spec = Spec {
    name: "databar-limited",
    data_rule: databar::LIMITED_RULE,
    quiet: (1, 1),
    height: 10,
    encode: |d, _| databar::limited(d),
    ..LINEAR
};
