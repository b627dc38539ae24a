//! The command line without a server: `barcoded render`, `parse`, `decode`, `batch`, and the
//! shell completions and man page of them all. Each goes through the API's own pure code — the
//! render through `api::generate::prepare` and `render` (the bytes the HTTP answer carries),
//! the parse through `api::describe`, the decode through `reader` and `api::decode::answer`,
//! the batch through `api::batch::request` and `assemble` — so a command line answer is the
//! HTTP answer's body. Exit codes: 0 done, 1 the input was
//! refused (the API's JSON error on stderr), 2 a usage error (clap's).
//!
//! The render options are not declared here: `--NAME VALUE` for each name of the API's option
//! table (`api::options::names`), checked by the same parser as a query string.

use crate::api::batch::assemble::{self, Cut, Files, Pages};
use crate::api::batch::request::{self, BatchLimits, Output as Packed};
use crate::api::error::ApiError;
use crate::api::generate::{self, DataSource};
use crate::api::options::{self, Format};
use crate::api::{decode, describe};
use crate::reader::{self, Ask, DecodeLimits};
use crate::symbology::Symbology;
use clap::{Arg, ArgMatches, Command};
use std::ffi::OsString;
use std::io::Write;

/// The subcommands that do not start a server.
pub const COMMANDS: &[&str] = &["render", "parse", "decode", "batch", "api-key", "completions", "man"];

/// The version line: the crate's version and the renderer's (images change only with it).
pub fn version() -> String {
    format!("{} (renderer {})", env!("CARGO_PKG_VERSION"), options::RENDERER_VERSION)
}

static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The command line's definition, render options from the API's option table.
pub fn command() -> Command {
    let symbologies: Vec<&'static str> = Symbology::all().map(|s| s.name()).collect();
    let formats: Vec<&'static str> = Format::all().map(|f| f.ext()).collect();
    let mut render = Command::new("render")
        .about("Draws one barcode (PNG, SVG, ZPL, PDF or JSON), as GET /v1/SYMBOLOGY/DATA.FORMAT would")
        .arg(Arg::new("symbology").required(true).value_parser(symbologies).help("A name of GET /v1/symbologies"))
        .arg(Arg::new("data").required(true).help("The data to encode"))
        .arg(
            Arg::new("format")
                .long("format")
                .value_parser(formats)
                .help("Output format (default: the extension of -o, else png)"),
        )
        .arg(Arg::new("output").short('o').long("output").required(true).help("Output file, - for stdout"));
    for name in options::names() {
        render = render.arg(
            Arg::new(name).long(name).value_name("VALUE").help("As the query option of the same name (docs/API.md)"),
        );
    }
    Command::new("barcoded")
        .version(VERSION.get_or_init(version).as_str())
        .about("Barcodes and labels without a server; `barcoded serve` (or no command) is the server")
        .subcommand_required(true)
        .subcommand(render)
        .subcommand(
            Command::new("parse")
                .about("Describes a scanned code as GET /v1/parse?code= does (JSON)")
                .arg(Arg::new("code").required(true).help("The scanned code (GS1 element string, GTIN, URI, ...)")),
        )
        .subcommand(
            Command::new("decode")
                .about("Reads the barcodes in an image file (PNG, JPEG, WebP, PGM) as POST /v1/decode does (JSON)")
                .arg(Arg::new("file").required(true).help("The image, - for stdin"))
                .arg(
                    Arg::new("formats").long("formats").value_name("LIST").help("Only these formats (comma-separated)"),
                )
                .arg(
                    Arg::new("orientation")
                        .long("orientation")
                        .value_name("DEGREES")
                        .help("0, 90, 180 or 270: which way a Pharmacode runs"),
                ),
        )
        .subcommand(
            Command::new("batch")
                .about("Many barcodes in one file (ZIP, ZPL or a PDF label sheet) as POST /v1/batch does")
                .arg(Arg::new("file").required(true).help("The batch's JSON (docs/API.md), - for stdin"))
                .arg(Arg::new("output").short('o').long("output").required(true).help("Output file, - for stdout")),
        )
        .subcommand(
            Command::new("completions")
                .about("Prints the shell completion script")
                .arg(Arg::new("shell").required(true).value_parser(clap::value_parser!(clap_complete::Shell))),
        )
        .subcommand(Command::new("man").about("Prints the man page (roff)"))
        .subcommand(
            Command::new("api-key")
                .about("Makes a new API key: the key on stderr (give it to the client), its --api-keys entry (its SHA-256, never the key) on stdout")
                .arg(Arg::new("id").long("id").required(true).help("The key's id: what logs, metrics and switches see"))
                .arg(
                    Arg::new("rate")
                        .long("rate")
                        .default_value("100")
                        .value_parser(clap::value_parser!(u32).range(1..=100_000_000))
                        .help("Quota units per second"),
                )
                .arg(
                    Arg::new("burst")
                        .long("burst")
                        .default_value("200")
                        .value_parser(clap::value_parser!(u32).range(1..=100_000_000))
                        .help("The most it may spend at once"),
                )
                .arg(
                    Arg::new("routes")
                        .long("routes")
                        .value_name("LIST")
                        .help("generate, parse, decode, batch, label (comma-separated; default all)"),
                )
                .arg(Arg::new("tags").long("tags").value_name("LIST").help("Tags switches can target (comma-separated)")),
        )
}

/// `barcoded api-key`: 32 random bytes from the kernel as `bk_` + URL-safe Base64, and the
/// keys file's entry for it — checked by the file's own parser before it is printed.
fn api_key(m: &ArgMatches) -> Result<Output, Refusal> {
    use base64::Engine;
    let mut raw = [0u8; 32];
    let mut f = std::fs::File::open("/dev/urandom").map_err(Refusal::Io)?;
    std::io::Read::read_exact(&mut f, &mut raw).map_err(Refusal::Io)?;
    let key = format!("bk_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw));
    let list = |name: &str| -> String {
        m.get_one::<String>(name).map_or(String::new(), |v| {
            let items: Vec<String> =
                v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| format!("{s:?}")).collect();
            format!("{name} = [{}]\n", items.join(", "))
        })
    };
    let id = m.get_one::<String>("id").expect("required");
    let entry = format!(
        "[[key]]\nid = {id:?}\nhash = \"sha256:{}\"\nrate = {}\nburst = {}\n{}{}",
        crate::keys::hex(&crate::keys::digest(key.as_bytes())),
        m.get_one::<u32>("rate").expect("default"),
        m.get_one::<u32>("burst").expect("default"),
        list("routes"),
        list("tags"),
    );
    if let Err(e) = crate::keys::file::parse(&entry) {
        return Err(Refusal::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)));
    }
    eprintln!("{key}");
    Ok(Output { bytes: format!("\n{entry}").into_bytes(), to: "-".into() })
}

/// Runs a command line (`args` with the program name first); returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let out = match matches.subcommand() {
        Some(("render", m)) => render(m),
        Some(("parse", m)) => parse(m),
        Some(("decode", m)) => decode_file(m),
        Some(("batch", m)) => batch(m),
        Some(("api-key", m)) => api_key(m),
        Some(("completions", m)) => {
            let shell = *m.get_one::<clap_complete::Shell>("shell").expect("required");
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut command(), "barcoded", &mut buf);
            Ok(Output { bytes: buf, to: "-".into() })
        }
        Some(("man", _)) => {
            let mut buf = Vec::new();
            match clap_mangen::Man::new(command()).render(&mut buf) {
                Ok(()) => Ok(Output { bytes: buf, to: "-".into() }),
                Err(e) => return fail_io(&e),
            }
        }
        _ => return 2,
    };
    match out {
        Ok(o) => match write(&o) {
            Ok(()) => 0,
            Err(e) => fail_io(&e),
        },
        Err(Refusal::Api(e)) => {
            eprintln!("{}", e.body());
            1
        }
        Err(Refusal::Io(e)) => fail_io(&e),
        Err(Refusal::Cut(c)) => {
            eprintln!("barcoded: batch stopped: {}", c.0);
            1
        }
    }
}

/// Why a command gave no output: the API refused the input (its JSON error), or a file
/// could not be read.
enum Refusal {
    Api(ApiError),
    Io(std::io::Error),
    /// An item failed once the batch was under way (the server cuts its answer short).
    Cut(Cut),
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal::Api(e)
    }
}

fn fail_io(e: &std::io::Error) -> i32 {
    eprintln!("barcoded: {e}");
    1
}

/// Bytes and where they go.
struct Output {
    bytes: Vec<u8>,
    to: String,
}

fn write(o: &Output) -> std::io::Result<()> {
    if o.to == "-" {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&o.bytes)?;
        stdout.flush()
    } else {
        std::fs::write(&o.to, &o.bytes)
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode_value(v: &str, out: &mut String) {
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

fn render(m: &ArgMatches) -> Result<Output, Refusal> {
    let name = m.get_one::<String>("symbology").expect("required");
    let data = m.get_one::<String>("data").expect("required");
    let to = m.get_one::<String>("output").expect("required").clone();
    let ext = m
        .get_one::<String>("format")
        .cloned()
        .or_else(|| (to != "-").then(|| to.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())).flatten())
        .unwrap_or_else(|| "png".into());
    let sym = Symbology::from_name(name.as_bytes()).ok_or_else(|| ApiError::UnknownSymbology(name.clone()))?;
    let fmt = Format::from_ext(ext.as_bytes()).ok_or_else(|| ApiError::UnknownFormat(ext.clone()))?;
    // The options in the order given on the command line, as a query string.
    let mut given: Vec<(usize, &str, &String)> =
        options::names().filter_map(|n| Some((m.index_of(n)?, n, m.get_one::<String>(n)?))).collect();
    given.sort_by_key(|g| g.0);
    let mut query = String::new();
    for (_, name, value) in given {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(name);
        query.push('=');
        encode_value(value, &mut query);
    }
    if data.is_empty() {
        return Err(ApiError::MissingData.into());
    }
    let prepared = generate::prepare(sym, fmt, DataSource::QueryOrBody(data.as_bytes()), query.as_bytes())?;
    let ready = generate::render(&prepared, crate::config::MAX_PIXELS).map_err(ApiError::from)?;
    Ok(Output { bytes: ready.body.to_vec(), to })
}

fn parse(m: &ArgMatches) -> Result<Output, Refusal> {
    let code = m.get_one::<String>("code").expect("required");
    let mut query = String::from("code=");
    encode_value(code, &mut query);
    let req = describe::request(query.as_bytes(), b"", None)?;
    let mut bytes = describe::describe(&req).to_string().into_bytes();
    bytes.push(b'\n');
    Ok(Output { bytes, to: "-".into() })
}

fn decode_file(m: &ArgMatches) -> Result<Output, Refusal> {
    let file = m.get_one::<String>("file").expect("required");
    let limits = DecodeLimits { max_image_bytes: crate::config::MAX_DECODE_BODY, ..DecodeLimits::default() };
    let body = read_bounded(file, limits.max_image_bytes)?;
    let mut query = String::new();
    for (key, name) in [("formats", "formats"), ("orientation", "orientation")] {
        if let Some(v) = m.get_one::<String>(name) {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(key);
            query.push('=');
            encode_value(v, &mut query);
        }
    }
    let ask: Ask = decode::ask(query.as_bytes())?;
    let bytes = reader::image_bytes(&body, None, &limits).map_err(ApiError::Decode)?;
    // In this process: a crash of the reader ends this command only.
    let reading = reader::read_image(&bytes, &limits, &ask).map_err(ApiError::Decode)?;
    let mut bytes = decode::answer(&reading).to_string().into_bytes();
    bytes.push(b'\n');
    Ok(Output { bytes, to: "-".into() })
}

/// A file's bytes (stdin for `-`), refused past `max` bytes (as the API refuses a larger
/// body) before more is read.
fn read_bounded(path: &str, max: usize) -> Result<Vec<u8>, Refusal> {
    use std::io::Read;
    let mut buf = Vec::new();
    let limit = max as u64 + 1;
    let read = if path == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut buf))
    };
    read.map_err(|e| Refusal::Io(std::io::Error::new(e.kind(), format!("{path}: {e}"))))?;
    if buf.len() > max {
        return Err(ApiError::BodyTooLarge { length: buf.len() as u64, max }.into());
    }
    Ok(buf)
}

fn batch(m: &ArgMatches) -> Result<Output, Refusal> {
    let file = m.get_one::<String>("file").expect("required");
    let to = m.get_one::<String>("output").expect("required").clone();
    let max_pixels = crate::config::MAX_PIXELS;
    let body = read_bounded(file, crate::config::MAX_BATCH_BODY)?;
    let req = request::read(&body, BatchLimits { max_items: crate::config::BATCH_MAX_ITEMS, max_pixels })?;
    let items = (0..req.len()).map(|i| req.check(i)).collect();
    let batch = req.to_batch(items)?;
    let mut bytes = Vec::new();
    match batch.output {
        Packed::Zip | Packed::Zpl => {
            let mut files = Files::new(&batch);
            for item in &batch.items {
                let made = match &item.source {
                    Ok(src) => {
                        src.prepare(batch.format).and_then(|p| generate::render(&p, max_pixels).map_err(ApiError::from))
                    }
                    Err(e) => Err(e.clone()),
                };
                if let Some(head) = files.item(item, made.as_ref().map(|r| &r.body[..])).map_err(Refusal::Cut)? {
                    bytes.extend_from_slice(&head);
                    bytes.extend_from_slice(made.as_ref().map_or(&[][..], |r| &r.body[..]));
                }
            }
            bytes.extend_from_slice(&files.finish().map_err(Refusal::Cut)?);
        }
        Packed::Pdf => {
            let Some((mut pages, head)) = Pages::new(&batch) else {
                return Err(Refusal::Cut(Cut("no sheet".into())));
            };
            bytes.extend_from_slice(&head);
            for item in &batch.items {
                let drawn = match item.source.as_ref().map(|s| (s, s.place)) {
                    Ok((src, Some(place))) => assemble::cell(src, batch.format, place, pages.page_height(), max_pixels)
                        .map_err(ApiError::from),
                    Err(e) => Err(e.clone()),
                    Ok((_, None)) => Err(ApiError::BadBatch("no place on the sheet".into())),
                };
                if let Some(page) = pages.item(item, drawn.as_ref().map(|b| &b[..])).map_err(Refusal::Cut)? {
                    bytes.extend_from_slice(&page);
                }
            }
            bytes.extend_from_slice(&pages.finish());
        }
    }
    Ok(Output { bytes, to })
}
