//! API errors: one enum, each variant mapped to an HTTP status and a stable machine code,
//! with a message that names the field and the limit. Rendered as JSON
//! `{"error": "...", "code": "..."}`.

use crate::http::encode::Status;
use crate::reader::DecodeError;
use crate::render::RenderError;
use crate::symbology::DataError;

/// Everything a request can be refused for.
/// The codes of a label's own 422s (`api::label`; an element's data or options carry the
/// code a single request would), listed in `/openapi.json` through `ApiError::samples`.
pub mod label_codes {
    pub const BAD_LENGTH: &str = "bad_length";
    pub const BAD_TEXT: &str = "bad_text";
    pub const BAD_LINE: &str = "bad_line";
    pub const LABEL_INVALID: &str = "label_invalid";
    pub const ALL: &[&str] = &[BAD_LENGTH, BAD_TEXT, BAD_LINE, LABEL_INVALID];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Data(DataError),
    Render(RenderError),
    UnknownOption(String),
    BadOption {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    DuplicateOption(String),
    ConflictingOptions {
        a: &'static str,
        b: &'static str,
    },
    OptionNotApplicable {
        name: &'static str,
        symbology: &'static str,
    },
    BadPercentEncoding {
        field: &'static str,
        offset: usize,
    },
    ControlChar {
        field: &'static str,
        pos: usize,
    },
    MissingData,
    MissingCode,
    Decode(DecodeError),
    DecodeBusy {
        capacity: usize,
    },
    DecodeBudget {
        ms: u64,
    },
    /// The decode worker process ended without answering (how it ended).
    DecoderCrashed(String),
    /// No decode worker process could be started.
    DecoderUnavailable(String),
    CodeTooLong {
        length: usize,
        max: usize,
    },
    DataTwice,
    UnknownSymbology(String),
    UnknownFormat(String),
    NotFound,
    MethodNotAllowed {
        allow: &'static str,
    },
    BodyTooLarge {
        length: u64,
        max: usize,
    },
    /// `Transfer-Encoding` that does not end in one `chunked`, or on HTTP/1.0.
    BadTransferEncoding,
    /// A transfer coding we do not implement (only `chunked` is).
    UnsupportedTransferCoding,
    /// Both `Content-Length` and `Transfer-Encoding`.
    LengthWithTransferEncoding,
    /// `Expect` with anything but `100-continue`.
    ExpectationFailed,
    /// A chunked body's framing is wrong; says where.
    BadChunk(&'static str),
    TrailersTooLarge {
        max: usize,
    },
    /// A text field that is not UTF-8 once percent-decoded.
    NotUtf8 {
        field: &'static str,
    },
    UriTooLong {
        max: usize,
    },
    HeadersTooLarge {
        max: usize,
    },
    TooManyHeaders {
        max: usize,
    },
    Malformed(&'static str),
    BadContentLength,
    VersionNotSupported,
    /// A breaker is open, a budget is spent or memory is high: nothing was rendered.
    Degraded {
        class: &'static str,
        why: &'static str,
        retry_after: u64,
    },
    /// An admission limit is reached: refused at once.
    Overloaded {
        what: &'static str,
        capacity: usize,
    },
    /// A render class's concurrency limit on this core is reached (`--concurrency-limit`).
    ConcurrencyLimit {
        class: &'static str,
        limit: u32,
    },
    /// This client started more cold requests on this core than `--client-rate` allows.
    ClientRate {
        rate: u32,
        retry_after: u64,
    },
    Forbidden(&'static str),
    /// `--require-api-key` and the request presents no key.
    KeyRequired,
    /// The request presents a key the keys file does not hold.
    KeyInvalid,
    /// The key may not use this route class: the class and the ones it may use.
    KeyRoute {
        route: &'static str,
        allowed: String,
    },
    /// The key's quota is spent: the request's cost and when there is enough again.
    KeyRate {
        cost: u64,
        retry_after: u64,
    },
    /// The request costs more than the key's burst: it can never be admitted.
    KeyCost {
        cost: u64,
        burst: u64,
    },
    ReloadFailed(String),
    /// A business switch refuses this request (`refuse`, `no-decode`, `no-batch`).
    Switched {
        retry_after: u64,
    },
    /// A switch body that cannot be stored: the field and why.
    BadSwitch(String),
    /// No switch of that name.
    SwitchNotFound(String),
    /// More switches than `switch::MAX_SWITCHES`.
    TooManySwitches {
        max: usize,
    },
    /// The switches file could not be written: nothing changed.
    SwitchesNotSaved(String),
    /// A CPU profile is already being taken.
    ProfileRunning,
    /// The profiler could not run or encode.
    ProfileFailed(String),
    /// A batch whose shape is wrong (not an item's options: those are the errors above).
    BadBatch(String),
    /// More items than `--batch-max-items`.
    BatchTooLarge {
        items: usize,
        max: usize,
    },
    /// Items that cannot be made, each with its index: every one is listed.
    BatchInvalid(Vec<(usize, ApiError)>),
    /// A label body whose shape is wrong.
    BadLabel(String),
    /// A label element that cannot be drawn where it is: its index, why, and the code
    /// (its data's own, or `label_invalid` for its place).
    LabelInvalid {
        index: usize,
        why: String,
        code: &'static str,
    },
}

impl ApiError {
    /// One error of every kind (data and decode errors of every kind among them): the codes
    /// and statuses an answer can carry, for `catalogue`. A test holds it to the enums.
    pub fn samples() -> Vec<ApiError> {
        let t = String::new;
        let mut v = vec![
            ApiError::Render(RenderError::TooManyPixels { width: 1, height: 1, max: 0 }),
            ApiError::UnknownOption(t()),
            ApiError::BadOption { name: "scale", value: t(), expected: "" },
            ApiError::DuplicateOption(t()),
            ApiError::ConflictingOptions { a: "xdim", b: "scale" },
            ApiError::OptionNotApplicable { name: "ecc", symbology: "ean13" },
            ApiError::BadPercentEncoding { field: "data", offset: 0 },
            ApiError::ControlChar { field: "data", pos: 0 },
            ApiError::MissingData,
            ApiError::MissingCode,
            ApiError::DecodeBusy { capacity: 1 },
            ApiError::DecodeBudget { ms: 1 },
            ApiError::DecoderCrashed(t()),
            ApiError::DecoderUnavailable(t()),
            ApiError::CodeTooLong { length: 2, max: 1 },
            ApiError::DataTwice,
            ApiError::UnknownSymbology(t()),
            ApiError::UnknownFormat(t()),
            ApiError::NotFound,
            ApiError::MethodNotAllowed { allow: "GET" },
            ApiError::BodyTooLarge { length: 2, max: 1 },
            ApiError::BadTransferEncoding,
            ApiError::UnsupportedTransferCoding,
            ApiError::LengthWithTransferEncoding,
            ApiError::ExpectationFailed,
            ApiError::BadChunk(""),
            ApiError::TrailersTooLarge { max: 1 },
            ApiError::NotUtf8 { field: "data" },
            ApiError::UriTooLong { max: 1 },
            ApiError::HeadersTooLarge { max: 1 },
            ApiError::TooManyHeaders { max: 1 },
            ApiError::Malformed(""),
            ApiError::BadContentLength,
            ApiError::VersionNotSupported,
            ApiError::Degraded { class: "", why: "", retry_after: 1 },
            ApiError::Overloaded { what: "", capacity: 1 },
            ApiError::ConcurrencyLimit { class: "", limit: 1 },
            ApiError::ClientRate { rate: 1, retry_after: 1 },
            ApiError::Forbidden(""),
            ApiError::KeyRequired,
            ApiError::KeyInvalid,
            ApiError::KeyRoute { route: "", allowed: t() },
            ApiError::KeyRate { cost: 1, retry_after: 1 },
            ApiError::KeyCost { cost: 2, burst: 1 },
            ApiError::ReloadFailed(t()),
            ApiError::Switched { retry_after: 1 },
            ApiError::BadSwitch(t()),
            ApiError::SwitchNotFound(t()),
            ApiError::TooManySwitches { max: 1 },
            ApiError::SwitchesNotSaved(t()),
            ApiError::ProfileRunning,
            ApiError::ProfileFailed(t()),
            ApiError::BadBatch(t()),
            ApiError::BatchTooLarge { items: 2, max: 1 },
            ApiError::BatchInvalid(Vec::new()),
            ApiError::BadLabel(t()),
        ];
        v.extend(label_codes::ALL.iter().map(|&code| ApiError::LabelInvalid { index: 0, why: t(), code }));
        v.extend(
            [
                DataError::Empty,
                DataError::NotUtf8,
                DataError::Length { symbology: "", expected: "", got: 0 },
                DataError::TooLong { symbology: "", max: 0, got: 1, unit: "" },
                DataError::BadChar { symbology: "", pos: 0, ch: ' ', allowed: "" },
                DataError::CheckDigit { expected: 0, found: 1 },
                DataError::Capacity { got: 1, max: 0, ecc: 'L', mode: "" },
                DataError::Capacity2d { symbology: "", got: 1, limit: "" },
                DataError::Capacity2dAt { symbology: "", got: 1, max: 0, kind: "", setting: t() },
                DataError::QrVersion { got: 1, version: 1, ecc: 'L' },
                DataError::NoUpcE,
                DataError::Addon(""),
                DataError::Gs1(t()),
                DataError::Codabar(""),
                DataError::Needs { symbology: "", what: "" },
                DataError::OutOfRange { symbology: "", rule: "", got: t() },
                DataError::EncoderFailed { symbology: "" },
            ]
            .into_iter()
            .map(ApiError::Data),
        );
        v.extend(
            [
                DecodeError::Base64(t()),
                DecodeError::Base64TooLong { length: 2, max: 1 },
                DecodeError::UnknownFormat,
                DecodeError::TooLarge { width: 1, height: 1, max_side: 0, max_pixels: 0 },
                DecodeError::Corrupt(t()),
            ]
            .into_iter()
            .map(ApiError::Decode),
        );
        v
    }

    /// Every `code` an error answer carries, with its statuses, sorted: what
    /// `/openapi.json` lists.
    pub fn catalogue() -> Vec<(&'static str, Vec<u16>)> {
        let mut out: Vec<(&'static str, Vec<u16>)> = Vec::new();
        for e in Self::samples() {
            let st = e.status().code();
            match out.iter_mut().find(|(c, _)| *c == e.code()) {
                Some((_, sts)) if !sts.contains(&st) => sts.push(st),
                Some(_) => {}
                None => out.push((e.code(), vec![st])),
            }
        }
        out.sort();
        out
    }
}

impl ApiError {
    pub fn status(&self) -> Status {
        match self {
            ApiError::UnknownSymbology(_) | ApiError::UnknownFormat(_) | ApiError::NotFound => Status::NotFound,
            ApiError::MethodNotAllowed { .. } => Status::MethodNotAllowed,
            ApiError::BodyTooLarge { .. } | ApiError::BatchTooLarge { .. } => Status::PayloadTooLarge,
            ApiError::BatchInvalid(_) | ApiError::LabelInvalid { .. } => Status::UnprocessableContent,
            ApiError::UnsupportedTransferCoding => Status::NotImplemented,
            ApiError::ExpectationFailed => Status::ExpectationFailed,
            ApiError::TrailersTooLarge { .. } => Status::HeadersTooLarge,
            ApiError::UriTooLong { .. } => Status::UriTooLong,
            ApiError::HeadersTooLarge { .. } | ApiError::TooManyHeaders { .. } => Status::HeadersTooLarge,
            ApiError::VersionNotSupported => Status::VersionNotSupported,
            ApiError::DecoderCrashed(_) => Status::Internal,
            ApiError::DecodeBusy { .. }
            | ApiError::DecodeBudget { .. }
            | ApiError::DecoderUnavailable(_)
            | ApiError::Degraded { .. }
            | ApiError::Switched { .. }
            | ApiError::Overloaded { .. }
            | ApiError::ConcurrencyLimit { .. } => Status::ServiceUnavailable,
            ApiError::SwitchNotFound(_) => Status::NotFound,
            ApiError::TooManySwitches { .. } => Status::UnprocessableContent,
            ApiError::SwitchesNotSaved(_) | ApiError::ProfileFailed(_) => Status::Internal,
            ApiError::ProfileRunning => Status::Conflict,
            ApiError::ClientRate { .. } | ApiError::KeyRate { .. } => Status::TooManyRequests,
            ApiError::Forbidden(_) | ApiError::KeyRoute { .. } => Status::Forbidden,
            ApiError::KeyRequired | ApiError::KeyInvalid => Status::Unauthorized,
            ApiError::KeyCost { .. } => Status::PayloadTooLarge,
            ApiError::ReloadFailed(_) | ApiError::Data(DataError::EncoderFailed { .. }) => Status::Internal,
            ApiError::Decode(DecodeError::Base64TooLong { .. }) => Status::PayloadTooLarge,
            ApiError::Decode(DecodeError::TooLarge { .. } | DecodeError::Corrupt(_)) => Status::UnprocessableContent,
            _ => Status::BadRequest,
        }
    }

    /// Seconds for `Retry-After`, on the 503s that have one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::DecodeBusy { .. }
            | ApiError::DecodeBudget { .. }
            | ApiError::DecoderUnavailable(_)
            | ApiError::Overloaded { .. }
            | ApiError::ConcurrencyLimit { .. } => Some(1),
            ApiError::Degraded { retry_after, .. }
            | ApiError::ClientRate { retry_after, .. }
            | ApiError::KeyRate { retry_after, .. }
            | ApiError::Switched { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Data(d) => d.code(),
            ApiError::Render(_) => "image_too_large",
            ApiError::UnknownOption(_) => "unknown_option",
            ApiError::BadOption { .. } => "bad_option",
            ApiError::DuplicateOption(_) => "duplicate_option",
            ApiError::ConflictingOptions { .. } => "conflicting_options",
            ApiError::OptionNotApplicable { .. } => "option_not_applicable",
            ApiError::BadPercentEncoding { .. } => "bad_percent_encoding",
            ApiError::ControlChar { .. } => "control_character",
            ApiError::MissingData => "missing_data",
            ApiError::MissingCode => "missing_code",
            ApiError::Decode(DecodeError::Base64(_)) => "bad_base64",
            ApiError::Decode(DecodeError::Base64TooLong { .. }) => "image_too_large",
            ApiError::Decode(DecodeError::UnknownFormat) => "unknown_image_format",
            ApiError::Decode(DecodeError::TooLarge { .. }) => "image_dimensions",
            ApiError::Decode(DecodeError::Corrupt(_)) => "image_corrupt",
            ApiError::DecodeBusy { .. } => "decode_busy",
            ApiError::DecodeBudget { .. } => "decode_budget",
            ApiError::DecoderCrashed(_) => "decoder_crashed",
            ApiError::DecoderUnavailable(_) => "decoder_unavailable",
            ApiError::CodeTooLong { .. } => "code_too_long",
            ApiError::DataTwice => "data_twice",
            ApiError::UnknownSymbology(_) => "unknown_symbology",
            ApiError::UnknownFormat(_) => "unknown_format",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::BadTransferEncoding => "bad_transfer_encoding",
            ApiError::UnsupportedTransferCoding => "unsupported_transfer_coding",
            ApiError::LengthWithTransferEncoding => "length_with_transfer_encoding",
            ApiError::ExpectationFailed => "expectation_failed",
            ApiError::BadChunk(_) => "bad_chunked_body",
            ApiError::TrailersTooLarge { .. } => "trailers_too_large",
            ApiError::NotUtf8 { .. } => "not_utf8",
            ApiError::UriTooLong { .. } => "uri_too_long",
            ApiError::HeadersTooLarge { .. } => "headers_too_large",
            ApiError::TooManyHeaders { .. } => "too_many_headers",
            ApiError::Malformed(_) => "malformed_request",
            ApiError::BadContentLength => "bad_content_length",
            ApiError::VersionNotSupported => "http_version_not_supported",
            ApiError::Degraded { .. } => "degraded",
            ApiError::Overloaded { .. } | ApiError::ConcurrencyLimit { .. } => "overloaded",
            ApiError::ClientRate { .. } => "client_rate",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::KeyRequired => "api_key_required",
            ApiError::KeyInvalid => "api_key_invalid",
            ApiError::KeyRoute { .. } => "api_key_route",
            ApiError::KeyRate { .. } => "api_key_rate",
            ApiError::KeyCost { .. } => "api_key_cost",
            ApiError::ReloadFailed(_) => "reload_failed",
            ApiError::Switched { .. } => "switched_off",
            ApiError::BadSwitch(_) => "bad_switch",
            ApiError::SwitchNotFound(_) => "switch_not_found",
            ApiError::TooManySwitches { .. } => "too_many_switches",
            ApiError::SwitchesNotSaved(_) => "switches_not_saved",
            ApiError::ProfileRunning => "profile_running",
            ApiError::ProfileFailed(_) => "profile_failed",
            ApiError::BadBatch(_) => "bad_batch",
            ApiError::BatchTooLarge { .. } => "batch_too_large",
            ApiError::BatchInvalid(_) => "batch_invalid",
            ApiError::BadLabel(_) => "bad_label",
            ApiError::LabelInvalid { code, .. } => code,
        }
    }

    pub fn message(&self) -> String {
        match self {
            ApiError::Data(d) => d.to_string(),
            ApiError::Render(r) => r.to_string(),
            ApiError::UnknownOption(n) => {
                format!("{n}: unknown option; see /v1/symbologies for the options of each symbology")
            }
            ApiError::BadOption { name, value, expected } => {
                format!("{name}: {value:?} is not valid; expected {expected}")
            }
            ApiError::DuplicateOption(n) => format!("{n}: given more than once"),
            ApiError::ConflictingOptions { a, b } => format!("{a}: cannot be combined with {b}; give one of them"),
            ApiError::OptionNotApplicable { name, symbology } => {
                format!("{name}: not an option of {symbology}")
            }
            ApiError::BadPercentEncoding { field, offset } => {
                format!("{field}: bad percent-encoding at byte {offset}")
            }
            ApiError::ControlChar { field, pos } => {
                format!("{field}: control character at position {pos}")
            }
            ApiError::MissingData => "data: missing; give it in the path, as ?data=, or as the POST body".into(),
            ApiError::MissingCode => "code: missing or empty; give ?code= or the code as the POST body".into(),
            ApiError::Decode(d) => d.to_string(),
            ApiError::DecodeBusy { capacity } => format!("decode: all {capacity} decode slots are busy; retry shortly"),
            ApiError::DecodeBudget { ms } => format!("decode: took longer than the budget of {ms} ms"),
            ApiError::DecoderCrashed(how) => {
                format!("decode: the decoder failed on this image ({how}); it was restarted and other requests are unaffected")
            }
            ApiError::DecoderUnavailable(e) => format!("decode: no decoder process could be started ({e})"),
            ApiError::CodeTooLong { length, max } => format!("code: {length} bytes exceeds the limit of {max} bytes"),
            ApiError::DataTwice => "data: given both in the path and in the query".into(),
            ApiError::UnknownSymbology(s) => {
                format!("symbology: unknown {s:?}; GET /v1/symbologies lists them")
            }
            ApiError::UnknownFormat(s) => {
                let known: Vec<&str> = crate::render::formats::Format::all().map(|f| f.ext()).collect();
                format!("format: unknown {s:?}; use .{}", known.join(", ."))
            }
            ApiError::NotFound => "not found".into(),
            ApiError::MethodNotAllowed { allow } => format!("method not allowed; allowed: {allow}"),
            ApiError::BodyTooLarge { length, max } => {
                format!("body: {length} bytes exceeds the limit of {max} bytes")
            }
            ApiError::BadTransferEncoding => {
                "transfer-encoding: the final coding must be chunked, given once, on HTTP/1.1 (RFC 9112 6.3)".into()
            }
            ApiError::UnsupportedTransferCoding => "transfer-encoding: only chunked is implemented".into(),
            ApiError::LengthWithTransferEncoding => {
                "content-length: not allowed together with transfer-encoding (RFC 9112 6.3)".into()
            }
            ApiError::ExpectationFailed => "expect: only 100-continue is supported".into(),
            ApiError::BadChunk(what) => format!("body: malformed chunked encoding ({what})"),
            ApiError::TrailersTooLarge { max } => format!("trailers: exceed the limit of {max} bytes"),
            ApiError::NotUtf8 { field } => format!("{field}: not valid UTF-8"),
            ApiError::UriTooLong { max } => format!("uri: longer than the limit of {max} bytes"),
            ApiError::HeadersTooLarge { max } => {
                format!("headers: block exceeds the limit of {max} bytes")
            }
            ApiError::TooManyHeaders { max } => format!("headers: more than {max} fields"),
            ApiError::Malformed(what) => format!("request: malformed {what}"),
            ApiError::BadContentLength => "content-length: invalid or conflicting".into(),
            ApiError::VersionNotSupported => "request: only HTTP/1.0 and HTTP/1.1 are served".into(),
            ApiError::Degraded { class, why, retry_after } => {
                format!("{class}: degraded ({why}); nothing was rendered, retry in {retry_after} s")
            }
            ApiError::ConcurrencyLimit { class, limit } => format!(
                "{class}: this core's concurrency limit ({limit} in flight, adaptive) is reached; retry shortly"
            ),
            ApiError::Overloaded { what, capacity } => {
                format!("{what}: all {capacity} slots of this core are taken; retry shortly")
            }
            ApiError::ClientRate { rate, retry_after } => format!(
                "too many uncached requests from this client: at most {rate} per second per core; retry in {retry_after} s"
            ),
            ApiError::Forbidden(why) => format!("forbidden: {why}"),
            ApiError::KeyRequired => {
                "an API key is required: send Authorization: Bearer <key> or X-Api-Key: <key>".to_string()
            }
            ApiError::KeyInvalid => "the API key is not valid (unknown, or sent with spaces or quotes)".to_string(),
            ApiError::KeyRoute { route, allowed } => {
                format!("this API key may not use the {route} routes; it may use: {allowed}")
            }
            ApiError::KeyRate { cost, retry_after } => format!(
                "this API key's quota is spent: this request costs {cost} units; retry in {retry_after} s (RateLimit says what is left)"
            ),
            ApiError::KeyCost { cost, burst } => format!(
                "this request costs {cost} quota units, more than this API key's burst of {burst}: send smaller batches"
            ),
            ApiError::ReloadFailed(why) => format!("reload: {why}; the previous pool stays in service"),
            ApiError::Switched { retry_after } => {
                format!("refused: this service is switched off for this request by its operators; retry in {retry_after} s")
            }
            ApiError::BadSwitch(why) => format!("switch: {why}"),
            ApiError::SwitchNotFound(name) => format!("switch: no switch named {name:?}"),
            ApiError::TooManySwitches { max } => format!("switch: at most {max} switches may be defined"),
            ApiError::SwitchesNotSaved(why) => format!("switches: not saved ({why}); nothing changed"),
            ApiError::ProfileRunning => "profile: one is being taken; retry when it ends".into(),
            ApiError::ProfileFailed(why) => format!("profile: {why}"),
            ApiError::BadBatch(why) => format!("batch: {why}"),
            ApiError::BatchTooLarge { items, max } => format!("items: {items} exceeds the limit of {max} per batch"),
            ApiError::BadLabel(why) => format!("label: {why}"),
            ApiError::LabelInvalid { index, why, .. } => format!("elements[{index}]: {why}"),
            ApiError::BatchInvalid(items) => {
                format!("batch: {} item(s) cannot be made; nothing was rendered (\"partial\": true skips them)", items.len())
            }
        }
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        let mut s = String::with_capacity(96);
        s.push_str("{\"error\":");
        json_str(&self.message(), &mut s);
        s.push_str(",\"code\":");
        json_str(self.code(), &mut s);
        if let ApiError::BatchInvalid(items) = self {
            s.push_str(",\"items\":[");
            for (n, (index, e)) in items.iter().enumerate() {
                if n > 0 {
                    s.push(',');
                }
                s.push_str("{\"index\":");
                s.push_str(itoa::Buffer::new().format(*index));
                s.push_str(",\"error\":");
                json_str(&e.message(), &mut s);
                s.push_str(",\"code\":");
                json_str(e.code(), &mut s);
                s.push('}');
            }
            s.push(']');
        }
        s.push('}');
        s
    }
}

impl From<DataError> for ApiError {
    fn from(e: DataError) -> Self {
        ApiError::Data(e)
    }
}

impl From<RenderError> for ApiError {
    fn from(e: RenderError) -> Self {
        ApiError::Render(e)
    }
}

/// Appends `v` as a JSON string literal.
pub fn json_str(v: &str, out: &mut String) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind of an error, by an exhaustive match: a new variant does not compile until it
    /// has a number here, and `samples` must then hold one of it.
    fn kind(e: &ApiError) -> usize {
        match e {
            ApiError::Data(..) => 0,
            ApiError::Render(..) => 1,
            ApiError::UnknownOption(..) => 2,
            ApiError::BadOption { .. } => 3,
            ApiError::DuplicateOption(..) => 4,
            ApiError::ConflictingOptions { .. } => 5,
            ApiError::OptionNotApplicable { .. } => 6,
            ApiError::BadPercentEncoding { .. } => 7,
            ApiError::ControlChar { .. } => 8,
            ApiError::MissingData => 9,
            ApiError::MissingCode => 10,
            ApiError::Decode(..) => 11,
            ApiError::DecodeBusy { .. } => 12,
            ApiError::DecodeBudget { .. } => 13,
            ApiError::DecoderCrashed(..) => 14,
            ApiError::DecoderUnavailable(..) => 15,
            ApiError::CodeTooLong { .. } => 16,
            ApiError::DataTwice => 17,
            ApiError::UnknownSymbology(..) => 18,
            ApiError::UnknownFormat(..) => 19,
            ApiError::NotFound => 20,
            ApiError::MethodNotAllowed { .. } => 21,
            ApiError::BodyTooLarge { .. } => 22,
            ApiError::BadTransferEncoding => 23,
            ApiError::UnsupportedTransferCoding => 24,
            ApiError::LengthWithTransferEncoding => 25,
            ApiError::ExpectationFailed => 26,
            ApiError::BadChunk(..) => 27,
            ApiError::TrailersTooLarge { .. } => 28,
            ApiError::NotUtf8 { .. } => 29,
            ApiError::UriTooLong { .. } => 30,
            ApiError::HeadersTooLarge { .. } => 31,
            ApiError::TooManyHeaders { .. } => 32,
            ApiError::Malformed(..) => 33,
            ApiError::BadContentLength => 34,
            ApiError::VersionNotSupported => 35,
            ApiError::Degraded { .. } => 36,
            ApiError::Overloaded { .. } => 37,
            ApiError::ConcurrencyLimit { .. } => 38,
            ApiError::ClientRate { .. } => 39,
            ApiError::Forbidden(..) => 40,
            ApiError::ReloadFailed(..) => 41,
            ApiError::Switched { .. } => 42,
            ApiError::BadSwitch(..) => 43,
            ApiError::SwitchNotFound(..) => 44,
            ApiError::TooManySwitches { .. } => 45,
            ApiError::SwitchesNotSaved(..) => 46,
            ApiError::ProfileRunning => 47,
            ApiError::ProfileFailed(..) => 48,
            ApiError::BadBatch(..) => 49,
            ApiError::BatchTooLarge { .. } => 50,
            ApiError::BatchInvalid(..) => 51,
            ApiError::BadLabel(..) => 52,
            ApiError::LabelInvalid { .. } => 53,
            ApiError::KeyRequired => 54,
            ApiError::KeyInvalid => 55,
            ApiError::KeyRoute { .. } => 56,
            ApiError::KeyRate { .. } => 57,
            ApiError::KeyCost { .. } => 58,
        }
    }

    fn data_kind(e: &DataError) -> usize {
        match e {
            DataError::Empty => 0,
            DataError::NotUtf8 => 1,
            DataError::Length { .. } => 2,
            DataError::TooLong { .. } => 3,
            DataError::BadChar { .. } => 4,
            DataError::CheckDigit { .. } => 5,
            DataError::Capacity { .. } => 6,
            DataError::Capacity2d { .. } => 7,
            DataError::Capacity2dAt { .. } => 8,
            DataError::QrVersion { .. } => 9,
            DataError::NoUpcE => 10,
            DataError::Addon(..) => 11,
            DataError::Gs1(..) => 12,
            DataError::Codabar(..) => 13,
            DataError::Needs { .. } => 14,
            DataError::OutOfRange { .. } => 15,
            DataError::EncoderFailed { .. } => 16,
        }
    }

    fn decode_kind(e: &DecodeError) -> usize {
        match e {
            DecodeError::Base64(..) => 0,
            DecodeError::Base64TooLong { .. } => 1,
            DecodeError::UnknownFormat => 2,
            DecodeError::TooLarge { .. } => 3,
            DecodeError::Corrupt(..) => 4,
        }
    }

    #[test]
    fn samples_hold_every_kind_and_the_catalogue_every_code() {
        let samples = ApiError::samples();
        let kinds: std::collections::BTreeSet<usize> = samples.iter().map(kind).collect();
        assert_eq!(kinds.len(), 59, "a kind of ApiError has no sample");
        let data: std::collections::BTreeSet<usize> =
            samples.iter().filter_map(|e| if let ApiError::Data(d) = e { Some(data_kind(d)) } else { None }).collect();
        assert_eq!(data.len(), 17, "a kind of DataError has no sample");
        let decode: std::collections::BTreeSet<usize> = samples
            .iter()
            .filter_map(|e| if let ApiError::Decode(d) = e { Some(decode_kind(d)) } else { None })
            .collect();
        assert_eq!(decode.len(), 5, "a kind of DecodeError has no sample");
        let cat = ApiError::catalogue();
        for e in &samples {
            let entry = cat.iter().find(|(c, _)| *c == e.code()).expect("listed");
            assert!(entry.1.contains(&e.status().code()), "{}", e.code());
        }
        assert!(cat.iter().any(|(c, s)| *c == "check_digit" && s == &[400]));
        assert!(cat.iter().any(|(c, s)| *c == "overloaded" && s == &[503]));
    }

    #[test]
    fn json_shape_and_status() {
        let e = ApiError::BadOption { name: "scale", value: "0\"".into(), expected: "an integer 1-50" };
        assert_eq!(e.status().code(), 400);
        let b = e.body();
        assert!(b.starts_with("{\"error\":\"scale: \\\"0\\\\\\\"\\\" is not valid"), "{b}");
        assert!(b.ends_with(",\"code\":\"bad_option\"}"));
        assert_eq!(ApiError::UnknownSymbology("x".into()).status().code(), 404);
    }
}
