//! Signed in the city's way (issue 16): tokens from a real OpenID Connect provider
//! (`oidc_provider`: panva's oidc-provider on loopback), found by discovery, verified with
//! the provider's JWKS, their claims read as the provider writes them.
//!
//! Every test starts its own provider and its own server; the server is configured as an
//! operator would (`SAMVERKAN_OIDC_ISSUER`, `SAMVERKAN_CLAIM_*`, `SAMVERKAN_ROLE_MAP`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use api::config::{JwtAlgorithm, Settings};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, operation, spawn_app_with};
use crate::jwt::{assert_accepted, assert_refused, now, sign, sign_hs256, tampered};
use crate::oidc_provider::{OidcProvider, ProviderClient, ProviderConfig, RestartKeys};

/// Keycloak's way: realm roles in `realm_access.roles`, mapped to the service's roles.
const ROLE_MAP: &str = "samverkan-admin=ADMIN,samverkan-liaison=ORG_EDITOR,samverkan-reader=VIEWER";

/// A script of the police area Farsta, with Keycloak-style realm roles.
fn police_script() -> ProviderClient {
    ProviderClient::new("polis-farsta", "polis-secret").claims(json!({
        "org": "lpo-farsta",
        "realm_access": { "roles": ["offline_access", "samverkan-liaison"] },
    }))
}

/// A reader of another organization.
fn reader_script() -> ProviderClient {
    ProviderClient::new("skola-reader", "skola-secret").claims(json!({
        "org": "socialforvaltningen",
        "realm_access": { "roles": ["samverkan-reader"] },
    }))
}

/// The server's settings for `provider`, Keycloak's claim layout, and `min_interval`
/// seconds between two fetches of the keys.
fn keycloak_settings(provider: &OidcProvider, min_interval: u64) -> impl FnOnce(&mut Settings) {
    let issuer = provider.issuer().to_owned();
    move |s: &mut Settings| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.identity.oidc_issuer = Some(issuer);
        s.identity.claim_roles = "realm_access.roles".into();
        s.identity.role_map = Some(ROLE_MAP.into());
        s.identity.jwks_min_interval_secs = min_interval;
    }
}

async fn provider(clients: Vec<ProviderClient>) -> OidcProvider {
    OidcProvider::start(ProviderConfig {
        clients,
        ..ProviderConfig::default()
    })
    .await
}

async fn readyz(app: &TestApp) -> (u16, String) {
    let response = app.get("/readyz").await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_client_credentials_token_from_the_provider_reaches_a_mutation_under_the_rules() {
    let admin = ProviderClient::new("admin-script", "admin-secret").claims(json!({
        "org": "socialforvaltningen",
        "realm_access": { "roles": ["samverkan-admin"] },
    }));
    let idp = provider(vec![police_script(), reader_script(), admin]).await;
    let app = spawn_app_with(keycloak_settings(&idp, 30)).await;
    let (status, text) = readyz(&app).await;
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains(&format!("signing keys: 1 from {}", idp.issuer())),
        "{text}"
    );

    let police = idp
        .client_credentials_token("polis-farsta", "polis-secret")
        .await;
    let data = app
        .run_as(
            &police,
            r#"{ organization(slug: "lpo-farsta") { commitments(first: 1) { nodes { id version } } } }"#,
            json!({}),
        )
        .await;
    let commitment = data["organization"]["commitments"]["nodes"][0].clone();
    let update = operation("UpdateCommitment");
    let (status, body) = app
        .graphql_op(
            Some(&police),
            &update,
            Some("UpdateCommitment"),
            json!({ "id": commitment["id"], "expectedVersion": commitment["version"],
                    "text": "Kommunpolisen deltar varje vecka." }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["updateCommitment"]["commitment"]["text"], "Kommunpolisen deltar varje vecka.",
        "{body}"
    );
    // The audit trail names the provider's subject: the client.
    let data = app
        .run_as(
            &idp.client_credentials_token("admin-script", "admin-secret")
                .await,
            r#"{ auditEvents(last: 1) { nodes { actor action } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["auditEvents"]["nodes"][0]["actor"], "polis-farsta");

    // A reader of another organization may read, not change the police's commitment.
    let reader = idp
        .client_credentials_token("skola-reader", "skola-secret")
        .await;
    assert_accepted(&app, &reader).await;
    let (_, body) = app
        .graphql_op(
            Some(&reader),
            &update,
            Some("UpdateCommitment"),
            json!({ "id": commitment["id"], "expectedVersion": 2, "text": "x" }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
}

#[tokio::test]
async fn entra_style_claims_are_read_where_the_settings_say() {
    // Entra ID: app roles in `roles`, the organization in a claim named by a URI (read
    // with a JSON Pointer), the caller by its object id.
    let org_claim = "https://samverkan.stockholm.se/claims/org";
    let idp = provider(vec![
        ProviderClient::new("entra-app", "entra-secret")
            .claims(json!({ "roles": ["Samverkan.Reader"], "oid": "5f2c-object-id", org_claim: "lpo-farsta" })),
        ProviderClient::new("entra-no-role", "s").claims(json!({ "roles": ["Other.Role"], "oid": "o", org_claim: "lpo-farsta" })),
        ProviderClient::new("entra-no-org", "s").claims(json!({ "roles": ["Samverkan.Reader"], "oid": "o" })),
    ])
    .await;
    let issuer = idp.issuer().to_owned();
    let app = spawn_app_with(move |s| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.identity.oidc_issuer = Some(issuer);
        s.identity.claim_subject = "oid".into();
        s.identity.claim_organization = "/https:~1~1samverkan.stockholm.se~1claims~1org".into();
        s.identity.role_map = Some("Samverkan.Reader=VIEWER".into());
    })
    .await;
    let token = idp
        .client_credentials_token("entra-app", "entra-secret")
        .await;
    let data = app
        .run_as(
            &token,
            "{ viewer { organization { slug } roles } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["viewer"]["organization"]["slug"], "lpo-farsta",
        "{data}"
    );
    assert_eq!(data["viewer"]["roles"], json!(["VIEWER"]), "{data}");

    for (client, says) in [
        (
            "entra-no-role",
            "roles claim (roles) holds no value SAMVERKAN_ROLE_MAP maps",
        ),
        (
            "entra-no-org",
            "lacks the organization claim (/https:~1~1samverkan.stockholm.se~1claims~1org)",
        ),
    ] {
        let token = idp.client_credentials_token(client, "s").await;
        let (status, body) = app
            .graphql_with(Some(&token), "{ districts { totalCount } }", json!({}))
            .await;
        assert_eq!(status, 401, "{client}: {body}");
        assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{client}: {message}");
    }
}

#[tokio::test]
async fn a_key_rotated_at_the_provider_is_taken_without_a_restart_and_the_removed_one_refused() {
    let idp = provider(vec![police_script()]).await;
    let app = spawn_app_with(keycloak_settings(&idp, 0)).await;
    let before = idp
        .client_credentials_token("polis-farsta", "polis-secret")
        .await;
    assert_accepted(&app, &before).await;

    let new_kid = idp.rotate().await;
    let after = idp
        .client_credentials_token("polis-farsta", "polis-secret")
        .await;
    assert_eq!(header(&after)["kid"], new_kid.as_str());
    // The new kid is unknown to the server: it fetches the keys again, and accepts.
    assert_accepted(&app, &after).await;
    // That fetch no longer holds the old key: its tokens are refused.
    assert_refused(&app, "unknown kid", &before).await;
    let (_, text) = readyz(&app).await;
    assert!(text.contains("signing keys: 1 from"), "{text}");
}

#[tokio::test]
async fn an_unknown_kid_fetches_the_keys_at_most_once_per_interval() {
    let idp = provider(vec![police_script()]).await;
    // The keys were fetched at the start; the next fetch may come an hour later.
    let app = spawn_app_with(keycloak_settings(&idp, 3600)).await;
    idp.rotate().await;
    let after = idp
        .client_credentials_token("polis-farsta", "polis-secret")
        .await;
    // Within the interval an unknown kid fetches nothing: a stream of forged kids cannot
    // make the service hammer the provider.
    assert_refused(&app, "unknown kid", &after).await;
}

#[tokio::test]
async fn the_provider_stopped_and_restarted_while_requests_go_on() {
    let mut idp = provider(vec![police_script()]).await;
    let settings = keycloak_settings(&idp, 0);
    let app = spawn_app_with(|s| {
        settings(s);
        s.rate_limit_per_minute = 0;
    })
    .await;
    let token = idp
        .client_credentials_token("polis-farsta", "polis-secret")
        .await;
    assert_accepted(&app, &token).await;

    // Requests go on the whole time, from another task.
    let done = Arc::new(AtomicBool::new(false));
    let requests = {
        let (done, address, token) = (done.clone(), app.address.clone(), token.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut statuses = Vec::new();
            while !done.load(Ordering::SeqCst) || statuses.is_empty() {
                let response = client
                    .post(format!("{address}/graphql"))
                    .bearer_auth(&token)
                    .json(&json!({ "query": "{ districts { totalCount } }" }))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                statuses.push(response.status().as_u16());
            }
            statuses
        })
    };

    idp.stop().await;
    // A forged kid makes the server try the provider, which does not answer.
    let forged = tampered_kid(&token, "forged-kid");
    let (status, _) = app
        .graphql_with(Some(&forged), "{ districts { totalCount } }", json!({}))
        .await;
    assert_eq!(status, 401);
    let (status, text) = readyz(&app).await;
    assert_eq!(status, 200, "stale keys keep the service ready: {text}");
    assert!(text.contains("last fetch failed"), "{text}");
    // The last good keys keep working.
    assert_accepted(&app, &token).await;

    idp.restart(RestartKeys::Same).await;
    assert_accepted(&app, &token).await;
    done.store(true, Ordering::SeqCst);
    let statuses = requests.await.unwrap_or_default();
    assert!(!statuses.is_empty());
    assert!(
        statuses.iter().all(|s| *s == 200),
        "a request failed while the provider was away: {statuses:?}"
    );

    // A new key at the restarted provider is fetched and taken; the renewal clears the
    // failure /readyz reported.
    idp.rotate().await;
    let fresh = idp
        .client_credentials_token("polis-farsta", "polis-secret")
        .await;
    assert_accepted(&app, &fresh).await;
    let (_, text) = readyz(&app).await;
    assert!(!text.contains("last fetch failed"), "{text}");
}

#[tokio::test]
async fn before_any_key_was_fetched_tokens_are_answered_503_and_the_service_is_not_ready() {
    let mut idp = provider(vec![police_script()]).await;
    let token = idp
        .client_credentials_token("polis-farsta", "polis-secret")
        .await;
    idp.stop().await;
    let app = spawn_app_with(keycloak_settings(&idp, 0)).await;
    let (status, body) = app
        .graphql_with(Some(&token), "{ districts { totalCount } }", json!({}))
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(error_codes(&body), ["SERVICE_UNAVAILABLE"], "{body}");
    // It says when to try again: the next fetch, `SAMVERKAN_JWKS_MIN_INTERVAL_SECS` at most.
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ districts { totalCount } }" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 503);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or(0);
    assert!((1..=30).contains(&retry), "Retry-After: {retry}");
    let (status, text) = readyz(&app).await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("no signing keys"), "{text}");
    let before = signing_key_metrics(&app).await;
    assert_eq!(before[0], ("samverkan_signing_keys".into(), "0".into()));
    assert_eq!(before[1].1, "NaN", "{before:?}");

    idp.restart(RestartKeys::Same).await;
    assert_accepted(&app, &token).await;
    assert_eq!(readyz(&app).await.0, 200);
    let after = signing_key_metrics(&app).await;
    let keys: usize = after[0].1.parse().unwrap_or(0);
    assert_eq!(keys, idp.kids().await.len(), "{after:?}");
    let age: f64 = after[1].1.parse().unwrap_or(f64::NAN);
    assert!((0.0..60.0).contains(&age), "{after:?}");
    assert_eq!(
        after[2],
        ("samverkan_signing_keys_stale".into(), "0".into())
    );
}

/// The signing-key gauges of `GET /metrics`: (name, value) of `samverkan_signing_keys`,
/// `…_age_seconds` and `…_stale`, in that order.
async fn signing_key_metrics(app: &TestApp) -> Vec<(String, String)> {
    let text = app.get("/metrics").await.text().await.unwrap_or_default();
    [
        "samverkan_signing_keys",
        "samverkan_signing_keys_age_seconds",
        "samverkan_signing_keys_stale",
    ]
    .iter()
    .map(|name| {
        let value = text
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing from /metrics:\n{text}"));
        ((*name).to_string(), value.to_string())
    })
    .collect()
}

#[tokio::test]
async fn the_jwt_attack_set_is_refused_with_discovery_on() {
    let issuer_claims = |extra: Value| {
        let mut claims = json!({
            "org": "lpo-farsta",
            "realm_access": { "roles": ["samverkan-reader"] },
        });
        if let (Some(c), Some(e)) = (claims.as_object_mut(), extra.as_object()) {
            c.extend(e.clone());
        }
        claims
    };
    let idp = provider(vec![
        ProviderClient::new("good", "s").claims(issuer_claims(json!({}))),
        ProviderClient::new("expired", "s")
            .claims(issuer_claims(json!({})))
            .override_claims(json!({ "exp": now() - 3600, "iat": now() - 7200 })),
        ProviderClient::new("wrong-aud", "s")
            .claims(issuer_claims(json!({})))
            .override_claims(json!({ "aud": "another-api" })),
        ProviderClient::new("wrong-iss", "s")
            .claims(issuer_claims(json!({})))
            .override_claims(json!({ "iss": "https://evil.example.org" })),
    ])
    .await;
    let app = spawn_app_with(keycloak_settings(&idp, 0)).await;
    let good = idp.client_credentials_token("good", "s").await;
    assert_accepted(&app, &good).await;
    let claims = payload(&good);
    let kid = header(&good)["kid"].as_str().unwrap_or_default().to_owned();
    let refused = [
        (
            "expired",
            idp.client_credentials_token("expired", "s").await,
        ),
        (
            "wrong aud",
            idp.client_credentials_token("wrong-aud", "s").await,
        ),
        (
            "wrong iss",
            idp.client_credentials_token("wrong-iss", "s").await,
        ),
        (
            "tampered payload",
            tampered(&good, |c| {
                c["realm_access"]["roles"] = json!(["samverkan-admin"]);
            }),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","kid":"{kid}"}}"#)),
                good.split('.').nth(1).unwrap_or_default()
            ),
        ),
        (
            "HS256 with the provider's kid",
            sign_hs256(b"0123456789abcdef0123456789abcdef", Some(&kid), &claims),
        ),
        (
            "another key",
            sign(Algorithm::RS256, "rsa-a", Some(&kid), &claims),
        ),
        (
            "unknown kid",
            sign(Algorithm::RS256, "rsa-a", Some("rsa-a"), &claims),
        ),
    ];
    for (what, token) in &refused {
        assert_refused(&app, what, token).await;
    }
    assert_accepted(&app, &good).await;
}

/// The decoded header of a JWT.
fn header(token: &str) -> Value {
    decode_part(token, 0)
}

/// The decoded claims of a JWT.
fn payload(token: &str) -> Value {
    decode_part(token, 1)
}

fn decode_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap_or_default();
    URL_SAFE_NO_PAD
        .decode(part)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null)
}

/// `token` with its header's kid replaced (the signature no longer matters: the key is
/// looked up first).
fn tampered_kid(token: &str, kid: &str) -> String {
    let mut head = header(token);
    head["kid"] = json!(kid);
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(head.to_string()),
        parts.get(1).unwrap_or(&""),
        parts.get(2).unwrap_or(&"")
    )
}

#[tokio::test]
async fn a_token_without_an_organization_acts_for_the_one_its_groups_are_mapped_to() {
    // Entra ID: group object IDs in `groups`, no organization claim.
    let idp = provider(vec![
        ProviderClient::new("grouped", "s").claims(json!({
            "realm_access": { "roles": ["samverkan-liaison"] },
            "groups": ["g-polis-farsta", "g-alla"],
        })),
        ProviderClient::new("admin", "s").claims(json!({
            "org": "socialforvaltningen",
            "realm_access": { "roles": ["samverkan-admin"] },
        })),
    ])
    .await;
    let settings = keycloak_settings(&idp, 30);
    let app = spawn_app_with(|s| {
        settings(s);
        s.identity.claim_groups = Some("groups".into());
    })
    .await;
    let grouped = idp.client_credentials_token("grouped", "s").await;
    let admin = idp.client_credentials_token("admin", "s").await;

    // No group is mapped yet: refused, saying so.
    let (status, body) = app
        .graphql_with(Some(&grouped), "{ viewer { organizationSlug } }", json!({}))
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("none of its groups is mapped")),
        "{body}"
    );

    // A liaison may not map groups; an admin may.
    let map = r#"mutation($g: String!, $o: ID!) { mapProviderGroup(input: { group: $g, organization: $o }) {
        providerGroup { id group version organization { slug } viewerCanUpdate } userErrors { field code } } }"#;
    let police = app
        .run_as(
            &admin,
            r#"{ organization(slug: "lpo-farsta") { id } }"#,
            json!({}),
        )
        .await["organization"]["id"]
        .clone();
    let mapped = app
        .run_as(&admin, map, json!({ "g": "g-polis-farsta", "o": police }))
        .await;
    let group = &mapped["mapProviderGroup"]["providerGroup"];
    assert_eq!(group["organization"]["slug"], "lpo-farsta", "{mapped}");
    assert_eq!(group["viewerCanUpdate"], true);
    // The same group again is a field error.
    let again = app
        .run_as(&admin, map, json!({ "g": "g-polis-farsta", "o": police }))
        .await;
    assert_eq!(
        again["mapProviderGroup"]["userErrors"],
        json!([{ "field": "input.group", "code": "BAD_USER_INPUT" }])
    );

    // The grouped token now acts for the police, and edits its commitment.
    let data = app
        .run_as(&grouped, "{ viewer { organizationSlug roles } }", json!({}))
        .await;
    assert_eq!(data["viewer"]["organizationSlug"], "lpo-farsta", "{data}");
    let (_, body) = app
        .graphql_with(Some(&grouped), map, json!({ "g": "g-x", "o": police }))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    let (_, body) = app
        .graphql_with(
            Some(&grouped),
            "{ providerGroups { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");

    // Its other group mapped to another organization: the token must say which.
    let social = app
        .run_as(
            &admin,
            r#"{ organization(slug: "socialforvaltningen") { id } }"#,
            json!({}),
        )
        .await["organization"]["id"]
        .clone();
    let other = app
        .run_as(&admin, map, json!({ "g": "g-alla", "o": social }))
        .await;
    let (status, body) = app
        .graphql_with(Some(&grouped), "{ viewer { organizationSlug } }", json!({}))
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["errors"][0]["message"].as_str().is_some_and(
            |m| m.contains("mapped to 2 organizations (lpo-farsta, socialforvaltningen)")
        ),
        "{body}"
    );

    // A stale version is a CONFLICT; the current one removes the mapping.
    let other_id = other["mapProviderGroup"]["providerGroup"]["id"].clone();
    let delete = r#"mutation($id: ID!, $v: Int!) { deleteProviderGroup(input: { id: $id, expectedVersion: $v }) {
        providerGroup { group } userErrors { code } } }"#;
    let stale = app
        .run_as(&admin, delete, json!({ "id": other_id, "v": 7 }))
        .await;
    assert_eq!(
        stale["deleteProviderGroup"]["userErrors"],
        json!([{ "code": "CONFLICT" }])
    );
    app.run_as(&admin, delete, json!({ "id": other_id, "v": 1 }))
        .await;
    let data = app
        .run_as(&grouped, "{ viewer { organizationSlug } }", json!({}))
        .await;
    assert_eq!(data["viewer"]["organizationSlug"], "lpo-farsta");

    // Admins read the mapping, and every change is in the audit log.
    let data = app
        .run_as(
            &admin,
            r#"{ providerGroups { totalCount nodes { group } }
                 auditEvents(last: 3) { nodes { action actor } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["providerGroups"]["totalCount"], 1, "{data}");
    let actions: Vec<&str> = data["auditEvents"]["nodes"]
        .as_array()
        .map(|n| n.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        actions,
        [
            "providerGroup.map",
            "providerGroup.map",
            "providerGroup.delete"
        ],
        "{data}"
    );
}
