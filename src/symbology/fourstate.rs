//! Four-state postal bars (Royal Mail, KIX, Australia Post, USPS Intelligent Mail): each
//! bar is a full bar, an ascender, a descender or the tracker alone, one module wide with
//! one-module spaces. Drawn as a matrix of three bands — ascender, tracker, descender —
//! 3, 2 and 3 modules high (the tracker a quarter of the full bar, the proportions the
//! standards' nominal sizes share), so every image, PDF and ZPL writer draws them as they
//! draw any matrix.

use super::{Encoded, Matrix, MatrixKind, Symbol};

/// One bar's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bar {
    Full,
    Ascender,
    Descender,
    Tracker,
}

/// Module rows of the ascender, tracker and descender bands.
pub const BANDS: [usize; 3] = [3, 2, 3];

impl Bar {
    /// The bar from the digit the postal standards tabulate it by: 0 full, 1 ascender,
    /// 2 descender, 3 tracker.
    pub fn from_digit(d: u8) -> Bar {
        match d & 3 {
            0 => Bar::Full,
            1 => Bar::Ascender,
            2 => Bar::Descender,
            _ => Bar::Tracker,
        }
    }

    /// The bar with an ascender and/or a descender (the tracker is always there).
    pub fn from_parts(up: bool, down: bool) -> Bar {
        match (up, down) {
            (true, true) => Bar::Full,
            (true, false) => Bar::Ascender,
            (false, true) => Bar::Descender,
            (false, false) => Bar::Tracker,
        }
    }

    fn up(self) -> bool {
        matches!(self, Bar::Full | Bar::Ascender)
    }

    fn down(self) -> bool {
        matches!(self, Bar::Full | Bar::Descender)
    }

    /// Its letter in the F/A/D/T notation the postal standards print.
    pub fn letter(self) -> char {
        match self {
            Bar::Full => 'F',
            Bar::Ascender => 'A',
            Bar::Descender => 'D',
            Bar::Tracker => 'T',
        }
    }
}

/// The bars as a matrix symbol, with `canonical` as its key.
pub fn encoded(bars: &[Bar], canonical: String) -> Encoded {
    let width = (bars.len() * 2).saturating_sub(1);
    let height: usize = BANDS.iter().sum();
    let mut dark = vec![false; width * height];
    for (i, b) in bars.iter().enumerate() {
        let x = 2 * i;
        for y in 0..height {
            let on = if y < BANDS[0] {
                b.up()
            } else if y < BANDS[0] + BANDS[1] {
                true
            } else {
                b.down()
            };
            dark[y * width + x] = on;
        }
    }
    Encoded { symbol: Symbol::Matrix(Matrix { width, height, dark, kind: MatrixKind::FourState }), canonical }
}

/// The F/A/D/T string of a matrix drawn by `encoded` (`None` for any other matrix).
pub fn states(m: &Matrix) -> Option<String> {
    if m.kind != MatrixKind::FourState || m.height != BANDS.iter().sum::<usize>() {
        return None;
    }
    let bottom = (m.height - 1) * m.width;
    Some((0..m.width).step_by(2).map(|x| Bar::from_parts(m.dark[x], m.dark[bottom + x]).letter()).collect())
}

/// `bars` as read upside down: reversed, ascenders and descenders swapped (readers' tests).
#[cfg(test)]
pub fn turned(bars: &[Bar]) -> Vec<Bar> {
    bars.iter()
        .rev()
        .map(|x| match x {
            Bar::Ascender => Bar::Descender,
            Bar::Descender => Bar::Ascender,
            y => *y,
        })
        .collect()
}

/// The bars of one of our encoded four-state symbols, in reading order (readers' tests).
#[cfg(test)]
pub fn bars_of(e: &crate::symbology::Encoded) -> Vec<Bar> {
    let crate::symbology::Symbol::Matrix(m) = &e.symbol else { panic!("not a four-state symbol") };
    states(m)
        .unwrap()
        .chars()
        .map(|c| match c {
            'F' => Bar::Full,
            'A' => Bar::Ascender,
            'D' => Bar::Descender,
            _ => Bar::Tracker,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_round_trip_through_the_matrix() {
        let bars: Vec<Bar> = (0..8).map(|d| Bar::from_digit(d as u8)).collect();
        let e = encoded(&bars, String::new());
        let Symbol::Matrix(m) = &e.symbol else { panic!() };
        assert_eq!((m.width, m.height), (15, 8));
        assert_eq!(states(m).unwrap(), "FADTFADT");
        // The tracker band is dark under every bar, the spaces light in every row.
        assert!((0..8).all(|y| !m.dark[y * 15 + 1]));
        assert!((3..5).all(|y| (0..15).step_by(2).all(|x| m.dark[y * 15 + x])));
    }
}
