//! zxing-cpp's formats under our symbology names (those of `/v1/symbologies`); formats we
//! do not write keep a name of their own in the same style. A format is the C API's
//! integer: the symbology letter in the low byte, the variant in the next. `refine` then
//! names what the bars alone do not tell zxing-cpp apart: UPC-A (an EAN-13 with a leading
//! zero), ISBN (978/979), ITF-14 (14 digits with a valid GTIN check digit), UPC-E as its
//! eight digits.

use super::Found;

/// Names of formats read but not written (not in `/v1/symbologies`).
const NOT_WRITTEN: &[&str] = &["aztec-rune", "dx-film-edge", "ean2", "ean5", "qr-model1", "telepen"];

/// Whether `name` is a format the reader may report: one of our symbologies, or a format
/// read but not written.
pub fn is_format(name: &str) -> bool {
    crate::symbology::Symbology::from_name(name.as_bytes()).is_some() || NOT_WRITTEN.contains(&name)
}

/// Our name for a zxing-cpp format; Code 128 carrying GS1 data is `gs1-128`.
pub fn symbology_name(format: i32, gs1: bool) -> &'static str {
    let (sym, var) = ((format & 0xff) as u8, ((format >> 8) & 0xff) as u8);
    match (sym, var) {
        (b'F', _) => "codabar",
        (b'A', b'2') => "code32",
        (b'A', b'p') => "pzn",
        (b'A', _) => "code39",
        (b'G', _) => "code93",
        (b'C', _) if gs1 => "gs1-128",
        (b'C', _) => "code128",
        (b'I', b'4') => "itf14",
        (b'I', _) => "itf",
        (b'e', b's') => "databar-stacked",
        (b'e', b'O') => "databar-stacked-omni",
        (b'e', b'l') => "databar-limited",
        (b'e', b'e') => "databar-expanded",
        (b'e', b'E') => "databar-expanded-stacked",
        (b'e', _) => "databar",
        (b'E', b'8') => "ean8",
        (b'E', b'5') => "ean5",
        (b'E', b'2') => "ean2",
        (b'E', b'i') => "isbn",
        (b'E', b'a') => "upca",
        (b'E', b'e') => "upce",
        (b'E', _) => "ean13",
        (b'B', _) => "telepen",
        (b'X', b'x') => "dx-film-edge",
        (b'L', b'm') => "micropdf417",
        (b'L', _) => "pdf417",
        (b'z', b'r') => "aztec-rune",
        (b'z', _) => "aztec",
        (b'Q', b'1') => "qr-model1",
        (b'Q', b'm') => "microqr",
        (b'Q', b'r') => "rmqr",
        (b'Q', _) => "qr",
        (b'd', _) => "datamatrix",
        (b'U', _) => "maxicode",
        _ => "other",
    }
}

/// The conventions of what a reader reports, applied to a zxing-cpp result.
pub fn refine(f: &mut Found, upce: Option<String>) {
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    match f.format.as_str() {
        "ean13" if f.text.starts_with('0') && digits(&f.text, 13) => {
            f.format = "upca".into();
            f.text.remove(0);
        }
        "ean13" if (f.text.starts_with("978") || f.text.starts_with("979")) && digits(&f.text, 13) => {
            f.format = "isbn".into();
        }
        "upce" => {
            if let Some(u) = upce.filter(|u| digits(u, 8)) {
                f.text = u;
            }
        }
        "itf" if digits(&f.text, 14) && gtin_check_ok(&f.text) => f.format = "itf14".into(),
        "pzn" => {
            if let Some(t) = f.text.strip_prefix('-') {
                f.text = t.to_string();
            }
        }
        _ => {}
    }
}

/// The GS1 mod-10 check digit of a digit string.
fn gtin_check_ok(t: &str) -> bool {
    let d: Vec<u32> = t.bytes().map(|b| (b - b'0') as u32).collect();
    let (body, check) = d.split_at(d.len() - 1);
    let sum: u32 = body.iter().rev().enumerate().map(|(i, v)| if i % 2 == 0 { v * 3 } else { *v }).sum();
    (10 - sum % 10) % 10 == check[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_our_names() {
        let id = |s: u8, v: u8| s as i32 | (v as i32) << 8;
        assert_eq!(symbology_name(id(b'C', b' '), true), "gs1-128");
        assert_eq!(symbology_name(id(b'C', b' '), false), "code128");
        assert_eq!(symbology_name(id(b'A', b'2'), false), "code32");
        assert_eq!(symbology_name(id(b'A', b'e'), false), "code39");
        assert_eq!(symbology_name(id(b'e', b'E'), true), "databar-expanded-stacked");
        assert_eq!(symbology_name(id(b'Q', b'r'), false), "rmqr");
        assert_eq!(symbology_name(0x2064, false), "datamatrix");
        assert_eq!(symbology_name(0x7251, false), "rmqr");
    }

    #[test]
    fn conventions_name_what_the_bars_do_not_tell() {
        let refined = |format: &str, text: &str, upce: Option<&str>| {
            let mut f = Found::plain(format, text);
            refine(&mut f, upce.map(String::from));
            (f.format, f.text)
        };
        assert_eq!(refined("ean13", "0012345678905", None), ("upca".into(), "012345678905".into()));
        assert_eq!(refined("ean13", "9780306406157", None), ("isbn".into(), "9780306406157".into()));
        assert_eq!(refined("ean13", "5901234123457", None), ("ean13".into(), "5901234123457".into()));
        assert_eq!(refined("upce", "0012345000065", Some("01234565")), ("upce".into(), "01234565".into()));
        assert_eq!(refined("itf", "15400141288763", None), ("itf14".into(), "15400141288763".into()));
        assert_eq!(refined("itf", "15400141288764", None), ("itf".into(), "15400141288764".into()));
        assert_eq!(refined("itf", "1234567890", None), ("itf".into(), "1234567890".into()));
        assert_eq!(refined("pzn", "-12345626", None), ("pzn".into(), "12345626".into()));
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn every_name_the_reader_gives_is_a_format() {
        for sym in [b'F', b'A', b'G', b'C', b'I', b'e', b'E', b'B', b'X', b'L', b'z', b'Q', b'd', b'U'] {
            for var in
                [b' ', b'2', b'p', b'4', b's', b'O', b'l', b'e', b'E', b'8', b'5', b'i', b'a', b'x', b'm', b'r', b'1']
            {
                for gs1 in [false, true] {
                    let name = symbology_name(sym as i32 | (var as i32) << 8, gs1);
                    // "other": a variant of DX film edge zxing-cpp does not have.
                    assert!(is_format(name) || (name == "other" && sym == b'X' && var != b'x'), "{name}");
                }
            }
        }
        assert!(is_format("pharmacode") && is_format("dotcode") && !is_format("other") && !is_format("PHARMACODE"));
    }
}
