//! The generate ladder: L1 by raw target (no decoding at all on a repeat URL), then the
//! canonical key (another spelling of the same barcode), then render; the result is cached
//! under both keys. Rendering itself is `render_ready`, a pure function of the request.

use super::error::ApiError;
use super::options::{self, Format};
use crate::http::encode::Ready;
use crate::http::query;
use crate::render::{self, bitmap::Bitmap, layout};
use crate::state::Shared;
use crate::symbology::{self, HumanText, Symbol, Symbology};
use std::sync::Arc;

/// Where the data of a generate request comes from.
pub enum DataSource<'a> {
    /// The percent-encoded path segment.
    Path(&'a [u8]),
    /// `?data=` in the query, or the POST body when the query has none.
    QueryOrBody(&'a [u8]),
}

/// Text symbologies take text: control characters other than tab and newlines are refused.
fn check_text(sym: Symbology, data: &[u8]) -> Result<(), ApiError> {
    if sym == Symbology::Qr {
        if let Some(pos) = data.iter().position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0x7f) {
            return Err(ApiError::ControlChar { field: "data", pos });
        }
    }
    Ok(())
}

/// The human-readable interpretation of a linear symbol.
fn human_text(sym: &Symbol) -> Option<String> {
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

/// Renders (or finds in L1 under its canonical key) the response for one request.
pub fn generate(
    shared: &Shared,
    sym: Symbology,
    fmt: Format,
    src: DataSource<'_>,
    query_str: &[u8],
) -> Result<Arc<Ready>, ApiError> {
    let (opts, data) = match src {
        DataSource::Path(seg) => {
            let opts = options::parse(sym, query_str, false)?;
            let d = query::decode(seg, false).map_err(|query::DecodeError::BadEscape(o)| {
                ApiError::BadPercentEncoding { field: "data", offset: o }
            })?;
            (opts, d)
        }
        DataSource::QueryOrBody(body) => {
            let mut opts = options::parse(sym, query_str, true)?;
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
    let key = options::canonical_key(sym, fmt, &opts.render, &opts.encode, &enc.canonical);
    if let Some(hit) = shared.l1.get(key.as_bytes()) {
        return Ok(hit);
    }
    let lay = layout::layout(&enc.symbol, &opts.render, shared.config.limits.max_pixels)?;
    let body = match fmt {
        Format::Png => {
            let bm = Bitmap::from_layout(&lay);
            let bm = if opts.render.rotate == render::Rotation::R0 { bm } else { bm.rotate(opts.render.rotate) };
            render::png::encode(&bm, &opts.render)
        }
        Format::Svg => render::svg::encode(&lay, &opts.render).into_bytes(),
    };
    let xdim = opts.render.dpi.map(|dpi| format!("{:.4}", opts.render.scale as f64 * 25.4 / dpi as f64));
    let text = human_text(&enc.symbol).map(|t| header_safe(&t));
    let mut extra: Vec<(&str, &str)> = Vec::with_capacity(2);
    if let Some(x) = &xdim {
        extra.push(("X-Barcode-Xdim-Mm", x));
    }
    if let Some(t) = &text {
        extra.push(("X-Barcode-Text", t));
    }
    let ready = Arc::new(Ready::new(fmt.content_type(), &options::etag(&key), &extra, &body));
    shared.l1.insert(key.as_bytes(), ready.clone());
    Ok(ready)
}
