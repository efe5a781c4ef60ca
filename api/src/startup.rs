//! Building and running the HTTP application.
//!
//! [`Application::build`] does everything that can fail before the first request —
//! migrate and load the demo data into an empty database (under an advisory lock on
//! PostgreSQL), connect, read the token keys, bind the port — so a misconfigured process stops
//! at once with a clear message. [`Application::run_until_stopped`] serves until Ctrl-C
//! or SIGTERM and then finishes the requests in flight.
//!
//! Routes (see [`crate::http`] and [`crate::ws`]):
//! - `POST /graphql` — GraphQL (bearer token required);
//! - `GET /graphql` — queries in the URL, or GraphiQL (when enabled);
//! - `GET /graphql/ws` — subscriptions over WebSocket (graphql-transport-ws);
//! - `GET /graphql/assets/{name}` — GraphiQL's files, from the binary (when enabled);
//! - `GET /healthz` — 200 while the process runs;
//! - `GET /readyz` — 200 when the database answers and the migrations are applied;
//! - `GET /metrics` — Prometheus metrics.
//!
//! Every refusal outside GraphQL (`404`, `405`, `408`, `413`, `431`, …) is a GraphQL-shaped
//! JSON error with a code ([`crate::transport::guard`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::JwtKeys;
use crate::config::Settings;
use crate::db::{self, StatementCounter};
use crate::events::EventBus;
use crate::gate::Gate;
use crate::graphql;
use crate::http::{self, AppState, RateLimiter};
use crate::metrics::Metrics;

/// A built application, bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    port: u16,
    router: Router,
    db: DatabaseConnection,
    statements: StatementCounter,
    keys: Arc<JwtKeys>,
    events: EventBus,
    gate: Gate,
    shutdown: watch::Sender<bool>,
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
        // The identity provider's keys, when configured: fetched now (a provider that does
        // not answer is retried in the background; it does not stop the start).
        keys.start().await;
        db::prepare(&settings.database_url, settings.seed_on_start).await?;
        let statements = StatementCounter::default();
        let db = db::connect(settings, settings.db_pool_size(), statements.clone()).await?;
        let events = EventBus::start(db.clone(), &settings.database_url).await?;
        let listener = TcpListener::bind(settings.addr).await?;
        let port = listener.local_addr()?.port();
        let (shutdown, shutdown_rx) = watch::channel(false);
        // One gate for the large results: coverage matrices and export files alike.
        let gate = Gate::new(settings.coverage_concurrency);
        let state = AppState {
            schema: graphql::build_limited_schema(settings, gate.clone()),
            db: db.clone(),
            keys: keys.clone(),
            checks: Arc::new(graphql::checks::RequestChecks::new(
                graphql::checks::Limits {
                    max_depth: settings.max_depth,
                    max_aliases: settings.max_aliases,
                    max_fields: settings.max_fields,
                    max_recursive_depth: settings.max_recursive_depth,
                    introspection: settings.introspection_enabled(),
                },
                settings.persisted_queries == crate::config::PersistedQueries::Auto,
            )),
            write_gate: db::WriteGate::for_backend(db.get_database_backend()),
            gate: gate.clone(),
            events,
            graphiql: settings.graphiql_enabled(),
            max_batch: settings.max_batch,
            max_body_bytes: settings.max_body_bytes,
            max_upload_bytes: settings.max_upload_bytes,
            plain_lists: settings.plain_lists,
            limiter: Arc::new(RateLimiter::new(
                settings.rate_limit_per_minute,
                settings.rate_limit_burst,
            )),
            metrics: Arc::new(Metrics::new(
                statements.clone(),
                keys.remote_status().is_some(),
            )?),
            shutdown: shutdown_rx,
            allowlist: match (settings.persisted_queries, &settings.allowed_operations) {
                (crate::config::PersistedQueries::Allowlist, Some(path)) => {
                    Some(Arc::new(crate::allowlist::AllowList::load(path)?))
                }
                (crate::config::PersistedQueries::Allowlist, None) => anyhow::bail!(
                    "SAMVERKAN_PERSISTED_QUERIES=allowlist needs SAMVERKAN_ALLOWED_OPERATIONS"
                ),
                _ => None,
            },
        };
        Ok(Self {
            listener,
            port,
            events: state.events.clone(),
            gate,
            router: router(state, settings)?,
            shutdown,
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

    /// The event bus (tests wait on its subscriber count).
    pub fn events(&self) -> EventBus {
        self.events.clone()
    }

    /// The gate of coverage matrices and exports (`SAMVERKAN_COVERAGE_CONCURRENCY`; tests
    /// hold its passes and watch who waits).
    pub fn gate(&self) -> Gate {
        self.gate.clone()
    }

    /// The token keys (tests mint tokens with them).
    pub fn keys(&self) -> Arc<JwtKeys> {
        self.keys.clone()
    }

    /// Serve until Ctrl-C or SIGTERM, then finish the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serve until `stop` completes, then close subscriptions (`1001: going away`) and
    /// finish the requests in flight.
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(port = self.port, "listening");
        let shutdown = self.shutdown;
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                stop.await;
                let _ = shutdown.send(true);
            })
            .await
    }
}

fn router(state: AppState, settings: &Settings) -> anyhow::Result<Router> {
    let request_id = HeaderName::from_static("x-request-id");
    let origins = settings
        .cors_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
        .map(|o| HeaderValue::from_str(o.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("SAMVERKAN_CORS_ORIGINS: {e}"))?;
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            // The preflight headers an upload carries (`transport::PREFLIGHT_HEADERS`).
            HeaderName::from_static("graphql-preflight"),
            HeaderName::from_static("apollo-require-preflight"),
            HeaderName::from_static("x-apollo-operation-name"),
        ])
        .max_age(Duration::from_secs(3600));
    Ok(Router::new()
        .route("/graphql", get(http::graphql_get).post(http::graphql_post))
        .route("/graphql/ws", get(crate::ws::graphql_ws))
        .route("/graphql/assets/{name}", get(crate::graphiql::asset))
        .route("/healthz", get(http::healthz))
        .route("/readyz", get(http::readyz))
        .route("/metrics", get(http::metrics))
        // Issue 15: reports, plans, coverage and the import template as files.
        .route("/exports/{file}", get(crate::exports_http::export))
        .with_state(state)
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(settings.request_timeout_secs),
        ))
        // Outside the timeout and the body limit: their refusals get the GraphQL shape.
        .layer(axum::middleware::from_fn_with_state(
            crate::transport::Limits {
                max_header_bytes: settings.max_header_bytes,
                max_body_bytes: settings.max_body_bytes,
                timeout_secs: settings.request_timeout_secs,
            },
            crate::transport::guard,
        ))
        .layer(cors)
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
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid)))
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
