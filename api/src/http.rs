//! The HTTP surface: GraphQL over HTTP (with the transport rules that keep it safe to
//! expose), health, readiness and metrics. GraphQL over WebSocket is [`crate::ws`].
//!
//! Transport rules (GraphQL-over-HTTP; the details live in [`crate::transport`]):
//! - `POST /graphql` takes `Content-Type: application/json` (UTF-8) only (anything else:
//!   415), a body of at most `SAMVERKAN_MAX_BODY_BYTES` (413), a single operation or a
//!   batch of at most `SAMVERKAN_MAX_BATCH` (400 before anything runs); a request without
//!   `query` (and without a persisted-query hash) is 400;
//! - `GET /graphql?query=…&operationName=…&variables=…` runs queries only — a mutation
//!   over GET is 405 with `Allow: POST`, so a link or an image tag cannot change anything
//!   (CSRF); `GET /graphql` from a browser without a query serves GraphiQL when enabled
//!   (every asset from the binary: [`crate::graphiql`]);
//! - answers are in the type `Accept` prefers: `application/graphql-response+json`
//!   (then a request that fails before execution is HTTP 400) or `application/json`
//!   (always 200 once the request is well-formed); none of them: 406. A request that
//!   fails before execution is answered without `data`;
//! - every GraphQL request needs a bearer token (401), and a token may make at most
//!   `SAMVERKAN_RATE_LIMIT_PER_MINUTE` requests per minute per replica (429 with
//!   `Retry-After`);
//! - uploads: `POST /graphql` also takes `multipart/form-data` as the [GraphQL multipart
//!   request spec](https://github.com/jaydenseric/graphql-multipart-request-spec) writes
//!   it (parts `operations`, `map`, then the files: what Apollo's and urql's upload links
//!   send), only with a non-empty preflight header (`GraphQL-Preflight`,
//!   `Apollo-Require-Preflight` or `X-Apollo-Operation-Name`; without one: 400, CSRF), a
//!   file of at most `SAMVERKAN_MAX_UPLOAD_BYTES` and the rest within
//!   `SAMVERKAN_MAX_BODY_BYTES` (413). The operations then run exactly as a JSON POST's
//!   (token, rate limit, allow-list, checks).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::Data;
use async_graphql::{BatchRequest, BatchResponse};
use axum::body::Bytes;
use axum::extract::{FromRequest, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tracing::Instrument;

use crate::auth::{Caller, JwtKeys};
use crate::db::{self, WriteGate};
use crate::error::AppError;
use crate::events::EventBus;
use crate::graphql::batch::RequestLoader;
use crate::graphql::engine::raw::RawJson;
use crate::graphql::{AppSchema, RequestState};
use crate::metrics::Metrics;
use crate::transport::{self, Answer, MediaType, OperationRefusal, codes, negotiate, refusal};

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) schema: AppSchema,
    pub(crate) db: DatabaseConnection,
    pub(crate) keys: Arc<JwtKeys>,
    /// What a request must pass before it runs (parse, text input, limits).
    pub(crate) checks: Arc<crate::graphql::checks::RequestChecks>,
    pub(crate) write_gate: WriteGate,
    /// How many coverage matrices and export files are laid out at once.
    pub(crate) gate: crate::gate::Gate,
    pub(crate) events: EventBus,
    pub(crate) graphiql: bool,
    pub(crate) max_batch: usize,
    /// The largest request body, and the largest WebSocket message.
    pub(crate) max_body_bytes: usize,
    /// The largest file of a multipart request (an upload).
    pub(crate) max_upload_bytes: usize,
    /// `SAMVERKAN_PLAIN_LISTS`: whether lists may take the plain path.
    pub(crate) plain_lists: bool,
    pub(crate) limiter: Arc<RateLimiter>,
    pub(crate) metrics: Arc<Metrics>,
    /// Only these operations run (allow-list mode).
    pub(crate) allowlist: Option<Arc<crate::allowlist::AllowList>>,
    /// Flips to `true` when the server shuts down: subscriptions close.
    pub(crate) shutdown: watch::Receiver<bool>,
}

/// A per-token token bucket: `per_minute` steady, `burst` at once.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter; `per_minute == 0` lets everything through.
    pub(crate) fn new(per_minute: u32, burst: u32) -> Self {
        Self {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one request from `key`'s bucket, or say how long until one is free.
    pub(crate) fn check(&self, key: &str) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let rate = f64::from(self.per_minute) / 60.0;
        let capacity = f64::from(self.burst);
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() > 100_000 {
            // Forget idle callers rather than grow without bound.
            buckets.retain(|_, (_, at)| now.duration_since(*at) < Duration::from_secs(600));
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(((1.0 - *tokens) / rate).max(1.0)))
        }
    }
}

/// The refusal of a request over its token's rate (HTTP 429, or an `error` message over
/// WebSocket); `wait` is how long until the next request is let through.
pub(crate) fn rate_limited(wait: Duration) -> AppError {
    AppError::RateLimited(format!(
        "too many requests for this token: retry in {} s",
        wait.as_secs()
    ))
}

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// 200 when the database answers and every migration is applied; else 503.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    match db::migrations_applied(&state.db).await {
        Ok(true) => match state.keys.remote_status() {
            None => (StatusCode::OK, "ready").into_response(),
            Some(keys) => signing_keys_readiness(&keys),
        },
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Readiness as the identity provider's keys make it: ready with keys (stale ones too —
/// they keep working — with their age and why they could not be renewed), not ready
/// before any were fetched.
fn signing_keys_readiness(keys: &crate::auth::KeyStatus) -> Response {
    let Some(age) = keys.age else {
        let why = keys.last_error.as_deref().unwrap_or("not fetched yet");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "not ready: no signing keys from {} yet ({why})",
                keys.source
            ),
        )
            .into_response();
    };
    let mut text = format!(
        "ready\nsigning keys: {} from {}, fetched {} s ago",
        keys.keys,
        keys.source,
        age.as_secs()
    );
    if keys.stale {
        text.push_str(" (stale: kept in use while the provider does not answer)");
    }
    if let Some(error) = &keys.last_error {
        text.push_str(&format!("\nlast fetch failed: {error}"));
    }
    (StatusCode::OK, text).into_response()
}

/// Prometheus metrics.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let keys = state.keys.remote_status();
    let body = state
        .metrics
        .render(&state.db, state.events.subscriber_count(), keys.as_ref());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// `GET /graphql`: a query in the URL, or GraphiQL for a browser.
pub(crate) async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if uri.query().unwrap_or_default().is_empty() {
        if state.graphiql {
            return crate::graphiql::page();
        }
        return refusal(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            "send a query (GraphiQL is off here)",
            negotiate(&headers).unwrap_or(MediaType::Json),
        );
    }
    let Some(media) = negotiate(&headers) else {
        return transport::not_acceptable();
    };
    let request = match transport::parse_get(&uri) {
        Ok(r) => r,
        Err(message) => {
            return refusal(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message, media);
        }
    };
    // Which operation may run over GET is checked where it is known for sure: after the
    // checks resolved persisted queries and the allow-list (`transport::check_operation`).
    execute(state, headers, BatchRequest::Single(request), media, true).await
}

/// `POST /graphql`: JSON, or a GraphQL multipart request (an upload); a bounded batch.
pub(crate) async fn graphql_post(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Response {
    let headers = request.headers().clone();
    let Some(media) = negotiate(&headers) else {
        return transport::not_acceptable();
    };
    if let Some(boundary) = transport::multipart_boundary(&headers) {
        return graphql_multipart(state, headers, request.into_body(), boundary, media).await;
    }
    // The JSON body, within `SAMVERKAN_MAX_BODY_BYTES` (`DefaultBodyLimit`: 413).
    let body = match Bytes::from_request(request, &state).await {
        Ok(body) => body,
        Err(rejection) => return rejection.into_response(),
    };
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let mut parts = v.split(';');
            let essence = parts.next().unwrap_or_default().trim();
            // UTF-8 is assumed; any other charset is refused.
            let utf8 = parts.all(|p| match p.split_once('=') {
                Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
                    v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
                }
                _ => true,
            });
            utf8 && (essence.eq_ignore_ascii_case("application/json")
                || essence.eq_ignore_ascii_case("application/graphql-response+json"))
        });
    if !json {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "send GraphQL as application/json (UTF-8)",
            media,
        );
    }
    let mut batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(err) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                codes::BAD_REQUEST,
                format!("not a GraphQL request: {err}"),
                media,
            );
        }
    };
    if let Err(message) = transport::check_post(&body, &mut batch) {
        return refusal(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message, media);
    }
    if let BatchRequest::Batch(list) = &batch
        && list.len() > state.max_batch
    {
        return refusal(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            format!("a batch may hold at most {} operations", state.max_batch),
            media,
        );
    }
    execute(state, headers, batch, media, false).await
}

/// A GraphQL multipart request (an upload): the CSRF rule, the token before the body is
/// read, the size limits while it is read, then the same execution as a JSON POST.
async fn graphql_multipart(
    state: AppState,
    headers: HeaderMap,
    body: axum::body::Body,
    boundary: String,
    media: MediaType,
) -> Response {
    // CSRF: a browser sends multipart/form-data cross-site without a preflight; a
    // header it may not send without one proves the request comes from a client that
    // asked (the multipart spec's "Security" section; Apollo Server's CSRF prevention).
    if !transport::has_preflight_header(&headers) {
        return refusal(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            transport::CSRF_MESSAGE,
            media,
        );
    }
    // No upload is read for a caller without a valid token (`execute` checks it again,
    // with the rate limit, as for every request).
    if let Err(err) = authenticate(&state, &headers).await {
        tracing::info!(reason = %err, "unauthenticated upload refused");
        return refuse_caller(&state, err, media);
    }
    let limits = transport::UploadLimits {
        max_file_bytes: state.max_upload_bytes,
        max_body_bytes: state.max_body_bytes,
    };
    let batch = match transport::receive_multipart(body, boundary, limits).await {
        Ok(batch) => batch,
        Err(transport::MultipartRefusal::TooLarge(message)) => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::PAYLOAD_TOO_LARGE,
                message,
                media,
            );
        }
        Err(transport::MultipartRefusal::Malformed(message)) => {
            return refusal(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message, media);
        }
    };
    if let BatchRequest::Batch(list) = &batch
        && list.len() > state.max_batch
    {
        return refusal(
            StatusCode::BAD_REQUEST,
            codes::BAD_REQUEST,
            format!("a batch may hold at most {} operations", state.max_batch),
            media,
        );
    }
    execute(state, headers, batch, media, false).await
}

/// Authenticate, rate-limit, run, answer in `media`.
async fn execute(
    state: AppState,
    headers: HeaderMap,
    batch: BatchRequest,
    media: MediaType,
    via_get: bool,
) -> Response {
    let started = Instant::now();
    let caller = match authenticate(&state, &headers).await {
        Ok(caller) => caller,
        Err(err) => {
            tracing::info!(reason = %err, "unauthenticated request refused");
            state
                .metrics
                .request("-", "unauthenticated", started.elapsed());
            return refuse_caller(&state, err, media);
        }
    };
    if let Err(wait) = state.limiter.check(&caller.sub) {
        state
            .metrics
            .request("-", "rate_limited", started.elapsed());
        let mut response =
            error_response_in(StatusCode::TOO_MANY_REQUESTS, rate_limited(wait), media);
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let mut batch = batch;
    if let Some(list) = &state.allowlist {
        let resolved = match &mut batch {
            BatchRequest::Single(r) => list.resolve(r),
            BatchRequest::Batch(rs) => rs.iter_mut().try_for_each(|r| list.resolve(r)),
        };
        if let Err(err) = resolved {
            state.metrics.request("-", "not_allowed", started.elapsed());
            return error_response_in(StatusCode::FORBIDDEN, err, media);
        }
    }
    let operation = match &batch {
        BatchRequest::Single(r) => r.operation_name.clone().unwrap_or_else(|| "-".into()),
        BatchRequest::Batch(_) => "batch".into(),
    };
    let span = tracing::info_span!("graphql", operation = %operation, sub = %caller.sub, org = %caller.org);
    // One loader for the request (all operations of a batch): it caches what it read.
    let loader = RequestLoader::new(state.db.clone(), true);
    // Big lists written straight as JSON, spliced into the answer below.
    let raw = RawJson::new();
    let (requests, is_batch) = match batch {
        BatchRequest::Single(r) => (vec![r], false),
        BatchRequest::Batch(list) => (list, true),
    };
    // Each operation is checked before it runs — parse, text input and limits
    // (`checks`), and which operation the method lets run (`transport`); one that fails
    // is answered with its errors, the others of a batch still run (in order, as
    // async-graphql runs a batch).
    let mut mutation_over_get = false;
    /// An operation ready to run, or refused before it runs with these errors.
    enum Prepared {
        Run(Box<async_graphql::Request>),
        Refused(Vec<async_graphql::ServerError>),
    }
    let mut prepared: Vec<Prepared> = Vec::with_capacity(requests.len());
    for mut r in requests {
        if let Err(errors) = state.checks.prepare(&mut r) {
            prepared.push(Prepared::Refused(errors));
            continue;
        }
        match transport::check_operation(&mut r, via_get) {
            Ok(()) => {
                r.data = request_data(&state, caller.clone(), &loader);
                r.data.insert(raw.clone());
                prepared.push(Prepared::Run(Box::new(r)));
            }
            Err(OperationRefusal::MutationOverGet(error)) => {
                mutation_over_get = true;
                prepared.push(Prepared::Refused(vec![error]));
            }
            Err(OperationRefusal::NotOverHttp(error)) => {
                prepared.push(Prepared::Refused(vec![error]));
            }
        }
    }
    // A mutation chosen over GET: 405, and nothing runs.
    if mutation_over_get {
        state
            .metrics
            .request(&operation, "error", started.elapsed());
        let mut response = refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::METHOD_NOT_ALLOWED,
            "only queries may be sent with GET: send mutations with POST",
            media,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let schema = state.schema.clone();
    let run = async move {
        let mut responses = Vec::with_capacity(prepared.len());
        for p in prepared {
            let (mut response, ran) = match p {
                Prepared::Run(request) => (schema.execute(*request).await, true),
                Prepared::Refused(errors) => (async_graphql::Response::from_errors(errors), false),
            };
            crate::graphql::checks::with_codes(&mut response);
            responses.push((response, ran));
        }
        responses
    };
    let statements = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let responses = db::REQUEST_STATEMENTS
        .scope(statements.clone(), loader.drive(run))
        .instrument(span.clone())
        .await;
    // Whether each request reached execution (false: refused before it).
    let ran: Vec<bool> = responses.iter().map(|(_, ran)| *ran).collect();
    let mut responses: Vec<async_graphql::Response> =
        responses.into_iter().map(|(r, _)| r).collect();
    let response = if is_batch {
        BatchResponse::Batch(responses)
    } else {
        match responses.pop() {
            Some(r) => BatchResponse::Single(r),
            None => {
                tracing::error!("no response for a single request");
                return refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    codes::INTERNAL,
                    "internal error",
                    media,
                );
            }
        }
    };
    let ok = match &response {
        BatchResponse::Single(r) => r.is_ok(),
        BatchResponse::Batch(rs) => rs.iter().all(|r| r.is_ok()),
    };
    let elapsed = started.elapsed();
    let sql = statements.load(std::sync::atomic::Ordering::Relaxed);
    state
        .metrics
        .request(&operation, if ok { "ok" } else { "error" }, elapsed);
    state.metrics.statements_per_request(sql);
    span.in_scope(|| {
        tracing::info!(
            ok,
            sql_statements = sql,
            duration_ms = elapsed.as_millis() as u64,
            "graphql request"
        )
    });
    // A request that failed before execution has no `data` (GraphQL spec, "Response"),
    // and in application/graphql-response+json it is a 400 (GraphQL over HTTP).
    let executed = |i: usize| ran.get(i).copied().unwrap_or(false);
    let (status, body) = match &response {
        BatchResponse::Single(r) => {
            let answer = Answer::new(r, executed(0));
            let status = if media == MediaType::GraphqlResponse && answer.is_refused() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (status, serde_json::to_vec(&answer))
        }
        BatchResponse::Batch(rs) => {
            let answers: Vec<Answer<'_>> = rs
                .iter()
                .enumerate()
                .map(|(i, r)| Answer::new(r, executed(i)))
                .collect();
            (StatusCode::OK, serde_json::to_vec(&answers))
        }
    };
    let body = match body {
        Ok(b) => raw.splice(b),
        Err(err) => {
            tracing::error!(error = %err, "cannot write the answer");
            return refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                "internal error",
                media,
            );
        }
    };
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    response
}

/// A GraphQL error response with HTTP status `status`, in `application/json`.
pub(crate) fn error_response(status: StatusCode, err: AppError) -> Response {
    error_response_in(status, err, MediaType::Json)
}

/// A GraphQL error response with HTTP status `status`, in `media`.
fn error_response_in(status: StatusCode, err: AppError, media: MediaType) -> Response {
    let mut response = refusal(status, err.code().as_str(), err.public_message(), media);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

/// The caller of a request: its bearer token, verified, its organization taken from its
/// groups when the token names none (`services::provider_groups`).
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Caller, AppError> {
    let caller = state.keys.verify(bearer(headers)?).await?;
    crate::services::provider_groups::resolve_organization(&state.db, caller).await
}

/// The answer to a request [`authenticate`] refused with `err`, in `media`: 401 with
/// `WWW-Authenticate`, or 503 with `Retry-After` (seconds until the next fetch of the
/// identity provider's keys) while none were ever fetched.
pub(crate) fn refuse_caller(state: &AppState, err: AppError, media: MediaType) -> Response {
    let retry = match err {
        AppError::Unavailable(_) => state.keys.retry_after(),
        _ => None,
    };
    let mut response = error_response_in(status_of(&err), err, media);
    if let Some(wait) = retry
        && let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// The HTTP status of a refusal with `err`.
pub(crate) fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        // An upload's file problem; exports only write files, and a writer's failure is
        // mapped to `Internal` where it happens.
        AppError::File(_) => StatusCode::BAD_REQUEST,
        AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, AppError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| {
            AppError::Unauthenticated("an Authorization: Bearer token is required".into())
        })?
        .to_str()
        .map_err(|_| AppError::Unauthenticated("malformed Authorization header".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| {
            AppError::Unauthenticated("the Authorization header must be `Bearer <token>`".into())
        })?;
    Ok(token.trim())
}

/// What every operation of one caller needs: state, batch loader, event bus.
pub(crate) fn request_data(state: &AppState, caller: Caller, loader: &RequestLoader) -> Data {
    let mut data = Data::default();
    data.insert(RequestState::new(
        state.db.clone(),
        caller,
        state.write_gate.clone(),
    ));
    data.insert(loader.clone());
    data.insert(state.events.clone());
    data.insert(crate::graphql::imports::UploadLimit(state.max_upload_bytes));
    if state.plain_lists {
        data.insert(state.metrics.plain_lists());
    } else {
        data.insert(crate::graphql::engine::plain::OrdinaryOnly);
    }
    data
}
