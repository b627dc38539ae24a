//! Symbologies: validate data per symbology (check digits, character sets, capacity) and
//! encode it into a module pattern. Pure: no IO, and every input yields a symbol or a typed
//! `DataError`, never a panic.

pub mod code128;
pub mod ean;
pub mod qr;

use std::fmt;

/// The symbologies this build serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbology {
    Ean13,
    Code128,
    Qr,
}

impl Symbology {
    /// Every served symbology, in the order `/v1/symbologies` lists them.
    pub const ALL: [Symbology; 3] = [Symbology::Ean13, Symbology::Code128, Symbology::Qr];

    /// Looks a symbology up by its lower-case URL name.
    pub fn from_name(name: &[u8]) -> Option<Symbology> {
        Self::ALL.into_iter().find(|s| s.name().as_bytes() == name)
    }

    /// The lower-case name used in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Symbology::Ean13 => "ean13",
            Symbology::Code128 => "code128",
            Symbology::Qr => "qr",
        }
    }

    /// Whether the symbol is two-dimensional (no bar height, no text line).
    pub fn is_2d(self) -> bool {
        matches!(self, Symbology::Qr)
    }

    /// Default quiet zone, left and right, in modules: each specification's minimum.
    pub fn default_quiet(self) -> (u32, u32) {
        match self {
            Symbology::Ean13 => (11, 7),
            Symbology::Code128 => (10, 10),
            Symbology::Qr => (4, 4),
        }
    }

    /// Default bar height in modules for linear codes (EAN-13: 22.85 mm at X = 0.33 mm).
    pub fn default_height(self) -> u32 {
        match self {
            Symbology::Ean13 => 69,
            Symbology::Code128 => 50,
            Symbology::Qr => 0,
        }
    }

    /// Default pixels per module.
    pub fn default_scale(self) -> u32 {
        match self {
            Symbology::Qr => 4,
            _ => 2,
        }
    }

    /// A one-line statement of the data rules, for `/v1/symbologies`.
    pub fn data_rule(self) -> &'static str {
        match self {
            Symbology::Ean13 => {
                "12 digits (check digit computed) or 13 digits (check digit verified)"
            }
            Symbology::Code128 => code128::RULE,
            Symbology::Qr => qr::RULE,
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
            DataError::Capacity { .. } => "data_over_capacity",
        }
    }
}

/// Symbology-specific encoding options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EncodeOptions {
    pub ecc: Option<Ecc>,
}

/// Validates `data` for `sym` and encodes it.
pub fn encode(sym: Symbology, data: &[u8], opts: &EncodeOptions) -> Result<Encoded, DataError> {
    if data.is_empty() {
        return Err(DataError::Empty);
    }
    match sym {
        Symbology::Ean13 => ean::encode_ean13(data),
        Symbology::Code128 => code128::encode(data),
        Symbology::Qr => qr::encode(data, opts.ecc.unwrap_or(qr::DEFAULT_ECC)),
    }
}
