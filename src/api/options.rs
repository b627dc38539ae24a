//! Query options of a generate request: parsed, range-checked, defaults filled in, and
//! turned into the canonical key from which the ETag and the cache key derive.

use super::error::ApiError;
use crate::http::query;
use crate::render::{RenderOptions, Rgba, Rotation};
use crate::symbology::{Addon, Ecc, EncodeOptions, Symbology};
use std::borrow::Cow;

pub use crate::render::RENDERER_VERSION;

/// Documented option ranges (inclusive).
pub const SCALE: (u32, u32) = (1, 50);
pub const HEIGHT: (u32, u32) = (1, 1000);
pub const QUIET: (u32, u32) = (0, 100);
pub const DPI: (u32, u32) = (72, 4800);

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    pub fn from_ext(ext: &[u8]) -> Option<Format> {
        match ext {
            b"png" => Some(Format::Png),
            b"svg" => Some(Format::Svg),
            _ => None,
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Svg => "image/svg+xml",
        }
    }
}

/// Parsed options plus the data found in the query, if any.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub render: RenderOptions,
    pub encode: EncodeOptions,
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

const OPTION_NAMES: [&str; 24] = [
    "data",
    "scale",
    "height",
    "quiet",
    "text",
    "fg",
    "bg",
    "rotate",
    "ecc",
    "dpi",
    "pad",
    "bearer",
    "full_ascii",
    "check",
    "shape",
    "gs1",
    "columns",
    "xdim",
    "xdim_mil",
    "height_mm",
    "version",
    "addon",
    "mask",
    "marks",
];

/// Physical sizing ranges: module width in mm and in mils, bar height in mm.
pub const XDIM_MM: (f64, f64) = (0.05, 5.0);
pub const XDIM_MIL: (f64, f64) = (2.0, 200.0);
pub const HEIGHT_MM: (f64, f64) = (1.0, 500.0);
/// Printer resolution assumed for physical sizing when `dpi` is not given.
pub const DEFAULT_PRINT_DPI: u32 = 300;

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

/// Parses `query` for `sym`; `data_allowed` is false when the path already carried data.
pub fn parse(sym: Symbology, query_str: &[u8], data_allowed: bool) -> Result<Parsed<'_>, ApiError> {
    let mut seen = [false; OPTION_NAMES.len()];
    let (q0, q1) = sym.default_quiet();
    let mut r = RenderOptions {
        scale: sym.default_scale(),
        height: sym.default_height(),
        quiet: (q0, q1),
        text: !sym.is_2d(),
        fg: Rgba::BLACK,
        bg: Rgba::WHITE,
        rotate: Rotation::R0,
        dpi: None,
        height_px: None,
        marks: false,
    };
    let mut e = EncodeOptions::default();
    let mut data = None;
    let (mut xdim_mm, mut height_mm): (Option<f64>, Option<f64>) = (None, None);
    for (k, v) in query::pairs(query_str) {
        let Some(idx) = OPTION_NAMES.iter().position(|n| n.as_bytes() == k) else {
            // Named as decoded when that is text, else as sent (never with U+FFFD in it).
            let decoded = query::decode(k, true).ok().and_then(|c| String::from_utf8(c.into_owned()).ok());
            let name = decoded.unwrap_or_else(|| String::from_utf8_lossy(k).into_owned());
            return Err(ApiError::UnknownOption(name));
        };
        let name = OPTION_NAMES[idx];
        if seen[idx] {
            return Err(ApiError::DuplicateOption(name.into()));
        }
        seen[idx] = true;
        // Option values are plain tokens; decode them in case a client escaped anyway.
        let raw = v;
        let v = query::decode(v, true)
            .map_err(|query::DecodeError::BadEscape(o)| ApiError::BadPercentEncoding { field: name, offset: o })?;
        let v: &[u8] = &v;
        let not_for = |name| ApiError::OptionNotApplicable { name, symbology: sym.name() };
        match name {
            "data" => {
                if !data_allowed {
                    return Err(ApiError::DataTwice);
                }
                data = Some(query::decode(raw, true).map_err(|query::DecodeError::BadEscape(o)| {
                    ApiError::BadPercentEncoding { field: "data", offset: o }
                })?);
            }
            "scale" => r.scale = number("scale", v, SCALE, "an integer 1-50 (pixels per module)")?,
            "height" => {
                if sym.is_2d() {
                    return Err(not_for("height"));
                }
                r.height = number("height", v, HEIGHT, "an integer 1-1000 (bar height in modules)")?;
            }
            "quiet" => {
                let q = number("quiet", v, QUIET, "an integer 0-100 (quiet zone in modules)")?;
                r.quiet = (q, q);
            }
            "text" => {
                let t = boolean("text", v)?;
                if sym.is_2d() && t {
                    return Err(not_for("text"));
                }
                r.text = t;
            }
            "fg" | "bg" => {
                let c = Rgba::parse_hex(v).ok_or_else(|| ApiError::BadOption {
                    name: if name == "fg" { "fg" } else { "bg" },
                    value: String::from_utf8_lossy(v).into_owned(),
                    expected: "RRGGBB or RRGGBBAA hex",
                })?;
                if name == "fg" {
                    r.fg = c;
                } else {
                    r.bg = c;
                }
            }
            "rotate" => {
                r.rotate = match v {
                    b"0" => Rotation::R0,
                    b"90" => Rotation::R90,
                    b"180" => Rotation::R180,
                    b"270" => Rotation::R270,
                    _ => {
                        return Err(ApiError::BadOption {
                            name: "rotate",
                            value: String::from_utf8_lossy(v).into_owned(),
                            expected: "0, 90, 180 or 270",
                        })
                    }
                }
            }
            "ecc" => match sym {
                Symbology::Qr => {
                    e.ecc = Some(match v {
                        b"L" | b"l" => Ecc::L,
                        b"M" | b"m" => Ecc::M,
                        b"Q" | b"q" => Ecc::Q,
                        b"H" | b"h" => Ecc::H,
                        _ => {
                            return Err(ApiError::BadOption {
                                name: "ecc",
                                value: String::from_utf8_lossy(v).into_owned(),
                                expected: "L, M, Q or H",
                            })
                        }
                    })
                }
                Symbology::Pdf417 => e.level = Some(number("ecc", v, (0, 8), "an integer 0-8 (PDF417 level)")? as u8),
                Symbology::Aztec => e.level = Some(number("ecc", v, (5, 95), "an integer 5-95 (percent)")? as u8),
                _ => return Err(not_for("ecc")),
            },
            "pad" if sym == Symbology::Itf => e.pad = boolean("pad", v)?,
            "bearer" if matches!(sym, Symbology::Itf | Symbology::Itf14) => e.bearer = Some(boolean("bearer", v)?),
            "full_ascii" if sym == Symbology::Code39 => e.full_ascii = boolean("full_ascii", v)?,
            "check" if sym == Symbology::Code39 => e.check = boolean("check", v)?,
            "gs1" if matches!(sym, Symbology::DataMatrix | Symbology::Qr) => e.gs1 = boolean("gs1", v)?,
            "addon" if sym == Symbology::Ean13 => {
                if v.len() > 5 {
                    return Err(ApiError::Data(crate::symbology::DataError::Addon("addon: 2 or 5 digits")));
                }
                let mut a = Addon { len: v.len() as u8, ..Addon::default() };
                a.digits[..v.len()].copy_from_slice(v);
                e.addon = Some(a);
            }
            "mask" if sym == Symbology::Qr => {
                e.mask = Some(number("mask", v, (0, 7), "an integer 0-7 (QR mask pattern)")? as u8)
            }
            "version" if sym == Symbology::Qr => {
                e.version = Some(number("version", v, (1, 40), "an integer 1-40 (QR version)")? as u8)
            }
            "columns" if sym == Symbology::Pdf417 => {
                e.columns = Some(number("columns", v, (1, 30), "an integer 1-30 (PDF417 data columns)")? as u8)
            }
            "shape" if sym == Symbology::DataMatrix => {
                e.rect = match v {
                    b"square" => false,
                    b"rect" => true,
                    _ => {
                        return Err(ApiError::BadOption {
                            name: "shape",
                            value: String::from_utf8_lossy(v).into_owned(),
                            expected: "square or rect",
                        })
                    }
                }
            }
            "dpi" => r.dpi = Some(number("dpi", v, DPI, "an integer 72-4800 (dots per inch)")?),
            "xdim" => xdim_mm = Some(decimal("xdim", v, XDIM_MM, "a module width in mm, 0.05-5.0")?),
            "xdim_mil" => xdim_mm = Some(decimal("xdim_mil", v, XDIM_MIL, "a module width in mils, 2-200")? * 0.0254),
            "marks" if matches!(sym, Symbology::Ean13 | Symbology::Ean8) => r.marks = boolean("marks", v)?,
            "height_mm" if !sym.is_2d() => {
                height_mm = Some(decimal("height_mm", v, HEIGHT_MM, "a bar height in mm, 1-500")?)
            }
            other => return Err(not_for(OPTION_NAMES.iter().find(|n| **n == other).copied().unwrap_or("option"))),
        }
    }
    let given = |n: &str| OPTION_NAMES.iter().position(|o| *o == n).is_some_and(|i| seen[i]);
    if r.marks && !r.text {
        return Err(ApiError::ConflictingOptions { a: "marks", b: "text=false" });
    }
    if given("xdim") && given("xdim_mil") {
        return Err(ApiError::ConflictingOptions { a: "xdim", b: "xdim_mil" });
    }
    if let Some(mm) = xdim_mm {
        if given("scale") {
            return Err(ApiError::ConflictingOptions {
                a: "scale",
                b: if given("xdim") { "xdim" } else { "xdim_mil" },
            });
        }
        // The whole number of printer dots per module closest to the asked width: never blurry.
        let dpi = *r.dpi.get_or_insert(DEFAULT_PRINT_DPI);
        r.scale = ((mm * dpi as f64 / 25.4).round() as u32).clamp(SCALE.0, SCALE.1);
    }
    if let Some(mm) = height_mm {
        if given("height") {
            return Err(ApiError::ConflictingOptions { a: "height", b: "height_mm" });
        }
        let dpi = *r.dpi.get_or_insert(DEFAULT_PRINT_DPI);
        r.height_px = Some(((mm * dpi as f64 / 25.4).round() as u32).max(1));
    }
    if sym == Symbology::Qr && e.ecc.is_none() {
        e.ecc = Some(crate::symbology::qr::DEFAULT_ECC);
    }
    Ok(Parsed { render: r, encode: e, data })
}

/// The canonical key: everything that determines the output bytes, defaults spelled out.
/// It starts with a NUL byte so it can never equal a raw request target in the L1.
pub fn canonical_key(sym: Symbology, fmt: Format, r: &RenderOptions, e: &EncodeOptions, data: &str) -> String {
    format!(
        "\0v{RENDERER_VERSION}|{}|{}|s{}|h{}|hp{}|q{},{}|t{}|fg{}|bg{}|r{}|d{}|e{}|l{}|c{}|o{}{}{}{}{}{}|v{}|m{}|k{}|{}",
        sym.name(),
        fmt.ext(),
        r.scale,
        if sym.is_2d() { 0 } else { r.height },
        r.height_px.unwrap_or(0),
        r.quiet.0,
        r.quiet.1,
        r.text as u8,
        r.fg.hex(),
        r.bg.hex(),
        r.rotate.degrees(),
        r.dpi.unwrap_or(0),
        e.ecc.map_or('-', |c| c.letter()),
        e.level.map_or(-1, i16::from),
        e.columns.map_or(0, u8::from),
        e.rect as u8,
        e.gs1 as u8,
        e.full_ascii as u8,
        e.check as u8,
        e.pad as u8,
        e.bearer.map_or(2, u8::from),
        e.version.unwrap_or(0),
        e.mask.map_or(9, u8::from),
        r.marks as u8,
        data
    )
}

/// A strong ETag derived from the canonical key.
pub fn etag(key: &str) -> String {
    format!("\"{:032x}\"", xxhash_rust::xxh3::xxh3_128(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_spelled_out_give_same_key() {
        let a = parse(Symbology::Ean13, b"", true).unwrap();
        let b = parse(Symbology::Ean13, b"text=true&quiet=7&scale=2&height=69&rotate=0", true);
        // quiet=7 sets both sides: differs from the (11, 7) default on purpose.
        let b = b.unwrap();
        assert_ne!(a.render, b.render);
        let c = parse(Symbology::Ean13, b"rotate=0&scale=2&text=1&fg=000000", true).unwrap();
        assert_eq!(a.render, c.render);
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse(Symbology::Qr, b"scale=0", true).unwrap_err();
        assert!(e.message().starts_with("scale:"), "{}", e.message());
        assert!(matches!(parse(Symbology::Qr, b"bogus=1", true), Err(ApiError::UnknownOption(n)) if n == "bogus"));
        assert!(matches!(parse(Symbology::Qr, b"scale=2&scale=3", true), Err(ApiError::DuplicateOption(_))));
        assert!(matches!(parse(Symbology::Ean13, b"ecc=H", true), Err(ApiError::OptionNotApplicable { .. })));
        assert!(matches!(parse(Symbology::Qr, b"data=x", false), Err(ApiError::DataTwice)));
        assert!(parse(Symbology::Qr, b"scale=99999999999", true).is_err());
        // An option name that is not UTF-8 once decoded is named as sent, never with U+FFFD.
        assert!(matches!(parse(Symbology::Qr, b"%FF=1", true), Err(ApiError::UnknownOption(n)) if n == "%FF"));
    }

    #[test]
    fn data_from_query_is_decoded() {
        let p = parse(Symbology::Qr, b"data=a%2Fb+c&ecc=h", true).unwrap();
        assert_eq!(p.data.as_deref(), Some(&b"a/b c"[..]));
        assert_eq!(p.encode.ecc, Some(Ecc::H));
    }
}
