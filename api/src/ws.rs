//! GraphQL over WebSocket at `/graphql/ws`: the graphql-transport-ws protocol (the
//! `PROTOCOL.md` of the `graphql-ws` library), to the letter, with the same checks as
//! GraphQL over HTTP.
//!
//! The protocol:
//! - the socket must speak the subprotocol `graphql-transport-ws`, else it is closed with
//!   `4406: Subprotocol not acceptable` (the legacy `graphql-ws` of
//!   subscriptions-transport-ws is not spoken);
//! - `connection_init` must come within [`CONNECTION_INIT_TIMEOUT`] (`4408`), once
//!   (`4429`), with a valid token in its payload (`{"Authorization": "Bearer <token>"}`
//!   or `{"token": "<token>"}`), else `4403: Forbidden`; then `connection_ack`;
//! - `ping` is answered with `pong` at any time, before `connection_init` too; a `pong`
//!   is taken and ignored;
//! - `subscribe` before the acknowledgement closes with `4401: Unauthorized`, with an id
//!   in use with `4409: Subscriber for <id> already exists`; an operation answers `next`
//!   messages and then `complete`, or one `error` message (errors that stop it before it
//!   runs, each with `extensions.code`) and nothing more;
//! - `complete` from the client stops that operation (a mutation caught in flight still
//!   finishes its write); nothing more is sent for it, and an unknown id is ignored;
//! - any other message, or one of the wrong shape, closes with `4400`.
//!
//! The rules of this server:
//! - **The token's life is the connection's.** At the token's `exp` the socket is closed
//!   with `4403: Forbidden` (a timer, armed at `connection_ack`), and an operation
//!   that arrives after `exp` runs nothing. A token already past its `exp` is refused at
//!   `connection_init` (HTTP's 30 s of clock-skew leeway does not stretch a socket).
//! - **Every operation passes HTTP's checks**: the token's rate limit (one operation is
//!   one request; over the limit an `error` message with the code HTTP's 429 carries),
//!   the allow-list in allow-list mode (`FORBIDDEN`, unrun), and the request checks of
//!   [`crate::graphql::checks`] (parse, text input, every limit), with the error codes
//!   given after execution as over HTTP. A message may be at most
//!   `SAMVERKAN_MAX_BODY_BYTES` long (else `1009: Message too big`).
//! - On shutdown every socket is closed with `1001: going away`.
//!
//! Each connection has one batch loader that batches each operation's and each event's
//! loads but keeps nothing between them: every event is resolved from fresh rows.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Response as GraphQLResponse, ServerError};
use axum::extract::State;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::stream::{AbortHandle, BoxStream, SelectAll, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::Caller;
use crate::error::AppError;
use crate::graphql::batch::RequestLoader;
use crate::graphql::checks;
use crate::http::{AppState, rate_limited, request_data};

/// The one subprotocol spoken.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// How long a client may take to send `connection_init`.
pub const CONNECTION_INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest close reason a close frame can carry, in bytes.
const MAX_CLOSE_REASON: usize = 123;

/// How long the server waits to close a socket (its close frame sent and answered)
/// before it drops the connection.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// `GET /graphql/ws`: upgrade to a graphql-transport-ws socket (a request that is no
/// WebSocket handshake is answered with a GraphQL error, `BAD_REQUEST`).
pub(crate) async fn graphql_ws(
    State(state): State<AppState>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return crate::transport::refusal(
                rejection.status(),
                crate::transport::codes::BAD_REQUEST,
                format!(
                    "{}: /graphql/ws speaks GraphQL over WebSocket ({PROTOCOL})",
                    rejection.body_text()
                ),
                crate::transport::MediaType::Json,
            );
        }
    };
    let max = state.max_body_bytes;
    upgrade
        .protocols([PROTOCOL])
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| serve(state, socket))
}

/// Why the server closes a socket: a close code and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Close {
    code: u16,
    reason: String,
}

impl Close {
    fn new(code: u16, reason: impl Into<String>) -> Self {
        let mut reason = reason.into();
        if reason.len() > MAX_CLOSE_REASON {
            let mut end = MAX_CLOSE_REASON;
            while !reason.is_char_boundary(end) {
                end -= 1;
            }
            reason.truncate(end);
        }
        Self { code, reason }
    }

    fn invalid(reason: impl Into<String>) -> Self {
        Self::new(4400, reason)
    }

    fn forbidden() -> Self {
        Self::new(4403, "Forbidden")
    }

    fn expired() -> Self {
        Self::new(4403, "Forbidden: the token has expired")
    }

    fn going_away() -> Self {
        Self::new(1001, "Server shutting down")
    }
}

/// A message from the client, checked against the protocol.
#[derive(Debug)]
enum ClientMessage {
    ConnectionInit(Option<Map<String, Value>>),
    Ping(Option<Map<String, Value>>),
    Pong,
    Subscribe {
        id: String,
        request: Box<async_graphql::Request>,
    },
    Complete(String),
}

/// The optional object `payload` of `message`.
fn optional_payload(message: &mut Map<String, Value>) -> Result<Option<Map<String, Value>>, Close> {
    match message.remove("payload") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(payload)) => Ok(Some(payload)),
        Some(_) => Err(Close::invalid(
            "Invalid message: 'payload' must be an object",
        )),
    }
}

/// The non-empty string `id` of `message`.
fn message_id(message: &Map<String, Value>) -> Result<String, Close> {
    match message.get("id") {
        Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
        _ => Err(Close::invalid(
            "Invalid message: 'id' must be a non-empty string",
        )),
    }
}

/// The GraphQL request of a `subscribe` message's payload.
fn subscribe_request(payload: Option<&Value>) -> Result<async_graphql::Request, Close> {
    let Some(Value::Object(payload)) = payload else {
        return Err(Close::invalid(
            "Invalid message: a subscribe message's 'payload' must be an object",
        ));
    };
    let kind_ok =
        |key: &str, ok: fn(&Value) -> bool| payload.get(key).is_none_or(|v| v.is_null() || ok(v));
    if !payload.get("query").is_some_and(Value::is_string) {
        return Err(Close::invalid(
            "Invalid message: 'payload.query' must be a string",
        ));
    }
    if !kind_ok("operationName", Value::is_string)
        || !kind_ok("variables", Value::is_object)
        || !kind_ok("extensions", Value::is_object)
    {
        return Err(Close::invalid(
            "Invalid message: 'operationName' must be a string, 'variables' and \
             'extensions' objects",
        ));
    }
    let fields: Map<String, Value> = payload
        .iter()
        .filter(|(key, value)| {
            matches!(
                key.as_str(),
                "query" | "operationName" | "variables" | "extensions"
            ) && !value.is_null()
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    serde_json::from_value(Value::Object(fields))
        .map_err(|err| Close::invalid(format!("Invalid message: {err}")))
}

/// Read one text message of the protocol.
fn parse(text: &str) -> Result<ClientMessage, Close> {
    let mut message = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(message)) => message,
        Ok(_) => return Err(Close::invalid("Invalid message: not a JSON object")),
        Err(_) => return Err(Close::invalid("Invalid message: not JSON")),
    };
    let kind = match message.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        _ => {
            return Err(Close::invalid("Invalid message: 'type' must be a string"));
        }
    };
    match kind.as_str() {
        "connection_init" => Ok(ClientMessage::ConnectionInit(optional_payload(
            &mut message,
        )?)),
        "ping" => Ok(ClientMessage::Ping(optional_payload(&mut message)?)),
        "pong" => optional_payload(&mut message).map(|_| ClientMessage::Pong),
        "subscribe" => Ok(ClientMessage::Subscribe {
            id: message_id(&message)?,
            request: Box::new(subscribe_request(message.get("payload"))?),
        }),
        "complete" => Ok(ClientMessage::Complete(message_id(&message)?)),
        "connection_ack" | "next" | "error" => Err(Close::invalid(format!(
            "Unexpected message of type {kind} received: only a server sends it"
        ))),
        _ => Err(Close::invalid("Invalid message: unknown 'type'")),
    }
}

/// The token of a `connection_init` payload.
fn token(payload: Option<&Map<String, Value>>) -> Option<&str> {
    let payload = payload?;
    let header = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(*key).and_then(Value::as_str))
        .map(|value| {
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .unwrap_or(value)
        });
    header
        .or_else(|| payload.get("token").and_then(Value::as_str))
        .map(str::trim)
}

/// When a token with expiry `exp` (seconds since the epoch) expires, on this clock.
fn expiry_instant(exp: u64) -> Instant {
    let now = Instant::now();
    let left = UNIX_EPOCH
        .checked_add(Duration::from_secs(exp))
        .map(|at| {
            at.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        })
        .unwrap_or(Duration::MAX);
    // A token valid beyond what a clock can count is valid for a century here.
    now.checked_add(left)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400))
}

/// What one run of an operation produced; `serial` tells it from a later operation with
/// the same id.
struct Produced {
    serial: u64,
    id: String,
    output: Output,
}

enum Output {
    /// A result: a `next` message.
    Next(Box<GraphQLResponse>),
    /// Errors before it ran: an `error` message, and the operation is over.
    Error(Vec<ServerError>),
    /// The operation is over: a `complete` message.
    Complete,
}

/// A running operation.
struct Running {
    serial: u64,
    handle: AbortHandle,
    /// A mutation runs to its end even when the client completes it (nothing more is
    /// sent for it): a write is not cut off half-way.
    mutation: bool,
}

/// Whether the operation `request` runs is a mutation.
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    let name = request.operation_name.clone();
    let Ok(doc) = request.parsed_query() else {
        return false;
    };
    let operation = match &doc.operations {
        DocumentOperations::Single(op) => Some(op),
        DocumentOperations::Multiple(ops) => name.as_deref().and_then(|n| ops.get(n)),
    };
    operation.is_some_and(|op| op.node.ty == OperationType::Mutation)
}

/// Whether `response` is a request error: nothing ran (parse, validation, limits,
/// variables), so nothing has a path.
fn failed_before_execution(response: &GraphQLResponse) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|err| err.path.is_empty())
}

#[derive(Serialize)]
struct OutgoingMessage<'a, P: Serialize> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<P>,
}

fn outgoing<P: Serialize>(id: &str, kind: &'static str, payload: Option<P>) -> Option<String> {
    match serde_json::to_string(&OutgoingMessage { id, kind, payload }) {
        Ok(text) => Some(text),
        Err(err) => {
            tracing::error!(error = %err, "cannot serialize a WebSocket message");
            None
        }
    }
}

/// An `error` message for an operation refused with `err`.
fn refusal(id: &str, err: &AppError) -> Option<String> {
    let errors = [json!({
        "message": err.public_message(),
        "extensions": { "code": err.code().as_str() },
    })];
    outgoing(id, "error", Some(errors))
}

/// What the connection does next.
enum Step {
    /// Send this text message.
    Send(String),
    /// Nothing to send.
    Nothing,
    /// Close the socket.
    Close(Close),
    /// The client has gone.
    End,
}

impl From<Option<String>> for Step {
    fn from(text: Option<String>) -> Self {
        text.map_or(Self::Nothing, Self::Send)
    }
}

/// One acknowledged connection's caller.
struct Acknowledged {
    caller: Caller,
    expires: Instant,
}

/// The state of one socket.
struct Connection {
    state: AppState,
    loader: RequestLoader,
    /// Whether `connection_init` came.
    initialised: bool,
    /// Set at `connection_ack`.
    acknowledged: Option<Acknowledged>,
    /// The running operations by id; their streams are in `operations`.
    active: HashMap<String, Running>,
    /// The serial of the last operation started.
    serial: u64,
    operations: SelectAll<BoxStream<'static, Produced>>,
    span: tracing::Span,
}

type Sink = SplitSink<WebSocket, Message>;

async fn serve(state: AppState, socket: WebSocket) {
    let accepted = socket
        .protocol()
        .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(PROTOCOL.as_bytes()));
    let (mut sink, mut incoming) = socket.split();
    let reason = if accepted {
        let span = tracing::info_span!("graphql_ws", sub = tracing::field::Empty);
        let loader = RequestLoader::new(state.db.clone(), false);
        let connection = Connection {
            state,
            loader: loader.clone(),
            initialised: false,
            acknowledged: None,
            active: HashMap::new(),
            serial: 0,
            operations: SelectAll::new(),
            span: span.clone(),
        };
        // The connection and its operations end here, before the socket is closed.
        loader
            .drive(connection.run(&mut incoming, &mut sink))
            .instrument(span)
            .await
    } else {
        Some(Close::new(4406, "Subprotocol not acceptable"))
    };
    // The closing handshake, bounded in time: a client that reads nothing cannot hold
    // the socket open.
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
        match reason {
            Some(reason) => {
                let frame = CloseFrame {
                    code: reason.code,
                    reason: reason.reason.into(),
                };
                if sink.send(Message::Close(Some(frame))).await.is_ok() {
                    // Read on until the client answers the close frame.
                    while let Some(Ok(message)) = incoming.next().await {
                        if let Message::Close(_) = message {
                            break;
                        }
                    }
                }
            }
            // The client closed (answer its close frame) or has gone.
            None => {
                let _ = sink.close().await;
            }
        }
    })
    .await;
}

/// What woke the connection up.
enum Wake {
    Stopping,
    Deadline,
    Produced(Produced),
    Incoming(Option<Result<Message, axum::Error>>),
}

impl Connection {
    /// Serve the protocol until the socket is to be closed (with the close to send) or
    /// the client has gone (`None`).
    async fn run(
        mut self,
        incoming: &mut SplitStream<WebSocket>,
        sink: &mut Sink,
    ) -> Option<Close> {
        let mut shutdown = self.state.shutdown.clone();
        let stopping = shutdown.wait_for(|stop| *stop);
        tokio::pin!(stopping);
        // Until `connection_ack`: the initialisation deadline; then the token's expiry.
        let deadline = tokio::time::sleep(CONNECTION_INIT_TIMEOUT);
        tokio::pin!(deadline);
        loop {
            let wake = tokio::select! {
                biased;
                _ = &mut stopping => Wake::Stopping,
                () = &mut deadline => Wake::Deadline,
                Some(produced) = self.operations.next(), if !self.operations.is_empty() => {
                    Wake::Produced(produced)
                }
                message = incoming.next() => Wake::Incoming(message),
            };
            let step = match wake {
                Wake::Stopping => return Some(Close::going_away()),
                Wake::Deadline => return Some(self.deadline_passed()),
                Wake::Produced(produced) => self.produced(produced),
                Wake::Incoming(None) => Step::End,
                Wake::Incoming(Some(Err(err))) if too_big(&err) => {
                    Step::Close(Close::new(1009, "Message too big"))
                }
                Wake::Incoming(Some(Err(_))) => Step::End,
                Wake::Incoming(Some(Ok(message))) => {
                    let acknowledged = self.acknowledged.is_some();
                    let step = self.receive(message).await;
                    if let (false, Some(ack)) = (acknowledged, &self.acknowledged) {
                        deadline.as_mut().reset(ack.expires);
                    }
                    step
                }
            };
            match step {
                Step::Send(text) => {
                    // A client that does not read holds this send up; expiry and
                    // shutdown still end the connection.
                    let sent = tokio::select! {
                        biased;
                        _ = &mut stopping => return Some(Close::going_away()),
                        () = &mut deadline => return Some(self.deadline_passed()),
                        sent = sink.send(Message::Text(text.into())) => sent,
                    };
                    if sent.is_err() {
                        return None;
                    }
                }
                Step::Nothing => {}
                Step::Close(reason) => return Some(reason),
                Step::End => return None,
            }
        }
    }

    /// The close when the deadline has passed: the token's expiry once acknowledged,
    /// else the initialisation timeout.
    fn deadline_passed(&self) -> Close {
        if self.acknowledged.is_some() {
            tracing::info!("token expired: connection closed");
            Close::expired()
        } else {
            Close::new(4408, "Connection initialisation timeout")
        }
    }

    /// Handle one message from the client.
    async fn receive(&mut self, message: Message) -> Step {
        let parsed = match &message {
            Message::Text(text) => parse(text.as_str()),
            // graphql-ws clients send text; JSON in a binary frame is read all the same.
            Message::Binary(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => parse(text),
                Err(_) => Err(Close::invalid("Invalid message: not UTF-8 text")),
            },
            Message::Ping(_) | Message::Pong(_) => return Step::Nothing,
            Message::Close(_) => return Step::End,
        };
        match parsed {
            Err(close) => Step::Close(close),
            Ok(ClientMessage::ConnectionInit(payload)) => self.init(payload.as_ref()).await,
            Ok(ClientMessage::Ping(payload)) => {
                let pong = match payload {
                    Some(payload) => json!({ "type": "pong", "payload": payload }),
                    None => json!({ "type": "pong" }),
                };
                Step::Send(pong.to_string())
            }
            Ok(ClientMessage::Pong) => Step::Nothing,
            Ok(ClientMessage::Subscribe { id, request }) => self.subscribe(id, *request),
            Ok(ClientMessage::Complete(id)) => {
                // Stopped here: nothing more is sent for it (an unknown id is ignored).
                if let Some(running) = self.active.remove(&id)
                    && !running.mutation
                {
                    running.handle.abort();
                }
                Step::Nothing
            }
        }
    }

    /// `connection_init`: check the token, acknowledge.
    async fn init(&mut self, payload: Option<&Map<String, Value>>) -> Step {
        if self.initialised {
            return Step::Close(Close::new(4429, "Too many initialisation requests"));
        }
        self.initialised = true;
        let Some(token) = token(payload) else {
            tracing::info!("WebSocket refused: no token in connection_init");
            return Step::Close(Close::forbidden());
        };
        let verified = match self.state.keys.verify_expiring(token).await {
            Ok((caller, exp)) => {
                crate::services::provider_groups::resolve_organization(&self.state.db, caller)
                    .await
                    .map(|caller| (caller, exp))
            }
            Err(err) => Err(err),
        };
        let (caller, exp) = match verified {
            Ok(verified) => verified,
            Err(err) => {
                tracing::info!(reason = %err, "WebSocket refused");
                return Step::Close(Close::forbidden());
            }
        };
        let expires = expiry_instant(exp);
        if expires <= Instant::now() {
            tracing::info!("WebSocket refused: the token has expired");
            return Step::Close(Close::expired());
        }
        self.span.record("sub", caller.sub.as_str());
        self.acknowledged = Some(Acknowledged { caller, expires });
        Step::Send(json!({ "type": "connection_ack" }).to_string())
    }

    /// `subscribe`: check as HTTP does, then run.
    fn subscribe(&mut self, id: String, mut request: async_graphql::Request) -> Step {
        let Some(ack) = &self.acknowledged else {
            return Step::Close(Close::new(4401, "Unauthorized"));
        };
        if self.active.contains_key(&id) {
            return Step::Close(Close::new(
                4409,
                format!("Subscriber for {id} already exists"),
            ));
        }
        // The timer closes the socket at expiry; an operation that arrives after it, in
        // the same instant, runs nothing.
        if ack.expires <= Instant::now() {
            return Step::Close(Close::expired());
        }
        let caller = ack.caller.clone();
        if let Err(wait) = self.state.limiter.check(&caller.sub) {
            self.state
                .metrics
                .request("-", "rate_limited", Duration::ZERO);
            return refusal(&id, &rate_limited(wait)).into();
        }
        if let Some(list) = &self.state.allowlist
            && let Err(err) = list.resolve(&mut request)
        {
            self.state
                .metrics
                .request("-", "not_allowed", Duration::ZERO);
            return refusal(&id, &err).into();
        }
        // Parse, text input, limits: as over HTTP.
        if let Err(errors) = self.state.checks.prepare(&mut request) {
            return outgoing(&id, "error", Some(errors)).into();
        }
        let mutation = is_mutation(&mut request);
        let id_of_output = id.clone();
        request.data = request_data(&self.state, caller, &self.loader);
        self.serial += 1;
        let serial = self.serial;
        let responses = self.state.schema.execute_stream(request);
        let mut first = true;
        let produced = responses
            .map(move |mut response| {
                checks::with_codes(&mut response);
                if std::mem::take(&mut first) && failed_before_execution(&response) {
                    Output::Error(response.errors)
                } else {
                    Output::Next(Box::new(response))
                }
            })
            .chain(futures_util::stream::once(async { Output::Complete }))
            .map(move |output| Produced {
                serial,
                id: id_of_output.clone(),
                output,
            });
        let (produced, handle) = futures_util::stream::abortable(produced);
        self.active.insert(
            id,
            Running {
                serial,
                handle,
                mutation,
            },
        );
        self.operations.push(produced.boxed());
        Step::Nothing
    }

    /// A message of a running operation; nothing for one the client completed.
    fn produced(&mut self, produced: Produced) -> Step {
        let Produced { serial, id, output } = produced;
        if self
            .active
            .get(&id)
            .is_none_or(|running| running.serial != serial)
        {
            return Step::Nothing;
        }
        match output {
            Output::Next(response) => outgoing(&id, "next", Some(response)).into(),
            Output::Error(errors) => {
                // The operation is over; no `complete` follows an `error`.
                if let Some(running) = self.active.remove(&id) {
                    running.handle.abort();
                }
                outgoing(&id, "error", Some(errors)).into()
            }
            Output::Complete => {
                self.active.remove(&id);
                outgoing::<()>(&id, "complete", None).into()
            }
        }
    }
}

/// Whether a read failed because the message was over the size limit.
fn too_big(err: &axum::Error) -> bool {
    use std::error::Error as _;
    let mut source: Option<&(dyn std::error::Error + 'static)> = err.source();
    while let Some(inner) = source {
        if let Some(tungstenite) = inner.downcast_ref::<tokio_tungstenite::tungstenite::Error>() {
            return matches!(
                tungstenite,
                tokio_tungstenite::tungstenite::Error::Capacity(_)
            );
        }
        source = inner.source();
    }
    false
}
