//! Production keys: RS256 and ES256 tokens verified with public keys from a JWKS file or
//! a PEM file, chosen by `kid`; the algorithm is pinned by configuration. The keys are
//! the test-only keys of `tests/fixtures/keys/`.

use std::path::PathBuf;
use std::time::Duration;

use api::auth::{JwtKeys, Role};
use api::config::{JwtAlgorithm, Settings};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{TEST_SECRET, TestApp, error_codes, spawn_app_with, test_settings};

const QUERY: &str = "{ districts { totalCount } }";

/// A file of `tests/fixtures/keys/`.
fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

/// The private key of the fixture pair `name` (`rsa-a`, `ec-b`, …).
fn private_key(name: &str) -> EncodingKey {
    let pem = std::fs::read(fixture(&format!("{name}.private.pem"))).unwrap();
    if name.starts_with("rsa") {
        EncodingKey::from_rsa_pem(&pem).unwrap()
    } else {
        EncodingKey::from_ec_pem(&pem).unwrap()
    }
}

pub(crate) fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// Claims the test servers accept.
fn good_claims() -> Value {
    json!({
        "sub": "kommunpolis.skarpnack", "org": "lpo-farsta", "roles": ["VIEWER"],
        "iss": "samverkan", "aud": "samverkan", "iat": now(), "exp": now() + 600
    })
}

/// Sign `claims` with `alg` and the fixture key `key`, naming `kid` in the header.
pub(crate) fn sign(alg: Algorithm, key: &str, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &private_key(key)).unwrap()
}

/// Sign `claims` with HS256 and `secret`, naming `kid` in the header.
pub(crate) fn sign_hs256(secret: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

/// `claims` with `key` removed.
fn without(key: &str) -> Value {
    let mut claims = good_claims();
    claims.as_object_mut().unwrap().remove(key);
    claims
}

/// `claims` with `key` set to `value`.
fn with(key: &str, value: Value) -> Value {
    let mut claims = good_claims();
    claims[key] = value;
    claims
}

/// `token` with its payload replaced by `claims`, keeping header and signature.
pub(crate) fn tampered(token: &str, change: impl FnOnce(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    change(&mut claims);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

pub(crate) async fn assert_accepted(app: &TestApp, token: &str) {
    let (status, body) = app.graphql_with(Some(token), QUERY, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["districts"]["totalCount"], 13, "{body}");
}

pub(crate) async fn assert_refused(app: &TestApp, what: &str, token: &str) {
    let before = app.statements.get();
    let (status, body) = app.graphql_with(Some(token), QUERY, json!({})).await;
    assert_eq!(status, 401, "{what}: {body}");
    assert_eq!(
        error_codes(&body),
        vec!["UNAUTHENTICATED"],
        "{what}: {body}"
    );
    assert!(body.get("data").is_none(), "{what}: {body}");
    assert_eq!(
        app.statements.get(),
        before,
        "{what}: a refused request ran SQL"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        !token
            .split('.')
            .any(|part| !part.is_empty() && message.contains(part)),
        "{what}: the message echoes the token: {message}"
    );
    let reason = expected_reason(what);
    assert!(
        message.contains(reason),
        "{what}: refused for another reason than {reason:?}: {message}"
    );
}

/// What the refusal of each case must say: proof that the intended check refused it.
fn expected_reason(what: &str) -> &'static str {
    match what {
        "expired" => "expired",
        "not yet valid" => "not valid yet",
        "wrong aud" => "audience",
        "wrong iss" => "issuer",
        "missing exp" => "lacks the exp claim",
        "missing aud" => "lacks the aud claim",
        "no roles" => "names no Samverkan role",
        "another key" | "the other kid" | "tampered payload" => "signature does not verify",
        "unknown kid" => "kid names no known key",
        "no kid" => "names no key (kid)",
        "alg none" => "malformed",
        other if other.starts_with("HS256") || other.ends_with(" signed") => "accepts only",
        other => panic!("no expected reason for {other:?}"),
    }
}

fn rs256_jwks(s: &mut Settings) {
    s.jwt_algorithm = JwtAlgorithm::Rs256;
    s.jwt_jwks = Some(fixture("rsa.jwks.json"));
}

fn es256_jwks(s: &mut Settings) {
    s.jwt_algorithm = JwtAlgorithm::Es256;
    s.jwt_jwks = Some(fixture("ec.jwks.json"));
}

#[tokio::test]
async fn rs256_with_a_jwks_accepts_every_key_by_kid_and_refuses_the_rest() {
    let app = spawn_app_with(rs256_jwks).await;
    let good = good_claims();

    // Key rotation: both keys of the set are valid at once, each chosen by its kid.
    let by_a = sign(Algorithm::RS256, "rsa-a", Some("rsa-a"), &good);
    assert_accepted(&app, &by_a).await;
    assert_accepted(&app, &sign(Algorithm::RS256, "rsa-b", Some("rsa-b"), &good)).await;

    let refused = [
        (
            "expired",
            sign(
                Algorithm::RS256,
                "rsa-a",
                Some("rsa-a"),
                &with("exp", json!(now() - 3600)),
            ),
        ),
        (
            "not yet valid",
            sign(
                Algorithm::RS256,
                "rsa-a",
                Some("rsa-a"),
                &with("nbf", json!(now() + 3600)),
            ),
        ),
        (
            "wrong aud",
            sign(
                Algorithm::RS256,
                "rsa-a",
                Some("rsa-a"),
                &with("aud", json!("someone-else")),
            ),
        ),
        (
            "wrong iss",
            sign(
                Algorithm::RS256,
                "rsa-a",
                Some("rsa-a"),
                &with("iss", json!("someone-else")),
            ),
        ),
        (
            "missing exp",
            sign(Algorithm::RS256, "rsa-a", Some("rsa-a"), &without("exp")),
        ),
        (
            "missing aud",
            sign(Algorithm::RS256, "rsa-a", Some("rsa-a"), &without("aud")),
        ),
        (
            "no roles",
            sign(
                Algorithm::RS256,
                "rsa-a",
                Some("rsa-a"),
                &with("roles", json!([])),
            ),
        ),
        // A key outside the set, naming a kid of the set.
        (
            "another key",
            sign(Algorithm::RS256, "rsa-c", Some("rsa-a"), &good),
        ),
        // rsa-b's signature under rsa-a's kid.
        (
            "the other kid",
            sign(Algorithm::RS256, "rsa-b", Some("rsa-a"), &good),
        ),
        (
            "unknown kid",
            sign(Algorithm::RS256, "rsa-a", Some("rsa-z"), &good),
        ),
        // Two keys are configured: a token must say which one.
        ("no kid", sign(Algorithm::RS256, "rsa-a", None, &good)),
        // The server still has an HS256 secret configured; it is not used.
        (
            "HS256 with the server's secret",
            sign_hs256(TEST_SECRET.as_bytes(), Some("rsa-a"), &good),
        ),
        // The classic confusion: HS256 keyed with the public key.
        (
            "HS256 keyed with the public key",
            sign_hs256(
                &std::fs::read(fixture("rsa-a.public.pem")).unwrap(),
                Some("rsa-a"),
                &good,
            ),
        ),
        (
            "ES256 signed",
            sign(Algorithm::ES256, "ec-a", Some("rsa-a"), &good),
        ),
        (
            "tampered payload",
            tampered(&by_a, |claims| claims["roles"] = json!(["ADMIN"])),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"rsa-a"}"#),
                by_a.split('.').nth(1).unwrap()
            ),
        ),
    ];
    for (what, token) in &refused {
        assert_refused(&app, what, token).await;
    }

    // The untampered token still works.
    assert_accepted(&app, &by_a).await;
}

#[tokio::test]
async fn es256_with_a_jwks_accepts_its_keys_and_refuses_the_rest() {
    let app = spawn_app_with(es256_jwks).await;
    let good = good_claims();
    let by_a = sign(Algorithm::ES256, "ec-a", Some("ec-a"), &good);
    assert_accepted(&app, &by_a).await;
    assert_accepted(&app, &sign(Algorithm::ES256, "ec-b", Some("ec-b"), &good)).await;

    let refused = [
        (
            "unknown kid",
            sign(Algorithm::ES256, "ec-a", Some("ec-z"), &good),
        ),
        (
            "another key",
            sign(Algorithm::ES256, "ec-c", Some("ec-a"), &good),
        ),
        ("no kid", sign(Algorithm::ES256, "ec-a", None, &good)),
        (
            "RS256 signed",
            sign(Algorithm::RS256, "rsa-a", Some("ec-a"), &good),
        ),
        (
            "HS256 with the server's secret",
            sign_hs256(TEST_SECRET.as_bytes(), Some("ec-a"), &good),
        ),
        (
            "expired",
            sign(
                Algorithm::ES256,
                "ec-a",
                Some("ec-a"),
                &with("exp", json!(now() - 3600)),
            ),
        ),
        (
            "wrong aud",
            sign(
                Algorithm::ES256,
                "ec-a",
                Some("ec-a"),
                &with("aud", json!("someone-else")),
            ),
        ),
        (
            "tampered payload",
            tampered(&by_a, |claims| claims["org"] = json!("skarpnack-sdf")),
        ),
    ];
    for (what, token) in &refused {
        assert_refused(&app, what, token).await;
    }
}

#[tokio::test]
async fn public_keys_from_a_pem_file_are_chosen_by_kid() {
    let app = spawn_app_with(|s| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.jwt_public_keys = Some(fixture("rsa.public-keys.pem"));
    })
    .await;
    let good = good_claims();
    assert_accepted(&app, &sign(Algorithm::RS256, "rsa-a", Some("rsa-a"), &good)).await;
    assert_accepted(&app, &sign(Algorithm::RS256, "rsa-b", Some("rsa-b"), &good)).await;
    assert_refused(
        &app,
        "unknown kid",
        &sign(Algorithm::RS256, "rsa-a", Some("rsa-z"), &good),
    )
    .await;
    assert_refused(
        &app,
        "another key",
        &sign(Algorithm::RS256, "rsa-c", Some("rsa-b"), &good),
    )
    .await;

    let app = spawn_app_with(|s| {
        s.jwt_algorithm = JwtAlgorithm::Es256;
        s.jwt_public_keys = Some(fixture("ec.public-keys.pem"));
    })
    .await;
    assert_accepted(&app, &sign(Algorithm::ES256, "ec-a", Some("ec-a"), &good)).await;
    assert_accepted(&app, &sign(Algorithm::ES256, "ec-b", Some("ec-b"), &good)).await;
    assert_refused(
        &app,
        "unknown kid",
        &sign(Algorithm::ES256, "ec-b", Some("ec-z"), &good),
    )
    .await;
}

/// A temporary file holding `text`, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(extension: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "samverkan-keys-{}.{extension}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&path, text).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn with_a_single_key_a_token_may_omit_the_kid() {
    let pem = TempFile::new(
        "pem",
        &format!(
            "# kid: rsa-a\n{}",
            std::fs::read_to_string(fixture("rsa-a.public.pem")).unwrap()
        ),
    );
    let path = pem.0.clone();
    let app = spawn_app_with(move |s| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.jwt_public_keys = Some(path);
    })
    .await;
    let good = good_claims();
    assert_accepted(&app, &sign(Algorithm::RS256, "rsa-a", None, &good)).await;
    assert_accepted(&app, &sign(Algorithm::RS256, "rsa-a", Some("rsa-a"), &good)).await;
    // A kid must still name the key, and the key must still verify.
    assert_refused(
        &app,
        "unknown kid",
        &sign(Algorithm::RS256, "rsa-a", Some("rsa-b"), &good),
    )
    .await;
    assert_refused(
        &app,
        "another key",
        &sign(Algorithm::RS256, "rsa-b", None, &good),
    )
    .await;
}

/// What `samverkan token` does: the server's settings plus the private key and its kid.
fn minting_settings(
    app: &TestApp,
    adjust: impl FnOnce(&mut Settings),
    private: &str,
    kid: &str,
) -> Settings {
    let mut settings = test_settings(&app.database_url);
    adjust(&mut settings);
    settings.jwt_private_key = Some(fixture(&format!("{private}.private.pem")));
    settings.jwt_kid = Some(kid.to_owned());
    settings
}

#[tokio::test]
async fn samverkan_token_mints_rs256_and_es256_tokens_the_server_accepts() {
    let app = spawn_app_with(rs256_jwks).await;
    // The server has no private key: it cannot mint.
    let err = app
        .keys
        .mint(
            "x",
            "lpo-farsta",
            vec![Role::Viewer],
            None,
            Duration::from_secs(60),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("SAMVERKAN_JWT_PRIVATE_KEY"),
        "{err}"
    );

    for (private, kid) in [("rsa-a", "rsa-a"), ("rsa-b", "rsa-b")] {
        let keys =
            JwtKeys::from_settings(&minting_settings(&app, rs256_jwks, private, kid)).unwrap();
        // A long-lived service token for a script.
        let token = keys
            .mint(
                "coverage-script",
                "socialforvaltningen",
                vec![Role::Viewer],
                None,
                ttl("365d"),
            )
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some(kid));
        let claims: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        let exp = claims["exp"].as_u64().unwrap();
        assert!(exp.abs_diff(now() + 365 * 86_400) < 60, "exp {exp}");
        assert_accepted(&app, &token).await;
        let (status, body) = app
            .graphql_with(Some(&token), "{ viewer { sub roles } }", json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["data"]["viewer"],
            json!({ "sub": "coverage-script", "roles": ["VIEWER"] })
        );
    }

    let app = spawn_app_with(es256_jwks).await;
    let keys = JwtKeys::from_settings(&minting_settings(&app, es256_jwks, "ec-b", "ec-b")).unwrap();
    let token = keys
        .mint(
            "prevention.skarpnack",
            "skarpnack-sdf",
            vec![Role::DistrictCoordinator],
            Some(vec!["skarpnack".into()]),
            Duration::from_secs(600),
        )
        .unwrap();
    assert_eq!(
        jsonwebtoken::decode_header(&token).unwrap().alg,
        Algorithm::ES256
    );
    assert_accepted(&app, &token).await;
}

fn ttl(text: &str) -> Duration {
    api::auth::parse_ttl(text).unwrap()
}

/// Settings for [`JwtKeys::from_settings`] alone (no server).
fn settings(adjust: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = test_settings("postgres://127.0.0.1:1/none");
    adjust(&mut settings);
    settings
}

fn start_up_error(adjust: impl FnOnce(&mut Settings)) -> String {
    match JwtKeys::from_settings(&settings(adjust)) {
        Ok(keys) => panic!("keys accepted: {keys:?}"),
        Err(err) => format!("{err:#}"),
    }
}

#[test]
fn keys_that_do_not_fit_are_refused_at_start_up() {
    // A JWKS of another algorithm.
    let err = start_up_error(|s| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.jwt_jwks = Some(fixture("ec.jwks.json"));
    });
    assert!(err.contains("ES256") && err.contains("RS256"), "{err}");
    let err = start_up_error(|s| {
        s.jwt_algorithm = JwtAlgorithm::Es256;
        s.jwt_jwks = Some(fixture("rsa.jwks.json"));
    });
    assert!(err.contains("RS256"), "{err}");

    // A JWKS key without `alg` whose kty does not fit.
    let mut jwks: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ec.jwks.json")).unwrap()).unwrap();
    for key in jwks["keys"].as_array_mut().unwrap() {
        key.as_object_mut().unwrap().remove("alg");
    }
    let file = TempFile::new("json", &jwks.to_string());
    let err = start_up_error(|s| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.jwt_jwks = Some(file.0.clone());
    });
    assert!(err.contains("EC"), "{err}");
    // … and is accepted where it fits.
    JwtKeys::from_settings(&settings(|s| {
        s.jwt_algorithm = JwtAlgorithm::Es256;
        s.jwt_jwks = Some(file.0.clone());
    }))
    .unwrap();

    // PEM keys of another algorithm.
    let err = start_up_error(|s| {
        s.jwt_algorithm = JwtAlgorithm::Es256;
        s.jwt_public_keys = Some(fixture("rsa.public-keys.pem"));
    });
    assert!(err.contains("rsa-a"), "{err}");

    // A key without a kid, and a private key among public keys.
    let public = std::fs::read_to_string(fixture("rsa-a.public.pem")).unwrap();
    let no_kid = TempFile::new("pem", &public);
    let err = start_up_error(|s| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.jwt_public_keys = Some(no_kid.0.clone());
    });
    assert!(err.contains("kid"), "{err}");
    let private = std::fs::read_to_string(fixture("rsa-a.private.pem")).unwrap();
    let leaked = TempFile::new("pem", &format!("# kid: rsa-a\n{private}"));
    let err = start_up_error(|s| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.jwt_public_keys = Some(leaked.0.clone());
    });
    assert!(err.contains("PRIVATE KEY"), "{err}");

    // The same kid twice (PEM file and JWKS both name rsa-a).
    let err = start_up_error(|s| {
        s.jwt_algorithm = JwtAlgorithm::Rs256;
        s.jwt_public_keys = Some(fixture("rsa.public-keys.pem"));
        s.jwt_jwks = Some(fixture("rsa.jwks.json"));
    });
    assert!(err.contains("rsa-a"), "{err}");

    // RS256 without public keys.
    let err = start_up_error(|s| s.jwt_algorithm = JwtAlgorithm::Rs256);
    assert!(err.contains("SAMVERKAN_JWT_JWKS"), "{err}");

    // Public keys with HS256.
    let err = start_up_error(|s| s.jwt_jwks = Some(fixture("rsa.jwks.json")));
    assert!(err.contains("HS256"), "{err}");

    // A private key whose public key is not the one its kid names.
    let err = start_up_error(|s| {
        rs256_jwks(s);
        s.jwt_private_key = Some(fixture("rsa-c.private.pem"));
        s.jwt_kid = Some("rsa-a".into());
    });
    assert!(err.contains("SAMVERKAN_JWT_KID"), "{err}");
    // A private key and no kid, with two keys configured.
    let err = start_up_error(|s| {
        rs256_jwks(s);
        s.jwt_private_key = Some(fixture("rsa-a.private.pem"));
    });
    assert!(err.contains("SAMVERKAN_JWT_KID"), "{err}");
    // An EC private key for RS256.
    let err = start_up_error(|s| {
        rs256_jwks(s);
        s.jwt_private_key = Some(fixture("ec-a.private.pem"));
        s.jwt_kid = Some("rsa-a".into());
    });
    assert!(err.contains("SAMVERKAN_JWT_PRIVATE_KEY"), "{err}");
}
