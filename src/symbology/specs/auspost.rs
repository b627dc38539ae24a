//! Australia Post Standard Customer Barcode.

use crate::symbology::spec::{Spec, POSTAL};
use crate::symbology::auspost;

pub const SPEC: Spec = Spec {
    name: "auspost",
    data_rule: auspost::RULE,
    encode: |d, _| auspost::encode(d),
    ..POSTAL
};
