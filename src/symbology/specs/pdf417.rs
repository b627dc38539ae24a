//! PDF417 (ISO/IEC 15438).

use crate::symbology::spec::{DataSchema, EccKind, Family, no_defaults, Opt, Spec};
use crate::symbology::twod;

pub const SPEC: Spec = Spec {
    name: "pdf417",
    data_rule: twod::PDF417_RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 2628, example: "PDF417 TEST" },
    two_d: true,
    quiet: (2, 2),
    height: 0,
    scale: 2,
    fixed_xdim_mm: None,
    family: Family::Pdf417,
    options: &[Opt::Ecc(EccKind::Pdf417Level), Opt::Columns],
    text_data: false,
    gs1_data: false,
    encode: |d, o| twod::pdf417(d, o.level.unwrap_or(twod::PDF417_DEFAULT_ECC), o.columns),
    defaults: no_defaults,
};
