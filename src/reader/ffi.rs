//! The part of zxing-cpp's C API (`ZXingC.h`, 3.1) the reader calls, declared by hand.
//! The `zxing-cpp` crate's own wrapper is not used: its `BarcodeFormat` enum predates 3.1
//! (no Code 32, Code 39 Standard/Extended or ITF-14) and is filled by `transmute`, which
//! is undefined behaviour for those values; here a format stays the C integer.
//! The library itself is compiled by `build/zxing.rs`.

#![allow(non_snake_case)]

use std::ffi::{c_char, c_int, c_void};

#[repr(C)]
pub struct ImageView {
    _p: [u8; 0],
}
#[repr(C)]
pub struct ReaderOptions {
    _p: [u8; 0],
}
#[repr(C)]
pub struct Barcode {
    _p: [u8; 0],
}
#[repr(C)]
pub struct Barcodes {
    _p: [u8; 0],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct PointI {
    pub x: c_int,
    pub y: c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Position {
    pub top_left: PointI,
    pub top_right: PointI,
    pub bottom_right: PointI,
    pub bottom_left: PointI,
}

/// `ZXing_ImageFormat_Lum`.
pub const IMAGE_LUM: c_int = 0x0100_0000;
/// `ZXing_EanAddOnSymbol_Read`.
pub const ADD_ON_READ: c_int = 1;
/// `ZXing_TextMode_Plain`: the bytes as text in the character set the ECI names (or guessed).
pub const TEXT_PLAIN: c_int = 0;
/// `ZXing_BarcodeFormat_MaxiCode`, `_PDF417`, `_AllLinear`, `_EANUPC` and `_QRCode` (every
/// variant: Micro QR and rMQR too) (`ZX_BCF_ID(sym, var)`: the symbology letter in the low
/// byte, the variant above it).
pub const FORMAT_MAXICODE: c_int = 0x2055;
pub const FORMAT_EAN_UPC: c_int = 0x2045;
pub const FORMAT_QR: c_int = 0x2051;
pub const FORMAT_PDF417: c_int = 0x204C;
pub const FORMAT_ALL_LINEAR: c_int = 0x6C2A;
/// `ZXing_ContentType_*`.
pub const CONTENT_BINARY: c_int = 1;
pub const CONTENT_MIXED: c_int = 2;
pub const CONTENT_GS1: c_int = 3;
pub const CONTENT_UNKNOWN_ECI: c_int = 5;

extern "C" {
    pub fn ZXing_ImageView_new_checked(
        data: *const u8,
        size: c_int,
        width: c_int,
        height: c_int,
        format: c_int,
        row_stride: c_int,
        pix_stride: c_int,
    ) -> *mut ImageView;
    pub fn ZXing_ImageView_delete(iv: *mut ImageView);
    pub fn ZXing_ImageView_rotate(iv: *mut ImageView, degree: c_int);

    pub fn ZXing_ReaderOptions_new() -> *mut ReaderOptions;
    pub fn ZXing_ReaderOptions_delete(o: *mut ReaderOptions);
    pub fn ZXing_ReaderOptions_setTryHarder(o: *mut ReaderOptions, v: bool);
    pub fn ZXing_ReaderOptions_setTryRotate(o: *mut ReaderOptions, v: bool);
    pub fn ZXing_ReaderOptions_setTryInvert(o: *mut ReaderOptions, v: bool);
    pub fn ZXing_ReaderOptions_setTryDownscale(o: *mut ReaderOptions, v: bool);
    pub fn ZXing_ReaderOptions_setReturnErrors(o: *mut ReaderOptions, v: bool);
    pub fn ZXing_ReaderOptions_setEanAddOnSymbol(o: *mut ReaderOptions, v: c_int);
    pub fn ZXing_ReaderOptions_setTextMode(o: *mut ReaderOptions, v: c_int);
    pub fn ZXing_ReaderOptions_setMaxNumberOfSymbols(o: *mut ReaderOptions, n: c_int);
    pub fn ZXing_ReaderOptions_setFormats(o: *mut ReaderOptions, formats: *const c_int, count: c_int);

    pub fn ZXing_ReadBarcodes(iv: *const ImageView, o: *const ReaderOptions) -> *mut Barcodes;
    pub fn ZXing_Barcodes_delete(b: *mut Barcodes);
    pub fn ZXing_Barcodes_size(b: *const Barcodes) -> c_int;
    pub fn ZXing_Barcodes_at(b: *const Barcodes, i: c_int) -> *const Barcode;

    pub fn ZXing_Barcode_isValid(b: *const Barcode) -> bool;
    pub fn ZXing_Barcode_format(b: *const Barcode) -> c_int;
    pub fn ZXing_Barcode_contentType(b: *const Barcode) -> c_int;
    pub fn ZXing_Barcode_bytes(b: *const Barcode, len: *mut c_int) -> *mut u8;
    pub fn ZXing_Barcode_text(b: *const Barcode) -> *mut c_char;
    pub fn ZXing_Barcode_symbologyIdentifier(b: *const Barcode) -> *mut c_char;
    pub fn ZXing_Barcode_position(b: *const Barcode) -> Position;
    pub fn ZXing_Barcode_orientation(b: *const Barcode) -> c_int;
    pub fn ZXing_Barcode_hasECI(b: *const Barcode) -> bool;
    pub fn ZXing_Barcode_isInverted(b: *const Barcode) -> bool;
    pub fn ZXing_Barcode_isMirrored(b: *const Barcode) -> bool;
    pub fn ZXing_Barcode_lineCount(b: *const Barcode) -> c_int;
    pub fn ZXing_Barcode_sequenceIndex(b: *const Barcode) -> c_int;
    pub fn ZXing_Barcode_sequenceSize(b: *const Barcode) -> c_int;
    pub fn ZXing_Barcode_sequenceId(b: *const Barcode) -> *mut c_char;
    pub fn ZXing_Barcode_extra(b: *const Barcode, key: *const c_char) -> *mut c_char;

    pub fn ZXing_free(p: *mut c_void);
}
