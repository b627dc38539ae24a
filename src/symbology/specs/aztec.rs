//! Aztec Code (ISO/IEC 24778).

use crate::symbology::spec::{DataSchema, EccKind, Family, no_defaults, Opt, Spec};
use crate::symbology::twod;

pub const SPEC: Spec = Spec {
    name: "aztec",
    data_rule: twod::AZTEC_RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 4748, example: "AZTEC" },
    two_d: true,
    quiet: (0, 0),
    height: 0,
    scale: 4,
    fixed_xdim_mm: None,
    family: Family::Aztec,
    options: &[Opt::Ecc(EccKind::AztecPercent)],
    text_data: false,
    gs1_data: false,
    encode: |d, o| twod::aztec(d, o.level.unwrap_or(twod::AZTEC_DEFAULT_ECC)),
    defaults: no_defaults,
};
