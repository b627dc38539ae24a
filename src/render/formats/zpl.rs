//! ZPL II for thermal label printers. Where the printer's own barcode command draws the
//! symbol — `^BE` EAN-13, `^B8` EAN-8, `^BU` UPC-A, `^B2` ITF, `^B3` Code 39, `^BC` Code 128
//! and GS1-128 (our own code sets and FNC1s spelled out as invocation codes, never the
//! printer's mode D; GS1-128's bracketed line as a font 0 field, since the printer's own
//! drops the parentheses), `^BA` Code 93, `^BK` Codabar, `^BQ` QR, `^BX` DataMatrix ECC
//! 200, `^B7` PDF417 (our columns, rows and security level), `^BO` Aztec; for the 2D ones
//! the printer picks its own masks and compaction, so the symbol decodes the same but its
//! modules may differ — it is used, with the module width (`^BY`) from our scale and the
//! printer's own human-readable line. Everything else — other symbologies, rotation,
//! options the command cannot say (add-ons, bearer bars, full ASCII, a pinned QR version or
//! mask, rectangular DataMatrix, GS1 mode), data it would have to escape — and
//! `zpl=graphic` get our raster as `^GF` graphic fields (`render/zpl.rs`), pixel for pixel
//! the PNG at the same resolution (`zpl_compress=z64`: their data as `:Z64:`).
//! `label=true` (default) wraps it in `^XA ^PW ^LL … ^XZ` sized to the symbol plus the
//! offsets; `label=false` gives the field block alone. Printers draw black: `fg`/`bg` do
//! not apply.

use crate::render::format::{Dpis, Drawing, FormatSpec};
use crate::render::{layout, zpl, Rotation};
use crate::render::text::GLYPH;
use crate::symbology::twod::{self, PDF417_ROW};
use crate::symbology::{code128, gs1_128, maxicode, Symbol};

pub const SPEC: FormatSpec = FormatSpec {
    ext: "zpl",
    content_type: "application/zpl; charset=utf-8",
    printed: true,
    default_dpi: 203,
    // The resolutions thermal printers are made in: 6, 8, 12 and 24 dots/mm. A ZPL file
    // drawn for another (250 dpi) prints at the wrong size on every printer.
    dpis: Some(&PRINTER_DPIS),
    options: &["zpl", "zpl_compress", "label", "x", "y"],
    write,
};

/// Printer resolutions, dots per inch.
const PRINTER_DPIS: Dpis = Dpis {
    values: &[152, 203, 300, 600],
    rule: "152, 203, 300 or 600 for ZPL (6, 8, 12 or 24 dots/mm: what thermal printers print at)",
};

/// How far below its field origin `^BQ` draws the QR symbol, at any magnification: 9 dots
/// in zplkit's rendering (measured with `^FO50,100^BQN,2,m` for m = 1 to 10). Without it a
/// native QR would sit above the place our PNG (and a label) puts it.
const QR_TOP: u32 = 9;

/// Our Code 128 symbol values (start .. data, without check and stop) as `^BC` field data in
/// mode N: the start code and every code-set switch written as invocation codes (`>9` `>:`
/// `>;` start A/B/C, `>7` `>6` `>5` to A/B/C, `>8` FNC1), so the printer draws exactly our
/// symbol. `None` for what the field data cannot say plainly (SHIFT, FNC4, control
/// characters, `>`). `^`, `~` and `_` stay as they are: `fd` escapes them.
fn bc_data(values: &[u8]) -> Option<String> {
    let (&start, rest) = values.split_first()?;
    let mut set = start.checked_sub(103).filter(|s| *s < 3)? as usize; // 0 A, 1 B, 2 C
    let mut out = String::from([">9", ">:", ">;"][set]);
    for &v in rest {
        match (set, v) {
            (_, 102) => out.push_str(">8"),
            (0 | 1, 99) => {
                out.push_str(">5");
                set = 2;
            }
            (0 | 2, 100) => {
                out.push_str(">6");
                set = 1;
            }
            (1 | 2, 101) => {
                out.push_str(">7");
                set = 0;
            }
            (2, 0..=99) => out.push_str(&format!("{v:02}")),
            // `>` would need an invocation code of its own, which renderers read differently
            // (zplkit takes `><` as `^`): such data is drawn as a graphic.
            (0, 0..=63) | (1, 0..=94) => match (v + 32) as char {
                '>' => return None,
                c => out.push(c),
            },
            _ => return None,
        }
    }
    Some(out)
}

/// `^FD` with `data`, preceded by `^FH` when `^`, `~` or `_` had to be written as hex.
fn fd(data: &str) -> String {
    match zpl::field_data(data) {
        (escaped, true) => format!("^FH_^FD{escaped}"),
        (plain, false) => format!("^FD{plain}"),
    }
}

/// The printer's own command for the symbol, when it draws the same thing.
fn native(d: &Drawing<'_>) -> Option<String> {
    // The quiet zones as the raster has them (widened where the text line is wider).
    let o = &layout::fitted(d.symbol, d.opts);
    // Printable ASCII (what `^FH` cannot carry is left to the graphic field): no code page
    // to agree on.
    let printable = d.data.bytes().all(|b| (0x20..0x7f).contains(&b));
    // MaxiCode's UPS envelope carries RS, GS and EOT: escaped, they are plain field data.
    let plain = printable || (d.symbology == "maxicode" && d.data.is_ascii());
    if d.out.graphic || o.rotate != Rotation::R0 || o.marks || !plain {
        return None;
    }
    let (s, h) = (o.scale, o.bar_px());
    let t = if o.text { 'Y' } else { 'N' };
    let e = d.encode;
    let (x, y) = (d.out.x + o.quiet.0 * s, d.out.y);
    let (by, cmd, data, top): (String, String, &str, u32) = match d.symbology {
        "ean13" if e.addon.is_none() && d.data.len() == 13 => {
            (format!("^BY{s}"), format!("^BEN,{h},{t},N"), &d.data[..12], 0)
        }
        "ean8" if d.data.len() == 8 => (format!("^BY{s}"), format!("^B8N,{h},{t},N"), &d.data[..7], 0),
        "upca" if e.addon.is_none() && d.data.len() == 12 => (format!("^BY{s}"), format!("^BUN,{h},{t},N,Y"), &d.data[..11], 0),
        "itf" if e.bearer != Some(true) => (format!("^BY{s},3.0"), format!("^B2N,{h},{t},N,N"), d.data, 0),
        "code39" if !e.full_ascii => {
            let check = if e.check { 'Y' } else { 'N' };
            // Our canonical data carries no check character: the printer adds it. Wide bars
            // are twice the narrow ones, as in our raster.
            (format!("^BY{s},2.0"), format!("^B3N,{check},{h},{t},N"), d.data, 0)
        }
        "code128" => {
            let atoms: Vec<u16> = d.data.chars().map(|c| c as u16).collect();
            let values = code128::values(&atoms);
            // Without the check value: the printer computes it.
            let data = bc_data(&values[..values.len() - 1])?;
            return Some(format!("^FO{x},{y}^BY{s}^BCN,{h},{t},N,N,N{}^FS", fd(&data)));
        }
        "gs1-128" => {
            let elements = gs1_128::parse_bracketed(d.data).ok()?;
            let values = code128::values(&gs1_128::atoms(&elements));
            let data = bc_data(&values[..values.len() - 1])?;
            // The printer's own line would lose the AIs' parentheses: ours, in font 0,
            // centred on the cells our raster puts it in.
            let line = match d.layout.texts.first() {
                Some(tr) if o.text => {
                    let cell = GLYPH * tr.px;
                    let len = tr.text.chars().count() as u32 * cell;
                    let (tx, ty) = (d.out.x as i64 + tr.x, d.out.y + tr.y);
                    format!("^FO{},{ty}{}^FB{len},1,0,C{}^FS", tx.max(0), zpl::font0('N', cell), fd(&tr.text))
                }
                _ => String::new(),
            };
            return Some(format!("^FO{x},{y}^BY{s}^BCN,{h},N,N,N,N{}^FS{line}", fd(&data)));
        }
        "code93" if d.data.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b"-. $/+%".contains(&b)) => {
            (format!("^BY{s}"), format!("^BAN,{h},{t},N,N"), d.data, 0)
        }
        "codabar" if d.data.len() >= 3 => {
            let (start, body, stop) = (&d.data[..1], &d.data[1..d.data.len() - 1], &d.data[d.data.len() - 1..]);
            if !"ABCD".contains(start) || !"ABCD".contains(stop) {
                return None;
            }
            // Wide elements twice the narrow ones, as in our raster.
            return Some(format!("^FO{x},{y}^BY{s},2.0^BKN,N,{h},{t},N,{start},{stop}{}^FS", fd(body)));
        }
        // The printer's own compaction with our columns and rows and security level: the
        // same size as our symbol (zplkit and Zebrash agree), the same data.
        "pdf417" if (1..=10).contains(&s) => {
            let Symbol::Matrix(m) = d.symbol else { return None };
            let (cols, rows) = ((m.width.checked_sub(69)? / 17) as u32, (m.height / PDF417_ROW) as u32);
            if !(1..=30).contains(&cols) || !(3..=90).contains(&rows) {
                return None;
            }
            let ecc = e.level.unwrap_or(twod::PDF417_DEFAULT_ECC);
            let q = o.quiet.0 * s;
            let (row_h, data) = (PDF417_ROW as u32 * s, d.data);
            return Some(format!("^FO{x},{}^BY{s}^B7N,{row_h},{ecc},{cols},{rows},N{}^FS", d.out.y + q, fd(data)));
        }
        "aztec" if (1..=10).contains(&s) => {
            let ecc = e.level.unwrap_or(23);
            return Some(format!("^FO{x},{}^BON,{s},N,{ecc}{}^FS", d.out.y + o.quiet.0 * s, fd(d.data)));
        }
        "qr" if e.version.is_none() && e.mask.is_none() && !e.gs1 && (1..=10).contains(&s) => {
            let ecc = e.ecc.map_or('M', |c| c.letter());
            // The symbol is drawn QR_TOP dots below the field origin: start that much higher
            // so it sits where our raster has it (below its quiet zone), or draw the raster.
            let top = (d.out.y + o.quiet.0 * s).checked_sub(QR_TOP)?;
            return Some(format!("^FO{x},{top}^BQN,2,{s}{}^FS", fd(&format!("{ecc}A,{}", d.data))));
        }
        // MaxiCode at the printer's own fixed size: modes 2 and 3 lead with the primary
        // message (class of service, country, postcode: 9 digits, or 6 characters),
        // then the secondary (a UPS envelope keeps its `[)>`RS`01`GS`yy` header).
        // Mode 5 stays a graphic: zplkit draws a ^BD5 no reader reads (not checked on a printer).
        "maxicode" if e.maxi_mode != Some(5) => {
            let mode = e.maxi_mode.unwrap_or(4);
            let q = o.quiet.0 * s;
            let data = if matches!(mode, 2 | 3) {
                let (p, rest) = maxicode::primary_and_secondary(d.data.as_bytes(), e.primary.as_ref())?;
                let pc = p.postcode();
                // The printer reads 9 digits (mode 2) or 6 characters (mode 3): other
                // postcodes are drawn as a graphic.
                let fits = if mode == 2 { pc.len() == 9 } else { pc.len() == 6 };
                if !fits {
                    return None;
                }
                format!("{:03}{:03}{}{}", p.service, p.country, String::from_utf8_lossy(pc), String::from_utf8_lossy(&rest))
            } else {
                d.data.to_owned()
            };
            return Some(format!("^FO{x},{}^BD{mode},1,1{}^FS", d.out.y + q, fd(&data)));
        }
        // `_` is the escape character we give ^BX: data with one is drawn as a graphic.
        "datamatrix" if !e.rect && !e.gs1 && !d.data.contains('_') => {
            (String::new(), format!("^BXN,{s},200,,,,_"), d.data, o.quiet.0 * s)
        }
        _ => return None,
    };
    Some(format!("^FO{x},{}{by}{cmd}{}^FS", y + top, fd(data)))
}

fn write(d: &Drawing<'_>) -> Vec<u8> {
    let (w, h) = d.size();
    let field = native(d).unwrap_or_else(|| zpl::graphic_fields(&d.raster(), d.out.x, d.out.y, d.out.z64));
    let text = if d.out.label {
        format!("^XA^PW{}^LL{}{field}^XZ\n", w + d.out.x, h + d.out.y)
    } else {
        format!("{field}\n")
    };
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atoms(s: &str) -> Vec<u16> {
        s.bytes().map(u16::from).collect()
    }

    #[test]
    fn code128_code_sets_become_invocation_codes() {
        let v = code128::values(&atoms("ORD-2026-000123"));
        let data = bc_data(&v[..v.len() - 1]).unwrap();
        assert!(data.starts_with(">:ORD-"), "{data}");
        let v = code128::values(&atoms("12345678"));
        assert_eq!(bc_data(&v[..v.len() - 1]).unwrap(), ">;12345678");
        let v = code128::values(&atoms("AB>C"));
        assert_eq!(bc_data(&v[..v.len() - 1]), None, "'>' is not written plainly");
        assert_eq!(fd(">:A^B~C_D"), "^FH_^FD>:A_5EB_7EC_5FD");
        assert_eq!(fd("plain"), "^FDplain");
    }
}
