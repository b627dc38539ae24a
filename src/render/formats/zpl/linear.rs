//! The printer's own commands for our linear symbols, at any quarter turn (the commands'
//! orientation letter), with `^BY` from our scale: `^BE` EAN-13 and ISBN, `^B8` EAN-8, `^BU`
//! UPC-A, `^B9` UPC-E, each with `^BS` for a 2- or 5-digit add-on; `^B2` ITF and ITF-14 with
//! `^GB` boxes for bearer bars; `^BR` GS1 DataBar (omnidirectional, truncated, limited);
//! `^B3` Code 39 (full ASCII as the shift pairs the symbol
//! holds); `^BA` Code 93 (full ASCII through the command's shift characters); `^BK`
//! Codabar; `^BC` Code 128 and GS1-128 (our code sets and FNC1s spelled out as invocation
//! codes, never the printer's mode D). The printer's own text line where it prints ours;
//! where it would not — GS1-128's parentheses, full-ASCII data, the line under a bottom
//! bearer bar, an add-on's digits, ISBN's line above — ours, in font 0, in the cells our
//! raster draws it in.

use super::place::{Area, Place};
use super::printable;
use crate::render::zpl::fd;
use crate::render::format::Drawing;
use crate::render::layout::TextRun;
use crate::render::RenderOptions;
use crate::symbology::linear::{code39_characters, code93_printer_characters};
use crate::symbology::{code128, ean, gs1_128, HumanText, Linear};

/// Our Code 128 symbol values (start .. data, without check and stop) as `^BC` field data in
/// mode N: the start code and every code-set switch written as invocation codes (`>9` `>:`
/// `>;` start A/B/C, `>7` `>6` `>5` to A/B/C, `>8` FNC1), so the printer draws exactly our
/// symbol. `None` for what the field data cannot say plainly (SHIFT, FNC4, control
/// characters, `>`). `^`, `~` and `_` stay as they are: `fd` escapes them.
pub fn bc_data(values: &[u8]) -> Option<String> {
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

/// What one linear command needs beyond the symbol: its `^BY`, the command with its
/// orientation and flags, its field data, and whether our own text line replaces the
/// printer's.
struct Command {
    by: String,
    cmd: String,
    data: String,
    own_text: bool,
}

/// The digits of an EAN/UPC symbol as its human-readable line holds them.
fn digits(d: &[u8]) -> String {
    d.iter().map(|&v| (b'0' + v) as char).collect()
}

/// The native fields for a linear symbol, or `None` when no command draws it.
pub fn fields(d: &Drawing<'_>, l: &Linear, o: &RenderOptions, p: &Place) -> Option<String> {
    let s = o.scale;
    let r = p.letter();
    let e = d.encode;
    let h = o.bar_px();
    // The add-on's modules (and the gap before them) end the symbol.
    let addon_len = l.addon.as_ref().map_or(0, |a| if a.len() == 2 { 20 } else { 47 });
    let main = l.modules.len().checked_sub(addon_len + if addon_len > 0 { ean::ADDON_GAP } else { 0 })?;
    // The printer's line or ours, decided per command below.
    let t = |own: bool| if o.text && !own { 'Y' } else { 'N' };
    let c = match (d.symbology, &l.text) {
        ("ean13" | "isbn", HumanText::Ean13(v)) => {
            Command { by: format!("^BY{s}"), cmd: format!("^BE{r},{h},{},N", t(false)), data: digits(&v[..12]), own_text: false }
        }
        ("ean8", HumanText::Ean8(v)) => {
            Command { by: format!("^BY{s}"), cmd: format!("^B8{r},{h},{},N", t(false)), data: digits(&v[..7]), own_text: false }
        }
        ("upca", HumanText::UpcA(v)) => Command {
            by: format!("^BY{s}"),
            cmd: format!("^BU{r},{h},{},N,Y", t(false)),
            data: digits(&v[..11]),
            own_text: false,
        },
        // Number system and six digits; the printer adds the check digit and prints it.
        ("upce", HumanText::UpcE(v)) => Command {
            by: format!("^BY{s}"),
            cmd: format!("^B9{r},{h},{},N,Y", t(false)),
            data: digits(&v[..7]),
            own_text: false,
        },
        ("itf" | "itf14", _) if printable(d.data) => {
            // Under a bottom bearer bar the printer's line would overlap it: ours.
            let own = l.bearer > 0;
            Command { by: format!("^BY{s},3.0"), cmd: format!("^B2{r},{h},{},N,N", t(own)), data: d.data.into(), own_text: own }
        }
        ("code39", _) => {
            // Our canonical data carries no check character: the printer adds it. Wide bars
            // are twice the narrow ones, as in our raster. Full ASCII is the symbol's shift
            // pairs (`+A` for `a`), its line ours.
            let chars = code39_characters(d.data.as_bytes(), e.full_ascii).ok()?;
            let own = chars != d.data;
            let check = if e.check { 'Y' } else { 'N' };
            Command { by: format!("^BY{s},2.0"), cmd: format!("^B3{r},{check},{h},{},N", t(own)), data: chars, own_text: own }
        }
        ("code93", _) => {
            let chars = code93_printer_characters(d.data.as_bytes())?;
            let own = chars != d.data;
            Command { by: format!("^BY{s}"), cmd: format!("^BA{r},{h},{},N,N", t(own)), data: chars, own_text: own }
        }
        // The printer draws GS1 DataBar at its standard height only (the height parameter
        // is for stacked forms): a taller or shorter symbol stays a graphic field.
        ("databar" | "databar-truncated" | "databar-limited", _) if d.data.len() == 14 => {
            let (kind, modules) = match d.symbology {
                "databar" => (1, 33),
                "databar-truncated" => (2, 13),
                _ => (5, 10),
            };
            if h != modules * s {
                return None;
            }
            // 13 digits: the printer adds the check digit. The `(01)…` line is ours.
            Command { by: String::new(), cmd: format!("^BR{r},{kind},{s},1,{h},22"), data: d.data[..13].into(), own_text: true }
        }
        ("codabar", _) if printable(d.data) && d.data.len() >= 3 => {
            let (start, body, stop) = (&d.data[..1], &d.data[1..d.data.len() - 1], &d.data[d.data.len() - 1..]);
            if !"ABCD".contains(start) || !"ABCD".contains(stop) {
                return None;
            }
            // Wide elements twice the narrow ones, as in our raster.
            Command {
                by: format!("^BY{s},2.0"),
                cmd: format!("^BK{r},N,{h},{},N,{start},{stop}", t(false)),
                data: body.into(),
                own_text: false,
            }
        }
        ("code128", _) if printable(d.data) => {
            let atoms: Vec<u16> = d.data.chars().map(|c| c as u16).collect();
            let values = code128::values(&atoms);
            // Without the check value: the printer computes it.
            let data = bc_data(&values[..values.len() - 1])?;
            Command { by: format!("^BY{s}"), cmd: format!("^BC{r},{h},{},N,N,N", t(false)), data, own_text: false }
        }
        ("gs1-128", _) if printable(d.data) => {
            let elements = gs1_128::parse_bracketed(d.data).ok()?;
            let values = code128::values(&gs1_128::atoms(&elements));
            let data = bc_data(&values[..values.len() - 1])?;
            // The printer's own line would lose the AIs' parentheses: ours.
            Command { by: format!("^BY{s}"), cmd: format!("^BC{r},{h},N,N,N,N"), data, own_text: true }
        }
        _ => return None,
    };
    let (top, bottom) = d.layout.band;
    // DataBar Limited's last five modules are its right guard's light ones: zplkit turns
    // the symbol without them (at 180° and 270° its far end is the field origin).
    let trailing = if d.symbology == "databar-limited" { 5 } else { 0 };
    let body = Area { x: (o.quiet.0 * s) as i64, y: top as i64, w: main.saturating_sub(trailing) as u32 * s, h: bottom - top };
    let mut out = format!("{}{}{}{}^FS", p.origin(body)?, c.by, c.cmd, fd(&c.data));
    if let Some(add) = &l.addon {
        // `^BS` after the gap, as tall as the main bars, its digits ours (under it, as in
        // our raster).
        let x = ((o.quiet.0 as usize + main + ean::ADDON_GAP) * s as usize) as i64;
        let at = Area { x, y: top as i64, w: addon_len as u32 * s, h: bottom - top };
        out.push_str(&format!("{}^BS{r},{h},N{}^FS", p.origin(at)?, fd(add)));
    }
    if l.bearer > 0 {
        // Bearer bars across the symbol and its quiet zones, above and below the bars.
        let b = l.bearer * s;
        let w = d.layout.width;
        out.push_str(&p.fill(Area { x: 0, y: top as i64 - b as i64, w, h: b })?);
        out.push_str(&p.fill(Area { x: 0, y: bottom as i64, w, h: b })?);
    }
    // Our text lines the printer does not print: the whole line (`own_text`), the add-on's
    // digits (after the main ones), ISBN's line above the bars.
    let ours = d.layout.texts.iter().filter(|tr: &&TextRun| {
        let above = tr.y < top;
        let addon = l.addon.as_deref() == Some(tr.text.as_str()) && tr.y >= bottom;
        above || addon || c.own_text
    });
    for tr in ours {
        out.push_str(&p.text(tr));
    }
    Some(out)
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
    }
}
