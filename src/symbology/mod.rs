//! Symbologies: validate data per symbology (check digits, character sets, capacity) and
//! encode it into a module pattern. Each symbology is one spec (`specs/`, the registry);
//! the encoders live beside it (`ean.rs`, `linear.rs`, `code128.rs`, `qr.rs`, `twod.rs`). Pure: no IO, and every input yields a symbol or a typed
//! `DataError`, never a panic.

pub mod auspost;
pub mod aztec;
pub mod code11;
pub mod code128;
pub mod databar;
pub mod databar_exp;
pub mod datamatrix;
pub mod dotcode;
pub mod ean;
pub mod fourstate;
pub mod gf64;
pub mod gfp;
pub mod gs1_128;
pub mod imb;
pub mod isbn;
pub mod linear;
pub mod maxicode;
pub mod micropdf417;
pub mod microqr;
pub mod msi;
pub mod pdf417;
pub mod pharma;
pub mod pharma39;
pub mod qr;
pub mod qr_mask;
pub mod rmqr;
pub mod royalmail;
pub mod spec;
pub mod specs;
#[cfg(test)]
pub mod testkit;
pub mod twod;

use spec::Spec;
use std::fmt;

/// A served symbology: an index into the registry (`specs::ALL`). Every fact about it is
/// on its `Spec`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Symbology(u8);

impl Symbology {
    /// Every served symbology, in the order `/v1/symbologies` lists them.
    pub fn all() -> impl Iterator<Item = Symbology> {
        (0..specs::ALL.len()).map(|i| Symbology(i as u8))
    }

    /// Looks a symbology up by its lower-case URL name.
    pub fn from_name(name: &[u8]) -> Option<Symbology> {
        Self::all().find(|s| s.name().as_bytes() == name)
    }

    /// Its spec: name, data rule, defaults, family, options, encoder.
    pub fn spec(self) -> &'static Spec {
        specs::ALL[self.0 as usize]
    }

    /// The lower-case name used in URLs.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// Whether the symbol is two-dimensional (no bar height, no text line).
    pub fn is_2d(self) -> bool {
        self.spec().two_d
    }
}

impl fmt::Debug for Symbology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// QR error-correction level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ecc {
    L,
    M,
    Q,
    H,
}

impl Ecc {
    pub fn letter(self) -> char {
        match self {
            Ecc::L => 'L',
            Ecc::M => 'M',
            Ecc::Q => 'Q',
            Ecc::H => 'H',
        }
    }
}

/// The human-readable interpretation printed under a linear symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HumanText {
    /// EAN-13 digits in their standard split positions.
    Ean13([u8; 13]),
    /// EAN-8: four digits under each half.
    Ean8([u8; 8]),
    /// UPC-A: first and last digit outside the bars, five under each half.
    UpcA([u8; 12]),
    /// UPC-E: number system left, six digits under, check digit right.
    UpcE([u8; 8]),
    /// A line centred under the bars.
    Centered(String),
}

/// A linear symbol: one row of modules, `true` for a bar.
#[derive(Clone, Debug)]
pub struct Linear {
    pub modules: Vec<bool>,
    /// Modules (by index) whose bars extend into the text line: EAN guard bars.
    pub guards: Vec<usize>,
    pub text: HumanText,
    /// Bearer bars above and below the symbol, in modules (0: none).
    pub bearer: u32,
    /// EAN add-on digits; their modules end `modules`, after `ean::ADDON_GAP` light ones.
    pub addon: Option<String>,
    /// A line above the bars (ISBN's `ISBN 978…`), drawn with the text line.
    pub above: Option<String>,
}

/// A two-dimensional symbol: `width` x `height` modules, row-major, `true` for dark.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub width: usize,
    pub height: usize,
    pub dark: Vec<bool>,
    /// How the modules are drawn.
    pub kind: MatrixKind,
}

/// How a matrix's modules are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixKind {
    /// Square modules.
    Square,
    /// Four-state postal bars in `fourstate`'s three bands (`fourstate::states` reads them).
    FourState,
    /// MaxiCode: hexagons in offset rows around a bullseye (`maxicode`).
    MaxiCode,
    /// DotCode: a round dot at each dark module's centre (`dotcode`).
    Dots,
}

/// An encoded symbol.
#[derive(Clone, Debug)]
pub enum Symbol {
    Linear(Linear),
    Matrix(Matrix),
}

/// Data as the symbology validated it.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub symbol: Symbol,
    /// The normalised data: the cache key and ETag derive from it (e.g. 13 EAN digits).
    pub canonical: String,
}

/// The Luhn sum of `digits`: from the right, the first, third, … digit doubled and the
/// digits of each product added (MSI's mod 10 and Code 32's check digit build on it).
pub fn luhn_sum(digits: &[u8]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &v)| {
            let x = u32::from(v) * if i % 2 == 0 { 2 } else { 1 };
            x / 10 + x % 10
        })
        .sum()
}

/// `text` as ISO/IEC 8859-1 bytes, for symbologies without ECI (Micro QR, MaxiCode): a
/// character beyond U+00FF is refused, never left to a reader's guess.
pub fn latin1(symbology: &'static str, text: &str, allowed: &'static str) -> Result<Vec<u8>, DataError> {
    text.chars()
        .enumerate()
        .map(|(pos, ch)| u8::try_from(u32::from(ch)).map_err(|_| DataError::BadChar { symbology, pos, ch, allowed }))
        .collect()
}

impl Encoded {
    /// A plain linear symbol (no guards, bearers or add-on) with `text` centred under it.
    pub fn linear(modules: Vec<bool>, text: String, canonical: String) -> Encoded {
        let text = HumanText::Centered(text);
        Encoded {
            symbol: Symbol::Linear(Linear { modules, guards: Vec::new(), text, bearer: 0, addon: None, above: None }),
            canonical,
        }
    }
}

/// Why data cannot be encoded; each message names the field and the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    Empty,
    NotUtf8,
    Length {
        symbology: &'static str,
        expected: &'static str,
        got: usize,
    },
    TooLong {
        symbology: &'static str,
        max: usize,
        got: usize,
        unit: &'static str,
    },
    BadChar {
        symbology: &'static str,
        pos: usize,
        ch: char,
        allowed: &'static str,
    },
    CheckDigit {
        expected: u8,
        found: u8,
    },
    Capacity {
        got: usize,
        max: usize,
        ecc: char,
        mode: &'static str,
    },
    /// 2D capacity (DataMatrix, PDF417, Aztec): `limit` states the capacity in words.
    Capacity2d {
        symbology: &'static str,
        got: usize,
        limit: &'static str,
    },
    /// PDF417/Aztec: the largest input of this kind at the chosen error correction.
    Capacity2dAt {
        symbology: &'static str,
        got: usize,
        max: usize,
        kind: &'static str,
        setting: String,
    },
    QrVersion {
        got: usize,
        version: u8,
        ecc: char,
    },
    NoUpcE,
    Addon(&'static str),
    Gs1(String),
    Codabar(&'static str),
    /// A field the symbology needs is missing or malformed (MaxiCode's primary message).
    Needs {
        symbology: &'static str,
        what: &'static str,
    },
    /// A number outside the symbology's range (Pharmacode 3-131070).
    OutOfRange {
        symbology: &'static str,
        rule: &'static str,
        got: String,
    },
    /// The encoder failed on data it had accepted (a bug of ours or of a crate it uses),
    /// caught so that the request fails alone.
    EncoderFailed {
        symbology: &'static str,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Empty => write!(f, "data: must not be empty"),
            DataError::NotUtf8 => write!(f, "data: not valid UTF-8"),
            DataError::Length {
                symbology,
                expected,
                got,
            } => {
                write!(
                    f,
                    "data: {symbology} takes {expected}; got {got} characters"
                )
            }
            DataError::TooLong {
                symbology,
                max,
                got,
                unit,
            } => {
                write!(
                    f,
                    "data: {got} {unit} exceeds the {symbology} limit of {max} {unit}"
                )
            }
            DataError::BadChar {
                symbology,
                pos,
                ch,
                allowed,
            } => write!(
                f,
                "data: character {:?} at position {pos} is not allowed in {symbology} ({allowed})",
                ch
            ),
            DataError::CheckDigit { expected, found } => {
                write!(f, "data: check digit is {found} but should be {expected}")
            }
            DataError::Capacity {
                got,
                max,
                ecc,
                mode,
            } => write!(
                f,
                "data: {got} bytes exceeds QR capacity {max} at ecc={ecc} ({mode} mode)"
            ),
            DataError::Capacity2d { symbology, got, limit } => {
                write!(f, "data: {got} bytes does not fit in {symbology} ({limit})")
            }
            DataError::Capacity2dAt { symbology, got, max, kind, setting } => write!(
                f,
                "data: {got} bytes does not fit in {symbology} at {setting}: capacity {max} bytes of {kind} at {setting}"
            ),
            DataError::QrVersion { got, version, ecc } => {
                write!(f, "data: {got} bytes does not fit QR version {version} at ecc={ecc}; omit version or raise it")
            }
            DataError::NoUpcE => write!(
                f,
                "data: this UPC-A has no UPC-E form (UPC-E needs number system 0 or 1 and the zero runs of one of the four compression patterns)"
            ),
            DataError::Gs1(m) => write!(f, "data: {m}"),
            DataError::Addon(m) => write!(f, "{m}"),
            DataError::Codabar(m) => write!(f, "data: {m}"),
            DataError::OutOfRange { symbology, rule, got } => write!(f, "data: {got} is out of range for {symbology} ({rule})"),
            DataError::Needs { symbology, what } => write!(f, "data: {symbology} needs {what}"),
            DataError::EncoderFailed { symbology } => {
                write!(f, "data: the {symbology} encoder failed on this data (our fault, not the data's; please report it)")
            }
        }
    }
}

impl DataError {
    /// A stable machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            DataError::Empty => "data_empty",
            DataError::NotUtf8 => "data_not_utf8",
            DataError::Length { .. } => "data_length",
            DataError::TooLong { .. } => "data_too_long",
            DataError::BadChar { .. } => "data_bad_character",
            DataError::CheckDigit { .. } => "check_digit",
            DataError::Capacity { .. }
            | DataError::Capacity2d { .. }
            | DataError::Capacity2dAt { .. }
            | DataError::QrVersion { .. } => "data_over_capacity",
            DataError::NoUpcE => "no_upce_form",
            DataError::Addon(_) => "bad_addon",
            DataError::Gs1(_) => "gs1_syntax",
            DataError::Codabar(_) => "data_bad_character",
            DataError::OutOfRange { .. } => "data_out_of_range",
            DataError::Needs { .. } => "data_incomplete",
            DataError::EncoderFailed { .. } => "encoder_failed",
        }
    }
}

/// Symbology-specific encoding options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EncodeOptions {
    /// QR level.
    pub ecc: Option<Ecc>,
    /// PDF417 level (0-8) or Aztec error-correction percent.
    pub level: Option<u8>,
    /// PDF417 data columns.
    pub columns: Option<u8>,
    /// EAN-13 add-on digits (2 or 5).
    pub addon: Option<Addon>,
    /// QR version (1-40), when the caller pins the size.
    pub version: Option<u8>,
    /// QR mask pattern (0-7), when the caller pins it.
    pub mask: Option<u8>,
    /// DataMatrix: rectangular symbol.
    pub rect: bool,
    /// GS1 mode (DataMatrix, QR): FNC1 first, data in bracketed element-string form.
    pub gs1: bool,
    /// Code 39: full ASCII through shift pairs.
    pub full_ascii: bool,
    /// Code 39: add the mod-43 check character.
    pub check: bool,
    /// ITF: pad an odd digit count with a leading zero.
    pub pad: bool,
    /// ITF and ITF-14: bearer bars (None: the symbology's default).
    pub bearer: Option<bool>,
    /// Code 11: check characters 0, 1 (C) or 2 (C and K) (None: the default, 2).
    pub checks: Option<u8>,
    /// MSI Plessey check digits.
    pub msi_check: msi::MsiCheck,
    /// DataBar Expanded Stacked: characters per row (None: the default, 4).
    pub segments: Option<u8>,
    /// MaxiCode mode 2-6 (None: the default, 4).
    pub maxi_mode: Option<u8>,
    /// MaxiCode's primary message fields, when given as options.
    pub primary: Option<maxicode::Primary>,
}

/// An EAN add-on as given: up to 5 ASCII bytes, validated by the encoder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Addon {
    pub digits: [u8; 5],
    pub len: u8,
}

/// Validates `data` for `sym` and encodes it.
pub fn encode(sym: Symbology, data: &[u8], opts: &EncodeOptions) -> Result<Encoded, DataError> {
    if data.is_empty() {
        return Err(DataError::Empty);
    }
    guarded(sym.name(), || (sym.spec().encode)(data, opts))
}

/// Runs an encoder, a panic in it turned into `EncoderFailed`. Encoding runs on the
/// connection's core: a panic in any encoder (ours or a crate's, as `qrcode`'s Micro QR
/// terminator was) must fail its request only, never the core and every connection on it.
fn guarded(
    symbology: &'static str,
    f: impl FnOnce() -> Result<Encoded, DataError> + std::panic::UnwindSafe,
) -> Result<Encoded, DataError> {
    std::panic::catch_unwind(f).unwrap_or(Err(DataError::EncoderFailed { symbology }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_encoder_fails_its_request_only() {
        let e = guarded("qr", || panic!("encoder bug")).unwrap_err();
        assert_eq!(e, DataError::EncoderFailed { symbology: "qr" });
        assert_eq!(e.code(), "encoder_failed");
        assert!(guarded("qr", || encode(Symbology::from_name(b"qr").unwrap(), b"x", &EncodeOptions::default())).is_ok());
    }
}
