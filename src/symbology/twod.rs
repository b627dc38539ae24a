//! DataMatrix, PDF417 and Aztec through `rxing`'s encoders (pure Rust, Apache-2.0). Input is
//! length-checked against each symbology's largest capacity before the encoder runs, the
//! encoder is called behind `catch_unwind`, and its output is turned into our `Matrix`.

use super::gs1_128;
use super::{DataError, Encoded, Matrix, Symbol};
use rxing::common::BitMatrix;
use rxing::{BarcodeFormat, EncodeHints, Writer};

pub const DATAMATRIX_RULE: &str = "UTF-8 text; up to 3116 digits, 2335 ASCII characters or 1556 bytes (144x144); \
shape=square|rect; gs1=true takes a bracketed GS1 element string";
pub const PDF417_RULE: &str =
    "UTF-8 text; up to 2710 digits, 1850 text characters or 1108 bytes; ecc=0-8 (default 2); columns=1-30";
pub const AZTEC_RULE: &str =
    "UTF-8 text; up to 3832 digits, 3067 text characters or 1914 bytes; ecc=5-95 percent (default 23)";

pub const PDF417_DEFAULT_ECC: u8 = 2;
pub const AZTEC_DEFAULT_ECC: u8 = 23;
/// PDF417 row height in modules (the specification's minimum is 3).
const PDF417_ROW: usize = 3;

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
    Matrix { width: w, height: h, dark }
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
    // GS1 mode: the encoder starts with FNC1 itself and turns GS separators into FNC1.
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

pub fn pdf417(data: &[u8], ecc: u8, columns: Option<u8>) -> Result<Encoded, DataError> {
    const LIMIT: &str = "PDF417 holds at most 2628 digits or 1793 text characters at ecc=0, less at higher ecc";
    pre_check("pdf417", data, 2628, LIMIT)?;
    let s = text(data)?;
    let over = DataError::Capacity2d { symbology: "pdf417", got: data.len(), limit: LIMIT };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut p = rxing::pdf417::encoder::PDF417::new();
        if let Some(c) = columns {
            p.setDimensions(c as u32, c as u32, 90, 3);
        }
        if !s.is_ascii() {
            p.setEncoding(Some(rxing::common::CharacterSet::UTF8));
        }
        p.generateBarcodeLogicWithAutoECI(s, ecc as u32, false).ok()?;
        p.getBarcodeMatrix().as_ref().map(|m| m.getScaledMatrix(1, PDF417_ROW))
    }));
    let rows = match r {
        Ok(Some(rows)) if !rows.is_empty() && !rows[0].is_empty() => rows,
        _ => return Err(over),
    };
    let (w, h) = (rows[0].len(), rows.len());
    let dark = rows.iter().flat_map(|r| r.iter().map(|&v| v == 1)).collect();
    Ok(Encoded { symbol: Symbol::Matrix(Matrix { width: w, height: h, dark }), canonical: s.to_owned() })
}

pub fn aztec(data: &[u8], ecc: u8) -> Result<Encoded, DataError> {
    const LIMIT: &str = "Aztec holds at most 3832 digits, 3067 text characters or 1914 bytes, less at higher ecc";
    pre_check("aztec", data, 3832, LIMIT)?;
    let s = text(data)?;
    let mut h = hints(s);
    h.ErrorCorrection = Some(ecc.to_string());
    let m = write(BarcodeFormat::AZTEC, s, &h).ok_or(DataError::Capacity2d {
        symbology: "aztec",
        got: data.len(),
        limit: LIMIT,
    })?;
    Ok(Encoded { symbol: Symbol::Matrix(m), canonical: s.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims(e: Encoded) -> (usize, usize) {
        match e.symbol {
            Symbol::Matrix(m) => (m.width, m.height),
            _ => panic!(),
        }
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

    #[test]
    fn over_capacity_is_typed() {
        assert!(matches!(datamatrix(&[b'x'; 5000], false, false), Err(DataError::Capacity2d { .. })));
        assert!(matches!(datamatrix("日".repeat(1000).as_bytes(), false, false), Err(DataError::Capacity2d { .. })));
        assert!(matches!(pdf417(&[b'x'; 2000], 8, None), Err(DataError::Capacity2d { .. })));
        assert!(matches!(aztec(&[b'x'; 3500], 23), Err(DataError::Capacity2d { .. })));
    }

    #[test]
    fn gs1_datamatrix_uses_gs_separators() {
        let e = gs1_128::parse_bracketed("(01)09506000134352(10)ABC(17)261231").unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(crate::gs1::element::to_raw(&e), "010950600013435210ABC\u{1d}17261231");
    }
}
