//! GraphQL over HTTP to the letter: the rules of the transport that are not GraphQL.
//!
//! - **Media types** ([`negotiate`]): the answer is written in the type the client's
//!   `Accept` prefers — `application/graphql-response+json` or `application/json`, both
//!   UTF-8 (`*/*`, `application/*` and no `Accept` at all give `application/json`, as
//!   legacy clients expect); an `Accept` that allows neither is `406`.
//! - **GET** ([`parse_get`]): `query`, `operationName`, `variables` and `extensions` in the
//!   URL, the last two as JSON; an empty `operationName` is no name.
//! - **Which operation runs** ([`check_operation`], once the document is known for sure:
//!   after persisted queries and the allow-list): over GET only a query may run — a
//!   mutation is `405` with `Allow: POST`, also when it is chosen by `operationName` in a
//!   document of several operations, or sent as a persisted-query hash; subscriptions
//!   run over WebSocket only.
//! - **No `data` before execution** ([`Answer`]): a request that failed before execution
//!   (parse, validation, variables, unknown operation) is answered without a `data`
//!   entry, as the GraphQL spec asks, and with `application/graphql-response+json` as
//!   HTTP 400.
//! - **Uploads** ([`receive_multipart`]): a `multipart/form-data` POST as the GraphQL
//!   multipart request spec writes it (`operations`, `map`, the files), only with a
//!   preflight header ([`has_preflight_header`]: CSRF), a file of at most
//!   `SAMVERKAN_MAX_UPLOAD_BYTES` and the rest of at most `SAMVERKAN_MAX_BODY_BYTES`.
//! - **Refusals outside GraphQL** ([`guard`]): headers over the limit are `431`, and
//!   every error answer the router, the body limit, the timeout or the WebSocket upgrade
//!   would give as plain text or an empty body — `404`, `405`, `408`, `413`, … — is a
//!   GraphQL-shaped JSON error with `extensions.code` instead.

use std::collections::BTreeMap;

use async_graphql::parser::types::OperationType;
use async_graphql::{Request, ServerError};

use crate::error::ErrorCode;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `extensions.code` of the refusals the transport makes (listed in the README), as
/// the one [`ErrorCode`](crate::error::ErrorCode) enum spells them.
pub mod codes {
    use crate::error::ErrorCode;

    /// See [`ErrorCode::BadRequest`].
    pub const BAD_REQUEST: &str = ErrorCode::BadRequest.as_str();
    /// See [`ErrorCode::NotFound`].
    pub const NOT_FOUND: &str = ErrorCode::NotFound.as_str();
    /// See [`ErrorCode::MethodNotAllowed`].
    pub const METHOD_NOT_ALLOWED: &str = ErrorCode::MethodNotAllowed.as_str();
    /// See [`ErrorCode::NotAcceptable`].
    pub const NOT_ACCEPTABLE: &str = ErrorCode::NotAcceptable.as_str();
    /// See [`ErrorCode::RequestTimeout`].
    pub const REQUEST_TIMEOUT: &str = ErrorCode::RequestTimeout.as_str();
    /// See [`ErrorCode::PayloadTooLarge`].
    pub const PAYLOAD_TOO_LARGE: &str = ErrorCode::PayloadTooLarge.as_str();
    /// See [`ErrorCode::UriTooLong`].
    pub const URI_TOO_LONG: &str = ErrorCode::UriTooLong.as_str();
    /// See [`ErrorCode::UnsupportedMediaType`].
    pub const UNSUPPORTED_MEDIA_TYPE: &str = ErrorCode::UnsupportedMediaType.as_str();
    /// See [`ErrorCode::RateLimited`].
    pub const RATE_LIMITED: &str = ErrorCode::RateLimited.as_str();
    /// See [`ErrorCode::RequestHeaderFieldsTooLarge`].
    pub const REQUEST_HEADER_FIELDS_TOO_LARGE: &str =
        ErrorCode::RequestHeaderFieldsTooLarge.as_str();
    /// See [`ErrorCode::Internal`].
    pub const INTERNAL: &str = ErrorCode::Internal.as_str();
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type a GraphQL answer is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    /// `application/graphql-response+json`: status codes carry meaning.
    GraphqlResponse,
    /// `application/json`: the legacy type; well-formed requests are answered `200`.
    Json,
}

impl MediaType {
    /// The `Content-Type` of an answer in this type.
    pub(crate) fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// The media type the client's `Accept` prefers, `None` when it allows neither.
///
/// Per RFC 9110 the most specific range that matches a type gives its weight (`q`); a
/// range with a `charset` other than UTF-8 matches nothing. Of two types with the same
/// weight the more specifically named wins; when both are named exactly,
/// `application/graphql-response+json`, and when both come only from a wildcard,
/// `application/json`. No `Accept` header (or an empty one) is `application/json`.
pub(crate) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    // (specificity, q) of the most specific range matching each type.
    let mut graphql: Option<(u8, f32)> = None;
    let mut json: Option<(u8, f32)> = None;
    let mut any = false;
    for value in headers.get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else {
            continue;
        };
        for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            any = true;
            let Ok(range) = item.parse::<mime::Mime>() else {
                continue;
            };
            let q = match range.get_param("q") {
                None => 1.0,
                Some(q) => match q.as_str().parse::<f32>() {
                    Ok(q) if (0.0..=1.0).contains(&q) => q,
                    _ => continue,
                },
            };
            if range
                .get_param(mime::CHARSET)
                .is_some_and(|c| !c.as_str().eq_ignore_ascii_case("utf-8"))
            {
                continue;
            }
            for (name, slot) in [(GRAPHQL_RESPONSE, &mut graphql), (JSON, &mut json)] {
                let specificity = if range.essence_str().eq_ignore_ascii_case(name) {
                    3
                } else if range.type_() == mime::APPLICATION && range.subtype() == mime::STAR {
                    2
                } else if range.type_() == mime::STAR && range.subtype() == mime::STAR {
                    1
                } else {
                    continue;
                };
                *slot = match *slot {
                    Some((s, old)) if s > specificity || (s == specificity && old >= q) => {
                        Some((s, old))
                    }
                    _ => Some((specificity, q)),
                };
            }
        }
    }
    if !any {
        return Some(MediaType::Json);
    }
    let graphql = graphql.filter(|(_, q)| *q > 0.0);
    let json = json.filter(|(_, q)| *q > 0.0);
    match (graphql, json) {
        (None, None) => None,
        (Some(_), None) => Some(MediaType::GraphqlResponse),
        (None, Some(_)) => Some(MediaType::Json),
        (Some((gs, gq)), Some((js, jq))) => Some(if gq != jq {
            if gq > jq {
                MediaType::GraphqlResponse
            } else {
                MediaType::Json
            }
        } else if gs != js {
            if gs > js {
                MediaType::GraphqlResponse
            } else {
                MediaType::Json
            }
        } else if gs == 3 {
            MediaType::GraphqlResponse
        } else {
            MediaType::Json
        }),
    }
}

/// A GraphQL-shaped error answer: `{"errors":[{"message":…,"extensions":{"code":…}}]}`.
pub(crate) fn refusal(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    media: MediaType,
) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message.into(), "extensions": { "code": code } }]
    });
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    response
}

/// `406`: the client accepts no type the server writes.
pub(crate) fn not_acceptable() -> Response {
    refusal(
        StatusCode::NOT_ACCEPTABLE,
        codes::NOT_ACCEPTABLE,
        "the Accept header allows neither application/graphql-response+json nor application/json",
        MediaType::Json,
    )
}

/// The parameters of a GraphQL request sent with GET.
#[derive(Debug, serde::Deserialize)]
struct GetParams {
    query: Option<String>,
    /// The spec's name; `operation_name` is read too, for clients of earlier versions.
    #[serde(rename = "operationName", alias = "operation_name")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// A GraphQL request from the query component of a GET URL, or what is wrong with it.
pub(crate) fn parse_get(uri: &axum::http::Uri) -> Result<Request, String> {
    let params = axum::extract::Query::<GetParams>::try_from_uri(uri)
        .map_err(|e| format!("not a GraphQL GET request: {}", e.body_text()))?
        .0;
    let json = |name: &str, text: Option<String>| -> Result<serde_json::Value, String> {
        match text {
            None => Ok(serde_json::Value::Null),
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| format!("`{name}` must be a JSON object: {e}")),
        }
    };
    let extensions = json("extensions", params.extensions)?;
    let variables = json("variables", params.variables)?;
    let persisted = extensions.get("persistedQuery").is_some();
    if params.query.is_none() && !persisted {
        return Err("a GraphQL GET request needs `query` (or a persisted-query hash)".into());
    }
    let request = serde_json::json!({
        "query": params.query.unwrap_or_default(),
        "operationName": params.operation_name.filter(|n| !n.is_empty()),
        "variables": variables,
        "extensions": extensions,
    });
    serde_json::from_value(request).map_err(|e| format!("not a GraphQL GET request: {e}"))
}

/// Check the requests of a POST body: each names a `query` (or a persisted-query hash);
/// an empty `operationName` is no name. `body` is the JSON they were read from.
pub(crate) fn check_post(
    body: &[u8],
    batch: &mut async_graphql::BatchRequest,
) -> Result<(), String> {
    let requests = match batch {
        async_graphql::BatchRequest::Single(r) => std::slice::from_mut(r),
        async_graphql::BatchRequest::Batch(rs) => rs.as_mut_slice(),
    };
    let mut unsure = false;
    for request in requests.iter_mut() {
        if request.operation_name.as_deref() == Some("") {
            request.operation_name = None;
        }
        unsure |= request.query.is_empty() && !request.extensions.contains_key("persistedQuery");
    }
    if !unsure {
        return Ok(());
    }
    // Rare: an empty query without a hash. Sent as `""` it is a document that does not
    // parse (a GraphQL error); left out, the request is malformed (400).
    #[derive(serde::Deserialize)]
    struct HasQuery {
        query: Option<serde::de::IgnoredAny>,
    }
    let missing = match serde_json::from_slice::<HasQuery>(body) {
        Ok(one) => one.query.is_none(),
        Err(_) => serde_json::from_slice::<Vec<HasQuery>>(body)
            .map(|all| {
                all.iter().zip(requests.iter()).any(|(shape, request)| {
                    shape.query.is_none() && !request.extensions.contains_key("persistedQuery")
                })
            })
            .unwrap_or(false),
    };
    if missing {
        Err("a GraphQL request needs `query` (or a persisted-query hash)".into())
    } else {
        Ok(())
    }
}

/// The boundary of a `multipart/form-data` request, when the body is one (a
/// `multipart/form-data` without a boundary is no multipart body: it is refused as an
/// unsupported media type, like a cross-site form's other encodings).
pub(crate) fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mime: mime::Mime = value.parse().ok()?;
    if mime.type_() != mime::MULTIPART || mime.subtype() != mime::FORM_DATA {
        return None;
    }
    mime.get_param(mime::BOUNDARY)
        .map(|b| b.as_str().to_owned())
        .filter(|b| !b.is_empty())
}

/// The header fields of which one, not empty, lets a multipart request through: a
/// browser cannot send any of them cross-site without a CORS preflight, which the
/// server answers only for `SAMVERKAN_CORS_ORIGINS`. `GraphQL-Preflight` is the name
/// the GraphQL multipart request spec's clients use (e.g. HotChocolate's, Houdini's);
/// `Apollo-Require-Preflight` and `X-Apollo-Operation-Name` are what Apollo Server's
/// CSRF prevention accepts (Apollo Client's upload link is told to send the first).
pub(crate) const PREFLIGHT_HEADERS: [&str; 3] = [
    "graphql-preflight",
    "apollo-require-preflight",
    "x-apollo-operation-name",
];

/// Whether the request carries a non-empty preflight header ([`PREFLIGHT_HEADERS`]).
pub(crate) fn has_preflight_header(headers: &HeaderMap) -> bool {
    PREFLIGHT_HEADERS.iter().any(|name| {
        headers
            .get_all(*name)
            .iter()
            .any(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace))
    })
}

/// The refusal of a multipart request without a preflight header.
pub(crate) const CSRF_MESSAGE: &str = "a multipart/form-data request (an upload) must carry a \
     non-empty GraphQL-Preflight header (or Apollo-Require-Preflight): a browser can send \
     multipart forms cross-site without asking, so without one the request may be a \
     cross-site request forgery";

/// The limits of a multipart request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UploadLimits {
    /// Largest file (any part other than `operations` and `map`), in bytes.
    pub(crate) max_file_bytes: usize,
    /// Largest rest of the body — `operations`, `map` and the parts' headers — in bytes.
    pub(crate) max_body_bytes: usize,
}

/// Why a multipart request was refused before anything ran.
#[derive(Debug)]
pub(crate) enum MultipartRefusal {
    /// Over a limit (413); the message names it.
    TooLarge(String),
    /// Not a GraphQL multipart request (400); the message says why.
    Malformed(String),
}

/// Read a GraphQL multipart request (spec v2: `operations`, `map`, the files) from
/// `body`, within `limits`: the files are read into memory (each at most
/// `max_file_bytes`, the whole body at most `max_file_bytes + max_body_bytes`, and all
/// but the files at most `max_body_bytes`). Parsing the parts and placing the files in
/// the variables is async-graphql's (`receive_batch_body`, multer).
pub(crate) async fn receive_multipart(
    body: axum::body::Body,
    boundary: String,
    limits: UploadLimits,
) -> Result<async_graphql::BatchRequest, MultipartRefusal> {
    use futures_util::{StreamExt, TryStreamExt};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let whole = limits.max_file_bytes.saturating_add(limits.max_body_bytes);
    let read = Arc::new(AtomicUsize::new(0));
    let over = Arc::new(AtomicBool::new(false));
    let (counted, flagged) = (read.clone(), over.clone());
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        let total = counted.fetch_add(chunk.len(), Ordering::Relaxed) + chunk.len();
        if total > whole {
            flagged.store(true, Ordering::Relaxed);
            return Err(std::io::Error::other("the request body is too large"));
        }
        Ok(chunk)
    });
    let too_large = || {
        MultipartRefusal::TooLarge(format!(
            "an uploaded file may be at most {} bytes (SAMVERKAN_MAX_UPLOAD_BYTES), and the \
             rest of the request at most {} bytes (SAMVERKAN_MAX_BODY_BYTES)",
            limits.max_file_bytes, limits.max_body_bytes
        ))
    };
    let options =
        async_graphql::http::MultipartOptions::default().max_file_size(limits.max_file_bytes);
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let received = async_graphql::http::receive_batch_body(
        Some(content_type),
        stream.into_async_read(),
        options,
    )
    .await;
    let mut batch = match received {
        Ok(batch) => batch,
        Err(_) if over.load(Ordering::Relaxed) => return Err(too_large()),
        Err(async_graphql::ParseRequestError::PayloadTooLarge) => return Err(too_large()),
        Err(err) => {
            return Err(MultipartRefusal::Malformed(format!(
                "not a GraphQL multipart request (parts `operations`, `map`, then the files): {err}"
            )));
        }
    };
    // What is not a file — the operations, the map, the parts' headers — counts as a
    // JSON body does.
    let files: usize = batch
        .iter()
        .flat_map(|r| r.uploads.iter())
        .map(|u| u.content.len())
        .sum();
    if read.load(Ordering::Relaxed).saturating_sub(files) > limits.max_body_bytes {
        return Err(too_large());
    }
    let requests = match &mut batch {
        async_graphql::BatchRequest::Single(r) => std::slice::from_mut(r),
        async_graphql::BatchRequest::Batch(rs) => rs.as_mut_slice(),
    };
    for request in requests {
        if request.operation_name.as_deref() == Some("") {
            request.operation_name = None;
        }
        if request.query.is_empty() && !request.extensions.contains_key("persistedQuery") {
            return Err(MultipartRefusal::Malformed(
                "a GraphQL request needs `query` (or a persisted-query hash)".into(),
            ));
        }
    }
    Ok(batch)
}

/// Why an operation may not run over this method.
#[derive(Debug)]
pub(crate) enum OperationRefusal {
    /// A mutation sent with GET (answered `405`, `Allow: POST`).
    MutationOverGet(ServerError),
    /// A subscription sent over HTTP (a request error: they run over WebSocket).
    NotOverHttp(ServerError),
}

/// Whether the operation `request` chooses may run over HTTP with this method: over GET
/// only a query, over POST a query or a mutation. Call it after the request's document
/// is known for sure — persisted queries and the allow-list resolved, the document
/// parsed; a document that does not parse, or names no operation, is left to the
/// schema to report.
pub(crate) fn check_operation(
    request: &mut Request,
    via_get: bool,
) -> Result<(), OperationRefusal> {
    let name = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else {
        return Ok(());
    };
    match crate::graphql::checks::chosen_operation(doc, name.as_deref()).map(|op| op.node.ty) {
        Some(OperationType::Mutation) if via_get => Err(OperationRefusal::MutationOverGet(
            ErrorCode::MethodNotAllowed.request_error(
                "only queries may be sent with GET: send mutations with POST",
                None,
            ),
        )),
        Some(OperationType::Subscription) => Err(OperationRefusal::NotOverHttp(
            ErrorCode::BadRequest.request_error(
                "subscriptions are served over WebSocket at /graphql/ws (graphql-transport-ws), \
                 not over HTTP",
                None,
            ),
        )),
        _ => Ok(()),
    }
}

/// A response as the client sees it: executed ones as they are, ones that failed
/// before execution without `data`.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum Answer<'a> {
    /// Execution began: `data` (perhaps null) and any errors.
    Executed(&'a async_graphql::Response),
    /// Failed before execution: errors only.
    Refused {
        /// What went wrong.
        errors: &'a [ServerError],
        /// Response extensions, if any.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        extensions: &'a BTreeMap<String, async_graphql::Value>,
    },
}

impl<'a> Answer<'a> {
    /// The answer to `response`; `ran` says whether the schema was asked to run it (false:
    /// refused by the checks before). Inside the schema a request can still fail before
    /// execution — validation, the cost limit, variables, choosing the operation — and
    /// such a response is told apart as the spec tells request errors from field errors:
    /// `data` is null and no error has a `path` (every field error has one).
    pub(crate) fn new(response: &'a async_graphql::Response, ran: bool) -> Self {
        let request_error = !response.errors.is_empty()
            && response.data == async_graphql::Value::Null
            && response.errors.iter().all(|e| e.path.is_empty());
        if response.errors.is_empty() || (ran && !request_error) {
            Self::Executed(response)
        } else {
            Self::Refused {
                errors: &response.errors,
                extensions: &response.extensions,
            }
        }
    }

    /// Whether the request failed before execution.
    pub(crate) fn is_refused(&self) -> bool {
        matches!(self, Self::Refused { .. })
    }
}

/// The limits [`guard`] applies and names in its messages.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// Largest total size of the header fields (names and values), in bytes.
    pub(crate) max_header_bytes: usize,
    /// Largest request body, in bytes.
    pub(crate) max_body_bytes: usize,
    /// Longest a request may run, in seconds.
    pub(crate) timeout_secs: u64,
}

/// Most header fields a request may have. hyper itself refuses more than 100 with a bare
/// `431`; this limit answers below it, with a GraphQL error.
pub(crate) const MAX_HEADER_FIELDS: usize = 64;

/// Middleware: refuse requests whose header fields are too large (`431`), and give every
/// error answer that is not JSON — the router's `404`/`405`, the body limit's `413`, the
/// timeout's `408`, a refused WebSocket upgrade — the GraphQL error shape with a code.
/// The probes (`/healthz`, `/readyz`, `/metrics`) keep their plain-text answers.
pub(crate) async fn guard(
    State(limits): State<Limits>,
    request: axum::extract::Request,
    next: Next,
) -> Response {
    let media = negotiate(request.headers()).unwrap_or(MediaType::Json);
    let headers = request.headers();
    let size: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if size > limits.max_header_bytes || headers.len() > MAX_HEADER_FIELDS {
        return refusal(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            codes::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!(
                "the request's header fields are too large: at most {} bytes and {} fields \
                 are read ({size} bytes, {} fields were sent)",
                limits.max_header_bytes,
                MAX_HEADER_FIELDS,
                headers.len()
            ),
            media,
        );
    }
    let probe = matches!(request.uri().path(), "/healthz" | "/readyz" | "/metrics");
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    if probe || !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let code = match status {
        StatusCode::BAD_REQUEST => codes::BAD_REQUEST,
        StatusCode::NOT_FOUND => codes::NOT_FOUND,
        StatusCode::METHOD_NOT_ALLOWED => codes::METHOD_NOT_ALLOWED,
        StatusCode::NOT_ACCEPTABLE => codes::NOT_ACCEPTABLE,
        StatusCode::REQUEST_TIMEOUT => codes::REQUEST_TIMEOUT,
        StatusCode::PAYLOAD_TOO_LARGE => codes::PAYLOAD_TOO_LARGE,
        StatusCode::URI_TOO_LONG => codes::URI_TOO_LONG,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => codes::UNSUPPORTED_MEDIA_TYPE,
        StatusCode::TOO_MANY_REQUESTS => codes::RATE_LIMITED,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => codes::REQUEST_HEADER_FIELDS_TOO_LARGE,
        s if s.is_server_error() => codes::INTERNAL,
        _ => codes::BAD_REQUEST,
    };
    let message = match status {
        StatusCode::NOT_FOUND => {
            "no such route: GraphQL is served at /graphql (POST, or GET for queries), \
             subscriptions at /graphql/ws"
                .to_owned()
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = parts
                .headers
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("GET, POST");
            format!("{method} is not allowed here: use {allow}")
        }
        StatusCode::REQUEST_TIMEOUT => format!(
            "the request took longer than {} s and was stopped; nothing it wrote was kept",
            limits.timeout_secs
        ),
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is larger than {} bytes",
            limits.max_body_bytes
        ),
        s if s.is_server_error() => "internal error".to_owned(),
        s => {
            // An extractor's rejection (e.g. a refused WebSocket upgrade): its text.
            let text = axum::body::to_bytes(body, 4096)
                .await
                .ok()
                .and_then(|b| String::from_utf8(b.to_vec()).ok())
                .filter(|t| !t.trim().is_empty());
            text.unwrap_or_else(|| s.canonical_reason().unwrap_or("refused").to_owned())
        }
    };
    let shaped = refusal(status, code, message, media);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, media.content_type());
    Response::from_parts(parts, shaped.into_body())
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            let t = t.trim();
            t.eq_ignore_ascii_case(JSON) || t.eq_ignore_ascii_case(GRAPHQL_RESPONSE)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        negotiate(&headers)
    }

    #[test]
    fn accept_chooses_the_preferred_type() {
        use MediaType::{GraphqlResponse as G, Json as J};
        assert_eq!(negotiate(&HeaderMap::new()), Some(J));
        assert_eq!(accept("*/*"), Some(J));
        assert_eq!(accept("application/*"), Some(J));
        assert_eq!(accept("application/json"), Some(J));
        assert_eq!(accept("application/graphql-response+json"), Some(G));
        assert_eq!(
            accept(
                "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8"
            ),
            Some(G)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(G)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.9, application/json"),
            Some(J)
        );
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(G)
        );
        assert_eq!(accept("application/graphql-response+json, */*"), Some(G));
        assert_eq!(accept("text/html, */*;q=0.8"), Some(J));
        assert_eq!(accept("application/json;q=0, */*"), Some(G));
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json; charset=utf-16"), None);
        assert_eq!(accept("application/xml, image/png"), None);
    }

    /// The type of the operation GetOperation chooses.
    fn chosen_operation(
        doc: &async_graphql::parser::types::ExecutableDocument,
        name: Option<&str>,
    ) -> Option<OperationType> {
        crate::graphql::checks::chosen_operation(doc, name).map(|op| op.node.ty)
    }

    #[test]
    fn get_operation_is_chosen_as_the_spec_says() {
        let doc = async_graphql::parser::parse_query(
            "query A { a } mutation B { b } subscription C { c }",
        )
        .unwrap();
        assert_eq!(
            chosen_operation(&doc, Some("A")),
            Some(OperationType::Query)
        );
        assert_eq!(
            chosen_operation(&doc, Some("B")),
            Some(OperationType::Mutation)
        );
        assert_eq!(
            chosen_operation(&doc, Some("C")),
            Some(OperationType::Subscription)
        );
        assert_eq!(chosen_operation(&doc, Some("D")), None);
        assert_eq!(chosen_operation(&doc, None), None);
        let one = async_graphql::parser::parse_query("mutation M { b }").unwrap();
        assert_eq!(chosen_operation(&one, None), Some(OperationType::Mutation));
        let anonymous = async_graphql::parser::parse_query("{ a }").unwrap();
        assert_eq!(
            chosen_operation(&anonymous, None),
            Some(OperationType::Query)
        );
        assert_eq!(chosen_operation(&anonymous, Some("A")), None);
    }
}
