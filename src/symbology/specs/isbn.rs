//! ISBN, books: EAN-13 with the `ISBN` line above and the optional price add-on.

use crate::symbology::isbn;
use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "isbn",
    data_rule: isbn::RULE,
    data_schema: DataSchema { pattern: r"^[0-9Xx -]+$", max_chars: 64, example: "0-306-40615-2" },
    quiet: (11, 7),
    height: 69,
    options: &[Opt::Addon, Opt::Marks],
    encode: |d, o| isbn::encode(d, o.addon.as_ref().map(|a| &a.digits[..a.len as usize])),
    ..LINEAR
};
