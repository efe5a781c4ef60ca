//! GraphQL over HTTP to the letter: named queries over GET, which operation may run over
//! which method, no `data` before execution, media types, and refusals outside GraphQL in
//! the GraphQL error shape. (The public suite itself — graphql-http's server audits — runs
//! in CI: tests/conformance/run.sh.)

use api::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// An answer: status, `Content-Type`, `Allow` and the JSON body (`Null` when not JSON).
struct Answer {
    status: u16,
    content_type: String,
    allow: Option<String>,
    body: Value,
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").unwrap_or_default();
    let allow = header("allow");
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        allow,
        body,
    }
}

/// `GET /graphql` with these URL parameters, a viewer token and `accept`.
async fn get(app: &TestApp, params: &[(&str, &str)], accept: Option<&str>) -> Answer {
    let mut request = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(params)
        .bearer_auth(app.viewer_token());
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    answer(request.send().await.unwrap()).await
}

/// `POST /graphql` with this JSON body, `token` and `accept`.
async fn post(app: &TestApp, token: &str, body: &Value, accept: Option<&str>) -> Answer {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .json(body);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    answer(request.send().await.unwrap()).await
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// A GraphQL-shaped refusal: errors with a message and the code, nothing else.
fn assert_refusal(answer: &Answer, status: u16, expected_code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert!(
        answer.content_type.starts_with("application/json")
            || answer.content_type.starts_with(GRAPHQL_RESPONSE),
        "content type {:?} of {}",
        answer.content_type,
        answer.body
    );
    assert_eq!(code(&answer.body), expected_code, "{}", answer.body);
    assert!(
        answer.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        answer.body
    );
    assert!(answer.body.get("data").is_none(), "{}", answer.body);
}

const TWO_QUERIES_AND_A_MUTATION: &str = r#"
    query Count { districts { totalCount } }
    query Me { viewer { sub } }
    mutation Create { createMethod(input: { name: "Via GET" }) { method { id } } }
"#;

#[tokio::test]
async fn a_named_query_over_get_is_answered() {
    let app = spawn_app().await;
    // As the spec writes it: operationName, camelCase.
    let named = get(
        &app,
        &[
            ("query", "query Named { districts { totalCount } }"),
            ("operationName", "Named"),
        ],
        None,
    )
    .await;
    assert_eq!(named.status, 200, "{}", named.body);
    assert_eq!(named.body["data"]["districts"]["totalCount"], 13);
    // A named query without operationName (the only operation), an empty operationName
    // (no name), and variables as JSON in the URL.
    for params in [
        vec![("query", "query Named { districts { totalCount } }")],
        vec![
            ("query", "query Named { districts { totalCount } }"),
            ("operationName", ""),
        ],
        vec![
            (
                "query",
                "query Named($slug: String!) { district(slug: $slug) { slug } }",
            ),
            ("variables", r#"{"slug":"skarpnack"}"#),
        ],
    ] {
        let answer = get(&app, &params, Some(GRAPHQL_RESPONSE)).await;
        assert_eq!(answer.status, 200, "{params:?}: {}", answer.body);
        assert!(
            answer.body["errors"].is_null(),
            "{params:?}: {}",
            answer.body
        );
    }
    // Several operations: operationName picks a query.
    for (name, pointer, expected) in [
        ("Count", "/data/districts/totalCount", json!(13)),
        ("Me", "/data/viewer/sub", json!("test-user")),
    ] {
        let answer = get(
            &app,
            &[
                ("query", TWO_QUERIES_AND_A_MUTATION),
                ("operationName", name),
            ],
            None,
        )
        .await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.body);
        assert_eq!(
            answer.body.pointer(pointer),
            Some(&expected),
            "{}",
            answer.body
        );
    }
}

#[tokio::test]
async fn mutations_over_get_are_405_however_they_are_chosen() {
    let app = spawn_app().await;
    let before = app.fingerprint().await;
    let cases: Vec<Vec<(&str, &str)>> = vec![
        // The only operation, anonymous or named.
        vec![(
            "query",
            r#"mutation { createMethod(input: { name: "Via GET" }) { method { id } } }"#,
        )],
        vec![(
            "query",
            r#"mutation Create { createMethod(input: { name: "Via GET" }) { method { id } } }"#,
        )],
        // Picked by operationName among queries.
        vec![
            ("query", TWO_QUERIES_AND_A_MUTATION),
            ("operationName", "Create"),
        ],
    ];
    for params in cases {
        for accept in [None, Some(GRAPHQL_RESPONSE)] {
            let answer = get(&app, &params, accept).await;
            assert_refusal(&answer, 405, "METHOD_NOT_ALLOWED");
            assert_eq!(answer.allow.as_deref(), Some("POST"), "{params:?}");
        }
    }
    assert_eq!(app.fingerprint().await, before, "a mutation over GET wrote");
    // The same document over POST runs the mutation it names.
    let admin = app.admin_token();
    let created = post(
        &app,
        &admin,
        &json!({ "query": TWO_QUERIES_AND_A_MUTATION, "operationName": "Create" }),
        None,
    )
    .await;
    assert_eq!(created.status, 200);
    assert!(
        created.body["data"]["createMethod"]["method"]["id"].is_string(),
        "{}",
        created.body
    );
}

#[tokio::test]
async fn a_persisted_mutation_over_get_is_405() {
    let app = spawn_app().await;
    let admin = app.admin_token();
    let mutation = r#"mutation { createMethod(input: { name: "Persisted" }) { method { id } } }"#;
    let hash = api::allowlist::sha256_hex(mutation);
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    // POST registers the document (and runs it once).
    let first = post(
        &app,
        &admin,
        &json!({ "query": mutation, "extensions": extensions }),
        None,
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let before = app.fingerprint().await;
    // GET with the hash alone: the document is a mutation, so 405 and nothing runs.
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("extensions", extensions.to_string())])
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let answer = answer(response).await;
    assert_refusal(&answer, 405, "METHOD_NOT_ALLOWED");
    assert_eq!(answer.allow.as_deref(), Some("POST"));
    assert_eq!(
        app.fingerprint().await,
        before,
        "a persisted mutation ran over GET"
    );
}

#[tokio::test]
async fn a_registered_mutation_over_get_is_405_in_allowlist_mode() {
    let file = std::env::temp_dir().join(format!("allow-{}.graphql", uuid::Uuid::new_v4()));
    std::fs::write(&file, crate::helpers::OPERATIONS).unwrap();
    let path = file.clone();
    let app = spawn_app_with(move |s| {
        s.persisted_queries = api::config::PersistedQueries::Allowlist;
        s.allowed_operations = Some(path);
    })
    .await;
    let hash = api::allowlist::sha256_hex(&crate::helpers::operation("UpdateCommitment"));
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[
            ("extensions", extensions.to_string()),
            (
                "variables",
                json!({ "id": "Q29tbWl0bWVudDox", "expectedVersion": 1, "text": "x" }).to_string(),
            ),
        ])
        .bearer_auth(app.admin_token())
        .send()
        .await
        .unwrap();
    let answer = answer(response).await;
    assert_refusal(&answer, 405, "METHOD_NOT_ALLOWED");
    let _ = std::fs::remove_file(file);
}

/// Requests that fail before execution, each with the kind of failure.
fn failing_before_execution() -> Vec<(&'static str, Value)> {
    vec![
        ("parse error", json!({ "query": "{" })),
        ("validation error", json!({ "query": "{ noSuchField }" })),
        (
            "variable coercion error",
            json!({
                "query": "query($n: Int!) { districts(first: $n) { totalCount } }",
                "variables": { "n": "ten" },
            }),
        ),
        (
            "missing variable",
            json!({ "query": "query($n: Int!) { districts(first: $n) { totalCount } }" }),
        ),
        (
            "unknown operation",
            json!({ "query": "query A { viewer { sub } }", "operationName": "B" }),
        ),
        (
            "operation name required",
            json!({ "query": "query A { viewer { sub } } query B { viewer { sub } }" }),
        ),
        (
            "subscription over HTTP",
            json!({ "query": "subscription { commitmentChanged { action } }" }),
        ),
    ]
}

#[tokio::test]
async fn a_request_that_fails_before_execution_has_no_data() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    let before = app.statements.get();
    for (what, body) in failing_before_execution() {
        // application/graphql-response+json: HTTP 400, errors and no data entry.
        let modern = post(&app, &token, &body, Some(GRAPHQL_RESPONSE)).await;
        assert_eq!(modern.status, 400, "{what}: {}", modern.body);
        assert!(
            modern.content_type.starts_with(GRAPHQL_RESPONSE),
            "{what}: {}",
            modern.content_type
        );
        assert!(modern.body.get("data").is_none(), "{what}: {}", modern.body);
        assert!(modern.body["errors"][0]["message"].is_string(), "{what}");
        // application/json (and no Accept): 200 as the spec's legacy rules say, no data.
        for accept in [Some("application/json"), None] {
            let legacy = post(&app, &token, &body, accept).await;
            assert_eq!(legacy.status, 200, "{what} {accept:?}: {}", legacy.body);
            assert!(legacy.content_type.starts_with("application/json"));
            assert!(legacy.body.get("data").is_none(), "{what}: {}", legacy.body);
        }
    }
    assert_eq!(app.statements.get(), before, "a refused request ran SQL");
    // Over GET the same.
    let answer = get(
        &app,
        &[("query", "{ noSuchField }")],
        Some(GRAPHQL_RESPONSE),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body.get("data").is_none(), "{}", answer.body);
    // In a batch, each operation on its own: the failed one without data, HTTP 200.
    let batch = post(
        &app,
        &token,
        &json!([{ "query": "{ viewer { sub } }" }, { "query": "{ noSuchField }" }]),
        Some(GRAPHQL_RESPONSE),
    )
    .await;
    assert_eq!(batch.status, 200, "{}", batch.body);
    assert_eq!(batch.body[0]["data"]["viewer"]["sub"], "test-user");
    assert!(batch.body[1].get("data").is_none(), "{}", batch.body);
    assert!(batch.body[1]["errors"].is_array(), "{}", batch.body);
}

#[tokio::test]
async fn an_error_during_execution_keeps_data_and_200() {
    let app = spawn_app().await;
    // A viewer may not read the audit log: a field error, execution ran.
    let body = json!({ "query": "{ viewer { sub } auditEvents(first: 1) { totalCount } }" });
    for accept in [Some(GRAPHQL_RESPONSE), Some("application/json")] {
        let answer = post(&app, &app.viewer_token(), &body, accept).await;
        assert_eq!(answer.status, 200, "{accept:?}: {}", answer.body);
        assert!(answer.body.get("data").is_some(), "{}", answer.body);
        assert!(answer.body["errors"].is_array(), "{}", answer.body);
    }
}

#[tokio::test]
async fn accept_chooses_the_media_type_and_406_when_none_fits() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    let ok = json!({ "query": "{ districts { totalCount } }" });
    for (accept, expected) in [
        (None, "application/json; charset=utf-8"),
        (Some("*/*"), "application/json; charset=utf-8"),
        (Some("application/json"), "application/json; charset=utf-8"),
        (
            Some(GRAPHQL_RESPONSE),
            "application/graphql-response+json; charset=utf-8",
        ),
        // The spec's recommended header: both, the new type first.
        (
            Some(
                "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8",
            ),
            "application/graphql-response+json; charset=utf-8",
        ),
        // Weights decide.
        (
            Some("application/graphql-response+json;q=0.5, application/json"),
            "application/json; charset=utf-8",
        ),
        (
            Some("text/html, application/graphql-response+json;q=0.9, */*;q=0.1"),
            "application/graphql-response+json; charset=utf-8",
        ),
    ] {
        let answer = post(&app, &token, &ok, accept).await;
        assert_eq!(answer.status, 200, "{accept:?}");
        assert_eq!(answer.content_type, expected, "{accept:?}");
        assert_eq!(answer.body["data"]["districts"]["totalCount"], 13);
    }
    for accept in [
        "text/html",
        "application/xml",
        "application/json; charset=utf-16",
    ] {
        let answer = post(&app, &token, &ok, Some(accept)).await;
        assert_refusal(&answer, 406, "NOT_ACCEPTABLE");
        let answer = get(&app, &[("query", "{ viewer { sub } }")], Some(accept)).await;
        assert_refusal(&answer, 406, "NOT_ACCEPTABLE");
    }
}

#[tokio::test]
async fn malformed_requests_are_400_with_a_code() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    for body in [
        json!({ "qeury": "{ viewer { sub } }" }),
        json!({ "operationName": "A" }),
        json!({ "query": "{ viewer { sub } }", "variables": [7] }),
        json!({ "query": "{ viewer { sub } }", "operationName": 3 }),
        json!({ "query": 1 }),
    ] {
        for accept in [None, Some(GRAPHQL_RESPONSE)] {
            let answer = post(&app, &token, &body, accept).await;
            assert_refusal(&answer, 400, "BAD_REQUEST");
        }
    }
    // Not JSON at all.
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(r#"{ "query":"#)
        .send()
        .await
        .unwrap();
    assert_refusal(&answer(response).await, 400, "BAD_REQUEST");
    // A body that is not JSON (or not UTF-8 JSON): 415.
    for content_type in ["text/plain", "application/json; charset=latin1"] {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(r#"{ "query": "{ viewer { sub } }" }"#)
            .send()
            .await
            .unwrap();
        assert_refusal(&answer(response).await, 415, "UNSUPPORTED_MEDIA_TYPE");
    }
    // GET without `query`, or with variables that are not a JSON object.
    for params in [
        vec![("operationName", "A")],
        vec![("query", "{ viewer { sub } }"), ("variables", "[1")],
    ] {
        let answer = get(&app, &params, None).await;
        assert_refusal(&answer, 400, "BAD_REQUEST");
    }
    // `"query": ""` is well-formed: a document that does not parse, a GraphQL error.
    let empty = post(&app, &token, &json!({ "query": "" }), None).await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(empty.body["errors"].is_array());
}

#[tokio::test]
async fn refusals_outside_graphql_have_the_graphql_shape() {
    let app = spawn_app_with(|s| s.max_header_bytes = 8 * 1024).await;
    let token = app.viewer_token();
    let url = format!("{}/graphql", app.address);
    // 413: a body over SAMVERKAN_MAX_BODY_BYTES.
    let huge =
        json!({ "query": format!("{{ districts {{ totalCount }} }} # {}", "x".repeat(300_000)) });
    let response = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_refusal(&answer(response).await, 413, "PAYLOAD_TOO_LARGE");
    // 431: header fields over SAMVERKAN_MAX_HEADER_BYTES, or too many of them (hyper
    // itself would take either, with a bare 431 only past 100 fields or ~400 KB).
    let response = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .header("x-padding", "p".repeat(9 * 1024))
        .json(&json!({ "query": "{ viewer { sub } }" }))
        .send()
        .await
        .unwrap();
    assert_refusal(
        &answer(response).await,
        431,
        "REQUEST_HEADER_FIELDS_TOO_LARGE",
    );
    let mut many = app.client.post(&url).bearer_auth(&token);
    for i in 0..70 {
        many = many.header(format!("x-field-{i}"), "1");
    }
    let response = many
        .json(&json!({ "query": "{ viewer { sub } }" }))
        .send()
        .await
        .unwrap();
    assert_refusal(
        &answer(response).await,
        431,
        "REQUEST_HEADER_FIELDS_TOO_LARGE",
    );
    // Just under the limits: answered.
    let response = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .header("x-padding", "p".repeat(6 * 1024))
        .json(&json!({ "query": "{ viewer { sub } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    // 405: other methods on /graphql, with Allow.
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let response = app
            .client
            .request(method.clone(), &url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let answer = answer(response).await;
        assert_refusal(&answer, 405, "METHOD_NOT_ALLOWED");
        let allow = answer.allow.unwrap_or_default();
        assert!(
            allow.contains("GET") && allow.contains("POST"),
            "{method}: {allow}"
        );
    }
    // 404: no such route; in the media type the client asked for.
    let response = app
        .client
        .post(format!("{}/graphq", app.address))
        .header("accept", GRAPHQL_RESPONSE)
        .send()
        .await
        .unwrap();
    let missing = answer(response).await;
    assert_refusal(&missing, 404, "NOT_FOUND");
    assert!(missing.content_type.starts_with(GRAPHQL_RESPONSE));
    // A plain GET of the WebSocket endpoint (no upgrade): refused, in the same shape
    // (its code is the WebSocket endpoint's own).
    let response = app
        .client
        .get(format!("{}/graphql/ws", app.address))
        .send()
        .await
        .unwrap();
    let plain = answer(response).await;
    let ws_code = code(&plain.body).to_owned();
    assert!(!ws_code.is_empty(), "{}", plain.body);
    assert_refusal(&plain, 400, &ws_code);
    // 429 carries its own code.
    let limited = spawn_app_with(|s| {
        s.rate_limit_per_minute = 1;
        s.rate_limit_burst = 1;
    })
    .await;
    let viewer = limited.token("skarpnack-sdf", Role::Viewer);
    let body = json!({ "query": "{ viewer { sub } }" });
    assert_eq!(post(&limited, &viewer, &body, None).await.status, 200);
    assert_refusal(
        &post(&limited, &viewer, &body, None).await,
        429,
        "RATE_LIMITED",
    );
    // The probes keep their plain text.
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
}
