//! The printer's own commands for our 2D symbols (and stacked GS1 DataBar, `^BR`): `^BQ` QR, `^BX` DataMatrix ECC 200
//! (square; GS1 with FNC1 written `_1`), `^B7` PDF417 (our columns, rows and security
//! level), `^BO` Aztec, `^BD` MaxiCode. The printer picks its own masks and compaction, so
//! the symbol decodes the same and has our size and place while its modules may differ.
//! `^BX`, `^B7` and `^BO` turn with the orientation letter; `^BQ` has none (the guide allows
//! only `N`): a turned QR is the printer's upright one in the same square; `^BD` neither,
//! and a turned MaxiCode (not square) stays a graphic field, as does one at a size `^BD`
//! does not draw.

use super::place::{Area, Place};
use super::printable;
use crate::render::zpl::fd;
use crate::render::format::Drawing;
use crate::render::RenderOptions;
use crate::symbology::twod::{self, PDF417_ROW};
use crate::symbology::code128::FNC1;
use crate::symbology::{gs1_128, maxicode, Matrix};

/// How far below its field origin `^BQ` draws the QR symbol, at any magnification: 9 dots
/// in zplkit's rendering (measured with `^FO50,100^BQN,2,m` for m = 1 to 10). Without it a
/// native QR would sit above the place our PNG (and a label) puts it.
const QR_TOP: u32 = 9;

/// The one resolution and module size at which `^BD`'s fixed-size symbol is our raster's
/// size within a dot (zplkit: 203 dpi with 7-dot modules, 0.88 mm, MaxiCode's printed
/// size; at 152, 300 and 600 dpi it is 5 to 11 dots off ours, and at another `scale` it is
/// not the size asked for).
const BD_SIZE: (u32, u32) = (203, 7);

/// A GS1 element string as `^BX` field data with `_` as the escape character: FNC1 (`_1`)
/// wherever GS1-128 puts it (`gs1_128::atoms`). `None` when a value holds `_` (or `^`, `~`).
fn bx_gs1(data: &str) -> Option<String> {
    let elements = gs1_128::parse_bracketed(data).ok()?;
    if elements.iter().any(|e| e.value.contains(['_', '^', '~'])) {
        return None;
    }
    let atoms = gs1_128::atoms(&elements);
    Some(atoms.iter().map(|&a| if a == FNC1 { "_1".to_owned() } else { char::from(a as u8).to_string() }).collect())
}

/// The native field for a 2D symbol, or `None` when no command draws it.
pub fn field(d: &Drawing<'_>, m: &Matrix, o: &RenderOptions, p: &Place) -> Option<String> {
    let s = o.scale;
    let r = p.letter();
    let e = d.encode;
    let q = (o.quiet.0 * s) as i64;
    let body = Area { x: q, y: q, w: m.width as u32 * s, h: m.height as u32 * s };
    let fo = p.origin(body)?;
    match d.symbology {
        // The printer's own compaction with our columns and rows and security level: the
        // same size as our symbol (zplkit and Zebrash agree), the same data.
        "pdf417" if printable(d.data) => {
            let (cols, rows) = ((m.width.checked_sub(69)? / 17) as u32, (m.height / PDF417_ROW) as u32);
            if !(1..=30).contains(&cols) || !(3..=90).contains(&rows) {
                return None;
            }
            let ecc = e.level.unwrap_or(twod::PDF417_DEFAULT_ECC);
            let row_h = PDF417_ROW as u32 * s;
            Some(format!("{fo}^BY{s}^B7{r},{row_h},{ecc},{cols},{rows},N{}^FS", fd(d.data)))
        }
        "aztec" if printable(d.data) => {
            let ecc = e.level.unwrap_or(23);
            Some(format!("{fo}^BO{r},{s},N,{ecc}{}^FS", fd(d.data)))
        }
        "qr" if printable(d.data) && e.version.is_none() && e.mask.is_none() && !e.gs1 => {
            let ecc = e.ecc.map_or('M', |c| c.letter());
            // The symbol is drawn QR_TOP dots below the field origin: start that much higher
            // so it sits where our raster has it (below its quiet zone), or draw the raster.
            let at = p.turn(body);
            let top = at.y.checked_sub(QR_TOP as i64).filter(|t| *t >= 0)?;
            Some(format!("^FO{},{top}^BQN,2,{s}{}^FS", at.x, fd(&format!("{ecc}A,{}", d.data))))
        }
        // MaxiCode at the printer's own fixed size: modes 2 and 3 lead with the primary
        // message (class of service, country, postcode: 9 digits, or 6 characters),
        // then the secondary (a UPS envelope keeps its `[)>`RS`01`GS`yy` header).
        // Mode 5 stays a graphic: zplkit draws a ^BD5 no reader reads (not checked on a printer).
        "maxicode" if p.upright() && (d.dpi(BD_SIZE.0), s) == BD_SIZE && d.data.is_ascii() && e.maxi_mode != Some(5) => {
            let mode = e.maxi_mode.unwrap_or(4);
            let data = if matches!(mode, 2 | 3) {
                let (pm, rest) = maxicode::primary_and_secondary(d.data.as_bytes(), e.primary.as_ref())?;
                let pc = pm.postcode();
                // The printer reads 9 digits (mode 2) or 6 characters (mode 3): other
                // postcodes are drawn as a graphic.
                let fits = if mode == 2 { pc.len() == 9 } else { pc.len() == 6 };
                if !fits {
                    return None;
                }
                format!("{:03}{:03}{}{}", pm.service, pm.country, String::from_utf8_lossy(pc), String::from_utf8_lossy(&rest))
            } else {
                d.data.to_owned()
            };
            Some(format!("{fo}^BD{mode},1,1{}^FS", fd(&data)))
        }
        // Stacked GS1 DataBar at the standard heights (5 + 1 + 7 and 33 + 3 + 33 module
        // rows, separators included), 13 digits: the printer adds the check digit.
        "databar-stacked" | "databar-stacked-omni" if d.data.len() == 14 => {
            let (kind, rows) = if d.symbology == "databar-stacked" { (3, 13) } else { (4, 69) };
            if m.height != rows {
                return None;
            }
            Some(format!("{fo}^BR{r},{kind},{s},1,{},22^FD{}^FS", m.height as u32 * s, &d.data[..13]))
        }
        // `_` is the escape character we give ^BX: plain data with one is drawn as a
        // graphic. Rectangular symbols too: zplkit refuses `^BX`'s rectangular columns and
        // rows, Zebrash draws a square instead.
        "datamatrix" if printable(d.data) && !e.rect => {
            // GS1 data holds no `^` or `~` (GS1's character set): its FNC1s go as they are.
            let data = match e.gs1 {
                true => format!("^FD{}", bx_gs1(d.data)?),
                false if d.data.contains('_') => return None,
                false => fd(d.data),
            };
            Some(format!("{fo}^BX{r},{s},200,,,,_{data}^FS"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs1_datamatrix_field_data_has_fnc1_where_gs1_128_has() {
        assert_eq!(bx_gs1("(01)09506000134352(10)ABC(17)261231").unwrap(), "_1010950600013435210ABC_117261231");
        assert_eq!(bx_gs1("(01)09506000134352(17)261231").unwrap(), "_1010950600013435217261231");
        assert_eq!(bx_gs1("(10)A_B"), None);
    }
}
