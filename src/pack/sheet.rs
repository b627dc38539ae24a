//! Label sheet geometry: the page, the grid of labels on it, and where label `i` sits.
//! The named sheets are the common office stock: `a4-3x7` (Avery L7160, 63.5 × 38.1 mm,
//! 21 per A4 page), `letter-3x10` (Avery 5160, 2.625 × 1 in, 30 per Letter page) and
//! `4x6in` (one shipping label per page); any other is given by its measures.

/// A sheet of labels, in millimetres, positions from the page's top left corner.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sheet {
    pub page: (f64, f64),
    pub rows: u32,
    pub cols: u32,
    pub label: (f64, f64),
    /// Top and left margins.
    pub margin: (f64, f64),
    /// Horizontal and vertical gaps between labels.
    pub gap: (f64, f64),
}

const IN: f64 = 25.4;

/// Why a sheet's measures cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetError {
    /// A measure is not a positive finite number (or a margin or gap is negative).
    NotPositive(&'static str),
    /// The grid of labels does not fit the page.
    Overflows(&'static str),
    /// More than `MAX_PAGE` millimetres a side, or more than `MAX_CELLS` labels a page.
    TooLarge(&'static str),
}

/// Largest page side (PDF's own limit is 200 in).
pub const MAX_PAGE: f64 = 5080.0;
pub const MAX_CELLS: u32 = 1000;

impl Sheet {
    /// A named sheet.
    pub fn named(name: &str) -> Option<Sheet> {
        Some(match name {
            "a4-3x7" => Sheet {
                page: (210.0, 297.0),
                rows: 7,
                cols: 3,
                label: (63.5, 38.1),
                margin: (15.15, 7.25),
                gap: (2.5, 0.0),
            },
            "letter-3x10" => Sheet {
                page: (8.5 * IN, 11.0 * IN),
                rows: 10,
                cols: 3,
                label: (2.625 * IN, 1.0 * IN),
                margin: (0.5 * IN, 0.1875 * IN),
                gap: (0.125 * IN, 0.0),
            },
            "4x6in" => Sheet {
                page: (4.0 * IN, 6.0 * IN),
                rows: 1,
                cols: 1,
                label: (4.0 * IN, 6.0 * IN),
                margin: (0.0, 0.0),
                gap: (0.0, 0.0),
            },
            _ => return None,
        })
    }

    /// The names `named` knows.
    pub const NAMES: &'static [&'static str] = &["a4-3x7", "letter-3x10", "4x6in"];

    /// Checks the measures: positive, within limits, the grid inside the page.
    pub fn check(&self) -> Result<(), SheetError> {
        let pos = |v: f64, what| if v.is_finite() && v > 0.0 { Ok(()) } else { Err(SheetError::NotPositive(what)) };
        let nonneg = |v: f64, what| if v.is_finite() && v >= 0.0 { Ok(()) } else { Err(SheetError::NotPositive(what)) };
        pos(self.page.0, "page.width_mm")?;
        pos(self.page.1, "page.height_mm")?;
        pos(self.label.0, "label.width_mm")?;
        pos(self.label.1, "label.height_mm")?;
        nonneg(self.margin.0, "margin.top_mm")?;
        nonneg(self.margin.1, "margin.left_mm")?;
        nonneg(self.gap.0, "gap.x_mm")?;
        nonneg(self.gap.1, "gap.y_mm")?;
        if self.rows == 0 || self.cols == 0 {
            return Err(SheetError::NotPositive(if self.rows == 0 { "rows" } else { "cols" }));
        }
        if self.page.0 > MAX_PAGE || self.page.1 > MAX_PAGE {
            return Err(SheetError::TooLarge("page"));
        }
        if self.rows.saturating_mul(self.cols) > MAX_CELLS {
            return Err(SheetError::TooLarge("rows x cols"));
        }
        let w = self.margin.1 + self.cols as f64 * self.label.0 + (self.cols - 1) as f64 * self.gap.0;
        let h = self.margin.0 + self.rows as f64 * self.label.1 + (self.rows - 1) as f64 * self.gap.1;
        // A hundredth of a millimetre of rounding is not an overflow.
        if w > self.page.0 + 0.01 {
            return Err(SheetError::Overflows("columns of labels wider than the page"));
        }
        if h > self.page.1 + 0.01 {
            return Err(SheetError::Overflows("rows of labels taller than the page"));
        }
        Ok(())
    }

    /// Labels per page.
    pub fn per_page(&self) -> u32 {
        self.rows * self.cols
    }

    /// The top left corner of the `i`-th label on its page (row by row), in mm from the
    /// page's top left.
    pub fn cell(&self, i: u32) -> (f64, f64) {
        let i = i % self.per_page();
        let (r, c) = (i / self.cols, i % self.cols);
        (self.margin.1 + c as f64 * (self.label.0 + self.gap.0), self.margin.0 + r as f64 * (self.label.1 + self.gap.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_sheets_fill_their_pages_symmetrically() {
        for name in Sheet::NAMES {
            let s = Sheet::named(name).unwrap();
            s.check().unwrap();
            let (x, y) = s.cell(s.per_page() - 1);
            // The last label's far edges leave the same margins as the first one's near edges.
            assert!((s.page.0 - (x + s.label.0) - s.margin.1).abs() < 1e-9, "{name}");
            assert!((s.page.1 - (y + s.label.1) - s.margin.0).abs() < 1e-9, "{name}");
        }
        assert_eq!(Sheet::named("a4-3x7").unwrap().per_page(), 21);
        assert_eq!(Sheet::named("letter-3x10").unwrap().cell(4), (0.1875 * IN + 2.75 * IN, 0.5 * IN + IN));
    }

    #[test]
    fn bad_measures_are_named() {
        let mut s = Sheet::named("a4-3x7").unwrap();
        s.cols = 4;
        assert!(matches!(s.check(), Err(SheetError::Overflows(_))));
        s.cols = 3;
        s.label.1 = f64::NAN;
        assert_eq!(s.check(), Err(SheetError::NotPositive("label.height_mm")));
        s.label.1 = 38.1;
        s.rows = 0;
        assert_eq!(s.check(), Err(SheetError::NotPositive("rows")));
    }
}
