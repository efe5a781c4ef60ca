//! graphql-transport-ws to the letter (the `PROTOCOL.md` of the `graphql-ws` library),
//! and the same checks over the socket as over HTTP: a socket ends when its token
//! expires, and every operation is rate-limited, allow-listed and limited as HTTP does.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use api::auth::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::helpers::{TEST_SECRET, TestApp, operation, spawn_app, spawn_app_with};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for a message that must come.
const PATIENCE: Duration = Duration::from_secs(10);

/// Open a socket to `app` offering `protocol` (none when `None`); nothing sent yet.
async fn open_with(app: &TestApp, protocol: Option<&'static str>) -> Socket {
    let mut request = format!("ws://127.0.0.1:{}/graphql/ws", app.port)
        .into_client_request()
        .unwrap();
    if let Some(protocol) = protocol {
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
    }
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
}

/// Open a graphql-transport-ws socket; nothing sent yet.
async fn open(app: &TestApp) -> Socket {
    open_with(app, Some("graphql-transport-ws")).await
}

/// Send one JSON message.
async fn send(socket: &mut Socket, message: Value) {
    send_text(socket, message.to_string()).await;
}

async fn send_text(socket: &mut Socket, text: String) {
    socket.send(Message::Text(text.into())).await.unwrap();
}

fn init(token: &str) -> Value {
    json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })
}

fn subscribe_message(id: &str, query: &str, variables: Value) -> Value {
    json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })
}

/// The next protocol message (text as JSON; a close frame as
/// `{"close": code, "reason": reason}`; the end of the stream as `{"closed": null}`).
async fn next(socket: &mut Socket) -> Value {
    next_within(socket, PATIENCE).await
}

async fn next_within(socket: &mut Socket, patience: Duration) -> Value {
    loop {
        let msg = tokio::time::timeout(patience, socket.next())
            .await
            .expect("a message in time");
        match msg {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).unwrap(),
            Some(Ok(Message::Close(frame))) => {
                return match frame {
                    Some(f) => json!({ "close": u16::from(f.code), "reason": f.reason.as_str() }),
                    None => json!({ "close": null }),
                };
            }
            Some(Ok(_)) => continue,
            None | Some(Err(_)) => return json!({ "closed": null }),
        }
    }
}

/// The next message must be a close frame with `code` (and `reason` when given).
async fn expect_close(socket: &mut Socket, code: u16, reason: Option<&str>) {
    let msg = next(socket).await;
    assert_eq!(msg["close"], json!(code), "{msg}");
    if let Some(reason) = reason {
        assert_eq!(msg["reason"], reason, "{msg}");
    }
}

/// Open, send `connection_init` with `token` and wait for `connection_ack`.
async fn acknowledged(app: &TestApp, token: &str) -> Socket {
    let mut socket = open(app).await;
    send(&mut socket, init(token)).await;
    assert_eq!(next(&mut socket).await, json!({ "type": "connection_ack" }));
    socket
}

/// Run `query` as operation `id`: its one `next` payload, then `complete`.
async fn run(socket: &mut Socket, id: &str, query: &str, variables: Value) -> Value {
    send(socket, subscribe_message(id, query, variables)).await;
    let msg = next(socket).await;
    assert_eq!(
        (msg["type"].as_str(), msg["id"].as_str()),
        (Some("next"), Some(id)),
        "{msg}"
    );
    assert_eq!(next(socket).await, json!({ "id": id, "type": "complete" }));
    msg["payload"].clone()
}

/// Operation `id`'s next message must be an `error` message; its errors, each of which
/// carries a code. No `complete` follows it: a ping is answered next.
async fn expect_error(socket: &mut Socket, id: &str) -> Vec<Value> {
    let msg = next(socket).await;
    assert_eq!(
        (msg["type"].as_str(), msg["id"].as_str()),
        (Some("error"), Some(id)),
        "{msg}"
    );
    let errors = msg["payload"].as_array().expect("a list of errors").clone();
    assert!(!errors.is_empty(), "{msg}");
    for err in &errors {
        assert!(err["message"].is_string(), "{msg}");
        assert!(
            err["extensions"]["code"]
                .as_str()
                .is_some_and(|c| !c.is_empty()),
            "{msg}"
        );
    }
    send(socket, json!({ "type": "ping" })).await;
    assert_eq!(
        next(socket).await,
        json!({ "type": "pong" }),
        "after the error of {id}"
    );
    errors
}

/// Wait until the server has `n` live subscriptions (a readiness signal, not a sleep).
async fn wait_for_subscribers(app: &TestApp, n: usize) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while app.events.subscriber_count() != n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} subscriptions, not {n}",
            app.events.subscriber_count()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The `exp` claim of `token`.
fn exp_of(token: &str) -> f64 {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    claims["exp"].as_f64().unwrap()
}

/// A viewer token that expired `ago` seconds ago: within HTTP's clock-skew leeway of 30 s,
/// so the keys still verify it.
fn token_expired_ago(ago: u64, org: &str, role: &str) -> String {
    let now = unix_now() as u64;
    let claims = json!({
        "sub": "late-user", "org": org, "roles": [role],
        "iss": "samverkan", "aud": "samverkan", "iat": now - 600, "exp": now - ago,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap()
}

/// The `UpdateCommitment` mutation of the police's SSPF commitment, as a subscribe
/// message with id `id`.
async fn police_update(app: &TestApp, id: &str, text: &str) -> Value {
    let police = app.sspf_commitment_of("lpo-farsta").await;
    json!({ "id": id, "type": "subscribe", "payload": {
        "query": operation("UpdateCommitment"),
        "operationName": "UpdateCommitment",
        "variables": { "id": police["id"], "expectedVersion": police["version"], "text": text },
    } })
}

#[tokio::test]
async fn a_ping_before_connection_init_is_answered_with_pong() {
    let app = spawn_app().await;
    let mut socket = open(&app).await;
    send(
        &mut socket,
        json!({ "type": "ping", "payload": { "at": 1 } }),
    )
    .await;
    assert_eq!(
        next(&mut socket).await,
        json!({ "type": "pong", "payload": { "at": 1 } })
    );
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut socket).await, json!({ "type": "pong" }));
    // A pong is taken and ignored; the connection then starts as usual.
    send(&mut socket, json!({ "type": "pong" })).await;
    send(&mut socket, init(&app.viewer_token())).await;
    assert_eq!(next(&mut socket).await, json!({ "type": "connection_ack" }));
    let data = run(&mut socket, "1", "{ viewer { sub } }", json!({})).await;
    assert_eq!(
        data,
        json!({ "data": { "viewer": { "sub": "test-user" } } })
    );
}

#[tokio::test]
async fn a_subscribe_before_connection_init_closes_with_4401_and_runs_nothing() {
    let app = spawn_app().await;
    let before = app.fingerprint().await;
    let mut socket = open(&app).await;
    send(&mut socket, police_update(&app, "1", "Före init.").await).await;
    expect_close(&mut socket, 4401, Some("Unauthorized")).await;
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_second_connection_init_closes_with_4429() {
    let app = spawn_app().await;
    let mut socket = acknowledged(&app, &app.viewer_token()).await;
    send(&mut socket, init(&app.viewer_token())).await;
    expect_close(&mut socket, 4429, Some("Too many initialisation requests")).await;
}

#[tokio::test]
async fn no_connection_init_in_time_closes_with_4408() {
    let app = spawn_app().await;
    let mut socket = open(&app).await;
    // Pings do not stand in for `connection_init`.
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut socket).await, json!({ "type": "pong" }));
    let msg = next_within(&mut socket, api::ws::CONNECTION_INIT_TIMEOUT + PATIENCE).await;
    assert_eq!(msg["close"], 4408, "{msg}");
    assert_eq!(msg["reason"], "Connection initialisation timeout");
}

#[tokio::test]
async fn without_a_valid_token_connection_init_closes_with_4403() {
    let app = spawn_app().await;
    for payload in [
        json!({ "type": "connection_init" }),
        json!({ "type": "connection_init", "payload": null }),
        json!({ "type": "connection_init", "payload": { "token": "not-a-token" } }),
        init(&token_expired_ago(5, "skarpnack-sdf", "VIEWER")),
    ] {
        let mut socket = open(&app).await;
        send(&mut socket, payload.clone()).await;
        let msg = next(&mut socket).await;
        assert_eq!(msg["close"], 4403, "{payload}: {msg}");
    }
    // `{"token": …}` is accepted as well as `{"Authorization": "Bearer …"}`.
    let mut socket = open(&app).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": app.viewer_token() } }),
    )
    .await;
    assert_eq!(next(&mut socket).await, json!({ "type": "connection_ack" }));
}

#[tokio::test]
async fn a_socket_without_graphql_transport_ws_closes_with_4406_and_a_plain_get_is_400() {
    let app = spawn_app().await;
    // No subprotocol: the socket opens and is closed at once.
    let mut socket = open_with(&app, None).await;
    expect_close(&mut socket, 4406, Some("Subprotocol not acceptable")).await;
    // Only the legacy subscriptions-transport-ws protocol: the server selects none, which
    // a client that asked for one refuses (as browsers do).
    let mut request = format!("ws://127.0.0.1:{}/graphql/ws", app.port)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-ws"),
    );
    let refused = tokio_tungstenite::connect_async(request).await;
    assert!(
        matches!(
            refused,
            Err(tokio_tungstenite::tungstenite::Error::Protocol(
                tokio_tungstenite::tungstenite::error::ProtocolError::SecWebSocketSubProtocolError(
                    _
                )
            ))
        ),
        "{:?}",
        refused.map(|(_, response)| response)
    );
    // No WebSocket handshake at all: a GraphQL error.
    let response = app.get("/graphql/ws").await;
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        crate::helpers::error_codes(&body),
        vec!["BAD_REQUEST"],
        "{body}"
    );
}

#[tokio::test]
async fn invalid_messages_close_with_4400() {
    let app = spawn_app().await;
    let invalid = [
        "not json".to_owned(),
        "[]".to_owned(),
        json!({ "id": "1" }).to_string(),
        json!({ "type": "start", "id": "1", "payload": { "query": "{ viewer { sub } }" } })
            .to_string(),
        json!({ "type": "subscribe", "id": "1" }).to_string(),
        json!({ "type": "subscribe", "payload": { "query": "{ viewer { sub } }" } }).to_string(),
        json!({ "type": "subscribe", "id": "", "payload": { "query": "{ viewer { sub } }" } })
            .to_string(),
        json!({ "type": "subscribe", "id": "1", "payload": { "query": 5 } }).to_string(),
        json!({ "type": "subscribe", "id": "1", "payload": { "query": "{ viewer { sub } }", "variables": [] } })
            .to_string(),
        json!({ "type": "complete" }).to_string(),
        json!({ "type": "next", "id": "1", "payload": {} }).to_string(),
        json!({ "type": "connection_ack" }).to_string(),
        json!({ "type": "ping", "payload": "hello" }).to_string(),
    ];
    for text in invalid {
        let mut socket = acknowledged(&app, &app.viewer_token()).await;
        send_text(&mut socket, text.clone()).await;
        let msg = next(&mut socket).await;
        assert_eq!(msg["close"], 4400, "{text}: {msg}");
    }
    // Before `connection_init` too, and an init whose payload is not an object.
    let mut socket = open(&app).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": "token" }),
    )
    .await;
    expect_close(&mut socket, 4400, None).await;
}

#[tokio::test]
async fn a_subscribe_with_an_id_in_use_closes_with_4409() {
    let app = spawn_app().await;
    let mut socket = acknowledged(&app, &app.viewer_token()).await;
    // An id is free again once its operation completed.
    for _ in 0..2 {
        run(&mut socket, "q", "{ viewer { sub } }", json!({})).await;
    }
    let subscription = "subscription { groupChanged { action } }";
    send(&mut socket, subscribe_message("s", subscription, json!({}))).await;
    wait_for_subscribers(&app, 1).await;
    send(&mut socket, subscribe_message("s", subscription, json!({}))).await;
    expect_close(&mut socket, 4409, Some("Subscriber for s already exists")).await;
    // The first subscription ended with the socket.
    wait_for_subscribers(&app, 0).await;
}

#[tokio::test]
async fn complete_from_the_client_stops_its_subscription_and_nothing_follows() {
    let app = spawn_app().await;
    let mut socket = acknowledged(&app, &app.viewer_token()).await;
    send(
        &mut socket,
        subscribe_message("s", "subscription { groupChanged { action } }", json!({})),
    )
    .await;
    wait_for_subscribers(&app, 1).await;
    send(&mut socket, json!({ "id": "s", "type": "complete" })).await;
    wait_for_subscribers(&app, 0).await;
    // No `complete` is sent back for it; an unknown id is ignored.
    send(&mut socket, json!({ "id": "unknown", "type": "complete" })).await;
    send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(next(&mut socket).await, json!({ "type": "pong" }));
    // The id is free again.
    send(
        &mut socket,
        subscribe_message("s", "subscription { groupChanged { action } }", json!({})),
    )
    .await;
    wait_for_subscribers(&app, 1).await;
}

#[tokio::test]
async fn queries_and_mutations_answer_next_then_complete() {
    let app = spawn_app().await;
    let audits = app.audit_count().await;
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let mut socket = acknowledged(&app, &token).await;
    send(&mut socket, police_update(&app, "m", "Via socketen.").await).await;
    let msg = next(&mut socket).await;
    assert_eq!(msg["type"], "next", "{msg}");
    let payload = &msg["payload"]["data"]["updateCommitment"];
    assert_eq!(payload["userErrors"], json!([]), "{msg}");
    assert_eq!(payload["commitment"]["text"], "Via socketen.");
    assert_eq!(
        next(&mut socket).await,
        json!({ "id": "m", "type": "complete" })
    );
    assert_eq!(app.audit_count().await, audits + 1);
}

/// An operation refused before it runs answers an `error` message whose errors carry the
/// codes HTTP answers the same request with, and runs no SQL.
#[tokio::test]
async fn request_errors_answer_an_error_message_with_http_codes_and_run_nothing() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    let mut socket = acknowledged(&app, &token).await;
    // An organization's parent's parent … 22 selection sets deep (the limit is 12).
    let inner = (1..22).fold(String::from("id"), |q, _| format!("parent {{ {q} }}"));
    let too_deep = format!(r#"{{ organization(slug: "lpo-farsta") {{ {inner} }} }}"#);
    let aliases: String = (0..101)
        .map(|i| format!("c{i}: coverage(dimension: METHOD) {{ total }} "))
        .collect();
    let too_many_aliases = format!("{{ {aliases} }}");
    let cases = [
        ("parse", "{ viewer { sub ".to_owned(), json!({})),
        ("validation", "{ noSuchField }".to_owned(), json!({})),
        ("depth", too_deep, json!({})),
        ("aliases", too_many_aliases, json!({})),
        (
            "nul",
            "query($s: String!) { district(slug: $s) { id } }".to_owned(),
            json!({ "s": "skarp\u{0}nack" }),
        ),
        (
            "operation",
            "query A { viewer { sub } } query B { viewer { sub } }".to_owned(),
            json!({}),
        ),
    ];
    let before = app.statements.get();
    let mut over_socket = Vec::new();
    for (id, query, variables) in &cases {
        send(&mut socket, subscribe_message(id, query, variables.clone())).await;
        over_socket.push(expect_error(&mut socket, id).await);
    }
    assert_eq!(app.statements.get(), before, "a refused operation ran SQL");
    for ((id, query, variables), errors) in cases.iter().zip(over_socket) {
        let (_, body) = app
            .graphql_with(Some(&token), query, variables.clone())
            .await;
        let codes: Vec<Value> = errors
            .iter()
            .map(|e| e["extensions"]["code"].clone())
            .collect();
        let http: Vec<Value> = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{id}: no errors over HTTP: {body}"))
            .iter()
            .map(|e| e["extensions"]["code"].clone())
            .collect();
        assert_eq!(codes, http, "{id}");
    }
}

#[tokio::test]
async fn over_its_rate_an_operation_gets_the_code_http_answers_429_with() {
    let app = spawn_app_with(|s| {
        s.rate_limit_per_minute = 2;
        s.rate_limit_burst = 2;
    })
    .await;
    let token = app.viewer_token();
    let mut socket = acknowledged(&app, &token).await;
    for id in ["1", "2"] {
        run(&mut socket, id, "{ viewer { sub } }", json!({})).await;
    }
    send(
        &mut socket,
        subscribe_message("3", "{ viewer { sub } }", json!({})),
    )
    .await;
    let errors = expect_error(&mut socket, "3").await;
    // The same token over HTTP is held back too, with the same code.
    let (status, body) = app
        .graphql_with(Some(&token), "{ viewer { sub } }", json!({}))
        .await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(
        errors[0]["extensions"]["code"], body["errors"][0]["extensions"]["code"],
        "{body}"
    );
    // A subscription counts as an operation.
    send(
        &mut socket,
        subscribe_message("4", "subscription { groupChanged { action } }", json!({})),
    )
    .await;
    expect_error(&mut socket, "4").await;
    assert_eq!(app.events.subscriber_count(), 0);
}

#[tokio::test]
async fn in_allowlist_mode_the_socket_runs_only_registered_operations() {
    let file = std::env::temp_dir().join(format!("allow-ws-{}.graphql", uuid::Uuid::new_v4()));
    std::fs::write(&file, crate::helpers::OPERATIONS).unwrap();
    let path = file.clone();
    let app = spawn_app_with(move |s| {
        s.persisted_queries = api::config::PersistedQueries::Allowlist;
        s.allowed_operations = Some(path);
    })
    .await;
    let mut socket = acknowledged(&app, &app.viewer_token()).await;
    let before = app.statements.get();
    send(
        &mut socket,
        subscribe_message("1", "{ districts { totalCount } }", json!({})),
    )
    .await;
    let errors = expect_error(&mut socket, "1").await;
    assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        app.statements.get(),
        before,
        "an unregistered operation ran SQL"
    );
    // A registered one runs, by hash as by text.
    let dashboard = operation("DistrictDashboard");
    let hash = api::allowlist::sha256_hex(&dashboard);
    send(
        &mut socket,
        json!({ "id": "2", "type": "subscribe", "payload": {
            "query": "",
            "variables": { "slug": "skarpnack" },
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } },
        } }),
    )
    .await;
    let msg = next(&mut socket).await;
    assert_eq!(
        msg["payload"]["data"]["district"]["name"], "Skarpnäck",
        "{msg}"
    );
    assert_eq!(
        next(&mut socket).await,
        json!({ "id": "2", "type": "complete" })
    );
    let data = run(&mut socket, "3", &dashboard, json!({ "slug": "bromma" })).await;
    assert_eq!(data["data"]["district"]["name"], "Bromma");
    let _ = std::fs::remove_file(file);
}

#[tokio::test]
async fn a_socket_is_closed_with_4403_when_its_token_expires() {
    let app = spawn_app().await;
    let token = app
        .keys
        .mint(
            "short-lived",
            "lpo-farsta",
            vec![Role::OrgEditor],
            None,
            Duration::from_secs(2),
        )
        .unwrap();
    let exp = exp_of(&token);
    let mut socket = acknowledged(&app, &token).await;
    send(
        &mut socket,
        subscribe_message("s", "subscription { groupChanged { action } }", json!({})),
    )
    .await;
    wait_for_subscribers(&app, 1).await;
    // The next thing that comes is the close, at `exp` and not before.
    let msg = next(&mut socket).await;
    assert_eq!(msg["close"], 4403, "{msg}");
    assert!(
        unix_now() >= exp,
        "closed {} s before exp",
        exp - unix_now()
    );
    wait_for_subscribers(&app, 0).await;
    // Whatever is sent now runs nothing.
    let before = app.fingerprint().await;
    let late = police_update(&app, "m", "Efter utgång.").await;
    let _ = socket.send(Message::Text(late.to_string().into())).await;
    assert_eq!(next(&mut socket).await, json!({ "closed": null }));
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_mutation_after_expiry_writes_nothing_and_is_not_audited() {
    let app = spawn_app().await;
    let before = app.fingerprint().await;
    // Expired five seconds ago: HTTP's clock-skew leeway still verifies it, the socket
    // does not. The mutation comes right behind `connection_init`, unawaited.
    let token = token_expired_ago(5, "lpo-farsta", "ORG_EDITOR");
    let mut socket = open(&app).await;
    send(&mut socket, init(&token)).await;
    send(&mut socket, police_update(&app, "m", "Efter utgång.").await).await;
    expect_close(&mut socket, 4403, None).await;
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_with_1009() {
    let app = spawn_app_with(|s| s.max_body_bytes = 1024).await;
    let mut socket = acknowledged(&app, &app.viewer_token()).await;
    let padding = " ".repeat(2048);
    send(
        &mut socket,
        subscribe_message("1", &format!("{{ viewer {{ sub }} }}{padding}"), json!({})),
    )
    .await;
    expect_close(&mut socket, 1009, None).await;
}

#[tokio::test]
async fn automatic_persisted_queries_work_over_the_socket() {
    let app = spawn_app().await;
    let mut socket = acknowledged(&app, &app.viewer_token()).await;
    let query = "{ districts { totalCount } }";
    let hash = api::allowlist::sha256_hex(query);
    let persisted = |id: &str, query: &str| {
        json!({ "id": id, "type": "subscribe", "payload": {
            "query": query,
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } },
        } })
    };
    // Unknown hash: the client is told to send the text.
    send(&mut socket, persisted("1", "")).await;
    let errors = expect_error(&mut socket, "1").await;
    assert_eq!(errors[0]["message"], "PersistedQueryNotFound");
    // With the text it runs and is kept; then the hash alone runs it.
    for (id, text) in [("2", query), ("3", "")] {
        send(&mut socket, persisted(id, text)).await;
        let msg = next(&mut socket).await;
        assert_eq!(
            msg["payload"]["data"]["districts"]["totalCount"], 13,
            "{msg}"
        );
        assert_eq!(
            next(&mut socket).await,
            json!({ "id": id, "type": "complete" })
        );
    }
}

/// A client's `complete` stops a query or subscription at once; a mutation it catches
/// in flight still finishes its write (never cut off half-way), but nothing more is sent
/// for it. The mutation is held up here by rows another client keeps locked (on SQLite:
/// the file's write lock).
#[tokio::test]
async fn a_mutation_completed_by_the_client_in_flight_finishes_and_sends_nothing() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app().await;
    let audits = app.audit_count().await;
    let update = police_update(&app, "m", "Klar trots complete.").await;
    let locker = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let held = locker.begin().await.unwrap();
    held.execute_unprepared(
        "UPDATE commitment SET text = text WHERE organization_id IN \
         (SELECT id FROM organization WHERE slug = 'lpo-farsta')",
    )
    .await
    .unwrap();

    let token = app.token("lpo-farsta", Role::OrgEditor);
    let mut socket = acknowledged(&app, &token).await;
    let before = app.statements.get();
    send(&mut socket, update).await;
    // The mutation has started (read the commitment) and now waits for the lock.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while app.statements.get() == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the mutation never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    send(&mut socket, json!({ "id": "m", "type": "complete" })).await;
    // The id is free at once.
    run(&mut socket, "m", "{ viewer { sub } }", json!({})).await;
    held.rollback().await.unwrap();
    locker.close().await.unwrap();

    let deadline = tokio::time::Instant::now() + PATIENCE;
    while app.audit_count().await == audits {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the mutation never wrote"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let police = app.sspf_commitment_of("lpo-farsta").await;
    assert_eq!(police["text"], "Klar trots complete.");
    // Nothing was sent for the completed mutation.
    let data = run(&mut socket, "q", "{ viewer { sub } }", json!({})).await;
    assert_eq!(data["data"]["viewer"]["sub"], "test-user");
}
