//! GS1 DataMatrix through `rxing`'s encoder (pure Rust, Apache-2.0); DataMatrix, PDF417 and
//! Aztec call our own (`datamatrix.rs`, `pdf417.rs`, `aztec/`). Input is
//! length-checked against each symbology's largest capacity before the encoder runs, the
//! encoder is called behind `catch_unwind`, and its output is turned into our `Matrix`.

use super::gs1_128;
use super::{DataError, Encoded, Matrix, MatrixKind, Symbol};
use rxing::common::BitMatrix;
use rxing::{BarcodeFormat, EncodeHints, Writer};
use std::collections::HashMap;
use std::sync::Mutex;

pub const DATAMATRIX_RULE: &str = "UTF-8 text; up to 3116 digits, 2335 ASCII characters or 1556 bytes (144x144); \
shape=square|rect; gs1=true takes a bracketed GS1 element string";
pub const PDF417_RULE: &str =
    "UTF-8 text; at ecc=0 up to 2628 digits or 1794 upper-case letters, less at higher ecc (a refusal states the capacity at the chosen ecc); ecc=0-8 (default 2); columns=1-30";
pub const AZTEC_RULE: &str =
    "UTF-8 text; at ecc=5 up to 4748 digits or 3799 upper-case letters, at the default ecc=23 4054 or 3244, less at higher ecc (a refusal states the capacity at the chosen ecc); ecc=5-95 percent";

pub const PDF417_DEFAULT_ECC: u8 = 2;
pub const AZTEC_DEFAULT_ECC: u8 = 23;
/// PDF417 row height in modules (the specification's minimum is 3).
pub const PDF417_ROW: usize = 3;

fn text(data: &[u8]) -> Result<&str, DataError> {
    std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)
}

fn pre_check(symbology: &'static str, data: &[u8], max_any: usize, limit: &'static str) -> Result<(), DataError> {
    if data.len() > max_any {
        return Err(DataError::Capacity2d { symbology, got: data.len(), limit });
    }
    Ok(())
}

fn from_bits(m: &BitMatrix) -> Matrix {
    let (w, h) = (m.getWidth() as usize, m.getHeight() as usize);
    let mut dark = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            dark.push(m.get(x as u32, y as u32));
        }
    }
    Matrix { width: w, height: h, dark, kind: MatrixKind::Square }
}

fn hints(data: &str) -> EncodeHints {
    EncodeHints {
        Margin: Some("0".into()),
        CharacterSet: (!data.is_ascii()).then(|| "UTF-8".into()),
        ..Default::default()
    }
}

fn write(format: BarcodeFormat, contents: &str, h: &EncodeHints) -> Option<Matrix> {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rxing::MultiFormatWriter.encode_with_hints(contents, &format, 0, 0, h)
    }));
    match r {
        Ok(Ok(m)) if m.getWidth() > 0 && m.getHeight() > 0 => Some(from_bits(&m)),
        _ => None,
    }
}

pub fn datamatrix(data: &[u8], rect: bool, gs1: bool) -> Result<Encoded, DataError> {
    const LIMIT: &str =
        "DataMatrix holds at most 3116 digits, 2335 ASCII characters or 1556 bytes; rectangular symbols far less";
    pre_check("datamatrix", data, 3116, LIMIT)?;
    let s = text(data)?;
    if !gs1 {
        let m = super::datamatrix::encode(s, rect).ok_or(DataError::Capacity2d {
            symbology: "datamatrix",
            got: data.len(),
            limit: LIMIT,
        })?;
        return Ok(Encoded { symbol: Symbol::Matrix(m), canonical: s.to_owned() });
    }
    // GS1 mode: rxing's encoder starts with FNC1 itself and turns GS separators into FNC1.
    let contents = if gs1 { crate::gs1::element::to_raw(&gs1_128::parse_bracketed(s)?) } else { s.to_owned() };
    let mut h = hints(&contents);
    // The minimal encoder is the one that honours the character set (ECI) and GS1 hints.
    h.DataMatrixCompact = Some(true);
    h.DataMatrixShape = Some(if rect {
        rxing::datamatrix::encoder::SymbolShapeHint::FORCE_RECTANGLE
    } else {
        rxing::datamatrix::encoder::SymbolShapeHint::FORCE_SQUARE
    });
    if gs1 {
        h.Gs1Format = Some(true);
    }
    let m = write(BarcodeFormat::DATA_MATRIX, &contents, &h).ok_or(DataError::Capacity2d {
        symbology: "datamatrix",
        got: data.len(),
        limit: LIMIT,
    })?;
    Ok(Encoded { symbol: Symbol::Matrix(m), canonical: s.to_owned() })
}

fn aztec_matrix(s: &str, ecc: u8) -> Option<Matrix> {
    super::aztec::encode(s.as_bytes(), ecc)
}

/// The kinds of data whose capacity a refusal states, with a sample character of each.
fn kind_of(s: &str) -> (&'static str, char) {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        ("digits", '7')
    } else if s.bytes().all(|b| b.is_ascii_uppercase() || b == b' ') {
        ("upper-case letters", 'Q')
    } else if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        ("lower-case ASCII", 'q')
    } else {
        ("UTF-8 bytes", 'é')
    }
}

/// Capacities found so far, per (symbology, ecc, columns, kind): each is searched once.
type CapacityKey = (&'static str, u8, u8, &'static str);
static CAPACITY: Mutex<Option<HashMap<CapacityKey, usize>>> = Mutex::new(None);

/// The largest input (in bytes) of `s`'s kind that `fits`, found by binary search over
/// inputs made of the kind's sample character and remembered: only a refused request pays
/// for it, once per setting and kind (at most 9 x 31 x 4 for PDF417, 91 x 4 for Aztec).
fn capacity(
    sym: &'static str,
    ecc: u8,
    cols: u8,
    s: &str,
    max_any: usize,
    fits: impl Fn(&str) -> bool,
) -> (usize, &'static str) {
    let (kind, c) = kind_of(s);
    let key = (sym, ecc, cols, kind);
    if let Some(n) = CAPACITY.lock().ok().and_then(|m| m.as_ref().and_then(|m| m.get(&key).copied())) {
        return (n, kind);
    }
    let unit = c.len_utf8();
    let (mut lo, mut hi) = (0usize, max_any / unit + 1); // lo fits (empty), hi does not
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if fits(&c.to_string().repeat(mid)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    if let Ok(mut m) = CAPACITY.lock() {
        m.get_or_insert_with(HashMap::new).insert(key, lo * unit);
    }
    (lo * unit, kind)
}

pub fn pdf417(data: &[u8], ecc: u8, columns: Option<u8>) -> Result<Encoded, DataError> {
    // Longer input is never given to the encoder; its refusal still states the capacity.
    const MAX_ANY: usize = 2710;
    let s = text(data)?;
    let rows = if data.len() > MAX_ANY { None } else { super::pdf417::encode(s, ecc, columns) };
    let Some(rows) = rows else {
        let (max, kind) = capacity("pdf417", ecc, columns.unwrap_or(0), s, MAX_ANY, |t| {
            super::pdf417::encode(t, ecc, columns).is_some()
        });
        let setting = match columns {
            Some(c) => format!("ecc={ecc}, columns={c}"),
            None => format!("ecc={ecc}"),
        };
        return Err(DataError::Capacity2dAt { symbology: "pdf417", got: data.len(), max, kind, setting });
    };
    Ok(Encoded { symbol: Symbol::Matrix(super::pdf417::stacked(&rows, PDF417_ROW)), canonical: s.to_owned() })
}

pub fn aztec(data: &[u8], ecc: u8) -> Result<Encoded, DataError> {
    const MAX_ANY: usize = 4748;
    let s = text(data)?;
    let m = if data.len() > MAX_ANY { None } else { aztec_matrix(s, ecc) };
    let Some(m) = m else {
        let (max, kind) = capacity("aztec", ecc, 0, s, MAX_ANY, |t| aztec_matrix(t, ecc).is_some());
        let setting = format!("ecc={ecc}%");
        return Err(DataError::Capacity2dAt { symbology: "aztec", got: data.len(), max, kind, setting });
    };
    Ok(Encoded { symbol: Symbol::Matrix(m), canonical: s.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::testkit::dims;

    /// The stated capacity is exact: it fits, one more does not.
    #[test]
    fn stated_capacity_is_the_edge() {
        for (ecc, cols) in [(0u8, None), (5, None), (8, Some(10u8))] {
            let Err(DataError::Capacity2dAt { max, kind, .. }) = pdf417("1".repeat(2700).as_bytes(), ecc, cols) else {
                panic!("2700 digits fit at ecc={ecc}")
            };
            assert_eq!(kind, "digits");
            assert!(pdf417("7".repeat(max).as_bytes(), ecc, cols).is_ok());
            assert!(pdf417("7".repeat(max + 1).as_bytes(), ecc, cols).is_err());
        }
        let Err(DataError::Capacity2dAt { max, kind, .. }) = aztec("Q".repeat(3800).as_bytes(), 50) else { panic!() };
        assert_eq!(kind, "upper-case letters");
        assert!(aztec("Q".repeat(max).as_bytes(), 50).is_ok());
        assert!(aztec("Q".repeat(max + 1).as_bytes(), 50).is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(dims(datamatrix(b"hello", false, false).unwrap()), (12, 12));
        let (w, h) = dims(datamatrix(b"hello", true, false).unwrap());
        assert!(w > h);
        let (w, h) = dims(pdf417(b"hello", 2, None).unwrap());
        assert!(w > 60 && h % PDF417_ROW == 0);
        assert_eq!(dims(aztec(b"hello", 23).unwrap()), (15, 15));
    }

    /// A strict decoder (rxing's PDF417 reader: zxing's, which refuses a mirrored symbol)
    /// reads our symbol drawn at 2 px per module with a quiet zone; it did not while the
    /// rows were drawn bottom-up.
    #[test]
    fn pdf417_rows_run_top_down_for_a_strict_reader() {
        for (data, ecc, cols) in [("HELLO-WORLD-12345", 2u8, None), ("zażółć 0123456789", 5, Some(4u8))] {
            let Symbol::Matrix(m) = pdf417(data.as_bytes(), ecc, cols).unwrap().symbol else { panic!() };
            let read = crate::symbology::testkit::rxing_read(&m, BarcodeFormat::PDF_417, 2, 8);
            assert_eq!(read.as_deref(), Some(data));
        }
    }

    #[test]
    fn over_capacity_is_typed() {
        assert!(matches!(datamatrix(&[b'x'; 5000], false, false), Err(DataError::Capacity2d { .. })));
        assert!(matches!(datamatrix("日".repeat(1000).as_bytes(), false, false), Err(DataError::Capacity2d { .. })));
        assert!(matches!(pdf417(&[b'x'; 2000], 8, None), Err(DataError::Capacity2dAt { .. })));
        assert!(matches!(aztec(&[b'x'; 3500], 23), Err(DataError::Capacity2dAt { .. })));
    }

    #[test]
    fn gs1_datamatrix_uses_gs_separators() {
        let e = gs1_128::parse_bracketed("(01)09506000134352(10)ABC(17)261231").unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(crate::gs1::element::to_raw(&e), "010950600013435210ABC\u{1d}17261231");
    }
}
