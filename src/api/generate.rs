//! Generate, the pure part: `prepare` turns a request into a validated, encoded symbol and
//! its canonical key (every 4xx is decided there); `render` turns that into a ready
//! response. The cache ladder around them is `api/ladder.rs`.

use super::error::ApiError;
use super::options::{self, Format};
use crate::http::encode::Ready;
use crate::http::query;
use crate::render::format::Drawing;
use crate::render::{layout, RenderError};
use crate::symbology::{self, HumanText, Symbol, Symbology};

/// Where the data of a generate request comes from.
pub enum DataSource<'a> {
    /// The percent-encoded path segment.
    Path(&'a [u8]),
    /// `?data=` in the query, or the POST body when the query has none.
    QueryOrBody(&'a [u8]),
}

impl<'a> DataSource<'a> {
    /// The data's place for a routed generate request: its path segment, else query or body.
    pub fn of(path_data: Option<&'a [u8]>, body: &'a [u8]) -> DataSource<'a> {
        match path_data {
            Some(seg) => DataSource::Path(seg),
            None => DataSource::QueryOrBody(body),
        }
    }
}

/// Text symbologies take text: control characters other than tab and newlines are refused.
fn check_text(sym: Symbology, data: &[u8]) -> Result<(), ApiError> {
    if sym.spec().text_data {
        if let Some(pos) = data.iter().position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0x7f) {
            return Err(ApiError::ControlChar { field: "data", pos });
        }
    }
    Ok(())
}

/// The human-readable interpretation of a linear symbol.
pub fn human_text(sym: &Symbol) -> Option<String> {
    let Symbol::Linear(l) = sym else { return None };
    let digits = |d: &[u8]| d.iter().map(|x| (b'0' + x) as char).collect::<String>();
    Some(match &l.text {
        HumanText::Ean13(d) => digits(d),
        HumanText::Ean8(d) => digits(d),
        HumanText::UpcA(d) => digits(d),
        HumanText::UpcE(d) => digits(d),
        HumanText::Centered(t) => t.clone(),
    })
}

/// Percent-encodes what a header value may not carry (controls, non-ASCII, `%`).
fn header_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A validated, encoded generate request: everything `render` needs, and its key.
#[derive(Clone)]
pub struct Prepared {
    pub sym: Symbology,
    pub fmt: Format,
    pub render: crate::render::RenderOptions,
    pub symbol: Symbol,
    pub encode: symbology::EncodeOptions,
    /// Options of the output format.
    pub out: crate::render::format::OutputOptions,
    /// The data as encoded (normalised), and whether it is a GS1 element string.
    pub data: String,
    pub gs1: bool,
    /// The canonical key: L1, pool and L2 key; the ETag derives from it.
    pub key: String,
}

/// Parses options and data, validates and encodes: every 4xx of a generate request is
/// decided here, before any cache below L1-by-target is asked.
pub fn prepare(sym: Symbology, fmt: Format, src: DataSource<'_>, query_str: &[u8]) -> Result<Prepared, ApiError> {
    let (opts, data) = match src {
        DataSource::Path(seg) => {
            let opts = options::parse(sym, fmt, query_str, false)?;
            let d = query::decode(seg, false).map_err(|query::DecodeError::BadEscape(o)| {
                ApiError::BadPercentEncoding { field: "data", offset: o }
            })?;
            (opts, d)
        }
        DataSource::QueryOrBody(body) => {
            let mut opts = options::parse(sym, fmt, query_str, true)?;
            let d = match opts.data.take() {
                Some(_) if !body.is_empty() => return Err(ApiError::DataTwice),
                Some(d) => d,
                None if body.is_empty() => return Err(ApiError::MissingData),
                None => body.into(),
            };
            (opts, d)
        }
    };
    check_text(sym, &data)?;
    let enc = symbology::encode(sym, &data, &opts.encode)?;
    let key = options::canonical_key(sym, fmt, &opts, &enc.canonical);
    let gs1 = opts.encode.gs1 || sym.spec().gs1_data;
    Ok(Prepared {
        sym,
        fmt,
        render: opts.render,
        symbol: enc.symbol,
        encode: opts.encode,
        out: opts.out,
        data: enc.canonical,
        gs1,
        key,
    })
}

/// Lays a prepared request out and hands `f` its `Drawing` (pure; the pixel limit is
/// checked before anything is allocated).
pub fn draw<T>(p: &Prepared, max_pixels: u64, f: impl FnOnce(&Drawing<'_>) -> T) -> Result<T, RenderError> {
    let lay = layout::layout(&p.symbol, &p.render, max_pixels)?;
    let human = human_text(&p.symbol);
    let drawing = Drawing {
        layout: &lay,
        opts: &p.render,
        out: &p.out,
        symbol: &p.symbol,
        encode: &p.encode,
        symbology: p.sym.name(),
        data: &p.data,
        text: human.as_deref(),
        gs1: p.gs1,
    };
    Ok(f(&drawing))
}

/// Renders a prepared request into a ready response (pure; the pixel limit is checked
/// before the raster is allocated).
pub fn render(p: &Prepared, max_pixels: u64) -> Result<Ready, RenderError> {
    // The drawing's own human-readable line gives the header: worked out once.
    let (body, text) = draw(p, max_pixels, |d| ((p.fmt.spec().write)(d), d.text.map(header_safe)))?;
    let xdim = p.render.dpi.map(|dpi| format!("{:.4}", p.render.scale as f64 * 25.4 / dpi as f64));
    let extra = [("X-Barcode-Xdim-Mm", xdim.as_deref()), ("X-Barcode-Text", text.as_deref())];
    let extra: Vec<(&str, &str)> = extra.into_iter().filter_map(|(k, v)| Some((k, v?))).collect();
    Ok(Ready::new(p.fmt.content_type(), &options::etag(&p.key), &extra, &body))
}
