//! MSI Plessey, shelf labels and inventory.

use crate::symbology::msi;
use crate::symbology::spec::{DataSchema, LINEAR, Opt, Spec};

pub const SPEC: Spec = Spec {
    name: "msi",
    data_rule: msi::RULE,
    data_schema: DataSchema { pattern: r"^[0-9]+$", max_chars: 92, example: "1234" },
    quiet: (12, 12),
    options: &[Opt::MsiCheck],
    encode: |d, o| msi::encode(d, o.msi_check),
    ..LINEAR
};
