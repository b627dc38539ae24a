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
///
/// The modules come from a `Template` of the version and level (see there) rather than a
/// `qrcode` canvas per symbol: the codeword bits go to their modules, the mask is chosen on
/// them and the masked template does the rest.
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
    let t = template(v, ecc)?;
    // The data modules' values before masking, in placement order.
    let mut bits = [false; MAX_DATA_BITS];
    let bits = &mut bits[..t.order.len()];
    for (k, bit) in stream(&words, &ec, half_codeword(v, ecc)).take(bits.len()).enumerate() {
        bits[k] = bit;
    }
    let mask = best_mask(t, bits);
    let mut dark = t.masked[mask].clone();
    for (&pos, &bit) in t.order.iter().zip(bits.iter()) {
        dark[pos as usize] ^= bit;
    }
    Some((t.n, dark))
}

/// Whether `qrcode` draws only the high 4 bits of the last data codeword (M1-L and M3-M).
fn half_codeword(v: u8, ecc: Ecc) -> bool {
    matches!((v, ecc), (1, Ecc::L) | (3, Ecc::M))
}

/// The bits `qrcode`'s `draw_data` places, in its order: each data codeword from its high
/// bit (the last one's high four only when `half`), then each error correction codeword.
fn stream<'a>(words: &'a [u8], ec: &'a [u8], half: bool) -> impl Iterator<Item = bool> + 'a {
    let last = words.len().wrapping_sub(1);
    let data = words.iter().enumerate().flat_map(move |(i, &w)| {
        let low = if half && i == last { 4 } else { 0 };
        (low..8).rev().map(move |j| w >> j & 1 == 1)
    });
    data.chain(ec.iter().flat_map(|&w| (0..8).rev().map(move |j| w >> j & 1 == 1)))
}

/// M4's data modules (17 × 17 less the function patterns and format information).
const MAX_DATA_BITS: usize = 17 * 17;

/// What every symbol of one version and level shares, worked out once from `qrcode`
/// itself: the data modules in placement order, and the symbol with all data light under
/// each of the four masks (function patterns, format information and, on the data
/// modules, the mask's own pattern). A symbol is then the masked template with its data
/// bits flipped in: masking is an exclusive or on the data modules.
struct Template {
    n: usize,
    order: Vec<u16>,
    masked: [Vec<bool>; 4],
    /// The bottom row's and the right column's modules (x or y from 1), as (module, the
    /// index of the data bit placed there): what the mask choice scores.
    bottom: Vec<(u16, u16)>,
    right: Vec<(u16, u16)>,
}

/// The template of version `v` at `ecc` (`None` if the version does not allow the level).
fn template(v: u8, ecc: Ecc) -> Option<&'static Template> {
    static ALL: std::sync::OnceLock<Vec<Option<Template>>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        let mut all = Vec::new();
        for v in 1..=4u8 {
            for ecc in [Ecc::L, Ecc::M, Ecc::Q] {
                all.push(allows(v, ecc).then(|| build_template(v, ecc)));
            }
        }
        all
    });
    let e = match ecc {
        Ecc::L => 0,
        Ecc::M => 1,
        Ecc::Q => 2,
        Ecc::H => return None,
    };
    all.get(usize::from(v.checked_sub(1)?) * 3 + e)?.as_ref()
}

/// A `Template` from `qrcode` canvases: the placement order found one bit at a time (each
/// bit of the codeword stream set alone, the module it darkens noted).
fn build_template(v: u8, ecc: Ecc) -> Template {
    let version = Version::Micro(i16::from(v));
    let n = version.width() as usize;
    let (data_len, ec_len) = codeword_counts(version, ecc);
    let canvas = |words: &[u8], ec: &[u8]| {
        let mut c = Canvas::new(version, level(ecc));
        c.draw_all_functional_patterns();
        c.draw_data(words, ec);
        c
    };
    let dark = |c: Canvas| c.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect::<Vec<bool>>();
    let empty = dark(canvas(&vec![0; data_len], &vec![0; ec_len]));
    let half = half_codeword(v, ecc);
    let mut order = Vec::new();
    for word in 0..data_len + ec_len {
        let low = if half && word == data_len - 1 { 4 } else { 0 };
        for j in (low..8).rev() {
            let mut all = vec![0u8; data_len + ec_len];
            all[word] = 1 << j;
            let lit = dark(canvas(&all[..data_len], &all[data_len..]));
            if let Some(pos) = (0..n * n).find(|&p| lit[p] != empty[p]) {
                order.push(pos as u16);
            }
        }
    }
    let masked = MASKS.map(|pattern| {
        let mut c = canvas(&vec![0; data_len], &vec![0; ec_len]);
        c.apply_mask(pattern);
        dark(c)
    });
    let bit_at = |pos: usize| order.iter().position(|&p| p as usize == pos).map_or(u16::MAX, |k| k as u16);
    let bottom = (1..n).map(|x| (n - 1) * n + x).map(|pos| (pos as u16, bit_at(pos))).collect();
    let right = (1..n).map(|y| y * n + n - 1).map(|pos| (pos as u16, bit_at(pos))).collect();
    Template { n, order, masked, bottom, right }
}

/// The data and error correction codeword counts of a version and level, as `qrcode`
/// makes them (for a half last codeword, a whole byte).
fn codeword_counts(version: Version, ecc: Ecc) -> (usize, usize) {
    let data_len = Bits::new(version).max_len(level(ecc)).map_or(0, |bits| bits.div_ceil(8));
    let ec_len = qrcode::ec::construct_codewords(&vec![0; data_len], version, level(ecc)).map_or(0, |(_, ec)| ec.len());
    (data_len, ec_len)
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

/// The Micro QR masks in their number order (ISO/IEC 18004 7.8.2: `y % 2`, `(y / 2 +
/// x / 3) % 2`, `((x y) % 2 + (x y) % 3) % 2`, `((x + y) % 2 + (x y) % 3) % 2`, each
/// inverting where it is 0).
const MASKS: [MaskPattern; 4] =
    [MaskPattern::HorizontalLines, MaskPattern::LargeCheckerboard, MaskPattern::Diamonds, MaskPattern::Meadow];

/// The mask `qrcode`'s `apply_best_mask` picks (the same symbols: tests/zint checks them
/// against Zint), worked out from the data bits: the Micro QR rule looks only at the dark
/// modules of the right column and the bottom row (all data modules), so each mask is
/// scored on those 2(n-1) modules instead of masking a copy of the whole symbol four times.
/// Its penalty is `qrcode`'s: light counts h, v scored h + v + 15·max(h, v), the lowest
/// first in mask order (the standard's best 16·min + max of the dark counts).
fn best_mask(t: &Template, bits: &[bool]) -> usize {
    let penalty = |m: usize| {
        let light = |&(pos, k): &(u16, u16)| {
            let bit = bits.get(k as usize).copied().unwrap_or(false);
            (bit ^ t.masked[m][pos as usize]) as usize ^ 1
        };
        let h: usize = t.bottom.iter().map(light).sum();
        let v: usize = t.right.iter().map(light).sum();
        h + v + 15 * h.max(v)
    };
    (0..4).min_by_key(|&m| penalty(m)).unwrap_or(0)
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
