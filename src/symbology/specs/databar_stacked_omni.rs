//! GS1 DataBar Stacked Omnidirectional (two rows 33 modules high).

use crate::symbology::databar;
use crate::symbology::spec::{Spec, STACKED};

pub const SPEC: Spec = Spec {
    name: "databar-stacked-omni",
    data_rule: databar::RULE,
    encode: |d, _| databar::encode(d, databar::Form::StackedOmni),
    ..STACKED
};
