//! Every ZPL command we write, checked against the ZPL II Programming Guide's parameter
//! table: orientation letters, ranges (module widths 1–10, ratios 2.0–3.0, heights and
//! origins 0/1–32,000, QR magnification 1–10, DataMatrix quality 200, Aztec error
//! control 1–99, graphic field byte counts 1–99,999, font 0 heights 10–32,000 …), Y/N
//! flags, and the field data each barcode command takes. The corpus: every symbology with
//! scales, resolutions, rotation (graphic fields), `zpl=graphic`, `:Z64:`, a field block,
//! a raster past one field's byte limit, and a label with text, boxes and lines.

use barcoded::api::generate::{self, DataSource};
use barcoded::api::options::Format;
use barcoded::symbology::Symbology;

/// One parameter's rule.
#[derive(Clone, Copy)]
enum P {
    /// An integer in the range.
    Int(i64, i64),
    /// A decimal in the range.
    Dec(f64, f64),
    /// One of the listed spellings.
    Of(&'static [&'static str]),
    /// May be empty, else the rule.
    Opt(&'static P),
    /// Anything (field data, an escape character).
    Any,
}

const NRIB: P = P::Of(&["N", "R", "I", "B"]);
const YN: P = P::Of(&["Y", "N"]);
const DOTS: P = P::Int(1, 32000);
const POS: P = P::Int(0, 32000);
const BYTES: P = P::Int(1, 99_999);

/// The guide's table for the commands we write: name, then each parameter in order (a
/// command may be given fewer, never more).
const GUIDE: &[(&str, &[P])] = &[
    ("XA", &[]),
    ("XZ", &[]),
    ("CI", &[P::Int(0, 36)]),
    ("PW", &[P::Int(2, 32000)]),
    ("LL", &[DOTS]),
    ("FO", &[POS, POS, P::Of(&["0", "1", "2"])]),
    ("BY", &[P::Int(1, 10), P::Dec(2.0, 3.0), DOTS]),
    ("BE", &[NRIB, DOTS, YN, YN]),
    ("B8", &[NRIB, DOTS, YN, YN]),
    ("BU", &[NRIB, DOTS, YN, YN, YN]),
    ("B9", &[NRIB, DOTS, YN, YN, YN]),
    // UPC/EAN extensions: orientation, height, interpretation line.
    ("BS", &[NRIB, DOTS, YN]),
    ("B2", &[NRIB, DOTS, YN, YN, YN]),
    ("B3", &[NRIB, YN, DOTS, YN, YN]),
    ("BC", &[NRIB, DOTS, YN, YN, YN, P::Of(&["N", "U", "A", "D"])]),
    ("BA", &[NRIB, DOTS, YN, YN, YN]),
    ("BK", &[NRIB, P::Of(&["N"]), DOTS, YN, YN, P::Of(&["A", "B", "C", "D"]), P::Of(&["A", "B", "C", "D"])]),
    ("BQ", &[P::Of(&["N"]), P::Of(&["1", "2"]), P::Int(1, 10)]),
    // Quality 200 (ECC 200) always; columns and rows left to the printer; escape char.
    (
        "BX",
        &[NRIB, DOTS, P::Of(&["200"]), P::Opt(&P::Int(9, 144)), P::Opt(&P::Int(9, 144)), P::Opt(&P::Int(1, 6)), P::Any],
    ),
    // GS1 DataBar: type 1–12, magnification 1–10, separator 1–2, height, segment width.
    ("BR", &[NRIB, P::Int(1, 12), P::Int(1, 10), P::Int(1, 2), DOTS, P::Int(2, 22)]),
    // Row height, security level 0–8, data columns 1–30, rows 3–90, truncation.
    ("B7", &[NRIB, DOTS, P::Int(0, 8), P::Int(1, 30), P::Int(3, 90), YN]),
    // Error control as a percentage (1–99); 0 would be the printer's default.
    ("BO", &[NRIB, P::Int(1, 10), YN, P::Int(1, 99)]),
    ("BD", &[P::Int(2, 6), P::Int(1, 8), P::Int(1, 8)]),
    ("GF", &[P::Of(&["A", "B", "C"]), BYTES, BYTES, BYTES, P::Any]),
    ("GB", &[DOTS, DOTS, DOTS]),
    ("A0", &[NRIB, P::Int(10, 32000), P::Int(10, 32000)]),
    ("FB", &[P::Int(0, 9999), P::Int(1, 9999), P::Int(-9999, 9999), P::Of(&["L", "C", "R", "J"]), P::Int(0, 9999)]),
    ("FH", &[P::Any]),
    ("FD", &[P::Any]),
    ("FS", &[]),
];

fn ok(p: P, v: &str) -> bool {
    match p {
        P::Int(lo, hi) => v.parse::<i64>().is_ok_and(|n| (lo..=hi).contains(&n)),
        P::Dec(lo, hi) => v.parse::<f64>().is_ok_and(|n| (lo..=hi).contains(&n)),
        P::Of(vs) => vs.contains(&v),
        P::Opt(inner) => v.is_empty() || ok(*inner, v),
        P::Any => true,
    }
}

/// Splits ZPL into commands (name, parameters); `^FD` data is one parameter.
fn commands(z: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for raw in z.split('^').skip(1) {
        let raw = raw.trim_end_matches('\n');
        let name: String = raw.chars().take(2).collect();
        let rest = &raw[name.len()..];
        let params = match name.as_str() {
            "FD" | "FH" => vec![rest.to_string()],
            // Font 0 names its orientation right after it: ^A0N,h,w.
            "A0" => {
                let (o, r) = rest.split_at(1.min(rest.len()));
                std::iter::once(o.to_string()).chain(r.trim_start_matches(',').split(',').map(str::to_string)).collect()
            }
            "GF" => rest.splitn(5, ',').map(str::to_string).collect(),
            _ if rest.is_empty() => vec![],
            _ => rest.split(',').map(str::to_string).collect(),
        };
        out.push((name, params));
    }
    out
}

/// Checks one ZPL document against the guide; the problems found.
fn check(what: &str, z: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let cmds = commands(z);
    for (i, (name, params)) in cmds.iter().enumerate() {
        let Some((_, rules)) = GUIDE.iter().find(|(n, _)| n == name) else {
            bad.push(format!("{what}: ^{name} is not in the table"));
            continue;
        };
        if params.len() > rules.len() {
            bad.push(format!("{what}: ^{name} has {} parameters, the guide {}", params.len(), rules.len()));
        }
        for (k, (v, rule)) in params.iter().zip(rules.iter()).enumerate() {
            if !ok(*rule, v) {
                bad.push(format!("{what}: ^{name} parameter {} is {v:?}", k + 1));
            }
        }
        // Cross-parameter rules.
        if name == "GB" && params.len() == 3 {
            let n: Vec<i64> = params.iter().map(|p| p.parse().unwrap_or(0)).collect();
            if n[0] < n[2] || n[1] < n[2] {
                bad.push(format!("{what}: ^GB {params:?}: width and height at least the thickness"));
            }
        }
        if name == "GF" && params.len() == 5 && params[1] != params[2] {
            bad.push(format!("{what}: ^GF byte counts differ"));
        }
        // The field data each barcode command takes (the next ^FD).
        let fd = cmds[i..].iter().find(|(n, _)| n == "FD").map(|(_, p)| p[0].as_str()).unwrap_or("");
        let digits = |n: usize| fd.len() == n && fd.bytes().all(|b| b.is_ascii_digit());
        let data_ok = match name.as_str() {
            "BE" => digits(12),
            "B8" => digits(7),
            "BU" => digits(11),
            "B9" => digits(7),
            "BR" => digits(13),
            "BS" => digits(2) || digits(5),
            "B2" => !fd.is_empty() && fd.bytes().all(|b| b.is_ascii_digit()),
            "BQ" => fd.len() > 3 && "HQML".contains(&fd[..1]) && "AM".contains(&fd[1..2]) && &fd[2..3] == ",",
            // Modes 2 and 3: class of service and country, 3 digits each, lead the data.
            "BD" => {
                !fd.is_empty()
                    && (!matches!(params[0].as_str(), "2" | "3")
                        || fd.len() > 11 && fd[..6].bytes().all(|b| b.is_ascii_digit()))
            }
            _ => true,
        };
        if !data_ok {
            bad.push(format!("{what}: ^{name} field data {fd:?}"));
        }
    }
    if !z.starts_with("^XA") && z.contains("^XA") {
        bad.push(format!("{what}: text before ^XA"));
    }
    bad
}

fn zpl(sym: &str, data: &str, query: &str) -> Option<String> {
    let sym = Symbology::from_name(sym.as_bytes()).unwrap();
    let fmt = Format::from_ext(b"zpl").unwrap();
    let p = generate::prepare(sym, fmt, DataSource::QueryOrBody(data.as_bytes()), query.as_bytes()).ok()?;
    let r = generate::render(&p, 100_000_000).ok()?;
    Some(String::from_utf8(r.body.to_vec()).unwrap())
}

/// The option sets every sample is drawn with (those a symbology does not take are skipped).
const QUERIES: &[&str] = &[
    "",
    "scale=1",
    "scale=3",
    "scale=10",
    "scale=12",
    "dpi=300&xdim=0.33",
    "dpi=600&xdim=0.25",
    "rotate=90",
    "rotate=180",
    "rotate=270&text=false",
    "zpl=graphic",
    "zpl=graphic&zpl_compress=z64",
    "label=false&x=40&y=30",
    "ecc=H",
    "text=false",
    "addon=12",
    "addon=52495&rotate=90",
    "marks=true",
    "bearer=true",
    "bearer=false&rotate=180",
    "full_ascii=true",
    "check=true&rotate=270",
    "gs1=true",
    "shape=rect",
    "version=5",
    "mask=3",
    "mode=5",
];

/// One row of docs/API.md's "ZPL: native or graphic" table.
struct Row {
    symbologies: Vec<String>,
    /// The printer has a command for it.
    native: bool,
    /// Options (`name=value`, or a name: any value) that make it a graphic field.
    graphic_when: Vec<String>,
}

fn native_table() -> Vec<Row> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/API.md")).unwrap();
    let section = doc.split("### ZPL: native or graphic").nth(1).expect("the ZPL table's section");
    let ticked = |cell: &str| -> Vec<String> { cell.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    let rows: Vec<Row> = section
        .lines()
        .skip_while(|l| !l.starts_with("| symbology"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            assert_eq!(cells.len(), 3, "{l}");
            let last = cells[2].trim_end_matches(" |");
            Row {
                symbologies: ticked(cells[0]),
                native: cells[1] != "—",
                // Option names and settings (not data characters such as `_`).
                graphic_when: ticked(last)
                    .into_iter()
                    .filter(|t| t.chars().all(|c| c.is_ascii_alphanumeric() || c == '=' || c == '_') && t.len() > 1)
                    .collect(),
            }
        })
        .collect();
    let listed: usize = rows.iter().map(|r| r.symbologies.len()).sum();
    assert_eq!(listed, Symbology::all().count(), "every symbology in one row");
    rows
}

#[test]
fn every_zpl_command_we_write_is_within_the_guide() {
    let samples = [
        ("ean13", "590123412345"),
        ("ean8", "5512345"),
        ("upca", "03600029145"),
        ("upce", "0425261"),
        ("itf", "1234567890"),
        ("itf14", "1540014128876"),
        ("code128", "ORD-2026-000123"),
        ("gs1-128", "(01)09506000134352(10)ABC(17)261231"),
        ("code39", "CODE39-TEST"),
        ("code93", "CODE93"),
        ("codabar", "A40156B"),
        ("qr", "https://shop.example.com/o/1"),
        ("datamatrix", "HELLO LABEL"),
        ("pdf417", "PDF417 LABEL"),
        ("aztec", "AZTEC LABEL"),
        ("maxicode", "MAXICODE LABEL"),
    ];
    let mut bad = Vec::new();
    let mut checked = 0;
    let examples = Symbology::all().map(|s| (s.name(), s.spec().data_schema.example));
    let table = native_table();
    for (sym, data) in samples.into_iter().chain(examples) {
        for q in QUERIES {
            let Some(z) = zpl(sym, data, q) else { continue };
            bad.extend(check(&format!("{sym}?{q}"), &z));
            // Native or graphic, as docs/API.md's table says.
            let row = table.iter().find(|r| r.symbologies.iter().any(|s| s == sym));
            let Some(row) = row else {
                bad.push(format!("{sym}: no row in docs/API.md's ZPL table"));
                continue;
            };
            let pairs: Vec<&str> = q.split('&').collect();
            let graphic_when = row.graphic_when.iter().any(|w| match w.split_once('=') {
                Some(_) => pairs.contains(&w.as_str()),
                None => pairs.iter().any(|p| p.split('=').next() == Some(w)),
            });
            let scale_over_10 =
                pairs.iter().any(|p| p.strip_prefix("scale=").and_then(|v| v.parse::<u32>().ok()) > Some(10));
            let want_native = row.native && !graphic_when && !scale_over_10 && !q.contains("zpl=graphic");
            if z.contains("^GF") == want_native {
                bad.push(format!(
                    "{sym}?{q}: {} where the table says {}",
                    if want_native { "graphic" } else { "native" },
                    if want_native { "native" } else { "graphic" }
                ));
            }
            checked += 1;
        }
    }
    // MaxiCode modes 2, 3 (primary message first) and 6; the UPS envelope's controls escaped.
    let ups = "[)>\u{1e}01\u{1d}96152382802\u{1d}840\u{1d}001\u{1d}1Z00004951\u{1d}UPSN\u{1e}\u{4}";
    for (data, q) in [(ups, "mode=2"), ("X", "mode=3&postcode=K1A0B1&country=124&service=1"), ("X", "mode=6")] {
        let z = zpl("maxicode", data, q).unwrap();
        assert!(z.contains("^BD"), "{z}");
        bad.extend(check(&format!("maxicode?{q}"), &z));
    }
    // A raster past one field's limit: sent as bands.
    let big = zpl("qr", &"9".repeat(3000), "scale=20&zpl=graphic").unwrap();
    assert!(big.matches("^GFA").count() > 1, "banded");
    bad.extend(check("big qr", &big));
    // A label: text (font 0, field blocks, escapes), boxes, lines, barcodes.
    let label = r#"{"size":{"width_in":4,"height_in":6},"dpi":203,"elements":[
        {"type":"box","x_mm":2,"y_mm":2,"width_mm":97,"height_mm":148,"thickness_mm":0.5},
        {"type":"text","x_mm":6,"y_mm":6,"text":"A^B~C_D small","height_mm":1},
        {"type":"text","x_mm":6,"y_mm":12,"text":"TO: JANE DOE","height_mm":5,"rotate":90},
        {"type":"line","x_mm":2,"y_mm":38,"x2_mm":99,"y2_mm":38},
        {"type":"barcode","x_mm":55,"y_mm":42,"symbology":"qr","data":"x"},
        {"type":"barcode","x_mm":6,"y_mm":100,"symbology":"gs1-128","data":"(00)106141411234567897"}]}"#;
    let (l, _) = barcoded::api::label::read(label.as_bytes(), 100_000_000).unwrap_or_else(|e| panic!("{e:?}"));
    bad.extend(check("label", &String::from_utf8(barcoded::label::zpl::write(&l)).unwrap()));
    assert!(checked > 600, "{checked} documents");
    assert!(bad.is_empty(), "{} problems:\n{}", bad.len(), bad.join("\n"));
}
