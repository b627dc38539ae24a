//! UPC-E (ISO/IEC 15420): the zero-suppressed form of a UPC-A, with the 2- and 5-digit
//! add-ons.

use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};
use crate::symbology::{ean, linear};

pub const SPEC: Spec = Spec {
    name: "upce",
    data_rule: linear::UPCE_RULE,
    data_schema: DataSchema { pattern: r"^([0-9]{6,8}|[0-9]{11,12})$", max_chars: 12, example: "0123456" },
    quiet: (9, 9),
    height: 69,
    options: &[Opt::Addon],
    encode: |d, o| ean::with_addon(linear::upce(d)?, o.addon.as_ref().map(|a| &a.digits[..a.len as usize])),
    ..LINEAR
};
