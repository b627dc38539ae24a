//! MaxiCode (ISO/IEC 16023), UPS parcels: modes 2-6, the structured carrier message.

use crate::symbology::maxicode;
use crate::symbology::spec::{DataSchema, Family, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "maxicode",
    data_rule: maxicode::RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 138, example: "Hello MaxiCode 0123456789" },
    two_d: true,
    quiet: (1, 1),
    height: 0,
    scale: 6,
    fixed_xdim_mm: Some(0.88),
    family: Family::Qr,
    options: &[Opt::MaxiMode, Opt::Primary],
    text_data: false,
    gs1_data: false,
    encode: |d, o| maxicode::encode(d, o.maxi_mode.unwrap_or(4), o.primary.as_ref()),
    defaults: |o| {
        o.maxi_mode.get_or_insert(4);
    },
};
