//! GTIN-family facts: check digit, GTIN-14 normalisation and the GS1 prefix's issuer.

/// Which GS1 Member Organisation (or special range) a 3-digit GS1 prefix belongs to.
pub fn prefix_issuer(p: u32) -> &'static str {
    match p {
        0..=19 | 30..=39 | 60..=139 => "GS1 US",
        20..=29 | 40..=49 | 200..=299 => "restricted circulation (internal use)",
        50..=59 => "coupons (GS1 US)",
        300..=379 => "GS1 France",
        380 => "GS1 Bulgaria",
        383 => "GS1 Slovenija",
        385 => "GS1 Croatia",
        387 => "GS1 BIH (Bosnia-Herzegovina)",
        389 => "GS1 Montenegro",
        400..=440 => "GS1 Germany",
        450..=459 | 490..=499 => "GS1 Japan",
        460..=469 => "GS1 Russia",
        470 => "GS1 Kyrgyzstan",
        471 => "GS1 Taiwan",
        474 => "GS1 Estonia",
        475 => "GS1 Latvia",
        476 => "GS1 Azerbaijan",
        477 => "GS1 Lithuania",
        478 => "GS1 Uzbekistan",
        479 => "GS1 Sri Lanka",
        480 => "GS1 Philippines",
        481 => "GS1 Belarus",
        482 => "GS1 Ukraine",
        483 => "GS1 Turkmenistan",
        484 => "GS1 Moldova",
        485 => "GS1 Armenia",
        486 => "GS1 Georgia",
        487 => "GS1 Kazakstan",
        488 => "GS1 Tajikistan",
        489 => "GS1 Hong Kong, China",
        500..=509 => "GS1 UK",
        520..=521 => "GS1 Association Greece",
        528 => "GS1 Lebanon",
        529 => "GS1 Cyprus",
        530 => "GS1 Albania",
        531 => "GS1 North Macedonia",
        535 => "GS1 Malta",
        539 => "GS1 Ireland",
        540..=549 => "GS1 Belgium & Luxembourg",
        560 => "GS1 Portugal",
        569 => "GS1 Iceland",
        570..=579 => "GS1 Denmark",
        590 => "GS1 Poland",
        594 => "GS1 Romania",
        599 => "GS1 Hungary",
        600..=601 => "GS1 South Africa",
        690..=699 => "GS1 China",
        700..=709 => "GS1 Norway",
        729 => "GS1 Israel",
        730..=739 => "GS1 Sweden",
        760..=769 => "GS1 Switzerland",
        800..=839 => "GS1 Italy",
        840..=849 => "GS1 Spain",
        850 => "GS1 Cuba",
        858 => "GS1 Slovakia",
        859 => "GS1 Czech",
        860 => "GS1 Serbia",
        865 => "GS1 Mongolia",
        867 => "GS1 North Korea",
        868..=869 => "GS1 Türkiye",
        870..=879 => "GS1 Netherlands",
        880 => "GS1 Korea",
        885 => "GS1 Thailand",
        888 => "GS1 Singapore",
        890 => "GS1 India",
        893 => "GS1 Vietnam",
        899 => "GS1 Indonesia",
        900..=919 => "GS1 Austria",
        930..=939 => "GS1 Australia",
        940..=949 => "GS1 New Zealand",
        950 => "GS1 Global Office (special applications)",
        951 => "GS1 Global Office (EPC General Manager Numbers)",
        955 => "GS1 Malaysia",
        958 => "GS1 Macau, China",
        960..=969 => "GS1 Global Office (GTIN-8)",
        977 => "serial publications (ISSN)",
        978..=979 => "Bookland (ISBN)",
        980 => "refund receipts",
        981..=984 => "GS1 coupon identification for common currency areas",
        990..=999 => "coupon identification",
        _ => "unassigned or not known to this build",
    }
}

/// Facts about a GTIN-8/12/13/14 or SSCC-18 digit string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GtinInfo {
    pub kind: &'static str,
    pub valid: bool,
    pub expected: u8,
    pub found: u8,
    /// The GTIN padded to 14 digits (not for SSCC).
    pub gtin14: Option<String>,
    pub prefix: Option<String>,
    pub issuer: Option<&'static str>,
}

/// Describes `d` when it is 8, 12, 13, 14 or 18 digits.
pub fn describe(d: &str) -> Option<GtinInfo> {
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = match d.len() {
        8 => "GTIN-8",
        12 => "GTIN-12",
        13 => "GTIN-13",
        14 => "GTIN-14",
        18 => "SSCC-18",
        _ => return None,
    };
    let found = d.as_bytes()[d.len() - 1] - b'0';
    let body: Vec<u8> = d[..d.len() - 1].bytes().map(|b| b - b'0').collect();
    let expected = gs1_check_digit(&body);
    let valid = expected == found;
    let (gtin14, prefix) = match d.len() {
        18 => (None, Some(d[1..4].to_string())),
        8 => (Some(format!("{d:0>14}")), Some(format!("{:0>3}", &d[..3]))),
        _ => {
            let g = format!("{d:0>14}");
            let p = g[1..4].to_string();
            (Some(g), Some(p))
        }
    };
    let issuer = prefix.as_ref().and_then(|p| p.parse().ok()).map(|p: u32| {
        if d.len() == 8 {
            if p < 100 {
                "GTIN-8 restricted circulation (0-prefixed)"
            } else {
                prefix_issuer(p)
            }
        } else {
            prefix_issuer(p)
        }
    });
    Some(GtinInfo { kind, valid, expected, found, gtin14, prefix, issuer })
}

/// The GS1 mod-10 check digit of `digits` (weights 3,1,3,… from the right).
pub fn gs1_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits.iter().rev().enumerate().map(|(i, d)| (*d as u32) * if i % 2 == 0 { 3 } else { 1 }).sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_gtins() {
        let g = describe("5901234123457").unwrap();
        assert_eq!((g.kind, g.valid, g.issuer), ("GTIN-13", true, Some("GS1 Poland")));
        assert_eq!(g.gtin14.as_deref(), Some("05901234123457"));
        let g = describe("5901234123450").unwrap();
        assert_eq!((g.valid, g.expected, g.found), (false, 7, 0));
        assert_eq!(describe("9780306406157").unwrap().issuer, Some("Bookland (ISBN)"));
        assert_eq!(describe("2012345678903").unwrap().issuer, Some("restricted circulation (internal use)"));
        assert_eq!(describe("106141411234567897").unwrap().kind, "SSCC-18");
        assert!(describe("12345").is_none());
        assert_eq!(describe("036000291452").unwrap().issuer, Some("GS1 US"));
    }
}
