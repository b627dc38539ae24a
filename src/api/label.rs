//! `POST /v1/label`: one label laid out from JSON — barcodes, text, boxes, lines at
//! millimetre positions snapped to the label's printer dots — drawn as ZPL, PDF or PNG
//! (`label/`). Read and checked here: the shape (400 `bad_label`), each barcode prepared as
//! its single request with the same options (at the label's `dpi`), then the layout
//! (`Label::check`: 422 `label_invalid` naming the element); drawn on the render thread
//! behind the gate like any render.

use super::body_options::{query, Options};
use super::error::{label_codes, ApiError};
use super::generate::{self, DataSource};
use super::ladder::{self, Asker};
use super::options::{Format, DPI};
use crate::guard::Class;
use crate::label::{self, Barcode, Element, Kind, Label};
use crate::local::Rendered;
use crate::render::{layout, Rotation};
use crate::state::Shared;
use crate::symbology::Symbology;
use serde::Deserialize;

/// Most elements on one label.
pub const MAX_ELEMENTS: usize = 500;
/// Longest label side.
const MAX_SIDE_MM: f64 = 2000.0;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SizeIn {
    width_mm: Option<f64>,
    height_mm: Option<f64>,
    width_in: Option<f64>,
    height_in: Option<f64>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
enum ElementIn {
    Barcode {
        x_mm: f64,
        y_mm: f64,
        symbology: String,
        data: String,
        #[serde(default)]
        options: Options,
        #[serde(default)]
        rotate: u32,
    },
    Text {
        x_mm: f64,
        y_mm: f64,
        text: String,
        height_mm: f64,
        width_mm: Option<f64>,
        #[serde(default)]
        rotate: u32,
    },
    Box {
        x_mm: f64,
        y_mm: f64,
        width_mm: f64,
        height_mm: f64,
        thickness_mm: Option<f64>,
    },
    Line {
        x_mm: f64,
        y_mm: f64,
        x2_mm: f64,
        y2_mm: f64,
        thickness_mm: Option<f64>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelIn {
    size: SizeIn,
    dpi: Option<u32>,
    format: Option<String>,
    elements: Vec<ElementIn>,
}

/// What a label is drawn as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelFormat {
    Zpl,
    Pdf,
    Png,
}

impl LabelFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            LabelFormat::Zpl => "application/zpl; charset=utf-8",
            LabelFormat::Pdf => "application/pdf",
            LabelFormat::Png => "image/png",
        }
    }

    fn write(self, l: &Label) -> Vec<u8> {
        match self {
            LabelFormat::Zpl => label::zpl::write(l),
            LabelFormat::Pdf => label::pdf::write(l),
            LabelFormat::Png => label::png::write(l),
        }
    }
}

fn bad(why: impl Into<String>) -> ApiError {
    ApiError::BadLabel(why.into())
}

fn invalid(index: usize, why: impl Into<String>, code: &'static str) -> ApiError {
    ApiError::LabelInvalid { index, why: why.into(), code }
}

/// Millimetres to whole dots; a measure that is negative or not a number is refused.
fn dots(mm: f64, dpi: u32, index: usize, what: &str) -> Result<u32, ApiError> {
    if !(0.0..=MAX_SIDE_MM).contains(&mm) {
        return Err(invalid(
            index,
            format!("{what}: {mm} is not a length from 0 to {MAX_SIDE_MM} mm"),
            label_codes::BAD_LENGTH,
        ));
    }
    Ok((mm * dpi as f64 / 25.4).round() as u32)
}

fn rotation(deg: u32, index: usize) -> Result<Rotation, ApiError> {
    Ok(match deg {
        0 => Rotation::R0,
        90 => Rotation::R90,
        180 => Rotation::R180,
        270 => Rotation::R270,
        _ => return Err(invalid(index, format!("rotate: {deg}; use 0, 90, 180 or 270"), "bad_option")),
    })
}

/// A barcode element prepared as its single request would be, at the label's resolution.
fn barcode(
    index: usize,
    (symbology, data, options, rotate): (&str, &str, &Options, u32),
    dpi: u32,
    max_pixels: u64,
) -> Result<Barcode, ApiError> {
    let item = |e: ApiError| invalid(index, e.message(), e.code());
    let sym =
        Symbology::from_name(symbology.as_bytes()).ok_or_else(|| item(ApiError::UnknownSymbology(symbology.into())))?;
    for (k, why) in [("dpi", "the label's dpi applies"), ("rotate", "the element's rotate applies")] {
        if options.contains_key(k) {
            return Err(invalid(index, format!("options.{k}: not here; {why}"), "option_not_applicable"));
        }
    }
    if data.is_empty() {
        return Err(invalid(index, "data: empty", "missing_data"));
    }
    let mut own = options.clone();
    own.insert("dpi".into(), super::body_options::OptText(dpi.to_string()));
    own.insert("rotate".into(), super::body_options::OptText(rotate.to_string()));
    let q = query(&Options::new(), &own).map_err(|why| invalid(index, why, "bad_option"))?;
    let png = Format::from_ext(b"png").ok_or(ApiError::NotFound)?;
    let p = generate::prepare(sym, png, DataSource::QueryOrBody(data.as_bytes()), q.as_bytes()).map_err(item)?;
    let lay = layout::layout(&p.symbol, &p.render, max_pixels).map_err(|e| item(e.into()))?;
    Ok(Barcode {
        text: generate::human_text(&p.symbol),
        layout: lay,
        opts: p.render,
        symbol: p.symbol,
        encode: p.encode,
        symbology: sym.name(),
        data: p.data,
        gs1: p.gs1,
    })
}

/// Reads, prepares and checks a label body.
pub fn read(body: &[u8], max_pixels: u64) -> Result<(Label, LabelFormat), ApiError> {
    let l: LabelIn = serde_json::from_slice(body).map_err(|e| bad(format!("body: {e}")))?;
    let format = match l.format.as_deref().unwrap_or("zpl") {
        "zpl" => LabelFormat::Zpl,
        "pdf" => LabelFormat::Pdf,
        "png" => LabelFormat::Png,
        f => return Err(bad(format!("format: unknown {f:?}; use zpl, pdf or png"))),
    };
    let dpi = l.dpi.unwrap_or(203);
    if !(DPI.0..=DPI.1).contains(&dpi) {
        return Err(bad(format!("dpi: {dpi}; from {} to {}", DPI.0, DPI.1)));
    }
    let zpl = Format::from_ext(b"zpl").and_then(|f| f.spec().dpis);
    if let (LabelFormat::Zpl, Some(dpis)) = (&format, zpl) {
        if !dpis.values.contains(&dpi) {
            return Err(bad(format!("dpi: {dpi}; expected {}", dpis.rule)));
        }
    }
    if l.elements.len() > MAX_ELEMENTS {
        return Err(bad(format!("elements: {} exceeds the limit of {MAX_ELEMENTS}", l.elements.len())));
    }
    let side = |mm: Option<f64>, inch: Option<f64>, name| match (mm, inch) {
        (Some(v), None) => Ok(v),
        (None, Some(v)) => Ok(v * 25.4),
        _ => Err(bad(format!("size: give {name}_mm or {name}_in"))),
    };
    let (w_mm, h_mm) =
        (side(l.size.width_mm, l.size.width_in, "width")?, side(l.size.height_mm, l.size.height_in, "height")?);
    let size = |mm: f64, name| {
        if mm.is_finite() && mm > 0.0 && mm <= MAX_SIDE_MM {
            Ok((mm * dpi as f64 / 25.4).round() as u32)
        } else {
            Err(bad(format!("size.{name}: {mm} mm; from 0 to {MAX_SIDE_MM} mm")))
        }
    };
    let (width, height) = (size(w_mm, "width")?, size(h_mm, "height")?);
    if width as u64 * height as u64 > max_pixels {
        return Err(bad(format!("size: {width} x {height} dots exceeds the limit of {max_pixels} pixels")));
    }
    let mut elements = Vec::with_capacity(l.elements.len());
    for (i, e) in l.elements.iter().enumerate() {
        let at = |x: f64, y: f64| Ok::<_, ApiError>((dots(x, dpi, i, "x_mm")?, dots(y, dpi, i, "y_mm")?));
        let el = match e {
            ElementIn::Barcode { x_mm, y_mm, symbology, data, options, rotate } => {
                let (x, y) = at(*x_mm, *y_mm)?;
                rotation(*rotate, i)?;
                let b = barcode(i, (symbology, data, options, *rotate), dpi, max_pixels)?;
                Element { x, y, kind: Kind::Barcode(Box::new(b)) }
            }
            ElementIn::Text { x_mm, y_mm, text, height_mm, width_mm, rotate } => {
                let (x, y) = at(*x_mm, *y_mm)?;
                if text.is_empty() || text.chars().any(char::is_control) {
                    return Err(invalid(i, "text: empty or with control characters", label_codes::BAD_TEXT));
                }
                let h = dots(*height_mm, dpi, i, "height_mm")?;
                let px = (h as f64 / 8.0).round().max(1.0) as u32;
                let max_width = width_mm.map(|w| dots(w, dpi, i, "width_mm")).transpose()?;
                Element { x, y, kind: Kind::Text { text: text.clone(), px, rotate: rotation(*rotate, i)?, max_width } }
            }
            ElementIn::Box { x_mm, y_mm, width_mm, height_mm, thickness_mm } => {
                let (x, y) = at(*x_mm, *y_mm)?;
                let (w, h) = (dots(*width_mm, dpi, i, "width_mm")?, dots(*height_mm, dpi, i, "height_mm")?);
                let t = dots(thickness_mm.unwrap_or(0.5), dpi, i, "thickness_mm")?.max(1).min(w.min(h).max(1));
                Element { x, y, kind: Kind::Frame { w, h, thickness: t } }
            }
            ElementIn::Line { x_mm, y_mm, x2_mm, y2_mm, thickness_mm } => {
                let (x1, y1) = at(*x_mm, *y_mm)?;
                let (x2, y2) = at(*x2_mm, *y2_mm)?;
                let t = dots(thickness_mm.unwrap_or(0.5), dpi, i, "thickness_mm")?.max(1);
                let (w, h) = match (x1 == x2, y1 == y2) {
                    (_, true) => (x1.abs_diff(x2).max(1), t),
                    (true, false) => (t, y1.abs_diff(y2)),
                    _ => return Err(invalid(i, "line: horizontal or vertical only", label_codes::BAD_LINE)),
                };
                Element { x: x1.min(x2), y: y1.min(y2), kind: Kind::Line { w, h } }
            }
        };
        elements.push(el);
    }
    let label = Label { width, height, dpi, elements };
    label.check().map_err(|e| invalid(e.index, e.why, label_codes::LABEL_INVALID))?;
    Ok((label, format))
}

/// Answers a label request: checked on the core, drawn on the render thread.
pub async fn serve(
    shared: &std::sync::Arc<Shared>,
    local: &std::rc::Rc<crate::local::Local>,
    body: &[u8],
    asker: Asker,
) -> Result<(LabelFormat, Vec<u8>), ApiError> {
    let (label, format) = read(body, shared.current().limits.max_pixels)?;
    let job = Box::new(move || Ok(Rendered::Bytes(format.write(&label))));
    match ladder::heavy(shared, local, Class::Label, asker, job).await? {
        Rendered::Bytes(b) => Ok((format, b)),
        _ => Err(ApiError::Degraded { class: Class::Label.name(), why: "render failed", retry_after: 1 }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Result<(Label, LabelFormat), ApiError> {
        read(s.as_bytes(), 16_000_000)
    }

    #[test]
    fn a_shipping_label_reads_and_snaps_to_dots() {
        let (l, f) = read_str(
            r#"{"size":{"width_in":4,"height_in":6},"dpi":203,"format":"zpl","elements":[
            {"type":"text","x_mm":5,"y_mm":5,"text":"SHIP TO","height_mm":4},
            {"type":"box","x_mm":2,"y_mm":2,"width_mm":97,"height_mm":40},
            {"type":"barcode","x_mm":5,"y_mm":60,"symbology":"gs1-128","data":"(00)106141411234567897","options":{"xdim_mil":15}},
            {"type":"line","x_mm":0,"y_mm":50,"x2_mm":101,"y2_mm":50}]}"#,
        )
        .unwrap();
        assert_eq!(f, LabelFormat::Zpl);
        assert_eq!((l.width, l.height), (812, 1218));
        assert_eq!((l.elements[0].x, l.elements[0].y), (40, 40));
        // 4 mm at 203 dpi is 32 dots: cells of 8 x 4.
        assert!(matches!(l.elements[0].kind, Kind::Text { px: 4, .. }));
    }

    #[test]
    fn a_zpl_label_takes_printer_resolutions_only() {
        let label = |dpi: u32, fmt: &str| {
            read_str(&format!(
                r#"{{"size":{{"width_mm":50,"height_mm":30}},"dpi":{dpi},"format":"{fmt}","elements":[
                {{"type":"text","x_mm":1,"y_mm":1,"text":"A","height_mm":3}}]}}"#
            ))
        };
        assert!(label(300, "zpl").is_ok() && label(152, "zpl").is_ok());
        let e = label(250, "zpl").err().unwrap();
        assert!(e.message().contains("dpi: 250") && e.message().contains("152, 203, 300 or 600"), "{}", e.message());
        assert!(label(250, "pdf").is_ok() && label(250, "png").is_ok(), "PDF and PNG keep their range");
    }

    #[test]
    fn problems_name_their_element() {
        let e = read_str(r#"{"size":{"width_mm":50,"height_mm":30},"elements":[{"type":"text","x_mm":45,"y_mm":1,"text":"TOO LONG","height_mm":3}]}"#).err().unwrap();
        assert!(matches!(&e, ApiError::LabelInvalid { index: 0, code: "label_invalid", .. }), "{e:?}");
        let e = read_str(
            r#"{"size":{"width_mm":80,"height_mm":40},"elements":[
            {"type":"barcode","x_mm":5,"y_mm":5,"symbology":"qr","data":"x"},
            {"type":"text","x_mm":6,"y_mm":6,"text":"ON IT","height_mm":2}]}"#,
        )
        .err()
        .unwrap();
        assert!(matches!(&e, ApiError::LabelInvalid { index: 1, .. }), "{e:?}");
        assert!(e.message().contains("quiet zone"), "{}", e.message());
        let e = read_str(r#"{"size":{"width_mm":80,"height_mm":40},"elements":[{"type":"barcode","x_mm":5,"y_mm":5,"symbology":"ean13","data":"12"}]}"#).err().unwrap();
        assert!(matches!(&e, ApiError::LabelInvalid { index: 0, code: "data_length", .. }), "{e:?}");
        assert_eq!(e.status().code(), 422);
        let e = read_str(r#"{"size":{"width_mm":80},"elements":[]}"#).err().unwrap();
        assert!(matches!(e, ApiError::BadLabel(_)));
        let e = read_str(r#"{"size":{"width_mm":80,"height_mm":40},"elements":[{"type":"circle"}]}"#).err().unwrap();
        assert!(matches!(e, ApiError::BadLabel(_)));
    }
}
