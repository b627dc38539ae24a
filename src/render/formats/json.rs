//! JSON: the symbol described instead of drawn — the normalised data, the human-readable
//! line, the GS1 form, the module matrix (rows of `0`/`1`), and the size in modules, pixels
//! and millimetres at the request's resolution. What a label designer asks before laying a
//! label out, and what a test compares module by module with another encoder.

use crate::render::format::FormatSpec;
use crate::symbology::{fourstate, Symbol};
use serde_json::json;

pub const SPEC: FormatSpec = FormatSpec {
    ext: "json",
    content_type: "application/json",
    printed: false,
    default_dpi: 300,
    dpis: None,
    options: &[],
    write: |d| {
        let rows: Vec<String> = match d.symbol {
            Symbol::Linear(l) => vec![l.modules.iter().map(|&m| if m { '1' } else { '0' }).collect()],
            Symbol::Matrix(m) => m
                .dark
                .chunks(m.width.max(1))
                .map(|r| r.iter().map(|&x| if x { '1' } else { '0' }).collect())
                .collect(),
        };
        let states = match d.symbol {
            Symbol::Matrix(m) => fourstate::states(m),
            Symbol::Linear(_) => None,
        };
        let (mw, mh) = (rows.first().map_or(0, String::len), rows.len());
        let (w, h) = d.size();
        let dpi = d.dpi(300);
        let mm = |px: u32| (px as f64 * 25.4 / dpi as f64 * 1000.0).round() / 1000.0;
        let mut doc = json!({
            "symbology": d.symbology,
            "data": d.data,
            "text": d.text,
            "gs1": if d.gs1 { Some(d.data) } else { None },
            "modules": {"width": mw, "height": mh},
            "matrix": rows,
            "pixels": {"width": w, "height": h},
            "dpi": dpi,
            "size_mm": {"width": mm(w), "height": mm(h)},
        });
        if let Some(s) = states {
            // Four-state postal codes: the bars in the standards' F/A/D/T notation.
            doc["states"] = s.into();
        }
        doc.to_string().into_bytes()
    },
};
