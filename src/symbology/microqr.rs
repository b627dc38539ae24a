//! Micro QR Code (ISO/IEC 18004), versions M1-M4, through `qrcode` (segments, error
//! correction, drawing and the Micro QR mask evaluation). Micro QR has no ECI, so its byte
//! mode carries ISO/IEC 8859-1: text beyond Latin-1 is refused rather than left to a
//! reader's guess. The default is the smallest symbol at level L (M1's error detection).

use super::{DataError, Ecc, Encoded, Matrix, MatrixKind, Symbol};
use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
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
    let (mut words, mut ec) = qrcode::ec::construct_codewords(&data_bytes(data, v, ecc)?, version, level(ecc)).ok()?;
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
    canvas.apply_mask(best_mask(&canvas, n as i16));
    let dark = canvas.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Some((n, dark))
}

/// The data codewords: the segments, the terminator, zero bits to a codeword boundary and
/// the pad codewords, as `qrcode`'s `push_terminator` writes them, which panics (a capacity
/// overflow) when the data ends within M1's or M3's last, 4-bit codeword, e.g. `cBC008B`
/// at M3-M; `None` when the data does not fit.
fn data_bytes(data: &[u8], v: u8, ecc: Ecc) -> Option<Vec<u8>> {
    let mut bits = Bits::new(Version::Micro(i16::from(v)));
    bits.push_optimal_data(data).ok()?;
    let capacity = bits.max_len(level(ecc)).ok()?;
    let len = bits.len();
    if len > capacity {
        return None;
    }
    let terminator = (2 * v as usize + 1).min(capacity - len);
    let mut bytes = bits.into_bytes();
    bytes.resize((len + terminator).div_ceil(8), 0);
    let full = capacity / 8;
    let pads = [0b1110_1100, 0b0001_0001].into_iter().cycle();
    let missing = full.saturating_sub(bytes.len());
    bytes.extend(pads.take(missing));
    if bytes.len() * 8 < capacity {
        bytes.push(0); // the 4-bit last codeword of M1 and M3
    }
    Some(bytes)
}

/// The Micro QR masks in their number order, with their conditions (ISO/IEC 18004 7.8.2).
/// Whether a mask inverts the module at (x, y).
type MaskFn = fn(i16, i16) -> bool;

const MASKS: [(MaskPattern, MaskFn); 4] = [
    (MaskPattern::HorizontalLines, |_, y| y % 2 == 0),
    (MaskPattern::LargeCheckerboard, |x, y| (y / 2 + x / 3) % 2 == 0),
    (MaskPattern::Diamonds, |x, y| ((x * y) % 2 + (x * y) % 3) % 2 == 0),
    (MaskPattern::Meadow, |x, y| ((x + y) % 2 + (x * y) % 3) % 2 == 0),
];

/// The mask `qrcode`'s `apply_best_mask` picks (the same symbols: tests/zint checks them
/// against Zint), worked out from the unmasked canvas: the Micro QR rule looks only at the
/// dark modules of the right column and the bottom row (all data modules), so each mask
/// is scored on those 2(n-1) modules instead of masking a copy of the whole symbol four
/// times. Its penalty is `qrcode`'s: light counts h, v scored h + v + 15·max(h, v), the
/// lowest first in mask order (the standard's best 16·min + max of the dark counts).
fn best_mask(canvas: &Canvas, n: i16) -> MaskPattern {
    let penalty = |mask: MaskFn| {
        let light = |x: i16, y: i16| (canvas.get(x, y).is_dark() ^ mask(x, y)) as usize ^ 1;
        let h: usize = (1..n).map(|x| light(x, n - 1)).sum();
        let v: usize = (1..n).map(|y| light(n - 1, y)).sum();
        h + v + 15 * h.max(v)
    };
    MASKS.iter().min_by_key(|(_, m)| penalty(*m)).map_or(MaskPattern::HorizontalLines, |&(p, _)| p)
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

    #[test]
    fn mask_choice_is_qrcodes() {
        // Our edge-only scoring against `qrcode` masking and scoring whole copies.
        let mut rng = crate::symbology::testkit::rng(17);
        for k in 0..400 {
            let len = 1 + k % 15;
            let data: Vec<u8> = (0..len).map(|_| b"0123456789ABCXYZ $%abc"[rng(22)]).collect();
            for (v, ecc) in [(1, Ecc::L), (2, Ecc::L), (2, Ecc::M), (3, Ecc::L), (3, Ecc::M), (4, Ecc::L), (4, Ecc::Q)]
            {
                let Some((_, ours)) = draw(&data, v, ecc) else { continue };
                let version = Version::Micro(i16::from(v));
                if (v, ecc) == (3, Ecc::L) {
                    continue; // drawn with the M3-L mending only ours does
                }
                let (words, ec) =
                    qrcode::ec::construct_codewords(&data_bytes(&data, v, ecc).unwrap(), version, level(ecc)).unwrap();
                let mut canvas = Canvas::new(version, level(ecc));
                canvas.draw_all_functional_patterns();
                canvas.draw_data(&words, &ec);
                let theirs: Vec<bool> =
                    canvas.apply_best_mask().into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
                assert_eq!(ours, theirs, "{:?} M{v} {ecc:?}", String::from_utf8_lossy(&data));
            }
        }
    }

    #[test]
    fn data_ending_in_the_half_codeword_is_encoded() {
        // `qrcode`'s own terminator panics on these; ours pads them as the standard says.
        for (d, ecc, v) in [("cBC008B", Ecc::M, 3), ("ABCDEFGHIJKLM", Ecc::L, 3)] {
            let Symbol::Matrix(m) = encode(d.as_bytes(), ecc, Some(v)).unwrap().symbol else { panic!() };
            assert_eq!(m.width, 15, "{d}");
            let read = crate::symbology::testkit::rxing_read(&m, rxing::BarcodeFormat::MICRO_QR_CODE, 4, 2);
            assert_eq!(read.as_deref(), Some(d));
        }
        // Every length at every version and level either fits or is refused, never panics,
        // and where `qrcode` does not panic its codewords are ours.
        for n in 0..40 {
            for chars in ["1", "A", "a", "1A", "a1A"] {
                let d: Vec<u8> = chars.bytes().cycle().take(n).collect();
                for (v, ecc) in [
                    (1, Ecc::L),
                    (2, Ecc::L),
                    (2, Ecc::M),
                    (3, Ecc::L),
                    (3, Ecc::M),
                    (4, Ecc::L),
                    (4, Ecc::M),
                    (4, Ecc::Q),
                ] {
                    let ours = data_bytes(&d, v, ecc);
                    let theirs = std::panic::catch_unwind(|| {
                        let mut bits = Bits::new(Version::Micro(v as i16));
                        bits.push_optimal_data(&d).ok()?;
                        bits.push_terminator(level(ecc)).ok()?;
                        Some(bits.into_bytes())
                    });
                    if let Ok(theirs) = theirs {
                        assert_eq!(ours, theirs, "{:?} M{v} {ecc:?}", String::from_utf8_lossy(&d));
                    }
                }
            }
        }
    }
}
