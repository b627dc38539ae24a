//! The `GET /v1/symbologies` document: each symbology, its data rule and its options with
//! ranges and defaults. Built once; it only changes with the code.

use super::error::json_str;
use super::options::{DPI, HEIGHT, HEIGHT_MM, QUIET, SCALE, XDIM_MIL, XDIM_MM};
use crate::symbology::Symbology;
use std::fmt::Write;
use std::sync::OnceLock;

/// The JSON document.
pub fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(build)
}

fn build() -> String {
    let mut s = String::from("{\"symbologies\":[");
    for (i, sym) in Symbology::ALL.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let (ql, qr) = sym.default_quiet();
        s.push_str("{\"name\":");
        json_str(sym.name(), &mut s);
        let _ = write!(s, ",\"dimensions\":{},\"data\":", if sym.is_2d() { 2 } else { 1 });
        json_str(sym.data_rule(), &mut s);
        s.push_str(",\"formats\":[\"png\",\"svg\"],\"options\":{");
        let _ = write!(
            s,
            "\"scale\":{{\"min\":{},\"max\":{},\"default\":{},\"unit\":\"pixels per module\"}},",
            SCALE.0,
            SCALE.1,
            sym.default_scale()
        );
        if !sym.is_2d() {
            let _ = write!(
                s,
                "\"height\":{{\"min\":{},\"max\":{},\"default\":{},\"unit\":\"modules\"}},\"text\":{{\"default\":true}},",
                HEIGHT.0,
                HEIGHT.1,
                sym.default_height()
            );
        }
        let _ = write!(
            s,
            "\"quiet\":{{\"min\":{},\"max\":{},\"default\":[{ql},{qr}],\"unit\":\"modules\"}},",
            QUIET.0, QUIET.1
        );
        s.push_str("\"fg\":{\"default\":\"000000\",\"format\":\"RRGGBB or RRGGBBAA\"},");
        s.push_str("\"bg\":{\"default\":\"ffffff\",\"format\":\"RRGGBB or RRGGBBAA\"},");
        s.push_str("\"rotate\":{\"values\":[0,90,180,270],\"default\":0},");
        let _ = write!(s, "\"dpi\":{{\"min\":{},\"max\":{},\"default\":null}},", DPI.0, DPI.1);
        let _ = write!(
            s,
            "\"xdim\":{{\"min\":{},\"max\":{},\"unit\":\"mm\"}},\"xdim_mil\":{{\"min\":{},\"max\":{},\"unit\":\"mil\"}}",
            XDIM_MM.0, XDIM_MM.1, XDIM_MIL.0, XDIM_MIL.1
        );
        if !sym.is_2d() {
            let _ = write!(s, ",\"height_mm\":{{\"min\":{},\"max\":{},\"unit\":\"mm\"}}", HEIGHT_MM.0, HEIGHT_MM.1);
        }
        s.push_str(match sym {
            Symbology::Qr => ",\"ecc\":{\"values\":[\"L\",\"M\",\"Q\",\"H\"],\"default\":\"M\"},\"version\":{\"min\":1,\"max\":40,\"default\":null},\"mask\":{\"min\":0,\"max\":7,\"default\":null},\"gs1\":{\"default\":false}",
            Symbology::Ean13 => ",\"addon\":{\"format\":\"2 or 5 digits\",\"default\":null},\"marks\":{\"default\":false}",
            Symbology::Ean8 => ",\"marks\":{\"default\":false}",
            Symbology::Pdf417 => {
                ",\"ecc\":{\"min\":0,\"max\":8,\"default\":2},\"columns\":{\"min\":1,\"max\":30,\"default\":null}"
            }
            Symbology::Aztec => ",\"ecc\":{\"min\":5,\"max\":95,\"default\":23,\"unit\":\"percent\"}",
            Symbology::DataMatrix => {
                ",\"shape\":{\"values\":[\"square\",\"rect\"],\"default\":\"square\"},\"gs1\":{\"default\":false}"
            }
            Symbology::Itf => ",\"pad\":{\"default\":false},\"bearer\":{\"default\":false}",
            Symbology::Itf14 => ",\"bearer\":{\"default\":true}",
            Symbology::Code39 => ",\"full_ascii\":{\"default\":false},\"check\":{\"default\":false}",
            _ => "",
        });
        s.push_str("}}");
    }
    s.push_str("]}");
    s
}
