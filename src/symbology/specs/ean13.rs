//! EAN-13 (ISO/IEC 15420), with the 2- and 5-digit add-ons.

use crate::symbology::ean;
use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "ean13",
    data_rule: "12 digits (check digit computed) or 13 digits (check digit verified)",
    data_schema: DataSchema { pattern: r"^[0-9]{12,13}$", max_chars: 13, example: "590123412345" },
    quiet: (11, 7),
    height: 69,
    options: &[Opt::Addon, Opt::Marks],
    encode: |d, o| ean::encode_ean13_addon(d, o.addon.as_ref().map(|a| &a.digits[..a.len as usize])),
    ..LINEAR
};
