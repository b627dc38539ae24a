//! QR Code through `qrcode` (segments, error correction, drawing): ASCII data in its optimal
//! mix of numeric, alphanumeric and byte segments, other text as bytes behind the ECI
//! designator for UTF-8 (ECI 26) so that every reader decodes it exactly. The mask is
//! chosen by our own scorer (`qr_mask.rs`), many times faster than either crate's.

use super::{gs1_128, qr_mask, DataError, Ecc, Encoded, Matrix, MatrixKind, Symbol};

/// ECC level when the request names none.
pub const DEFAULT_ECC: Ecc = Ecc::M;

/// The data rule for `/v1/symbologies`.
pub const RULE: &str = "UTF-8 text; capacity at version 40 depends on ecc and mode: \
numeric 7089/5596/3993/3057, alphanumeric 4296/3391/2420/1852, bytes 2953/2331/1663/1273 (L/M/Q/H)";

/// Capacity at version 40 per ECC level (L, M, Q, H), by mode.
const NUMERIC: [usize; 4] = [7089, 5596, 3993, 3057];
const ALNUM: [usize; 4] = [4296, 3391, 2420, 1852];
const BYTES: [usize; 4] = [2953, 2331, 1663, 1273];

fn idx(e: Ecc) -> usize {
    match e {
        Ecc::L => 0,
        Ecc::M => 1,
        Ecc::Q => 2,
        Ecc::H => 3,
    }
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b)
}

/// The capacity that applies to `data` (in its cheapest single mode) and that mode's name.
pub fn capacity(data: &[u8], ecc: Ecc) -> (usize, &'static str) {
    let i = idx(ecc);
    if data.iter().all(u8::is_ascii_digit) {
        (NUMERIC[i], "numeric")
    } else if data.iter().all(|&b| is_alnum(b)) {
        (ALNUM[i], "alphanumeric")
    } else {
        (BYTES[i], "byte")
    }
}

/// Validates and encodes `data` at `ecc`; `version` (1-40) pins the symbol size; `gs1`
/// takes a bracketed GS1 element string and marks the symbol as GS1 (FNC1 first).
pub fn encode(data: &[u8], ecc: Ecc, version: Option<u8>, mask: Option<u8>, gs1: bool) -> Result<Encoded, DataError> {
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    let (max, mode) = capacity(data, ecc);
    if data.len() > max {
        return Err(DataError::Capacity { got: data.len(), max, ecc: ecc.letter(), mode });
    }
    let over = || match version {
        Some(v) => DataError::QrVersion { got: data.len(), version: v, ecc: ecc.letter() },
        None => DataError::Capacity { got: data.len(), max, ecc: ecc.letter(), mode },
    };
    let matrix = if gs1 {
        let raw = crate::gs1::element::to_raw(&gs1_128::parse_bracketed(text)?);
        encode_bits(raw.as_bytes(), ecc, version, mask, false, true)
    } else if data.is_ascii() && version.is_none() {
        qrcode::bits::encode_auto(data, level(ecc)).ok().and_then(|bits| draw(bits, level(ecc), mask))
    } else {
        encode_bits(data, ecc, version, mask, !data.is_ascii(), false)
    }
    .ok_or_else(over)?;
    Ok(Encoded { symbol: Symbol::Matrix(matrix), canonical: text.to_owned() })
}

fn level(ecc: Ecc) -> qrcode::EcLevel {
    match ecc {
        Ecc::L => qrcode::EcLevel::L,
        Ecc::M => qrcode::EcLevel::M,
        Ecc::Q => qrcode::EcLevel::Q,
        Ecc::H => qrcode::EcLevel::H,
    }
}

/// Encodes through `qrcode`'s bit-level API: ECI 26 for UTF-8, FNC1 for GS1, a pinned version.
fn encode_bits(data: &[u8], ecc: Ecc, version: Option<u8>, mask: Option<u8>, eci: bool, gs1: bool) -> Option<Matrix> {
    use qrcode::bits::Bits;
    use qrcode::Version;
    // The smallest version (or the pinned one) that holds the segments and terminator.
    let versions = match version {
        Some(v) => v as i16..=v as i16,
        None => 1..=40,
    };
    for v in versions {
        let mut bits = Bits::new(Version::Normal(v));
        if (eci && bits.push_eci_designator(26).is_err())
            || (gs1 && bits.push_fnc1_first_position().is_err())
            || bits.push_byte_data(data).is_err()
            || bits.push_terminator(level(ecc)).is_err()
        {
            continue;
        }
        return draw(bits, level(ecc), mask);
    }
    None
}

/// Error correction, function patterns, data, then the caller's mask or the best-scoring one.
fn draw(bits: qrcode::bits::Bits, level: qrcode::EcLevel, mask: Option<u8>) -> Option<Matrix> {
    use qrcode::canvas::Canvas;
    let version = bits.version();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, level).ok()?;
    let mut canvas = Canvas::new(version, level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let n = version.width() as usize;
    let m = match mask {
        Some(m) => m as usize & 7,
        None => qr_mask::best(&canvas, n, level),
    };
    canvas.apply_mask(qr_mask::PATTERNS[m]);
    let dark = canvas.into_colors().iter().map(|c| *c == qrcode::Color::Dark).collect();
    Some(Matrix { width: n, height: n, dark, kind: MatrixKind::Square })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_ascii_is_version_1() {
        let e = encode(b"HELLO", Ecc::M, None, None, false).unwrap();
        let Symbol::Matrix(m) = e.symbol else { panic!() };
        assert_eq!(m.width, 21);
        assert_eq!(m.dark.len(), 21 * 21);
    }

    #[test]
    fn utf8_goes_through_eci() {
        let e = encode("zażółć".as_bytes(), Ecc::M, None, None, false).unwrap();
        assert!(matches!(e.symbol, Symbol::Matrix(_)));
    }

    #[test]
    fn pinned_version() {
        let Symbol::Matrix(m) = encode(b"HELLO", Ecc::M, Some(5), None, false).unwrap().symbol else { panic!() };
        assert_eq!(m.width, 17 + 4 * 5);
        let e = encode(&[b'a'; 100], Ecc::H, Some(1), None, false).unwrap_err();
        assert_eq!(e.to_string(), "data: 100 bytes does not fit QR version 1 at ecc=H; omit version or raise it");
    }

    #[test]
    fn masks_differ() {
        let m = |k| match encode(b"MASK", Ecc::M, None, Some(k), false).unwrap().symbol {
            Symbol::Matrix(m) => m.dark,
            _ => panic!(),
        };
        assert_ne!(m(0), m(1));
        assert_eq!(m(3).len(), 21 * 21);
    }

    #[test]
    fn capacity_edges() {
        let max = vec![b'a'; 2953];
        assert!(encode(&max, Ecc::L, None, None, false).is_ok());
        let over = vec![b'a'; 2954];
        let e = encode(&over, Ecc::L, None, None, false).unwrap_err();
        assert_eq!(e.to_string(), "data: 2954 bytes exceeds QR capacity 2953 at ecc=L (byte mode)");
        let digits = vec![b'7'; 7089];
        assert!(encode(&digits, Ecc::L, None, None, false).is_ok());
    }
}
