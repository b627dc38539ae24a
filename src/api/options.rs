//! Query options of a generate request: parsed, range-checked, defaults filled in, and
//! turned into the canonical key from which the ETag and the cache key derive.

use super::error::ApiError;
use crate::http::query;
use crate::render::format::OutputOptions;
use crate::render::{RenderOptions, Rgba, Rotation};
use crate::symbology::spec::{EccKind, Opt, Spec};
use crate::symbology::{Addon, Ecc, EncodeOptions, Symbology};
use std::borrow::Cow;

pub use crate::render::RENDERER_VERSION;

/// Documented option ranges (inclusive).
pub const SCALE: (u32, u32) = (1, 50);
pub const HEIGHT: (u32, u32) = (1, 1000);
pub const QUIET: (u32, u32) = (0, 100);
pub const DPI: (u32, u32) = (72, 4800);

pub use crate::render::formats::Format;

/// Parsed options plus the data found in the query, if any.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub render: RenderOptions,
    pub encode: EncodeOptions,
    /// Options of the output format (ZPL placement).
    pub out: OutputOptions,
    pub data: Option<Cow<'a, [u8]>>,
}

fn number(name: &'static str, v: &[u8], range: (u32, u32), expected: &'static str) -> Result<u32, ApiError> {
    let bad = || ApiError::BadOption { name, value: String::from_utf8_lossy(v).into_owned(), expected };
    if v.is_empty() || v.len() > 9 || !v.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let n = v.iter().fold(0u32, |a, &b| a * 10 + (b - b'0') as u32);
    if n < range.0 || n > range.1 {
        return Err(bad());
    }
    Ok(n)
}

/// Physical sizing ranges: module width in mm and in mils, bar height in mm.
pub const XDIM_MM: (f64, f64) = (0.05, 5.0);
pub const XDIM_MIL: (f64, f64) = (2.0, 200.0);
pub const HEIGHT_MM: (f64, f64) = (1.0, 500.0);
/// Label placement range (`x`, `y`), in printer dots.
pub const OFFSET: (u32, u32) = (0, 32000);

fn decimal(name: &'static str, v: &[u8], range: (f64, f64), expected: &'static str) -> Result<f64, ApiError> {
    let bad = || ApiError::BadOption { name, value: String::from_utf8_lossy(v).into_owned(), expected };
    let ok_chars = !v.is_empty() && v.len() <= 10 && v.iter().all(|b| b.is_ascii_digit() || *b == b'.');
    let n: f64 = std::str::from_utf8(v).ok().filter(|_| ok_chars).and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    if !(range.0..=range.1).contains(&n) {
        return Err(bad());
    }
    Ok(n)
}

fn boolean(name: &'static str, v: &[u8]) -> Result<bool, ApiError> {
    match v {
        b"true" | b"1" => Ok(true),
        b"false" | b"0" => Ok(false),
        _ => {
            Err(ApiError::BadOption { name, value: String::from_utf8_lossy(v).into_owned(), expected: "true or false" })
        }
    }
}

/// Which symbologies an option applies to.
#[derive(Clone, Copy)]
enum Scope {
    /// Every symbology.
    All,
    /// Linear symbologies (bar height, physical bar height).
    Linear,
    /// Those whose spec lists it.
    Only(Opt),
    /// Output formats that take it (`FormatSpec::options`), whatever the symbology.
    Format,
}

/// Options while they are read: the typed result, plus the physical sizes resolved after.
struct Reading {
    spec: &'static Spec,
    r: RenderOptions,
    e: EncodeOptions,
    out: OutputOptions,
    xdim_mm: Option<f64>,
    height_mm: Option<f64>,
}

impl Reading {
    fn not_for(&self, name: &'static str) -> ApiError {
        ApiError::OptionNotApplicable { name, symbology: self.spec.name }
    }
}

/// One query option: its name, whom it applies to, and how its (percent-decoded) value is
/// read into the options. `data` is read apart (it is the data, not an option).
struct OptionDef {
    name: &'static str,
    scope: Scope,
    read: fn(&mut Reading, &[u8]) -> Result<(), ApiError>,
}

fn bad(name: &'static str, v: &[u8], expected: &'static str) -> ApiError {
    ApiError::BadOption { name, value: String::from_utf8_lossy(v).into_owned(), expected }
}

/// The names of the query options (`data` left out: it is the data), each once (a name
/// that means different things for different symbologies has several entries), in the
/// table's order: the command line takes each as `--NAME VALUE`.
pub fn names() -> impl Iterator<Item = &'static str> {
    OPTIONS
        .iter()
        .enumerate()
        .filter(|(i, o)| o.name != "data" && !OPTIONS[..*i].iter().any(|p| p.name == o.name))
        .map(|(_, o)| o.name)
}

/// A query option a request may carry: its name, and the symbology option it stands for
/// when it is one symbology's own (`None`: common to all, the linear ones, or the format's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applicable {
    pub name: &'static str,
    pub own: Option<Opt>,
}

/// The query options (`data` left out) a request for `spec` in `fmt` may carry, in the
/// table's order: what `/openapi.json` lists for it.
pub fn applicable(spec: &Spec, fmt: Format) -> Vec<Applicable> {
    OPTIONS
        .iter()
        .filter(|d| d.name != "data")
        .filter_map(|d| match d.scope {
            Scope::All => Some(Applicable { name: d.name, own: None }),
            Scope::Linear if !spec.two_d => Some(Applicable { name: d.name, own: None }),
            Scope::Only(opt) if spec.takes(opt) => {
                // The spec's own entry (a bearer's default is the spec's).
                let own =
                    spec.options.iter().copied().find(|o| std::mem::discriminant(o) == std::mem::discriminant(&opt));
                Some(Applicable { name: d.name, own })
            }
            Scope::Format if fmt.takes(d.name) => Some(Applicable { name: d.name, own: None }),
            _ => None,
        })
        .collect()
}

/// Every query option, `data` first.
const OPTIONS: &[OptionDef] = &[
    OptionDef { name: "data", scope: Scope::All, read: |_, _| Ok(()) },
    OptionDef {
        name: "scale",
        scope: Scope::All,
        read: |o, v| {
            o.r.scale = number("scale", v, SCALE, "an integer 1-50 (pixels per module)")?;
            Ok(())
        },
    },
    OptionDef {
        name: "height",
        scope: Scope::Linear,
        read: |o, v| {
            o.r.height = number("height", v, HEIGHT, "an integer 1-1000 (bar height in modules)")?;
            Ok(())
        },
    },
    OptionDef {
        name: "quiet",
        scope: Scope::All,
        read: |o, v| {
            let q = number("quiet", v, QUIET, "an integer 0-100 (quiet zone in modules)")?;
            o.r.quiet = (q, q);
            Ok(())
        },
    },
    OptionDef {
        name: "text",
        scope: Scope::All,
        read: |o, v| {
            let t = boolean("text", v)?;
            // A 2D symbol has no text line: only text=false is accepted.
            if o.spec.two_d && t {
                return Err(o.not_for("text"));
            }
            o.r.text = t;
            Ok(())
        },
    },
    OptionDef {
        name: "fg",
        scope: Scope::All,
        read: |o, v| {
            o.r.fg = Rgba::parse_hex(v).ok_or_else(|| bad("fg", v, "RRGGBB or RRGGBBAA hex"))?;
            Ok(())
        },
    },
    OptionDef {
        name: "bg",
        scope: Scope::All,
        read: |o, v| {
            o.r.bg = Rgba::parse_hex(v).ok_or_else(|| bad("bg", v, "RRGGBB or RRGGBBAA hex"))?;
            Ok(())
        },
    },
    OptionDef {
        name: "rotate",
        scope: Scope::All,
        read: |o, v| {
            o.r.rotate = match v {
                b"0" => Rotation::R0,
                b"90" => Rotation::R90,
                b"180" => Rotation::R180,
                b"270" => Rotation::R270,
                _ => return Err(bad("rotate", v, "0, 90, 180 or 270")),
            };
            Ok(())
        },
    },
    OptionDef {
        name: "ecc",
        scope: Scope::Only(Opt::Ecc(EccKind::QrLevel)),
        read: |o, v| {
            match o.spec.ecc() {
                Some(EccKind::QrLevel) => {
                    o.e.ecc = Some(match v {
                        b"L" | b"l" => Ecc::L,
                        b"M" | b"m" => Ecc::M,
                        b"Q" | b"q" => Ecc::Q,
                        b"H" | b"h" => Ecc::H,
                        _ => return Err(bad("ecc", v, "L, M, Q or H")),
                    })
                }
                Some(EccKind::MicroQrLevel) => {
                    o.e.ecc = Some(match v {
                        b"L" | b"l" => Ecc::L,
                        b"M" | b"m" => Ecc::M,
                        b"Q" | b"q" => Ecc::Q,
                        _ => return Err(bad("ecc", v, "L, M or Q (Micro QR)")),
                    })
                }
                Some(EccKind::RmqrLevel) => {
                    o.e.ecc = Some(match v {
                        b"M" | b"m" => Ecc::M,
                        b"H" | b"h" => Ecc::H,
                        _ => return Err(bad("ecc", v, "M or H (rMQR)")),
                    })
                }
                Some(EccKind::Pdf417Level) => {
                    o.e.level = Some(number("ecc", v, (0, 8), "an integer 0-8 (PDF417 level)")? as u8)
                }
                Some(EccKind::AztecPercent) => {
                    o.e.level = Some(number("ecc", v, (5, 95), "an integer 5-95 (percent)")? as u8)
                }
                None => return Err(o.not_for("ecc")),
            }
            Ok(())
        },
    },
    OptionDef {
        name: "dpi",
        scope: Scope::All,
        read: |o, v| {
            o.r.dpi = Some(number("dpi", v, DPI, "an integer 72-4800 (dots per inch)")?);
            Ok(())
        },
    },
    OptionDef {
        name: "pad",
        scope: Scope::Only(Opt::Pad),
        read: |o, v| {
            o.e.pad = boolean("pad", v)?;
            Ok(())
        },
    },
    OptionDef {
        name: "bearer",
        scope: Scope::Only(Opt::Bearer { default: false }),
        read: |o, v| {
            o.e.bearer = Some(boolean("bearer", v)?);
            Ok(())
        },
    },
    OptionDef {
        name: "full_ascii",
        scope: Scope::Only(Opt::FullAscii),
        read: |o, v| {
            o.e.full_ascii = boolean("full_ascii", v)?;
            Ok(())
        },
    },
    OptionDef {
        name: "check",
        scope: Scope::Only(Opt::Check),
        read: |o, v| {
            o.e.check = boolean("check", v)?;
            Ok(())
        },
    },
    // The same query name as Code 39's boolean `check`: the definition whose scope applies
    // to the symbology reads it.
    OptionDef {
        name: "check",
        scope: Scope::Only(Opt::MsiCheck),
        read: |o, v| {
            o.e.msi_check = crate::symbology::msi::MsiCheck::from_name(v)
                .ok_or_else(|| bad("check", v, "none, mod10, mod10-10 or mod11"))?;
            Ok(())
        },
    },
    OptionDef {
        name: "checks",
        scope: Scope::Only(Opt::Checks),
        read: |o, v| {
            o.e.checks = Some(number("checks", v, (0, 2), "0, 1 or 2 (Code 11 check characters)")? as u8);
            Ok(())
        },
    },
    OptionDef {
        name: "segments",
        scope: Scope::Only(Opt::Segments),
        read: |o, v| {
            let n = number("segments", v, (2, 22), "an even integer 2-22 (characters per row)")?;
            if n % 2 == 1 {
                return Err(bad("segments", v, "an even integer 2-22 (characters per row)"));
            }
            o.e.segments = Some(n as u8);
            Ok(())
        },
    },
    OptionDef {
        name: "mode",
        scope: Scope::Only(Opt::MaxiMode),
        read: |o, v| {
            o.e.maxi_mode = Some(number("mode", v, (2, 6), "an integer 2-6 (MaxiCode mode)")? as u8);
            Ok(())
        },
    },
    OptionDef {
        name: "postcode",
        scope: Scope::Only(Opt::Primary),
        read: |o, v| {
            if v.is_empty() || v.len() > 9 || !v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b' ') {
                return Err(bad("postcode", v, "1-9 digits (mode 2) or 1-6 letters, digits and spaces (mode 3)"));
            }
            let p = o.e.primary.get_or_insert_with(Default::default);
            p.postcode[..v.len()].copy_from_slice(v);
            p.len = v.len() as u8;
            Ok(())
        },
    },
    OptionDef {
        name: "country",
        scope: Scope::Only(Opt::Primary),
        read: |o, v| {
            let n = number("country", v, (0, 999), "an ISO 3166 numeric country code, 3 digits")?;
            o.e.primary.get_or_insert_with(Default::default).country = n as u16;
            Ok(())
        },
    },
    OptionDef {
        name: "service",
        scope: Scope::Only(Opt::Primary),
        read: |o, v| {
            let n = number("service", v, (0, 999), "a class of service, 3 digits")?;
            o.e.primary.get_or_insert_with(Default::default).service = n as u16;
            Ok(())
        },
    },
    OptionDef {
        name: "shape",
        scope: Scope::Only(Opt::Shape),
        read: |o, v| {
            o.e.rect = match v {
                b"square" => false,
                b"rect" => true,
                _ => return Err(bad("shape", v, "square or rect")),
            };
            Ok(())
        },
    },
    OptionDef {
        name: "gs1",
        scope: Scope::Only(Opt::Gs1),
        read: |o, v| {
            o.e.gs1 = boolean("gs1", v)?;
            Ok(())
        },
    },
    OptionDef {
        name: "columns",
        scope: Scope::Only(Opt::Columns),
        read: |o, v| {
            o.e.columns = Some(number("columns", v, (1, 30), "an integer 1-30 (PDF417 data columns)")? as u8);
            Ok(())
        },
    },
    // The same query name as PDF417's: MicroPDF417 has 1-4 data columns.
    OptionDef {
        name: "columns",
        scope: Scope::Only(Opt::MicroColumns),
        read: |o, v| {
            o.e.columns = Some(number("columns", v, (1, 4), "an integer 1-4 (MicroPDF417 data columns)")? as u8);
            Ok(())
        },
    },
    // The same query name as PDF417's: DotCode's width in dots.
    OptionDef {
        name: "columns",
        scope: Scope::Only(Opt::DotColumns),
        read: |o, v| {
            o.e.columns = Some(number("columns", v, (5, 200), "an integer 5-200 (DotCode width in dots)")? as u8);
            Ok(())
        },
    },
    OptionDef {
        name: "xdim",
        scope: Scope::All,
        read: |o, v| {
            o.xdim_mm = Some(decimal("xdim", v, XDIM_MM, "a module width in mm, 0.05-5.0")?);
            Ok(())
        },
    },
    OptionDef {
        name: "xdim_mil",
        scope: Scope::All,
        read: |o, v| {
            o.xdim_mm = Some(decimal("xdim_mil", v, XDIM_MIL, "a module width in mils, 2-200")? * 0.0254);
            Ok(())
        },
    },
    OptionDef {
        name: "height_mm",
        scope: Scope::Linear,
        read: |o, v| {
            o.height_mm = Some(decimal("height_mm", v, HEIGHT_MM, "a bar height in mm, 1-500")?);
            Ok(())
        },
    },
    OptionDef {
        name: "version",
        scope: Scope::Only(Opt::Version),
        read: |o, v| {
            o.e.version = Some(number("version", v, (1, 40), "an integer 1-40 (QR version)")? as u8);
            Ok(())
        },
    },
    // The same query name as QR's: Micro QR's versions are M1-M4.
    OptionDef {
        name: "version",
        scope: Scope::Only(Opt::MicroVersion),
        read: |o, v| {
            let n = v.strip_prefix(b"M").or_else(|| v.strip_prefix(b"m")).unwrap_or(v);
            o.e.version = Some(number("version", n, (1, 4), "M1, M2, M3 or M4 (Micro QR version)")? as u8);
            Ok(())
        },
    },
    // The same query name as QR's: rMQR's sizes are named R{rows}x{columns}.
    OptionDef {
        name: "version",
        scope: Scope::Only(Opt::RmqrVersion),
        read: |o, v| {
            o.e.version = Some(
                crate::symbology::rmqr::parse_version(v)
                    .ok_or_else(|| bad("version", v, "an rMQR size, R7x43 to R17x139"))?,
            );
            Ok(())
        },
    },
    OptionDef {
        name: "addon",
        scope: Scope::Only(Opt::Addon),
        read: |o, v| {
            if v.len() > 5 {
                return Err(ApiError::Data(crate::symbology::DataError::Addon("addon: 2 or 5 digits")));
            }
            let mut a = Addon { len: v.len() as u8, ..Addon::default() };
            a.digits[..v.len()].copy_from_slice(v);
            o.e.addon = Some(a);
            Ok(())
        },
    },
    OptionDef {
        name: "mask",
        scope: Scope::Only(Opt::Mask),
        read: |o, v| {
            o.e.mask = Some(number("mask", v, (0, 7), "an integer 0-7 (QR mask pattern)")? as u8);
            Ok(())
        },
    },
    // The same query name as QR's: DotCode's four masks, and the same with the corners lit.
    OptionDef {
        name: "mask",
        scope: Scope::Only(Opt::DotMask),
        read: |o, v| {
            o.e.mask =
                Some(
                    number("mask", v, (0, 7), "an integer 0-7 (DotCode mask 0-3; 4-7 the same with the corners lit)")?
                        as u8,
                );
            Ok(())
        },
    },
    OptionDef {
        name: "marks",
        scope: Scope::Only(Opt::Marks),
        read: |o, v| {
            o.r.marks = boolean("marks", v)?;
            Ok(())
        },
    },
    OptionDef {
        name: "zpl",
        scope: Scope::Format,
        read: |o, v| {
            o.out.graphic = match v {
                b"native" => false,
                b"graphic" => true,
                _ => return Err(bad("zpl", v, "native or graphic")),
            };
            Ok(())
        },
    },
    OptionDef {
        name: "zpl_compress",
        scope: Scope::Format,
        read: |o, v| {
            o.out.z64 = match v {
                b"ascii" => false,
                b"z64" => true,
                _ => return Err(bad("zpl_compress", v, "ascii or z64")),
            };
            Ok(())
        },
    },
    OptionDef {
        name: "label",
        scope: Scope::Format,
        read: |o, v| {
            o.out.label = boolean("label", v)?;
            Ok(())
        },
    },
    OptionDef {
        name: "x",
        scope: Scope::Format,
        read: |o, v| {
            o.out.x = number("x", v, OFFSET, "an integer 0-32000 (printer dots)")?;
            Ok(())
        },
    },
    OptionDef {
        name: "y",
        scope: Scope::Format,
        read: |o, v| {
            o.out.y = number("y", v, OFFSET, "an integer 0-32000 (printer dots)")?;
            Ok(())
        },
    },
];

/// Parses `query` for `sym`; `data_allowed` is false when the path already carried data.
pub fn parse(sym: Symbology, fmt: Format, query_str: &[u8], data_allowed: bool) -> Result<Parsed<'_>, ApiError> {
    let spec = sym.spec();
    let mut seen = [false; OPTIONS.len()];
    let mut o = Reading {
        spec,
        r: RenderOptions {
            scale: spec.scale,
            height: spec.height,
            quiet: spec.quiet,
            text: !spec.two_d,
            fg: Rgba::BLACK,
            bg: Rgba::WHITE,
            rotate: Rotation::R0,
            dpi: None,
            height_px: None,
            marks: false,
        },
        e: EncodeOptions::default(),
        out: OutputOptions::default(),
        xdim_mm: None,
        height_mm: None,
    };
    let mut data = None;
    for (k, v) in query::pairs(query_str) {
        // Of the definitions of this name, the one whose scope takes this symbology (else the
        // first, to say why not).
        let named = |d: &OptionDef| d.name.as_bytes() == k;
        let fits = |d: &OptionDef| !matches!(d.scope, Scope::Only(opt) if !spec.takes(opt));
        let found = OPTIONS.iter().position(|d| named(d) && fits(d)).or_else(|| OPTIONS.iter().position(named));
        let Some(idx) = found else {
            // Named as decoded when that is text, else as sent (never with U+FFFD in it).
            let decoded = query::decode(k, true).ok().and_then(|c| String::from_utf8(c.into_owned()).ok());
            let name = decoded.unwrap_or_else(|| String::from_utf8_lossy(k).into_owned());
            return Err(ApiError::UnknownOption(name));
        };
        let def = &OPTIONS[idx];
        if seen[idx] {
            return Err(ApiError::DuplicateOption(def.name.into()));
        }
        seen[idx] = true;
        // Option values are plain tokens; decode them in case a client escaped anyway.
        let raw = v;
        let v = query::decode(v, true).map_err(|query::DecodeError::BadEscape(at)| ApiError::BadPercentEncoding {
            field: def.name,
            offset: at,
        })?;
        if def.name == "data" {
            if !data_allowed {
                return Err(ApiError::DataTwice);
            }
            data = Some(query::decode(raw, true).map_err(|query::DecodeError::BadEscape(at)| {
                ApiError::BadPercentEncoding { field: "data", offset: at }
            })?);
            continue;
        }
        let applies = match def.scope {
            Scope::All => true,
            Scope::Linear => !spec.two_d,
            Scope::Only(opt) => spec.takes(opt),
            Scope::Format => fmt.takes(def.name),
        };
        if !applies && matches!(def.scope, Scope::Format) {
            return Err(ApiError::OptionNotApplicable { name: def.name, symbology: fmt.ext() });
        }
        if !applies {
            return Err(o.not_for(def.name));
        }
        (def.read)(&mut o, &v)?;
    }
    let given = |n: &str| OPTIONS.iter().position(|d| d.name == n).is_some_and(|i| seen[i]);
    let Reading { mut r, mut e, out, mut xdim_mm, height_mm, .. } = o;
    let print_dpi = fmt.spec().default_dpi;
    if let (Some(d), Some(dpis)) = (r.dpi, fmt.spec().dpis) {
        if !dpis.values.contains(&d) {
            return Err(ApiError::BadOption { name: "dpi", value: d.to_string(), expected: dpis.rule });
        }
    }
    if r.marks && !r.text {
        return Err(ApiError::ConflictingOptions { a: "marks", b: "text=false" });
    }
    if given("xdim") && given("xdim_mil") {
        return Err(ApiError::ConflictingOptions { a: "xdim", b: "xdim_mil" });
    }
    if xdim_mm.is_none() && !given("scale") && (r.dpi.is_some() || fmt.spec().printed) {
        xdim_mm = spec.fixed_xdim_mm;
    }
    if let Some(mm) = xdim_mm {
        if given("scale") {
            return Err(ApiError::ConflictingOptions {
                a: "scale",
                b: if given("xdim") { "xdim" } else { "xdim_mil" },
            });
        }
        // The whole number of printer dots per module closest to the asked width: never blurry.
        let dpi = *r.dpi.get_or_insert(print_dpi);
        r.scale = ((mm * dpi as f64 / 25.4).round() as u32).clamp(SCALE.0, SCALE.1);
    }
    if let Some(mm) = height_mm {
        if given("height") {
            return Err(ApiError::ConflictingOptions { a: "height", b: "height_mm" });
        }
        let dpi = *r.dpi.get_or_insert(print_dpi);
        r.height_px = Some(((mm * dpi as f64 / 25.4).round() as u32).max(1));
    }
    (spec.defaults)(&mut e);
    Ok(Parsed { render: r, encode: e, out, data })
}

/// Writes the canonical key field by field: each value next to its tag.
struct Key(String);

impl Key {
    /// `|tag value`
    fn field(&mut self, tag: &str, value: impl KeyValue) -> &mut Self {
        self.0.push('|');
        self.0.push_str(tag);
        value.put(&mut self.0);
        self
    }
}

/// A value in the canonical key, written as `Display` would write it, without the
/// formatting machinery (a cold small render spent a tenth of its time there).
trait KeyValue {
    fn put(&self, out: &mut String);
}

impl KeyValue for &str {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl KeyValue for String {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl KeyValue for char {
    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

/// Several one-character values, one after the other.
impl<const N: usize> KeyValue for [char; N] {
    fn put(&self, out: &mut String) {
        self.iter().for_each(|&c| out.push(c));
    }
}

impl KeyValue for crate::render::Rgba {
    fn put(&self, out: &mut String) {
        self.put_hex(out);
    }
}

/// MaxiCode's primary message, `postcode,country,service`; nothing when there is none.
impl KeyValue for Option<crate::symbology::maxicode::Primary> {
    fn put(&self, out: &mut String) {
        if let Some(p) = self {
            out.push_str(&String::from_utf8_lossy(p.postcode()));
            out.push(',');
            put_int(out, p.country.into());
            out.push(',');
            put_int(out, p.service.into());
        }
    }
}

/// `a,b`
impl<A: KeyValue, B: KeyValue> KeyValue for (A, B) {
    fn put(&self, out: &mut String) {
        self.0.put(out);
        out.push(',');
        self.1.put(out);
    }
}

macro_rules! key_int {
    ($($t:ty),*) => {$(
        impl KeyValue for $t {
            fn put(&self, out: &mut String) {
                put_int(out, *self as i64);
            }
        }
    )*};
}
key_int!(u8, u16, u32, i16, i32);

fn put_int(out: &mut String, v: i64) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// The canonical key: everything that determines the output bytes, defaults spelled out,
/// each field written beside its tag in this one place. It starts with a NUL byte so it can
/// never equal a raw request target in the L1. (The key's text is the ETag's input: a
/// change here changes every ETag, so it must come with a `RENDERER_VERSION` bump.)
pub fn canonical_key(sym: Symbology, fmt: Format, p: &Parsed<'_>, data: &str) -> String {
    let (r, e) = (&p.render, &p.encode);
    let flag = |b: bool| if b { '1' } else { '0' };
    let switches =
        [flag(e.rect), flag(e.gs1), flag(e.full_ascii), flag(e.check), flag(e.pad), e.bearer.map_or('2', flag)];
    let mut k = Key(String::with_capacity(160 + data.len()));
    k.0.push_str("\0v");
    put_int(&mut k.0, RENDERER_VERSION as i64);
    k.field("", sym.name())
        .field("", fmt.ext())
        .field("s", r.scale)
        .field("h", if sym.is_2d() { 0 } else { r.height })
        .field("hp", r.height_px.unwrap_or(0))
        .field("q", r.quiet)
        .field("t", r.text as u8)
        .field("fg", r.fg)
        .field("bg", r.bg)
        .field("r", r.rotate.degrees())
        .field("d", r.dpi.unwrap_or(0))
        .field("e", e.ecc.map_or('-', |c| c.letter()))
        .field("l", e.level.map_or(-1, i16::from))
        .field("c", e.columns.unwrap_or(0))
        .field("o", switches)
        .field("v", e.version.unwrap_or(0))
        .field("m", e.mask.unwrap_or(9))
        .field("k", r.marks as u8)
        .field("n", e.checks.map_or(9, u32::from))
        .field("i", e.msi_check.name())
        .field("g", e.segments.unwrap_or(0))
        .field("M", e.maxi_mode.unwrap_or(0))
        .field("P", e.primary);
    // Formats with options of their own record them (PNG and SVG have none).
    if !fmt.spec().options.is_empty() {
        // z: 0/1 native/graphic, +2 for Z64 graphic fields (one field keeps older keys as they were).
        let z = p.out.graphic as u8 + 2 * p.out.z64 as u8;
        k.field("L", p.out.label as u8).field("x", p.out.x).field("y", p.out.y).field("z", z);
    }
    k.field("", data);
    k.0
}

/// A strong ETag derived from the canonical key.
pub fn etag(key: &str) -> Etag {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let h = xxhash_rust::xxh3::xxh3_128(key.as_bytes());
    let mut s = [b'"'; 34];
    for (i, d) in s[1..33].iter_mut().enumerate() {
        *d = DIGITS[(h >> (4 * (31 - i))) as usize & 15];
    }
    Etag(s)
}

/// An ETag's text, `"` and 32 hex digits and `"`, held inline (no allocation per response).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Etag([u8; 34]);

impl std::ops::Deref for Etag {
    type Target = str;

    fn deref(&self) -> &str {
        // Quotes and hex digits only: always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Format {
        Format::from_ext(b"png").unwrap()
    }

    #[test]
    fn defaults_spelled_out_give_same_key() {
        let a = parse(Symbology::from_name(b"ean13").unwrap(), png(), b"", true).unwrap();
        let b = parse(
            Symbology::from_name(b"ean13").unwrap(),
            png(),
            b"text=true&quiet=7&scale=2&height=69&rotate=0",
            true,
        );
        // quiet=7 sets both sides: differs from the (11, 7) default on purpose.
        let b = b.unwrap();
        assert_ne!(a.render, b.render);
        let c =
            parse(Symbology::from_name(b"ean13").unwrap(), png(), b"rotate=0&scale=2&text=1&fg=000000", true).unwrap();
        assert_eq!(a.render, c.render);
    }

    #[test]
    fn zpl_takes_printer_resolutions_only() {
        let zpl = Format::from_ext(b"zpl").unwrap();
        let code128 = Symbology::from_name(b"code128").unwrap();
        for dpi in [152, 203, 300, 600] {
            assert!(parse(code128, zpl, format!("dpi={dpi}").as_bytes(), true).is_ok(), "{dpi}");
        }
        for q in [&b"dpi=250"[..], b"dpi=72", b"dpi=4800", b"dpi=250&xdim=0.33"] {
            let e = parse(code128, zpl, q, true).unwrap_err();
            assert!(e.message().starts_with("dpi:") && e.message().contains("152, 203, 300 or 600"), "{}", e.message());
        }
        assert!(parse(code128, png(), b"dpi=250", true).is_ok(), "images keep their range");
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse(Symbology::from_name(b"qr").unwrap(), png(), b"scale=0", true).unwrap_err();
        assert!(e.message().starts_with("scale:"), "{}", e.message());
        assert!(
            matches!(parse(Symbology::from_name(b"qr").unwrap(), png(), b"bogus=1", true), Err(ApiError::UnknownOption(n)) if n == "bogus")
        );
        assert!(matches!(
            parse(Symbology::from_name(b"qr").unwrap(), png(), b"scale=2&scale=3", true),
            Err(ApiError::DuplicateOption(_))
        ));
        assert!(matches!(
            parse(Symbology::from_name(b"ean13").unwrap(), png(), b"ecc=H", true),
            Err(ApiError::OptionNotApplicable { .. })
        ));
        assert!(matches!(
            parse(Symbology::from_name(b"qr").unwrap(), png(), b"data=x", false),
            Err(ApiError::DataTwice)
        ));
        assert!(parse(Symbology::from_name(b"qr").unwrap(), png(), b"scale=99999999999", true).is_err());
        // An option name that is not UTF-8 once decoded is named as sent, never with U+FFFD.
        assert!(
            matches!(parse(Symbology::from_name(b"qr").unwrap(), png(), b"%FF=1", true), Err(ApiError::UnknownOption(n)) if n == "%FF")
        );
    }

    #[test]
    fn data_from_query_is_decoded() {
        let p = parse(Symbology::from_name(b"qr").unwrap(), png(), b"data=a%2Fb+c&ecc=h", true).unwrap();
        assert_eq!(p.data.as_deref(), Some(&b"a/b c"[..]));
        assert_eq!(p.encode.ecc, Some(Ecc::H));
    }
}
