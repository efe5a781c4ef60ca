//! Spawning the real server for a test: a fresh database per test (an SQLite file, or a
//! PostgreSQL database when `TEST_DATABASE_URL` is set), migrated and seeded by the
//! application itself, served on a random port and dropped afterwards.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use api::auth::{JwtKeys, Role};
use api::config::Settings;
use api::db::StatementCounter;
use api::startup::Application;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use secrecy::SecretString;
use serde_json::{Value, json};

/// The HS256 secret of every test server.
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// A fresh database for one test, removed when dropped.
pub struct FreshDb {
    /// Its URL.
    pub url: String,
    test_db: TestDb,
}

/// Where the test database lives, and how to remove it.
enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The server's port.
    pub port: u16,
    /// The server's event bus.
    pub events: api::events::EventBus,
    /// Statement counter of the server's pool.
    pub statements: StatementCounter,
    /// A direct database handle.
    pub db: DatabaseConnection,
    /// The server's keys.
    pub keys: Arc<JwtKeys>,
    /// The server's gate of coverage matrices and exports.
    pub gate: api::gate::Gate,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The database URL the server uses.
    pub database_url: String,
    _db: FreshDb,
}

/// A fresh, empty database for one test.
pub async fn fresh_database() -> FreshDb {
    let (url, test_db) = create_database().await;
    FreshDb { url, test_db }
}

async fn create_database() -> (String, TestDb) {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("samverkan_test_{unique}");
            let admin = Database::connect(&admin_url)
                .await
                .expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base.to_string())
                .expect("TEST_DATABASE_URL names a database");
            (
                format!("{base}/{name}"),
                TestDb::Postgres { admin_url, name },
            )
        }
        _ => {
            let path = std::env::temp_dir().join(format!("samverkan-test-{unique}.db"));
            (
                format!("sqlite://{}?mode=rwc", path.display()),
                TestDb::Sqlite(path),
            )
        }
    }
}

/// Test settings for `database_url`: random port, fixed secret.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::with_database(database_url);
    settings.addr = "127.0.0.1:0".parse().expect("address");
    settings.jwt_secret = Some(SecretString::from(TEST_SECRET.to_string()));
    settings.db_max_connections = 5;
    settings
}

/// Spawn a seeded server on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawn a server on a fresh database, adjusting the settings first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (app, server) = build_app(adjust).await;
    tokio::spawn(server.run_until_stopped());
    app
}

/// Spawn a seeded server that runs until the sender is used (or dropped); the handle
/// ends when the server has stopped.
pub async fn spawn_stoppable_app() -> (
    TestApp,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let (app, server) = build_app(|_| {}).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    (app, stop, handle)
}

async fn build_app(adjust: impl FnOnce(&mut Settings)) -> (TestApp, Application) {
    let fresh = fresh_database().await;
    let database_url = fresh.url.clone();
    let mut settings = test_settings(&database_url);
    adjust(&mut settings);
    let app = Application::build(&settings)
        .await
        .expect("build application");
    let port = app.port();
    let events = app.events();
    let statements = app.statements();
    let db = app.db().clone();
    let keys = app.keys();
    let gate = app.gate();
    let test_app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        events,
        statements,
        db,
        keys,
        gate,
        client: reqwest::Client::new(),
        database_url,
        _db: fresh,
    };
    (test_app, app)
}

impl TestApp {
    /// A token for `org` with `role`.
    pub fn token(&self, org: &str, role: Role) -> String {
        self.keys
            .mint("test-user", org, vec![role], None, Duration::from_secs(600))
            .expect("mint token")
    }

    /// A token for `org` with `role` and coordinator districts (slugs).
    pub fn token_in(&self, org: &str, role: Role, districts: &[&str]) -> String {
        let districts =
            (!districts.is_empty()).then(|| districts.iter().map(|d| d.to_string()).collect());
        self.keys
            .mint(
                "test-user",
                org,
                vec![role],
                districts,
                Duration::from_secs(600),
            )
            .expect("mint token")
    }

    /// A token for `org` with `role` administering `municipalities` (slugs): a
    /// `MUNICIPALITY_ADMIN`'s token.
    pub fn token_for_municipalities(
        &self,
        org: &str,
        role: Role,
        municipalities: &[&str],
    ) -> String {
        let municipalities = (!municipalities.is_empty())
            .then(|| municipalities.iter().map(|m| m.to_string()).collect());
        self.keys
            .mint_scoped(
                "test-user",
                org,
                vec![role],
                None,
                municipalities,
                Duration::from_secs(600),
            )
            .expect("mint token")
    }

    /// An admin token.
    pub fn admin_token(&self) -> String {
        self.token("socialforvaltningen", Role::Admin)
    }

    /// Run `query` with `token`, failing on any GraphQL error; returns `data`.
    pub async fn run_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let (status, body) = self.graphql_with(Some(token), query, variables).await;
        assert_eq!(status, 200, "status of {query}: {body}");
        assert!(body.get("errors").is_none(), "errors in {query}: {body}");
        body["data"].clone()
    }

    /// A fingerprint of everything written: row count and version sum of every table,
    /// and the number of audit events. Equal fingerprints: nothing was written.
    pub async fn fingerprint(&self) -> Vec<(String, i64, i64)> {
        use sea_orm::{ConnectionTrait, Statement};
        let backend = self.db.get_database_backend();
        let versioned = [
            "action_plan",
            "activity",
            "follow_up",
            "collaboration_group",
            "participation",
            "commitment",
            // Issue 14 (helper `targets`).
            "indicator",
            "target",
            "measurement",
            // Issue 14, item 5.
            "group_follow_up",
            // The city's cycle (issue 14).
            "obligation",
            "situation_picture",
            "cause_analysis",
        ];
        let plain = [
            "municipality",
            "district",
            "organization",
            "organization_district",
            "strategy",
            "priority_area",
            "focus_area",
            "method",
            "activity_method",
            "responsibility",
            "collaboration_area",
            "audit_event",
            // Issue 14 (helper `targets`).
            "target_group",
            // Issue 14, item 5.
            "collaboration_group_kind",
            "activity_group",
            // The city's cycle (issue 14).
            "situation_picture_district",
            "situation_source",
            "finding",
            "cause",
            "cause_finding",
        ];
        let mut out = Vec::new();
        for (table, sum) in versioned
            .iter()
            .map(|t| (*t, "SUM(version)"))
            .chain(plain.iter().map(|t| (*t, "0")))
        {
            let sql = format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE({sum}, 0) AS BIGINT) AS v FROM {table}"
            );
            let row = self
                .db
                .query_one_raw(Statement::from_string(backend, sql))
                .await
                .expect("fingerprint query")
                .expect("a row");
            let n: i64 = row.try_get("", "n").expect("n");
            let v: i64 = row.try_get("", "v").expect("v");
            out.push((table.to_string(), n, v));
        }
        out
    }

    /// The number of audit events.
    pub async fn audit_count(&self) -> u64 {
        use sea_orm::{EntityTrait, PaginatorTrait};
        entity::audit_event::Entity::find()
            .count(&self.db)
            .await
            .expect("count audit events")
    }

    /// The global ID of the first node `query` (a `{ x { id } }` path) returns.
    pub async fn id_of(&self, query: &str, pointer: &str) -> String {
        let data = self.query(query, serde_json::json!({})).await;
        data.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no id at {pointer} in {data}"))
            .to_string()
    }

    /// The commitment organization `org` made in the first SSPF group: its `id`,
    /// `version` and `text`.
    pub async fn sspf_commitment_of(&self, org: &str) -> Value {
        let data = self
            .query(
                r#"{ collaborationGroups(filter: { kind: SSPF }) { nodes { commitments {
                     nodes { id version text organization { slug } } } } } }"#,
                serde_json::json!({}),
            )
            .await;
        data["collaborationGroups"]["nodes"][0]["commitments"]["nodes"]
            .as_array()
            .expect("commitments")
            .iter()
            .find(|c| c["organization"]["slug"] == org)
            .unwrap_or_else(|| panic!("no SSPF commitment of {org}"))
            .clone()
    }

    /// Send the `UpdateCommitment` operation to the server at `base`
    /// (`http://127.0.0.1:PORT`) with `token`.
    pub async fn send_update(
        &self,
        base: &str,
        token: &str,
        id: &Value,
        version: &Value,
        text: &str,
    ) -> reqwest::Response {
        self.client
            .post(format!("{base}/graphql"))
            .bearer_auth(token)
            .json(&serde_json::json!({
                "query": operation("UpdateCommitment"),
                "operationName": "UpdateCommitment",
                "variables": { "id": id, "expectedVersion": version, "text": text },
            }))
            .send()
            .await
            .expect("send request")
    }

    /// `GET path` (e.g. `/readyz`) on the server.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("send request")
    }

    /// A viewer token.
    pub fn viewer_token(&self) -> String {
        self.token("skarpnack-sdf", Role::Viewer)
    }

    /// POST a GraphQL request; returns the HTTP status and the JSON body.
    pub async fn graphql_with(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        self.graphql_op(token, query, None, variables).await
    }

    /// POST a GraphQL request naming `operation`.
    pub async fn graphql_op(
        &self,
        token: Option<&str>,
        query: &str,
        operation: Option<&str>,
        variables: Value,
    ) -> (u16, Value) {
        let mut body = json!({ "query": query, "variables": variables });
        if let Some(op) = operation {
            body["operationName"] = json!(op);
        }
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.expect("send request");
        let status = res.status().as_u16();
        let body = res.json::<Value>().await.expect("JSON body");
        (status, body)
    }

    /// POST a GraphQL request as a viewer; returns the HTTP status and the body's text
    /// exactly as sent (to check the order of keys).
    pub async fn graphql_text(&self, query: &str, variables: Value) -> (u16, String) {
        let res = self
            .client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(self.viewer_token())
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send request");
        let status = res.status().as_u16();
        (status, res.text().await.expect("text body"))
    }

    /// Run `query` as a viewer and return `data`, failing the test on any error.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let token = self.viewer_token();
        let (status, body) = self.graphql_with(Some(&token), query, variables).await;
        assert_eq!(status, 200, "status of {query}: {body}");
        assert!(body.get("errors").is_none(), "errors in {query}: {body}");
        body["data"].clone()
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        match &self.test_db {
            TestDb::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm", ".jwt-secret", ".lock"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            TestDb::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop the database from a thread of its own: Drop cannot await.
                let handle = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                });
                let _ = handle.join();
            }
        }
    }
}

/// The error codes of a GraphQL response.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The users' operations, copied verbatim from the product brief.
pub const OPERATIONS: &str = include_str!("../operations.graphql");

/// The text of one named operation of the users' operations.
pub fn operation(name: &str) -> String {
    operation_in(OPERATIONS, name)
}

/// The text of one named operation from a document of several.
pub fn operation_in(document: &str, name: &str) -> String {
    let start = document
        .find(&format!(" {name}"))
        .and_then(|i| document[..i].rfind(['\n']).map(|n| n + 1))
        .unwrap();
    let mut depth = 0;
    let mut end = start;
    let mut opened = false;
    for (i, c) in document[start..].char_indices() {
        match c {
            '{' => {
                depth += 1;
                opened = true;
            }
            '}' => depth -= 1,
            _ => {}
        }
        if opened && depth == 0 {
            end = start + i + 1;
            break;
        }
    }
    document[start..end].to_string()
}

/// A graphql-transport-ws socket to a test server.
pub type WsSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Open a graphql-transport-ws socket to `app`, send `connection_init` with `token` and
/// wait for `connection_ack`.
pub async fn ws_connect(app: &TestApp, token: &str) -> WsSocket {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;

    let mut request = format!("ws://127.0.0.1:{}/graphql/ws", app.port)
        .into_client_request()
        .expect("a WebSocket request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("open the socket");
    let init = json!({ "type": "connection_init",
                       "payload": { "Authorization": format!("Bearer {token}") } });
    socket
        .send(Message::Text(init.to_string().into()))
        .await
        .expect("send connection_init");
    let ack = ws_next_text(&mut socket).await;
    assert_eq!(
        serde_json::from_str::<Value>(&ack).expect("a JSON message"),
        json!({ "type": "connection_ack" })
    );
    socket
}

/// The next text message of `socket` (pings and pongs skipped), within 30 s.
async fn ws_next_text(socket: &mut WsSocket) -> String {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a message in time");
        match message {
            Some(Ok(Message::Text(text))) => return text.to_string(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text message, got {other:?}"),
        }
    }
}

/// Run one operation (`query` with `variables`) as `id` over an acknowledged socket: it
/// must answer one `next` message, then `complete`. Returns the `next` message's
/// `payload` exactly as the server wrote it (not re-serialised: key order and
/// formatting are the server's).
pub async fn ws_run_text(socket: &mut WsSocket, id: &str, query: &str, variables: Value) -> String {
    use futures_util::SinkExt;
    use serde_json::value::RawValue;
    use tokio_tungstenite::tungstenite::Message;

    #[derive(serde::Deserialize)]
    struct Incoming<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        id: Option<&'a str>,
        #[serde(borrow)]
        payload: Option<&'a RawValue>,
    }

    let subscribe = json!({ "id": id, "type": "subscribe",
                            "payload": { "query": query, "variables": variables } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .expect("send subscribe");
    let next = ws_next_text(socket).await;
    let message: Incoming<'_> = serde_json::from_str(&next).expect("a JSON message");
    assert_eq!(
        (message.kind, message.id),
        ("next", Some(id)),
        "for {query}: {next}"
    );
    let payload = message
        .payload
        .unwrap_or_else(|| panic!("a next message without payload: {next}"))
        .get()
        .to_string();
    let complete = ws_next_text(socket).await;
    assert_eq!(
        serde_json::from_str::<Value>(&complete).expect("a JSON message"),
        json!({ "id": id, "type": "complete" })
    );
    payload
}
