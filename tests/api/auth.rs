//! Every request needs a valid bearer token; a bad one is refused, never anonymous.

use std::time::Duration;

use api::auth::{JwtKeys, Role};
use jsonwebtoken::{EncodingKey, Header};
use secrecy::SecretString;
use serde_json::json;

use crate::helpers::{TEST_SECRET, error_codes, spawn_app, spawn_app_with};

const QUERY: &str = "{ districts { totalCount } }";

async fn assert_refused(app: &crate::helpers::TestApp, token: Option<&str>) {
    let before = app.statements.get();
    let (status, body) = app.graphql_with(token, QUERY, json!({})).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
    assert!(body.get("data").is_none());
    assert_eq!(app.statements.get(), before, "a refused request ran SQL");
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

fn sign(claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused() {
    let app = spawn_app().await;
    assert_refused(&app, None).await;
    assert_refused(&app, Some("not-a-jwt")).await;

    let good = json!({
        "sub": "s", "org": "lpo-farsta", "roles": ["VIEWER"],
        "iss": "samverkan", "aud": "samverkan", "exp": now() + 600
    });
    // Signed with another secret.
    assert_refused(
        &app,
        Some(&sign(good.clone(), "another-secret-another-secret-0123")),
    )
    .await;
    // Expired.
    let mut expired = good.clone();
    expired["exp"] = json!(now() - 3600);
    assert_refused(&app, Some(&sign(expired, TEST_SECRET))).await;
    // Wrong audience and issuer.
    let mut aud = good.clone();
    aud["aud"] = json!("someone-else");
    assert_refused(&app, Some(&sign(aud, TEST_SECRET))).await;
    let mut iss = good.clone();
    iss["iss"] = json!("someone-else");
    assert_refused(&app, Some(&sign(iss, TEST_SECRET))).await;
    // Missing exp.
    let mut no_exp = good.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_refused(&app, Some(&sign(no_exp, TEST_SECRET))).await;
    // No roles.
    let mut no_roles = good.clone();
    no_roles["roles"] = json!([]);
    assert_refused(&app, Some(&sign(no_roles, TEST_SECRET))).await;

    // The same claims, correctly signed, are accepted.
    let (status, body) = app
        .graphql_with(Some(&sign(good, TEST_SECRET)), QUERY, json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["districts"]["totalCount"], 13);
}

#[tokio::test]
async fn viewer_tells_who_is_asking() {
    let app = spawn_app().await;
    let token = app
        .keys
        .mint(
            "kommunpolis.skarpnack",
            "lpo-farsta",
            vec![Role::OrgEditor],
            None,
            Duration::from_secs(60),
        )
        .unwrap();
    let (status, body) = app
        .graphql_with(
            Some(&token),
            "{ viewer { sub roles organizationSlug organization { name kind } } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["viewer"],
        json!({
            "sub": "kommunpolis.skarpnack",
            "roles": ["ORG_EDITOR"],
            "organizationSlug": "lpo-farsta",
            "organization": { "name": "Lokalpolisområde Farsta", "kind": "POLICE" }
        })
    );
}

#[tokio::test]
async fn sqlite_keeps_a_generated_secret_beside_the_database() {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        // On PostgreSQL a secret must be configured.
        let mut settings = crate::helpers::test_settings("postgres://127.0.0.1:1/none");
        settings.jwt_secret = None;
        assert!(api::startup::Application::build(&settings).await.is_err());
        return;
    }
    let app = spawn_app_with(|s| s.jwt_secret = None).await;
    // What `samverkan token` does: read the same settings, mint with the kept secret.
    let mut settings = crate::helpers::test_settings(&app.database_url);
    settings.jwt_secret = None;
    let path = settings.sqlite_secret_path().unwrap();
    assert!(path.exists(), "no secret at {}", path.display());
    let keys = JwtKeys::from_settings(&settings).unwrap();
    let token = keys
        .mint(
            "cli",
            "skarpnack-sdf",
            vec![Role::Viewer],
            None,
            Duration::from_secs(60),
        )
        .unwrap();
    let (status, _) = app.graphql_with(Some(&token), QUERY, json!({})).await;
    assert_eq!(status, 200);
    // A token from the test secret is not accepted by this server.
    let other = JwtKeys::hs256(
        &SecretString::from(TEST_SECRET.to_string()),
        "samverkan",
        "samverkan",
    )
    .unwrap()
    .mint(
        "x",
        "skarpnack-sdf",
        vec![Role::Viewer],
        None,
        Duration::from_secs(60),
    )
    .unwrap();
    assert_refused(&app, Some(&other)).await;
}
