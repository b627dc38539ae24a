//! Royal Mail 4-State Customer Code, UK mail.

use crate::symbology::spec::{DataSchema, POSTAL, Spec};
use crate::symbology::royalmail;

pub const SPEC: Spec = Spec {
    name: "rm4scc",
    data_rule: royalmail::RM4SCC_RULE,
    data_schema: DataSchema { pattern: r"^[0-9A-Za-z]+$", max_chars: 50, example: "SN34RD1A" },
    encode: |d, _| royalmail::rm4scc(d),
    ..POSTAL
};
