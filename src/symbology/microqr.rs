//! Micro QR Code (ISO/IEC 18004), versions M1-M4, through `qrcode` (segments, error
//! correction, drawing and the Micro QR mask evaluation). Micro QR has no ECI, so its byte
//! mode carries ISO/IEC 8859-1: text beyond Latin-1 is refused rather than left to a
//! reader's guess. The default is the smallest symbol at level L (M1's error detection).

use super::{DataError, Ecc, Encoded, Matrix, MatrixKind, Symbol};
use qrcode::bits::Bits;
use qrcode::canvas::Canvas;
use qrcode::{EcLevel, Version};

pub const RULE: &str = "Latin-1 text (no ECI in Micro QR); M4 holds 35 digits, 21 alphanumerics or 15 bytes at L (30/18/13 at M, 21/13/9 at Q)";

/// The levels a version allows: M1 detection only (`L`), M2 and M3 L and M, M4 L, M and Q.
fn allows(version: u8, ecc: Ecc) -> bool {
    match ecc {
        Ecc::L => true,
        Ecc::M => version >= 2,
        Ecc::Q => version == 4,
        Ecc::H => false,
    }
}

fn level(ecc: Ecc) -> EcLevel {
    match ecc {
        Ecc::L => EcLevel::L,
        Ecc::M => EcLevel::M,
        Ecc::Q => EcLevel::Q,
        Ecc::H => EcLevel::H,
    }
}

/// Encodes `data` at `ecc` (L, M or Q) in `version` (1-4) or the smallest that holds it.
pub fn encode(data: &[u8], ecc: Ecc, version: Option<u8>) -> Result<Encoded, DataError> {
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    if data.len() > 4 * 35 {
        return Err(DataError::TooLong {
            symbology: "microqr",
            max: 35,
            got: text.chars().count(),
            unit: "characters",
        });
    }
    let latin1 = super::latin1("microqr", text, "Latin-1 characters (Micro QR has no ECI)")?;
    if ecc == Ecc::H || version.is_some_and(|v| !allows(v, ecc)) {
        return Err(DataError::Capacity2d {
            symbology: "microqr",
            got: latin1.len(),
            limit: "the level is not in this version: M1 takes L (error detection), M2 and M3 L or M, M4 L, M or Q; there is no H",
        });
    }
    let versions = match version {
        Some(v) => v..=v,
        None => 1..=4,
    };
    for v in versions.filter(|&v| allows(v, ecc)) {
        if let Some((n, dark)) = draw(&latin1, v, ecc) {
            return Ok(Encoded {
                symbol: Symbol::Matrix(Matrix { width: n, height: n, dark, kind: MatrixKind::Square }),
                canonical: text.to_owned(),
            });
        }
    }
    Err(DataError::Capacity2d {
        symbology: "microqr",
        got: latin1.len(),
        limit: if version.is_some() {
            "the version pinned: M1 5 digits; M2 10/6/4 at L; M3 23/14/9 at L; M4 35/21/15 at L (digits/alphanumerics/bytes); omit version or raise it"
        } else {
            "M4: 35 digits, 21 alphanumerics or 15 bytes at L; 30/18/13 at M; 21/13/9 at Q"
        },
    })
}

/// What `qrcode::QrCode::with_version` does, but for M3-L: its last data codeword has 4
/// bits, which `qrcode` 0.14 knows for M1 and M3-M only (it draws 8 and shifts the error
/// correction 4 modules on). There the data's last byte carries its 4 bits and the first 4
/// of the error correction, and the error correction follows 4 bits earlier.
fn draw(data: &[u8], v: u8, ecc: Ecc) -> Option<(usize, Vec<bool>)> {
    let version = Version::Micro(i16::from(v));
    let mut bits = Bits::new(version);
    bits.push_optimal_data(data).ok()?;
    bits.push_terminator(level(ecc)).ok()?;
    let (mut words, mut ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, level(ecc)).ok()?;
    if (v, ecc) == (3, Ecc::L) {
        let last = words.len() - 1;
        words[last] = (words[last] & 0xF0) | ec[0] >> 4;
        for i in 0..ec.len() {
            ec[i] = ec[i] << 4 | ec.get(i + 1).map_or(0, |b| b >> 4);
        }
    }
    let mut canvas = Canvas::new(version, level(ecc));
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&words, &ec);
    let n = version.width() as usize;
    let dark = canvas.apply_best_mask().into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Some((n, dark))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(d: &str, ecc: Ecc, v: Option<u8>) -> usize {
        let Symbol::Matrix(m) = encode(d.as_bytes(), ecc, v).unwrap().symbol else { panic!() };
        m.width
    }

    #[test]
    fn smallest_version_and_limits() {
        assert_eq!(size("12345", Ecc::L, None), 11, "M1 holds 5 digits");
        assert_eq!(size("123456", Ecc::L, None), 13);
        assert_eq!(size("1", Ecc::M, None), 13, "M needs M2");
        assert_eq!(size("1", Ecc::Q, None), 17, "Q needs M4");
        assert_eq!(size(&"1".repeat(35), Ecc::L, None), 17);
        assert_eq!(size("é", Ecc::L, Some(4)), 17);
        assert!(encode("1".repeat(36).as_bytes(), Ecc::L, None).is_err());
        assert!(encode(b"1", Ecc::Q, Some(3)).is_err());
        assert!(encode(b"1", Ecc::H, None).is_err());
        assert!(matches!(encode("ł".as_bytes(), Ecc::L, None), Err(DataError::BadChar { pos: 0, .. })));
    }
}
