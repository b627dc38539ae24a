//! Micro QR Code (ISO/IEC 18004), small parts and tight spaces.

use crate::symbology::microqr;
use crate::symbology::spec::{DataSchema, EccKind, Family, Opt, Spec};
use crate::symbology::Ecc;

pub const SPEC: Spec = Spec {
    name: "microqr",
    data_rule: microqr::RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 35, example: "12345" },
    two_d: true,
    quiet: (2, 2),
    height: 0,
    scale: 4,
    fixed_xdim_mm: None,
    family: Family::Qr,
    options: &[Opt::Ecc(EccKind::MicroQrLevel), Opt::MicroVersion],
    text_data: true,
    gs1_data: false,
    encode: |d, o| microqr::encode(d, o.ecc.unwrap_or(Ecc::L), o.version),
    defaults: |o| {
        o.ecc.get_or_insert(Ecc::L);
    },
};
