//! KIX (Klantenindex), PostNL's 4-state code.

use crate::symbology::spec::{DataSchema, POSTAL, Spec};
use crate::symbology::royalmail;

pub const SPEC: Spec = Spec {
    name: "kix",
    data_rule: royalmail::KIX_RULE,
    data_schema: DataSchema { pattern: r"^[0-9A-Za-z]+$", max_chars: 18, example: "2500GG30250" },
    encode: |d, _| royalmail::kix(d),
    ..POSTAL
};
