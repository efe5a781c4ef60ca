//! The HTTP surface: GraphQL over HTTP (with the transport rules that keep it safe to
//! expose), health, readiness and metrics. GraphQL over WebSocket is [`crate::ws`].
//!
//! Transport rules (GraphQL-over-HTTP):
//! - `POST /graphql` takes `Content-Type: application/json` only (anything else: 415),
//!   a body of at most `SAMVERKAN_MAX_BODY_BYTES` (413), a single operation or a batch of
//!   at most `SAMVERKAN_MAX_BATCH` (400 before anything runs);
//! - `GET /graphql?query=…` runs queries only — a mutation over GET is 405, so a link or
//!   an image tag cannot change anything (CSRF); `GET /graphql` from a browser without a
//!   query serves GraphiQL when enabled (every asset from the binary: [`crate::graphiql`]);
//! - answers are `application/graphql-response+json` when the client accepts it (then a
//!   request that fails before execution is HTTP 400), else `application/json`;
//! - every GraphQL request needs a bearer token (401), and a token may make at most
//!   `SAMVERKAN_RATE_LIMIT_PER_MINUTE` requests per minute per replica (429 with
//!   `Retry-After`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::Data;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tracing::Instrument;

use crate::auth::{Caller, JwtKeys};
use crate::db::{self, WriteGate};
use crate::error::AppError;
use crate::events::EventBus;
use crate::graphql::batch::RequestLoader;
use crate::graphql::raw::RawJson;
use crate::graphql::{AppSchema, RequestState};
use crate::metrics::Metrics;

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) schema: AppSchema,
    pub(crate) db: DatabaseConnection,
    /// On an SQLite file: the loaders' reads (see [`crate::sqlite_reads`]).
    pub(crate) sqlite_reads: Option<Arc<crate::sqlite_reads::SqliteReads>>,
    pub(crate) keys: Arc<JwtKeys>,
    /// What a request must pass before it runs (parse, text input, limits).
    pub(crate) checks: Arc<crate::graphql::checks::RequestChecks>,
    pub(crate) write_gate: WriteGate,
    pub(crate) events: EventBus,
    pub(crate) graphiql: bool,
    pub(crate) max_batch: usize,
    /// The largest request body, and the largest WebSocket message.
    pub(crate) max_body_bytes: usize,
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
        Ok(true) => (StatusCode::OK, "ready").into_response(),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "not ready: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Prometheus metrics.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let body = state
        .metrics
        .render(&state.db, state.events.subscriber_count());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Whether the client accepts `application/graphql-response+json`.
fn wants_graphql_response(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(GRAPHQL_RESPONSE))
}

/// An error response with the GraphQL error shape.
fn refuse(status: StatusCode, err: AppError) -> Response {
    error_response(status, err)
}

/// `GET /graphql`: a query in the URL, or GraphiQL for a browser.
pub(crate) async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    if query.is_empty() {
        if state.graphiql {
            return crate::graphiql::page();
        }
        return refuse(
            StatusCode::BAD_REQUEST,
            AppError::bad_input("query", "send a query (GraphiQL is off here)"),
        );
    }
    let mut request = match async_graphql::http::parse_query_string(&query) {
        Ok(r) => r,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                AppError::bad_input("query", format!("invalid GET request: {err}")),
            );
        }
    };
    let name = request.operation_name.clone();
    let kind = match request.parsed_query() {
        Ok(doc) => match &doc.operations {
            DocumentOperations::Single(op) => Some(op.node.ty),
            DocumentOperations::Multiple(ops) => name
                .as_deref()
                .and_then(|n| ops.get(n))
                .map(|op| op.node.ty),
        },
        // Let execution report the syntax error.
        Err(_) => Some(OperationType::Query),
    };
    if kind != Some(OperationType::Query) {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            AppError::bad_input(
                "query",
                "only queries may be sent with GET: send mutations with POST",
            ),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(state, headers, BatchRequest::Single(request)).await
}

/// `POST /graphql`: JSON only, a bounded batch.
pub(crate) async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            let t = t.trim();
            t.eq_ignore_ascii_case("application/json") || t.eq_ignore_ascii_case(GRAPHQL_RESPONSE)
        });
    if !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::bad_input("Content-Type", "send GraphQL as application/json"),
        );
    }
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                AppError::bad_input("body", format!("not a GraphQL request: {err}")),
            );
        }
    };
    if let BatchRequest::Batch(list) = &batch
        && list.len() > state.max_batch
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            AppError::bad_input(
                "body",
                format!("a batch may hold at most {} operations", state.max_batch),
            ),
        );
    }
    execute(state, headers, batch).await
}

/// Authenticate, rate-limit, run, answer.
async fn execute(state: AppState, headers: HeaderMap, batch: BatchRequest) -> Response {
    let started = Instant::now();
    let caller = match bearer(&headers).and_then(|t| state.keys.verify(t)) {
        Ok(caller) => caller,
        Err(err) => {
            tracing::info!(reason = %err, "unauthenticated request refused");
            state
                .metrics
                .request("-", "unauthenticated", started.elapsed());
            return refuse(StatusCode::UNAUTHORIZED, err);
        }
    };
    if let Err(wait) = state.limiter.check(&caller.sub) {
        state
            .metrics
            .request("-", "rate_limited", started.elapsed());
        let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, rate_limited(wait));
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
            return refuse(StatusCode::FORBIDDEN, err);
        }
    }
    let operation = match &batch {
        BatchRequest::Single(r) => r.operation_name.clone().unwrap_or_else(|| "-".into()),
        BatchRequest::Batch(_) => "batch".into(),
    };
    let span = tracing::info_span!("graphql", operation = %operation, sub = %caller.sub, org = %caller.org);
    // One loader for the request (all operations of a batch): it caches what it read.
    let loader = RequestLoader::new(state.db.clone(), state.sqlite_reads.clone(), true);
    // Big lists written straight as JSON, spliced into the answer below.
    let raw = RawJson::new();
    let (requests, is_batch) = match batch {
        BatchRequest::Single(r) => (vec![r], false),
        BatchRequest::Batch(list) => (list, true),
    };
    // Each operation is checked before it runs; one that fails its checks is answered
    // with its errors, the others of a batch still run (in order, as async-graphql runs
    // a batch).
    /// An operation ready to run, or refused by the checks with these errors.
    enum Prepared {
        Run(Box<async_graphql::Request>),
        Refused(Vec<async_graphql::ServerError>),
    }
    let prepared: Vec<Prepared> = requests
        .into_iter()
        .map(|mut r| match state.checks.prepare(&mut r) {
            Ok(()) => {
                r.data = request_data(&state, caller.clone(), &loader);
                r.data.insert(raw.clone());
                Prepared::Run(Box::new(r))
            }
            Err(errors) => Prepared::Refused(errors),
        })
        .collect();
    let schema = state.schema.clone();
    let run = async move {
        let mut responses = Vec::with_capacity(prepared.len());
        for p in prepared {
            let mut response = match p {
                Prepared::Run(request) => schema.execute(*request).await,
                Prepared::Refused(errors) => async_graphql::Response::from_errors(errors),
            };
            crate::graphql::checks::with_codes(&mut response);
            responses.push(response);
        }
        responses
    };
    let statements = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut responses = db::REQUEST_STATEMENTS
        .scope(statements.clone(), loader.drive(run))
        .instrument(span.clone())
        .await;
    let response = if is_batch {
        BatchResponse::Batch(responses)
    } else {
        match responses.pop() {
            Some(r) => BatchResponse::Single(r),
            None => {
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    AppError::Internal(anyhow::anyhow!("no response for a single request")),
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
    let graphql_response = wants_graphql_response(&headers);
    // Per GraphQL-over-HTTP: a request that fails before execution is a 400.
    let failed_before_execution = match &response {
        BatchResponse::Single(r) => r.data == async_graphql::Value::Null && !r.errors.is_empty(),
        BatchResponse::Batch(_) => false,
    };
    let status = if graphql_response && failed_before_execution {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = match serde_json::to_vec(&response) {
        Ok(b) => raw.splice(b),
        Err(err) => {
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                AppError::Internal(err.into()),
            );
        }
    };
    let content_type = if graphql_response {
        GRAPHQL_RESPONSE
    } else {
        "application/json"
    };
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// A GraphQL error response with HTTP status `status`.
pub(crate) fn error_response(status: StatusCode, err: AppError) -> Response {
    let body = serde_json::json!({
        "errors": [{
            "message": err.public_message(),
            "extensions": { "code": err.code().as_str() },
        }]
    });
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

/// The bearer token of a request, if any.
fn bearer(headers: &HeaderMap) -> Result<&str, AppError> {
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
    data
}
