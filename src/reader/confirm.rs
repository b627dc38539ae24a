//! A second opinion on the EAN/UPC readings that few scan lines made: the stretch of the
//! image round the reading, made twice as large (`upscale.rs`), is read again by zxing-cpp,
//! and a reading is dropped when that second read finds another EAN/UPC number there and
//! not its own.
//!
//! Why: at two pixels a module and less, blur and ink spread move each edge by up to half a
//! module, and two adjacent scan lines can then agree on a wrong number whose check digit
//! holds (real photographs: a UPC-A `023942431015` read as `9074932437075` on two lines).
//! The larger image is sampled between the old pixels, where a wrong edge does not fall the
//! same way twice: in zxing-cpp's own photographs the second read found the right number
//! for each of its three misreads, and for none of its 97 right EAN/UPC readings did it find
//! another (71 the same, 26 nothing). A reading many lines made is not read again: those
//! lines crossed the bars at many heights and agreed.

use super::{upscale, zxing, Found};

/// Readings made by at most this many scan lines are read again (the misreads stood on two
/// and three).
const FEW_LINES: i32 = 8;

/// The EAN/UPC family under our names.
const FAMILY: &[&str] = &["ean13", "upca", "isbn", "ean8", "upce"];

/// The stretch read again: the reading's box and round it an eighth of its length and four
/// pixels (its quiet zones and the bars above and below the lines that read it).
fn margin(length: i64) -> i64 {
    length / 8 + 4
}

/// The largest stretch read again, in pixels before doubling (an EAN-13 at two pixels a
/// module is 190 long): a larger one has modules large enough not to need it.
const MAX_PIXELS: u64 = 1 << 20;

/// Drops each EAN/UPC reading of few lines in the `w` x `h` image `luma` that the second
/// read contradicts.
pub fn drop_contradicted(luma: &[u8], w: u32, h: u32, found: &mut Vec<Found>) {
    found.retain(|f| !doubtful(f) || !contradicted(luma, w, h, f));
}

fn doubtful(f: &Found) -> bool {
    (1..=FEW_LINES).contains(&f.lines) && FAMILY.contains(&f.format.as_str())
}

/// Whether the stretch round `f`, made larger, holds an EAN/UPC number and not `f`'s.
fn contradicted(luma: &[u8], w: u32, h: u32, f: &Found) -> bool {
    let Some(big) = upscale::doubled(luma, w, h, &f.position, margin, MAX_PIXELS) else {
        return false;
    };
    let again: Vec<Found> = zxing::read_ean_upc(&big.luma, big.w, big.h)
        .into_iter()
        .filter(|a| FAMILY.contains(&a.format.as_str()))
        .collect();
    !again.is_empty() && !again.iter().any(|a| a.text == f.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symbology::{ean, Symbol};

    /// An EAN-13 at `px` pixels a module, 40 pixels tall, ten modules of quiet zone each
    /// side, in a 30-pixel white border; and the corners of its bars.
    fn image(digits: &[u8], px: usize) -> (Vec<u8>, u32, u32, [(i32, i32); 4]) {
        let Symbol::Linear(lin) = ean::encode_ean13(digits).expect("EAN-13").symbol else { panic!("linear") };
        let modules = lin.modules.len();
        let (w, h) = ((modules + 20) * px + 60, 100);
        let mut luma = vec![255u8; w * h];
        for (i, _) in lin.modules.iter().enumerate().filter(|(_, dark)| **dark) {
            for y in 30..70 {
                let x = 30 + (10 + i) * px;
                luma[y * w + x..y * w + x + px].fill(0);
            }
        }
        let (x0, x1) = ((30 + 10 * px) as i32, (30 + (10 + modules) * px) as i32 - 1);
        (luma, w as u32, h as u32, [(x0, 49), (x1, 49), (x1, 50), (x0, 50)])
    }

    fn reading(text: &str, lines: i32, position: [(i32, i32); 4]) -> Found {
        Found { lines, position, ..Found::plain("ean13", text) }
    }

    #[test]
    fn a_few_lines_reading_the_symbol_contradicts_is_dropped() {
        let (luma, w, h, quad) = image(b"5901234123457", 2);
        let mut found = vec![
            reading("5901234123457", 2, quad),
            // Another number with a valid check digit, over the same bars.
            reading("4006381333931", 2, quad),
            // Many lines agreed: not read again.
            reading("9780201379624", 40, quad),
            // A UPC-A number, valid, over these bars.
            Found { format: "upca".into(), ..reading("036000291452", 3, quad) },
        ];
        drop_contradicted(&luma, w, h, &mut found);
        let kept: Vec<&str> = found.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(kept, ["5901234123457", "9780201379624"]);
    }

    #[test]
    fn where_the_second_read_finds_nothing_the_reading_stays() {
        let (luma, w, h, _) = image(b"5901234123457", 2);
        // Blank paper beside the symbol: nothing to say against the reading.
        let paper = [(2, 2), (20, 2), (20, 3), (2, 3)];
        let mut found = vec![reading("4006381333931", 2, paper), Found { lines: 0, ..Found::plain("qr", "x") }];
        drop_contradicted(&luma, w, h, &mut found);
        assert_eq!(found.len(), 2);
    }
}
