//! GS1 DataBar Expanded Stacked: DataBar Expanded in rows of `segments` characters.

use crate::symbology::databar_exp;
use crate::symbology::spec::{DataSchema, Opt, Spec, STACKED};

pub const SPEC: Spec = Spec {
    name: "databar-expanded-stacked",
    data_rule: databar_exp::RULE,
    data_schema: DataSchema { pattern: r"^\([0-9]{2,4}\)[ -~]*$", max_chars: 252, example: "(01)09501101530003(17)261231(10)LOT-42" },
    options: &[Opt::Segments],
    gs1_data: true,
    encode: |d, o| databar_exp::stacked(d, o.segments.unwrap_or(databar_exp::DEFAULT_SEGMENTS)),
    defaults: |o| {
        o.segments.get_or_insert(databar_exp::DEFAULT_SEGMENTS);
    },
    ..STACKED
};
