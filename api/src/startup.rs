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
//! - `GET /graphql/ws` — subscriptions over WebSocket (graphql-transport-ws);
//! - `GET /healthz` — 200 while the process runs.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderName, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Instrument;

use crate::auth::{Caller, JwtKeys};
use crate::config::Settings;
use crate::db::{self, StatementCounter};
use crate::error::AppError;
use crate::events::EventBus;
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
    events: EventBus,
}

/// A built application, bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    port: u16,
    router: Router,
    db: DatabaseConnection,
    statements: StatementCounter,
    keys: Arc<JwtKeys>,
    events: EventBus,
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
        let events = EventBus::start(db.clone(), &settings.database_url).await?;
        let listener = TcpListener::bind(settings.addr).await?;
        let port = listener.local_addr()?.port();
        let state = AppState {
            schema: graphql::build_schema(),
            db: db.clone(),
            keys: keys.clone(),
            loader_delay: Duration::from_micros(settings.loader_delay_us),
            write_gate: db::WriteGate::for_backend(db.get_database_backend()),
            events,
        };
        Ok(Self {
            listener,
            port,
            events: state.events.clone(),
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

    /// The event bus (tests wait on its subscriber count).
    pub fn events(&self) -> EventBus {
        self.events.clone()
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
        .route("/graphql/ws", get(graphql_ws))
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
            .subscription_endpoint("/graphql/ws")
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
    let mut request = request.into_inner();
    request.data = request_data(&state, caller);
    let response = state.schema.execute(request).instrument(span).await;
    GraphQLResponse::from(response).into_response()
}

/// What every operation of one caller needs: state, batch loader, event bus.
fn request_data(state: &AppState, caller: Caller) -> Data {
    let mut data = Data::default();
    data.insert(RequestState::new(
        state.db.clone(),
        caller,
        state.write_gate.clone(),
    ));
    data.insert(graphql::new_loader(state.db.clone(), state.loader_delay));
    data.insert(state.events.clone());
    data
}

/// How long a client may take to send `connection_init`.
const CONNECTION_INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Subscriptions over WebSocket (graphql-transport-ws; the legacy
/// subscriptions-transport-ws is accepted too). The token comes in the
/// `connection_init` payload as `{"Authorization": "Bearer <token>"}` (or
/// `{"token": "<token>"}`); without a valid one the socket is closed with
/// `4403: Forbidden`, as the protocol asks.
async fn graphql_ws(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve_ws(state, socket, protocol))
}

async fn serve_ws(state: AppState, socket: WebSocket, protocol: GraphQLProtocol) {
    let (mut sink, mut stream) = socket.split();
    // The first text message must be connection_init, in time.
    let first = tokio::time::timeout(CONNECTION_INIT_TIMEOUT, async {
        while let Some(Ok(msg)) = stream.next().await {
            if let Message::Text(text) = &msg {
                return Some((text.to_string(), msg));
            }
        }
        None
    })
    .await;
    let (text, first) = match first {
        Ok(Some(found)) => found,
        Ok(None) => return,
        Err(_) => {
            close(&mut sink, 4408, "Connection initialisation timeout").await;
            return;
        }
    };
    let init: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    if init["type"] != "connection_init" {
        close(&mut sink, 4400, "Expected connection_init").await;
        return;
    }
    let payload = &init["payload"];
    let token = ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload[*k].as_str())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v))
        .or_else(|| payload["token"].as_str());
    let caller = match token.map(|t| state.keys.verify(t.trim())) {
        Some(Ok(caller)) => caller,
        Some(Err(err)) => {
            tracing::info!(reason = %err, "subscription refused");
            close(&mut sink, 4403, "Forbidden").await;
            return;
        }
        None => {
            tracing::info!("subscription refused: no token in connection_init");
            close(&mut sink, 4403, "Forbidden").await;
            return;
        }
    };
    let data = request_data(&state, caller);
    let replay = futures_util::stream::once(async move { Ok(first) }).chain(stream);
    GraphQLWebSocket::new_with_pair(sink, replay, state.schema.clone(), protocol)
        .with_data(data)
        .serve()
        .await;
}

async fn close<S>(sink: &mut S, code: u16, reason: &'static str)
where
    S: futures_util::Sink<Message> + Unpin,
{
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = sink.send(Message::Close(Some(frame))).await;
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
