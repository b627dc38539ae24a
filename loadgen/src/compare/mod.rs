//! `loadgen compare`: a dual-track comparison of two builds (Diffy's method). Every request
//! goes to `--primary` and `--secondary` — two instances of the old build, so what differs
//! between them is noise and is set aside — and to `--candidate`, the new build; each
//! answer of the candidate is classified against the primary's (`classify.rs`), never by
//! its ETag alone. Prints a table and examples of each class; exits 1 when the candidate
//! answers another status, other content, or other bytes under the same ETag beyond the
//! noise, 2 when it cannot run.

mod source;

use crate::cli::Target;
use barcoded_compare::{classify, Answer, Class, Request, Server};
use clap::Parser;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

/// Compare a candidate build's answers with two instances of the old build.
#[derive(Parser, Debug)]
#[command(name = "loadgen compare")]
pub struct CompareArgs {
    /// The old build, first instance: http://host:port.
    #[arg(long)]
    pub primary: String,
    /// The old build, second instance (its disagreements with the first are noise).
    #[arg(long)]
    pub secondary: String,
    /// The new build.
    #[arg(long)]
    pub candidate: String,
    /// Requests: the golden corpus (default `tests/golden/corpus.tsv`), a file of paths,
    /// or an access log (JSON lines).
    #[arg(long)]
    pub requests: Option<PathBuf>,
    /// Examples printed per class.
    #[arg(long, default_value_t = 3)]
    pub examples: usize,
}

fn server(url: &str, flag: &str) -> Result<Server, String> {
    let t = Target::parse(url).map_err(|e| format!("--{flag}: {e}"))?;
    Ok(Server::new(t.addr, t.host))
}

fn send(s: &mut Server, r: &Request) -> Answer {
    s.send(r).unwrap_or_else(|e| Answer { status: 0, headers: Vec::new(), body: e.into_bytes() })
}

/// Runs the comparison; the process's exit code.
pub fn main(args: Vec<OsString>) -> i32 {
    let a = match CompareArgs::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return 2;
        }
    };
    match run(&a) {
        Ok(failed) => i32::from(failed),
        Err(e) => {
            eprintln!("loadgen compare: {e}");
            2
        }
    }
}

fn run(a: &CompareArgs) -> Result<bool, String> {
    let path = a.requests.clone().unwrap_or_else(|| PathBuf::from("tests/golden/corpus.tsv"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let requests = source::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if requests.is_empty() {
        return Err(format!("{}: no requests", path.display()));
    }
    let (mut p, mut s, mut c) =
        (server(&a.primary, "primary")?, server(&a.secondary, "secondary")?, server(&a.candidate, "candidate")?);
    let mut counts: BTreeMap<Class, usize> = BTreeMap::new();
    let mut examples: BTreeMap<Class, Vec<String>> = BTreeMap::new();
    let mut noise = Vec::new();
    for r in &requests {
        let (pa, sa, ca) = (send(&mut p, r), send(&mut s, r), send(&mut c, r));
        if pa.status == 0 && sa.status == 0 {
            return Err(format!("the old build does not answer: {}", String::from_utf8_lossy(&pa.body)));
        }
        if classify::noisy(&pa, &sa) {
            noise.push(format!("{} {} (primary {}, secondary {})", r.method, r.target, pa.status, sa.status));
            continue;
        }
        let class = classify::classify(&pa, &ca);
        *counts.entry(class).or_default() += 1;
        let ex = examples.entry(class).or_default();
        if class != Class::Identical && ex.len() < a.examples {
            let etag = |x: &Answer| x.header("etag").unwrap_or("-").to_string();
            ex.push(format!(
                "{} {} — primary {} {} ({} bytes), candidate {} {} ({} bytes)",
                r.method,
                r.target.chars().take(120).collect::<String>(),
                pa.status,
                etag(&pa),
                pa.body.len(),
                ca.status,
                etag(&ca),
                ca.body.len()
            ));
        }
    }
    println!(
        "loadgen compare: {} requests from {}; noise (primary and secondary disagree): {}",
        requests.len(),
        path.display(),
        noise.len()
    );
    println!("{:<36} {:>8}  verdict", "class", "requests");
    for class in Class::ALL {
        let n = counts.get(&class).copied().unwrap_or(0);
        let verdict = match (class.fails(), n) {
            (_, 0) => "",
            (true, _) => "FAIL",
            (false, _) if class == Class::SameContent => "ok (needs a RENDERER_VERSION bump: the ETags differ)",
            _ => "ok",
        };
        println!("{:<36} {:>8}  {verdict}", class.name(), n);
    }
    for (class, ex) in &examples {
        for e in ex {
            println!("  {}: {e}", class.name());
        }
    }
    for e in noise.iter().take(a.examples) {
        println!("  noise: {e}");
    }
    Ok(counts.iter().any(|(c, &n)| c.fails() && n > 0))
}
