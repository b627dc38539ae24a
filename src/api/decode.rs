//! `POST /v1/decode`: find and read the barcodes in an uploaded image. The work runs on
//! the decode pool (`server/pool.rs`) behind an admission count: when workers and queue
//! are full the answer is an immediate 503 with `Retry-After`, and a decode that outlives
//! its time budget is answered with 503 while the worker finishes in the background.

use super::describe;
use super::error::ApiError;
use crate::guard::Class;
use crate::local::Local;
use crate::reader::{self, DecodeLimits};
use crate::state::Shared;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Releases an admission slot when the decode job ends, however it ends.
struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.decodes_in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Decodes `body` and returns the JSON document, behind the core's decode breaker.
pub async fn run(
    shared: &Arc<Shared>,
    local: &Local,
    body: Vec<u8>,
    content_type: Option<Vec<u8>>,
    asker: super::ladder::Asker,
) -> Result<String, ApiError> {
    let permit = local
        .gate(shared)
        .forced(asker.switch.breaker_open)
        .heavy(Class::Decode, asker.client)
        .map_err(|r| super::ladder::refusal(shared, local, r))?;
    let r = decode(shared, body, content_type).await;
    // Only running out of time is the decoder failing; bad images are the client's.
    let ok = !matches!(r, Err(ApiError::DecodeBudget { .. }));
    super::ladder::transition(permit.done_now(ok), Class::Decode, local);
    r
}

async fn decode(shared: &Arc<Shared>, body: Vec<u8>, content_type: Option<Vec<u8>>) -> Result<String, ApiError> {
    let l = &shared.config.limits;
    let cap = l.decode_workers + l.decode_queue;
    if shared.decodes_in_flight.fetch_add(1, Ordering::AcqRel) >= cap {
        shared.decodes_in_flight.fetch_sub(1, Ordering::AcqRel);
        return Err(ApiError::DecodeBusy { capacity: cap });
    }
    let slot = Slot(shared.clone());
    let limits = DecodeLimits { max_image_bytes: l.max_decode_body, ..DecodeLimits::default() };
    let job = monoio::spawn_blocking(move || {
        let _slot = slot;
        let bytes = reader::image_bytes(&body, content_type.as_deref(), &limits)?;
        let (luma, w, h) = reader::luma(&bytes, &limits)?;
        Ok::<_, reader::DecodeError>((reader::read(luma, w, h), w, h))
    });
    let (found, w, h) = match monoio::time::timeout(l.decode_budget, job).await {
        Ok(Ok(r)) => r.map_err(ApiError::Decode)?,
        Ok(Err(_)) => return Err(ApiError::DecodeBusy { capacity: cap }),
        Err(_) => return Err(ApiError::DecodeBudget { ms: l.decode_budget.as_millis() as u64 }),
    };
    let barcodes: Vec<_> = found
        .iter()
        .map(|f| {
            let described = describe::describe(&describe::ParseRequest { code: f.text.clone(), symbology: None });
            json!({"format": f.format, "text": f.text, "position": f.points.iter().map(|p| [p.0, p.1]).collect::<Vec<_>>(), "parse": described})
        })
        .collect();
    Ok(json!({"width": w, "height": h, "count": barcodes.len(), "barcodes": barcodes}).to_string())
}
