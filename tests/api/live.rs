//! Live updates over graphql-transport-ws: authenticated in `connection_init`, filtered,
//! and fanned out between replicas through PostgreSQL.

use std::time::Duration;

use api::auth::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::helpers::{TestApp, operation, spawn_app};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a test waits for a message that must come.
const PATIENCE: Duration = Duration::from_secs(10);

/// Open a graphql-transport-ws connection to `port` and send `connection_init`.
async fn connect(port: u16, init_payload: Value) -> Socket {
    let mut request = format!("ws://127.0.0.1:{port}/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": init_payload });
    socket
        .send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    socket
}

/// The next protocol message (text as JSON; a close frame as `{"close": code}`).
async fn next(socket: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .expect("a message in time")
            .expect("the socket is open")
            .unwrap();
        match msg {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Close(frame) => {
                return json!({ "close": frame.map(|f| u16::from(f.code)) });
            }
            _ => continue,
        }
    }
}

/// Connect with `token`, subscribe to `query` and wait for the acknowledgement.
pub(crate) async fn subscribe(port: u16, token: &str, query: &str, variables: Value) -> Socket {
    let mut socket = connect(port, json!({ "Authorization": format!("Bearer {token}") })).await;
    assert_eq!(next(&mut socket).await["type"], "connection_ack");
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query, "variables": variables } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    socket
}

/// Wait until the server has `n` live subscriptions (a readiness signal, not a sleep).
pub(crate) async fn wait_for_subscribers(app: &TestApp, n: usize) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while app.events.subscriber_count() < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no subscription registered"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

pub(crate) async fn next_event(socket: &mut Socket) -> Value {
    let msg = next(socket).await;
    assert_eq!(msg["type"], "next", "{msg}");
    msg["payload"]["data"].clone()
}

async fn police_sspf_commitment(app: &TestApp) -> (Value, Value) {
    let data = app
        .query(
            r#"{ district(slug: "skarpnack") { id } organization(slug: "lpo-farsta") { commitments(first: 10) { nodes { id group { kind } } } } }"#,
            json!({}),
        )
        .await;
    let commitment = data["organization"]["commitments"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["group"]["kind"] == "SSPF")
        .unwrap()["id"]
        .clone();
    (data["district"]["id"].clone(), commitment)
}

/// The police's SSPF commitment, and a viewer's socket subscribed (and registered) to
/// the commitment changes of its district.
async fn watching_police_sspf_commitment(app: &TestApp) -> (Value, Socket) {
    let (district, commitment) = police_sspf_commitment(app).await;
    let socket = subscribe(
        app.port,
        &app.viewer_token(),
        &operation("CommitmentChanged"),
        json!({ "district": district }),
    )
    .await;
    wait_for_subscribers(app, 1).await;
    (commitment, socket)
}

async fn update(app: &TestApp, id: &Value, version: i64, text: &str) {
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let (_, body) = app
        .graphql_op(
            Some(&token),
            &operation("UpdateCommitment"),
            Some("UpdateCommitment"),
            json!({ "id": id, "expectedVersion": version, "text": text }),
        )
        .await;
    assert_eq!(
        body["data"]["updateCommitment"]["userErrors"],
        json!([]),
        "{body}"
    );
}

#[tokio::test]
async fn a_liaison_sees_a_commitment_change_as_it_happens() {
    let app = spawn_app().await;
    let (commitment, mut socket) = watching_police_sspf_commitment(&app).await;
    update(&app, &commitment, 1, "Direkt till prenumeranten.").await;
    let event = next_event(&mut socket).await;
    assert_eq!(
        event["commitmentChanged"],
        json!({
            "commitment": {
                "id": commitment,
                "text": "Direkt till prenumeranten.",
                "version": 2,
                "organization": { "name": "Lokalpolisområde Farsta" }
            },
            "actor": "test-user"
        })
    );
}

/// A change is heard when, and only when, it commits: a refused edit (a stale version,
/// then another organization's) sends nothing, and the next real edit is the first thing
/// the subscriber hears. On PostgreSQL the notification rides on the audit trail's
/// insert, inside the change's transaction; on SQLite it goes to the bus after the commit.
#[tokio::test]
async fn only_a_committed_change_is_heard() {
    let app = spawn_app().await;
    let (commitment, mut socket) = watching_police_sspf_commitment(&app).await;
    let stale = json!({ "id": commitment, "expectedVersion": 7, "text": "Inaktuell." });
    let (_, body) = app
        .graphql_op(
            Some(&app.token("lpo-farsta", Role::OrgEditor)),
            &operation("UpdateCommitment"),
            Some("UpdateCommitment"),
            stale,
        )
        .await;
    assert_eq!(
        body["data"]["updateCommitment"]["userErrors"][0]["code"], "CONFLICT",
        "{body}"
    );
    let foreign = json!({ "id": commitment, "expectedVersion": 1, "text": "Annans." });
    let (_, body) = app
        .graphql_op(
            Some(&app.token("skarpnack-sdf", Role::OrgEditor)),
            &operation("UpdateCommitment"),
            Some("UpdateCommitment"),
            foreign,
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    update(&app, &commitment, 1, "Det enda som hörs.").await;
    let event = next_event(&mut socket).await;
    assert_eq!(
        event["commitmentChanged"]["commitment"]["text"], "Det enda som hörs.",
        "{event}"
    );
}

#[tokio::test]
async fn a_subscriber_of_another_district_receives_nothing_of_this_one() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{ skarpnack: district(slug: "skarpnack") { id collaborationGroups(first: 1) { nodes { id version } } }
                 bromma: district(slug: "bromma") { id } }"#,
            json!({}),
        )
        .await;
    let group = data["skarpnack"]["collaborationGroups"]["nodes"][0].clone();
    let query = "subscription($d: ID) { groupChanged(district: $d) { group { name district { slug } } action actor } }";
    let mut bromma = subscribe(
        app.port,
        &app.viewer_token(),
        query,
        json!({ "d": data["bromma"]["id"] }),
    )
    .await;
    let mut skarpnack = subscribe(
        app.port,
        &app.viewer_token(),
        query,
        json!({ "d": data["skarpnack"]["id"] }),
    )
    .await;
    wait_for_subscribers(&app, 2).await;
    let admin = app.admin_token();
    // A change in Skarpnäck, then one in Bromma.
    app.run_as(
        &admin,
        r#"mutation($id: ID!, $v: Int!) { updateCollaborationGroup(input: { id: $id, expectedVersion: $v, communication: "Via mejl." }) { userErrors { code } } }"#,
        json!({ "id": group["id"], "v": group["version"] }),
    )
    .await;
    app.run_as(
        &admin,
        r#"mutation($d: ID!) { createCollaborationGroup(input: { district: $d, name: "SSPF Bromma", kind: SSPF }) { userErrors { code } } }"#,
        json!({ "d": data["bromma"]["id"] }),
    )
    .await;
    // Skarpnäck's subscriber got Skarpnäck's change; Bromma's got Bromma's first.
    let event = next_event(&mut skarpnack).await;
    assert_eq!(
        event["groupChanged"]["group"]["district"]["slug"],
        "skarpnack"
    );
    assert_eq!(event["groupChanged"]["action"], "collaborationGroup.update");
    let event = next_event(&mut bromma).await;
    assert_eq!(event["groupChanged"]["group"]["name"], "SSPF Bromma");
    assert_eq!(event["groupChanged"]["action"], "collaborationGroup.create");
}

#[tokio::test]
async fn follow_up_reports_reach_their_districts_subscribers() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{ district(slug: "bromma") { id actionPlans { nodes { activities(first: 1) { nodes { id } } } } } }"#,
            json!({}),
        )
        .await;
    let activity =
        data["district"]["actionPlans"]["nodes"][0]["activities"]["nodes"][0]["id"].clone();
    let mut socket = subscribe(
        app.port,
        &app.viewer_token(),
        "subscription($d: ID) { followUpReported(filter: { district: $d }) { followUp { status period { year term } } action actor } }",
        json!({ "d": data["district"]["id"] }),
    )
    .await;
    wait_for_subscribers(&app, 1).await;
    app.run_as(
        &app.admin_token(),
        r#"mutation($a: ID!) { reportFollowUp(input: { activity: $a, period: { year: 2022, term: T1 }, status: DONE }) { userErrors { code } } }"#,
        json!({ "a": activity }),
    )
    .await;
    let event = next_event(&mut socket).await;
    assert_eq!(
        event["followUpReported"],
        json!({ "followUp": { "status": "DONE", "period": { "year": 2022, "term": "T1" } }, "action": "followUp.create", "actor": "test-user" })
    );
}

#[tokio::test]
async fn a_connection_without_a_valid_token_is_closed_with_forbidden() {
    let app = spawn_app().await;
    for payload in [json!({}), json!({ "Authorization": "Bearer not-a-token" })] {
        let mut socket = connect(app.port, payload).await;
        assert_eq!(next(&mut socket).await, json!({ "close": 4403 }));
    }
    assert_eq!(app.events.subscriber_count(), 0);
}

/// A server process of the `samverkan` binary on a database.
struct Replica {
    child: std::process::Child,
    port: u16,
}

impl Replica {
    fn start(database_url: &str) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_samverkan"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("SAMVERKAN_ADDR", "127.0.0.1:0")
            .env("SAMVERKAN_JWT_SECRET", crate::helpers::TEST_SECRET)
            .env("RUST_LOG", "warn")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start the samverkan binary");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let port = loop {
            let line = lines
                .next()
                .expect("the server says where it listens")
                .unwrap();
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Self { child, port }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_change_through_replica_a_reaches_a_subscriber_on_replica_b() {
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    if !postgres {
        eprintln!("replicas share events through PostgreSQL: run with TEST_DATABASE_URL");
        return;
    }
    // The test server seeds the database; A and B are two more processes on it.
    let app = spawn_app().await;
    let a = Replica::start(&app.database_url);
    let b = Replica::start(&app.database_url);
    let (district, commitment) = police_sspf_commitment(&app).await;
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let mut socket = subscribe(
        b.port,
        &app.viewer_token(),
        &operation("CommitmentChanged"),
        json!({ "district": district }),
    )
    .await;
    // B registers the subscription asynchronously and its process cannot be asked when;
    // so edit through A until B delivers (each edit a new version), at most 20 times.
    let a_base = format!("http://127.0.0.1:{}", a.port);
    let mut sent: Vec<String> = Vec::new();
    for version in 1..=20 {
        let text = format!("Via replik A, version {}.", version + 1);
        let body: Value = app
            .send_update(&a_base, &token, &commitment, &json!(version), &text)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            body["data"]["updateCommitment"]["userErrors"],
            json!([]),
            "{body}"
        );
        sent.push(text);
        let got = tokio::time::timeout(Duration::from_millis(500), next(&mut socket)).await;
        if let Ok(msg) = got {
            assert_eq!(msg["type"], "next", "{msg}");
            let event = &msg["payload"]["data"]["commitmentChanged"];
            assert_eq!(event["actor"], "test-user");
            // The event names the commitment as it is now: the latest edit through A.
            let now = event["commitment"]["text"].as_str().unwrap();
            assert!(sent.iter().any(|t| t == now), "{event}");
            return;
        }
    }
    panic!("replica B never delivered a change made through replica A");
}

/// A query may run over the socket too. There the big lists of a coverage are built as
/// values (the socket does not splice pre-written JSON into its messages, as HTTP does):
/// both transports give the same answer.
#[tokio::test]
async fn a_coverage_over_the_socket_answers_as_over_http() {
    let app = spawn_app().await;
    let query = operation("CoverageByGroupKind");
    let over_http = app.query(&query, json!({})).await;
    let mut socket = subscribe(app.port, &app.viewer_token(), &query, json!({})).await;
    let over_socket = next_event(&mut socket).await;
    assert_eq!(over_socket, over_http);
    assert_eq!(over_http["coverage"]["rows"].as_array().unwrap().len(), 13);
    assert!(!over_http["coverage"]["gaps"].as_array().unwrap().is_empty());
    assert_eq!(next(&mut socket).await["type"], "complete");
}
