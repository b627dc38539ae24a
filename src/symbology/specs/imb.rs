//! USPS Intelligent Mail barcode, US mail.

use crate::symbology::spec::{DataSchema, POSTAL, Spec};
use crate::symbology::imb;

pub const SPEC: Spec = Spec {
    name: "imb",
    data_rule: imb::RULE,
    data_schema: DataSchema { pattern: r"^[0-9]{20}(-([0-9]{5}|[0-9]{9}|[0-9]{11}))?$", max_chars: 32, example: "01234567094987654321-01234567891" },
    quiet: (6, 6),
    encode: |d, _| imb::encode(d),
    ..POSTAL
};
