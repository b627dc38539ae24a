//! The `GET /v1/symbologies` document: each symbology, its data rule and its options with
//! ranges and defaults, all read from the symbology specs (`symbology/specs/`) and the
//! format registry. Built once; it only changes with the code.

use super::error::json_str;
use super::options::Format;
use super::options::{DPI, HEIGHT, HEIGHT_MM, QUIET, SCALE, XDIM_MIL, XDIM_MM};
use crate::symbology::spec::{EccKind, Opt};
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
    for (i, sym) in Symbology::all().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let spec = sym.spec();
        let (ql, qr) = spec.quiet;
        s.push_str("{\"name\":");
        json_str(spec.name, &mut s);
        let _ = write!(s, ",\"dimensions\":{},\"data\":", if spec.two_d { 2 } else { 1 });
        json_str(spec.data_rule, &mut s);
        s.push_str(",\"example\":");
        json_str(spec.data_schema.example, &mut s);
        s.push_str(",\"formats\":[");
        for (j, f) in Format::all().enumerate() {
            if j > 0 {
                s.push(',');
            }
            json_str(f.ext(), &mut s);
        }
        s.push_str("],\"options\":{");
        let _ = write!(
            s,
            "\"scale\":{{\"min\":{},\"max\":{},\"default\":{},\"unit\":\"pixels per module\"}},",
            SCALE.0, SCALE.1, spec.scale
        );
        if !spec.two_d {
            let _ = write!(
                s,
                "\"height\":{{\"min\":{},\"max\":{},\"default\":{},\"unit\":\"modules\"}},\"text\":{{\"default\":true}},",
                HEIGHT.0,
                HEIGHT.1,
                spec.height
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
        if !spec.two_d {
            let _ = write!(s, ",\"height_mm\":{{\"min\":{},\"max\":{},\"unit\":\"mm\"}}", HEIGHT_MM.0, HEIGHT_MM.1);
        }
        for opt in spec.options {
            s.push(',');
            s.push_str(option_json(*opt));
        }
        s.push_str("}}");
    }
    s.push_str("]}");
    s
}

/// The JSON member describing an option beyond the common ones.
fn option_json(opt: Opt) -> &'static str {
    match opt {
        Opt::Ecc(EccKind::QrLevel) => "\"ecc\":{\"values\":[\"L\",\"M\",\"Q\",\"H\"],\"default\":\"M\"}",
        Opt::Ecc(EccKind::Pdf417Level) => "\"ecc\":{\"min\":0,\"max\":8,\"default\":2}",
        Opt::Ecc(EccKind::AztecPercent) => "\"ecc\":{\"min\":5,\"max\":95,\"default\":23,\"unit\":\"percent\"}",
        Opt::Version => "\"version\":{\"min\":1,\"max\":40,\"default\":null}",
        Opt::Ecc(EccKind::MicroQrLevel) => "\"ecc\":{\"values\":[\"L\",\"M\",\"Q\"],\"default\":\"L\"}",
        Opt::Ecc(EccKind::RmqrLevel) => "\"ecc\":{\"values\":[\"M\",\"H\"],\"default\":\"M\"}",
        Opt::MicroVersion => "\"version\":{\"values\":[\"M1\",\"M2\",\"M3\",\"M4\"],\"default\":null}",
        Opt::RmqrVersion => "\"version\":{\"values\":[\"R7x43\",\"R7x59\",\"R7x77\",\"R7x99\",\"R7x139\",\"R9x43\",\"R9x59\",\"R9x77\",\"R9x99\",\"R9x139\",\"R11x27\",\"R11x43\",\"R11x59\",\"R11x77\",\"R11x99\",\"R11x139\",\"R13x27\",\"R13x43\",\"R13x59\",\"R13x77\",\"R13x99\",\"R13x139\",\"R15x43\",\"R15x59\",\"R15x77\",\"R15x99\",\"R15x139\",\"R17x43\",\"R17x59\",\"R17x77\",\"R17x99\",\"R17x139\"],\"default\":null}",
        Opt::Mask => "\"mask\":{\"min\":0,\"max\":7,\"default\":null}",
        Opt::Gs1 => "\"gs1\":{\"default\":false}",
        Opt::Addon => "\"addon\":{\"format\":\"2 or 5 digits\",\"default\":null}",
        Opt::Marks => "\"marks\":{\"default\":false}",
        Opt::Columns => "\"columns\":{\"min\":1,\"max\":30,\"default\":null}",
        Opt::MicroColumns => "\"columns\":{\"min\":1,\"max\":4,\"default\":null}",
        Opt::DotColumns => "\"columns\":{\"min\":5,\"max\":200,\"default\":null}",
        Opt::DotMask => "\"mask\":{\"min\":0,\"max\":7,\"default\":null}",
        Opt::Shape => "\"shape\":{\"values\":[\"square\",\"rect\"],\"default\":\"square\"}",
        Opt::Pad => "\"pad\":{\"default\":false}",
        Opt::Bearer { default: false } => "\"bearer\":{\"default\":false}",
        Opt::Bearer { default: true } => "\"bearer\":{\"default\":true}",
        Opt::FullAscii => "\"full_ascii\":{\"default\":false}",
        Opt::Check => "\"check\":{\"default\":false}",
        Opt::Checks => "\"checks\":{\"min\":0,\"max\":2,\"default\":2}",
        Opt::MaxiMode => "\"mode\":{\"min\":2,\"max\":6,\"default\":4}",
        Opt::Primary => "\"postcode\":{\"format\":\"1-9 digits (mode 2) or 1-6 characters (mode 3)\",\"default\":null},\"country\":{\"min\":0,\"max\":999,\"default\":null},\"service\":{\"min\":0,\"max\":999,\"default\":null}",
        Opt::Segments => "\"segments\":{\"min\":2,\"max\":22,\"multiple_of\":2,\"default\":4}",
        Opt::MsiCheck => "\"check\":{\"values\":[\"none\",\"mod10\",\"mod10-10\",\"mod11\"],\"default\":\"mod10\"}",
    }
}

/// The docs' table of each symbology's defaults and own options (Markdown), from the specs;
/// `tests/docs.rs` keeps docs/API.md's copy equal to it.
pub fn options_table() -> String {
    let mut t = String::from(
        "| symbology | kind | quiet zone (modules, left/right) | bar height (modules) | scale (px/module) | options of its own |\n|---|---|---|---|---|---|\n",
    );
    for sym in Symbology::all() {
        let spec = sym.spec();
        let own: Vec<String> = spec
            .options
            .iter()
            .map(|o| match o {
                Opt::Ecc(EccKind::QrLevel) => "`ecc=L\\|M\\|Q\\|H` (M)".to_string(),
                Opt::Ecc(EccKind::Pdf417Level) => "`ecc=0-8` (2)".to_string(),
                Opt::Ecc(EccKind::AztecPercent) => "`ecc=5-95` percent (23)".to_string(),
                Opt::Version => "`version=1-40`".to_string(),
                Opt::Ecc(EccKind::MicroQrLevel) => "`ecc=L\\|M\\|Q` (L)".to_string(),
                Opt::Ecc(EccKind::RmqrLevel) => "`ecc=M\\|H` (M)".to_string(),
                Opt::MicroVersion => "`version=M1-M4`".to_string(),
                Opt::RmqrVersion => "`version=R7x43-R17x139`".to_string(),
                Opt::Mask => "`mask=0-7`".to_string(),
                Opt::Columns => "`columns=1-30`".to_string(),
                Opt::MicroColumns => "`columns=1-4`".to_string(),
                Opt::DotColumns => "`columns=5-200`".to_string(),
                Opt::DotMask => "`mask=0-7` (4-7: corners lit)".to_string(),
                Opt::Segments => "`segments=2-22` even (4)".to_string(),
                Opt::Checks => "`checks=0-2` (2)".to_string(),
                Opt::MsiCheck => "`check=none\\|mod10\\|mod10-10\\|mod11` (mod10)".to_string(),
                Opt::MaxiMode => "`mode=2-6` (4)".to_string(),
                Opt::Primary => "`postcode=`, `country=`, `service=` (modes 2, 3)".to_string(),
                Opt::Shape => "`shape=square\\|rect` (square)".to_string(),
                Opt::Addon => "`addon=` 2 or 5 digits".to_string(),
                Opt::Bearer { default } => format!("`bearer=true\\|false` ({default})"),
                other => format!("`{}=true\\|false` (false)", other.name()),
            })
            .collect();
        let (kind, height) = if spec.two_d { ("2D", "-".to_string()) } else { ("linear", spec.height.to_string()) };
        let _ = writeln!(
            t,
            "| `{}` | {kind} | {}/{} | {height} | {} | {} |",
            spec.name,
            spec.quiet.0,
            spec.quiet.1,
            spec.scale,
            if own.is_empty() { "-".to_string() } else { own.join(", ") }
        );
    }
    t
}
