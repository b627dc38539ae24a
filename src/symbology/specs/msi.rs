//! MSI Plessey, shelf labels and inventory.

use crate::symbology::msi;
use crate::symbology::spec::{no_defaults, Family, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "msi",
    data_rule: msi::RULE,
    two_d: false,
    quiet: (12, 12),
    height: 50,
    scale: 2,
    family: Family::Linear,
    options: &[Opt::MsiCheck],
    text_data: false,
    gs1_data: false,
    encode: |d, o| msi::encode(d, o.msi_check),
    defaults: no_defaults,
};
