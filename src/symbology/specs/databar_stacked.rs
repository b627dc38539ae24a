//! GS1 DataBar Stacked (two rows 5 and 7 modules high), small items.

use crate::symbology::databar;
use crate::symbology::spec::{Spec, STACKED};

pub const SPEC: Spec = Spec {
    name: "databar-stacked",
    data_rule: databar::RULE,
    encode: |d, _| databar::encode(d, databar::Form::Stacked),
    ..STACKED
};
