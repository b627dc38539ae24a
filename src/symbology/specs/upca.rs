//! UPC-A (ISO/IEC 15420), with the 2- and 5-digit add-ons (periodicals).

use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};
use crate::symbology::{ean, linear};

pub const SPEC: Spec = Spec {
    name: "upca",
    data_rule: "11 digits (check digit computed) or 12 (verified)",
    data_schema: DataSchema { pattern: r"^[0-9]{11,12}$", max_chars: 12, example: "01234567890" },
    quiet: (9, 9),
    height: 69,
    options: &[Opt::Addon],
    encode: |d, o| ean::with_addon(linear::upca(d)?, o.addon.as_ref().map(|a| &a.digits[..a.len as usize])),
    ..LINEAR
};
