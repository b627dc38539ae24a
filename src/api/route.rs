//! Routing: method and request target to an `Endpoint` holding borrowed slices of the
//! request. Unknown paths and symbologies are 404; known paths with the wrong method 405.

use super::error::ApiError;
use super::options::Format;
use crate::http::head::Method;
use crate::symbology::Symbology;

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Endpoint<'a> {
    /// `/v1/{sym}/{data}.{ext}` (`path_data` set) or `/v1/{sym}.{ext}`.
    Generate {
        sym: Symbology,
        fmt: Format,
        path_data: Option<&'a [u8]>,
        query: &'a [u8],
    },
    /// `/v1/parse`: describe a scanned code.
    Parse {
        query: &'a [u8],
    },
    /// `POST /v1/decode`: read the barcodes in an image.
    Decode {
        query: &'a [u8],
    },
    /// `POST /v1/batch`: many symbols in one streamed ZIP, PDF sheet or ZPL stream.
    Batch,
    /// `POST /v1/label`: one label laid out from JSON.
    Label,
    /// `GET /`: the playground page (`api/playground.html`).
    Playground,
    Healthz,
    Readyz,
    Symbologies,
    /// `GET /openapi.json` or `/openapi.yaml`: the API's description.
    OpenApi {
        yaml: bool,
    },
    /// `GET /metrics`: Prometheus text.
    Metrics,
    /// `POST /admin/reload`: rebuild the template pool from the warm list.
    AdminReload,
    /// `GET /debug/pprof/profile`: a CPU profile of the process.
    Profile {
        query: &'a [u8],
    },
    /// `GET /debug/allocator`: the allocator's figures.
    Allocator,
    /// `GET /admin/switches`: the business switches with their match counts.
    AdminSwitches,
    /// `GET /admin/shadow`: how the shadow instance's answers compared (`--shadow`).
    AdminShadow,
    /// `GET /admin/hot`: the top keys from live traffic with their counts.
    AdminHot {
        query: &'a [u8],
    },
    /// `GET|PUT|DELETE /admin/switches/{name}`: one switch (the method says what to do).
    AdminSwitch {
        name: &'a [u8],
    },
}

impl Endpoint<'_> {
    /// The route class of an API request (what switches scope and API keys may use);
    /// `None` for the description, health and operations endpoints.
    pub fn route_class(&self) -> Option<crate::switch::RouteClass> {
        use crate::switch::RouteClass;
        match self {
            Endpoint::Generate { .. } => Some(RouteClass::Generate),
            Endpoint::Parse { .. } => Some(RouteClass::Parse),
            Endpoint::Decode { .. } => Some(RouteClass::Decode),
            Endpoint::Batch => Some(RouteClass::Batch),
            Endpoint::Label => Some(RouteClass::Label),
            _ => None,
        }
    }

    /// The route the metrics count a request of this endpoint under.
    pub fn metrics_route(&self) -> crate::metrics::Route {
        use crate::metrics::Route;
        match self {
            Endpoint::Generate { .. } => Route::Generate,
            Endpoint::Parse { .. } => Route::Parse,
            Endpoint::Decode { .. } => Route::Decode,
            Endpoint::Batch => Route::Batch,
            Endpoint::Label => Route::Label,
            Endpoint::Metrics => Route::Metrics,
            Endpoint::Healthz
            | Endpoint::Readyz
            | Endpoint::Symbologies
            | Endpoint::OpenApi { .. }
            | Endpoint::Playground => Route::Info,
            _ => Route::Admin,
        }
    }
}

const GET_HEAD: &str = "GET, HEAD";
const GET_HEAD_POST: &str = "GET, HEAD, POST";
const SWITCH_METHODS: &str = "GET, HEAD, PUT, DELETE";

/// The body limit of a request: decode uploads and batches have their own.
pub fn body_limit(method: Method, target: &[u8], limits: &crate::config::Limits) -> usize {
    match (method, split_target(target).0) {
        (Method::Post, b"/v1/decode") => limits.max_decode_body,
        (Method::Post, b"/v1/batch" | b"/v1/label") => limits.max_batch_body,
        (Method::Put, p) if p.starts_with(b"/admin/switches/") => super::switches::MAX_BODY,
        _ => limits.max_body,
    }
}

/// Splits a target into path and query.
pub fn split_target(target: &[u8]) -> (&[u8], &[u8]) {
    match target.iter().position(|&b| b == b'?') {
        Some(i) => (&target[..i], &target[i + 1..]),
        None => (target, &target[target.len()..]),
    }
}

fn split_ext(seg: &[u8]) -> Result<(&[u8], Format), ApiError> {
    let dot = seg.iter().rposition(|&b| b == b'.').ok_or(ApiError::NotFound)?;
    let fmt = Format::from_ext(&seg[dot + 1..])
        .ok_or_else(|| ApiError::UnknownFormat(String::from_utf8_lossy(&seg[dot + 1..]).into_owned()))?;
    Ok((&seg[..dot], fmt))
}

fn symbology(name: &[u8]) -> Result<Symbology, ApiError> {
    Symbology::from_name(name).ok_or_else(|| ApiError::UnknownSymbology(String::from_utf8_lossy(name).into_owned()))
}

fn only(method: Method, allow: &'static str) -> Result<(), ApiError> {
    let ok = match method {
        Method::Get | Method::Head => true,
        Method::Post => allow == GET_HEAD_POST,
        Method::Put | Method::Delete | Method::Other => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::MethodNotAllowed { allow })
    }
}

/// Resolves `target` for `method`.
pub fn route(method: Method, target: &[u8]) -> Result<Endpoint<'_>, ApiError> {
    let (path, query) = split_target(target);
    match path {
        b"/" | b"/index.html" => return only(method, GET_HEAD).map(|_| Endpoint::Playground),
        b"/healthz" => return only(method, GET_HEAD).map(|_| Endpoint::Healthz),
        b"/readyz" => return only(method, GET_HEAD).map(|_| Endpoint::Readyz),
        b"/v1/symbologies" => return only(method, GET_HEAD).map(|_| Endpoint::Symbologies),
        b"/openapi.json" => return only(method, GET_HEAD).map(|_| Endpoint::OpenApi { yaml: false }),
        b"/openapi.yaml" => return only(method, GET_HEAD).map(|_| Endpoint::OpenApi { yaml: true }),
        b"/v1/parse" => return only(method, GET_HEAD_POST).map(|_| Endpoint::Parse { query }),
        b"/v1/decode" if method == Method::Post => return Ok(Endpoint::Decode { query }),
        b"/v1/decode" => return Err(ApiError::MethodNotAllowed { allow: "POST" }),
        b"/v1/batch" if method == Method::Post => return Ok(Endpoint::Batch),
        b"/v1/batch" => return Err(ApiError::MethodNotAllowed { allow: "POST" }),
        b"/v1/label" if method == Method::Post => return Ok(Endpoint::Label),
        b"/v1/label" => return Err(ApiError::MethodNotAllowed { allow: "POST" }),
        b"/metrics" => return only(method, GET_HEAD).map(|_| Endpoint::Metrics),
        b"/admin/reload" if method == Method::Post => return Ok(Endpoint::AdminReload),
        b"/admin/reload" => return Err(ApiError::MethodNotAllowed { allow: "POST" }),
        b"/admin/switches" => return only(method, GET_HEAD).map(|_| Endpoint::AdminSwitches),
        b"/admin/shadow" => return only(method, GET_HEAD).map(|_| Endpoint::AdminShadow),
        b"/admin/hot" => return only(method, GET_HEAD).map(|_| Endpoint::AdminHot { query }),
        b"/debug/pprof/profile" => return only(method, GET_HEAD).map(|_| Endpoint::Profile { query }),
        b"/debug/allocator" => return only(method, GET_HEAD).map(|_| Endpoint::Allocator),
        _ => {}
    }
    if let Some(name) = path.strip_prefix(b"/admin/switches/") {
        return match method {
            Method::Get | Method::Head | Method::Put | Method::Delete => Ok(Endpoint::AdminSwitch { name }),
            _ => Err(ApiError::MethodNotAllowed { allow: SWITCH_METHODS }),
        };
    }
    let rest = path.strip_prefix(b"/v1/").ok_or(ApiError::NotFound)?;
    match rest.iter().position(|&b| b == b'/') {
        Some(i) => {
            let sym = symbology(&rest[..i])?;
            let seg = &rest[i + 1..];
            if seg.contains(&b'/') {
                return Err(ApiError::NotFound);
            }
            let (data, fmt) = split_ext(seg)?;
            only(method, GET_HEAD)?;
            Ok(Endpoint::Generate { sym, fmt, path_data: Some(data), query })
        }
        None => {
            let (name, fmt) = split_ext(rest)?;
            let sym = symbology(name)?;
            only(method, GET_HEAD_POST)?;
            Ok(Endpoint::Generate { sym, fmt, path_data: None, query })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_query_forms() {
        let e = route(Method::Get, b"/v1/ean13/590123412345.png?scale=3").unwrap();
        assert_eq!(
            e,
            Endpoint::Generate {
                sym: Symbology::from_name(b"ean13").unwrap(),
                fmt: Format::from_ext(b"png").unwrap(),
                path_data: Some(b"590123412345"),
                query: b"scale=3"
            }
        );
        let e = route(Method::Post, b"/v1/qr.svg").unwrap();
        assert!(matches!(e, Endpoint::Generate { path_data: None, fmt, .. } if fmt.ext() == "svg"));
        // The last dot separates the extension: data may contain dots.
        let e = route(Method::Get, b"/v1/code128/A.B.png").unwrap();
        assert!(matches!(e, Endpoint::Generate { path_data: Some(b"A.B"), .. }));
    }

    #[test]
    fn errors() {
        assert_eq!(route(Method::Get, b"/v1/nope/1.png"), Err(ApiError::UnknownSymbology("nope".into())));
        assert_eq!(route(Method::Post, b"/v1/qr/x.png"), Err(ApiError::MethodNotAllowed { allow: GET_HEAD }));
        assert_eq!(route(Method::Other, b"/v1/qr.png"), Err(ApiError::MethodNotAllowed { allow: GET_HEAD_POST }));
        assert_eq!(route(Method::Get, b"/index.htm"), Err(ApiError::NotFound));
        assert_eq!(route(Method::Get, b"/?x=1"), Ok(Endpoint::Playground));
        assert_eq!(route(Method::Post, b"/"), Err(ApiError::MethodNotAllowed { allow: GET_HEAD }));
        assert!(matches!(route(Method::Get, b"/v1/qr/x.gif"), Err(ApiError::UnknownFormat(_))));
        assert_eq!(route(Method::Get, b"/v1/qr/a/b.png"), Err(ApiError::NotFound));
    }
}
