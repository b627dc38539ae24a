//! QR Code (ISO/IEC 18004).

use crate::symbology::qr;
use crate::symbology::spec::{DataSchema, EccKind, Family, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "qr",
    data_rule: qr::RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 7089, example: "https://shop.example.com/o/123" },
    two_d: true,
    quiet: (4, 4),
    height: 0,
    scale: 4,
    fixed_xdim_mm: None,
    family: Family::Qr,
    options: &[Opt::Ecc(EccKind::QrLevel), Opt::Version, Opt::Mask, Opt::Gs1],
    text_data: true,
    gs1_data: false,
    encode: |d, o| qr::encode(d, o.ecc.unwrap_or(qr::DEFAULT_ECC), o.version, o.mask, o.gs1),
    defaults: |o| {
        o.ecc.get_or_insert(qr::DEFAULT_ECC);
    },
};
