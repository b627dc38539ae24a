//! The API v1: one entry point, `handle`, that answers a parsed request into the
//! connection's output buffer. The cache-hit path is first: one L1 lookup by the raw target.

pub mod decode;
pub mod error;
pub mod generate;
pub mod options;
pub mod parse;
pub mod route;
pub mod symbologies;

use crate::http::encode::{self, ConnHeader, Ready, Status};
use crate::http::parse::{Head, Method};
use crate::state::Shared;
use error::ApiError;
use generate::DataSource;
use route::Endpoint;

/// Writes `r` or, when the client's validator matches, a 304.
fn answer_ready(out: &mut Vec<u8>, date: &[u8], head: &Head<'_>, r: &Ready, conn: ConnHeader) {
    if head.if_none_match.is_some_and(|v| encode::none_match(v, &r.etag)) {
        encode::write_not_modified(out, date, r, conn);
    } else {
        encode::write_ready(out, date, r, head.method == Method::Head, conn);
    }
}

/// Writes an error as JSON.
pub fn write_error(out: &mut Vec<u8>, date: &[u8], e: &ApiError, head_only: bool, conn: ConnHeader) {
    let body = e.body();
    let allow;
    let extra: &[(&str, &str)] = match e {
        ApiError::MethodNotAllowed { allow: a } => {
            allow = [("Allow", *a)];
            &allow
        }
        ApiError::DecodeBusy { .. } | ApiError::DecodeBudget { .. } => &[("Retry-After", "1")],
        _ => &[],
    };
    encode::write_simple(out, date, e.status(), "application/json", extra, body.as_bytes(), head_only, conn);
}

/// Answers one request. `body` is the complete request body (empty for GET/HEAD).
pub fn handle(shared: &Shared, date: &[u8], head: &Head<'_>, body: &[u8], conn: ConnHeader, out: &mut Vec<u8>) {
    let cacheable = matches!(head.method, Method::Get | Method::Head);
    if cacheable {
        if let Some(r) = shared.l1.get(head.target) {
            answer_ready(out, date, head, &r, conn);
            return;
        }
    }
    let head_only = head.method == Method::Head;
    let result = route::route(head.method, head.target).and_then(|ep| match ep {
        Endpoint::Generate { sym, fmt, path_data, query } => {
            let src = match path_data {
                Some(seg) => DataSource::Path(seg),
                None => DataSource::QueryOrBody(body),
            };
            let r = generate::generate(shared, sym, fmt, src, query)?;
            if cacheable {
                shared.l1.insert(head.target, r.clone());
            }
            answer_ready(out, date, head, &r, conn);
            Ok(())
        }
        Endpoint::Parse { query } => {
            let req = parse::request(query, body, head.content_type)?;
            let doc = parse::describe(&req).to_string();
            encode::write_simple(out, date, Status::Ok, "application/json", &[], doc.as_bytes(), head_only, conn);
            Ok(())
        }
        // POST is taken by the connection loop (it needs the decode pool); only a method
        // other than POST can arrive here, and route() has already answered those with 405.
        Endpoint::Decode => Err(ApiError::MethodNotAllowed { allow: "POST" }),
        Endpoint::Healthz => {
            encode::write_simple(
                out,
                date,
                Status::Ok,
                "application/json",
                &[],
                b"{\"status\":\"ok\"}",
                head_only,
                conn,
            );
            Ok(())
        }
        Endpoint::Readyz => {
            let (st, b): (Status, &[u8]) = if shared.draining() {
                (Status::ServiceUnavailable, b"{\"status\":\"draining\"}")
            } else {
                (Status::Ok, b"{\"status\":\"ready\"}")
            };
            encode::write_simple(out, date, st, "application/json", &[], b, head_only, conn);
            Ok(())
        }
        Endpoint::Symbologies => {
            let doc = symbologies::document().as_bytes();
            encode::write_simple(out, date, Status::Ok, "application/json", &[], doc, head_only, conn);
            Ok(())
        }
    });
    if let Err(e) = result {
        write_error(out, date, &e, head_only, conn);
    }
}
