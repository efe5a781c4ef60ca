//! Safe to expose: abuse limits, GraphQL-over-HTTP transport rules, production mode,
//! CORS, rate limits, probes, metrics and a clean shutdown.

use api::auth::Role;
use api::config::Environment;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app, spawn_app_with};

async fn post_raw(
    app: &TestApp,
    content_type: &str,
    accept: Option<&str>,
    body: String,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(app.viewer_token())
        .header("content-type", content_type)
        .body(body);
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    req.send().await.unwrap()
}

/// Assert that `query` is refused by the limit `limit` (`extensions.limit`) without
/// touching the database.
async fn refused_before_the_database(app: &TestApp, query: &str, limit: &str) {
    let before = app.statements.get();
    let token = app.viewer_token();
    let (status, body) = app.graphql_with(Some(&token), query, json!({})).await;
    assert_eq!(status, 200);
    let error = &body["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "QUERY_LIMIT_EXCEEDED",
        "{body}"
    );
    assert_eq!(error["extensions"]["limit"], limit, "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(app.statements.get(), before, "the refused query ran SQL");
}

#[tokio::test]
async fn expensive_and_deep_queries_are_refused_before_the_database() {
    let app = spawn_app().await;
    // Aliasing an expensive field: refused by the alias cap (31 > 30) …
    let aliases =
        |n: usize, field: &str| -> String { (0..n).map(|i| format!("c{i}: {field} ")).collect() };
    let coverage = "coverage(dimension: METHOD) { total }";
    refused_before_the_database(&app, &format!("{{ {} }}", aliases(31, coverage)), "aliases").await;
    // graphql-cop's alias overloading probe: 101 aliases of `__typename`.
    refused_before_the_database(
        &app,
        &format!("query cop {{ {} }}", aliases(101, "__typename")),
        "aliases",
    )
    .await;
    // Within the cap, aliases are answered.
    let thirty = app
        .query(&format!("{{ {} }}", aliases(30, "__typename")), json!({}))
        .await;
    assert_eq!(thirty["c29"], "Query", "{thirty}");
    // An organization's parent's parent … `levels` selection sets deep.
    let nested = |levels: usize| {
        let inner = (1..levels).fold(String::from("id"), |q, _| format!("parent {{ {q} }}"));
        format!(r#"{{ organization(slug: "lpo-farsta") {{ {inner} }} }}"#)
    };
    // 13 and 22 fields deep: beyond the limit of 12; 12 pass.
    refused_before_the_database(&app, &nested(12), "depth").await;
    refused_before_the_database(&app, &nested(22), "depth").await;
    let ok = app.query(&nested(11), json!({})).await;
    assert!(
        ok["organization"]["parent"].is_object() || ok["organization"]["parent"].is_null(),
        "{ok}"
    );
    // Introspection is not held to the depth limit, but to the recursion limit (24
    // nested selection sets).
    let of_type = |levels: usize| {
        let inner = (1..levels).fold(String::from("name"), |q, _| format!("ofType {{ {q} }}"));
        format!("{{ __schema {{ types {{ {inner} }} }} }}")
    };
    let deep_introspection = app.query(&of_type(20), json!({})).await;
    assert!(
        deep_introspection["__schema"]["types"].is_array(),
        "{deep_introspection}"
    );
    refused_before_the_database(&app, &of_type(30), "recursion").await;

    // Five directives on one field: beyond the limit of 4.
    let five = "@include(if: true) ".repeat(5);
    refused_before_the_database(
        &app,
        &format!("{{ districts {five} {{ totalCount }} }}"),
        "directives",
    )
    .await;

    // A page costs its size times its selection: nested pages of 10 pass, of 100 not.
    let pages = |n: u32| {
        format!(
            "{{ organizations(first: {n}) {{ nodes {{ commitments(first: {n}) {{ nodes {{
                 group {{ commitments(first: {n}) {{ nodes {{ id }} }} }} }} }} }} }} }}"
        )
    };
    refused_before_the_database(&app, &pages(100), "cost").await;
    let small = app.query(&pages(10), json!({})).await;
    assert!(small["organizations"]["nodes"].is_array(), "{small}");

    // The users' own dashboard passes the limits.
    let token = app.viewer_token();
    let (_, body) = app
        .graphql_op(
            Some(&token),
            &crate::helpers::operation("DistrictDashboard"),
            Some("DistrictDashboard"),
            json!({ "slug": "skarpnack" }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn root_fields_and_counts_cost_what_they_cost_the_database() {
    // A cost limit of 1000: ten one-item root pages with their count are over it (each
    // costs its statement and COUNT, 110, beyond its page), though they are few fields.
    let app = spawn_app_with(|s| s.max_complexity = 1000).await;
    let roots = |n: usize| -> String {
        let fields: String = (0..n)
            .map(|i| format!("d{i}: districts(first: 1) {{ totalCount }} "))
            .collect();
        format!("{{ {fields} }}")
    };
    refused_before_the_database(&app, &roots(10), "cost").await;
    let five = app.query(&roots(5), json!({})).await;
    assert_eq!(five["d4"]["totalCount"], 13, "{five}");
}

#[tokio::test]
async fn a_document_parsed_before_is_checked_and_run_anew_every_time() {
    let app = spawn_app().await;
    // Parsed once, kept: the limits still refuse it the second time.
    let inner = (1..30).fold(String::from("id"), |q, _| format!("parent {{ {q} }}"));
    let deep = format!(r#"{{ organization(slug: "lpo-farsta") {{ {inner} }} }}"#);
    for _ in 0..2 {
        refused_before_the_database(&app, &deep, "depth").await;
    }
    // One document, other variables: other answers.
    let query = "query D($slug: String!) { district(slug: $slug) { name } }";
    for (slug, name) in [
        ("skarpnack", "Skarpnäck"),
        ("bromma", "Bromma"),
        ("skarpnack", "Skarpnäck"),
    ] {
        let data = app.query(query, json!({ "slug": slug })).await;
        assert_eq!(data["district"]["name"], name, "{data}");
    }
    // A document that does not parse gets its syntax error every time.
    for _ in 0..2 {
        let token = app.viewer_token();
        let (_, body) = app
            .graphql_with(Some(&token), "{ districts {", json!({}))
            .await;
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("expected"), "{body}");
    }
}

#[tokio::test]
async fn a_document_validated_before_is_validated_again_where_its_variables_matter() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    // The cost of one document follows its variables: a page size of 10 passes, 100
    // is refused, 10 passes again.
    let pages = "query P($n: Int!) { organizations(first: $n) { nodes { commitments(first: $n) {
        nodes { group { commitments(first: $n) { nodes { id } } } } } } } }";
    for (n, refused) in [(10, false), (100, true), (10, false)] {
        let before = app.statements.get();
        let (_, body) = app
            .graphql_with(Some(&token), pages, json!({ "n": n }))
            .await;
        if refused {
            assert_eq!(error_codes(&body), ["QUERY_LIMIT_EXCEEDED"], "{body}");
            assert_eq!(body["errors"][0]["extensions"]["limit"], "cost", "{body}");
            assert!(body["data"].is_null(), "{body}");
            assert_eq!(app.statements.get(), before, "the refused query ran SQL");
        } else {
            assert!(body.get("errors").is_none(), "{body}");
            assert!(body["data"]["organizations"]["nodes"].is_array(), "{body}");
        }
    }
    // A variable's value that does not fit the argument it is passed to is refused
    // after the same text passed, and passes again after.
    let filtered = "query F($f: CommitmentFilterInput) { commitments(first: 1, filter: $f) {
        totalCount } }";
    let district = app
        .query(r#"{ district(slug: "skarpnack") { id } }"#, json!({}))
        .await["district"]["id"]
        .clone();
    for (filter, refused) in [
        (json!({ "district": district }), false),
        (json!({ "district": district, "nope": 1 }), true),
        (json!({ "district": [1, 2] }), true),
        (json!({ "district": district }), false),
    ] {
        let (_, body) = app
            .graphql_with(Some(&token), filtered, json!({ "f": filter }))
            .await;
        if refused {
            assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
            assert!(body["data"].is_null(), "{body}");
        } else {
            assert!(body.get("errors").is_none(), "{body}");
            assert!(
                body["data"]["commitments"]["totalCount"].as_u64() > Some(0),
                "{body}"
            );
        }
    }
    // A document that fails validation fails every time, with the same error.
    let mut errors = Vec::new();
    for _ in 0..2 {
        let (_, body) = app
            .graphql_with(Some(&token), "{ districts { nope } }", json!({}))
            .await;
        assert_eq!(error_codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");
        errors.push(body["errors"].clone());
    }
    assert_eq!(errors[0], errors[1]);
    // A document without variables that passed is answered again, also under another
    // operation name of the same text.
    let two = "query A { districts { totalCount } } query B { organizations { totalCount } }";
    for name in ["A", "B", "A"] {
        let (_, body) = app
            .graphql_op(Some(&token), two, Some(name), json!({}))
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        let key = if name == "A" {
            "districts"
        } else {
            "organizations"
        };
        assert!(body["data"][key]["totalCount"].as_u64() > Some(0), "{body}");
    }
}

#[tokio::test]
async fn batches_are_bounded() {
    let app = spawn_app().await;
    let one = json!({ "query": "{ districts { totalCount } }" });
    let before = app.statements.get();
    let response = post_raw(
        &app,
        "application/json",
        None,
        Value::Array(vec![one.clone(); 10]).to_string(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), vec!["BAD_REQUEST"]);
    assert_eq!(app.statements.get(), before, "the refused batch ran SQL");

    let response = post_raw(
        &app,
        "application/json",
        None,
        Value::Array(vec![one; 2]).to_string(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["data"]["districts"]["totalCount"], 13);
    assert_eq!(body[1]["data"]["districts"]["totalCount"], 13);
}

#[tokio::test]
async fn only_json_posts_and_get_queries_are_accepted() {
    let app = spawn_app().await;
    let query = json!({ "query": "{ districts { totalCount } }" }).to_string();
    // Form and text bodies (what a cross-site form can send) are refused.
    for content_type in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data",
    ] {
        let response = post_raw(&app, content_type, None, query.clone()).await;
        assert_eq!(response.status().as_u16(), 415, "{content_type}");
    }
    // A body beyond the limit: 413.
    let huge =
        json!({ "query": format!("{{ districts {{ totalCount }} }} # {}", "x".repeat(300_000)) });
    let response = post_raw(&app, "application/json", None, huge.to_string()).await;
    assert_eq!(response.status().as_u16(), 413);

    // Queries over GET work; mutations over GET do not.
    let get = |q: &str| {
        app.client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", q)])
            .bearer_auth(app.viewer_token())
            .send()
    };
    let response = get("{ districts { totalCount } }").await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["districts"]["totalCount"], 13);
    let before = app.fingerprint().await;
    let response =
        get(r#"mutation { createMethod(input: { name: "Via GET" }) { method { id } } }"#)
            .await
            .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn graphql_response_json_is_served_when_asked_for() {
    let app = spawn_app().await;
    let accept = Some("application/graphql-response+json");
    let ok = json!({ "query": "{ districts { totalCount } }" }).to_string();
    let response = post_raw(&app, "application/json", accept, ok.clone()).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/graphql-response+json; charset=utf-8"
    );
    // A request that fails validation is a 400 in that media type, a 200 in plain JSON.
    let bad = json!({ "query": "{ noSuchField }" }).to_string();
    let response = post_raw(&app, "application/json", accept, bad.clone()).await;
    assert_eq!(response.status().as_u16(), 400);
    let response = post_raw(&app, "application/json", None, bad).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
}

#[tokio::test]
async fn a_token_over_its_rate_gets_429_with_retry_after() {
    let app = spawn_app_with(|s| {
        s.rate_limit_per_minute = 2;
        s.rate_limit_burst = 2;
    })
    .await;
    let token = app.viewer_token();
    for _ in 0..2 {
        let (status, _) = app
            .graphql_with(Some(&token), "{ districts { totalCount } }", json!({}))
            .await;
        assert_eq!(status, 200);
    }
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ districts { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body}");
    // Another token (another `sub`) is not held back.
    let other = app
        .keys
        .mint(
            "someone-else",
            "mtr",
            vec![api::auth::Role::Viewer],
            None,
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    let (status, _) = app
        .graphql_with(Some(&other), "{ districts { totalCount } }", json!({}))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn production_mode_hides_the_schema_and_graphiql() {
    let app = spawn_app_with(|s| s.env = Environment::Production).await;
    let token = app.viewer_token();
    // Introspection is refused with a code, not answered with null.
    for query in [
        "{ __schema { types { name } } }",
        "{ __type(name: \"District\") { name } }",
        "query Q { ...F } fragment F on Query { __schema { queryType { name } } }",
    ] {
        let (_, body) = app.graphql_with(Some(&token), query, json!({})).await;
        assert!(body["data"].is_null(), "introspection answered: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{body}"
        );
    }
    let typename = app.query("{ __typename }", json!({})).await;
    assert_eq!(typename["__typename"], "Query");
    let (_, body) = app
        .graphql_with(Some(&token), "{ distrcts { totalCount } }", json!({}))
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_ne!(page.status().as_u16(), 200);
    // Queries still work.
    let (_, body) = app
        .graphql_with(Some(&token), "{ districts { totalCount } }", json!({}))
        .await;
    assert_eq!(body["data"]["districts"]["totalCount"], 13);
}

#[tokio::test]
async fn cors_answers_only_the_allowed_origins() {
    let app = spawn_app_with(|s| s.cors_origins = vec!["https://dashboard.example".into()]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let allowed = preflight("https://dashboard.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://dashboard.example"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn probes_and_metrics_answer() {
    let app = spawn_app().await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status().as_u16(), 200);
    // A database whose newest migration is not applied (a replica ahead of the
    // migration job) is not ready.
    {
        use sea_orm::ConnectionTrait;
        let newest = "(SELECT MAX(version) FROM seaql_migrations)";
        let saved = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                format!(
                    "SELECT version, applied_at FROM seaql_migrations WHERE version = {newest}"
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        let version: String = saved.try_get("", "version").unwrap();
        let applied_at: i64 = saved.try_get("", "applied_at").unwrap();
        app.db
            .execute_unprepared(&format!(
                "DELETE FROM seaql_migrations WHERE version = '{version}'"
            ))
            .await
            .unwrap();
        let pending = app.get("/readyz").await;
        assert_eq!(pending.status().as_u16(), 503);
        assert_eq!(pending.text().await.unwrap(), "migrations pending");
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO seaql_migrations (version, applied_at) VALUES ('{version}', {applied_at})"
            ))
            .await
            .unwrap();
        let again = app.get("/readyz").await;
        assert_eq!(again.status().as_u16(), 200);
    }
    let token = app.viewer_token();
    app.graphql_op(
        Some(&token),
        "query Districts { districts { totalCount } }",
        Some("Districts"),
        json!({}),
    )
    .await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"samverkan_http_requests_total{operation="Districts",outcome="ok"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("samverkan_sql_statements_per_request_count 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("samverkan_sql_statements_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("samverkan_live_subscriptions 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"samverkan_db_pool_connections{state="idle"}"#),
        "{metrics}"
    );
    // No identity provider here: no signing-key gauges (tests/api/oidc.rs has them).
    assert!(!metrics.contains("samverkan_signing_keys"), "{metrics}");
}

#[tokio::test]
async fn shutdown_closes_subscriptions_and_finishes() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let fresh = crate::helpers::fresh_database().await;
    let app = api::startup::Application::build(&crate::helpers::test_settings(&fresh.url))
        .await
        .unwrap();
    let port = app.port();
    let keys = app.keys();
    let events = app.events();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    let token = keys
        .mint(
            "t",
            "mtr",
            vec![api::auth::Role::Viewer],
            None,
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    let mut request = format!("ws://127.0.0.1:{port}/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket
        .send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    let sub = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { groupChanged { action } }" } });
    socket
        .send(Message::Text(sub.to_string().into()))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while events.subscriber_count() < 1 {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    stop.send(()).unwrap();
    let mut close_code = None;
    while let Ok(Some(msg)) =
        tokio::time::timeout(std::time::Duration::from_secs(10), socket.next()).await
    {
        if let Ok(Message::Close(frame)) = msg {
            close_code = frame.map(|f| u16::from(f.code));
            break;
        }
    }
    assert_eq!(close_code, Some(1001));
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "the server did not stop cleanly"
    );
}

/// On shutdown the server stops accepting connections but finishes what is in flight:
/// an edit held up by a lock when the stop comes is answered, and written, once the
/// lock is gone; only then does the server stop.
#[tokio::test]
async fn shutdown_finishes_the_requests_in_flight() {
    let (app, stop, server) = crate::helpers::spawn_stoppable_app().await;
    let police = app.sspf_commitment_of("lpo-farsta").await;
    let token = app.token("lpo-farsta", Role::OrgEditor);

    let (locker, held) = lock_commitments_of(&app.database_url, "lpo-farsta").await;
    let before = app.statements.get();
    let app = std::sync::Arc::new(app);
    let edit = {
        let app = app.clone();
        tokio::spawn(async move {
            app.send_update(
                &app.address,
                &token,
                &police["id"],
                &police["version"],
                "Klar före stängning.",
            )
            .await
        })
    };
    // The edit has read the commitment and now waits for the lock.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.statements.get() == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the edit never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }

    stop.send(()).unwrap();
    // New connections are refused once the server is stopping.
    let fresh_client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    while fresh_client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .is_ok()
    {
        assert!(tokio::time::Instant::now() < deadline, "still accepting");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(!server.is_finished(), "stopped with a request in flight");

    release(locker, held).await;
    let response = edit.await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    let payload = &body["data"]["updateCommitment"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["commitment"]["text"], "Klar före stängning.");
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "the server did not stop cleanly"
    );
}

fn persisted(hash: &str, query: Option<&str>, variables: Value) -> Value {
    let mut body = json!({
        "variables": variables,
        "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } }
    });
    if let Some(q) = query {
        body["query"] = json!(q);
    }
    body
}

#[tokio::test]
async fn automatic_persisted_queries_let_frontends_send_hashes() {
    let app = spawn_app().await;
    let query = "{ districts { totalCount } }";
    let hash = api::allowlist::sha256_hex(query);
    let send = |body: Value| {
        app.client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(app.viewer_token())
            .json(&body)
            .send()
    };
    let unknown: Value = send(persisted(&hash, None, json!({})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        unknown["errors"][0]["message"], "PersistedQueryNotFound",
        "{unknown}"
    );
    let registered: Value = send(persisted(&hash, Some(query), json!({})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(registered["data"]["districts"]["totalCount"], 13);
    let by_hash: Value = send(persisted(&hash, None, json!({})))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_hash["data"]["districts"]["totalCount"], 13, "{by_hash}");
}

#[tokio::test]
async fn in_allowlist_mode_only_registered_operations_run() {
    let file = std::env::temp_dir().join(format!("allow-{}.graphql", uuid::Uuid::new_v4()));
    std::fs::write(&file, crate::helpers::OPERATIONS).unwrap();
    let path = file.clone();
    let app = spawn_app_with(move |s| {
        s.persisted_queries = api::config::PersistedQueries::Allowlist;
        s.allowed_operations = Some(path);
    })
    .await;
    let dashboard = crate::helpers::operation("DistrictDashboard");
    let hash = api::allowlist::sha256_hex(&dashboard);
    let send = |body: Value| {
        app.client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(app.viewer_token())
            .json(&body)
            .send()
    };
    let response = send(persisted(&hash, None, json!({ "slug": "skarpnack" })))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["district"]["name"], "Skarpnäck", "{body}");

    // The same text without a hash is recognised; anything else is refused unrun.
    let response = send(json!({ "query": dashboard, "variables": { "slug": "bromma" } }))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let before = app.statements.get();
    let response = send(json!({ "query": "{ districts { totalCount } }" }))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"]);
    assert_eq!(app.statements.get(), before);
    let _ = std::fs::remove_file(file);
}

/// Another client's open transaction that holds `org`'s commitments locked (on SQLite:
/// the file's write lock), so an edit of them waits until [`release`].
async fn lock_commitments_of(
    url: &str,
    org: &str,
) -> (sea_orm::DatabaseConnection, sea_orm::DatabaseTransaction) {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let locker = sea_orm::Database::connect(url).await.unwrap();
    let held = locker.begin().await.unwrap();
    held.execute_unprepared(&format!(
        "UPDATE commitment SET text = text WHERE organization_id IN \
         (SELECT id FROM organization WHERE slug = '{org}')"
    ))
    .await
    .unwrap();
    (locker, held)
}

/// Roll back what [`lock_commitments_of`] holds and disconnect.
async fn release(locker: sea_orm::DatabaseConnection, held: sea_orm::DatabaseTransaction) {
    held.rollback().await.unwrap();
    locker.close().await.unwrap();
}

/// A request that runs past `SAMVERKAN_REQUEST_TIMEOUT_SECS` is answered 408, and the
/// edit it was making is not half done. The edit here waits on rows another client
/// holds locked (on SQLite: the file's write lock), so it cannot finish in time.
#[tokio::test]
async fn a_request_over_the_time_limit_gets_408_and_writes_nothing() {
    let app = spawn_app_with(|s| s.request_timeout_secs = 1).await;
    let police = app.sspf_commitment_of("lpo-farsta").await;
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let audit_before = app.audit_count().await;

    let (locker, held) = lock_commitments_of(&app.database_url, "lpo-farsta").await;
    let late = app
        .send_update(
            &app.address,
            &token,
            &police["id"],
            &police["version"],
            "Skriven för sent.",
        )
        .await;
    assert_eq!(late.status().as_u16(), 408);
    // In the GraphQL error shape, with a code.
    let refused: Value = late.json().await.unwrap();
    assert_eq!(error_codes(&refused), vec!["REQUEST_TIMEOUT"], "{refused}");
    release(locker, held).await;

    // Nothing of the edit was written, and the next one goes through.
    let now = app
        .query(
            "query($id: ID!) { node(id: $id) { ... on Commitment { text version } } }",
            json!({ "id": police["id"] }),
        )
        .await;
    assert_eq!(now["node"]["text"], police["text"]);
    assert_eq!(now["node"]["version"], police["version"]);
    let body: Value = app
        .send_update(
            &app.address,
            &token,
            &police["id"],
            &police["version"],
            "Skriven i tid.",
        )
        .await
        .json()
        .await
        .unwrap();
    let payload = &body["data"]["updateCommitment"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["commitment"]["text"], "Skriven i tid.");
    assert_eq!(
        payload["commitment"]["version"],
        police["version"].as_i64().unwrap() + 1
    );
    assert_eq!(app.audit_count().await, audit_before + 1);
}

/// The `samverkan` binary in production mode logs one JSON object per line; each
/// GraphQL request once, with its request id, operation, organization, SQL statements
/// and duration — and never a token or a commitment's text.
#[tokio::test]
async fn production_logs_are_json_with_the_request_and_without_secrets() {
    use std::io::{BufRead, BufReader};

    // The test server seeds the database; the logging server is a process on it.
    let app = spawn_app().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("SAMVERKAN_ADDR", "127.0.0.1:0")
        .env("SAMVERKAN_ENV", "production")
        .env("SAMVERKAN_JWT_SECRET", crate::helpers::TEST_SECRET)
        .env("RUST_LOG", "info")
        .env_remove("SAMVERKAN_LOG_FORMAT")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the samverkan binary");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = Vec::new();
    let port: u16 = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        let found = line
            .split("http://127.0.0.1:")
            .nth(1)
            .map(|rest| rest.split('/').next().unwrap().parse().unwrap());
        log.push(line);
        if let Some(port) = found {
            break port;
        }
    };
    let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let base = format!("http://127.0.0.1:{port}");

    let police = app.sspf_commitment_of("lpo-farsta").await;
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let secret_text = "Hemlig text som aldrig loggas 7f3a.";
    let response = app
        .send_update(
            &base,
            &token,
            &police["id"],
            &police["version"],
            secret_text,
        )
        .await;
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["data"]["updateCommitment"]["userErrors"],
        json!([]),
        "{body}"
    );
    // A forged token: refused, and not logged either.
    let forged = format!("{token}x");
    let refused = app
        .send_update(&base, &forged, &police["id"], &police["version"], "x")
        .await;
    assert_eq!(refused.status().as_u16(), 401);

    // Every line the process wrote is in the pipe once it is gone.
    child.kill().unwrap();
    child.wait().unwrap();
    log.extend(rest.join().unwrap());
    for line in &log {
        let parsed: Result<Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not a JSON line: {line}");
        assert!(!line.contains(&token[20..]), "a token in the log: {line}");
        assert!(
            !line.contains(secret_text),
            "a commitment text in the log: {line}"
        );
    }
    let request = log
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| {
            l["fields"]["message"] == "graphql request" && l.to_string().contains(&request_id)
        })
        .unwrap_or_else(|| panic!("no log line of request {request_id}: {log:#?}"));
    let text = request.to_string();
    for expected in [
        "UpdateCommitment",
        "lpo-farsta",
        "sql_statements",
        "duration_ms",
    ] {
        assert!(text.contains(expected), "{expected} missing in {text}");
    }
}
