//! Australia Post Standard Customer Barcode.

use crate::symbology::spec::{DataSchema, POSTAL, Spec};
use crate::symbology::auspost;

pub const SPEC: Spec = Spec {
    name: "auspost",
    data_rule: auspost::RULE,
    data_schema: DataSchema { pattern: r"^[0-9]{8}$", max_chars: 8, example: "39987520" },
    encode: |d, _| auspost::encode(d),
    ..POSTAL
};
