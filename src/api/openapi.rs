//! The OpenAPI 3.1 description of the public API (`GET /openapi.json`, `/openapi.yaml`),
//! generated from the registries the server itself runs on — the symbology specs (their
//! data schemas and options), the query option table (`options::applicable`), the format
//! registry — so it cannot drift from what is served. Built once.
//!
//! Each symbology has its own operations (`/v1/{name}.{format}` GET and POST, and
//! `/v1/{name}/{data}.{format}`), so its data pattern and its options are stated exactly;
//! what a JSON Schema cannot state (a check digit, a capacity that depends on the content,
//! options that exclude each other, an option of one format only) is refused with a
//! documented 400 or 422.

use super::options::{Applicable, Format};
use super::options::{DPI, HEIGHT, HEIGHT_MM, OFFSET, QUIET, SCALE, XDIM_MIL, XDIM_MM};
use crate::symbology::spec::{EccKind, Opt, Spec};
use crate::symbology::Symbology;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// The document as JSON text.
pub fn json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_string(document()).unwrap_or_default())
}

/// The document as YAML text.
pub fn yaml() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| super::yaml::write(document()))
}

/// The document.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

/// Statuses every operation may answer, beyond its own.
const COMMON_ERRORS: &[(&str, &str)] = &[
    ("413", "The body is larger than the limit."),
    ("414", "The request target is longer than the limit (`--max-uri`)."),
    ("429", "The client is over its rate (`Retry-After` says when to come back)."),
    ("431", "The header block is larger than the limit."),
    ("503", "Overloaded, degraded or switched off by an operator (`Retry-After`)."),
];

fn build() -> Value {
    let mut paths = Map::new();
    for sym in Symbology::all() {
        let spec = sym.spec();
        for group in format_groups(spec) {
            let ext = match group.as_slice() {
                [one] => one.ext().to_string(),
                _ => "{format}".to_string(),
            };
            paths.insert(format!("/v1/{}.{ext}", spec.name), generate_query(spec, &group));
            paths.insert(format!("/v1/{}/{{data}}.{ext}", spec.name), generate_path(spec, &group));
        }
    }
    paths.insert("/v1/parse".into(), parse());
    paths.insert("/v1/batch".into(), batch());
    paths.insert("/v1/label".into(), label());
    paths.insert("/v1/decode".into(), decode());
    paths
        .insert("/v1/symbologies".into(), simple_get("symbologies", "Every symbology with its data rule and options."));
    paths.insert("/healthz".into(), simple_get("healthz", "Liveness: the process answers."));
    paths.insert("/readyz".into(), readyz());
    paths.insert("/openapi.json".into(), simple_get("openapi_json", "This document, as JSON."));
    paths.insert("/openapi.yaml".into(), openapi_yaml());
    paths.insert("/".into(), playground());
    for (path, item) in paths.iter_mut() {
        if path.starts_with("/v1/") && path != "/v1/symbologies" {
            keyed(item);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "barcoded",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Barcodes and labels as PNG, SVG, ZPL, PDF and JSON; scanned codes parsed; barcodes read in images.",
            "license": {"name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0"},
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "code"],
                    "properties": {
                        "error": {"type": "string", "description": "What is wrong, naming the field."},
                        "code": {
                            "type": "string",
                            "description": "A stable code naming the rule; each error response lists those it may carry.",
                            "enum": catalogue().iter().map(|(c, _)| *c).collect::<Vec<_>>(),
                        },
                    },
                },
            },
            "headers": {
                "ETag": {"description": "A strong validator of the response (the same request always gets the same bytes).", "schema": {"type": "string"}},
                "X-Barcode-Text": {"description": "The data as encoded (check digits added), percent-encoded where not printable ASCII.", "schema": {"type": "string"}},
                "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "minimum": 0}},
                "RateLimit-Policy": {"description": "To a request with an API key (`--api-keys`): the key's quota policy, `\"key\";q=BURST;w=SECONDS` (quota units; a cache hit costs least, a render, a decode and a batch item more).", "schema": {"type": "string"}},
                "RateLimit": {"description": "To a request with an API key: `\"key\";r=LEFT;t=SECONDS` — the units left and the seconds until the quota is full again.", "schema": {"type": "string"}},
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API key as a bearer token (only where the server runs with --api-keys)."},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": "An API key (only where the server runs with --api-keys)."},
            },
        },
    })
}

/// What API keys add to an operation of the API: the optional security requirement (no
/// key is accepted unless the server runs with --require-api-key), the 401 and 403
/// answers, and the `RateLimit` fields on every answer.
fn keyed(item: &mut Value) {
    let Some(ops) = item.as_object_mut() else { return };
    for op in ops.values_mut() {
        let Some(op) = op.as_object_mut() else { continue };
        op.insert("security".into(), json!([{}, {"bearer": []}, {"apiKey": []}]));
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
        errors(
            &[
                (
                    "401",
                    "An API key is required (--require-api-key) or the one sent is not valid (`WWW-Authenticate`).",
                ),
                ("403", "The API key may not use this route."),
            ],
            responses,
        );
        for r in responses.values_mut() {
            let headers = r.as_object_mut().map(|r| r.entry("headers").or_insert_with(|| json!({})));
            if let Some(h) = headers.and_then(Value::as_object_mut) {
                h.insert("RateLimit-Policy".into(), json!({"$ref": "#/components/headers/RateLimit-Policy"}));
                h.insert("RateLimit".into(), json!({"$ref": "#/components/headers/RateLimit"}));
            }
        }
    }
}

/// The error codes with their statuses, made once for the whole document (every operation
/// lists some of them).
fn catalogue() -> &'static [(&'static str, Vec<u16>)] {
    static CODES: OnceLock<Vec<(&'static str, Vec<u16>)>> = OnceLock::new();
    CODES.get_or_init(super::error::ApiError::catalogue)
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    })
}

/// The error answers of an operation: its own statuses and the common ones.
fn errors(own: &[(&str, &str)], responses: &mut Map<String, Value>) {
    for (status, why) in own.iter().chain(COMMON_ERRORS) {
        let codes: Vec<String> = catalogue()
            .iter()
            .filter(|(_, sts)| sts.iter().any(|s| s.to_string() == *status))
            .map(|(c, _)| format!("`{c}`"))
            .collect();
        let mut r = error_response(&format!("{why} Codes with this status: {}.", codes.join(", ")));
        if matches!(*status, "429" | "503") {
            r["headers"] = json!({"Retry-After": {"$ref": "#/components/headers/Retry-After"}});
        }
        responses.insert((*status).into(), r);
    }
}

/// The answers of a generate request.
fn generate_responses(group: &[Format]) -> Value {
    let mut content = Map::new();
    for &f in group {
        let schema = if f.ext() == "json" {
            json!({"type": "object"})
        } else if f.content_type().starts_with("image/svg") || f.content_type().starts_with("application/zpl") {
            json!({"type": "string"})
        } else {
            json!({"type": "string", "contentEncoding": "binary"})
        };
        content.insert(f.content_type().split(';').next().unwrap_or_default().to_string(), json!({"schema": schema}));
    }
    let mut r = Map::new();
    r.insert(
        "200".into(),
        json!({
            "description": "The symbol in the format asked for.",
            "headers": {
                "ETag": {"$ref": "#/components/headers/ETag"},
                "X-Barcode-Text": {"$ref": "#/components/headers/X-Barcode-Text"},
            },
            "content": content,
        }),
    );
    r.insert("304".into(), json!({"description": "Not modified (`If-None-Match` named the ETag)."}));
    errors(
        &[
            ("400", "The data or an option is not valid (`code` says which rule: `check_digit`, `bad_option`, `option_not_applicable`, `conflicting_options`, `data_too_long`, ...)."),
            ("404", "No such symbology or format."),
            ("422", "The symbol would be larger than the pixel limit."),
        ],
        &mut r,
    );
    Value::Object(r)
}

/// The formats of a symbology grouped by the options they take (and the resolutions they
/// allow): one operation per group states its options exactly.
fn format_groups(spec: &Spec) -> Vec<Vec<Format>> {
    let mut groups: Vec<Vec<Format>> = Vec::new();
    let key = |f: Format| (super::options::applicable(spec, f), f.spec().dpis.map(|d| d.values));
    for f in Format::all() {
        match groups.iter_mut().find(|g| key(g[0]) == key(f)) {
            Some(g) => g.push(f),
            None => groups.push(vec![f]),
        }
    }
    groups
}

/// The `format` path parameter of a group of several formats (none for a group of one:
/// its extension is in the path).
fn format_param(group: &[Format]) -> Option<Value> {
    (group.len() > 1).then(|| {
        json!({
            "name": "format", "in": "path", "required": true,
            "description": "The output format.",
            "schema": {"type": "string", "enum": group.iter().map(|f| f.ext()).collect::<Vec<_>>()},
        })
    })
}

/// The schema of a symbology's data.
pub fn data_schema(spec: &Spec) -> Value {
    let d = &spec.data_schema;
    let mut s = json!({"type": "string", "minLength": 1, "maxLength": d.max_chars, "examples": [d.example]});
    if !spec.data_schema.pattern.is_empty() {
        s["pattern"] = json!(spec.data_schema.pattern);
    }
    s
}

/// The query options of a symbology in a group of formats (they all take the same).
fn option_params(spec: &Spec, group: &[Format]) -> Vec<Value> {
    let fmt = group[0];
    super::options::applicable(spec, fmt)
        .into_iter()
        .map(|a| json!({"name": a.name, "in": "query", "required": false, "schema": option_schema(a, fmt)}))
        .collect()
}

/// The JSON Schema of one query option's value in `fmt`, from its reader's rules.
pub fn option_schema(a: Applicable, fmt: Format) -> Value {
    let int = |(min, max): (u32, u32)| json!({"type": "integer", "minimum": min, "maximum": max});
    let num = |(min, max): (f64, f64)| json!({"type": "number", "minimum": min, "maximum": max});
    let boolean = || json!({"type": "boolean"});
    let one_of = |v: &[&str]| json!({"type": "string", "enum": v});
    match (a.name, a.own) {
        ("scale", _) => int(SCALE),
        ("height", _) => int(HEIGHT),
        ("quiet", _) => int(QUIET),
        ("text", _) => boolean(),
        ("fg" | "bg", _) => json!({"type": "string", "pattern": "^([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$"}),
        ("rotate", _) => json!({"type": "integer", "enum": [0, 90, 180, 270]}),
        ("dpi", _) => match fmt.spec().dpis {
            Some(d) => json!({"type": "integer", "enum": d.values}),
            None => int(DPI),
        },
        ("xdim", _) => num(XDIM_MM),
        ("xdim_mil", _) => num(XDIM_MIL),
        ("height_mm", _) => num(HEIGHT_MM),
        ("zpl", _) => one_of(&["native", "graphic"]),
        ("zpl_compress", _) => one_of(&["ascii", "z64"]),
        ("label", _) => boolean(),
        ("x" | "y", _) => int(OFFSET),
        ("postcode", Some(Opt::Primary)) => json!({"type": "string", "pattern": "^[0-9A-Za-z ]{1,9}$"}),
        ("country" | "service", Some(Opt::Primary)) => int((0, 999)),
        (_, Some(opt)) => own_schema(opt),
        _ => json!({}),
    }
}

/// The schema of a symbology's own option.
fn own_schema(opt: Opt) -> Value {
    let int = |min: u32, max: u32| json!({"type": "integer", "minimum": min, "maximum": max});
    let boolean = || json!({"type": "boolean"});
    let one_of = |v: &[&str]| json!({"type": "string", "enum": v});
    match opt {
        Opt::Ecc(EccKind::QrLevel) => one_of(&["L", "M", "Q", "H", "l", "m", "q", "h"]),
        Opt::Ecc(EccKind::MicroQrLevel) => one_of(&["L", "M", "Q", "l", "m", "q"]),
        Opt::Ecc(EccKind::RmqrLevel) => one_of(&["M", "H", "m", "h"]),
        Opt::Ecc(EccKind::Pdf417Level) => int(0, 8),
        Opt::Ecc(EccKind::AztecPercent) => int(5, 95),
        Opt::Version => int(1, 40),
        Opt::MicroVersion => one_of(&["M1", "M2", "M3", "M4"]),
        Opt::RmqrVersion => json!({"type": "string", "pattern": "^R(7|9|11|13|15|17)x(27|43|59|77|99|139)$"}),
        Opt::Mask | Opt::DotMask => int(0, 7),
        Opt::Columns => int(1, 30),
        Opt::MicroColumns => int(1, 4),
        Opt::DotColumns => int(5, 200),
        Opt::Segments => json!({"type": "integer", "minimum": 2, "maximum": 22, "multipleOf": 2}),
        Opt::Checks => int(0, 2),
        Opt::MsiCheck => one_of(&["none", "mod10", "mod10-10", "mod11"]),
        Opt::MaxiMode => int(2, 6),
        Opt::Shape => one_of(&["square", "rect"]),
        Opt::Addon => json!({"type": "string", "pattern": "^([0-9]{2}|[0-9]{5})$"}),
        Opt::Gs1 | Opt::Marks | Opt::Pad | Opt::Bearer { .. } | Opt::FullAscii | Opt::Check => boolean(),
        // Read as three query options (`postcode`, `country`, `service`): `option_schema`.
        Opt::Primary => json!({}),
    }
}

/// An operation id: `how`, the symbology, and the format when the path names one.
fn operation_id(spec: &Spec, how: &str, group: &[Format]) -> String {
    let base = format!("{how}_{}", spec.name.replace('-', "_"));
    match group {
        [one] => format!("{base}_{}", one.ext()),
        _ => base,
    }
}

fn generate_query(spec: &Spec, group: &[Format]) -> Value {
    let mut get_params: Vec<Value> = format_param(group).into_iter().collect();
    get_params.push(json!({"name": "data", "in": "query", "required": true, "description": spec.data_rule, "schema": data_schema(spec)}));
    get_params.extend(option_params(spec, group));
    let mut post_params: Vec<Value> = format_param(group).into_iter().collect();
    post_params.extend(option_params(spec, group));
    json!({
        "get": {
            "operationId": operation_id(spec, "generate", group),
            "summary": format!("A {} symbol, data in the query", spec.name),
            "tags": ["generate"],
            "parameters": get_params,
            "responses": generate_responses(group),
        },
        "post": {
            "operationId": operation_id(spec, "generate_post", group),
            "summary": format!("A {} symbol, data as the body", spec.name),
            "tags": ["generate"],
            "parameters": post_params,
            "requestBody": {
                "required": true,
                "description": spec.data_rule,
                "content": {"text/plain": {"schema": data_schema(spec)}},
            },
            "responses": generate_responses(group),
        },
    })
}

fn generate_path(spec: &Spec, group: &[Format]) -> Value {
    let mut params = vec![
        json!({"name": "data", "in": "path", "required": true, "description": spec.data_rule, "schema": data_schema(spec)}),
    ];
    params.extend(format_param(group));
    params.extend(option_params(spec, group));
    json!({
        "get": {
            "operationId": operation_id(spec, "generate_in_path", group),
            "summary": format!("A {} symbol, data in the path", spec.name),
            "tags": ["generate"],
            "parameters": params,
            "responses": generate_responses(group),
        },
    })
}

fn parse() -> Value {
    let code = json!({"type": "string", "minLength": 1, "maxLength": super::describe::MAX_CODE});
    let ok = json!({
        "description": "What the code is: its symbology candidates, validity, and GS1 elements where it has them.",
        "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["input", "valid", "errors"],
            "properties": {
                "input": {"type": "string"},
                "valid": {"type": "boolean"},
                "errors": {"type": "array"},
                "symbology": {"type": "string"},
                "candidates": {"type": "array", "items": {"type": "string"}},
            },
        }}},
    });
    let mut r = Map::new();
    r.insert("200".into(), ok);
    errors(&[("400", "The code is missing, empty, not UTF-8 or longer than the limit.")], &mut r);
    let symbology =
        json!({"type": "string", "description": "What the caller's scanner said it read (echoed as `symbology`)."});
    json!({
        "get": {
            "operationId": "parse",
            "summary": "Describe a scanned code",
            "tags": ["parse"],
            "parameters": [
                {"name": "code", "in": "query", "required": true, "schema": code},
                {"name": "symbology", "in": "query", "required": false, "schema": symbology},
            ],
            "responses": r.clone(),
        },
        "post": {
            "operationId": "parse_post",
            "summary": "Describe a scanned code given as the body (the code itself, or JSON)",
            "tags": ["parse"],
            "requestBody": {"required": true, "content": {
                "text/plain": {"schema": code},
                "application/json": {"schema": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": code, "symbology": symbology},
                }},
            }},
            "responses": r,
        },
    })
}

fn decode() -> Value {
    let mut r = Map::new();
    r.insert(
        "200".into(),
        json!({
            "description": "The barcodes found (none is an empty list).",
            "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["results"],
                "properties": {"results": {"type": "array", "items": {"type": "object"}}},
            }}},
        }),
    );
    errors(
        &[
            ("400", "Not an image this service reads, or bad Base64."),
            ("422", "The image is corrupt or larger than the pixel limit."),
        ],
        &mut r,
    );
    let image = json!({"schema": {"type": "string", "contentEncoding": "binary"}});
    json!({
        "post": {
            "operationId": "decode",
            "summary": "Read the barcodes in an image (PNG, JPEG, WebP, GIF, BMP, PGM, or Base64 of one)",
            "tags": ["decode"],
            "parameters": [
                {"name": "formats", "in": "query", "required": false, "description": "Comma-separated symbology names to look for.", "schema": {"type": "string"}},
                {"name": "orientation", "in": "query", "required": false, "schema": {"type": "boolean"}},
            ],
            "requestBody": {"required": true, "content": {
                "image/png": image, "image/jpeg": image, "image/webp": image,
                "application/octet-stream": image,
                "text/plain": {"schema": {"type": "string", "contentEncoding": "base64"}},
            }},
            "responses": r,
        },
    })
}

fn simple_get(id: &str, what: &str) -> Value {
    json!({"get": {
        "operationId": id,
        "summary": what,
        "tags": ["info"],
        "responses": {"200": {"description": what, "content": {"application/json": {"schema": {"type": "object"}}}}},
    }})
}

fn readyz() -> Value {
    json!({"get": {
        "operationId": "readyz",
        "summary": "Readiness: the pool is warm and the process accepts traffic.",
        "tags": ["info"],
        "responses": {
            "200": {"description": "Ready.", "content": {"application/json": {"schema": {"type": "object"}}}},
            "503": {"description": "Draining for a restart.", "content": {"application/json": {"schema": {"type": "object"}}}},
        },
    }})
}

fn playground() -> Value {
    json!({"get": {
        "operationId": "playground",
        "summary": "The playground: a page to try generate, parse and decode in a browser.",
        "tags": ["info"],
        "responses": {"200": {"description": "The page (HTML, self-contained).", "content": {"text/html": {"schema": {"type": "string"}}}}},
    }})
}

fn openapi_yaml() -> Value {
    json!({"get": {
        "operationId": "openapi_yaml",
        "summary": "This document, as YAML.",
        "tags": ["info"],
        "responses": {"200": {"description": "This document.", "content": {"application/yaml": {"schema": {"type": "object"}}}}},
    }})
}

/// A generate request's options as a JSON object (a batch's `defaults` and items, a label's
/// barcodes): each value a string, number or boolean, read as its query string would be.
fn options_object() -> Value {
    json!({
        "type": "object",
        "description": "Query options as JSON (`{\"scale\": 3, \"text\": false}`), checked as a single request's.",
        "additionalProperties": {"type": ["string", "number", "boolean"]},
    })
}

fn batch() -> Value {
    // `null` stands for an absent member wherever one may be absent.
    let mut formats: Vec<Value> = Format::all().map(|f| json!(f.ext())).collect();
    formats.push(Value::Null);
    let mm = json!({"type": "number"});
    let size = json!({"type": "object", "additionalProperties": false, "required": ["width_mm", "height_mm"],
        "properties": {"width_mm": mm, "height_mm": mm}});
    let pair = json!({"type": "object", "additionalProperties": false, "properties": {"x_mm": mm, "y_mm": mm}});
    let count = json!({"type": "integer", "minimum": 1, "maximum": 1000});
    let body = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["items"],
        "properties": {
            "output": {"enum": ["zip", "pdf", "zpl", null], "default": "zip"},
            "format": {"enum": formats, "description": "Each item's format inside a ZIP."},
            "sheet": {"oneOf": [
                {"type": "null"},
                {"type": "string", "enum": crate::pack::sheet::Sheet::NAMES},
                {"type": "object", "additionalProperties": false,
                 "required": ["page", "rows", "cols", "label"],
                 "properties": {"page": size, "rows": count, "cols": count, "label": size, "margin": pair, "gap": pair}},
            ]},
            "defaults": options_object(),
            "partial": {"type": "boolean", "default": false},
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": crate::config::BATCH_MAX_ITEMS,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["symbology", "data"],
                    "properties": {
                        "symbology": {"type": "string", "enum": Symbology::all().map(|s| s.spec().name).collect::<Vec<_>>()},
                        "data": {"type": "string", "minLength": 1},
                        "options": options_object(),
                        "name": {"type": ["string", "null"]},
                    },
                },
            },
        },
    });
    let binary = json!({"schema": {"type": "string", "contentEncoding": "binary"}});
    let mut r = Map::new();
    r.insert("200".into(), json!({
        "description": "The symbols: a ZIP of one file per item, a PDF label sheet or one ZPL stream.",
        "content": {"application/zip": binary, "application/pdf": binary, "application/zpl": {"schema": {"type": "string"}}},
    }));
    errors(
        &[
            ("400", "The JSON is not a batch (`bad_batch`, naming the field)."),
            ("422", "Items are invalid (`batch_invalid`, listing every one), unless `partial`."),
        ],
        &mut r,
    );
    json!({"post": {
        "operationId": "batch",
        "summary": "Many symbols in one streamed ZIP, PDF sheet or ZPL stream",
        "tags": ["generate"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
        "responses": r,
    }})
}

fn label() -> Value {
    let mm = json!({"type": "number"});
    // `null` stands for an absent member wherever one may be absent.
    let opt_mm = json!({"type": ["number", "null"]});
    let at = |extra: Value| {
        let mut o = json!({"x_mm": mm, "y_mm": mm});
        o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        o
    };
    let element = |kind: &str, required: &[&str], props: Value| {
        let mut p = at(props);
        p["type"] = json!({"const": kind});
        let mut req = vec!["type", "x_mm", "y_mm"];
        req.extend_from_slice(required);
        json!({"type": "object", "additionalProperties": false, "required": req, "properties": p})
    };
    let rotate = json!({"type": "integer", "enum": [0, 90, 180, 270]});
    let body = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["size", "elements"],
        "properties": {
            "size": {"type": "object", "additionalProperties": false, "properties": {
                "width_mm": opt_mm, "height_mm": opt_mm, "width_in": opt_mm, "height_in": opt_mm}},
            "dpi": {"type": ["integer", "null"], "minimum": DPI.0, "maximum": DPI.1, "default": 203,
                "description": "With ZPL, a printer's: 152, 203, 300 or 600."},
            "format": {"enum": ["zpl", "pdf", "png", null], "default": "zpl"},
            "elements": {"type": "array", "maxItems": super::label::MAX_ELEMENTS, "items": {"oneOf": [
                element("barcode", &["symbology", "data"], json!({
                    "symbology": {"type": "string", "enum": Symbology::all().map(|s| s.spec().name).collect::<Vec<_>>()},
                    "data": {"type": "string", "minLength": 1},
                    "options": options_object(),
                    "rotate": rotate,
                })),
                element("text", &["text", "height_mm"], json!({
                    "text": {"type": "string"}, "height_mm": mm, "width_mm": opt_mm, "rotate": rotate})),
                element("box", &["width_mm", "height_mm"], json!({
                    "width_mm": mm, "height_mm": mm, "thickness_mm": opt_mm})),
                element("line", &["x2_mm", "y2_mm"], json!({
                    "x2_mm": mm, "y2_mm": mm, "thickness_mm": opt_mm})),
            ]}},
        },
    });
    let binary = json!({"schema": {"type": "string", "contentEncoding": "binary"}});
    let mut r = Map::new();
    r.insert(
        "200".into(),
        json!({
            "description": "The label in the format asked for.",
            "content": {"application/zpl": {"schema": {"type": "string"}}, "application/pdf": binary,
                        "image/png": binary},
        }),
    );
    errors(
        &[
            ("400", "The JSON is not a label (`bad_label`, naming the field)."),
            ("422", "An element is invalid or outside the label (its code names the rule)."),
        ],
        &mut r,
    );
    json!({"post": {
        "operationId": "label",
        "summary": "One label laid out from JSON: barcodes, text, boxes and lines",
        "tags": ["generate"],
        "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
        "responses": r,
    }})
}
