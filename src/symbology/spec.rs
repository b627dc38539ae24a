//! What one symbology is, in one place: its name, data rule, defaults, renderer family (its
//! circuit breaker's class), the options it takes beyond the common ones, and its encoder.
//! Each symbology is one file in `specs/` exporting one `Spec`; `specs/mod.rs` lists them.
//! Everything else — routing, option validation, the canonical key, `/v1/symbologies`, the
//! breaker class — reads the spec, and matches exhaustively on the small enums here.

use super::{DataError, EncodeOptions, Encoded};

/// The renderer family: the class whose circuit breaker guards the symbology's renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Linear,
    Qr,
    DataMatrix,
    Pdf417,
    Aztec,
}

impl Family {
    pub const ALL: [Family; 5] = [Family::Linear, Family::Qr, Family::DataMatrix, Family::Pdf417, Family::Aztec];

    /// The family's name in operators' rules (switch scopes): `linear`, `qr`, …
    pub fn name(self) -> &'static str {
        match self {
            Family::Linear => "linear",
            Family::Qr => "qr",
            Family::DataMatrix => "datamatrix",
            Family::Pdf417 => "pdf417",
            Family::Aztec => "aztec",
        }
    }

    pub fn from_name(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// What `ecc=` means for a symbology.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EccKind {
    /// QR: a level letter, L, M, Q or H (default M).
    QrLevel,
    /// Micro QR: L, M or Q as the version allows (default L).
    MicroQrLevel,
    /// PDF417: a level 0-8 (default 2).
    Pdf417Level,
    /// Aztec: error-correction words in percent, 5-95 (default 23).
    AztecPercent,
    /// rMQR: M or H (default M).
    RmqrLevel,
}

/// An option only some symbologies take. The common options (scale, quiet, colours,
/// rotation, sizing) are every symbology's; bar height and the text line every linear one's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opt {
    Ecc(EccKind),
    /// QR version 1-40.
    Version,
    /// Micro QR version M1-M4 (query name `version`).
    MicroVersion,
    /// rMQR size R7x43-R17x139 (query name `version`).
    RmqrVersion,
    /// QR mask pattern 0-7.
    Mask,
    /// GS1 mode: the data is a bracketed element string, FNC1 first.
    Gs1,
    /// EAN-13 add-on, 2 or 5 digits.
    Addon,
    /// EAN quiet-zone marks (`<`, `>`).
    Marks,
    /// PDF417 data columns 1-30.
    Columns,
    /// MicroPDF417 data columns 1-4 (query name `columns`).
    MicroColumns,
    /// DataMatrix shape, square or rect.
    Shape,
    /// ITF: pad an odd digit count with a leading 0.
    Pad,
    /// ITF bearer bars, with the symbology's default.
    Bearer {
        default: bool,
    },
    /// Code 39 full ASCII.
    FullAscii,
    /// Code 39 mod-43 check character.
    Check,
    /// Code 11 check characters, 0-2.
    Checks,
    /// MSI Plessey check digits: none, mod10, mod10-10, mod11 (query name `check`).
    MsiCheck,
    /// DataBar Expanded Stacked: characters per row, 2-22, even.
    Segments,
    /// DotCode width in dots, 5-200 (query name `columns`).
    DotColumns,
    /// DotCode mask 0-3, 4-7 the same with the corners lit (query name `mask`).
    DotMask,
    /// MaxiCode mode, 2-6.
    MaxiMode,
    /// MaxiCode modes 2 and 3: the primary message's `postcode`, `country` and `service`.
    Primary,
}

impl Opt {
    /// The query name of the option.
    pub fn name(self) -> &'static str {
        match self {
            Opt::Ecc(_) => "ecc",
            Opt::Version | Opt::MicroVersion | Opt::RmqrVersion => "version",
            Opt::Mask | Opt::DotMask => "mask",
            Opt::Gs1 => "gs1",
            Opt::Addon => "addon",
            Opt::Marks => "marks",
            Opt::Columns | Opt::MicroColumns | Opt::DotColumns => "columns",
            Opt::Shape => "shape",
            Opt::Pad => "pad",
            Opt::Bearer { .. } => "bearer",
            Opt::FullAscii => "full_ascii",
            Opt::Check => "check",
            Opt::Checks => "checks",
            Opt::MsiCheck => "check",
            Opt::Segments => "segments",
            Opt::MaxiMode => "mode",
            Opt::Primary => "postcode",
        }
    }
}

/// One symbology.
pub struct Spec {
    /// The lower-case name used in URLs.
    pub name: &'static str,
    /// A one-line statement of the data rules, for `/v1/symbologies`.
    pub data_rule: &'static str,
    /// The data rules a JSON Schema can state, for `/openapi.json`.
    pub data_schema: DataSchema,
    /// Two-dimensional: no bar height, no text line.
    pub two_d: bool,
    /// Default quiet zone, left and right, in modules: the specification's minimum.
    pub quiet: (u32, u32),
    /// Default bar height in modules (linear only; 0 for 2D).
    pub height: u32,
    /// Default pixels per module.
    pub scale: u32,
    /// A fixed physical module width in mm (MaxiCode's 0.88), used when the output has a
    /// resolution (`dpi`, or a printed format) and neither `scale` nor `xdim` is given.
    pub fixed_xdim_mm: Option<f64>,
    pub family: Family,
    /// The options it takes beyond the common and linear ones, in the order they are listed.
    pub options: &'static [Opt],
    /// The data is text: control characters other than tab, CR and LF are refused.
    pub text_data: bool,
    /// The data is always a GS1 element string (GS1-128); others are with `gs1=true`.
    pub gs1_data: bool,
    /// Validates and encodes the data (never empty: checked before).
    pub encode: fn(&[u8], &EncodeOptions) -> Result<Encoded, DataError>,
    /// Spells out the encoding defaults the canonical key records (QR: the ecc level).
    pub defaults: fn(&mut EncodeOptions),
}

/// What a JSON Schema can say of a symbology's data: every data the encoder accepts matches
/// `pattern` (empty: any text) and has at most `max_chars` characters. A superset: check
/// digits, capacities that depend on the content, and what options change are the
/// encoder's to refuse.
#[derive(Clone, Copy, Debug)]
pub struct DataSchema {
    pub pattern: &'static str,
    pub max_chars: usize,
    /// Data that encodes with the default options (the OpenAPI document's example, the
    /// playground's first data; `tests/openapi.rs` renders each).
    pub example: &'static str,
}

/// For specs with no encoding defaults to spell out.
pub fn no_defaults(_: &mut EncodeOptions) {}

/// The usual linear symbology — 10-module quiet zones, bars 50 modules high, 2 px per
/// module, a text line, no options or defaults of its own — for a linear spec to state only
/// what differs from it (`..LINEAR`). Never registered itself: its name is empty.
pub const LINEAR: Spec = Spec {
    name: "",
    data_rule: "",
    // Never registered: every spec states its own (a test holds max_chars > 0).
    data_schema: DataSchema { pattern: "", max_chars: 0, example: "" },
    two_d: false,
    quiet: (10, 10),
    height: 50,
    scale: 2,
    fixed_xdim_mm: None,
    family: Family::Linear,
    options: &[],
    text_data: false,
    gs1_data: false,
    encode: |_, _| Err(DataError::Empty),
    defaults: no_defaults,
};

/// The usual four-state postal code (`fourstate.rs`): drawn as a matrix of its three bands
/// (no bar height option, no text line), 4-module quiet zones, 3 px per module, the cheap
/// linear renderers' breaker — for a postal spec to state only what differs (`..POSTAL`).
pub const POSTAL: Spec = Spec { two_d: true, quiet: (4, 4), height: 0, scale: 3, ..LINEAR };

/// The usual stacked linear symbol (the stacked GS1 DataBar forms): rows of bars and their
/// separators drawn as a matrix (no bar height option, no text line), 1-module quiet zones
/// (the guards carry their own), 2 px per module, the linear renderers' breaker.
pub const STACKED: Spec = Spec { quiet: (1, 1), scale: 2, ..POSTAL };

impl Spec {
    /// Whether the symbology takes `opt` (compared by kind; a bearer's default aside).
    pub fn takes(&self, opt: Opt) -> bool {
        self.options.iter().any(|o| std::mem::discriminant(o) == std::mem::discriminant(&opt))
    }

    /// What `ecc=` means for it, if it takes one.
    pub fn ecc(&self) -> Option<EccKind> {
        self.options.iter().find_map(|o| match o {
            Opt::Ecc(k) => Some(*k),
            _ => None,
        })
    }
}
