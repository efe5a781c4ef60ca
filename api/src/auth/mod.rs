//! Bearer tokens (JWT).
//!
//! Every GraphQL request carries `Authorization: Bearer <jwt>`. The token's claims say
//! who the caller is: `sub` (a person or a script), `org` (the slug of the organization
//! they act for), `roles`, and optionally `districts` (slugs, for district
//! coordinators) and `municipalities` (slugs, for municipality admins). `iss`, `aud` and `exp` are required and checked; the algorithm is pinned
//! by configuration and never taken from the token.
//!
//! Keys: HS256 with a shared secret (development, single node), or RS256/ES256 with
//! public keys from a PEM file and/or a JWKS file ([`keys`]), and/or the keys of the
//! city's OpenID Connect provider, found by discovery and kept fresh ([`remote`]).
//! Public keys are named by a `kid`; a token names its key in its header, so several
//! keys can be valid at once and keys can rotate. Only `samverkan token` needs the
//! private key.
//!
//! Claims: where the caller's parts are read is configurable ([`claims`]), so a token
//! from Entra ID or Keycloak is read as its provider writes it.
//!
//! A request without a token, or with a token that fails any check, is answered with
//! HTTP 401 and `extensions.code = UNAUTHENTICATED`: a bad token is never silently
//! treated as anonymous. A token that cannot be checked because the provider's keys
//! were never fetched is answered HTTP 503 `SERVICE_UNAVAILABLE`.
//!
//! A token that passed every check is kept until it expires ([`verified`]): its later
//! requests skip the signature and claims, while `exp` and its key are checked each time.

pub mod claims;
mod keys;
pub mod remote;
mod verified;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::config::{JwtAlgorithm, Settings};
use crate::error::AppError;
pub use claims::{ClaimMapping, ClaimPath, RoleMap};
use keys::{
    insert_key, load_existing_secret, load_or_create_secret, load_private_key, parse_jwks,
    parse_pem_keys,
};
pub use remote::{KeySource, KeyStatus, Lookup, RefreshPolicy, RemoteKeys};
use verified::{Verified, VerifiedTokens};

/// A role a token may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Reads everything but the audit log; changes nothing. Also used by service tokens.
    Viewer,
    /// An agency's liaison: edits its own organization's commitments and participations
    /// and the follow-ups of activities its organization is responsible for.
    OrgEditor,
    /// A district administration's prevention coordinator: runs its districts' plans,
    /// areas and groups.
    DistrictCoordinator,
    /// A municipality's administrator: what `ADMIN` may, within the municipalities its
    /// token's `municipalities` claim names (their districts, the organizations working
    /// there, their plans, strategies and obligations).
    MunicipalityAdmin,
    /// National administrator, for the few who need it: everything, in every
    /// municipality, including the national catalogue (methods, indicators).
    Admin,
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().replace('-', "_").as_str() {
            "VIEWER" => Ok(Self::Viewer),
            "ORG_EDITOR" => Ok(Self::OrgEditor),
            "DISTRICT_COORDINATOR" => Ok(Self::DistrictCoordinator),
            "MUNICIPALITY_ADMIN" => Ok(Self::MunicipalityAdmin),
            "ADMIN" => Ok(Self::Admin),
            other => Err(format!(
                "unknown role {other}: use VIEWER, ORG_EDITOR, DISTRICT_COORDINATOR, \
                 MUNICIPALITY_ADMIN or ADMIN"
            )),
        }
    }
}

/// The claims of a Samverkan token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Who: a person's or a script's stable identifier.
    pub sub: String,
    /// The slug of the organization the caller acts for.
    pub org: String,
    /// What the caller may do.
    pub roles: Vec<Role>,
    /// District slugs a coordinator is responsible for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub districts: Option<Vec<String>>,
    /// Municipality slugs a municipality admin administers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipalities: Option<Vec<String>>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Issued at (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Not before (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
}

/// The authenticated caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's `sub`.
    pub sub: String,
    /// The token's `org` (an organization slug).
    pub org: String,
    /// The token's roles.
    pub roles: Vec<Role>,
    /// The token's districts (slugs); empty when the token names none.
    pub districts: Vec<String>,
    /// The token's municipalities (slugs); empty when the token names none.
    pub municipalities: Vec<String>,
    /// The token's groups at the provider, when `SAMVERKAN_CLAIM_GROUPS` is set; an
    /// empty `org` is resolved from them (`services::provider_groups`).
    pub groups: Vec<String>,
}

impl Caller {
    /// Whether the caller has `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The keys a token may be verified with.
#[derive(Clone)]
enum VerifyingKeys {
    /// HS256: the one shared secret. A token's `kid` is not consulted.
    Secret(Arc<DecodingKey>),
    /// RS256/ES256: public keys by their `kid`, from files (`fixed`) and from the
    /// identity provider (`remote`); at least one of the two.
    ByKid {
        fixed: BTreeMap<String, Arc<DecodingKey>>,
        remote: Option<Arc<RemoteKeys>>,
    },
}

/// Signing and verification keys with the pinned algorithm and expected claims.
///
/// - **HS256**: one shared secret signs and verifies.
/// - **RS256/ES256**: public keys, each named by a `kid`, verify; a token picks its key
///   with the `kid` in its header (required when more than one key is configured, so
///   that keys can rotate). The private key, when configured, only signs (it is what
///   `samverkan token` uses).
///
/// Whatever the token's header says, only the configured algorithm is accepted.
#[derive(Clone)]
pub struct JwtKeys {
    algorithm: Algorithm,
    verifying: VerifyingKeys,
    signing: Option<EncodingKey>,
    kid: Option<String>,
    issuer: String,
    audience: String,
    claims: ClaimMapping,
    /// Tokens that passed [`JwtKeys::verify_expiring`]'s full check ([`verified`]).
    verified: Arc<VerifiedTokens>,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kids, remote): (Vec<&str>, _) = match &self.verifying {
            VerifyingKeys::Secret(_) => (Vec::new(), None),
            VerifyingKeys::ByKid { fixed, remote } => {
                (fixed.keys().map(String::as_str).collect(), remote.as_ref())
            }
        };
        f.debug_struct("JwtKeys")
            .field("algorithm", &self.algorithm)
            .field("kids", &kids)
            .field("remote", &remote)
            .field("can_sign", &self.signing.is_some())
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// Clock skew allowed when `exp` and `nbf` are checked, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// Shortest secret accepted for HS256.
const MIN_SECRET_LEN: usize = 32;

impl JwtKeys {
    /// HS256 keys from a shared secret.
    pub fn hs256(
        secret: &SecretString,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> anyhow::Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        if bytes.len() < MIN_SECRET_LEN {
            anyhow::bail!("SAMVERKAN_JWT_SECRET must be at least {MIN_SECRET_LEN} bytes long");
        }
        Ok(Self {
            algorithm: Algorithm::HS256,
            verifying: VerifyingKeys::Secret(Arc::new(DecodingKey::from_secret(bytes))),
            signing: Some(EncodingKey::from_secret(bytes)),
            kid: None,
            issuer: issuer.into(),
            audience: audience.into(),
            claims: ClaimMapping::default(),
            verified: Arc::default(),
        })
    }

    /// The keys the settings ask for.
    ///
    /// HS256: the configured secret, or on SQLite the secret kept beside the database
    /// file (generated on first use). RS256/ES256: the public keys of
    /// `SAMVERKAN_JWT_PUBLIC_KEYS` and `SAMVERKAN_JWT_JWKS`, and the private key of
    /// `SAMVERKAN_JWT_PRIVATE_KEY` if set (checked: a token it signs must verify).
    ///
    /// With `SAMVERKAN_OIDC_ISSUER` or `SAMVERKAN_JWT_JWKS_URL`, the provider's keys are
    /// added (none is fetched until [`JwtKeys::start`]). The claims are read where the
    /// `SAMVERKAN_CLAIM_*` settings say, roles mapped by `SAMVERKAN_ROLE_MAP`.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let keys = match settings.jwt_algorithm {
            JwtAlgorithm::Hs256 => Self::hs256_from_settings(settings, true),
            JwtAlgorithm::Rs256 => Self::public_keys_from_settings(settings, Algorithm::RS256),
            JwtAlgorithm::Es256 => Self::public_keys_from_settings(settings, Algorithm::ES256),
        }?;
        Ok(Self {
            claims: claim_mapping(settings)?,
            ..keys
        })
    }

    /// Fetch the identity provider's keys (when configured) and keep them fresh; see
    /// [`RemoteKeys::start`].
    pub async fn start(&self) {
        if let VerifyingKeys::ByKid {
            remote: Some(remote),
            ..
        } = &self.verifying
        {
            remote.start().await;
        }
    }

    /// When a token refused because no key was fetched yet may be sent again (the next
    /// fetch from the identity provider); `None` without a provider.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match &self.verifying {
            VerifyingKeys::ByKid {
                remote: Some(remote),
                ..
            } => Some(remote.retry_after()),
            _ => None,
        }
    }

    /// The identity provider's keys, when configured: for `/readyz`.
    pub fn remote_status(&self) -> Option<KeyStatus> {
        match &self.verifying {
            VerifyingKeys::ByKid {
                remote: Some(remote),
                ..
            } => Some(remote.status()),
            _ => None,
        }
    }

    /// The keys the settings ask for, as [`JwtKeys::from_settings`] finds them, but
    /// never generating a secret: for `samverkan token`, which must sign with the
    /// server's secret or not at all. On SQLite without `SAMVERKAN_JWT_SECRET`, a missing
    /// secret file is an error that names where it was looked for and how to point the
    /// command at the server's database.
    pub fn from_existing_settings(settings: &Settings) -> anyhow::Result<Self> {
        match settings.jwt_algorithm {
            JwtAlgorithm::Hs256 => Self::hs256_from_settings(settings, false),
            _ => Self::from_settings(settings),
        }
    }

    fn hs256_from_settings(settings: &Settings, may_create: bool) -> anyhow::Result<Self> {
        let only_public = [
            (
                "SAMVERKAN_JWT_PUBLIC_KEYS",
                settings.jwt_public_keys.is_some(),
            ),
            ("SAMVERKAN_JWT_JWKS", settings.jwt_jwks.is_some()),
            (
                "SAMVERKAN_JWT_PRIVATE_KEY",
                settings.jwt_private_key.is_some(),
            ),
            ("SAMVERKAN_JWT_KID", settings.jwt_kid.is_some()),
            (
                "SAMVERKAN_OIDC_ISSUER",
                settings.identity.oidc_issuer.is_some(),
            ),
            (
                "SAMVERKAN_JWT_JWKS_URL",
                settings.identity.jwks_url.is_some(),
            ),
        ];
        if let Some((name, _)) = only_public.iter().find(|(_, set)| *set) {
            anyhow::bail!(
                "{name} is set, but SAMVERKAN_JWT_ALGORITHM is HS256: it is used only with \
                 RS256 or ES256 (HS256 uses SAMVERKAN_JWT_SECRET)"
            );
        }
        let secret = match (&settings.jwt_secret, settings.sqlite_secret_path()) {
            (Some(secret), _) => secret.clone(),
            (None, Some(path)) if may_create => load_or_create_secret(&path)?,
            (None, Some(path)) => load_existing_secret(&path, &settings.database_url)?,
            (None, None) => anyhow::bail!(
                "SAMVERKAN_JWT_SECRET is required unless the database is an SQLite file \
                 (or use SAMVERKAN_JWT_ALGORITHM=RS256 or ES256 with public keys)"
            ),
        };
        Self::hs256(&secret, &settings.jwt_issuer, &settings.jwt_audience)
    }

    fn public_keys_from_settings(
        settings: &Settings,
        algorithm: Algorithm,
    ) -> anyhow::Result<Self> {
        let name = settings.jwt_algorithm;
        if settings.jwt_secret.is_some() {
            tracing::warn!("SAMVERKAN_JWT_SECRET is set but not used: tokens are {name}");
        }
        let mut keys = BTreeMap::new();
        if let Some(path) = &settings.jwt_public_keys {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read SAMVERKAN_JWT_PUBLIC_KEYS {}", path.display())
            })?;
            let found = parse_pem_keys(&text, algorithm)
                .with_context(|| format!("SAMVERKAN_JWT_PUBLIC_KEYS {}", path.display()))?;
            for (kid, key) in found {
                insert_key(&mut keys, kid, key)?;
            }
        }
        if let Some(path) = &settings.jwt_jwks {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read SAMVERKAN_JWT_JWKS {}", path.display()))?;
            let found = parse_jwks(&text, algorithm)
                .with_context(|| format!("SAMVERKAN_JWT_JWKS {}", path.display()))?;
            for (kid, key) in found {
                insert_key(&mut keys, kid, key)?;
            }
        }
        let identity = &settings.identity;
        let source = match (&identity.oidc_issuer, &identity.jwks_url) {
            (Some(_), Some(_)) => anyhow::bail!(
                "set SAMVERKAN_OIDC_ISSUER or SAMVERKAN_JWT_JWKS_URL, not both (the issuer's \
                 discovery document names its JWKS)"
            ),
            (Some(issuer), None) => Some(KeySource::Issuer(issuer.clone())),
            (None, Some(url)) => Some(KeySource::JwksUrl(url.clone())),
            (None, None) => None,
        };
        let remote = source
            .map(|source| {
                RemoteKeys::new(
                    source,
                    algorithm,
                    RefreshPolicy {
                        default_ttl: Duration::from_secs(identity.jwks_refresh_secs),
                        max_ttl: Duration::from_secs(identity.jwks_max_age_secs),
                        min_interval: Duration::from_secs(identity.jwks_min_interval_secs),
                        timeout: Duration::from_secs(10),
                    },
                )
            })
            .transpose()
            .context("SAMVERKAN_OIDC_ISSUER / SAMVERKAN_JWT_JWKS_URL")?;
        if keys.is_empty() && remote.is_none() {
            anyhow::bail!(
                "SAMVERKAN_JWT_ALGORITHM={name} needs public keys: set SAMVERKAN_OIDC_ISSUER \
                 (the city's OpenID Connect provider), SAMVERKAN_JWT_JWKS_URL, \
                 SAMVERKAN_JWT_PUBLIC_KEYS (a PEM file) or SAMVERKAN_JWT_JWKS (a JWKS file)"
            );
        }
        let issuer = remote
            .as_ref()
            .and_then(|r| r.issuer())
            .unwrap_or(&settings.jwt_issuer)
            .to_owned();
        let signing = settings
            .jwt_private_key
            .as_deref()
            .map(|path| load_private_key(path, algorithm))
            .transpose()?;
        let keys = Self {
            algorithm,
            verifying: VerifyingKeys::ByKid {
                fixed: keys
                    .into_iter()
                    .map(|(kid, key)| (kid, Arc::new(key)))
                    .collect(),
                remote,
            },
            signing,
            kid: settings.jwt_kid.clone(),
            issuer,
            audience: settings.jwt_audience.clone(),
            claims: ClaimMapping::default(),
            verified: Arc::default(),
        };
        if keys.signing.is_some() {
            keys.check_signing_key()?;
        }
        Ok(keys)
    }

    /// Sign a probe token and verify it: a private key that does not match the public
    /// key its kid names would mint tokens the server refuses.
    fn check_signing_key(&self) -> anyhow::Result<()> {
        let probe = self
            .mint(
                "samverkan-key-check",
                "samverkan",
                vec![Role::Viewer],
                None,
                Duration::from_secs(60),
            )
            .context("cannot sign with SAMVERKAN_JWT_PRIVATE_KEY")?;
        let key = match (&self.verifying, &self.kid) {
            (VerifyingKeys::ByKid { fixed, .. }, Some(kid)) => fixed.get(kid).cloned(),
            (VerifyingKeys::ByKid { fixed, .. }, None) if fixed.len() == 1 => {
                fixed.values().next().cloned()
            }
            (VerifyingKeys::Secret(key), _) => Some(Arc::clone(key)),
            _ => None,
        }
        .ok_or_else(|| {
            AppError::Unauthenticated("invalid token: its kid names no known key".into())
        });
        key.and_then(|key| self.check(&probe, &key))
            .map_err(|err| {
                anyhow::anyhow!(
                    "a token signed with SAMVERKAN_JWT_PRIVATE_KEY would be refused ({err}): \
                 SAMVERKAN_JWT_KID must name the public key of this private key{}",
                    match &self.kid {
                        Some(kid) => format!(" (it is {kid:?})"),
                        None => " (it is not set)".to_owned(),
                    }
                )
            })?;
        Ok(())
    }

    /// The key a token with header `kid` must verify with: a file's key by its kid,
    /// else the provider's (fetched again when the kid is unknown, rate-limited).
    async fn key_for(&self, kid: Option<&str>) -> Result<Arc<DecodingKey>, AppError> {
        let unknown =
            || AppError::Unauthenticated("invalid token: its kid names no known key".into());
        let ambiguous = || {
            AppError::Unauthenticated(
                "invalid token: it names no key (kid) and this server has several".into(),
            )
        };
        let (fixed, remote) = match &self.verifying {
            VerifyingKeys::Secret(key) => return Ok(Arc::clone(key)),
            VerifyingKeys::ByKid { fixed, remote } => (fixed, remote),
        };
        if let Some(key) = kid.and_then(|kid| fixed.get(kid)) {
            return Ok(Arc::clone(key));
        }
        let Some(remote) = remote else {
            return match (kid, fixed.len(), fixed.values().next()) {
                (Some(_), _, _) => Err(unknown()),
                (None, 1, Some(only)) => Ok(Arc::clone(only)),
                (None, _, _) => Err(ambiguous()),
            };
        };
        if kid.is_none() && !fixed.is_empty() {
            return Err(ambiguous());
        }
        match remote.key(kid).await {
            Lookup::Key(key) => Ok(key),
            Lookup::UnknownKid => Err(unknown()),
            Lookup::Ambiguous => Err(ambiguous()),
            Lookup::NoKeys => Err(AppError::Unavailable(
                "the identity provider's signing keys could not be fetched yet: retry later".into(),
            )),
        }
    }

    /// Check a token and return its caller.
    pub async fn verify(&self, token: &str) -> Result<Caller, AppError> {
        self.verify_expiring(token).await.map(|(caller, _)| caller)
    }

    /// Check a token and return its caller and its expiry (`exp`, seconds since the
    /// epoch): a WebSocket connection ends then.
    pub async fn verify_expiring(&self, token: &str) -> Result<(Caller, u64), AppError> {
        // A token verified before, unexpired, whose kid still names the key that
        // verified it: what the check found then ([`verified`]).
        if let Some(kept) =
            self.verified
                .get(token, jsonwebtoken::get_current_timestamp(), LEEWAY_SECONDS)
        {
            match self.key_for(kept.kid.as_deref()).await {
                Ok(key) if Arc::ptr_eq(&key, &kept.key) => return Ok((kept.caller, kept.exp)),
                _ => self.verified.remove(token),
            }
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| AppError::Unauthenticated("invalid token: it is malformed".into()))?;
        if header.alg != self.algorithm {
            return Err(AppError::Unauthenticated(format!(
                "invalid token: this server accepts only {:?} tokens",
                self.algorithm
            )));
        }
        let key = self.key_for(header.kid.as_deref()).await?;
        let (caller, exp) = self.check(token, &key)?;
        self.verified.insert(
            token,
            Verified {
                caller: caller.clone(),
                exp,
                kid: header.kid,
                key,
            },
        );
        Ok((caller, exp))
    }

    /// Check a token's signature, algorithm and registered claims with `key`, then read
    /// its caller where [`ClaimMapping`] says.
    fn check(&self, token: &str, key: &DecodingKey) -> Result<(Caller, u64), AppError> {
        let mut validation = Validation::new(self.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let data =
            jsonwebtoken::decode::<serde_json::Value>(token, key, &validation).map_err(|err| {
                AppError::Unauthenticated(format!("invalid token: {}", describe(&err)))
            })?;
        let exp = data
            .claims
            .get("exp")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| {
                AppError::Unauthenticated("invalid token: its exp claim is malformed".into())
            })?;
        let caller = self
            .claims
            .map(&data.claims)
            .map_err(|why| AppError::Unauthenticated(format!("invalid token: {why}")))?;
        Ok((caller, exp))
    }

    /// Sign a token for `sub` acting for `org` with `roles`, valid for `ttl`.
    ///
    /// RS256/ES256 need the private key (`SAMVERKAN_JWT_PRIVATE_KEY`); the header
    /// carries `SAMVERKAN_JWT_KID` when it is set.
    pub fn mint(
        &self,
        sub: &str,
        org: &str,
        roles: Vec<Role>,
        districts: Option<Vec<String>>,
        ttl: Duration,
    ) -> anyhow::Result<String> {
        self.mint_scoped(sub, org, roles, districts, None, ttl)
    }

    /// Sign a token as [`JwtKeys::mint`] does, naming also the `municipalities` (slugs)
    /// a `MUNICIPALITY_ADMIN` administers.
    pub fn mint_scoped(
        &self,
        sub: &str,
        org: &str,
        roles: Vec<Role>,
        districts: Option<Vec<String>>,
        municipalities: Option<Vec<String>>,
        ttl: Duration,
    ) -> anyhow::Result<String> {
        let Some(encoding) = &self.signing else {
            anyhow::bail!(
                "cannot mint {:?} tokens without the private key: set \
                 SAMVERKAN_JWT_PRIVATE_KEY (and SAMVERKAN_JWT_KID to the kid of its public key)",
                self.algorithm
            );
        };
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: sub.to_owned(),
            org: org.to_owned(),
            roles,
            districts,
            municipalities,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + ttl.as_secs(),
            iat: Some(now),
            nbf: None,
        };
        let mut header = Header::new(self.algorithm);
        header.kid = self.kid.clone();
        Ok(jsonwebtoken::encode(&header, &claims, encoding)?)
    }
}

/// The claim mapping the settings ask for (`SAMVERKAN_CLAIM_*`, `SAMVERKAN_ROLE_MAP`).
fn claim_mapping(settings: &Settings) -> anyhow::Result<ClaimMapping> {
    let identity = &settings.identity;
    let path = |name: &str, value: &str| {
        ClaimPath::parse(value).map_err(|err| anyhow::anyhow!("{name}: {err}"))
    };
    Ok(ClaimMapping {
        subject: path("SAMVERKAN_CLAIM_SUBJECT", &identity.claim_subject)?,
        organization: path("SAMVERKAN_CLAIM_ORGANIZATION", &identity.claim_organization)?,
        roles: path("SAMVERKAN_CLAIM_ROLES", &identity.claim_roles)?,
        districts: path("SAMVERKAN_CLAIM_DISTRICTS", &identity.claim_districts)?,
        municipalities: path(
            "SAMVERKAN_CLAIM_MUNICIPALITIES",
            &identity.claim_municipalities,
        )?,
        groups: identity
            .claim_groups
            .as_deref()
            .map(|g| path("SAMVERKAN_CLAIM_GROUPS", g))
            .transpose()?,
        role_map: identity
            .role_map
            .as_deref()
            .map(RoleMap::parse)
            .transpose()
            .map_err(anyhow::Error::msg)?
            .unwrap_or_default(),
    })
}

/// Why a token failed, in words that never repeat the token's content.
fn describe(err: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match err.kind() {
        ErrorKind::ExpiredSignature => "it has expired".into(),
        ErrorKind::ImmatureSignature => "it is not valid yet (nbf)".into(),
        ErrorKind::InvalidIssuer => "it is from another issuer (iss)".into(),
        ErrorKind::InvalidAudience => "it is for another audience (aud)".into(),
        ErrorKind::InvalidSignature => "its signature does not verify".into(),
        ErrorKind::InvalidAlgorithm => {
            "it is not signed with the algorithm this server accepts".into()
        }
        ErrorKind::MissingRequiredClaim(claim) => format!("it lacks the {claim} claim"),
        ErrorKind::InvalidClaimFormat(claim) => format!("its {claim} claim is malformed"),
        ErrorKind::InvalidToken
        | ErrorKind::Base64(_)
        | ErrorKind::Json(_)
        | ErrorKind::Utf8(_) => "it is malformed".into(),
        _ => "it cannot be verified with this server's keys".into(),
    }
}

/// Parse a duration such as `30d`, `12h`, `15m` or `3600s` (a bare number is seconds).
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: use e.g. 30d, 12h, 15m"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("invalid unit in {text:?}: use s, m, h or d")),
    };
    if secs == 0 {
        return Err("a token must live longer than 0 seconds".into());
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::hs256(
            &SecretString::from("0123456789abcdef0123456789abcdef".to_string()),
            "samverkan",
            "samverkan",
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A token for Anna of `lpo-farsta`, an editor, valid for a minute.
    fn anna_token(k: &JwtKeys) -> String {
        k.mint(
            "anna",
            "lpo-farsta",
            vec![Role::OrgEditor],
            None,
            Duration::from_secs(60),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn minted_token_verifies() {
        let k = keys();
        let token = anna_token(&k);
        let caller = k.verify(&token).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(caller.sub, "anna");
        assert_eq!(caller.org, "lpo-farsta");
        assert_eq!(caller.roles, vec![Role::OrgEditor]);
    }

    /// A kept token is answered from the store only while it is unexpired and its kid
    /// names the key that verified it; otherwise the full check runs again.
    #[tokio::test]
    async fn a_kept_token_is_checked_again_once_expired_or_its_key_changed() {
        let k = keys();
        let token = anna_token(&k);
        let first = k.verify(&token).await.unwrap_or_else(|e| panic!("{e}"));
        let key = k.key_for(None).await.unwrap_or_else(|e| panic!("{e}"));
        let now = jsonwebtoken::get_current_timestamp();
        // Kept under another caller, so that the test sees where the answer comes from.
        let kept = |exp: u64, key: Arc<DecodingKey>| Verified {
            caller: Caller {
                sub: "kept".into(),
                ..first.clone()
            },
            exp,
            kid: None,
            key,
        };
        k.verified.insert(&token, kept(now + 60, Arc::clone(&key)));
        assert_eq!(
            k.verify(&token).await.map(|c| c.sub).ok(),
            Some("kept".into())
        );
        // Expired beyond the leeway: checked again (and the token itself is still valid).
        k.verified
            .insert(&token, kept(now - LEEWAY_SECONDS - 1, Arc::clone(&key)));
        assert_eq!(
            k.verify(&token).await.map(|c| c.sub).ok(),
            Some("anna".into())
        );
        // Verified by a key its kid no longer names: checked again.
        let other = Arc::new(DecodingKey::from_secret(
            b"another-secret-another-secret-00",
        ));
        k.verified.insert(&token, kept(now + 60, other));
        assert_eq!(
            k.verify(&token).await.map(|c| c.sub).ok(),
            Some("anna".into())
        );
        // A token that fails the check is never kept.
        let last = if token.ends_with('A') { "B" } else { "A" };
        let forged = format!("{}{last}", &token[..token.len() - 1]);
        assert!(k.verify(&forged).await.is_err());
        assert!(k.verified.get(&forged, now, LEEWAY_SECONDS).is_none());
    }

    #[test]
    fn short_secret_is_refused() {
        let err = JwtKeys::hs256(&SecretString::from("short".to_string()), "i", "a");
        assert!(err.is_err());
    }

    #[test]
    fn ttl_parses() {
        assert_eq!(parse_ttl("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_ttl("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_ttl("10"), Ok(Duration::from_secs(10)));
        assert!(parse_ttl("3w").is_err());
        assert!(parse_ttl("0d").is_err());
    }
}
