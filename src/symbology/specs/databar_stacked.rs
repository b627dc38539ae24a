//! GS1 DataBar Stacked (two rows 5 and 7 modules high), small items.

use crate::symbology::databar;
use crate::symbology::spec::{DataSchema, Spec, STACKED};

pub const SPEC: Spec = Spec {
    name: "databar-stacked",
    data_rule: databar::RULE,
    data_schema: DataSchema { pattern: r"^(\(01\))?[0-9]{13,14}$", max_chars: 18, example: "0950110153000" },
    encode: |d, _| databar::encode(d, databar::Form::Stacked),
    ..STACKED
};
