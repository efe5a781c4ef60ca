//! GraphiQL works on a network without internet: the page and every asset come from
//! the server, a real headless Chromium with the network cut off renders it, lists
//! the schema in its docs, and answers a query and a subscription with the token
//! pasted into its Headers tab.

use std::time::Duration;

use api::auth::Role;
use serde_json::{Value, json};

use crate::browser::{Browser, Tab};
use crate::helpers::{TestApp, error_codes, spawn_app, spawn_app_with};

/// The query editor, the headers editor (the visible one in the editor tools), the
/// result pane.
const QUERY_EDITOR: &str = ".graphiql-query-editor .CodeMirror";
const HEADERS_EDITOR: &str = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";
/// The result pane's text (from its CodeMirror editor: the pane's own text has the fold
/// markers of its gutter).
const RESULT: &str =
    "document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? ''";

/// A token whose `sub` the result pane can show.
fn token(app: &TestApp, sub: &str, org: &str, role: Role) -> String {
    app.keys
        .mint(sub, org, vec![role], None, Duration::from_secs(600))
        .expect("mint token")
}

/// Open GraphiQL and wait until its editors are there.
async fn open_graphiql(browser: &Browser, app: &TestApp) -> Tab {
    let tab = browser.open(&format!("{}/graphql", app.address)).await;
    tab.wait_for(
        "GraphiQL's query editor",
        &format!("document.querySelector('{QUERY_EDITOR}')"),
    )
    .await;
    tab
}

/// Put `{"Authorization": "Bearer <token>"}` into the Headers tab.
async fn paste_token(tab: &Tab, token: &str) {
    let headers = json!({ "Authorization": format!("Bearer {token}") }).to_string();
    tab.replace_text(HEADERS_EDITOR, &headers).await;
}

/// Type `operation` (named `name`) into the query editor, replacing what is there, and
/// wait until GraphiQL has read it: the tab is then titled with its name (GraphiQL
/// reads the editor a moment after each change; a run before that would send the old
/// text).
async fn type_operation(tab: &Tab, name: &str, operation: &str) {
    tab.replace_text(QUERY_EDITOR, operation).await;
    tab.wait_for(
        &format!("the tab to be titled {name}"),
        &format!(
            "document.querySelector('.graphiql-tab-active')?.textContent?.trim() === {}",
            json!(name)
        ),
    )
    .await;
}

/// Every request of the tab went to the test server (or was a `data:` URI, which
/// fetches nothing), and the page's Content-Security-Policy blocked nothing.
async fn assert_stayed_home(tab: &Tab, app: &TestApp) {
    let http = format!("{}/", app.address);
    let ws = format!("ws://127.0.0.1:{}/", app.port);
    let requests = tab.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.ends_with("graphiql.min.js") || r.contains("graphiql.min.js?")),
        "the request log missed the bundle: {requests:?}"
    );
    let elsewhere: Vec<&String> = requests
        .iter()
        .filter(|r| !(r.starts_with(&http) || r.starts_with(&ws) || r.starts_with("data:")))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "requests left the server: {elsewhere:?}"
    );
    assert_eq!(tab.csp_violations().await, Vec::<String>::new());
    assert_eq!(tab.script_errors(), Vec::<String>::new());
}

#[tokio::test]
async fn graphiql_works_offline_lists_the_schema_and_answers_with_a_token() {
    let app = spawn_app().await;
    let browser = Browser::launch().await;
    let tab = open_graphiql(&browser, &app).await;

    // Without a token the schema cannot be read; the result pane says why.
    tab.wait_for(
        "the missing token's error",
        &format!("({RESULT}).includes('UNAUTHENTICATED')"),
    )
    .await;

    // A token in the Headers tab: GraphiQL reads the schema with it, and the docs
    // list the query type's fields.
    let token = token(&app, "graphiql-tester", "skarpnack-sdf", Role::Viewer);
    paste_token(&tab, &token).await;
    tab.click("[aria-label='Show Documentation Explorer']")
        .await;
    tab.wait_for(
        "the docs' root types",
        "document.querySelector('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name')",
    )
    .await;
    // The first root type is the query type, whatever it is called.
    tab.click(".graphiql-doc-explorer a.graphiql-doc-explorer-type-name")
        .await;
    tab.wait_for(
        "the query type's fields in the docs",
        "[...document.querySelectorAll('.graphiql-doc-explorer-field-name')]
           .some((f) => f.textContent === 'districts')",
    )
    .await;
    let fields = tab
        .eval(
            "[...document.querySelectorAll('.graphiql-doc-explorer-field-name')]
               .map((f) => f.textContent)",
        )
        .await;
    for field in ["viewer", "districts", "node", "organizations"] {
        assert!(
            fields.as_array().is_some_and(|f| f.contains(&json!(field))),
            "{field} missing from the docs: {fields}"
        );
    }

    // A query typed in answers with the token's caller.
    type_operation(
        &tab,
        "WhoAmI",
        "query WhoAmI { viewer { sub organization { slug } } }",
    )
    .await;
    tab.click(".graphiql-execute-button").await;
    tab.wait_for(
        "the query's answer",
        &format!("({RESULT}).includes('\"graphiql-tester\"')"),
    )
    .await;
    let result: Value = serde_json::from_str(
        tab.eval(RESULT)
            .await
            .as_str()
            .expect("the result pane's text"),
    )
    .expect("the result pane shows JSON");
    assert_eq!(
        result,
        json!({ "data": { "viewer": { "sub": "graphiql-tester", "organization": { "slug": "skarpnack-sdf" } } } })
    );

    // A dialog adds an inline style, which the page's nonce lets through.
    tab.click("[aria-label='Open settings dialog']").await;
    tab.wait_for(
        "the settings dialog",
        "document.querySelector('[role=dialog]')?.innerText.includes('Persist headers')",
    )
    .await;

    assert_stayed_home(&tab, &app).await;
    browser.close().await;
}

#[tokio::test]
async fn graphiql_subscribes_over_the_socket_with_the_headers_token() {
    let app = spawn_app().await;
    let browser = Browser::launch().await;
    let tab = open_graphiql(&browser, &app).await;

    let token = token(&app, "graphiql-listener", "skarpnack-sdf", Role::Viewer);
    paste_token(&tab, &token).await;
    type_operation(
        &tab,
        "Listen",
        "subscription Listen { commitmentChanged { commitment { text } actor } }",
    )
    .await;
    tab.click(".graphiql-execute-button").await;
    // The server registers the subscription only after connection_init carried a
    // valid token (else it closes the socket with 4403).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while app.events.subscriber_count() < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "GraphiQL's subscription never reached the server; result pane: {}",
            tab.eval(RESULT).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let commitment = app.sspf_commitment_of("lpo-farsta").await;
    let editor = app.token("lpo-farsta", Role::OrgEditor);
    let response = app
        .send_update(
            &app.address,
            &editor,
            &commitment["id"],
            &commitment["version"],
            "Sagt i GraphiQL.",
        )
        .await;
    assert_eq!(response.status(), 200);
    tab.wait_for(
        "the event in the result pane",
        &format!("({RESULT}).includes('Sagt i GraphiQL.')"),
    )
    .await;
    assert!(
        tab.eval(RESULT)
            .await
            .as_str()
            .unwrap_or_default()
            .contains("\"test-user\""),
        "the event names its actor"
    );
    let sockets: Vec<String> = tab
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("ws:"))
        .collect();
    assert_eq!(
        sockets,
        vec![format!("ws://127.0.0.1:{}/graphql/ws", app.port)]
    );

    assert_stayed_home(&tab, &app).await;
    browser.close().await;
}

/// The versioned asset URLs the page names.
fn asset_urls(page: &str) -> Vec<String> {
    page.split(['"', '\''])
        .filter(|s| s.starts_with("graphql/assets/"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn graphiql_assets_come_from_the_server_with_long_cache_lives() {
    let app = spawn_app().await;
    let page = app.get("/graphql").await;
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    assert!(csp.contains("connect-src 'self';"), "{csp}");
    assert!(
        !csp.contains("http"),
        "the policy names another host: {csp}"
    );
    assert_eq!(headers["cache-control"], "no-cache");
    let page = page.text().await.unwrap();
    assert!(!page.contains("//"), "the page names another host: {page}");
    // Inline styles only with this response's nonce, which the page hands to GraphiQL.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a style nonce");
    assert!(
        csp.contains(&format!("style-src 'self' 'nonce-{nonce}';")),
        "{csp}"
    );
    assert!(page.contains(&format!("nonce=\"{nonce}\"")), "{page}");
    let again = app.get("/graphql").await;
    let other = again.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        !other.contains(nonce),
        "the nonce is the same twice: {other}"
    );

    let urls = asset_urls(&page);
    let names: Vec<&str> = urls
        .iter()
        .map(|u| {
            u.trim_start_matches("graphql/assets/")
                .split('?')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "graphiql.min.css",
            "samverkan-graphiql.css",
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "samverkan-graphiql.js",
        ]
    );
    for url in &urls {
        let response = app.get(&format!("/{url}")).await;
        assert_eq!(response.status(), 200, "{url}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let expected = if url.contains(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(content_type, expected, "{url}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{url}"
        );
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let etag = response.headers()["etag"].clone();
        // The URL's version is the ETag: a new build's file has a new URL.
        let version = url.split("?v=").nth(1).unwrap();
        assert_eq!(etag.to_str().unwrap(), format!("\"{version}\""), "{url}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{url}");

        let again = app
            .client
            .get(format!("{}/{url}", app.address))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{url}");
    }

    let missing = app.get("/graphql/assets/secrets.js").await;
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(error_codes(&body), ["NOT_FOUND"]);
}

#[tokio::test]
async fn with_graphiql_off_neither_page_nor_assets_are_served() {
    let app = spawn_app_with(|s| s.graphiql = Some(false)).await;
    let page = app.get("/graphql").await;
    assert_eq!(page.status(), 400);
    let body: Value = page.json().await.unwrap();
    // A GET without `query` is not a GraphQL request (GraphQL over HTTP).
    assert_eq!(error_codes(&body), ["BAD_REQUEST"]);

    let asset = app.get("/graphql/assets/graphiql.min.js").await;
    assert_eq!(asset.status(), 404);
    let body: Value = asset.json().await.unwrap();
    assert_eq!(error_codes(&body), ["NOT_FOUND"]);
}
