//! API keys at the HTTP edge (`--api-keys`, `crate::keys`): the key a request presents
//! (`Authorization: Bearer KEY` or `X-Api-Key: KEY`), whether it may use the route class,
//! what the request costs on the key's quota, and the `RateLimit-Policy` and `RateLimit`
//! lines of every answer to a keyed client (IETF draft-ietf-httpapi-ratelimit-headers: the
//! policy's quota `q` is the key's burst and its window `w` the seconds an empty bucket
//! takes to fill; `r` is what is left, `t` the seconds until it is full). Without a keys
//! file every call here is one field read. A key is hashed and looked up, never kept,
//! logged or counted: the access log names the key's id.

use super::error::ApiError;
use super::{ConnCtx, Note, Reply};
use crate::access::trace::HeadLines;
use crate::http::head::Head;
use crate::keys::bucket::{Quota, Short};
use crate::keys::{Charge, Key};
use crate::metrics::Event;
use crate::switch::RouteClass;
use std::sync::Arc;
use std::time::Instant;

/// A refused request: the error, and the key's quota when a key was known.
#[derive(Debug)]
pub struct Refusal {
    pub error: ApiError,
    pub quota: Option<Quota>,
}

/// The key bytes a request presents, if any: `X-Api-Key`, else `Authorization: Bearer`.
fn presented<'a>(head: &Head<'a>) -> Option<&'a [u8]> {
    if let Some(k) = head.x_api_key {
        return Some(k.trim_ascii());
    }
    let auth = head.authorization?.trim_ascii();
    let (scheme, rest) = auth.split_at(auth.len().min(7));
    scheme.eq_ignore_ascii_case(b"bearer ").then(|| rest.trim_ascii())
}

/// The key a request presents, looked up: `None` without a keys file, without a key, or
/// with an unknown key (for what reads a key's id and tags: the switches).
pub fn known(ctx: &ConnCtx, head: &Head<'_>) -> Option<Arc<Key>> {
    ctx.shared.config.api_keys.as_ref()?;
    let key = presented(head)?;
    ctx.shared.keys.load().as_ref()?.find(key).cloned()
}

/// Whether the request is keyed, and the key lets it use `route`, and (with `charge`) its
/// quota pays for it. `Ok(None)`: not keyed and let through (no keys file, or no key and
/// none required). `Ok(Some(quota))`: keyed and admitted (`charge: None` spends nothing).
pub fn admit(
    ctx: &ConnCtx,
    head: &Head<'_>,
    route: RouteClass,
    charge: Option<Charge>,
    note: &mut Note,
) -> Result<Option<Quota>, Refusal> {
    let shared = &*ctx.shared;
    if shared.config.api_keys.is_none() {
        return Ok(None);
    }
    let metrics = &ctx.local.metrics;
    let Some(given) = presented(head) else {
        if shared.current().require_api_key {
            metrics.event(Event::KeyMissing);
            return Err(Refusal { error: ApiError::KeyRequired, quota: None });
        }
        return Ok(None);
    };
    let table = shared.keys.load();
    let Some(key) = table.as_ref().and_then(|t| t.find(given)) else {
        metrics.event(Event::KeyInvalid);
        return Err(Refusal { error: ApiError::KeyInvalid, quota: None });
    };
    if ctx.local.access.is_some() {
        note.key = Some(key.clone());
    }
    let now = Instant::now();
    let mut leases = ctx.local.leases.borrow_mut();
    if !key.may(route) {
        metrics.event(Event::KeyRoute);
        let allowed = key.routes.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ");
        let error = ApiError::KeyRoute { route: route.name(), allowed };
        return Err(Refusal { error, quota: Some(leases.peek(&key.bucket, now)) });
    }
    let Some(charge) = charge else { return Ok(Some(leases.peek(&key.bucket, now))) };
    let cost = table.as_ref().map_or(1, |t| t.costs.of(charge));
    match leases.spend(&key.bucket, cost, shared.config.threads, now) {
        Ok(q) => {
            metrics.event(Event::KeyAdmitted);
            Ok(Some(q))
        }
        Err(Short::Wait { quota, retry }) => {
            metrics.event(Event::KeyLimited);
            Err(Refusal { error: ApiError::KeyRate { cost, retry_after: retry }, quota: Some(quota) })
        }
        Err(Short::OverBurst { cost, burst }) => {
            metrics.event(Event::KeyLimited);
            let quota = leases.peek(&key.bucket, now);
            Err(Refusal { error: ApiError::KeyCost { cost, burst }, quota: Some(quota) })
        }
    }
}

/// The quota of a valid key the request presents, spending nothing: for the answers that
/// are not the API's (a 404, `/v1/symbologies`), which still tell a keyed client its state.
pub fn peek(ctx: &ConnCtx, head: &Head<'_>) -> Option<Quota> {
    let key = known(ctx, head)?;
    Some(ctx.local.leases.borrow().peek(&key.bucket, Instant::now()))
}

/// The `RateLimit-Policy` and `RateLimit` lines of `q`.
pub fn lines(q: &Quota, out: &mut HeadLines) -> bool {
    let mut b = itoa::Buffer::new();
    let mut line = [0u8; 160];
    let mut n = 0;
    for part in [
        "RateLimit-Policy: \"key\";q=",
        b.format(q.q),
        ";w=",
        itoa::Buffer::new().format(q.w),
        "\r\nRateLimit: \"key\";r=",
        itoa::Buffer::new().format(q.r),
        ";t=",
        itoa::Buffer::new().format(q.t),
        "\r\n",
    ] {
        let Some(room) = line.get_mut(n..n + part.len()) else { return false };
        room.copy_from_slice(part.as_bytes());
        n += part.len();
    }
    out.push(&line[..n])
}

/// Writes an answer with `quota`'s lines after the reply's own (none when `None`).
pub fn with_quota(reply: &mut Reply<'_>, quota: Option<Quota>, write: impl FnOnce(&mut Reply<'_>) -> u16) -> u16 {
    let Some(q) = quota else { return write(reply) };
    let mut extra = HeadLines::new(reply.date, None);
    lines(&q, &mut extra);
    let mut r = Reply {
        out: &mut *reply.out,
        date: extra.as_slice(),
        head_only: reply.head_only,
        conn: reply.conn,
        note: std::mem::take(&mut reply.note),
    };
    let status = write(&mut r);
    reply.note = r.note;
    status
}

/// Writes a refusal (with the key's quota lines when a key was known).
pub fn refuse(reply: &mut Reply<'_>, r: &Refusal) -> u16 {
    with_quota(reply, r.quota, |reply| reply.error(&r.error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::head::{parse, HeadLimits, Parsed};

    fn with_head<T>(raw: &[u8], f: impl FnOnce(&Head<'_>) -> T) -> T {
        match parse(raw, HeadLimits { max_uri: 8192, max_header_bytes: 8192 }) {
            Ok(Parsed::Complete(h)) => f(&h),
            _ => panic!("head does not parse"),
        }
    }

    #[test]
    fn a_key_is_read_from_either_header() {
        let k = |raw: &[u8]| with_head(raw, |h| presented(h).map(<[u8]>::to_vec));
        assert_eq!(k(b"GET / HTTP/1.1\r\nX-Api-Key:  abc \r\n\r\n"), Some(b"abc".to_vec()));
        assert_eq!(k(b"GET / HTTP/1.1\r\nAuthorization: bearer  abc\r\n\r\n"), Some(b"abc".to_vec()));
        assert_eq!(k(b"GET / HTTP/1.1\r\nAuthorization: Basic YTpi\r\n\r\n"), None);
        assert_eq!(k(b"GET / HTTP/1.1\r\nAuthorization: Bear\r\n\r\n"), None);
        assert_eq!(k(b"GET / HTTP/1.1\r\n\r\n"), None);
    }

    #[test]
    fn the_lines_are_structured_fields() {
        let mut h = HeadLines::new(b"Date: x\r\n", None);
        assert!(lines(&Quota { q: 1000, w: 2, r: 998, t: 1 }, &mut h));
        assert_eq!(
            std::str::from_utf8(h.as_slice()).unwrap(),
            "Date: x\r\nRateLimit-Policy: \"key\";q=1000;w=2\r\nRateLimit: \"key\";r=998;t=1\r\n"
        );
    }
}
