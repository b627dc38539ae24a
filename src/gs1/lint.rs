//! The linters the Syntax Dictionary names, applied to one component of an AI's value.
//! Each returns `Ok`, a `Fail` with a message naming the rule, or `Unchecked` for a linter
//! this build does not implement (reported to the caller, never silently passed).

use super::{dates, iso};

pub use super::Lint;

fn num(v: &str) -> Option<u32> {
    if v.is_empty() || v.len() > 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// A number of up to 19 digits (latitude and longitude take 10).
fn num64(v: &str) -> Option<u64> {
    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn fail(m: impl Into<String>) -> Lint {
    Lint::Fail(m.into())
}

fn date(v: &str, day_zero: bool, four_digit_year: bool) -> Lint {
    dates::date(v, day_zero, four_digit_year).map_or_else(Lint::Fail, |()| Lint::Ok)
}

fn range(v: &str, what: &str, max: u32) -> Lint {
    match num(v) {
        Some(n) if n <= max => Lint::Ok,
        _ => fail(format!("{v}: {what} must be 00-{max:02}")),
    }
}

/// GS1 mod-10: the last digit checks the others.
pub fn csum(v: &str) -> Lint {
    if v.len() < 2 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return fail(format!("{v}: not digits with a check digit"));
    }
    let d: Vec<u8> = v.bytes().map(|b| b - b'0').collect();
    let (body, check) = d.split_at(d.len() - 1);
    let want = super::gtin::gs1_check_digit(body);
    if check[0] == want {
        Lint::Ok
    } else {
        fail(format!("{v}: check digit is {} but should be {want}", check[0]))
    }
}

/// IBAN: ISO 13616 mod-97 over the rearranged, letter-expanded string.
/// An IBAN (ISO 13616): an ISO 3166 alpha-2 country, more than 10 and at most 34
/// characters, mod-97 check.
fn iban(v: &str) -> Lint {
    if v.len() < 4 || !v.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) {
        return fail(format!("{v}: not an IBAN"));
    }
    if iso::ISO3166_ALPHA2.binary_search(&&v[..2]).is_err() {
        return fail(format!("{v}: {} is not an ISO 3166 country code", &v[..2]));
    }
    if v.len() <= 10 || v.len() > 34 {
        return fail(format!("{v}: an IBAN has 11 to 34 characters"));
    }
    let rearranged = format!("{}{}", &v[4..], &v[..4]);
    let mut rem = 0u32;
    for b in rearranged.bytes() {
        let val = if b.is_ascii_digit() { (b - b'0') as u32 } else { (b - b'A') as u32 + 10 };
        rem = if val >= 10 { (rem * 100 + val) % 97 } else { (rem * 10 + val) % 97 };
    }
    if rem == 1 {
        Lint::Ok
    } else {
        fail(format!("{v}: IBAN check digits do not verify"))
    }
}

/// CSET 82 in the order whose positions are the character values (GS1 General
/// Specifications, figure 7.11-1).
const CSET82: &[u8] = b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
/// The check characters' alphabet (CSET 32).
const CSET32: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const PRIMES: [u32; 23] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83];

/// `gcppos1`/`gcppos2`: a GS1 Company Prefix starts at `pos` (0-based): at least its
/// shortest length, 4 digits, is there. Whether that prefix was ever issued needs GS1's
/// registry, which this service does not consult (nor does the Syntax Dictionary's own
/// linter without a lookup plugged in).
fn company_prefix_at(v: &str, pos: usize) -> Lint {
    const SHORTEST: usize = 4;
    match v.as_bytes().get(pos..pos + SHORTEST) {
        None => fail(format!("{v}: too short for a GS1 Company Prefix (4 digits) at position {}", pos + 1)),
        Some(p) if p.iter().all(u8::is_ascii_digit) => Lint::Ok,
        Some(_) => fail(format!("{v}: a GS1 Company Prefix (4 digits or more) must start at position {}", pos + 1)),
    }
}

/// The check character pair of an alphanumeric key (GS1 General Specifications 7.9.5):
/// character values weighted by primes from the right, summed mod 1021, split in two
/// CSET 32 characters.
pub fn csumalpha(v: &str) -> Lint {
    let b = v.as_bytes();
    if b.len() < 3 || b.len() - 2 > PRIMES.len() {
        return fail(format!("{v}: too short for its check character pair"));
    }
    let (data, check) = b.split_at(b.len() - 2);
    let mut sum = 0u32;
    for (i, c) in data.iter().rev().enumerate() {
        let Some(val) = CSET82.iter().position(|x| x == c) else {
            return fail(format!("{v}: {:?} is not a CSET 82 character", *c as char));
        };
        sum += val as u32 * PRIMES[i];
    }
    let sum = sum % 1021;
    let want = [CSET32[(sum >> 5) as usize], CSET32[(sum & 31) as usize]];
    if check == want {
        Lint::Ok
    } else {
        fail(format!(
            "{v}: check characters are {} but should be {}",
            String::from_utf8_lossy(check),
            String::from_utf8_lossy(&want)
        ))
    }
}

/// Applies the named linter to a component value.
pub fn apply(name: &str, v: &str) -> Lint {
    match name {
        "csum" => csum(v),
        "yymmd0" => date(v, true, false),
        "yymmdd" => date(v, false, false),
        "yyyymmdd" => date(v, false, true),
        "hhmi" => {
            if v.len() != 4 {
                return fail(format!("{v}: not HHMI"));
            }
            match (range(&v[..2], "hour", 23), range(&v[2..], "minute", 59)) {
                (Lint::Ok, Lint::Ok) => Lint::Ok,
                (Lint::Ok, e) | (e, _) => e,
            }
        }
        "hh" => range(v, "hour", 23),
        "mi" => range(v, "minute", 59),
        "ss" => range(v, "second", 59),
        "nonzero" => {
            if v.bytes().all(|b| b == b'0') {
                fail(format!("{v}: must not be zero"))
            } else {
                Lint::Ok
            }
        }
        "zero" => {
            if v == "0" {
                Lint::Ok
            } else {
                fail(format!("{v}: must be 0"))
            }
        }
        "yesno" => {
            if v == "0" || v == "1" {
                Lint::Ok
            } else {
                fail(format!("{v}: must be 0 or 1"))
            }
        }
        "winding" => {
            if matches!(v, "0" | "1" | "9") {
                Lint::Ok
            } else {
                fail(format!("{v}: winding direction must be 0, 1 or 9"))
            }
        }
        "iso5218" => {
            if matches!(v, "0" | "1" | "2" | "9") {
                Lint::Ok
            } else {
                fail(format!("{v}: ISO 5218 sex code must be 0, 1, 2 or 9"))
            }
        }
        "hyphen" => {
            if v.bytes().all(|b| b == b'-') {
                Lint::Ok
            } else {
                fail(format!("{v}: must be '-'"))
            }
        }
        "pcenc" => {
            let b = v.as_bytes();
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'%' {
                    let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
                    if !ok {
                        return fail(format!("{v}: bad percent-encoding at position {i}"));
                    }
                    i += 3;
                } else {
                    i += 1;
                }
            }
            Lint::Ok
        }
        "pieceoftotal" => {
            if !v.len().is_multiple_of(2) {
                return fail(format!("{v}: piece and total must have equal lengths"));
            }
            let (p, t) = v.split_at(v.len() / 2);
            match (num(p), num(t)) {
                (Some(p), Some(t)) if p >= 1 && t >= 1 && p <= t => Lint::Ok,
                _ => fail(format!("{v}: piece {p} of total {t} is not valid")),
            }
        }
        "posinseqslash" => match v.split_once('/') {
            Some((p, t)) => match (num(p), num(t)) {
                (Some(p), Some(t)) if p >= 1 && p <= t => Lint::Ok,
                _ => fail(format!("{v}: position must be 1..total")),
            },
            None => fail(format!("{v}: expected position/total")),
        },
        // Any leading zero, "0" itself included (the Syntax Dictionary's nozeroprefix).
        "nozeroprefix" => {
            if v.starts_with('0') {
                fail(format!("{v}: must not start with 0"))
            } else if !v.bytes().all(|b| b.is_ascii_digit()) {
                fail(format!("{v}: digits only"))
            } else {
                Lint::Ok
            }
        }
        "hasnondigit" => {
            if v.bytes().any(|b| !b.is_ascii_digit()) {
                Lint::Ok
            } else {
                fail(format!("{v}: must contain a non-digit"))
            }
        }
        "latitude" => match num64(v) {
            Some(n) if n <= 1_800_000_000 => Lint::Ok,
            _ => fail(format!("{v}: latitude out of range")),
        },
        "longitude" => match num64(v) {
            Some(n) if n <= 3_600_000_000 => Lint::Ok,
            _ => fail(format!("{v}: longitude out of range")),
        },
        "iso3166" | "iso3166999" => match num(v) {
            Some(999) if name == "iso3166999" => Lint::Ok,
            Some(n) if iso::ISO3166_NUMERIC.binary_search(&(n as u16)).is_ok() => Lint::Ok,
            _ => fail(format!("{v}: not an ISO 3166 country code")),
        },
        "iso3166alpha2" => {
            if iso::ISO3166_ALPHA2.binary_search(&v).is_ok() {
                Lint::Ok
            } else {
                fail(format!("{v}: not an ISO 3166 alpha-2 country code"))
            }
        }
        "iso4217" => match num(v) {
            Some(n) if iso::ISO4217_NUMERIC.binary_search(&(n as u16)).is_ok() => Lint::Ok,
            _ => fail(format!("{v}: not an ISO 4217 currency code")),
        },
        "iban" => iban(v),
        "csumalpha" => csumalpha(v),
        "importeridx" => match v.as_bytes() {
            [c] if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_') => Lint::Ok,
            _ => fail(format!("{v}: importer index must be one of 0-9 A-Z a-z - _")),
        },
        "gcppos1" => company_prefix_at(v, 0),
        "gcppos2" => company_prefix_at(v, 1),
        "couponcode" => super::coupon::couponcode(v),
        "couponposoffer" => super::coupon::couponposoffer(v),
        "packagetype" => {
            if super::package_type::is_package_type(v) {
                Lint::Ok
            } else {
                fail(format!("{v}: not a package type code (UN/ECE Recommendation 21 or GS1 PackageTypeCode)"))
            }
        }
        "mediatype" => match num(v) {
            Some(n) if v.len() == 2 && ((1..=10).contains(&n) || (80..=99).contains(&n)) => Lint::Ok,
            _ => fail(format!("{v}: media type must be 01-10 or 80-99")),
        },
        _ => Lint::Unchecked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_check_pair_and_small_code_lists() {
        // The GMN example of the GS1 General Specifications (7.9.5).
        assert_eq!(csumalpha("1987654Ad4X4bL5ttr2310c2K"), Lint::Ok);
        assert!(matches!(csumalpha("1987654Ad4X4bL5ttr2310c2L"), Lint::Fail(m) if m.contains("should be 2K")));
        assert!(matches!(csumalpha("1987654Ad4X4bL5ttr2310c#K"), Lint::Fail(_)));
        assert!(matches!(csumalpha("2K"), Lint::Fail(_)));
        assert_eq!(apply("importeridx", "_"), Lint::Ok);
        assert!(matches!(apply("importeridx", "#"), Lint::Fail(_)));
        assert_eq!(apply("mediatype", "10"), Lint::Ok);
        assert_eq!(apply("mediatype", "80"), Lint::Ok);
        assert!(matches!(apply("mediatype", "11"), Lint::Fail(_)));
        assert!(matches!(apply("mediatype", "00"), Lint::Fail(_)));
    }

    #[test]
    fn dates() {
        assert_eq!(apply("yymmd0", "261231"), Lint::Ok);
        assert_eq!(apply("yymmd0", "261200"), Lint::Ok);
        assert_eq!(apply("yymmdd", "261200"), Lint::Fail("261200: day 00 of month 12".into()));
        assert_eq!(apply("yymmd0", "261332"), Lint::Fail("261332: month 13".into()));
        assert_eq!(apply("yymmdd", "280229"), Lint::Ok);
        assert!(matches!(apply("yymmdd", "270229"), Lint::Fail(_)));
        assert_eq!(apply("yyyymmdd", "20240229"), Lint::Ok);
        assert!(matches!(apply("yyyymmdd", "21000229"), Lint::Fail(_)));
    }

    #[test]
    fn checks_and_codes() {
        assert_eq!(apply("csum", "09506000134352"), Lint::Ok);
        assert!(matches!(apply("csum", "09506000134353"), Lint::Fail(m) if m.contains("should be 2")));
        assert_eq!(apply("iso3166", "616"), Lint::Ok);
        assert!(matches!(apply("iso3166", "000"), Lint::Fail(_)));
        assert_eq!(apply("iso3166999", "999"), Lint::Ok);
        assert_eq!(apply("iso4217", "978"), Lint::Ok);
        assert_eq!(apply("iso3166alpha2", "PL"), Lint::Ok);
        assert_eq!(apply("iban", "GB82WEST12345698765432"), Lint::Ok);
        assert!(matches!(apply("iban", "GB82WEST12345698765433"), Lint::Fail(_)));
        assert_eq!(apply("pieceoftotal", "0102"), Lint::Ok);
        assert!(matches!(apply("pieceoftotal", "0302"), Lint::Fail(_)));
        assert_eq!(apply("hhmi", "2359"), Lint::Ok);
        assert!(matches!(apply("hhmi", "2460"), Lint::Fail(_)));
        assert_eq!(apply("pcenc", "a%20b"), Lint::Ok);
        assert!(matches!(apply("pcenc", "a%2"), Lint::Fail(_)));
        assert!(matches!(apply("gcppos1", "123"), Lint::Fail(m) if m.contains("too short")));
        assert!(matches!(apply("gcppos1", "12A4XYZ"), Lint::Fail(m) if m.contains("position 1")));
        assert_eq!(apply("gcppos1", "9506ABC"), Lint::Ok);
        assert_eq!(apply("gcppos2", "09506000134352"), Lint::Ok);
        assert!(matches!(apply("gcppos2", "0950"), Lint::Fail(m) if m.contains("position 2")));
        assert_eq!(apply("packagetype", "BX"), Lint::Ok);
        assert!(matches!(apply("packagetype", "BXX"), Lint::Fail(m) if m.contains("package type")));
        assert_eq!(apply("no-such-linter", "BX"), Lint::Unchecked);
    }

    #[test]
    fn latitude_and_longitude_take_all_ten_digits() {
        // GS1 General Specifications, AI (4309): 10 digits each, in units of 1e-7 degree
        // offset by +90 (latitude, up to 1800000000) and +180 (longitude, up to 3600000000).
        assert_eq!(apply("latitude", "1800000000"), Lint::Ok);
        assert!(matches!(apply("latitude", "1800000001"), Lint::Fail(_)));
        assert_eq!(apply("longitude", "3600000000"), Lint::Ok);
        assert!(matches!(apply("longitude", "3600000001"), Lint::Fail(_)));
        assert_eq!(apply("latitude", "0000000000"), Lint::Ok);
    }

    #[test]
    fn nozeroprefix_refuses_any_leading_zero() {
        // The Syntax Dictionary's nozeroprefix (e.g. AI 8011): "0" itself has a zero prefix.
        assert!(matches!(apply("nozeroprefix", "0"), Lint::Fail(_)));
        assert!(matches!(apply("nozeroprefix", "01"), Lint::Fail(_)));
        assert_eq!(apply("nozeroprefix", "10"), Lint::Ok);
    }

    #[test]
    fn iban_country_is_an_iso3166_code() {
        // ISO 13616: an IBAN starts with an ISO 3166-1 alpha-2 country code.
        assert!(matches!(apply("iban", "XX3630006000011234567890189"), Lint::Fail(_)));
        assert_eq!(apply("iban", "FR7630006000011234567890189"), Lint::Ok);
        assert!(matches!(apply("iban", "GB82"), Lint::Fail(_)));
    }
}
