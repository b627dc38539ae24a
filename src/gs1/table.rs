//! The AI table, generated at build time from the GS1 Barcode Syntax Dictionary
//! (`data/gs1-syntax-dictionary.txt`, see build.rs), and lookup by AI.

/// One component of an AI's data field.
#[derive(Debug, Clone, Copy)]
pub struct Comp {
    /// `N` numeric, `X` CSET 82, `Y` CSET 39, `Z` base64url.
    pub cset: u8,
    pub min: u32,
    pub max: u32,
    pub optional: bool,
    pub linters: &'static [&'static str],
}

/// One application identifier.
#[derive(Debug, Clone, Copy)]
pub struct AiDef {
    pub ai: &'static str,
    /// Needs an FNC1 separator after a value that is not last (not of predefined length).
    pub fnc1: bool,
    /// Permitted as a GS1 Digital Link data attribute.
    pub dl_attr: bool,
    pub comps: &'static [Comp],
    /// Each entry: alternatives separated by ',', AIs within one by '+', `n` as a wildcard digit.
    pub req: &'static [&'static str],
    pub ex: &'static [&'static str],
    /// Digital Link primary key: `Some("")` without qualifiers, `Some("22,10,21|235")` with.
    pub dlpkey: Option<&'static str>,
    pub title: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/gs1_ai_table.rs"));

/// The definition of `ai`, if the dictionary has it.
pub fn lookup(ai: &str) -> Option<&'static AiDef> {
    AIS.binary_search_by(|d| d.ai.cmp(ai)).ok().map(|i| &AIS[i])
}

/// The AI at the start of `s`: GS1 AIs are prefix-free, so at most one of 2, 3 or 4 digits matches.
pub fn ai_prefix(s: &str) -> Option<&'static AiDef> {
    (2..=4).filter(|&n| s.len() >= n && s.is_char_boundary(n)).find_map(|n| lookup(&s[..n]))
}

/// Whether `ai` matches `pattern`, where `n` in the pattern stands for any digit.
pub fn ai_matches(ai: &str, pattern: &str) -> bool {
    ai.len() == pattern.len() && ai.bytes().zip(pattern.bytes()).all(|(a, p)| p == b'n' || a == p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_dictionary_file() {
        let text = include_str!("../../data/gs1-syntax-dictionary.txt");
        let mut expected = 0;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let ais = line.split_whitespace().next().unwrap();
            let n = match ais.split_once('-') {
                Some((a, b)) => b.parse::<u32>().unwrap() - a.parse::<u32>().unwrap() + 1,
                None => 1,
            };
            expected += n as usize;
            let first = ais.split('-').next().unwrap();
            let d = lookup(first).unwrap_or_else(|| panic!("{first} missing"));
            if let Some(i) = line.find(" #") {
                assert_eq!(d.title, line[i + 2..].trim(), "{first}");
            }
            let second = line.split_whitespace().nth(1).unwrap();
            let flags = if second.chars().all(|c| !c.is_alphanumeric() && c != '[') { second } else { "" };
            assert_eq!(d.fnc1, !flags.contains('*'), "{first}");
            assert_eq!(d.dl_attr, flags.contains('?'), "{first}");
        }
        assert_eq!(AIS.len(), expected);
        assert!(AIS.windows(2).all(|w| w[0].ai < w[1].ai));
    }

    #[test]
    fn known_entries() {
        let gtin = lookup("01").unwrap();
        assert!(!gtin.fnc1 && gtin.dl_attr && gtin.title == "GTIN");
        assert_eq!(gtin.comps[0].min, 14);
        assert_eq!(gtin.comps[0].linters, &["csum", "gcppos2"]);
        assert_eq!(gtin.dlpkey, Some("22,10,21|235"));
        let batch = lookup("10").unwrap();
        assert!(batch.fnc1 && batch.comps[0].cset == b'X' && batch.comps[0].max == 20);
        assert_eq!(lookup("3103").unwrap().title, "NET WEIGHT (kg)");
        assert_eq!(lookup("02").unwrap().req, &["37"]);
        assert_eq!(lookup("01").unwrap().ex, &["255,37"]);
        assert!(lookup("3106").is_none());
        assert_eq!(ai_prefix("3103001234").unwrap().ai, "3103");
        assert!(ai_matches("3102", "31nn") && !ai_matches("3202", "31nn"));
        assert_eq!(lookup("95").unwrap().title, "INTERNAL");
    }
}
