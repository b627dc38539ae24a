//! A streamed ZIP archive of stored (uncompressed: images are compressed already) entries.
//! Each entry is complete when it is added, so its local header carries its CRC-32 and
//! sizes and no data descriptor is needed; the central directory is kept (46 bytes plus the
//! name per entry) and written by `finish`. Names are made safe (no directories, no `..`)
//! and unique (`name-2.png`). Times are the DOS epoch, so the same batch gives the same
//! bytes. Written here rather than with the `zip` crate, whose writer needs `Seek` or data
//! descriptors for the same job: this is the format's stored subset, about a hundred lines.

use std::collections::HashSet;

/// Why an entry cannot be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZipError {
    /// Past 4 GiB or 65,535 entries (ZIP64 is not written).
    TooLarge,
}

/// An archive being written.
#[derive(Default)]
pub struct ZipStream {
    offset: u64,
    central: Vec<u8>,
    entries: u32,
    names: HashSet<String>,
}

const DOS_DATE: u16 = (1 << 5) | 1; // 1980-01-01
const VERSION: u16 = 20;
/// General-purpose flag bit 11: names are UTF-8.
const UTF8: u16 = 1 << 11;

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A file name without directories or characters archivers refuse; never empty.
fn safe(name: &str) -> String {
    let s: String =
        name.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let s = s.trim_matches('.').to_string();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

impl ZipStream {
    pub fn new() -> ZipStream {
        ZipStream::default()
    }

    /// The name an entry for `stem` with extension `ext` gets: made safe, then unique in
    /// this archive (`-2`, `-3`, … before the extension).
    pub fn name(&mut self, stem: &str, ext: &str) -> String {
        let stem = safe(stem);
        let mut name = format!("{stem}.{ext}");
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{stem}-{n}.{ext}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// Appends the local header of entry `name` holding `data` to `out`; the caller sends
    /// `data` right after it.
    pub fn header(&mut self, name: &str, data: &[u8], out: &mut Vec<u8>) -> Result<(), ZipError> {
        let end = self.offset + 30 + name.len() as u64 + data.len() as u64;
        if end > u32::MAX as u64 || self.entries == u16::MAX as u32 || name.len() > u16::MAX as usize {
            return Err(ZipError::TooLarge);
        }
        let crc = crc32fast::hash(data);
        let size = data.len() as u32;
        u32le(out, 0x0403_4b50);
        u16le(out, VERSION);
        u16le(out, UTF8);
        u16le(out, 0); // stored
        u16le(out, 0); // time
        u16le(out, DOS_DATE);
        u32le(out, crc);
        u32le(out, size);
        u32le(out, size);
        u16le(out, name.len() as u16);
        u16le(out, 0);
        out.extend_from_slice(name.as_bytes());

        let c = &mut self.central;
        u32le(c, 0x0201_4b50);
        u16le(c, VERSION);
        u16le(c, VERSION);
        u16le(c, UTF8);
        u16le(c, 0);
        u16le(c, 0);
        u16le(c, DOS_DATE);
        u32le(c, crc);
        u32le(c, size);
        u32le(c, size);
        u16le(c, name.len() as u16);
        u16le(c, 0); // extra
        u16le(c, 0); // comment
        u16le(c, 0); // disk
        u16le(c, 0); // internal attributes
        u32le(c, 0); // external attributes
        u32le(c, self.offset as u32);
        c.extend_from_slice(name.as_bytes());
        self.offset = end;
        self.entries += 1;
        Ok(())
    }

    /// Appends the central directory and its end record.
    pub fn finish(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.central);
        u32le(out, 0x0605_4b50);
        u16le(out, 0);
        u16le(out, 0);
        u16le(out, self.entries as u16);
        u16le(out, self.entries as u16);
        u32le(out, self.central.len() as u32);
        u32le(out, self.offset as u32);
        u16le(out, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_unique() {
        let mut z = ZipStream::new();
        assert_eq!(z.name("a", "png"), "a.png");
        assert_eq!(z.name("a", "png"), "a-2.png");
        assert_eq!(z.name("a", "png"), "a-3.png");
        assert_eq!(z.name("../../etc/passwd", "png"), "_.._etc_passwd.png");
        assert_eq!(z.name("..", "png"), "_.png");
        assert_eq!(z.name("a", "svg"), "a.svg");
    }

    #[test]
    fn archive_layout() {
        let mut z = ZipStream::new();
        let mut out = Vec::new();
        z.header("x.txt", b"hello", &mut out).unwrap();
        out.extend_from_slice(b"hello");
        z.finish(&mut out);
        assert_eq!(&out[..4], b"PK\x03\x04");
        assert_eq!(u32::from_le_bytes(out[14..18].try_into().unwrap()), crc32fast::hash(b"hello"));
        let end = out.len() - 22;
        assert_eq!(&out[end..end + 4], b"PK\x05\x06");
        // The central directory starts where the end record says.
        let cd = u32::from_le_bytes(out[end + 16..end + 20].try_into().unwrap()) as usize;
        assert_eq!(&out[cd..cd + 4], b"PK\x01\x02");
    }
}
