//! Compiles the GS1 Barcode Syntax Dictionary (data/gs1-syntax-dictionary.txt, Apache-2.0,
//! GS1 AISBL) into a static AI table at build time: one entry per AI (ranges expanded), each
//! with its FNC1 need, Digital Link flags, components (character set, lengths, linters),
//! associations and title. Tests in src/gs1/table.rs check the table against the file.
//! Also compiles zxing-cpp's reader (`build/zxing.rs`).

use std::fmt::Write as _;

#[path = "build/zxing.rs"]
mod zxing;

fn main() {
    gs1_table();
    zxing::build();
}

fn gs1_table() {
    let src = "data/gs1-syntax-dictionary.txt";
    println!("cargo:rerun-if-changed={src}");
    let text = std::fs::read_to_string(src).expect("the GS1 syntax dictionary");
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (body, title) = match line.find(" #") {
            Some(i) => (&line[..i], line[i + 2..].trim()),
            None => (line, ""),
        };
        let mut toks = body.split_whitespace();
        let ais = toks.next().expect("AI column");
        let mut flags = String::new();
        let mut comps = Vec::new();
        let mut attrs = Vec::new();
        for t in toks {
            if comps.is_empty() && t.chars().all(|c| "*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~".contains(c)) {
                flags.push_str(t);
            } else if t.contains('=')
                || t == "dlpkey"
                || (!comps.is_empty() && t.chars().all(|c| c.is_ascii_lowercase()))
            {
                attrs.push(t.to_string());
            } else {
                comps.push(t.to_string());
            }
        }
        let (first, last) = match ais.split_once('-') {
            Some((a, b)) => (a.to_string(), b.to_string()),
            None => (ais.to_string(), ais.to_string()),
        };
        let width = first.len();
        let (a, b): (u32, u32) = (first.parse().expect("AI"), last.parse().expect("AI"));
        for n in a..=b {
            let ai = format!("{n:0width$}");
            let mut e = String::new();
            let fnc1 = !flags.contains('*');
            let dl_attr = flags.contains('?');
            let mut comp_src = String::new();
            for c in &comps {
                let optional = c.starts_with('[');
                let c = c.trim_start_matches('[');
                let (ty, rest) = c.split_once(']').map_or((c, ""), |(t, r)| (t, r));
                let mut parts = ty.split(',');
                let spec = parts.next().unwrap_or("");
                let mut linters: Vec<&str> = parts.collect();
                linters.extend(rest.split(',').filter(|s| !s.is_empty()));
                let cset = spec.as_bytes()[0];
                let len = &spec[1..];
                let (min, max) = match len.strip_prefix("..") {
                    Some(m) => (1u32, m.parse::<u32>().expect("max")),
                    None => {
                        let v: u32 = len.parse().expect("len");
                        (v, v)
                    }
                };
                let _ = write!(
                    comp_src,
                    "Comp {{ cset: b'{}', min: {min}, max: {max}, optional: {optional}, linters: &[{}] }},",
                    cset as char,
                    linters.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(",")
                );
            }
            let attr = |k: &str| -> Vec<String> {
                attrs.iter().filter_map(|a| a.strip_prefix(&format!("{k}=")).map(String::from)).collect()
            };
            let dlpkey = if attrs.iter().any(|a| a == "dlpkey") {
                "Some(\"\")".to_string()
            } else {
                attr("dlpkey").first().map_or("None".to_string(), |v| format!("Some({v:?})"))
            };
            let _ = write!(
                e,
                "AiDef {{ ai: {ai:?}, fnc1: {fnc1}, dl_attr: {dl_attr}, comps: &[{comp_src}], req: &[{}], ex: &[{}], dlpkey: {dlpkey}, title: {title:?} }},",
                attr("req").iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(","),
                attr("ex").iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(","),
            );
            entries.push((ai, e));
        }
    }
    entries.sort();
    let mut out =
        String::from("/// Every AI of the GS1 Barcode Syntax Dictionary, sorted.\npub static AIS: &[AiDef] = &[\n");
    for (_, e) in &entries {
        out.push_str(e);
        out.push('\n');
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("gs1_ai_table.rs");
    std::fs::write(dest, out).expect("write the AI table");
}
