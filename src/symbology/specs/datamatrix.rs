//! Data Matrix ECC 200 (ISO/IEC 16022), square or rectangular, with GS1 mode.

use crate::symbology::spec::{DataSchema, Family, no_defaults, Opt, Spec};
use crate::symbology::twod;

pub const SPEC: Spec = Spec {
    name: "datamatrix",
    data_rule: twod::DATAMATRIX_RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 3116, example: "HELLO" },
    two_d: true,
    quiet: (1, 1),
    height: 0,
    scale: 4,
    fixed_xdim_mm: None,
    family: Family::DataMatrix,
    options: &[Opt::Shape, Opt::Gs1],
    text_data: false,
    gs1_data: false,
    encode: |d, o| twod::datamatrix(d, o.rect, o.gs1),
    defaults: no_defaults,
};
