//! The format registry: one file per output format, each exporting one `FormatSpec`, and
//! the one list below (its order is the order `/v1/symbologies` lists them). Adding a format
//! (ZPL, PDF, …) is its file plus its line there; routing, the canonical key and
//! `/v1/symbologies` read `Format`.

use super::format::FormatSpec;
use std::fmt;

/// Declares each format file and the table of their specs.
macro_rules! formats {
    ($($name:ident),* $(,)?) => {
        $(pub mod $name;)*
        /// Every served format's spec.
        pub static ALL: &[&FormatSpec] = &[$(&$name::SPEC),*];
    };
}

formats! {
    png,
    svg,
    zpl,
    pdf,
    json,
}

/// A served format: an index into `ALL`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Format(u8);

impl Format {
    /// Every served format, in the order `/v1/symbologies` lists them.
    pub fn all() -> impl Iterator<Item = Format> {
        (0..ALL.len()).map(|i| Format(i as u8))
    }

    /// The format for a URL extension.
    pub fn from_ext(ext: &[u8]) -> Option<Format> {
        Self::all().find(|f| f.ext().as_bytes() == ext)
    }

    pub fn spec(self) -> &'static FormatSpec {
        ALL[self.0 as usize]
    }

    pub fn ext(self) -> &'static str {
        self.spec().ext
    }

    pub fn content_type(self) -> &'static str {
        self.spec().content_type
    }

    /// Whether the format takes `option` (one of its own, beyond the common ones).
    pub fn takes(self, option: &str) -> bool {
        self.spec().options.contains(&option)
    }
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ext())
    }
}
