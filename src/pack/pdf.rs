//! A PDF written as it goes: the header first, then each page (its page object and content
//! stream) as soon as it is drawn, and at the end the font, the page tree, the catalog and
//! the cross-reference table, whose offsets were counted along the way. Objects are made
//! with `pdf-writer`; only the order and the table are ours, since `pdf-writer` keeps the
//! whole document until `finish`. Object numbers: 1 catalog, 2 page tree, 3 font (Helvetica,
//! standard 14: nothing embedded), then two per page.

use pdf_writer::{Chunk, Finish, Name, Rect, Ref};

const CATALOG: Ref = Ref::new(1);
const PAGES: Ref = Ref::new(2);
const FONT: Ref = Ref::new(3);

/// A document being written; every page has the same size.
pub struct PdfStream {
    /// Byte offset of object `i + 1`.
    offsets: Vec<u64>,
    written: u64,
    pages: Vec<Ref>,
    size: (f32, f32),
}

impl PdfStream {
    /// Starts a document of pages `size` points wide and high; appends the header to `out`.
    pub fn new(size: (f32, f32), out: &mut Vec<u8>) -> PdfStream {
        let header = b"%PDF-1.7\n%\x80\x80\x80\x80\n";
        out.extend_from_slice(header);
        PdfStream { offsets: vec![0; 3], written: header.len() as u64, pages: Vec::new(), size }
    }

    fn next_ref(&mut self) -> Ref {
        self.offsets.push(0);
        Ref::new(self.offsets.len() as i32)
    }

    fn put(&mut self, id: Ref, chunk: &Chunk, out: &mut Vec<u8>) {
        self.offsets[id.get() as usize - 1] = self.written;
        out.extend_from_slice(chunk.as_bytes());
        self.written += chunk.len() as u64;
    }

    /// Appends one page whose content stream is `content` (fonts: `/F1` is Helvetica).
    pub fn page(&mut self, content: &[u8], out: &mut Vec<u8>) {
        let (page, stream) = (self.next_ref(), self.next_ref());
        let mut c = Chunk::new();
        let mut p = c.page(page);
        p.media_box(Rect::new(0.0, 0.0, self.size.0, self.size.1)).parent(PAGES).contents(stream);
        p.resources().fonts().pair(Name(b"F1"), FONT);
        p.finish();
        self.put(page, &c, out);
        let mut c = Chunk::new();
        c.stream(stream, content);
        self.put(stream, &c, out);
        self.pages.push(page);
    }

    /// Pages written so far.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Appends the font, the page tree, the catalog, the cross-reference table and trailer.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        let mut c = Chunk::new();
        c.type1_font(FONT).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
        self.put(FONT, &c, out);
        let mut c = Chunk::new();
        let n = self.pages.len() as i32;
        c.pages(PAGES).kids(self.pages.iter().copied()).count(n);
        self.put(PAGES, &c, out);
        let mut c = Chunk::new();
        c.indirect(CATALOG).dict().pair(Name(b"Type"), Name(b"Catalog")).pair(Name(b"Pages"), PAGES);
        self.put(CATALOG, &c, out);
        let xref = self.written;
        let size = self.offsets.len() + 1;
        out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
        for off in &self.offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_at_their_objects() {
        let mut out = Vec::new();
        let mut pdf = PdfStream::new((100.0, 50.0), &mut out);
        pdf.page(b"0 0 10 10 re f", &mut out);
        pdf.page(b"", &mut out);
        assert_eq!(pdf.pages(), 2);
        pdf.finish(&mut out);
        // Offsets are bytes (the header's binary marker is not text).
        let text: String = out.iter().map(|&b| if b < 0x80 { b as char } else { '?' }).collect();
        let start: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(text[start..].starts_with("xref\n0 8\n"), "{}", &text[start..]);
        for (i, line) in text[start..].lines().skip(3).take(7).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(text[off..].starts_with(&format!("{} 0 obj", i + 1)), "object {}", i + 1);
        }
    }
}
