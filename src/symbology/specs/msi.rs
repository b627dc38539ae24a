//! MSI Plessey, shelf labels and inventory.

use crate::symbology::msi;
use crate::symbology::spec::{LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "msi",
    data_rule: msi::RULE,
    quiet: (12, 12),
    options: &[Opt::MsiCheck],
    encode: |d, o| msi::encode(d, o.msi_check),
    ..LINEAR
};
