//! MicroPDF417 (ISO/IEC 24728), PDF417's small sibling for small items and GS1 composites.

use crate::symbology::micropdf417;
use crate::symbology::spec::{DataSchema, Family, no_defaults, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "micropdf417",
    data_rule: micropdf417::RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 366, example: "MicroPDF417" },
    two_d: true,
    quiet: (1, 1),
    height: 0,
    scale: 3,
    fixed_xdim_mm: None,
    family: Family::Pdf417,
    options: &[Opt::MicroColumns],
    text_data: false,
    gs1_data: false,
    encode: |d, o| micropdf417::encode(d, o.columns),
    defaults: no_defaults,
};
