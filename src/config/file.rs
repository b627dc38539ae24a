//! `--config FILE` and `--print-config`. The file is TOML whose keys are the flags' names
//! (`max_body` or `max-body`); its values go under the environment and the flags: a key is
//! used only where neither the command line nor a `BARCODED_*` variable set that flag. It
//! works by adding the file's values as flags in front of the real ones, so every value
//! passes the same clap validation (ranges, types) as a flag would. `--print-config` prints
//! every flag's effective value as TOML, each with where it came from; that output is
//! itself a valid `--config` file.

use super::Cli;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};
use std::ffi::OsString;
use std::fmt::Write as _;

/// Largest configuration file read.
pub const MAX_FILE: u64 = 1024 * 1024;

/// Flags that are no configuration values.
const NOT_KEYS: &[&str] = &["config", "print_config", "help", "version"];

/// A command line with the configuration file's values in it.
#[derive(Debug)]
pub struct Merged {
    pub args: Vec<OsString>,
    /// The flags (ids) whose value came from the file.
    pub from_file: Vec<String>,
}

/// The command line with the `--config` file's values added in front, for the flags that
/// neither the command line nor the environment set. Without `--config`, `args` unchanged.
/// An error names the file and the key.
pub fn merge(args: Vec<OsString>) -> Result<Merged, String> {
    let cmd = Cli::command();
    // Leniently: a bad flag is reported by the real parse afterwards, with clap's message.
    let Ok(m) = cmd.clone().ignore_errors(true).try_get_matches_from(&args) else {
        return Ok(Merged { args, from_file: Vec::new() });
    };
    let Some(path) = m.get_one::<std::path::PathBuf>("config") else {
        return Ok(Merged { args, from_file: Vec::new() });
    };
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| format!("--config {name}: {e}"))?;
    if meta.len() > MAX_FILE {
        return Err(format!("--config {name}: {} bytes, more than {MAX_FILE}", meta.len()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("--config {name}: {e}"))?;
    let table: toml::Table = text.parse().map_err(|e| format!("--config {name}: {e}"))?;
    let mut extra = Vec::new();
    let mut from_file = Vec::new();
    for (key, value) in &table {
        let id = key.replace('-', "_");
        let arg = cmd
            .get_arguments()
            .find(|a| a.get_id().as_str() == id && !NOT_KEYS.contains(&id.as_str()))
            .ok_or_else(|| format!("--config {name}: unknown key {key:?} (barcoded --help lists the flags)"))?;
        let v = scalar(value)
            .ok_or_else(|| format!("--config {name}: {key}: expected a string, number, boolean or list of strings"))?;
        if matches!(m.value_source(&id), None | Some(ValueSource::DefaultValue)) {
            let long = arg.get_long().unwrap_or(arg.get_id().as_str());
            extra.push(OsString::from(format!("--{long}")));
            extra.push(OsString::from(v));
            from_file.push(id);
        }
    }
    let mut out = Vec::with_capacity(args.len() + extra.len());
    let mut it = args.into_iter();
    out.extend(it.next());
    out.extend(extra);
    out.extend(it);
    Ok(Merged { args: out, from_file })
}

/// A TOML value as a flag's text: scalars as written, a list of strings joined by commas.
fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Array(items) => {
            items.iter().map(|i| i.as_str().map(str::to_string)).collect::<Option<Vec<_>>>().map(|v| v.join(","))
        }
        _ => None,
    }
}

/// The effective configuration (after `merge`) as TOML, each value with its source.
pub fn print(merged: &Merged) -> Result<String, String> {
    let cmd = Cli::command();
    let m: ArgMatches = cmd.clone().try_get_matches_from(&merged.args).map_err(|e| e.to_string())?;
    let mut out = String::from("# barcoded --print-config: the effective configuration (a valid --config file)\n");
    for arg in cmd.get_arguments() {
        let id = arg.get_id().as_str();
        if NOT_KEYS.contains(&id) {
            continue;
        }
        let from = match m.value_source(id) {
            Some(ValueSource::CommandLine) if merged.from_file.iter().any(|f| f == id) => "--config",
            Some(ValueSource::CommandLine) => "flag",
            Some(ValueSource::EnvVariable) => "environment",
            Some(ValueSource::DefaultValue) => "default",
            _ => "not set",
        };
        let raw: Option<Vec<String>> =
            m.get_raw(id).map(|vals| vals.map(|v| v.to_string_lossy().into_owned()).collect());
        match raw {
            Some(vals) => {
                let v = vals.join(",");
                let _ = writeln!(out, "{id} = {}  # {from}", toml_value(&v));
            }
            None => {
                let _ = writeln!(out, "# {id} = (not set)");
            }
        }
    }
    Ok(out)
}

/// A flag's text as a TOML value: numbers and booleans bare, everything else a string.
fn toml_value(v: &str) -> String {
    if v == "true" || v == "false" || (v.parse::<i64>().is_ok() && !v.starts_with('+')) {
        v.to_string()
    } else {
        toml::Value::String(v.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;
    use clap::Parser;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    fn file(name: &str, text: &str) -> String {
        let p = std::env::temp_dir().join(format!("barcoded-config-{}-{name}.toml", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn config(v: Vec<OsString>) -> Config {
        Config::try_from(Cli::parse_from(merge(v).unwrap().args)).unwrap()
    }

    #[test]
    fn file_values_go_under_flags() {
        let f = file(
            "under",
            "max_body = 1000\nmax-uri = 4096\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\npin = false\n",
        );
        let c = config(args(&["barcoded", "--config", &f, "--max-uri", "2048"]));
        assert_eq!(c.limits.max_body, 1000, "from the file");
        assert_eq!(c.limits.max_uri, 2048, "the flag wins");
        assert!(!c.pin);
        assert!(c.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
        let _ = std::fs::remove_file(f);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_by_name() {
        let f = file("unknown", "max_bodyy = 1\n");
        let e = merge(args(&["barcoded", "--config", &f])).unwrap_err();
        assert!(e.contains("unknown key \"max_bodyy\""), "{e}");
        let f2 = file("config", "config = \"x\"\n");
        assert!(merge(args(&["barcoded", "--config", &f2])).unwrap_err().contains("unknown key \"config\""));
        // A value out of range is refused by the same validation as the flag.
        let f3 = file("range", "max_body = 99999999999\n");
        let e = Cli::try_parse_from(merge(args(&["barcoded", "--config", &f3])).unwrap().args).unwrap_err();
        assert!(e.to_string().contains("--max-body"), "{e}");
        assert!(merge(args(&["barcoded", "--config", "/nonexistent.toml"])).unwrap_err().contains("/nonexistent.toml"));
        for f in [f, f2, f3] {
            let _ = std::fs::remove_file(f);
        }
    }

    #[test]
    fn printed_configuration_reads_back_the_same() {
        let f = file("print", "max_body = 1234\nadmin_listen = \"off\"\n");
        let first = print(&merge(args(&["barcoded", "--config", &f, "--threads", "3"])).unwrap()).unwrap();
        assert!(first.contains("max_body = 1234  # --config"), "{first}");
        assert!(first.contains("threads = 3  # flag"), "{first}");
        assert!(first.contains("listen = \"127.0.0.1:8080\"  # default"), "{first}");
        assert!(first.contains("# redis = (not set)"), "{first}");
        let again = file("again", &first);
        let second = print(&merge(args(&["barcoded", "--config", &again])).unwrap()).unwrap();
        let values = |s: &str| s.lines().map(|l| l.split("  #").next().unwrap_or("").to_string()).collect::<Vec<_>>();
        assert_eq!(values(&first), values(&second));
        for f in [f, again] {
            let _ = std::fs::remove_file(f);
        }
    }
}
