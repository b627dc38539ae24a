//! KIX (Klantenindex), PostNL's 4-state code.

use crate::symbology::spec::{Spec, POSTAL};
use crate::symbology::royalmail;

pub const SPEC: Spec = Spec {
    name: "kix",
    data_rule: royalmail::KIX_RULE,
    encode: |d, _| royalmail::kix(d),
    ..POSTAL
};
