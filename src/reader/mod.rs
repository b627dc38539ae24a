//! Reading barcodes from an uploaded image: `image.rs` turns the body into luma within
//! the limits, `zxing.rs` finds the barcodes with zxing-cpp (compiled from source by
//! `build/zxing.rs`, declared in `ffi.rs`), `names.rs` names them as `/v1/symbologies`
//! does; `linear.rs` with `code11.rs`, `msi.rs` and `pharmacode.rs` (on request: `Ask`),
//! `fourstate.rs` with `royalmail.rs`, `imb.rs` and `auspost.rs`, and `dots.rs` with
//! `dotcode.rs`, read what zxing-cpp does not, past what it read (`mask.rs`); `confirm.rs`
//! reads an EAN/UPC reading of few scan lines again, larger (`upscale.rs`). An image where
//! nothing is found is read again inverted (light on dark), which zxing-cpp does for three
//! formats only, and then, if small, twice as large for EAN/UPC and QR Code. Pure and
//! synchronous, no IO: the server runs it in a decode worker process (`decoder/`), where a
//! crash in the C++ code costs one request.

mod auspost;
mod bullseye;
mod code11;
mod confirm;
pub mod cpu;
mod dotcode;
mod dots;
mod ffi;
mod fourstate;
mod image;
mod imb;
mod linear;
mod lines;
mod mask;
mod msi;
mod names;
mod pharmacode;
mod polarity;
mod royalmail;
mod rules;
mod runs;
mod sequence;
mod upscale;
mod zxing;

pub use image::{body_kind, image_bytes, luma, BodyKind};
pub use names::is_format;
pub use sequence::{messages, Message};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The reader's version: bump it whenever what the reader answers for some image changes
/// (a new symbology read, another text convention). It is part of the decode cache's key,
/// which Redis shares between instances and builds.
pub const READER_VERSION: u32 = 7;

/// Symbologies read only when a caller names them (`Ask::formats`): nothing in their bars
/// tells a symbol from stripes, or its start from its end.
pub const ON_REQUEST: &[&str] = &["pharmacode"];

/// What a caller asks of a decode beyond the image.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    /// Only these formats (our names); empty: every format but those read `ON_REQUEST`.
    pub formats: Vec<String>,
    /// Degrees clockwise the symbols are turned (0: read left to right), for the readers
    /// that cannot tell which way a symbol runs (Pharmacode).
    pub orientation: i32,
}

impl Ask {
    fn wants(&self, format: &str) -> bool {
        if self.formats.is_empty() {
            !ON_REQUEST.contains(&format)
        } else {
            self.formats.iter().any(|f| f == format)
        }
    }

    /// Whether every format asked for is one read on request (the default readers need
    /// not run).
    fn only_on_request(&self) -> bool {
        !self.formats.is_empty() && self.formats.iter().all(|f| ON_REQUEST.contains(&f.as_str()))
    }
}

/// Limits on one decode, checked before the memory they guard is spent.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct DecodeLimits {
    pub max_side: u32,
    pub max_pixels: u64,
    /// Largest image in bytes (after Base64 decoding).
    pub max_image_bytes: usize,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits { max_side: 4096, max_pixels: 16_000_000, max_image_bytes: 2 * 1024 * 1024 }
    }
}

/// Why an image cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecodeError {
    Base64(String),
    Base64TooLong { length: usize, max: usize },
    UnknownFormat,
    TooLarge { width: u32, height: u32, max_side: u32, max_pixels: u64 },
    Corrupt(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Base64(m) => write!(f, "image: not valid Base64 ({m})"),
            DecodeError::Base64TooLong { length, max } => {
                write!(f, "image: {length} Base64 characters exceed the limit of {max} (decoded {} bytes)", max / 4 * 3)
            }
            DecodeError::UnknownFormat => write!(f, "image: not a PNG, JPEG, WebP or PGM"),
            DecodeError::TooLarge { width, height, max_side, max_pixels } => {
                write!(f, "image: {width}x{height} exceeds the limit of {max_side}x{max_side} and {max_pixels} pixels")
            }
            DecodeError::Corrupt(m) => write!(f, "image: cannot be decoded ({m})"),
        }
    }
}

/// One barcode found in an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Found {
    /// Our symbology name (`/v1/symbologies`), or zxing-cpp's for formats we do not write.
    pub format: String,
    /// The content as text, in the character set its ECI names (several included); the
    /// add-on and a structured-append header are not part of it.
    pub text: String,
    /// The raw bytes where the content is binary (or mixed, or an unknown ECI).
    pub bytes: Option<Vec<u8>>,
    /// The AIM symbology identifier (`]C1`, `]Q3`, `]d2`, ...).
    pub symbology_identifier: String,
    /// The content is a GS1 element string (FNC1 in first position).
    pub gs1: bool,
    pub eci: bool,
    /// Corners in image pixels: top left, top right, bottom right, bottom left.
    pub position: [(i32, i32); 4],
    /// Degrees the symbol is turned, clockwise.
    pub orientation: i32,
    pub inverted: bool,
    pub mirrored: bool,
    /// For a linear symbol, how many scan lines read it alike (0 for a 2D symbol).
    pub lines: i32,
    /// The error-correction level where the symbology has one (`L`..`H`, a percentage...).
    pub ec_level: Option<String>,
    /// The share of the error-correction capacity left unused, 0 to 1.
    pub ec_unused: Option<f32>,
    /// The symbol's version or size where it has one.
    pub version: Option<String>,
    /// An EAN-2 or EAN-5 add-on.
    pub add_on: Option<String>,
    /// A structured-append part.
    pub sequence: Option<Sequence>,
}

impl Found {
    /// A plain text result, its other fields empty (readers and tests fill them in).
    pub(crate) fn plain(format: &str, text: &str) -> Found {
        Found {
            format: format.into(),
            text: text.into(),
            bytes: None,
            symbology_identifier: String::new(),
            gs1: false,
            eci: false,
            position: [(0, 0); 4],
            orientation: 0,
            inverted: false,
            mirrored: false,
            lines: 0,
            ec_level: None,
            ec_unused: None,
            version: None,
            add_on: None,
            sequence: None,
        }
    }
}

/// Where a structured-append symbol stands in its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub index: i32,
    pub count: i32,
    pub id: String,
}

/// What one image holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub width: u32,
    pub height: u32,
    pub found: Vec<Found>,
}

/// Every barcode in a `w` x `h` luma image: zxing-cpp's, and ours for the symbologies it
/// does not read.
pub fn read(luma: &[u8], w: u32, h: u32) -> Vec<Found> {
    read_asked(luma, w, h, &Ask::default())
}

/// The barcodes in a `w` x `h` luma image that `ask` wants.
pub fn read_asked(luma: &[u8], w: u32, h: u32, ask: &Ask) -> Vec<Found> {
    let mut found = Vec::new();
    if !ask.only_on_request() {
        let lines = lines::scan(luma, w, h, polarity::LINES);
        let inverted = polarity::light_on_dark(&lines).then(|| invert(luma));
        if let Some(inverted) = &inverted {
            found = inverted_first(inverted, w, h);
        }
        if found.is_empty() {
            found = with_ours(luma, w, h, zxing::read(luma, w, h));
        }
        if found.is_empty() {
            found = light_on_dark(luma, w, h, inverted);
        }
        if found.is_empty() && DOUBLED_FORMATS.iter().any(|f| ask.wants(f)) {
            found = doubled(luma, w, h);
        }
    }
    if ask.formats.iter().any(|f| f == "pharmacode") {
        found.extend(linear::read_pharmacode(luma, w, h, ask.orientation));
    }
    found.retain(|f| ask.wants(&f.format));
    found
}

/// What an image where nothing was found holds light on dark, or as a MaxiCode turned (which
/// zxing-cpp reads only upright): the image inverted, read by the readers that look only
/// for dark on light (all but zxing-cpp's QR Code, Data Matrix and Aztec), then the
/// MaxiCode turned, dark on light and light on dark. Only when nothing was found: a second
/// full read of every image would double the cost of the common case. `read_first` is the
/// inverted image where `inverted_first` read it already, with every format: not again.
fn light_on_dark(luma: &[u8], w: u32, h: u32, read_first: Option<Vec<u8>>) -> Vec<Found> {
    let (inverted, mut found) = match read_first {
        // Read already, with every format (`inverted_first`).
        Some(inverted) => (inverted, Vec::new()),
        None => {
            let inverted = invert(luma);
            let found = with_ours(&inverted, w, h, zxing::read_inverted(&inverted, w, h));
            (inverted, found)
        }
    };
    // Six reads of the whole image, for a symbol alone in it: only where its bullseye can be.
    if found.is_empty() && bullseye::may_hold(luma, w, h) {
        let upright = zxing::read_maxicode_turned(luma, w, h);
        if !upright.is_empty() {
            return upright;
        }
    }
    if found.is_empty() && bullseye::may_hold(&inverted, w, h) {
        found = zxing::read_maxicode_turned(&inverted, w, h);
    }
    // Everything below was read in the inverted image.
    found.into_iter().map(|f| Found { inverted: true, ..f }).collect()
}

/// What an image whose scan lines show its symbols light on dark (`polarity.rs`) holds,
/// read inverted as a plain image is read: zxing-cpp with every format (and its own
/// inverted pass, which reads QR Code, Data Matrix and Aztec dark on light again) and our
/// readers. One read where the plain image first would take two (it finds nothing, then
/// `light_on_dark` reads the inverted image); where it finds nothing, the plain read
/// follows. `inverted` is each result's own: light on dark in the image as given.
fn inverted_first(inverted: &[u8], w: u32, h: u32) -> Vec<Found> {
    let found = with_ours(inverted, w, h, zxing::read(inverted, w, h));
    found.into_iter().map(|f| Found { inverted: !f.inverted, ..f }).collect()
}

/// The image with dark and light swapped.
fn invert(luma: &[u8]) -> Vec<u8> {
    luma.iter().map(|&p| !p).collect()
}

/// zxing-cpp's results `found` in an image, with its contradicted EAN/UPC readings dropped
/// (`confirm.rs`) and what our readers find past the rest added (`ours`).
fn with_ours(luma: &[u8], w: u32, h: u32, mut found: Vec<Found>) -> Vec<Found> {
    confirm::drop_contradicted(luma, w, h, &mut found);
    let more = ours(luma, w, h, &found);
    found.extend(more);
    found
}

/// Images of at most this many pixels where nothing was found are read twice as large.
const DOUBLED_PIXELS: u64 = 500_000;

/// What the doubled read may find, under our names (not read when none is asked for).
const DOUBLED_FORMATS: &[&str] = &["ean13", "upca", "isbn", "ean8", "upce", "qr", "qr-model1", "microqr", "rmqr"];

/// What a small image where nothing was found holds in EAN/UPC and QR symbols of modules too
/// small for zxing-cpp at its size: the image twice as large (`upscale.rs`), read again.
/// Blur and ink spread at two pixels a module and less move edges by half a module, and
/// the larger image is sampled between the old pixels (zxing-cpp's own photographs: 11
/// more images read of the 80 where nothing right was). Only these formats (the others
/// gained nothing) and only small images: the read costs one to two plain reads.
fn doubled(luma: &[u8], w: u32, h: u32) -> Vec<Found> {
    if u64::from(w) * u64::from(h) > DOUBLED_PIXELS {
        return Vec::new();
    }
    let (right, bottom) = (w as i32 - 1, h as i32 - 1);
    let whole = [(0, 0), (right, 0), (right, bottom), (0, bottom)];
    let Some(big) = upscale::doubled(luma, w, h, &whole, |_| 0, DOUBLED_PIXELS) else {
        return Vec::new();
    };
    let mut found = zxing::read_doubled(&big.luma, big.w, big.h);
    confirm::drop_contradicted(&big.luma, big.w, big.h, &mut found);
    for f in &mut found {
        f.position = f.position.map(|(x, y)| (x / 2, y / 2));
    }
    found
}

/// What our own readers find in a `w` x `h` luma image past the symbols `read` already
/// (zxing-cpp's): those are painted over at the image's light level first (their modules
/// and bars would be most of our readers' work, and a symbol does not overlap another).
fn ours(luma: &[u8], w: u32, h: u32, read: &[Found]) -> Vec<Found> {
    let levels = dots::levels(luma, w, h);
    let paint = levels.map_or(u8::MAX, |l| l.light);
    let painted = mask::painted(luma, w, h, read.iter().map(|f| &f.position), paint);
    let seen = painted.as_deref().unwrap_or(luma);
    let lines = lines::scan(seen, w, h, lines::LINES);
    let mut found = linear::read(&lines);
    found.extend(fourstate::read(seen, w, h, &lines));
    if let Some(levels) = levels {
        found.extend(dotcode::read(&dots::Search { luma, painted: seen, w, h, levels }));
    }
    found
}

/// The image bytes (raw, Base64 already undone) to what they hold, within the limits.
pub fn read_image(bytes: &[u8], limits: &DecodeLimits, ask: &Ask) -> Result<Reading, DecodeError> {
    let (luma, width, height) = luma(bytes, limits)?;
    Ok(Reading { width, height, found: read_asked(&luma, width, height, ask) })
}
