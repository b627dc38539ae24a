//! Rectangular Micro QR Code (ISO/IEC 23941), for long narrow spaces: tubes, edges, small parts.
//! Drawn as Micro QR is (quiet zone, scale, family); its own levels and sizes.

use crate::symbology::rmqr;
use crate::symbology::spec::{DataSchema, EccKind, Opt, Spec};
use crate::symbology::Ecc;

pub const SPEC: Spec = Spec {
    name: "rmqr",
    data_rule: rmqr::RULE,
    data_schema: DataSchema { pattern: r"", max_chars: 361, example: "HELLO WORLD" },
    options: &[Opt::Ecc(EccKind::RmqrLevel), Opt::RmqrVersion],
    encode: |d, o| rmqr::encode(d, o.ecc.unwrap_or(Ecc::M), o.version),
    defaults: |o| {
        o.ecc.get_or_insert(Ecc::M);
    },
    ..super::microqr::SPEC
};
