//! Symbologies: validate data per symbology (check digits, character sets, capacity) and
//! encode it into a module pattern. Pure: no IO, and every input yields a symbol or a typed
//! `DataError`, never a panic.

pub mod code128;
pub mod ean;
pub mod gs1_128;
pub mod linear;
pub mod qr;
pub mod qr_mask;
pub mod twod;

use std::fmt;

/// The symbologies this build serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
    UpcE,
    Itf,
    Itf14,
    Code128,
    Gs1_128,
    Code39,
    Code93,
    Codabar,
    Qr,
    DataMatrix,
    Pdf417,
    Aztec,
}

impl Symbology {
    /// Every served symbology, in the order `/v1/symbologies` lists them.
    pub const ALL: [Symbology; 15] = [
        Symbology::Ean13,
        Symbology::Ean8,
        Symbology::UpcA,
        Symbology::UpcE,
        Symbology::Itf,
        Symbology::Itf14,
        Symbology::Code128,
        Symbology::Gs1_128,
        Symbology::Code39,
        Symbology::Code93,
        Symbology::Codabar,
        Symbology::Qr,
        Symbology::DataMatrix,
        Symbology::Pdf417,
        Symbology::Aztec,
    ];

    /// Looks a symbology up by its lower-case URL name.
    pub fn from_name(name: &[u8]) -> Option<Symbology> {
        Self::ALL.into_iter().find(|s| s.name().as_bytes() == name)
    }

    /// The lower-case name used in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Symbology::Ean13 => "ean13",
            Symbology::Ean8 => "ean8",
            Symbology::UpcA => "upca",
            Symbology::UpcE => "upce",
            Symbology::Itf => "itf",
            Symbology::Itf14 => "itf14",
            Symbology::Code128 => "code128",
            Symbology::Gs1_128 => "gs1-128",
            Symbology::Code39 => "code39",
            Symbology::Code93 => "code93",
            Symbology::Codabar => "codabar",
            Symbology::Qr => "qr",
            Symbology::DataMatrix => "datamatrix",
            Symbology::Pdf417 => "pdf417",
            Symbology::Aztec => "aztec",
        }
    }

    /// Whether the symbol is two-dimensional (no bar height, no text line).
    pub fn is_2d(self) -> bool {
        matches!(self, Symbology::Qr | Symbology::DataMatrix | Symbology::Pdf417 | Symbology::Aztec)
    }

    /// Default quiet zone, left and right, in modules: each specification's minimum.
    pub fn default_quiet(self) -> (u32, u32) {
        match self {
            Symbology::Ean13 => (11, 7),
            Symbology::Ean8 => (7, 7),
            Symbology::UpcA | Symbology::UpcE => (9, 9),
            Symbology::Qr => (4, 4),
            Symbology::DataMatrix => (1, 1),
            Symbology::Pdf417 => (2, 2),
            Symbology::Aztec => (0, 0),
            _ => (10, 10),
        }
    }

    /// Default bar height in modules for linear codes (EAN-13: 22.85 mm at X = 0.33 mm).
    pub fn default_height(self) -> u32 {
        match self {
            Symbology::Ean13 | Symbology::UpcA => 69,
            Symbology::Ean8 => 55,
            Symbology::UpcE => 69,
            Symbology::Itf14 => 97,
            s if s.is_2d() => 0,
            _ => 50,
        }
    }

    /// Default pixels per module.
    pub fn default_scale(self) -> u32 {
        match self {
            Symbology::Qr | Symbology::DataMatrix | Symbology::Aztec => 4,
            _ => 2,
        }
    }

    /// A one-line statement of the data rules, for `/v1/symbologies`.
    pub fn data_rule(self) -> &'static str {
        match self {
            Symbology::Ean13 => "12 digits (check digit computed) or 13 digits (check digit verified)",
            Symbology::Ean8 => "7 digits (check digit computed) or 8 (verified)",
            Symbology::UpcA => "11 digits (check digit computed) or 12 (verified)",
            Symbology::UpcE => linear::UPCE_RULE,
            Symbology::Itf => "an even number of digits, 2-80 (pad=true adds a leading 0 to an odd count)",
            Symbology::Itf14 => "13 digits (check digit computed) or 14 (verified)",
            Symbology::Code128 => code128::RULE,
            Symbology::Gs1_128 => gs1_128::RULE,
            Symbology::Code39 => linear::CODE39_RULE,
            Symbology::Code93 => {
                "1-80 ASCII characters (0-127, full ASCII through shift pairs); two check characters added"
            }
            Symbology::Codabar => linear::CODABAR_RULE,
            Symbology::Qr => qr::RULE,
            Symbology::DataMatrix => twod::DATAMATRIX_RULE,
            Symbology::Pdf417 => twod::PDF417_RULE,
            Symbology::Aztec => twod::AZTEC_RULE,
        }
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
}

/// A two-dimensional symbol: `width` x `height` modules, row-major, `true` for dark.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub width: usize,
    pub height: usize,
    pub dark: Vec<bool>,
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
    match sym {
        Symbology::Ean13 => ean::encode_ean13_addon(data, opts.addon.as_ref().map(|a| &a.digits[..a.len as usize])),
        Symbology::Ean8 => linear::ean8(data),
        Symbology::UpcA => linear::upca(data),
        Symbology::UpcE => linear::upce(data),
        Symbology::Itf => linear::itf(data, opts.pad, opts.bearer.unwrap_or(false)),
        Symbology::Itf14 => linear::itf14(data, opts.bearer.unwrap_or(true)),
        Symbology::Code128 => code128::encode(data),
        Symbology::Gs1_128 => gs1_128::encode(data),
        Symbology::Code39 => linear::code39(data, opts.full_ascii, opts.check),
        Symbology::Code93 => linear::code93(data),
        Symbology::Codabar => linear::codabar(data),
        Symbology::Qr => qr::encode(data, opts.ecc.unwrap_or(qr::DEFAULT_ECC), opts.version, opts.mask, opts.gs1),
        Symbology::DataMatrix => twod::datamatrix(data, opts.rect, opts.gs1),
        Symbology::Pdf417 => twod::pdf417(data, opts.level.unwrap_or(twod::PDF417_DEFAULT_ECC), opts.columns),
        Symbology::Aztec => twod::aztec(data, opts.level.unwrap_or(twod::AZTEC_DEFAULT_ECC)),
    }
}
