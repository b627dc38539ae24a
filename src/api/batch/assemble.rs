//! A batch answer's bytes, item by item, with no IO: the ZIP's entry names, headers and
//! manifest, the ZPL stream, the PDF sheet's pages. The server's streamed answer (`mod.rs`)
//! and the command line (`cli.rs`) both feed it what each item made, so both give the same
//! bytes; only how an item is made (the cache ladder, or a plain render) differs.

use super::request::{Batch, Item, Output, Placement, Source};
use crate::api::error::ApiError;
use crate::api::generate;
use crate::api::options::Format;
use crate::pack::pdf::PdfStream;
use crate::pack::zip::ZipStream;
use crate::render::RenderError;

/// Why the answer stops short: logged by the server (a client sees a truncated body, never
/// a wrong one), an error of the command line.
#[derive(Debug)]
pub struct Cut(pub String);

/// A ZIP of one file per item, or a ZPL stream of one label per item.
pub struct Files {
    zip: bool,
    partial: bool,
    ext: &'static str,
    archive: ZipStream,
    manifest: Vec<serde_json::Value>,
}

impl Files {
    pub fn new(batch: &Batch) -> Files {
        Files {
            zip: batch.output == Output::Zip,
            partial: batch.partial,
            ext: batch.format.ext(),
            archive: ZipStream::new(),
            manifest: Vec::new(),
        }
    }

    /// One item's outcome (its body, or why it could not be made): `Some(head)` to send,
    /// followed by the body; `None` when nothing is sent for it (a partial batch's failed
    /// item); `Cut` when the batch must stop.
    pub fn item(&mut self, item: &Item, made: Result<&[u8], &ApiError>) -> Result<Option<Vec<u8>>, Cut> {
        match made {
            Ok(body) if self.zip => {
                let stem = item.name.clone().unwrap_or_else(|| item.index.to_string());
                let name = self.archive.name(&stem, self.ext);
                let mut h = Vec::with_capacity(64 + name.len());
                if self.archive.header(&name, body, &mut h).is_err() {
                    return Err(Cut(format!("zip past 4 GiB at item {}", item.index)));
                }
                self.manifest.push(serde_json::json!({"index": item.index, "file": name, "status": "ok"}));
                Ok(Some(h))
            }
            Ok(_) => Ok(Some(Vec::new())),
            Err(e) if self.partial && self.zip => {
                self.manifest.push(
                    serde_json::json!({"index": item.index, "status": "error", "error": e.message(), "code": e.code()}),
                );
                Ok(None)
            }
            // A partial ZPL stream leaves out an item that cannot be made.
            Err(_) if self.partial && item.source.is_err() => Ok(None),
            Err(e) => Err(Cut(format!("item {}: {}", item.index, e.message()))),
        }
    }

    /// The bytes after the last item: the manifest of a partial ZIP and the ZIP's directory.
    pub fn finish(mut self) -> Result<Vec<u8>, Cut> {
        let mut tail = Vec::new();
        if self.zip {
            if self.partial {
                let doc = serde_json::to_vec_pretty(&self.manifest).unwrap_or_default();
                let name = self.archive.name("manifest", "json");
                if self.archive.header(&name, &doc, &mut tail).is_err() {
                    return Err(Cut("zip past 4 GiB at the manifest".into()));
                }
                tail.extend_from_slice(&doc);
            }
            self.archive.finish(&mut tail);
        }
        Ok(tail)
    }
}

/// A PDF label sheet, page by page.
pub struct Pages {
    pdf: PdfStream,
    /// The page's height in points (PDF's y runs up).
    page_h: f32,
    per_page: usize,
    items: usize,
    partial: bool,
    done: usize,
    content: Vec<u8>,
}

impl Pages {
    /// The sheet's pages and the PDF's opening bytes; `None` for a batch without a sheet.
    pub fn new(batch: &Batch) -> Option<(Pages, Vec<u8>)> {
        let sheet = batch.sheet.as_ref()?;
        let to_pt = |mm: f64| (mm / 25.4 * 72.0) as f32;
        let size = (to_pt(sheet.page.0), to_pt(sheet.page.1));
        let mut head = Vec::new();
        let pdf = PdfStream::new(size, &mut head);
        let pages = Pages {
            pdf,
            page_h: size.1,
            per_page: (sheet.per_page() as usize).max(1),
            items: batch.items.len(),
            partial: batch.partial,
            done: 0,
            content: Vec::new(),
        };
        Some((pages, head))
    }

    /// The page's height in points, for drawing a cell.
    pub fn page_height(&self) -> f32 {
        self.page_h
    }

    /// One item's content stream operators (or why it could not be drawn): the bytes of a
    /// page when this item ends one; `Cut` when the batch must stop.
    pub fn item(&mut self, item: &Item, drawn: Result<&[u8], &ApiError>) -> Result<Option<Vec<u8>>, Cut> {
        match drawn {
            Ok(ops) => {
                self.content.extend_from_slice(ops);
                self.content.push(b'\n');
            }
            // A partial sheet leaves an item that cannot be made blank.
            Err(_) if self.partial && item.source.is_err() => {}
            Err(e) => return Err(Cut(format!("item {}: {}", item.index, e.message()))),
        }
        self.done += 1;
        if self.done.is_multiple_of(self.per_page) || self.done == self.items {
            let mut page = Vec::new();
            self.pdf.page(&self.content, &mut page);
            self.content.clear();
            return Ok(Some(page));
        }
        Ok(None)
    }

    /// The PDF's closing bytes.
    pub fn finish(self) -> Vec<u8> {
        let mut tail = Vec::new();
        self.pdf.finish(&mut tail);
        tail
    }
}

/// One sheet item drawn at its place: PDF content stream operators (pure).
pub fn cell(
    src: &Source,
    fmt: Format,
    place: Placement,
    page_h_pt: f32,
    max_pixels: u64,
) -> Result<Vec<u8>, RenderError> {
    let Ok(p) = src.prepare(fmt) else {
        // Checked before: the same input encodes the same way.
        return Ok(Vec::new());
    };
    generate::draw(&p, max_pixels, |d| {
        let pt = 72.0 / place.dpi as f32;
        let (_, h) = d.size();
        let at = (place.x as f32 * pt, page_h_pt - (place.y + h) as f32 * pt);
        let mut c = pdf_writer::Content::new();
        crate::render::formats::pdf::paint(&mut c, d, at, pt);
        c.finish().into_vec()
    })
}
