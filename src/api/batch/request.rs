//! A batch read from its JSON and checked whole before any work is done or any byte of the
//! answer is sent: the shape (400 `bad_batch`), the item count (413 `batch_too_large`, from
//! the array's length before an item is looked at), and every item prepared exactly as a
//! single request with the same options would be (`generate::prepare`: its options become a
//! query string, so one parser decides them). Invalid items fail the batch with a 422
//! listing **every** one, unless `partial` is set. For a PDF sheet each item's scale is
//! fitted to its label here, so an item that cannot fit is refused up front too.
//!
//! The check keeps nothing of an item but its source (symbology, data, query string) and
//! its placement: the encoded symbols are dropped and made again, one at a time, as the
//! answer is written — so a batch holds its request, never a thousand module matrices.

use super::super::body_options::{query, Options};
use super::super::error::ApiError;
use super::super::generate::{self, DataSource, Prepared};
use super::super::options::{self, Format};
use crate::pack::sheet::{Sheet, SheetError};
use crate::render::{layout, Rotation};
use crate::symbology::Symbology;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// What the batch answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// A ZIP of one file per item.
    Zip,
    /// A PDF label sheet: each symbol centred on its label, vector.
    Pdf,
    /// One ZPL stream, `^XA … ^XZ` per item.
    Zpl,
}

impl Output {
    pub fn content_type(self) -> &'static str {
        match self {
            Output::Zip => "application/zip",
            Output::Pdf => "application/pdf",
            Output::Zpl => "application/zpl; charset=utf-8",
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Output::Zip => "zip",
            Output::Pdf => "pdf",
            Output::Zpl => "zpl",
        }
    }
}

/// Where a PDF sheet item goes on its label, in printer dots at the sheet's resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub dpi: u32,
    /// The module size fitted to the label.
    pub scale: u32,
    /// The symbol's top left corner from the page's top left, dots.
    pub x: u32,
    pub y: u32,
}

/// One item: its place in the request, its file name stem, and what makes it (or, in a
/// partial batch, why it cannot be made).
pub struct Item {
    pub index: usize,
    pub name: Option<String>,
    pub source: Result<Arc<Source>, ApiError>,
}

/// A checked item as the single request it stands for.
pub struct Source {
    sym: Symbology,
    data: String,
    query: String,
    /// For a PDF sheet: where the symbol is drawn, at which scale.
    pub place: Option<Placement>,
}

impl Source {
    pub fn symbology(&self) -> Symbology {
        self.sym
    }

    /// Prepares the item again, as `read` checked it (same result), fitted to its label.
    pub fn prepare(&self, format: Format) -> Result<Prepared, ApiError> {
        let mut p =
            generate::prepare(self.sym, format, DataSource::QueryOrBody(self.data.as_bytes()), self.query.as_bytes())?;
        if let Some(pl) = self.place {
            p.render.scale = pl.scale;
            p.render.dpi = Some(pl.dpi);
        }
        Ok(p)
    }
}

/// A checked batch.
pub struct Batch {
    pub output: Output,
    pub format: Format,
    pub sheet: Option<Sheet>,
    pub partial: bool,
    pub items: Vec<Item>,
}

/// Limits a batch is checked against.
#[derive(Clone, Copy, Debug)]
pub struct BatchLimits {
    pub max_items: usize,
    pub max_pixels: u64,
}

fn bad(why: impl Into<String>) -> ApiError {
    ApiError::BadBatch(why.into())
}

/// One item as sent. Its shape is checked by the parser (a wrong one is a 400 naming the
/// line and column); what it says is checked by `Request::check` (a 422 per item).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemIn {
    symbology: String,
    data: String,
    #[serde(default)]
    options: Options,
    name: Option<String>,
}

/// A batch as sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchIn {
    format: Option<String>,
    output: Option<String>,
    sheet: Option<Value>,
    #[serde(default)]
    defaults: Options,
    items: Vec<ItemIn>,
    #[serde(default)]
    partial: bool,
}

/// The length of the `items` array, counted without keeping anything: the item limit is
/// checked before any item is allocated.
#[derive(Deserialize)]
struct ItemCount {
    #[serde(default, deserialize_with = "count")]
    items: usize,
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = usize;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of items")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut n = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                n += 1;
            }
            Ok(n)
        }
    }
    d.deserialize_seq(V)
}

fn sheet_error(e: SheetError) -> ApiError {
    match e {
        SheetError::NotPositive(w) => bad(format!("sheet.{w}: must be a positive number")),
        SheetError::Overflows(w) => bad(format!("sheet: {w}")),
        SheetError::TooLarge(w) => bad(format!("sheet.{w}: too large")),
    }
}

fn mm(obj: &Value, path: &[&str], name: &'static str, default: Option<f64>) -> Result<f64, ApiError> {
    let mut v = obj;
    for p in path {
        match v.get(p) {
            Some(x) => v = x,
            None => return default.ok_or_else(|| bad(format!("sheet.{name}: missing"))),
        }
    }
    v.as_f64().ok_or_else(|| bad(format!("sheet.{name}: a number of millimetres")))
}

fn read_sheet(v: &Value) -> Result<Sheet, ApiError> {
    let s = match v {
        Value::String(name) => Sheet::named(name)
            .ok_or_else(|| bad(format!("sheet: unknown {name:?}; use {} or an object", Sheet::NAMES.join(", "))))?,
        Value::Object(o) => {
            let known = ["page", "rows", "cols", "label", "margin", "gap"];
            if let Some(k) = o.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(bad(format!("sheet.{k}: unknown field; expected one of {}", known.join(", "))));
            }
            let count = |k: &'static str| {
                v.get(k)
                    .and_then(Value::as_u64)
                    .filter(|n| (1..=1000).contains(n))
                    .map(|n| n as u32)
                    .ok_or_else(|| bad(format!("sheet.{k}: an integer 1-1000")))
            };
            Sheet {
                page: (
                    mm(v, &["page", "width_mm"], "page.width_mm", None)?,
                    mm(v, &["page", "height_mm"], "page.height_mm", None)?,
                ),
                rows: count("rows")?,
                cols: count("cols")?,
                label: (
                    mm(v, &["label", "width_mm"], "label.width_mm", None)?,
                    mm(v, &["label", "height_mm"], "label.height_mm", None)?,
                ),
                margin: (
                    mm(v, &["margin", "top_mm"], "margin.top_mm", Some(0.0))?,
                    mm(v, &["margin", "left_mm"], "margin.left_mm", Some(0.0))?,
                ),
                gap: (mm(v, &["gap", "x_mm"], "gap.x_mm", Some(0.0))?, mm(v, &["gap", "y_mm"], "gap.y_mm", Some(0.0))?),
            }
        }
        _ => return Err(bad("sheet: a sheet name or an object")),
    };
    s.check().map_err(sheet_error)?;
    Ok(s)
}

/// Millimetres to whole printer dots.
fn dots(mm: f64, dpi: u32) -> u32 {
    (mm * dpi as f64 / 25.4).round().max(0.0) as u32
}

/// Fits `p` onto label `slot` of `sheet`: the largest whole scale whose image fits the label
/// (unless the item set its own module size), centred, at whole printer dots.
fn place(p: &mut Prepared, sheet: &Sheet, slot: u32, own_scale: bool) -> Result<Placement, ApiError> {
    let dpi = *p.render.dpi.get_or_insert(300);
    let (cw, ch) = (dots(sheet.label.0, dpi), dots(sheet.label.1, dpi));
    let size = |p: &Prepared| {
        let (w, h) = layout::size(&p.symbol, &p.render);
        if matches!(p.render.rotate, Rotation::R90 | Rotation::R270) {
            (h, w)
        } else {
            (w, h)
        }
    };
    let fits = |p: &Prepared| {
        let (w, h) = size(p);
        w <= cw as u64 && h <= ch as u64
    };
    if !own_scale {
        // Largest scale that fits (sizes grow with the scale): binary search.
        let (mut lo, mut hi) = (1u32, options::SCALE.1);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            p.render.scale = mid;
            if fits(p) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        p.render.scale = lo;
    }
    if !fits(p) {
        let (w, h) = size(p);
        return Err(bad(format!("the symbol ({w} x {h} dots at {dpi} dpi) does not fit its {cw} x {ch}-dot label")));
    }
    let (w, h) = size(p);
    let (x0, y0) = sheet.cell(slot);
    Ok(Placement {
        dpi,
        scale: p.render.scale,
        x: dots(x0, dpi) + (cw - w as u32) / 2,
        y: dots(y0, dpi) + (ch - h as u32) / 2,
    })
}

/// A batch whose shape is read and checked; its items are checked one by one (`check`),
/// so the caller can let other work run between them.
pub struct Request {
    pub output: Output,
    pub format: Format,
    pub sheet: Option<Sheet>,
    pub partial: bool,
    defaults: Options,
    items: Vec<ItemIn>,
    max_pixels: u64,
}

fn json_error(e: serde_json::Error) -> ApiError {
    bad(format!("body: {e}"))
}

/// Reads a batch body: its shape and the item count (before any item is kept) — not what
/// the items say.
pub fn read(body: &[u8], limits: BatchLimits) -> Result<Request, ApiError> {
    let n = serde_json::from_slice::<ItemCount>(body).map_err(json_error)?.items;
    if n > limits.max_items {
        return Err(ApiError::BatchTooLarge { items: n, max: limits.max_items });
    }
    let b: BatchIn = serde_json::from_slice(body).map_err(json_error)?;
    if b.items.is_empty() {
        return Err(bad("items: empty"));
    }
    let output = match b.output.as_deref().unwrap_or("zip") {
        "zip" => Output::Zip,
        "pdf" => Output::Pdf,
        "zpl" => Output::Zpl,
        o => return Err(bad(format!("output: unknown {o:?}; use zip, pdf or zpl"))),
    };
    let format = match (output, b.format.as_deref()) {
        (Output::Zip, f) => {
            let f = f.unwrap_or("png");
            // A field of the body, not a URL's extension: 400 naming it, not 404.
            let known: Vec<&str> = Format::all().map(|f| f.ext()).collect();
            Format::from_ext(f.as_bytes())
                .ok_or_else(|| bad(format!("format: unknown {f:?}; use {}", known.join(", "))))?
        }
        (Output::Pdf | Output::Zpl, Some(f)) if f != output.ext() => {
            return Err(bad(format!(
                "format: output={} writes {} labels; format must be {0} or absent",
                output.ext(),
                output.ext()
            )))
        }
        (o, _) => Format::from_ext(o.ext().as_bytes()).ok_or_else(|| ApiError::UnknownFormat(o.ext().into()))?,
    };
    let sheet = match (output, &b.sheet) {
        (Output::Pdf, None) => Some(Sheet::named("a4-3x7").ok_or_else(|| bad("sheet: missing"))?),
        (Output::Pdf, Some(s)) => Some(read_sheet(s)?),
        (_, None) => None,
        (_, Some(_)) => return Err(bad("sheet: only for output=pdf")),
    };
    Ok(Request {
        output,
        format,
        sheet,
        partial: b.partial,
        defaults: b.defaults,
        items: b.items,
        max_pixels: limits.max_pixels,
    })
}

impl Request {
    /// Items in the batch.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Checks item `index`: prepared as its single request would be (then dropped), fitted
    /// to its label on a sheet, within the pixel limit.
    pub fn check(&self, index: usize) -> Item {
        let item = &self.items[index];
        let defaults = &self.defaults;
        let name = item.name.clone();
        let source = prepare_item(item, self.format, defaults).and_then(|(mut p, mut src)| {
            if let Some(s) = &self.sheet {
                let own = ["scale", "xdim", "xdim_mil"]
                    .iter()
                    .any(|k| defaults.contains_key(*k) || item.options.contains_key(*k));
                src.place = Some(place(&mut p, s, index as u32 % s.per_page(), own)?);
            }
            // The pixel limit, checked as the render will.
            let (w, h) = layout::size(&p.symbol, &p.render);
            if w * h > self.max_pixels {
                return Err(ApiError::Render(crate::render::RenderError::TooManyPixels {
                    width: w,
                    height: h,
                    max: self.max_pixels,
                }));
            }
            Ok(Arc::new(src))
        });
        Item { index, name, source }
    }

    /// The batch of checked `items`, or the 422 listing every one that cannot be made
    /// (unless the batch is partial).
    pub fn to_batch(&self, items: Vec<Item>) -> Result<Batch, ApiError> {
        if !self.partial {
            let invalid: Vec<(usize, ApiError)> =
                items.iter().filter_map(|i| i.source.as_ref().err().map(|e| (i.index, e.clone()))).collect();
            if !invalid.is_empty() {
                return Err(ApiError::BatchInvalid(invalid));
            }
        }
        Ok(Batch { output: self.output, format: self.format, sheet: self.sheet, partial: self.partial, items })
    }
}

/// Checks one item: prepared as its single request would be, and that request.
fn prepare_item(item: &ItemIn, format: Format, defaults: &Options) -> Result<(Prepared, Source), ApiError> {
    let sym = Symbology::from_name(item.symbology.as_bytes())
        .ok_or_else(|| ApiError::UnknownSymbology(item.symbology.clone()))?;
    if item.data.is_empty() {
        return Err(bad("data: empty; the text to encode"));
    }
    let query = query(defaults, &item.options).map_err(bad)?;
    let p = generate::prepare(sym, format, DataSource::QueryOrBody(item.data.as_bytes()), query.as_bytes())?;
    Ok((p, Source { sym, data: item.data.clone(), query, place: None }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: BatchLimits = BatchLimits { max_items: 3, max_pixels: 16_000_000 };

    fn read_str(s: &str) -> Result<Batch, ApiError> {
        let r = read(s.as_bytes(), L)?;
        let items = (0..r.len()).map(|i| r.check(i)).collect();
        r.to_batch(items)
    }

    #[test]
    fn every_invalid_item_is_listed() {
        let e = read_str(
            r#"{"items":[{"symbology":"ean13","data":"123"},{"symbology":"qr","data":"ok"},{"symbology":"nope","data":"x"}]}"#,
        )
        .err()
        .unwrap();
        let ApiError::BatchInvalid(items) = &e else { panic!("{e:?}") };
        assert_eq!(items.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(e.status().code(), 422);
        assert!(e.body().contains("\"items\":[{\"index\":0,"), "{}", e.body());
    }

    #[test]
    fn partial_keeps_the_bad_items_as_errors() {
        let b =
            read_str(r#"{"partial":true,"items":[{"symbology":"ean13","data":"123"},{"symbology":"qr","data":"ok"}]}"#)
                .unwrap();
        assert!(b.items[0].source.is_err() && b.items[1].source.is_ok());
    }

    #[test]
    fn counts_and_shapes() {
        let many = format!(r#"{{"items":[{}]}}"#, [r#"{"symbology":"qr","data":"x"}"#; 4].join(","));
        assert!(matches!(read_str(&many), Err(ApiError::BatchTooLarge { items: 4, max: 3 })));
        assert!(matches!(read_str("[1]"), Err(ApiError::BadBatch(_))));
        assert!(
            matches!(read_str(r#"{"items":[],"x":1}"#), Err(ApiError::BadBatch(m)) if m.contains("unknown field `x`"))
        );
        let one = r#"[{"symbology":"qr","data":"x"}]"#;
        let b = |s: String| read_str(&s);
        assert!(matches!(b(format!(r#"{{"output":"zpl","format":"png","items":{one}}}"#)), Err(ApiError::BadBatch(_))));
        assert!(matches!(
            b(format!(r#"{{"output":"zip","sheet":"a4-3x7","items":{one}}}"#)),
            Err(ApiError::BadBatch(_))
        ));
        // A shape error names where it is.
        let e = read_str(r#"{"items":[{"symbology":"qr","data":5}]}"#).err().unwrap();
        assert!(e.message().contains("line 1 column"), "{}", e.message());
        let e = read_str(r#"{"items":[{"symbology":"qr","data":"x","options":{"scale":[1]}}]}"#).err().unwrap();
        assert!(e.message().contains("a string, number or boolean"), "{}", e.message());
        // Options go through the single-request parser: an unknown one is named.
        let e = read_str(r#"{"items":[{"symbology":"qr","data":"x","options":{"bogus":1}}]}"#).err().unwrap();
        assert!(e.body().contains("bogus"), "{}", e.body());
    }

    #[test]
    fn sheet_items_are_fitted_and_centred() {
        let b = read_str(r#"{"output":"pdf","sheet":"a4-3x7","items":[{"symbology":"ean13","data":"590123412345"},{"symbology":"qr","data":"x"}]}"#)
            .unwrap();
        let src = b.items[0].source.as_ref().unwrap();
        let p = src.prepare(b.format).unwrap();
        let pl = src.place.unwrap();
        let (w, h) = layout::size(&p.symbol, &p.render);
        // A L7160 label at 300 dpi is 750 x 450 dots: the largest scale that fits, centred.
        assert!(w <= 750 && h <= 450);
        let mut bigger = p.clone();
        bigger.render.scale += 1;
        let (w1, h1) = layout::size(&bigger.symbol, &bigger.render);
        assert!(w1 > 750 || h1 > 450, "scale {} is not the largest", p.render.scale);
        assert_eq!(pl.x, dots(7.25, 300) + (750 - w as u32) / 2);
        // A symbol with its own module size that cannot fit is refused.
        let e = read_str(r#"{"output":"pdf","items":[{"symbology":"qr","data":"x","options":{"scale":50}}]}"#)
            .err()
            .unwrap();
        assert!(e.body().contains("does not fit"), "{}", e.body());
    }
}
