//! Calls into zxing-cpp: one read with its thorough settings (`try_harder`, `try_rotate`,
//! `try_invert`, `try_downscale`, EAN/UPC add-ons read, every format it reads), each result
//! turned into a `Found`: our symbology name, the text in the character set its ECI names,
//! raw bytes where the content is binary, the AIM symbology identifier, corners,
//! orientation, error-correction facts, the add-on and the structured-append part apart;
//! and the reads for what it does not look for itself: an inverted image for the formats
//! it reads only dark on light, MaxiCode turned. zxing-cpp returns only results whose own
//! checks passed (`return_errors` off).

use super::ffi::*;
use super::names::{refine, symbology_name};
use super::rules;
use super::{Found, Sequence};
use std::ffi::{c_char, c_int, CStr};

/// Frees what the C API allocated when it goes out of scope.
struct Owned<T>(*mut T, unsafe extern "C" fn(*mut T));

impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from the matching `_new` and is freed once.
            unsafe { (self.1)(self.0) }
        }
    }
}

/// A C string from the API, copied and freed; empty when null.
unsafe fn take(p: *mut c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    let s = CStr::from_ptr(p).to_string_lossy().into_owned();
    ZXing_free(p.cast());
    s
}

unsafe fn extra(b: *const Barcode, key: &CStr) -> Option<String> {
    Some(take(ZXing_Barcode_extra(b, key.as_ptr()))).filter(|s| !s.is_empty())
}

/// Every barcode zxing-cpp finds in a `w` x `h` luma image (`luma.len() == w * h`).
pub fn read(luma: &[u8], w: u32, h: u32) -> Vec<Found> {
    let mut found = read_turned(luma, w, h, &Pass::ALL);
    rules::drop_doubtful(&mut found);
    found
}

/// Every barcode zxing-cpp finds in an image whose luma was inverted (`inverted`: light
/// bars on a dark ground made dark on light), for the formats it reads only dark on light:
/// zxing-cpp tries the inverted image for QR Code, Data Matrix and Aztec alone
/// (`supportsInversion`), so a light-on-dark linear symbol, PDF417 or MaxiCode is read here
/// (the caller marks what it finds `inverted`).
pub fn read_inverted(inverted: &[u8], w: u32, h: u32) -> Vec<Found> {
    let formats = [FORMAT_ALL_LINEAR, FORMAT_PDF417, FORMAT_MAXICODE];
    let mut found = read_turned(inverted, w, h, &Pass::upright(0, &formats));
    rules::drop_doubtful(&mut found);
    found
}

/// The EAN/UPC symbols zxing-cpp finds in an image (a stretch of another made larger, for a
/// second opinion: `confirm.rs`), neither inverted nor downscaled.
pub fn read_ean_upc(luma: &[u8], w: u32, h: u32) -> Vec<Found> {
    read_turned(luma, w, h, &Pass::as_is(0, &[FORMAT_EAN_UPC]))
}

/// The EAN/UPC and QR Code symbols zxing-cpp finds in an image made twice as large
/// (`upscale.rs`), dark on light only (the inverted QR pass read no more of zxing-cpp's
/// photographs); no smaller copies are read, the image itself being the original made
/// larger.
pub fn read_doubled(luma: &[u8], w: u32, h: u32) -> Vec<Found> {
    let formats = [FORMAT_EAN_UPC, FORMAT_QR];
    let mut found = read_turned(luma, w, h, &Pass::as_is(0, &formats));
    rules::drop_doubtful(&mut found);
    found
}

/// A MaxiCode turned by 90, 180 or 270 degrees: zxing-cpp reads MaxiCode only upright and
/// alone in the image ("pure"), so an image where nothing else was found is read for it
/// turned each way.
pub fn read_maxicode_turned(luma: &[u8], w: u32, h: u32) -> Vec<Found> {
    for degrees in [90, 180, 270] {
        let found = read_turned(luma, w, h, &Pass::as_is(degrees, &[FORMAT_MAXICODE]));
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// How zxing-cpp reads an image: turned by `degrees` clockwise, for these `formats` (none:
/// every format), trying the inverted image (for the formats that support it) or not, and
/// smaller copies of a large image or not.
struct Pass<'a> {
    degrees: c_int,
    formats: &'a [c_int],
    try_invert: bool,
    try_downscale: bool,
}

impl Pass<'_> {
    const ALL: Pass<'static> = Pass { degrees: 0, formats: &[], try_invert: true, try_downscale: true };

    /// These formats, turned by `degrees`, as thoroughly as `ALL` but not inverted.
    fn upright(degrees: c_int, formats: &[c_int]) -> Pass<'_> {
        Pass { degrees, formats, try_invert: false, try_downscale: true }
    }

    /// These formats, turned by `degrees`, in the image as it is: neither inverted nor
    /// in smaller copies.
    fn as_is(degrees: c_int, formats: &[c_int]) -> Pass<'_> {
        Pass { try_downscale: false, ..Pass::upright(degrees, formats) }
    }
}

/// One zxing-cpp read of the image; corners are given back in the upright image's pixels.
fn read_turned(luma: &[u8], w: u32, h: u32, pass: &Pass) -> Vec<Found> {
    let degrees = pass.degrees;
    let (Ok(size), Ok(wi), Ok(hi)) = (c_int::try_from(luma.len()), c_int::try_from(w), c_int::try_from(h)) else {
        return Vec::new();
    };
    // SAFETY: the view borrows `luma` (checked against w x h by `_new_checked`) for the
    // duration of this call only; every object is freed by its guard.
    unsafe {
        let iv =
            Owned(ZXing_ImageView_new_checked(luma.as_ptr(), size, wi, hi, IMAGE_LUM, 0, 0), ZXing_ImageView_delete);
        if iv.0.is_null() {
            return Vec::new();
        }
        if degrees != 0 {
            ZXing_ImageView_rotate(iv.0, degrees);
        }
        let o = Owned(ZXing_ReaderOptions_new(), ZXing_ReaderOptions_delete);
        if o.0.is_null() {
            return Vec::new();
        }
        ZXing_ReaderOptions_setTryHarder(o.0, true);
        ZXing_ReaderOptions_setTryRotate(o.0, true);
        ZXing_ReaderOptions_setTryInvert(o.0, pass.try_invert);
        ZXing_ReaderOptions_setTryDownscale(o.0, pass.try_downscale);
        ZXing_ReaderOptions_setReturnErrors(o.0, false);
        ZXing_ReaderOptions_setEanAddOnSymbol(o.0, ADD_ON_READ);
        ZXing_ReaderOptions_setTextMode(o.0, TEXT_PLAIN);
        ZXing_ReaderOptions_setMaxNumberOfSymbols(o.0, MAX_SYMBOLS);
        if !pass.formats.is_empty() {
            // At most a handful of formats: the count fits.
            ZXing_ReaderOptions_setFormats(o.0, pass.formats.as_ptr(), pass.formats.len() as c_int);
        }
        let all = Owned(ZXing_ReadBarcodes(iv.0, o.0), ZXing_Barcodes_delete);
        if all.0.is_null() {
            return Vec::new();
        }
        (0..ZXing_Barcodes_size(all.0))
            .map(|i| ZXing_Barcodes_at(all.0, i))
            .filter(|b| !b.is_null() && ZXing_Barcode_isValid(*b))
            .map(|b| {
                let mut f = found(b);
                if degrees != 0 {
                    f.position = f.position.map(|p| unturn(p, w as i32, h as i32, degrees));
                    f.orientation = (f.orientation + degrees) % 360;
                }
                f
            })
            .collect()
    }
}

/// A point of the image turned clockwise by `degrees`, in the upright image.
fn unturn((x, y): (i32, i32), w: i32, h: i32, degrees: c_int) -> (i32, i32) {
    match degrees {
        90 => (y, h - 1 - x),
        180 => (w - 1 - x, h - 1 - y),
        270 => (w - 1 - y, x),
        _ => (x, y),
    }
}

/// At most this many symbols per image (a sheet of labels has dozens; zxing-cpp's default
/// is 255).
const MAX_SYMBOLS: c_int = 64;

unsafe fn found(b: *const Barcode) -> Found {
    let format = ZXing_Barcode_format(b);
    let content = ZXing_Barcode_contentType(b);
    let mut text = take(ZXing_Barcode_text(b));
    let symbology_identifier = take(ZXing_Barcode_symbologyIdentifier(b));
    // The add-on only where the identifier says the symbol was read with one (`]E3`), as
    // zxing-cpp's own `EanAddOn()` has it: a result merged from several scan lines may
    // carry the add-on one line alone saw (photographs: 67601 beside a symbol whose
    // add-on is 02601), which the symbol read as a whole does not hold.
    let add_on = extra(b, c"EanAddOn").filter(|_| symbology_identifier == "]E3");
    if let Some(a) = &add_on {
        // The add-on is appended to the text: it is a field of its own here.
        if let Some(t) = text.strip_suffix(a.as_str()) {
            text = t.trim_end().to_string();
        }
    }
    let bytes = if matches!(content, CONTENT_BINARY | CONTENT_MIXED | CONTENT_UNKNOWN_ECI) {
        let mut len: c_int = 0;
        let p = ZXing_Barcode_bytes(b, &mut len);
        let v = if p.is_null() { Vec::new() } else { std::slice::from_raw_parts(p, len.max(0) as usize).to_vec() };
        if !p.is_null() {
            ZXing_free(p.cast());
        }
        Some(v)
    } else {
        None
    };
    let count = ZXing_Barcode_sequenceSize(b);
    let sequence = (count > 0).then(|| Sequence {
        index: ZXing_Barcode_sequenceIndex(b),
        count,
        id: take(ZXing_Barcode_sequenceId(b)),
    });
    let p = ZXing_Barcode_position(b);
    let gs1 = content == CONTENT_GS1;
    let upce = extra(b, c"UPCE");
    let mut f = Found {
        format: symbology_name(format, gs1).to_string(),
        text,
        bytes,
        symbology_identifier,
        gs1,
        eci: ZXing_Barcode_hasECI(b),
        position: [p.top_left, p.top_right, p.bottom_right, p.bottom_left].map(|q| (q.x, q.y)),
        orientation: ZXing_Barcode_orientation(b),
        inverted: ZXing_Barcode_isInverted(b),
        mirrored: ZXing_Barcode_isMirrored(b),
        lines: ZXing_Barcode_lineCount(b),
        ec_level: extra(b, c"ECLevel"),
        ec_unused: extra(b, c"UEC").and_then(|u| u.parse().ok()),
        version: extra(b, c"Version"),
        add_on,
        sequence,
    };
    refine(&mut f, upce);
    f
}
