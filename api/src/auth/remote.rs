//! Keys from the identity provider: OpenID Connect discovery, the provider's JWKS, how
//! long it is kept, and rotation without a restart.
//!
//! - **Where**: `SAMVERKAN_OIDC_ISSUER` → `{issuer}/.well-known/openid-configuration`
//!   (OpenID Connect Discovery 1.0 §4; the document's `issuer` must be the configured one
//!   exactly, §4.3) → its `jwks_uri`; or `SAMVERKAN_JWT_JWKS_URL` directly. HTTPS only,
//!   except on a loopback address (a provider on the same machine).
//! - **How long**: as the JWKS response's `Cache-Control`/`Expires` say (RFC 9111 as a
//!   private cache, by `http-cache-semantics`), bounded by `SAMVERKAN_JWKS_MAX_AGE_SECS`;
//!   a response that gives no lifetime is kept `SAMVERKAN_JWKS_REFRESH_SECS`. A background
//!   task fetches the set again when it expires.
//! - **Rotation**: a token naming a `kid` the set does not hold makes the set be fetched
//!   again at once — at most once per `SAMVERKAN_JWKS_MIN_INTERVAL_SECS`, so a stream of
//!   forged kids cannot make the service hammer the provider. A new key at the provider
//!   is thus accepted on its first token; a key the provider removed stops being accepted
//!   when the set is next fetched.
//! - **Outage**: while the provider cannot be reached, the last good set keeps working
//!   and the fetch is retried every `SAMVERKAN_JWKS_MIN_INTERVAL_SECS`; `/readyz` says
//!   how old the set is and why it could not be renewed. Before any set was fetched,
//!   tokens are refused with `SERVICE_UNAVAILABLE` (HTTP 503) and `/readyz` is not ready.
//!
//! Keys that do not fit the pinned algorithm (`SAMVERKAN_JWT_ALGORITHM`), are for
//! encryption (`"use": "enc"`, Keycloak publishes one) or have no `kid` are left out of
//! the set, not refused: a provider publishes keys for many purposes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use http_cache_semantics::{CacheOptions, CachePolicy};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use super::keys;

/// The largest discovery document or JWKS read (a JWKS is a few kilobytes).
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// Where the keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// An OpenID Connect issuer: discovery names the JWKS.
    Issuer(String),
    /// A JWKS URL.
    JwksUrl(String),
}

/// How often the keys are fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// How long a set is kept when the provider's response gives no lifetime.
    pub default_ttl: Duration,
    /// The longest a set is kept, whatever the provider says.
    pub max_ttl: Duration,
    /// The least time between two fetches (an unknown `kid`, a retry after a failure).
    pub min_interval: Duration,
    /// How long one HTTP request to the provider may take.
    pub timeout: Duration,
}

/// A fetched key set.
struct KeySet {
    keys: BTreeMap<String, Arc<DecodingKey>>,
    jwks_uri: String,
    fetched: SystemTime,
    fetched_at: Instant,
    ttl: Duration,
}

/// What went wrong last, and when.
#[derive(Default)]
struct Health {
    last_error: Option<String>,
    failed_since: Option<SystemTime>,
}

/// What `/readyz` and the logs say of the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    /// The issuer or JWKS URL configured.
    pub source: String,
    /// How many keys the set holds (0: none fetched yet).
    pub keys: usize,
    /// How long ago the set was fetched; `None` before the first fetch.
    pub age: Option<Duration>,
    /// Whether the set is older than its lifetime (the provider has not answered since).
    pub stale: bool,
    /// Why the last fetch failed, when it did.
    pub last_error: Option<String>,
}

/// The answer to "which key verifies this token?".
pub enum Lookup {
    /// This one.
    Key(Arc<DecodingKey>),
    /// The set holds no key of this `kid`.
    UnknownKid,
    /// The token names no `kid` and the set holds several keys.
    Ambiguous,
    /// No set has been fetched yet.
    NoKeys,
}

/// The provider's keys, kept fresh in the background.
pub struct RemoteKeys {
    source: KeySource,
    algorithm: Algorithm,
    policy: RefreshPolicy,
    client: reqwest::Client,
    current: RwLock<Option<Arc<KeySet>>>,
    /// Held while fetching (one fetch at a time); the time of the last attempt.
    fetching: tokio::sync::Mutex<Option<Instant>>,
    health: Mutex<Health>,
}

impl std::fmt::Debug for RemoteKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteKeys")
            .field("source", &self.source)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

/// Why a fetch is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// The set expired (or none was fetched yet): always fetch.
    Scheduled,
    /// A token named an unknown kid: fetch unless one was made less than
    /// `min_interval` ago.
    UnknownKid,
}

impl RemoteKeys {
    /// Keys from `source` for `algorithm`. Nothing is fetched until [`RemoteKeys::start`].
    pub fn new(
        source: KeySource,
        algorithm: Algorithm,
        policy: RefreshPolicy,
    ) -> anyhow::Result<Arc<Self>> {
        let url = match &source {
            KeySource::Issuer(url) | KeySource::JwksUrl(url) => url,
        };
        check_url(url)?;
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .user_agent(concat!("samverkan/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the HTTP client for the identity provider")?;
        Ok(Arc::new(Self {
            source,
            algorithm,
            policy,
            client,
            current: RwLock::new(None),
            fetching: tokio::sync::Mutex::new(None),
            health: Mutex::new(Health::default()),
        }))
    }

    /// Fetch the keys now (waiting at most the HTTP timeout), then keep them fresh in a
    /// background task that ends when the last handle to these keys is dropped. A first
    /// fetch that fails is logged and retried; it does not stop the service.
    pub async fn start(self: &Arc<Self>) {
        self.refresh(Reason::Scheduled).await;
        let weak: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let Some(wait) = weak.upgrade().map(|keys| keys.next_refresh()) else {
                    return;
                };
                tokio::time::sleep(wait).await;
                let Some(keys) = weak.upgrade() else {
                    return;
                };
                keys.refresh(Reason::Scheduled).await;
            }
        });
    }

    /// The issuer whose tokens these keys verify (`None` for a bare JWKS URL).
    pub fn issuer(&self) -> Option<&str> {
        match &self.source {
            KeySource::Issuer(issuer) => Some(issuer),
            KeySource::JwksUrl(_) => None,
        }
    }

    /// The key a token whose header names `kid` verifies with, fetching the set again
    /// (rate-limited) when the kid is unknown or no set was fetched yet.
    pub async fn key(&self, kid: Option<&str>) -> Lookup {
        match self.lookup(kid) {
            Lookup::UnknownKid | Lookup::NoKeys => {
                self.refresh(Reason::UnknownKid).await;
                self.lookup(kid)
            }
            found => found,
        }
    }

    /// The key of `kid` in the current set, without fetching.
    fn lookup(&self, kid: Option<&str>) -> Lookup {
        let Some(set) = self.snapshot() else {
            return Lookup::NoKeys;
        };
        match kid {
            Some(kid) => set
                .keys
                .get(kid)
                .map_or(Lookup::UnknownKid, |k| Lookup::Key(Arc::clone(k))),
            None => match (set.keys.len(), set.keys.values().next()) {
                (1, Some(only)) => Lookup::Key(Arc::clone(only)),
                _ => Lookup::Ambiguous,
            },
        }
    }

    fn snapshot(&self) -> Option<Arc<KeySet>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// What the keys are now, for `/readyz` and the logs.
    pub fn status(&self) -> KeyStatus {
        let set = self.snapshot();
        let health = self.health.lock().unwrap_or_else(PoisonError::into_inner);
        let source = match &self.source {
            KeySource::Issuer(url) | KeySource::JwksUrl(url) => url.clone(),
        };
        KeyStatus {
            source,
            keys: set.as_ref().map_or(0, |s| s.keys.len()),
            age: set.as_ref().map(|s| s.fetched_at.elapsed()),
            stale: set
                .as_ref()
                .is_some_and(|s| s.fetched_at.elapsed() > s.ttl + self.policy.min_interval),
            last_error: health.last_error.clone(),
        }
    }

    /// When a caller refused for want of keys may try again: the next scheduled fetch.
    pub fn retry_after(&self) -> Duration {
        self.next_refresh()
    }

    /// How long until the next scheduled fetch: when the set expires, or after
    /// `min_interval` while there is none or the last fetch failed.
    fn next_refresh(&self) -> Duration {
        let failing = self
            .health
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last_error
            .is_some();
        match self.snapshot() {
            Some(set) if !failing => set
                .ttl
                .saturating_sub(set.fetched_at.elapsed())
                .max(self.policy.min_interval),
            _ => self.policy.min_interval,
        }
    }

    /// Fetch the set, unless `reason` is an unknown kid and a fetch was made less than
    /// `min_interval` ago. Failures are logged and kept for [`RemoteKeys::status`]; the
    /// last good set stays.
    async fn refresh(&self, reason: Reason) {
        let mut last = self.fetching.lock().await;
        if reason == Reason::UnknownKid
            && last.is_some_and(|at| at.elapsed() < self.policy.min_interval)
        {
            return;
        }
        *last = Some(Instant::now());
        let result = self.fetch().await;
        let mut health = self.health.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(set) => {
                let previous = self.snapshot();
                let changed = previous.as_ref().is_none_or(|p| {
                    !p.keys.keys().eq(set.keys.keys()) || p.jwks_uri != set.jwks_uri
                });
                if changed {
                    tracing::info!(
                        jwks_uri = %set.jwks_uri,
                        kids = ?set.keys.keys().collect::<Vec<_>>(),
                        ttl_secs = set.ttl.as_secs(),
                        "fetched the identity provider's signing keys"
                    );
                }
                if let Some(since) = health.failed_since.take() {
                    tracing::info!(
                        failing_secs = since.elapsed().map_or(0, |d| d.as_secs()),
                        "the identity provider answers again"
                    );
                }
                health.last_error = None;
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(set));
            }
            Err(err) => {
                let message = format!("{err:#}");
                match self.snapshot() {
                    Some(set) => tracing::warn!(
                        error = %message,
                        keys_age_secs = set.fetched_at.elapsed().as_secs(),
                        ?reason,
                        "cannot fetch the identity provider's signing keys; the last good keys stay in use"
                    ),
                    None => tracing::warn!(
                        error = %message,
                        ?reason,
                        "cannot fetch the identity provider's signing keys, and none were fetched before: tokens are answered 503 until they are"
                    ),
                }
                health.failed_since.get_or_insert_with(SystemTime::now);
                health.last_error = Some(message);
            }
        }
    }

    /// Discovery (for an issuer), then the JWKS.
    async fn fetch(&self) -> anyhow::Result<KeySet> {
        let jwks_uri = match &self.source {
            KeySource::JwksUrl(url) => url.clone(),
            KeySource::Issuer(issuer) => self.discover(issuer).await?,
        };
        let request = self
            .client
            .get(&jwks_uri)
            .header(
                reqwest::header::ACCEPT,
                "application/jwk-set+json, application/json",
            )
            .build()
            .with_context(|| format!("invalid jwks_uri {jwks_uri}"))?;
        let sent = SystemTime::now();
        let response = self
            .client
            .execute(
                request
                    .try_clone()
                    .context("cannot repeat the JWKS request")?,
            )
            .await
            .with_context(|| format!("GET {jwks_uri}"))?;
        let status = response.status();
        if !status.is_success() {
            anyhow::bail!("GET {jwks_uri} answered {status}");
        }
        let policy = CachePolicy::new_options(
            &request,
            &response,
            sent,
            CacheOptions {
                shared: false,
                ..CacheOptions::default()
            },
        );
        let ttl = match policy.time_to_live(SystemTime::now()) {
            ttl if ttl.is_zero() => self.policy.default_ttl,
            ttl => ttl,
        }
        .clamp(self.policy.min_interval, self.policy.max_ttl);
        let body = read_limited(response).await?;
        let text = std::str::from_utf8(&body).context("the JWKS is not UTF-8")?;
        let found = keys::usable_jwks_keys(text, self.algorithm)
            .with_context(|| format!("the JWKS of {jwks_uri}"))?;
        if found.is_empty() {
            anyhow::bail!(
                "the JWKS of {jwks_uri} holds no signing key for {:?} with a kid",
                self.algorithm
            );
        }
        Ok(KeySet {
            keys: found.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
            jwks_uri,
            fetched: SystemTime::now(),
            fetched_at: Instant::now(),
            ttl,
        })
    }

    /// The `jwks_uri` of `issuer`'s discovery document, checked per OpenID Connect
    /// Discovery §4.3 (its `issuer` is the configured one, exactly).
    async fn discover(&self, issuer: &str) -> anyhow::Result<String> {
        #[derive(Deserialize)]
        struct Metadata {
            issuer: String,
            jwks_uri: String,
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let response = self
            .client
            .get(&url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = response.status();
        if !status.is_success() {
            anyhow::bail!("GET {url} answered {status}");
        }
        let body = read_limited(response).await?;
        let metadata: Metadata = serde_json::from_slice(&body).with_context(|| {
            format!("{url} is not an OpenID Provider Configuration (issuer, jwks_uri)")
        })?;
        if metadata.issuer != issuer {
            anyhow::bail!(
                "{url} names the issuer {:?}, not SAMVERKAN_OIDC_ISSUER {issuer:?} \
                 (OpenID Connect Discovery 1.0, §4.3: they must be identical)",
                metadata.issuer
            );
        }
        check_url(&metadata.jwks_uri).context("its jwks_uri")?;
        Ok(metadata.jwks_uri)
    }

    /// When the current set was fetched (for logs and tests).
    pub fn fetched(&self) -> Option<SystemTime> {
        self.snapshot().map(|s| s.fetched)
    }
}

/// A provider URL must be HTTPS, or HTTP on a loopback address.
fn check_url(text: &str) -> anyhow::Result<()> {
    let url = reqwest::Url::parse(text).with_context(|| format!("{text:?} is not a URL"))?;
    let loopback = url.host_str().is_some_and(|host| {
        host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => {
            anyhow::bail!("{text} must be an https:// URL (plain http only on a loopback address)")
        }
    }
}

/// The body of `response`, refused beyond [`MAX_DOCUMENT_BYTES`].
async fn read_limited(mut response: reqwest::Response) -> anyhow::Result<Vec<u8>> {
    let url = response.url().to_string();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .with_context(|| format!("reading {url}"))?
    {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            anyhow::bail!("{url} is larger than {MAX_DOCUMENT_BYTES} bytes");
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_urls_are_https_or_loopback() {
        for ok in [
            "https://login.microsoftonline.com/t/v2.0",
            "http://127.0.0.1:8080/realms/city",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in ["http://idp.example.org", "ftp://127.0.0.1/x", "not a url"] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}
