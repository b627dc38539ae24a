//! `POST /v1/decode`: find and read the barcodes in an uploaded image. The work runs on
//! the decode threads (`workers.rs`), each handing the image to a decode worker process
//! (`decoder/`), behind an admission count: when workers and queue are full the answer is
//! an immediate 503 with `Retry-After`; a decode that outlives its time budget is answered
//! with 503 and its worker process killed; a worker that crashes answers 500
//! `decoder_crashed` for that image alone. Bad images are the client's (4xx); running out
//! of time and crashes count against the decode breaker.

use super::describe;
use super::error::ApiError;
use crate::decoder::Failure;
use crate::guard::Class;
use crate::http::encode::Ready;
use crate::local::Local;
use crate::reader::{self, Ask, BodyKind, DecodeLimits, Found, Reading};
use crate::state::Shared;
use base64::Engine;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Releases an admission slot when the decode job ends, however it ends.
struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.decodes_in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Decodes `body` and returns the JSON document, behind the core's decode breaker. The
/// same upload again (same bytes, same content type) is answered from the L1, else from
/// Redis when `--redis` is set (within its budget, behind its breaker), keyed by a 128-bit
/// hash of both and the reader's version: a client that retries a large photo costs a
/// hash, not a decode, on any instance, and an open breaker does not refuse what is known.
pub async fn run(
    shared: &Arc<Shared>,
    local: &Local,
    upload: Upload,
    asker: super::ladder::Asker,
) -> Result<String, ApiError> {
    let key = cache_key(&upload);
    if let Some(hit) = shared.l1.get(&key) {
        shared.decoders.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
        return Ok(String::from_utf8_lossy(&hit.body).into_owned());
    }
    let etag = format!("\"d{:032x}\"", u128::from_le_bytes(key[1..].try_into().unwrap_or([0; 16])));
    if !asker.switch.no_l2 {
        if let Some(hit) = super::ladder::from_l2_keyed(shared, local, &key, &etag).await {
            let json = String::from_utf8_lossy(&hit.body).into_owned();
            shared.l1.insert(&key, Arc::new(hit));
            return Ok(json);
        }
    }
    let permit = local
        .gate(shared)
        .forced(asker.switch.breaker_open)
        .heavy(Class::Decode, asker.client)
        .map_err(|r| super::ladder::refusal(shared, local, r))?;
    let r = decode(shared, upload).await;
    // Running out of time and crashes are the decoder failing; bad images are the client's.
    let ok = !matches!(r, Err(ApiError::DecodeBudget { .. } | ApiError::DecoderCrashed(_)));
    super::ladder::transition(permit.done_now(ok), Class::Decode, local);
    if let Ok(json) = &r {
        let ready = Ready::new("application/json", &etag, &[], json.as_bytes());
        if let Some(l2) = local.l2.as_ref().filter(|_| !asker.switch.no_l2) {
            l2.set_behind(&key, crate::cache::value::encode(&ready));
        }
        shared.l1.insert(&key, Arc::new(ready));
    }
    r
}

/// An upload to read: the body, its content type, and what the query asks.
pub struct Upload {
    pub body: Vec<u8>,
    pub content_type: Option<Vec<u8>>,
    pub ask: Ask,
}

/// The most formats one request may name.
const MAX_FORMATS: usize = 64;

/// The query of `/v1/decode`: `formats` (our symbology names, comma-separated: only those
/// are reported, and Pharmacode is read only when named) and `orientation` (0, 90, 180 or
/// 270: degrees clockwise the symbols are turned, for Pharmacode, which cannot tell).
pub fn ask(query: &[u8]) -> Result<Ask, ApiError> {
    let mut ask = Ask::default();
    let (mut formats_seen, mut orientation_seen) = (false, false);
    for (k, v) in crate::http::query::pairs(query) {
        let text = |field: &'static str, raw: &[u8]| -> Result<String, ApiError> {
            let d = crate::http::query::decode(raw, true).map_err(
                |crate::http::query::DecodeError::BadEscape(offset)| ApiError::BadPercentEncoding { field, offset },
            )?;
            Ok(String::from_utf8_lossy(&d).into_owned())
        };
        let name = text("query", k)?;
        let value = text("query", v)?;
        let seen = match name.as_str() {
            "formats" => &mut formats_seen,
            "orientation" => &mut orientation_seen,
            _ => return Err(ApiError::UnknownOption(name.chars().take(64).collect())),
        };
        if std::mem::replace(seen, true) {
            return Err(ApiError::DuplicateOption(name));
        }
        match name.as_str() {
            "formats" => {
                for f in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                    if !reader::is_format(f) {
                        return Err(ApiError::BadOption {
                            name: "formats",
                            value: f.chars().take(64).collect(),
                            expected: "symbology names from /v1/symbologies, comma-separated",
                        });
                    }
                    if !ask.formats.iter().any(|g| g == f) {
                        ask.formats.push(f.to_string());
                    }
                }
                if ask.formats.is_empty() || ask.formats.len() > MAX_FORMATS {
                    return Err(ApiError::BadOption {
                        name: "formats",
                        value: value.chars().take(64).collect(),
                        expected: "1 to 64 symbology names, comma-separated",
                    });
                }
                ask.formats.sort();
            }
            "orientation" => {
                ask.orientation = match value.as_str() {
                    "0" => 0,
                    "90" => 90,
                    "180" => 180,
                    "270" | "-90" => 270,
                    _ => {
                        return Err(ApiError::BadOption {
                            name: "orientation",
                            value: value.chars().take(64).collect(),
                            expected: "0, 90, 180 or 270 (degrees clockwise)",
                        })
                    }
                }
            }
            _ => {}
        }
    }
    Ok(ask)
}

/// `D` and the XXH3-128 of the reader's version, what the query asks, the body's kind
/// (how `reader::image_bytes` reads it) and bytes.
fn cache_key(upload: &Upload) -> [u8; 17] {
    let kind = match reader::body_kind(upload.content_type.as_deref()) {
        BodyKind::Json => b'j',
        BodyKind::Base64 => b't',
        BodyKind::Raw => b'r',
    };
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&reader::READER_VERSION.to_le_bytes());
    h.update(upload.ask.formats.join(",").as_bytes());
    h.update(&upload.ask.orientation.to_le_bytes());
    h.update(&[kind]);
    h.update(&upload.body);
    let mut key = [0u8; 17];
    key[0] = b'D';
    key[1..].copy_from_slice(&h.digest128().to_le_bytes());
    key
}

async fn decode(shared: &Arc<Shared>, upload: Upload) -> Result<String, ApiError> {
    let Upload { body, content_type, ask } = upload;
    let l = shared.current().limits.clone();
    let cap = l.decode_workers + l.decode_queue;
    if shared.decodes_in_flight.fetch_add(1, Ordering::AcqRel) >= cap {
        shared.decodes_in_flight.fetch_sub(1, Ordering::AcqRel);
        return Err(ApiError::DecodeBusy { capacity: cap });
    }
    let slot = Slot(shared.clone());
    let limits = DecodeLimits { max_image_bytes: l.max_decode_body, ..DecodeLimits::default() };
    let budget = l.decode_budget;
    let fault = crate::fault::decode_fault(&shared.faults);
    let sh = shared.clone();
    let job = monoio::spawn_blocking(move || {
        let _slot = slot;
        let bytes = reader::image_bytes(&body, content_type.as_deref(), &limits).map_err(ApiError::Decode)?;
        let deadline = Instant::now() + budget;
        match sh.decoders.decode(&crate::decoder::wire::Request { fault, limits, ask: &ask, image: &bytes }, deadline) {
            Ok(r) => r.map_err(ApiError::Decode),
            Err(Failure::Timeout) => Err(ApiError::DecodeBudget { ms: budget.as_millis() as u64 }),
            Err(Failure::Died(how)) => Err(ApiError::DecoderCrashed(how)),
            Err(Failure::Spawn(e)) => Err(ApiError::DecoderUnavailable(e.to_string())),
        }
    });
    // The worker is killed at the budget; this bound only covers a decode thread that
    // cannot even start the job in time (all busy).
    let reading = match monoio::time::timeout(budget + JOB_GRACE, job).await {
        Ok(Ok(r)) => r?,
        Ok(Err(_)) => return Err(ApiError::DecodeBusy { capacity: cap }),
        Err(_) => return Err(ApiError::DecodeBudget { ms: budget.as_millis() as u64 }),
    };
    Ok(answer(&reading).to_string())
}

/// Time beyond the budget the job may take to report (the kill and the reap).
const JOB_GRACE: Duration = Duration::from_millis(250);

/// The JSON document for what an image holds.
pub fn answer(reading: &Reading) -> serde_json::Value {
    let barcodes: Vec<_> = reading.found.iter().map(barcode).collect();
    json!({
        "width": reading.width,
        "height": reading.height,
        "count": barcodes.len(),
        "barcodes": barcodes,
        "messages": reader::messages(&reading.found).iter().map(|m| json!({"format": m.format, "id": m.id, "count": m.count, "text": m.text})).collect::<Vec<_>>(),
    })
}

fn barcode(f: &Found) -> serde_json::Value {
    // GS1 data as a scanner sends it (the AIM identifier, then the element string with its
    // FNC1 separators), described by the same code as `/v1/parse`; other content as is.
    let scanned = if f.gs1 { format!("{}{}", f.symbology_identifier, f.text) } else { f.text.clone() };
    let described = describe::describe(&describe::ParseRequest { code: scanned, symbology: None });
    let mut v = json!({
        "format": f.format,
        "text": f.text,
        "symbology_identifier": f.symbology_identifier,
        "content": if f.gs1 { "gs1" } else if f.bytes.is_some() { "binary" } else { "text" },
        "eci": f.eci,
        "position": f.position.iter().map(|p| [p.0, p.1]).collect::<Vec<_>>(),
        "orientation": f.orientation,
        "inverted": f.inverted,
        "mirrored": f.mirrored,
        "parse": described,
    });
    let o = v.as_object_mut().expect("an object");
    if f.lines > 0 {
        o.insert("lines".into(), json!(f.lines));
    }
    if let Some(b) = &f.bytes {
        o.insert("bytes".into(), json!(base64::engine::general_purpose::STANDARD.encode(b)));
    }
    for (k, x) in [("ec_level", &f.ec_level), ("version", &f.version), ("add_on", &f.add_on)] {
        if let Some(x) = x {
            o.insert(k.into(), json!(x));
        }
    }
    if let Some(u) = f.ec_unused {
        o.insert("ec_unused".into(), json!((u * 1000.0).round() / 1000.0));
    }
    if let Some(s) = &f.sequence {
        o.insert("sequence".into(), json!({"index": s.index, "count": s.count, "id": s.id}));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_asks_for_formats_and_orientation_or_is_refused() {
        assert_eq!(ask(b"").unwrap(), Ask::default());
        let a = ask(b"formats=qr,pharmacode%2Cqr&orientation=-90").unwrap();
        assert_eq!((a.formats, a.orientation), (vec!["pharmacode".to_string(), "qr".to_string()], 270));
        let code = |q: &[u8]| ask(q).unwrap_err().code();
        assert_eq!(code(b"formats=qr,bogus"), "bad_option");
        assert_eq!(code(b"formats=,"), "bad_option");
        assert_eq!(code(b"orientation=45"), "bad_option");
        assert_eq!(code(b"orientation=0&orientation=90"), "duplicate_option");
        assert_eq!(code(b"scale=2"), "unknown_option");
        assert_eq!(code(b"formats=%zz"), "bad_percent_encoding");
        let many: Vec<&str> = std::iter::repeat_n("qr", 65).collect();
        assert!(ask(format!("formats={}", many.join(",")).as_bytes()).is_ok(), "repeats count once");
    }

    #[test]
    fn the_cache_key_tells_asks_apart() {
        let up = |formats: &[&str], orientation| Upload {
            body: b"img".to_vec(),
            content_type: None,
            ask: Ask { formats: formats.iter().map(|f| f.to_string()).collect(), orientation },
        };
        let keys = [
            cache_key(&up(&[], 0)),
            cache_key(&up(&["qr"], 0)),
            cache_key(&up(&["pharmacode"], 0)),
            cache_key(&up(&["pharmacode"], 90)),
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
