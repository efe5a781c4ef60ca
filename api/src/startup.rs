//! Building and running the HTTP application.
//!
//! [`Application::build`] does everything that can fail before the first request —
//! migrate and load the demo data into an empty database (under an advisory lock on
//! PostgreSQL), connect, read the token keys, bind the port — so a misconfigured process stops
//! at once with a clear message. [`Application::run_until_stopped`] serves until Ctrl-C
//! or SIGTERM and then finishes the requests in flight.
//!
//! Routes:
//! - `POST /graphql` — GraphQL (bearer token required);
//! - `GET /graphql` — GraphiQL, the in-browser IDE;
//! - `GET /healthz` — 200 while the process runs.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Instrument;

use crate::auth::JwtKeys;
use crate::config::Settings;
use crate::db::{self, StatementCounter};
use crate::error::AppError;
use crate::graphql::{self, AppSchema, RequestState};

/// Longest a request may take before it is answered with 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Shared state of the HTTP handlers.
#[derive(Clone)]
struct AppState {
    schema: AppSchema,
    db: DatabaseConnection,
    keys: Arc<JwtKeys>,
    loader_delay: Duration,
    write_gate: db::WriteGate,
}

/// A built application, bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    port: u16,
    router: Router,
    db: DatabaseConnection,
    statements: StatementCounter,
    keys: Arc<JwtKeys>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connect, migrate, seed an empty database, read the keys and bind the port.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let keys = Arc::new(JwtKeys::from_settings(settings)?);
        db::prepare(&settings.database_url, settings.seed_on_start).await?;
        let statements = StatementCounter::default();
        let db = db::connect(
            &settings.database_url,
            settings.db_max_connections,
            statements.clone(),
        )
        .await?;
        let listener = TcpListener::bind(settings.addr).await?;
        let port = listener.local_addr()?.port();
        let state = AppState {
            schema: graphql::build_schema(),
            db: db.clone(),
            keys: keys.clone(),
            loader_delay: Duration::from_micros(settings.loader_delay_us),
            write_gate: db::WriteGate::for_backend(db.get_database_backend()),
        };
        Ok(Self {
            listener,
            port,
            router: router(state),
            db,
            statements,
            keys,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database handle (for tests and tools).
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// SQL statements executed so far through the server's pool.
    pub fn statements(&self) -> StatementCounter {
        self.statements.clone()
    }

    /// The token keys (tests mint tokens with them).
    pub fn keys(&self) -> Arc<JwtKeys> {
        self.keys.clone()
    }

    /// Serve until Ctrl-C or SIGTERM, then finish the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(port = self.port, "listening");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .route("/graphql", get(graphiql).post(graphql_handler))
        .route("/healthz", get(healthz))
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("Samverkan GraphiQL")
            .finish(),
    )
}

/// A GraphQL error response with HTTP status `status`.
fn error_response(status: StatusCode, err: AppError) -> Response {
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

async fn graphql_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let caller = match bearer(&headers).and_then(|t| state.keys.verify(t)) {
        Ok(caller) => caller,
        Err(err) => {
            tracing::info!(reason = %err, "unauthenticated request refused");
            return error_response(StatusCode::UNAUTHORIZED, err);
        }
    };
    let span = tracing::info_span!("graphql", sub = %caller.sub, org = %caller.org);
    let loader = graphql::new_loader(state.db.clone(), state.loader_delay);
    let request = request
        .into_inner()
        .data(RequestState::new(
            state.db.clone(),
            caller,
            state.write_gate.clone(),
        ))
        .data(loader);
    let response = state.schema.execute(request).instrument(span).await;
    GraphQLResponse::from(response).into_response()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
