//! USPS Intelligent Mail barcode, US mail.

use crate::symbology::spec::{Spec, POSTAL};
use crate::symbology::imb;

pub const SPEC: Spec = Spec {
    name: "imb",
    data_rule: imb::RULE,
    quiet: (6, 6),
    encode: |d, _| imb::encode(d),
    ..POSTAL
};
