//! MicroPDF417 (ISO/IEC 24728): PDF417's codewords, compaction and Reed–Solomon
//! (`pdf417.rs`) in one of 34 fixed sizes of 1-4 data columns, each row framed by row
//! address patterns (RAPs) instead of start, stop and row indicators. No length descriptor:
//! the data codewords are padded with 900 to the size's capacity. The default size is the
//! one of least capacity that holds the data (ties go to the size the standard's
//! implementations choose, Zint's); `columns` pins the data columns.

use super::pdf417::{self, CODEWORD_MODULES};
use super::{DataError, Encoded, Symbol};

pub const RULE: &str = "UTF-8 text (ECI 26 beyond ASCII); up to 366 digits, 252 upper-case letters or 150 bytes \
(126 data codewords, 4 columns x 44 rows); columns=1-4";

/// Module rows per codeword row (the standard's minimum, 2X).
pub const ROW: usize = 2;

/// One size (ISO/IEC 24728 Tables 1 and 10-12): data columns, rows, error correction
/// codewords, the first row's left, centre and right RAP numbers (1-52) and cluster (0, 3, 6).
struct Size {
    cols: u8,
    rows: u8,
    ec: u8,
    left: u8,
    centre: u8,
    right: u8,
    cluster: u8,
}

const fn s(cols: u8, rows: u8, ec: u8, left: u8, centre: u8, right: u8, cluster: u8) -> Size {
    Size { cols, rows, ec, left, centre, right, cluster }
}

#[rustfmt::skip]
const SIZES: [Size; 34] = [
    s(1, 11, 7, 1, 0, 9, 0), s(1, 14, 7, 8, 0, 8, 3), s(1, 17, 7, 36, 0, 36, 6),
    s(1, 20, 8, 19, 0, 19, 0), s(1, 24, 8, 9, 0, 17, 6), s(1, 28, 8, 25, 0, 33, 0),
    s(2, 8, 8, 1, 0, 1, 0), s(2, 11, 9, 1, 0, 9, 0), s(2, 14, 9, 8, 0, 8, 3),
    s(2, 17, 10, 36, 0, 36, 6), s(2, 20, 11, 19, 0, 19, 0), s(2, 23, 13, 9, 0, 17, 6),
    s(2, 26, 15, 27, 0, 35, 6),
    s(3, 6, 12, 1, 1, 1, 0), s(3, 8, 14, 7, 7, 7, 0), s(3, 10, 16, 15, 15, 15, 6),
    s(3, 12, 18, 25, 25, 25, 0), s(3, 15, 21, 37, 37, 37, 0), s(3, 20, 26, 1, 17, 33, 0),
    s(3, 26, 32, 1, 9, 17, 0), s(3, 32, 38, 21, 29, 37, 6), s(3, 38, 44, 15, 31, 47, 6),
    s(3, 44, 50, 1, 25, 49, 0),
    s(4, 4, 8, 47, 19, 43, 3), s(4, 6, 12, 1, 1, 1, 0), s(4, 8, 14, 7, 7, 7, 0),
    s(4, 10, 16, 15, 15, 15, 6), s(4, 12, 18, 25, 25, 25, 0), s(4, 15, 21, 37, 37, 37, 0),
    s(4, 20, 26, 1, 17, 33, 0), s(4, 26, 32, 1, 9, 17, 0), s(4, 32, 38, 21, 29, 37, 6),
    s(4, 38, 44, 15, 31, 47, 6), s(4, 44, 50, 1, 25, 49, 0),
];

/// Without `columns`, the sizes in order of data capacity (4, 6, 7, 8, 10, … 126): where two
/// sizes hold the same, the one listed.
const AUTO: [u8; 28] =
    [0, 13, 1, 6, 2, 24, 7, 15, 4, 16, 8, 5, 9, 10, 27, 11, 18, 12, 28, 19, 29, 20, 21, 30, 22, 31, 32, 33];

/// Left and right RAPs 1-52 (Table 2): bar, space, bar, space, bar, space; 10 modules.
#[rustfmt::skip]
const SIDE_RAP: [u32; 52] = [
    221311, 311311, 312211, 222211, 213211, 214111, 223111, 313111, 322111, 412111, 421111,
    331111, 241111, 232111, 231211, 321211, 411211, 411121, 411112, 321112, 312112, 311212,
    311221, 311131, 311122, 311113, 221113, 221122, 221131, 221221, 222121, 312121, 321121,
    231121, 231112, 222112, 213112, 212212, 212221, 212131, 212122, 212113, 211213, 211123,
    211132, 211141, 211231, 211222, 211312, 211321, 211411, 212311,
];

/// Centre RAPs 1-52 (Table 2).
#[rustfmt::skip]
const CENTRE_RAP: [u32; 52] = [
    112231, 121231, 122131, 131131, 131221, 132121, 141121, 141211, 142111, 133111, 132211,
    131311, 122311, 123211, 124111, 115111, 114211, 114121, 123121, 123112, 122212, 122221,
    121321, 121411, 112411, 113311, 113221, 113212, 113122, 122122, 131122, 131113, 122113,
    113113, 112213, 112222, 112312, 112321, 111421, 111331, 111322, 111232, 111223, 111133,
    111124, 111214, 112114, 121114, 121123, 121132, 112132, 112141,
];

/// RAP number `n` (1-52) of `table` as six widths.
fn rap(table: &[u32; 52], n: u8) -> [u8; 6] {
    let mut v = table[(n as usize - 1) % 52];
    let mut w = [0u8; 6];
    for slot in w.iter_mut().rev() {
        *slot = (v % 10) as u8;
        v /= 10;
    }
    w
}

/// The RAP number `steps` rows after `n`, 52 wrapping to 1.
fn next(n: u8, steps: usize) -> u8 {
    ((n as usize - 1 + steps) % 52 + 1) as u8
}

fn capacity(size: &Size) -> usize {
    size.cols as usize * size.rows as usize - size.ec as usize
}

/// The size for `n` data codewords: the least that holds them, in `columns` if pinned.
fn choose(n: usize, columns: Option<u8>) -> Option<&'static Size> {
    match columns {
        Some(c) => SIZES.iter().filter(|z| z.cols == c).find(|z| capacity(z) >= n),
        None => AUTO.iter().map(|&i| &SIZES[i as usize]).find(|z| capacity(z) >= n),
    }
}

/// The symbol's rows, one per codeword row, top first.
fn draw(cw: &[u16], size: &Size) -> Vec<Vec<bool>> {
    let t = pdf417::patterns();
    let cols = size.cols as usize;
    (0..size.rows as usize)
        .map(|y| {
            let cluster = (size.cluster as usize / 3 + y) % 3;
            let mut row = Vec::with_capacity(11 + 17 * cols + 10);
            pdf417::push_widths(&mut row, &rap(&SIDE_RAP, next(size.left, y)));
            for x in 0..cols {
                // The centre RAP stands after the first data column of three, the second of four.
                if (cols == 3 && x == 1) || (cols == 4 && x == 2) {
                    pdf417::push_widths(&mut row, &rap(&CENTRE_RAP, next(size.centre, y)));
                }
                pdf417::push_bits(&mut row, t[cluster][cw[y * cols + x] as usize], CODEWORD_MODULES);
            }
            pdf417::push_widths(&mut row, &rap(&SIDE_RAP, next(size.right, y)));
            row.push(true); // the stop: one module of bar
            row
        })
        .collect()
}

/// Encodes `data` in `columns` (1-4) data columns, or the smallest size that holds it.
pub fn encode(data: &[u8], columns: Option<u8>) -> Result<Encoded, DataError> {
    const LIMIT: &str =
        "MicroPDF417 holds at most 126 data codewords: 366 digits, 252 upper-case letters or 150 bytes \
(4 columns x 44 rows)";
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    if data.len() > 400 {
        return Err(DataError::Capacity2d { symbology: "micropdf417", got: data.len(), limit: LIMIT });
    }
    if columns.is_some_and(|c| !(1..=4).contains(&c)) {
        return Err(DataError::Capacity2d {
            symbology: "micropdf417",
            got: data.len(),
            limit: "MicroPDF417 has 1 to 4 data columns",
        });
    }
    let mut cw = pdf417::data_codewords(text).unwrap_or_default();
    let size = match choose(cw.len(), columns) {
        Some(z) if !cw.is_empty() => z,
        _ => {
            let limit = match columns {
                _ if cw.is_empty() => "MicroPDF417 needs at least one character",
                None => LIMIT,
                Some(1) => "1 column holds 20 data codewords: 55 digits, 40 upper-case letters or 22 bytes; omit columns or raise it",
                Some(2) => "2 columns hold 37 data codewords: 105 digits, 74 upper-case letters or 43 bytes; omit columns or raise it",
                Some(3) => "3 columns hold 82 data codewords: 237 digits, 164 upper-case letters or 97 bytes; omit columns or raise it",
                Some(_) => LIMIT,
            };
            return Err(DataError::Capacity2d { symbology: "micropdf417", got: data.len(), limit });
        }
    };
    cw.resize(capacity(size), pdf417::PAD);
    let ec = pdf417::error_correction(&cw, size.ec as usize);
    cw.extend(ec);
    let rows = draw(&cw, size);
    Ok(Encoded { symbol: Symbol::Matrix(pdf417::stacked(&rows, ROW)), canonical: text.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automatic_order_runs_by_capacity() {
        let caps: Vec<usize> = AUTO.iter().map(|&i| capacity(&SIZES[i as usize])).collect();
        assert!(caps.windows(2).all(|w| w[0] < w[1]), "{caps:?}");
        assert_eq!(caps.last(), Some(&126), "4 columns x 44 rows");
        // Every size's capacity is in the automatic order (ties dropped).
        assert!(SIZES.iter().all(|z| caps.contains(&capacity(z))));
    }

    #[test]
    fn raps_are_ten_modules_and_rows_have_the_standard_width() {
        for n in 1..=52 {
            assert_eq!(rap(&SIDE_RAP, n).iter().map(|&w| u32::from(w)).sum::<u32>(), 10);
            assert_eq!(rap(&CENTRE_RAP, n).iter().map(|&w| u32::from(w)).sum::<u32>(), 10);
        }
        for (cols, width) in [(1u8, 38), (2, 55), (3, 82), (4, 99)] {
            let Symbol::Matrix(m) = encode(b"1", Some(cols)).unwrap().symbol else { panic!() };
            assert_eq!(m.width, width);
        }
    }

    /// The stated capacities are the edges, per kind of data and pinned column count.
    #[test]
    fn stated_capacities_are_exact() {
        for (cols, digits, upper, bytes) in
            [(None, 366, 252, 150), (Some(1u8), 55, 40, 22), (Some(2), 105, 74, 43), (Some(3), 237, 164, 97)]
        {
            for (unit, n) in [("7", digits), ("Q", upper), ("\u{7f}", bytes)] {
                assert!(encode(unit.repeat(n).as_bytes(), cols).is_ok(), "{unit} x {n} in {cols:?}");
                assert!(encode(unit.repeat(n + 1).as_bytes(), cols).is_err(), "{unit} x {} in {cols:?}", n + 1);
            }
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        let mut next = crate::symbology::testkit::rng(0x0123_4567_89ab_cdef);
        for round in 0..400 {
            let bytes: Vec<u8> = (0..next(420)).map(|_| next(256) as u8).collect();
            let text = String::from_utf8_lossy(&bytes);
            let columns = (round % 2 == 0).then(|| next(6) as u8);
            let _ = encode(&bytes, columns);
            let _ = encode(text.as_bytes(), columns);
        }
    }

    #[test]
    fn refusals_are_typed() {
        assert!(matches!(encode(b"", None), Err(DataError::Capacity2d { .. })));
        assert!(matches!(encode(b"x", Some(5)), Err(DataError::Capacity2d { .. })));
        assert!(matches!(encode(&[b'7'; 5000], None), Err(DataError::Capacity2d { .. })));
        assert!(matches!(encode(&[0xff, 0xfe], None), Err(DataError::NotUtf8)));
    }
}
