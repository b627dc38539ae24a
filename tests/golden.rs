//! The golden corpus: several hundred requests — every symbology with its option families,
//! PNG and SVG, HEAD and POST forms, and representative 4xx — each with the status, ETag and
//! SHA-256 of the body it must get, committed in `tests/golden/corpus.tsv`. Any difference
//! fails. The corpus is rewritten with `BARCODED_GOLDEN=update cargo test --test golden`
//! (`scripts/golden.sh`), which refuses to record changed image bytes under the same
//! `RENDERER_VERSION`: a change of bytes must come with a version bump, which changes every
//! ETag and L2 key, so no cache ever mixes two renderings of one URL.

mod common;
use barcoded::api::options::RENDERER_VERSION;
use common::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// One request of the corpus: method, target and body.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Req {
    method: &'static str,
    target: String,
    body: String,
}

/// What a request got.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Got {
    status: u16,
    etag: String,
    sha256: String,
}

fn get(target: impl Into<String>) -> Req {
    Req { method: "GET", target: target.into(), body: String::new() }
}

/// Percent-encodes everything but unreserved characters.
fn enc(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

/// Each symbology: two data values, and the option sets that only it takes.
fn symbologies() -> Vec<(&'static str, [&'static str; 2], Vec<&'static str>)> {
    let linear = |extra: &[&'static str]| {
        let mut v = vec!["height=30", "text=false", "height_mm=15&dpi=300", "xdim=0.33", "xdim_mil=13&dpi=203"];
        v.extend_from_slice(extra);
        v
    };
    vec![
        ("ean13", ["590123412345", "4006381333931"], linear(&["addon=12", "addon=52495", "marks=true", "quiet=0"])),
        ("ean8", ["5512345", "96385074"], linear(&["marks=true"])),
        ("isbn", ["0-306-40615-2", "9791090636071"], linear(&["addon=51299", "marks=true"])),
        ("upca", ["01234567890", "036000291452"], linear(&["addon=12", "addon=52495"])),
        ("upce", ["0123456", "01234565"], linear(&["addon=12", "addon=52495"])),
        ("itf", ["1234567890", "00123456789012"], linear(&["pad=true", "bearer=true", "bearer=false"])),
        ("itf14", ["1540014128876", "15400141288763"], linear(&["bearer=false"])),
        ("databar", ["0950110153000", "(01)10012345678902"], linear(&[])),
        ("databar-truncated", ["0950110153000", "00000000000000"], linear(&[])),
        ("databar-stacked", ["0950110153000", "9999999999999"], vec!["quiet=0"]),
        ("databar-stacked-omni", ["0950110153000", "9999999999999"], vec!["quiet=0"]),
        ("databar-limited", ["0950110153000", "1999999999999"], linear(&[])),
        ("databar-expanded", ["(01)99501101530006(3103)001750", "(10)ABC-12(21)abc"], linear(&[])),
        (
            "databar-expanded-stacked",
            ["(01)09501101530003(17)261231(10)LOT-42", "(90)12345678901234567890"],
            vec!["segments=2", "segments=6", "segments=22", "quiet=0"],
        ),
        ("code128", ["ORD-2026-000123", "1234567890123456"], linear(&["quiet=20"])),
        ("gs1-128", ["(01)09501101530003(17)261231", "(00)106141411234567897"], linear(&[])),
        ("code39", ["CODE39-TEST", "A1 $/+%"], linear(&["check=true", "full_ascii=true"])),
        ("code93", ["CODE93", "Hello, world"], linear(&[])),
        ("codabar", ["A40156B", "31117013206375"], linear(&[])),
        ("code11", ["123-45", "1234567890"], linear(&["checks=0", "checks=1"])),
        ("msi", ["1234", "80523"], linear(&["check=none", "check=mod10-10", "check=mod11"])),
        ("pharmacode", ["1234", "131070"], linear(&[])),
        ("pzn", ["1234562", "49088029"], linear(&[])),
        ("code32", ["12345678", "012345676"], linear(&[])),
        ("imb", ["01234567094987654321-01234567891", "00040123456200800001"], vec!["quiet=0"]),
        ("rm4scc", ["SN34RD1A", "bx11lt1a"], vec!["quiet=0"]),
        ("kix", ["2500GG30250", "1231FZ13XHS"], vec!["quiet=0"]),
        ("auspost", ["39987520", "12345678"], vec!["quiet=0"]),
        (
            "qr",
            ["https://shop.example.com/o/123", "zażółć gęślą jaźń"],
            vec!["ecc=L", "ecc=H", "version=10", "mask=3", "quiet=0", "ecc=Q&mask=7&version=5"],
        ),
        ("microqr", ["12345", "Micro QR"], vec!["ecc=M", "ecc=Q", "version=M4", "version=m3&ecc=m", "quiet=0"]),
        (
            "rmqr",
            ["HELLO WORLD", "https://example.com/rmqr?id=1"],
            vec!["ecc=H", "version=R17x139", "version=r7x59", "quiet=0"],
        ),
        ("datamatrix", ["HELLO", "https://id.gs1.org/01/09506000134352"], vec!["shape=rect", "quiet=2"]),
        (
            "pdf417",
            ["PDF417 TEST", "1234567890123456789012345"],
            vec!["ecc=0", "ecc=5", "columns=3", "columns=10&ecc=4"],
        ),
        ("micropdf417", ["MicroPDF417", "1234567890123"], vec!["columns=1", "columns=4", "quiet=0"]),
        ("aztec", ["AZTEC", "https://example.com/aztec?q=1"], vec!["ecc=50", "ecc=95", "quiet=3"]),
        (
            "maxicode",
            [
                "Hello MaxiCode 0123456789",
                "[)>\u{1e}01\u{1d}96152382802\u{1d}840\u{1d}001\u{1d}1Z00004951\u{1d}UPSN\u{1e}\u{4}",
            ],
            vec![
                "mode=5",
                "mode=6",
                "mode=2&postcode=152382802&country=840&service=1",
                "mode=3&postcode=K1A0B1&country=124&service=1",
                "dpi=300",
            ],
        ),
        (
            "dotcode",
            ["https://example.com/dotcode", "(01)09506000134352(17)261231(10)ABC"],
            vec!["columns=40", "mask=2", "mask=6", "gs1=false&quiet=0"],
        ),
    ]
}

/// The corpus's requests, in a fixed order.
fn requests() -> Vec<Req> {
    let common =
        ["", "scale=1", "scale=5", "fg=1A2B3C&bg=FFFFFF00", "rotate=90", "rotate=180", "rotate=270", "dpi=600"];
    let mut v = Vec::new();
    for (sym, data, own) in symbologies() {
        for (i, d) in data.iter().enumerate() {
            for fmt in ["png", "svg"] {
                let opts: Vec<&str> = if i == 0 {
                    common.iter().copied().chain(own.iter().copied()).collect()
                } else {
                    vec!["", "scale=3"]
                };
                for o in opts {
                    let q = if o.is_empty() { String::new() } else { format!("?{o}") };
                    v.push(get(format!("/v1/{sym}/{}.{fmt}{q}", enc(d))));
                }
                // The same data by query and by POST body.
                v.push(get(format!("/v1/{sym}.{fmt}?data={}", enc(d))));
                v.push(Req { method: "POST", target: format!("/v1/{sym}.{fmt}"), body: d.to_string() });
            }
        }
        v.push(Req { method: "HEAD", target: format!("/v1/{sym}/{}.png", enc(data[0])), body: String::new() });
        // The label formats and the description.
        for ext in ["zpl", "pdf", "json"] {
            v.push(get(format!("/v1/{sym}/{}.{ext}", enc(data[0]))));
        }
    }
    // GS1 modes of the 2D symbologies.
    for sym in ["qr", "datamatrix", "dotcode"] {
        for fmt in ["png", "svg"] {
            v.push(get(format!("/v1/{sym}.{fmt}?gs1=true&data={}", enc("(01)09506000134352(17)261231(10)ABC"))));
        }
    }
    for t in [
        "/v1/ean13/590123412345.zpl?label=false&x=10&y=20",
        "/v1/qr/hello.zpl?dpi=300&xdim=0.5&rotate=90",
        "/v1/code128/ABC.pdf?dpi=600&rotate=270&fg=FF0000",
        "/v1/datamatrix/HELLO.json?xdim=0.5",
        "/v1/ean13/590123412345.png?label=false",
        "/v1/ean13/590123412345.zpl?x=32001",
        "/v1/datamatrix/HELLO.zpl?zpl=graphic&zpl_compress=z64",
        "/v1/upce/0123456.zpl?zpl_compress=z64&dpi=300",
        "/v1/qr/hello.zpl?zpl_compress=gzip",
        // The printer's own commands (issue 31): turned symbols, add-ons, bearer bars, full
        // ASCII, GS1 DataMatrix, ISBN.
        "/v1/gs1-128/(01)09506000134352(17)261231(10)ABC.zpl?rotate=90",
        "/v1/itf14/1540014128876.zpl?rotate=270&dpi=300&xdim=0.5",
        "/v1/itf/1234567890.zpl?bearer=true&rotate=180",
        "/v1/ean13/590123412345.zpl?addon=52495&rotate=90",
        "/v1/upca/03600029145.zpl?addon=12",
        "/v1/upce/0425261.zpl?addon=07&rotate=180",
        "/v1/isbn/978-0-306-40615-7.zpl",
        "/v1/code39/Order-42%2Fab.zpl?full_ascii=true&check=true",
        "/v1/code93/abc%26def~.zpl?rotate=270",
        "/v1/datamatrix/(01)09506000134352(10)ABC.zpl?gs1=true&rotate=90",
        "/v1/pdf417/PDF417.zpl?rotate=180",
        "/v1/aztec/AZTEC.zpl?rotate=270",
        "/v1/code128/ORD-2026-000123.zpl?rotate=90&text=false",
    ] {
        v.push(get(t));
    }
    // Representative refusals: data, options, routes, methods.
    for t in [
        "/v1/ean13/12345.png",
        "/v1/ean13/5901234123458.png",
        "/v1/ean13/590123412345.png?scale=0",
        "/v1/ean13/590123412345.png?scale=51",
        "/v1/ean13/590123412345.png?bogus=1",
        "/v1/ean13/590123412345.png?scale=2&scale=3",
        "/v1/ean13/590123412345.png?ecc=H",
        "/v1/ean13/590123412345.png?addon=123",
        "/v1/ean13/590123412345.png?marks=true&text=false",
        "/v1/ean13/590123412345.gif",
        "/v1/nope/1.png",
        "/v1/qr.png",
        "/v1/qr/x.png?data=y",
        "/v1/qr/x.png?version=0",
        "/v1/qr/x.png?fg=zzzzzz",
        "/v1/qr/x.png?rotate=45",
        "/v1/qr/%FF.png",
        "/v1/qr/a%2.png",
        "/v1/qr/x.png?scale=50&quiet=100&version=40",
        "/v1/code128/x.png?xdim=0.3&scale=2",
        "/v1/code39/lower.png",
        "/v1/codabar/A1B2.png",
        "/v1/itf/123.png",
        "/v1/upce/12345678901.png",
        "/v1/gs1-128/(01)12345.png",
        "/v1/gs1-128/(99)x.png?height=1001",
        "/v1/datamatrix/x.png?shape=round",
        "/v1/pdf417/x.png?ecc=9",
        "/v1/aztec/x.png?ecc=4",
        "/v1/pdf417/x.png?columns=31",
        "/v1/upca/123.png",
        "/v1/ean8/123.png",
        "/v1/itf14/123.png",
        "/v1/code93/x.png?height=0",
        "/v1/pharmacode/2.png",
        "/v1/pharmacode/131071.png",
        "/v1/code11/12a.png",
        "/v1/code11/12.png?checks=3",
        "/v1/msi/12.png?check=mod7",
        "/v1/msi/12.png?check=true",
        "/v1/code39/AB.png?check=mod10",
        "/v1/pzn/9999999.png",
        "/v1/pzn/12345627.png",
        "/v1/code32/1234.png",
        "/v1/isbn/0306406153.png",
        "/v1/isbn/9770306406157.png",
        "/v1/imb/05234567094987654321.png",
        "/v1/imb/01234567094987654321-1234.png",
        "/v1/rm4scc/AB-1.png",
        "/v1/kix/1234567890123456789.png",
        "/v1/auspost/1234567.png",
        "/v1/databar/09501101530004.png",
        "/v1/databar-limited/2950110153000.png",
        "/v1/databar-stacked/0950110153x00.png",
        "/v1/databar-expanded/(10)AAAAAAAAAAAAAAAAAAAA(21)BBBBBBBBBBBBBBBBBBBB.png",
        "/v1/databar-expanded-stacked/(10)A.png?segments=3",
        "/v1/dotcode/x.png?columns=4",
        "/v1/dotcode/x.png?mask=8",
        "/v1/dotcode/x.png?version=1",
        "/v1/dotcode/(01)123.png?gs1=true",
        "/v1/maxicode/x.png?mode=2",
        "/v1/maxicode/x.png?mode=7",
        "/v1/maxicode/x.png?postcode=1",
        "/v1/microqr/1.png?ecc=H",
        "/v1/microqr/123456.png?version=M1",
        "/v1/microqr/1.png?version=M5",
        "/v1/microqr/%C5%82.png",
        "/v1/micropdf417/x.png?columns=5",
        "/v1/rmqr/x.png?version=R8x43",
        "/v1/rmqr/x.png?ecc=L",
        "/v1/rmqr/abcdefgh.png?version=R7x43",
        "/v1/micropdf417/QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ.png?columns=1",
        "/nope",
        "/v1/parse",
        "/v1/parse?code=5901234123457&bogus=1",
    ] {
        v.push(get(t));
    }
    v.push(Req { method: "POST", target: "/v1/qr/x.png".into(), body: String::new() });
    v.push(Req { method: "POST", target: "/v1/qr.png".into(), body: String::new() });
    v.push(Req { method: "GET", target: "/v1/decode".into(), body: String::new() });
    // Batches: a ZIP, a sheet, a ZPL stream, a partial ZIP, and refusals.
    let items = r#"[{"symbology":"ean13","data":"590123412345","name":"a"},{"symbology":"qr","data":"hello","options":{"ecc":"H"}},{"symbology":"code128","data":"LBL-1","name":"a"}]"#;
    for body in [
        format!(r#"{{"items":{items}}}"#),
        format!(r#"{{"format":"svg","defaults":{{"scale":3}},"items":{items}}}"#),
        format!(r#"{{"output":"pdf","sheet":"a4-3x7","items":{items}}}"#),
        format!(r#"{{"output":"pdf","sheet":"4x6in","items":{items}}}"#),
        format!(r#"{{"output":"zpl","items":{items}}}"#),
        r#"{"partial":true,"items":[{"symbology":"ean13","data":"1"},{"symbology":"qr","data":"ok"}]}"#.to_string(),
        r#"{"items":[{"symbology":"ean13","data":"1"},{"symbology":"nope","data":"x"},{"symbology":"qr","data":"ok","options":{"scale":0}}]}"#.to_string(),
        r#"{"items":[{"symbology":"qr","data":5}]}"#.to_string(),
        r#"{"output":"pdf","sheet":{"page":{"width_mm":50,"height_mm":50},"rows":1,"cols":2,"label":{"width_mm":30,"height_mm":30}},"items":[{"symbology":"qr","data":"x"}]}"#.to_string(),
    ] {
        v.push(Req { method: "POST", target: "/v1/batch".into(), body });
    }
    // Labels: one layout in each format, and refusals.
    let elements = r#"[{"type":"box","x_mm":1,"y_mm":1,"width_mm":48,"height_mm":28},{"type":"text","x_mm":3,"y_mm":3,"text":"SKU 12345","height_mm":3},{"type":"line","x_mm":1,"y_mm":8,"x2_mm":49,"y2_mm":8},{"type":"barcode","x_mm":3,"y_mm":10,"symbology":"ean13","data":"590123412345","options":{"xdim_mil":10,"text":false}}]"#;
    for fmt in ["zpl", "pdf", "png"] {
        let body =
            format!(r#"{{"size":{{"width_mm":50,"height_mm":30}},"dpi":203,"format":"{fmt}","elements":{elements}}}"#);
        v.push(Req { method: "POST", target: "/v1/label".into(), body });
    }
    for body in [
        r#"{"size":{"width_mm":50,"height_mm":30},"elements":[{"type":"text","x_mm":45,"y_mm":1,"text":"LONG","height_mm":3}]}"#,
        r#"{"size":{"width_mm":50,"height_mm":30},"elements":[{"type":"barcode","x_mm":1,"y_mm":1,"symbology":"qr","data":"x"},{"type":"text","x_mm":2,"y_mm":2,"text":"X","height_mm":2}]}"#,
        r#"{"size":{"width_mm":50},"elements":[]}"#,
    ] {
        v.push(Req { method: "POST", target: "/v1/label".into(), body: body.to_string() });
    }
    // The document every client reads the options from.
    v.push(get("/v1/symbologies"));
    v
}

fn corpus_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/corpus.tsv")
}

fn run(addr: std::net::SocketAddr, reqs: &[Req]) -> Vec<Got> {
    let mut c = Client::new(addr);
    reqs.iter()
        .map(|r| {
            let mut raw = format!("{} {} HTTP/1.1\r\nHost: golden\r\n", r.method, r.target);
            if r.method == "POST" {
                let _ = write!(raw, "Content-Length: {}\r\n", r.body.len());
            }
            raw.push_str("\r\n");
            raw.push_str(&r.body);
            let resp = c.request(raw.as_bytes());
            Got {
                status: resp.status,
                etag: resp.header("etag").unwrap_or("-").to_string(),
                sha256: format!("{:x}", Sha256::digest(&resp.body)),
            }
        })
        .collect()
}

/// A corpus line's request: method, escaped target, escaped body.
type Key = (String, String, String);

/// `method \t target \t body \t status \t etag \t sha256`, one per line; `#` lines are comments.
fn parse_corpus(text: &str) -> (Option<u32>, BTreeMap<Key, Got>) {
    let mut version = None;
    let mut m = BTreeMap::new();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("# renderer_version ") {
            version = v.trim().parse().ok();
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 6, "corpus line: {line}");
        let got = Got { status: f[3].parse().unwrap(), etag: f[4].to_string(), sha256: f[5].to_string() };
        m.insert((f[0].to_string(), f[1].to_string(), f[2].to_string()), got);
    }
    (version, m)
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n")
}

#[test]
fn golden_corpus() {
    let reqs = requests();
    assert!(reqs.len() >= 600, "{} requests", reqs.len());
    let s = start(|_| {});
    let got = run(s.local_addr(), &reqs);
    s.shutdown();
    let text = std::fs::read_to_string(corpus_path()).unwrap_or_default();
    let (version, want) = parse_corpus(&text);
    let key = |r: &Req| (r.method.to_string(), escape(&r.target), escape(&r.body));
    let mut diffs = Vec::new();
    let mut changed_images = 0;
    for (r, g) in reqs.iter().zip(&got) {
        match want.get(&key(r)) {
            Some(w) if w == g => {}
            Some(w) => {
                // Image bytes (not documents such as /v1/symbologies) need a version bump.
                let image = [".png", ".svg"].iter().any(|x| r.target.split('?').next().unwrap_or("").ends_with(x));
                if image && w.status == 200 && g.status == 200 && w.sha256 != g.sha256 {
                    changed_images += 1;
                }
                diffs.push(format!(
                    "{} {}: want {} {} {}, got {} {} {}",
                    r.method,
                    r.target,
                    w.status,
                    w.etag,
                    &w.sha256[..12],
                    g.status,
                    g.etag,
                    &g.sha256[..12]
                ));
            }
            None => diffs.push(format!("{} {}: not in the corpus", r.method, r.target)),
        }
    }
    let listed: std::collections::BTreeSet<_> = reqs.iter().map(key).collect();
    let stale = want.keys().filter(|k| !listed.contains(*k)).count();
    if std::env::var("BARCODED_GOLDEN").as_deref() == Ok("update") {
        assert!(
            changed_images == 0 || version != Some(RENDERER_VERSION),
            "{changed_images} images changed bytes under RENDERER_VERSION {RENDERER_VERSION}: bump it (src/api/options.rs) \
             so ETags and L2 keys change with the bytes, then regenerate"
        );
        let mut out = format!(
            "# The golden corpus (tests/golden.rs): method, target, body, status, ETag, SHA-256 of the body.\n\
             # Regenerate with scripts/golden.sh; changed image bytes need a RENDERER_VERSION bump.\n\
             # renderer_version {RENDERER_VERSION}\n"
        );
        for (r, g) in reqs.iter().zip(&got) {
            let (m, t, b) = key(r);
            let _ = writeln!(out, "{m}\t{t}\t{b}\t{}\t{}\t{}", g.status, g.etag, g.sha256);
        }
        std::fs::write(corpus_path(), out).unwrap();
        eprintln!("golden corpus written: {} requests, {} differed, {stale} dropped", reqs.len(), diffs.len());
        return;
    }
    assert_eq!(
        version,
        Some(RENDERER_VERSION),
        "the corpus was made with another RENDERER_VERSION: regenerate it (scripts/golden.sh)"
    );
    assert!(
        diffs.is_empty() && stale == 0,
        "{} of {} requests differ from the golden corpus ({changed_images} images changed bytes; {stale} corpus lines no \
         longer requested); first ones:\n{}\nIf intended: bump RENDERER_VERSION for changed bytes and run scripts/golden.sh",
        diffs.len(),
        reqs.len(),
        // Changed answers first: they are the surprise; requests new to the corpus after.
        diffs.iter().filter(|d| !d.ends_with("not in the corpus")).chain(diffs.iter().filter(|d| d.ends_with("not in the corpus"))).take(15).cloned().collect::<Vec<_>>().join("\n")
    );
    // The corpus must cover what it claims: every symbology, both formats, refusals.
    let ok = got.iter().filter(|g| g.status == 200).count();
    let refused = got.iter().filter(|g| (400..500).contains(&g.status)).count();
    assert!(ok >= 550 && refused >= 30, "{ok} images, {refused} refusals");
}
