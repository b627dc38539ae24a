//! The warm list: URL paths pre-rendered into the template pool at start and on reload
//! (SIGHUP, `POST /admin/reload`). A reload reads the file, renders every line as a GET of
//! it would be answered, and swaps the new snapshot in whole; it runs on the calling thread
//! (never a serving core's loop), and requests keep using the old snapshot until the swap.
//! An unreadable list keeps the old snapshot and says why.

use super::error::ApiError;
use super::generate;
use super::route::{self, Endpoint};
use crate::cache::pool::Pool;
use crate::config::Limits;
use crate::http::encode::Ready;
use crate::http::head::Method;
use crate::state::Shared;
use std::sync::Arc;

/// Largest warm-list file read.
pub const MAX_WARM_FILE: u64 = 16 * 1024 * 1024;

/// What a reload did.
#[derive(Debug)]
pub struct Reloaded {
    pub generation: u64,
    pub entries: usize,
    pub bytes: u64,
    pub errors: Vec<String>,
    pub more_errors: usize,
    /// Hot keys from live traffic offered beyond the warm list (`cache::hot`).
    pub hot: usize,
}

/// Renders one warm-list line as a GET of that target would: its canonical key and response.
fn render_line(target: &str, limits: &Limits) -> Result<(String, Arc<Ready>), ApiError> {
    if target.len() > limits.max_uri {
        return Err(ApiError::UriTooLong { max: limits.max_uri });
    }
    match route::route(Method::Get, target.as_bytes())? {
        Endpoint::Generate { sym, fmt, path_data, query } => {
            let p = generate::prepare(sym, fmt, generate::DataSource::of(path_data, &[]), query)?;
            let ready = generate::render(&p, limits.max_pixels)?;
            Ok((p.key, Arc::new(ready)))
        }
        _ => Err(ApiError::NotFound),
    }
}

/// Builds the pool of generation `generation` from the warm list's text, reusing what
/// `old` already made for a line.
pub fn build(generation: u64, warm: &str, limits: &Limits, max_bytes: u64, old: &Pool) -> Pool {
    Pool::build(generation, warm, max_bytes, |line| match old.entry(line) {
        Some(made) => Ok(made),
        None => render_line(line, limits).map_err(|e| e.message()),
    })
}

/// Rebuilds the template pool from the warm list (`--warm`) followed by the live hot keys
/// (`--hot-keys`, heaviest first, within `--pool-bytes`) and swaps it in. Responses the
/// current pool holds are reused: only new lines are rendered.
pub fn reload(shared: &Shared) -> Result<Reloaded, String> {
    let _one_at_a_time = shared.reload_lock.lock().map_err(|_| "reload lock poisoned".to_string())?;
    let text = match &shared.config.warm {
        None => String::new(),
        Some(path) => {
            let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
            if meta.len() > MAX_WARM_FILE {
                return Err(format!("{}: {} bytes, more than {MAX_WARM_FILE}", path.display(), meta.len()));
            }
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    let mut text = text;
    let hot = shared.hot.top(shared.hot.keys);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for k in &hot {
        text.push_str(&k.target);
        text.push('\n');
    }
    let old = shared.pool.load_full();
    let generation = old.generation + 1;
    let pool = build(generation, &text, &shared.current().limits, shared.config.pool_bytes, &old);
    let r = Reloaded {
        generation,
        entries: pool.entries,
        bytes: pool.bytes,
        errors: pool.errors.clone(),
        more_errors: pool.more_errors,
        hot: hot.len(),
    };
    shared.pool.store(Arc::new(pool));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_lines_render_as_their_get_would() {
        let warm = "# today\n/v1/ean13/590123412345.png\n\n/v1/qr.svg?data=hello\n/v1/ean13/123.png\n/nope\n";
        let p = build(3, warm, &Limits::default(), 1 << 20, &Pool::empty());
        assert_eq!((p.generation, p.entries), (3, 2));
        assert!(p.get(b"/v1/ean13/590123412345.png").is_some());
        assert!(p.get(b"/v1/qr.svg?data=hello").is_some());
        assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
        assert!(p.errors[0].starts_with("line 5: /v1/ean13/123.png"), "{:?}", p.errors);
        assert!(p.errors[1].starts_with("line 6: /nope: not found"), "{:?}", p.errors);
    }

    #[test]
    fn a_rebuild_reuses_what_the_old_pool_made() {
        let old = build(1, "/v1/ean13/590123412345.png\n", &Limits::default(), 1 << 20, &Pool::empty());
        let new = build(2, "/v1/ean13/590123412345.png\n/v1/qr.svg?data=x\n", &Limits::default(), 1 << 20, &old);
        assert_eq!(new.entries, 2);
        let same = |p: &Pool| p.get(b"/v1/ean13/590123412345.png").unwrap().clone();
        assert!(Arc::ptr_eq(&same(&old), &same(&new)), "the EAN-13 was rendered again");
        assert!(new.get(b"/v1/qr.svg?data=x").is_some());
    }
}
