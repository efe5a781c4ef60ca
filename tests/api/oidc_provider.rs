//! A real OpenID Connect provider for the tests: `tests/oidc/provider.mjs`, panva's
//! certified `oidc-provider` (pinned in `tests/oidc/package-lock.json`) on 127.0.0.1, with
//! client-credentials clients whose JWT access tokens carry claims as Keycloak or Entra ID
//! write them. Keys rotate at the provider without a restart ([`OidcProvider::rotate`]),
//! and the provider stops and restarts on the same port ([`OidcProvider::restart`]).
//!
//! Needs Node.js 20 or later (`node` on PATH, or the `NODE` environment variable); the
//! provider's packages are installed with `npm ci --prefix tests/oidc` the first time a test
//! needs them (under a file lock: several test binaries may start at once).
//!
//! The tests at the end check the provider itself, independently of the service.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long starting the provider or installing its packages may take.
const PATIENCE: Duration = Duration::from_secs(120);

/// How to get Node.js, for the failure message.
const INSTALL_NODE: &str = "the OpenID Connect tests run a real provider on Node.js: install \
     Node.js 20 or later with npm (Debian 12's own `nodejs` is 18; NodeSource's or nodejs.org's \
     is 20) so that `node` and `npm` are on PATH, or point the NODE environment variable at a \
     node binary";

/// The signing algorithm of the provider's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlg {
    /// RSA 2048 with SHA-256 (what Entra ID and Keycloak use by default).
    Rs256,
    /// ECDSA P-256 with SHA-256.
    Es256,
}

impl KeyAlg {
    fn name(self) -> &'static str {
        match self {
            KeyAlg::Rs256 => "RS256",
            KeyAlg::Es256 => "ES256",
        }
    }
}

/// A client of the client-credentials grant.
#[derive(Debug, Clone)]
pub struct ProviderClient {
    pub client_id: String,
    pub client_secret: String,
    /// Claims added to its access tokens (`{"realm_access": {"roles": [...]}}`); they
    /// cannot replace `iss`, `aud`, `sub`, `exp`, `iat`, `jti` or `client_id`.
    pub claims: Value,
    /// Claims that replace anything in its access tokens, `sub` included (and `aud`,
    /// `iss`, `exp` for tokens a verifier must refuse although the provider signed them).
    pub override_claims: Value,
}

impl ProviderClient {
    /// A client with no extra claims. Ids and secrets are sent in HTTP Basic as they are:
    /// keep them to letters, digits, `-`, `.`, `_`.
    pub fn new(client_id: &str, client_secret: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            claims: json!({}),
            override_claims: json!({}),
        }
    }

    /// Add `claims` (a JSON object) to the client's tokens.
    pub fn claims(mut self, claims: Value) -> Self {
        self.claims = claims;
        self
    }

    /// Replace claims of the client's tokens with `claims` (a JSON object).
    pub fn override_claims(mut self, claims: Value) -> Self {
        self.override_claims = claims;
        self
    }
}

/// How the provider is configured.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// The `aud` of every access token. Default `samverkan`.
    pub audience: String,
    /// The algorithm of generated keys. Default RS256.
    pub alg: KeyAlg,
    /// The `max-age` of jwks_uri's `Cache-Control`, in seconds. Default 300.
    pub jwks_max_age: u64,
    /// Lifetime of access tokens, in seconds. Default 600.
    pub access_token_ttl: u64,
    pub clients: Vec<ProviderClient>,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        Self {
            audience: "samverkan".to_owned(),
            alg: KeyAlg::Rs256,
            jwks_max_age: 300,
            access_token_ttl: 600,
            clients: Vec::new(),
        }
    }
}

impl ProviderConfig {
    /// Add a client.
    pub fn client(mut self, client: ProviderClient) -> Self {
        self.clients.push(client);
        self
    }
}

/// Which keys the provider has after [`OidcProvider::restart`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartKeys {
    /// The keys it had when it stopped.
    Same,
    /// One new key (of the configured algorithm); the old ones are gone.
    New,
}

/// A running provider; killed when dropped (and it exits by itself when the test process
/// goes, since it watches its stdin).
pub struct OidcProvider {
    child: Option<Child>,
    /// Holds the config and the private keys file; removed on drop.
    dir: PathBuf,
    issuer: String,
    port: u16,
    /// Everything the provider wrote to stderr (its warnings, a stack trace if it died).
    stderr: Arc<Mutex<String>>,
    http: reqwest::Client,
}

impl OidcProvider {
    /// Install the provider's packages if needed, and start it on a free port.
    pub async fn start(config: ProviderConfig) -> Self {
        install_packages().await;
        let dir =
            std::env::temp_dir().join(format!("samverkan-oidc-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("create the provider's directory");
        let clients: Vec<Value> = config
            .clients
            .iter()
            .map(|c| {
                json!({
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "claims": c.claims,
                    "override_claims": c.override_claims,
                })
            })
            .collect();
        let file = json!({
            "audience": config.audience,
            "alg": config.alg.name(),
            "keys_file": dir.join("keys.json"),
            "jwks_max_age": config.jwks_max_age,
            "access_token_ttl": config.access_token_ttl,
            "clients": clients,
        });
        std::fs::write(dir.join("config.json"), file.to_string()).expect("write config");
        let mut provider = Self {
            child: None,
            dir,
            issuer: String::new(),
            port: 0,
            stderr: Arc::default(),
            // No idle connections: none outlives a stop.
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("HTTP client"),
        };
        provider.spawn(0).await;
        provider
    }

    /// `http://127.0.0.1:PORT`, the `iss` of its tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Its port (the same after a restart).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The discovery document's URL.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// The JWKS URL (oidc-provider's; the discovery document names the same).
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.issuer)
    }

    /// The token endpoint's URL.
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer)
    }

    /// What the provider wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The discovery document.
    pub async fn discovery(&self) -> Value {
        self.get_json(&self.discovery_url()).await
    }

    /// The public key set as jwks_uri serves it.
    pub async fn jwks(&self) -> Value {
        self.get_json(&self.jwks_uri()).await
    }

    /// The `kid`s jwks_uri serves, the signing key's first.
    pub async fn kids(&self) -> Vec<String> {
        kids_of(&self.jwks().await)
    }

    /// An access token (a JWT) for `client_id` from the token endpoint (client-credentials
    /// grant, HTTP Basic client authentication); fails the test if the provider refuses.
    pub async fn client_credentials_token(&self, client_id: &str, client_secret: &str) -> String {
        let (status, body) = self.token_response(client_id, client_secret).await;
        assert_eq!(status, 200, "token request for {client_id}: {body}");
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access_token in {body}"))
            .to_owned()
    }

    /// The token endpoint's status and JSON answer to a client-credentials request.
    pub async fn token_response(&self, client_id: &str, client_secret: &str) -> (u16, Value) {
        let response = self
            .http
            .post(self.token_endpoint())
            .basic_auth(client_id, Some(client_secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .expect("token request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.expect("token response is JSON"),
        )
    }

    /// Rotate: a new key (of the configured algorithm) signs from now on and every earlier
    /// key is gone from jwks_uri. Without a restart. Returns the new `kid`.
    pub async fn rotate(&self) -> String {
        self.post_rotate(json!({})).await
    }

    /// Rotate to a new key of `alg`; the earlier keys stay published (but no longer sign)
    /// if `keep_previous`. Returns the new `kid`.
    pub async fn rotate_with(&self, alg: KeyAlg, keep_previous: bool) -> String {
        self.post_rotate(json!({ "alg": alg.name(), "keep_previous": keep_previous }))
            .await
    }

    /// Remove every key but the signing one (the second step of a rolling rotation).
    pub async fn retire_previous_keys(&self) {
        let keys: Value = serde_json::from_slice(
            &std::fs::read(self.dir.join("keys.json")).expect("read the keys file"),
        )
        .expect("keys file is JSON");
        self.post_rotate(json!({ "keys": [keys["keys"][0]] })).await;
    }

    /// Stop the provider (SIGKILL); requests to it fail until [`OidcProvider::restart`].
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("kill the provider");
        }
    }

    /// Start the provider again (stopping it first if it runs), on the same port and so
    /// with the same issuer, with the same keys or a new one.
    pub async fn restart(&mut self, keys: RestartKeys) {
        self.stop().await;
        if keys == RestartKeys::New {
            std::fs::remove_file(self.dir.join("keys.json")).expect("remove the keys file");
        }
        let port = self.port;
        self.spawn(port).await;
        assert_eq!(self.port, port, "restarted on another port");
    }

    /// Spawn `node provider.mjs` and wait for the line it prints once it listens.
    async fn spawn(&mut self, port: u16) {
        let started = Instant::now();
        let node = std::env::var("NODE").unwrap_or_else(|_| "node".to_owned());
        let mut child = Command::new(&node)
            .arg(oidc_dir().join("provider.mjs"))
            .arg(self.dir.join("config.json"))
            .arg(port.to_string())
            .current_dir(oidc_dir())
            // Held open, never written: the provider exits when it closes.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run `{node}` ({e}): {INSTALL_NODE}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        *self.stderr.lock().expect("stderr buffer") = String::new();
        let stderr_done = tokio::spawn(collect(stderr, Arc::clone(&self.stderr)));
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(PATIENCE, lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("the provider did not start in {PATIENCE:?}"));
        let line = match line {
            Ok(Some(line)) => line,
            _ => {
                // Its stderr is complete once it has exited.
                let status = child.wait().await;
                let _ = tokio::time::timeout(PATIENCE, stderr_done).await;
                panic!(
                    "the provider exited ({status:?}) before listening; its stderr:\n{}",
                    self.stderr()
                );
            }
        };
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("provider's first line {line:?}: {e}"));
        self.issuer = ready["issuer"].as_str().expect("issuer").to_owned();
        self.port = ready["port"]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .expect("port");
        // Anything else it prints would block it once the pipe is full.
        tokio::spawn(collect(lines.into_inner(), Arc::clone(&self.stderr)));
        self.child = Some(child);
        eprintln!(
            "oidc provider {} started in {} ms",
            self.issuer,
            started.elapsed().as_millis()
        );
    }

    async fn post_rotate(&self, body: Value) -> String {
        let response = self
            .http
            .post(format!("{}/test/rotate", self.issuer))
            .json(&body)
            .send()
            .await
            .expect("rotate request");
        let status = response.status();
        let text = response.text().await.expect("rotate response");
        assert_eq!(status, 200, "rotate {body}: {text}");
        let jwks: Value = serde_json::from_str(&text).expect("rotate answers the JWKS");
        kids_of(&jwks).swap_remove(0)
    }

    async fn get_json(&self, url: &str) -> Value {
        let response = self.http.get(url).send().await.expect("GET");
        assert_eq!(response.status(), 200, "GET {url}");
        response.json().await.expect("JSON")
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.start_kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The `kid`s of a JWKS, in its order.
pub fn kids_of(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

/// Read `from` to its end into `into` (the provider's stderr or late stdout).
async fn collect(mut from: impl AsyncRead + Unpin, into: Arc<Mutex<String>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            break;
        }
        if let Ok(mut s) = into.lock() {
            s.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
}

/// `tests/oidc`.
fn oidc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// `npm ci --prefix tests/oidc` unless `tests/oidc/node_modules` already holds what
/// package-lock.json pins (as after `.ci/run`'s own `npm ci`): checked once per test
/// process, and installed under a file lock, since several test processes may start at once.
async fn install_packages() {
    static INSTALLED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    INSTALLED
        .get_or_init(|| async {
            tokio::task::spawn_blocking(install_packages_blocking)
                .await
                .expect("npm ci")
        })
        .await;
}

fn install_packages_blocking() {
    let dir = oidc_dir();
    let up_to_date = || {
        packages(&dir.join("package-lock.json")).is_some_and(|wanted| {
            packages(&dir.join("node_modules/.package-lock.json")) == Some(wanted)
        })
    };
    if up_to_date() {
        return;
    }
    let guard = std::fs::File::create(dir.join(".install.lock")).expect("create install lock");
    guard.lock().expect("take install lock");
    if up_to_date() {
        return;
    }
    let started = Instant::now();
    let output = std::process::Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `npm` ({e}): {INSTALL_NODE}"));
    assert!(
        output.status.success(),
        "npm ci --prefix tests/oidc failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        up_to_date(),
        "npm ci did not install what package-lock.json pins"
    );
    eprintln!(
        "npm ci --prefix tests/oidc: {} ms",
        started.elapsed().as_millis()
    );
}

/// The packages a lock file pins (without the root project's own entry). npm keeps the
/// same map of what it installed in `node_modules/.package-lock.json`.
fn packages(lock_file: &Path) -> Option<Value> {
    let lock: Value = serde_json::from_slice(&std::fs::read(lock_file).ok()?).ok()?;
    let mut packages = lock.get("packages")?.as_object()?.clone();
    packages.remove("");
    Some(Value::Object(packages))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{DecodingKey, Validation};

    use super::*;

    fn keycloak_client() -> ProviderClient {
        ProviderClient::new("kc-script", "kc-secret").claims(json!({
            "realm_access": { "roles": ["samverkan-admin"] },
            "org": "socialforvaltningen",
            "districts": ["skarpnack", "farsta"],
        }))
    }

    fn entra_client() -> ProviderClient {
        ProviderClient::new("entra-app", "entra-secret")
            .claims(json!({ "roles": ["Samverkan.Editor"], "groups": ["g-uuid-1"] }))
            .override_claims(json!({ "sub": "service-principal-oid" }))
    }

    fn config() -> ProviderConfig {
        ProviderConfig {
            jwks_max_age: 123,
            ..ProviderConfig::default()
        }
        .client(keycloak_client())
        .client(entra_client())
    }

    /// The JWT's header and claims, unverified.
    fn parts(token: &str) -> (jsonwebtoken::Header, Value) {
        use base64::Engine;
        let header = jsonwebtoken::decode_header(token).expect("JWT header");
        let payload = token.split('.').nth(1).expect("JWT payload");
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url payload");
        (
            header,
            serde_json::from_slice(&claims).expect("JSON claims"),
        )
    }

    /// Verify `token` against the provider's current JWKS, with the audience and issuer.
    async fn verify(provider: &OidcProvider, token: &str) -> Value {
        let jwks: JwkSet = serde_json::from_value(provider.jwks().await).expect("JwkSet");
        let header = jsonwebtoken::decode_header(token).expect("JWT header");
        let kid = header.kid.expect("kid in the header");
        let jwk = jwks
            .find(&kid)
            .unwrap_or_else(|| panic!("kid {kid} not in the JWKS"));
        let key = DecodingKey::from_jwk(jwk).expect("decoding key");
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&["samverkan"]);
        validation.set_issuer(&[provider.issuer()]);
        jsonwebtoken::decode::<Value>(token, &key, &validation)
            .expect("signature and claims verify")
            .claims
    }

    #[tokio::test]
    async fn discovery_names_the_issuer_and_jwks_uri() {
        let provider = OidcProvider::start(config()).await;
        let discovery = provider.discovery().await;
        assert_eq!(discovery["issuer"], provider.issuer());
        assert_eq!(discovery["jwks_uri"], provider.jwks_uri());
        assert_eq!(discovery["token_endpoint"], provider.token_endpoint());
        assert!(
            discovery["grant_types_supported"]
                .as_array()
                .unwrap()
                .contains(&json!("client_credentials")),
            "{discovery}"
        );
        assert!(provider.issuer().starts_with("http://127.0.0.1:"));
    }

    #[tokio::test]
    async fn client_credentials_tokens_are_signed_jwts_with_the_clients_claims() {
        let provider = OidcProvider::start(config()).await;
        let kids = provider.kids().await;

        let started = Instant::now();
        let token = provider
            .client_credentials_token("kc-script", "kc-secret")
            .await;
        eprintln!("token fetched in {} ms", started.elapsed().as_millis());
        let (header, unverified) = parts(&token);
        assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert!(kids.contains(header.kid.as_ref().unwrap()), "{kids:?}");
        let claims = verify(&provider, &token).await;
        assert_eq!(claims, unverified);
        assert_eq!(claims["iss"], provider.issuer());
        assert_eq!(claims["aud"], "samverkan");
        assert_eq!(claims["sub"], "kc-script");
        assert_eq!(claims["client_id"], "kc-script");
        assert_eq!(claims["realm_access"]["roles"], json!(["samverkan-admin"]));
        assert_eq!(claims["org"], "socialforvaltningen");
        assert_eq!(claims["districts"], json!(["skarpnack", "farsta"]));
        let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
        assert_eq!(lifetime, 600);

        let token = provider
            .client_credentials_token("entra-app", "entra-secret")
            .await;
        let claims = verify(&provider, &token).await;
        assert_eq!(claims["roles"], json!(["Samverkan.Editor"]));
        assert_eq!(claims["groups"], json!(["g-uuid-1"]));
        assert_eq!(claims["sub"], "service-principal-oid");
        assert!(claims.get("realm_access").is_none(), "{claims}");

        // A wrong secret is refused by the provider.
        let (status, body) = provider.token_response("kc-script", "wrong").await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "invalid_client");
    }

    #[tokio::test]
    async fn es256_keys_sign_es256_tokens() {
        let provider = OidcProvider::start(ProviderConfig {
            alg: KeyAlg::Es256,
            ..config()
        })
        .await;
        let token = provider
            .client_credentials_token("kc-script", "kc-secret")
            .await;
        let (header, _) = parts(&token);
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        let claims = verify(&provider, &token).await;
        assert_eq!(claims["realm_access"]["roles"], json!(["samverkan-admin"]));
    }

    #[tokio::test]
    async fn jwks_uri_says_how_long_to_cache_the_keys() {
        let provider = OidcProvider::start(config()).await;
        let response = provider.http.get(provider.jwks_uri()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["cache-control"].to_str().unwrap(),
            "public, max-age=123"
        );
    }

    #[tokio::test]
    async fn keys_rotate_without_a_restart() {
        let provider = OidcProvider::start(config()).await;
        let first = provider.kids().await;
        assert_eq!(first.len(), 1);

        // Replaced: the new key signs, the old one is gone.
        let second = provider.rotate().await;
        assert_eq!(provider.kids().await, vec![second.clone()]);
        let token = provider
            .client_credentials_token("kc-script", "kc-secret")
            .await;
        assert_eq!(parts(&token).0.kid.as_deref(), Some(second.as_str()));
        verify(&provider, &token).await;

        // Rolling: a new ES256 key signs while the RS256 one stays published, then retires.
        let third = provider.rotate_with(KeyAlg::Es256, true).await;
        assert_eq!(provider.kids().await, vec![third.clone(), second.clone()]);
        let token = provider
            .client_credentials_token("entra-app", "entra-secret")
            .await;
        let (header, _) = parts(&token);
        assert_eq!(header.kid.as_deref(), Some(third.as_str()));
        assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
        verify(&provider, &token).await;
        provider.retire_previous_keys().await;
        assert_eq!(provider.kids().await, vec![third.clone()]);

        let all: HashSet<_> = [&first[0], &second, &third].into_iter().collect();
        assert_eq!(all.len(), 3, "every rotation makes a new kid");
    }

    #[tokio::test]
    async fn the_provider_stops_and_restarts_on_the_same_issuer() {
        let mut provider = OidcProvider::start(config()).await;
        let issuer = provider.issuer().to_owned();
        let kids = provider.kids().await;

        provider.stop().await;
        let down = provider.http.get(provider.jwks_uri()).send().await;
        assert!(down.is_err(), "a stopped provider answered: {down:?}");

        let port = provider.port();
        provider.restart(RestartKeys::Same).await;
        assert_eq!(provider.port(), port);
        assert_eq!(provider.issuer(), issuer);
        assert_eq!(provider.discovery().await["issuer"], issuer.as_str());
        assert_eq!(provider.kids().await, kids, "same keys after a restart");
        let token = provider
            .client_credentials_token("kc-script", "kc-secret")
            .await;
        assert_eq!(verify(&provider, &token).await["iss"], issuer.as_str());

        // A rotation survives a restart; a restart with new keys replaces them.
        let rotated = provider.rotate().await;
        provider.restart(RestartKeys::Same).await;
        assert_eq!(provider.kids().await, vec![rotated.clone()]);
        provider.restart(RestartKeys::New).await;
        let fresh = provider.kids().await;
        assert_eq!(fresh.len(), 1);
        assert_ne!(fresh[0], rotated);
        assert_eq!(provider.issuer(), issuer);
    }
}
