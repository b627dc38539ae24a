//! DotCode (AIM ISS DotCode Rev. 4.0): dots on a checkerboard, for high-speed printing
//! on cartons and cigarette packs; GS1's default for data starting with digits.

use crate::symbology::dotcode;
use crate::symbology::spec::{DataSchema, Family, no_defaults, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "dotcode",
    data_rule: dotcode::RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 2938, example: "https://example.com/dotcode" },
    two_d: true,
    quiet: (3, 3),
    height: 0,
    scale: 4,
    fixed_xdim_mm: None,
    family: Family::Aztec,
    options: &[Opt::DotColumns, Opt::DotMask, Opt::Gs1],
    text_data: false,
    gs1_data: false,
    encode: |d, o| dotcode::encode(d, o.columns, o.mask, o.gs1),
    defaults: no_defaults,
};
