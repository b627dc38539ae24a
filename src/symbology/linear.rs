//! The other linear symbologies: EAN-8, UPC-A, UPC-E, ITF, ITF-14, Code 39, Code 93 and
//! Codabar. Data rules, check digits and UPC-E compression are ours (so every refusal is
//! a typed, named error); the bar patterns come from `rxing`'s one-dimensional writers,
//! which are only fed input we have already validated, and are called behind
//! `catch_unwind` as a last guard.

use super::ean::gs1_check_digit;
use super::{DataError, Encoded, HumanText, Linear, Symbol};
use rxing::oned::OneDimensionalCodeWriter;

pub const UPCE_RULE: &str = "6 digits (number system 0, check computed), 7 (number system 0 or 1 + 6 digits), \
8 (with check digit, verified), or an 11/12-digit UPC-A that has a UPC-E form";
pub const CODE39_RULE: &str = "1-80 characters of 0-9 A-Z - . space $ / + %; full_ascii=true allows ASCII 0-127 \
(through shift pairs, 80 symbol characters at most); check=true adds the mod-43 check character";
pub const CODABAR_RULE: &str = "1-60 of 0-9 - $ : / . +, optionally between start/stop characters A-D \
(both or neither; A...A when absent)";

/// Longest Code 39 / Code 93 data in symbol characters (rxing's limit, and scanners').
const MAX_39_93: usize = 80;
/// Longest ITF data in digits.
const MAX_ITF: usize = 80;
/// Longest Codabar data.
const MAX_CODABAR: usize = 60;

/// Runs an rxing writer; any error or panic becomes `err`.
fn rx<W: OneDimensionalCodeWriter>(w: W, contents: &str, err: DataError) -> Result<Vec<bool>, DataError> {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.encode_oned(contents)));
    match r {
        Ok(Ok(m)) => Ok(m),
        _ => Err(err),
    }
}

fn linear(modules: Vec<bool>, guards: Vec<usize>, text: HumanText, bearer: u32, canonical: String) -> Encoded {
    Encoded { symbol: Symbol::Linear(Linear { modules, guards, text, bearer, addon: None, above: None }), canonical }
}

/// Parses `data` as digits for `sym`, accepting `short` (check computed) or `short + 1`
/// (check verified) of them; returns all digits, check digit included.
pub(crate) fn gtin_digits(
    sym: &'static str,
    data: &[u8],
    short: usize,
    expected: &'static str,
) -> Result<Vec<u8>, DataError> {
    if data.len() != short && data.len() != short + 1 {
        return Err(DataError::Length { symbology: sym, expected, got: data.len() });
    }
    let mut d = digits(sym, data)?;
    let check = gs1_check_digit(&d[..short]);
    if d.len() == short + 1 && d[short] != check {
        return Err(DataError::CheckDigit { expected: check, found: d[short] });
    }
    d.truncate(short);
    d.push(check);
    Ok(d)
}

fn digits(sym: &'static str, data: &[u8]) -> Result<Vec<u8>, DataError> {
    data.iter()
        .enumerate()
        .map(|(pos, &b)| {
            if b.is_ascii_digit() {
                Ok(b - b'0')
            } else {
                Err(DataError::BadChar { symbology: sym, pos, ch: b as char, allowed: "digits 0-9 only" })
            }
        })
        .collect()
}

fn to_string(d: &[u8]) -> String {
    d.iter().map(|x| (b'0' + x) as char).collect()
}

fn bad_len(sym: &'static str, expected: &'static str, got: usize) -> DataError {
    DataError::Length { symbology: sym, expected, got }
}

pub fn ean8(data: &[u8]) -> Result<Encoded, DataError> {
    let d = gtin_digits("ean8", data, 7, "7 digits (check digit computed) or 8 (verified)")?;
    let s = to_string(&d);
    let m = rx(rxing::oned::EAN8Writer, &s, bad_len("ean8", "8 digits", 8))?;
    let guards = (0..3).chain(31..36).chain(64..67).collect();
    Ok(linear(m, guards, HumanText::Ean8(d.try_into().unwrap_or([0; 8])), 0, s))
}

pub fn upca(data: &[u8]) -> Result<Encoded, DataError> {
    let d = gtin_digits("upca", data, 11, "11 digits (check digit computed) or 12 (verified)")?;
    let s = to_string(&d);
    // UPC-A is EAN-13 with a leading zero: the same bars.
    let m = rx(rxing::oned::EAN13Writer, &format!("0{s}"), bad_len("upca", "12 digits", 12))?;
    // Guards plus the first and last symbol characters extend into the text line.
    let guards = (0..10).chain(45..50).chain(85..95).collect();
    Ok(linear(m, guards, HumanText::UpcA(d.try_into().unwrap_or([0; 12])), 0, s))
}

/// Expands UPC-E (number system + 6 digits) to the 11 UPC-A digits without check.
pub fn upce_to_upca(ns: u8, e: &[u8; 6]) -> [u8; 11] {
    let [d1, d2, d3, d4, d5, d6] = *e;
    match d6 {
        0..=2 => [ns, d1, d2, d6, 0, 0, 0, 0, d3, d4, d5],
        3 => [ns, d1, d2, d3, 0, 0, 0, 0, 0, d4, d5],
        4 => [ns, d1, d2, d3, d4, 0, 0, 0, 0, 0, d5],
        _ => [ns, d1, d2, d3, d4, d5, 0, 0, 0, 0, d6],
    }
}

/// Compresses 11 UPC-A digits (number system first, no check) to UPC-E's six, if possible.
pub fn upca_to_upce(a: &[u8; 11]) -> Option<[u8; 6]> {
    if a[0] > 1 {
        return None;
    }
    let (m, p) = (&a[1..6], &a[6..11]);
    let candidates = [
        [m[0], m[1], p[2], p[3], p[4], m[2]],
        [m[0], m[1], m[2], p[3], p[4], 3],
        [m[0], m[1], m[2], m[3], p[4], 4],
        [m[0], m[1], m[2], m[3], m[4], p[4]],
    ];
    candidates.into_iter().find(|e| upce_to_upca(a[0], e) == *a)
}

pub fn upce(data: &[u8]) -> Result<Encoded, DataError> {
    let d = digits("upce", data)?;
    let (ns, six, given_check): (u8, [u8; 6], Option<u8>) = match d.len() {
        6 => (0, d[..6].try_into().unwrap_or_default(), None),
        7 | 8 => (d[0], d[1..7].try_into().unwrap_or_default(), d.get(7).copied()),
        11 | 12 => {
            let a: [u8; 11] = d[..11].try_into().unwrap_or_default();
            let check = gs1_check_digit(&a);
            if let Some(&c) = d.get(11) {
                if c != check {
                    return Err(DataError::CheckDigit { expected: check, found: c });
                }
            }
            (a[0], upca_to_upce(&a).ok_or(DataError::NoUpcE)?, None)
        }
        n => return Err(bad_len("upce", UPCE_RULE, n)),
    };
    if ns > 1 {
        return Err(DataError::BadChar {
            symbology: "upce",
            pos: 0,
            ch: (b'0' + ns) as char,
            allowed: "number system 0 or 1",
        });
    }
    let check = gs1_check_digit(&upce_to_upca(ns, &six));
    if let Some(c) = given_check {
        if c != check {
            return Err(DataError::CheckDigit { expected: check, found: c });
        }
    }
    let mut all = vec![ns];
    all.extend_from_slice(&six);
    all.push(check);
    let s = to_string(&all);
    let m = rx(rxing::oned::UPCEWriter, &s, bad_len("upce", UPCE_RULE, data.len()))?;
    let guards = (0..3).chain(45..51).collect();
    Ok(linear(m, guards, HumanText::UpcE(all.try_into().unwrap_or([0; 8])), 0, s))
}

/// Bearer bar thickness in modules when on (ITF-14 specifies at least 2 X... 5 X is common).
const BEARER: u32 = 3;

pub fn itf(data: &[u8], pad: bool, bearer: bool) -> Result<Encoded, DataError> {
    let mut d = digits("itf", data)?;
    if d.len() % 2 == 1 {
        if !pad {
            return Err(bad_len("itf", "an even number of digits (or pad=true)", d.len()));
        }
        d.insert(0, 0);
    }
    if d.len() > MAX_ITF {
        return Err(DataError::TooLong { symbology: "itf", max: MAX_ITF, got: d.len(), unit: "digits" });
    }
    let s = to_string(&d);
    let m = rx(rxing::oned::ITFWriter, &s, bad_len("itf", "2-80 digits", d.len()))?;
    Ok(linear(m, Vec::new(), HumanText::Centered(s.clone()), if bearer { BEARER } else { 0 }, s))
}

pub fn itf14(data: &[u8], bearer: bool) -> Result<Encoded, DataError> {
    let d = gtin_digits("itf14", data, 13, "13 digits (check digit computed) or 14 (verified)")?;
    let s = to_string(&d);
    let m = rx(rxing::oned::ITFWriter, &s, bad_len("itf14", "14 digits", 14))?;
    Ok(linear(m, Vec::new(), HumanText::Centered(s.clone()), if bearer { BEARER } else { 0 }, s))
}

const CODE39_SET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";

/// The Code 39 full-ASCII shift pair (or single character) for `c`.
fn code39_extended(c: u8, out: &mut String) {
    match c {
        0 => out.push_str("%U"),
        b' ' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' => out.push(c as char),
        1..=26 => {
            out.push('$');
            out.push((b'A' + c - 1) as char);
        }
        27..=31 => {
            out.push('%');
            out.push((b'A' + c - 27) as char);
        }
        b'!'..=b',' | b'/' | b':' => {
            out.push('/');
            out.push((b'A' + c - b'!') as char);
        }
        b';'..=b'?' => {
            out.push('%');
            out.push((b'F' + c - b';') as char);
        }
        b'@' => out.push_str("%V"),
        b'['..=b'_' => {
            out.push('%');
            out.push((b'K' + c - b'[') as char);
        }
        b'`' => out.push_str("%W"),
        b'a'..=b'z' => {
            out.push('+');
            out.push((c - 32) as char);
        }
        _ => {
            // 123..=127: { | } ~ DEL
            out.push('%');
            out.push((b'P' + c - b'{') as char);
        }
    }
}

/// The Code 39 symbol characters for `data` (without start, stop or check): itself, or with
/// `full_ascii` its shift pairs (`a` is `+A`). A printer's `^B3` draws the full-ASCII symbol
/// from these, as the ZPL guide's Code 39 full-ASCII table says.
pub fn code39_characters(data: &[u8], full_ascii: bool) -> Result<String, DataError> {
    let mut symbols = String::with_capacity(data.len() * 2);
    for (pos, &c) in data.iter().enumerate() {
        if full_ascii && c < 128 {
            code39_extended(c, &mut symbols);
        } else if CODE39_SET.contains(&c) {
            symbols.push(c as char);
        } else {
            let allowed =
                if full_ascii { "ASCII 0-127" } else { "0-9 A-Z - . space $ / + % (full_ascii=true for the rest)" };
            return Err(DataError::BadChar { symbology: "code39", pos, ch: c as char, allowed });
        }
    }
    Ok(symbols)
}

/// Code 93's full-ASCII form of `data` as a printer's `^BA` takes it: the 47-character set
/// as itself, every other character as a shift — `($)` `(%)` `(/)` `(+)`, written `&` `'`
/// `(` `)` — and a letter (the same pairs as Code 39's full ASCII, whose `$ % / +` are
/// Code 93's own characters). `None` past ASCII.
pub fn code93_printer_characters(data: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(data.len() * 2);
    for &c in data {
        if c >= 128 {
            return None;
        }
        if c.is_ascii_digit() || c.is_ascii_uppercase() || b"-. $/+%".contains(&c) {
            out.push(c as char);
            continue;
        }
        let mut pair = String::with_capacity(2);
        code39_extended(c, &mut pair);
        let mut chars = pair.chars();
        let shift = match chars.next()? {
            '$' => '&',
            '%' => '\'',
            '/' => '(',
            '+' => ')',
            _ => return None,
        };
        out.push(shift);
        out.push(chars.next()?);
    }
    Some(out)
}

pub fn code39(data: &[u8], full_ascii: bool, check: bool) -> Result<Encoded, DataError> {
    let mut symbols = code39_characters(data, full_ascii)?;
    if check {
        let sum: usize = symbols.bytes().map(|b| CODE39_SET.iter().position(|&x| x == b).unwrap_or(0)).sum();
        symbols.push(CODE39_SET[sum % 43] as char);
    }
    let n = symbols.len();
    if n > MAX_39_93 {
        return Err(DataError::TooLong { symbology: "code39", max: MAX_39_93, got: n, unit: "symbol characters" });
    }
    let m = rx(rxing::oned::Code39Writer, &symbols, bad_len("code39", CODE39_RULE, n))?;
    let text = String::from_utf8_lossy(data).into_owned();
    Ok(linear(m, Vec::new(), HumanText::Centered(text.clone()), 0, text))
}

pub fn code93(data: &[u8]) -> Result<Encoded, DataError> {
    let text = std::str::from_utf8(data).map_err(|_| DataError::NotUtf8)?;
    if let Some(pos) = data.iter().position(|&b| b > 127) {
        return Err(DataError::BadChar { symbology: "code93", pos, ch: data[pos] as char, allowed: "ASCII 0-127" });
    }
    // Characters outside the 47-symbol set take two symbols each.
    let basic = |b: &u8| b.is_ascii_digit() || b.is_ascii_uppercase() || b"-. $/+%".contains(b);
    let n: usize = data.iter().map(|b| if basic(b) { 1 } else { 2 }).sum();
    if n > MAX_39_93 {
        return Err(DataError::TooLong { symbology: "code93", max: MAX_39_93, got: n, unit: "symbol characters" });
    }
    let m = rx(rxing::oned::Code93Writer, text, bad_len("code93", "1-80 symbol characters", n))?;
    let hrt: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    Ok(linear(m, Vec::new(), HumanText::Centered(hrt), 0, text.to_owned()))
}

pub fn codabar(data: &[u8]) -> Result<Encoded, DataError> {
    let guard = |b: u8| matches!(b.to_ascii_uppercase(), b'A'..=b'D');
    let (first, last) = (data[0], data[data.len() - 1]);
    let body = match (guard(first), data.len() >= 2 && guard(last)) {
        (true, true) => &data[1..data.len() - 1],
        (false, false) => data,
        _ => return Err(DataError::Codabar("codabar start and stop characters (A-D) come in pairs: both or neither")),
    };
    if body.len() > MAX_CODABAR {
        return Err(DataError::TooLong { symbology: "codabar", max: MAX_CODABAR, got: body.len(), unit: "characters" });
    }
    let offset = usize::from(body.len() != data.len());
    if let Some(i) = body.iter().position(|b| !(b.is_ascii_digit() || b"-$:/.+".contains(b))) {
        return Err(DataError::BadChar {
            symbology: "codabar",
            pos: i + offset,
            ch: body[i] as char,
            allowed: CODABAR_RULE,
        });
    }
    let canonical = if offset == 1 {
        let mut s = String::from_utf8_lossy(data).to_ascii_uppercase();
        s.shrink_to_fit();
        s
    } else {
        format!("A{}A", String::from_utf8_lossy(body))
    };
    let m = rx(rxing::oned::CodaBarWriter, &canonical, bad_len("codabar", CODABAR_RULE, data.len()))?;
    Ok(linear(m, Vec::new(), HumanText::Centered(canonical.clone()), 0, canonical))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upce_round_trips() {
        // 0 425261 4 <-> UPC-A 042100005264 (classic example).
        let a = upce_to_upca(0, &[4, 2, 5, 2, 6, 1]);
        assert_eq!(a, [0, 4, 2, 1, 0, 0, 0, 0, 5, 2, 6]);
        assert_eq!(gs1_check_digit(&a), 4);
        assert_eq!(upca_to_upce(&a), Some([4, 2, 5, 2, 6, 1]));
        for e in [[1, 2, 3, 4, 5, 0], [1, 2, 3, 4, 5, 3], [1, 2, 3, 4, 5, 4], [1, 2, 3, 4, 5, 9]] {
            assert_eq!(upca_to_upce(&upce_to_upca(1, &e)), Some(e));
        }
        assert_eq!(upca_to_upce(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]), None);
        assert_eq!(upce(b"042100005264").unwrap().canonical, "04252614");
        assert!(matches!(upce(b"012345678905"), Err(DataError::NoUpcE)));
        assert!(matches!(upce(b"04252615"), Err(DataError::CheckDigit { expected: 4, found: 5 })));
    }

    #[test]
    fn gtin_lengths_and_checks() {
        assert_eq!(ean8(b"9638507").unwrap().canonical, "96385074");
        assert!(matches!(ean8(b"96385075"), Err(DataError::CheckDigit { expected: 4, .. })));
        assert_eq!(upca(b"03600029145").unwrap().canonical, "036000291452");
        assert_eq!(itf14(b"1540014128876", true).unwrap().canonical, "15400141288763");
    }

    #[test]
    fn itf_needs_even_digits() {
        assert!(itf(b"123", false, false).is_err());
        assert_eq!(itf(b"123", true, false).unwrap().canonical, "0123");
    }

    #[test]
    fn code39_sets_and_check() {
        assert!(code39(b"abc", false, false).is_err());
        assert!(code39(b"abc", true, false).is_ok());
        let mut s = String::new();
        for c in 0..128u8 {
            s.clear();
            code39_extended(c, &mut s);
            assert!(s.bytes().all(|b| CODE39_SET.contains(&b)), "{c}");
        }
        // Mod 43 of "CODE39": C12+O24+D13+E14+3+9 = 75, 75 % 43 = 32 -> 'W'.
        let e = code39(b"CODE39", false, true).unwrap();
        assert_eq!(e.canonical, "CODE39");
    }

    #[test]
    fn codabar_guards() {
        assert_eq!(codabar(b"123").unwrap().canonical, "A123A");
        assert_eq!(codabar(b"b12-3d").unwrap().canonical, "B12-3D");
        assert!(codabar(b"A123").is_err());
        assert!(codabar(b"12x").is_err());
    }

    #[test]
    fn code93_full_ascii_counts_pairs() {
        assert!(code93(b"abc").is_ok());
        assert!(code93(&[b'a'; 41]).is_err());
        assert!(code93(&[b'A'; 80]).is_ok());
    }

    #[test]
    fn full_ascii_as_printers_take_it() {
        assert_eq!(code39_characters(b"ab\0\t$", true).unwrap(), "+A+B%U$I/D");
        assert_eq!(code39_characters(b"AB-1", false).unwrap(), "AB-1");
        assert!(code39_characters(b"a", false).is_err());
        // Code 93: its own $ % / + stay; the shifts are written & ' ( ).
        assert_eq!(code93_printer_characters(b"ab&\x1b\x01\0$%/+A").unwrap(), ")A)B(F'A&A'U$%/+A");
        assert_eq!(code93_printer_characters("é".as_bytes()), None);
    }
}
