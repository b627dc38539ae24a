//! Royal Mail 4-State Customer Code, UK mail.

use crate::symbology::spec::{Spec, POSTAL};
use crate::symbology::royalmail;

pub const SPEC: Spec = Spec {
    name: "rm4scc",
    data_rule: royalmail::RM4SCC_RULE,
    encode: |d, _| royalmail::rm4scc(d),
    ..POSTAL
};
