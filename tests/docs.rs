//! docs/API.md's table of each symbology's defaults and options is the one the symbology
//! specs give (`api::symbologies::options_table`), so the docs cannot drift from the code.
//! `BARCODED_DOCS=update cargo test --test docs` rewrites it.

const BEGIN: &str = "<!-- options table: generated from src/symbology/specs/ (tests/docs.rs) -->\n";
const END: &str = "<!-- end of the generated table -->";

#[test]
fn api_md_options_table_is_the_specs() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/API.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let want = barcoded::api::symbologies::options_table();
    let (Some(a), Some(b)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/API.md lacks the generated table's markers");
    };
    let have = &doc[a + BEGIN.len()..b];
    if have == want {
        return;
    }
    if std::env::var("BARCODED_DOCS").as_deref() == Ok("update") {
        let fixed = format!("{}{BEGIN}{want}{}", &doc[..a], &doc[b..]);
        std::fs::write(&path, fixed).unwrap();
        return;
    }
    panic!("docs/API.md's options table differs from the specs; run BARCODED_DOCS=update cargo test --test docs\nwant:\n{want}\nhave:\n{have}");
}
