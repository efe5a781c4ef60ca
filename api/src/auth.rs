//! Bearer tokens (JWT).
//!
//! Every GraphQL request carries `Authorization: Bearer <jwt>`. The token's claims say
//! who the caller is: `sub` (a person or a script), `org` (the slug of the organization
//! they act for), `roles`, and optionally `districts` (slugs, for district
//! coordinators). `iss`, `aud` and `exp` are required and checked; the algorithm is pinned
//! by configuration and never taken from the token.
//!
//! Keys: HS256 with a shared secret (development, single node), or RS256/ES256 with
//! public keys from a PEM file and/or a JWKS file (production). Public keys are named by
//! a `kid`; a token names its key in its header, so several keys can be valid at once
//! and keys can rotate. Only `samverkan token` needs the private key.
//!
//! A request without a token, or with a token that fails any check, is answered with
//! HTTP 401 and `extensions.code = UNAUTHENTICATED`: a bad token is never silently
//! treated as anonymous.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::config::{JwtAlgorithm, Settings};
use crate::error::AppError;

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
    /// City-wide administrator.
    Admin,
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().replace('-', "_").as_str() {
            "VIEWER" => Ok(Self::Viewer),
            "ORG_EDITOR" => Ok(Self::OrgEditor),
            "DISTRICT_COORDINATOR" => Ok(Self::DistrictCoordinator),
            "ADMIN" => Ok(Self::Admin),
            other => Err(format!(
                "unknown role {other}: use VIEWER, ORG_EDITOR, DISTRICT_COORDINATOR or ADMIN"
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
    Secret(DecodingKey),
    /// RS256/ES256: public keys by their `kid` (never empty).
    ByKid(BTreeMap<String, DecodingKey>),
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
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = match &self.verifying {
            VerifyingKeys::Secret(_) => Vec::new(),
            VerifyingKeys::ByKid(keys) => keys.keys().map(String::as_str).collect(),
        };
        f.debug_struct("JwtKeys")
            .field("algorithm", &self.algorithm)
            .field("kids", &kids)
            .field("can_sign", &self.signing.is_some())
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

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
            verifying: VerifyingKeys::Secret(DecodingKey::from_secret(bytes)),
            signing: Some(EncodingKey::from_secret(bytes)),
            kid: None,
            issuer: issuer.into(),
            audience: audience.into(),
        })
    }

    /// The keys the settings ask for.
    ///
    /// HS256: the configured secret, or on SQLite the secret kept beside the database
    /// file (generated on first use). RS256/ES256: the public keys of
    /// `SAMVERKAN_JWT_PUBLIC_KEYS` and `SAMVERKAN_JWT_JWKS`, and the private key of
    /// `SAMVERKAN_JWT_PRIVATE_KEY` if set (checked: a token it signs must verify).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match settings.jwt_algorithm {
            JwtAlgorithm::Hs256 => Self::hs256_from_settings(settings, true),
            JwtAlgorithm::Rs256 => Self::public_keys_from_settings(settings, Algorithm::RS256),
            JwtAlgorithm::Es256 => Self::public_keys_from_settings(settings, Algorithm::ES256),
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
        if keys.is_empty() {
            anyhow::bail!(
                "SAMVERKAN_JWT_ALGORITHM={name} needs public keys: set SAMVERKAN_JWT_PUBLIC_KEYS \
                 (a PEM file) or SAMVERKAN_JWT_JWKS (a JWKS file)"
            );
        }
        let signing = settings
            .jwt_private_key
            .as_deref()
            .map(|path| load_private_key(path, algorithm))
            .transpose()?;
        let keys = Self {
            algorithm,
            verifying: VerifyingKeys::ByKid(keys),
            signing,
            kid: settings.jwt_kid.clone(),
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
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
        self.verify(&probe).map_err(|err| {
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

    /// The key a token with header `kid` must verify with.
    fn key_for(&self, kid: Option<&str>) -> Result<&DecodingKey, AppError> {
        let keys = match &self.verifying {
            VerifyingKeys::Secret(key) => return Ok(key),
            VerifyingKeys::ByKid(keys) => keys,
        };
        match kid {
            Some(kid) => keys.get(kid).ok_or_else(|| {
                AppError::Unauthenticated("invalid token: its kid names no known key".into())
            }),
            None => match (keys.len(), keys.values().next()) {
                (1, Some(only)) => Ok(only),
                _ => Err(AppError::Unauthenticated(
                    "invalid token: it names no key (kid) and this server has several".into(),
                )),
            },
        }
    }

    /// Check a token and return its caller.
    pub fn verify(&self, token: &str) -> Result<Caller, AppError> {
        self.verify_expiring(token).map(|(caller, _)| caller)
    }

    /// Check a token and return its caller and its expiry (`exp`, seconds since the
    /// epoch): a WebSocket connection ends then.
    pub fn verify_expiring(&self, token: &str) -> Result<(Caller, u64), AppError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| AppError::Unauthenticated("invalid token: it is malformed".into()))?;
        if header.alg != self.algorithm {
            return Err(AppError::Unauthenticated(format!(
                "invalid token: this server accepts only {:?} tokens",
                self.algorithm
            )));
        }
        let key = self.key_for(header.kid.as_deref())?;
        let mut validation = Validation::new(self.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let data =
            jsonwebtoken::decode::<serde_json::Value>(token, key, &validation).map_err(|err| {
                AppError::Unauthenticated(format!("invalid token: {}", describe(&err)))
            })?;
        let claims: Claims = serde_json::from_value(data.claims).map_err(|_| {
            AppError::Unauthenticated(
                "invalid token: its claims are not a Samverkan token's (sub, org, roles)".into(),
            )
        })?;
        if claims.roles.is_empty() {
            return Err(AppError::Unauthenticated("token carries no roles".into()));
        }
        let caller = Caller {
            sub: claims.sub,
            org: claims.org,
            roles: claims.roles,
            districts: claims.districts.unwrap_or_default(),
        };
        Ok((caller, claims.exp))
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

/// Add `key` as `kid`, refusing a kid seen before.
fn insert_key(
    keys: &mut BTreeMap<String, DecodingKey>,
    kid: String,
    key: DecodingKey,
) -> anyhow::Result<()> {
    if keys.contains_key(&kid) {
        anyhow::bail!("kid {kid:?} names two keys: every key needs a kid of its own");
    }
    keys.insert(kid, key);
    Ok(())
}

/// The public keys of a PEM file: every `-----BEGIN PUBLIC KEY-----` block (or
/// `RSA PUBLIC KEY`) is preceded by a line `# kid: NAME`. Other lines starting with `#`
/// and blank lines are ignored; anything else is an error.
fn parse_pem_keys(text: &str, algorithm: Algorithm) -> anyhow::Result<Vec<(String, DecodingKey)>> {
    let mut found = Vec::new();
    let mut kid: Option<(usize, String)> = None;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()));
    while let Some((number, line)) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(name) = comment.trim().strip_prefix("kid:") {
                let name = name.trim();
                if name.is_empty() {
                    anyhow::bail!("line {number}: `# kid:` names no key");
                }
                if let Some((at, previous)) = kid.replace((number, name.to_owned())) {
                    anyhow::bail!("line {at}: kid {previous:?} is not followed by a key");
                }
            }
            continue;
        }
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
        else {
            anyhow::bail!(
                "line {number}: expected `# kid: NAME` or `-----BEGIN PUBLIC KEY-----` \
                 (comments start with #)"
            );
        };
        let end = format!("-----END {label}-----");
        let mut block = format!("{line}\n");
        let mut closed = false;
        for (_, body) in lines.by_ref() {
            block.push_str(body);
            block.push('\n');
            if body == end {
                closed = true;
                break;
            }
        }
        if !closed {
            anyhow::bail!("line {number}: the {label} has no `{end}` line");
        }
        let Some((_, name)) = kid.take() else {
            anyhow::bail!("line {number}: a key without a `# kid: NAME` line before it");
        };
        if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
            anyhow::bail!(
                "key {name:?} is a {label}: this file holds public keys only \
                 (`openssl pkey -in private.pem -pubout` prints one)"
            );
        }
        let key = match algorithm {
            Algorithm::RS256 => DecodingKey::from_rsa_pem(block.as_bytes()),
            _ => DecodingKey::from_ec_pem(block.as_bytes()),
        }
        .map_err(|err| {
            anyhow::anyhow!("key {name:?} is not an {algorithm:?} public key ({err})")
        })?;
        check_key(&key, algorithm).with_context(|| format!("key {name:?}"))?;
        found.push((name, key));
    }
    if let Some((at, name)) = kid {
        anyhow::bail!("line {at}: kid {name:?} is not followed by a key");
    }
    if found.is_empty() {
        anyhow::bail!("it holds no keys");
    }
    Ok(found)
}

/// The keys of a JWKS document, each named by its `kid` and fit for `algorithm`.
fn parse_jwks(text: &str, algorithm: Algorithm) -> anyhow::Result<Vec<(String, DecodingKey)>> {
    let set: JwkSet = serde_json::from_str(text)
        .map_err(|err| anyhow::anyhow!("not a JWKS document ({{\"keys\": [...]}}): {err}"))?;
    if set.keys.is_empty() {
        anyhow::bail!("it holds no keys");
    }
    let mut found = Vec::new();
    for (index, jwk) in set.keys.iter().enumerate() {
        let Some(kid) = jwk.common.key_id.clone() else {
            anyhow::bail!("key {index} has no kid");
        };
        if let Some(alg) = jwk.common.key_algorithm
            && alg != KeyAlgorithm::from(algorithm)
        {
            anyhow::bail!("key {kid:?} is for {alg}, but SAMVERKAN_JWT_ALGORITHM is {algorithm:?}");
        }
        if jwk
            .common
            .public_key_use
            .as_ref()
            .is_some_and(|usage| *usage != PublicKeyUse::Signature)
        {
            anyhow::bail!("key {kid:?} is not for signatures (its `use` is not \"sig\")");
        }
        let kty = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => "RSA",
            AlgorithmParameters::EllipticCurve(params) => match params.curve {
                EllipticCurve::P256 => "EC P-256",
                _ => "EC (not P-256)",
            },
            AlgorithmParameters::OctetKey(_) => "oct",
            AlgorithmParameters::OctetKeyPair(_) => "OKP",
            _ => "unknown",
        };
        let fits = match algorithm {
            Algorithm::RS256 => kty == "RSA",
            _ => kty == "EC P-256",
        };
        if !fits {
            anyhow::bail!("key {kid:?} is an {kty} key, which does not fit {algorithm:?}");
        }
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|err| anyhow::anyhow!("key {kid:?} is not a valid key ({err})"))?;
        check_key(&key, algorithm).with_context(|| format!("key {kid:?}"))?;
        found.push((kid, key));
    }
    Ok(found)
}

/// What can be checked of a public key before a token arrives: its family, and for
/// ES256 that it is a point on a 256-bit curve.
fn check_key(key: &DecodingKey, algorithm: Algorithm) -> anyhow::Result<()> {
    let (family, name) = match algorithm {
        Algorithm::RS256 => (AlgorithmFamily::Rsa, "RSA"),
        _ => (AlgorithmFamily::Ec, "EC"),
    };
    if key.family() != family {
        anyhow::bail!("not an {name} key");
    }
    if family == AlgorithmFamily::Ec {
        let point = key.try_get_as_bytes()?;
        let p256 = matches!(
            (point.len(), point.first()),
            (65, Some(0x04)) | (33, Some(0x02 | 0x03))
        );
        if !p256 {
            anyhow::bail!("not a P-256 key (ES256 needs the P-256 curve)");
        }
    }
    Ok(())
}

/// The private key of a PEM file, for `algorithm`.
fn load_private_key(path: &Path, algorithm: Algorithm) -> anyhow::Result<EncodingKey> {
    let pem = std::fs::read(path)
        .with_context(|| format!("cannot read SAMVERKAN_JWT_PRIVATE_KEY {}", path.display()))?;
    let what = format!("SAMVERKAN_JWT_PRIVATE_KEY {}", path.display());
    if !String::from_utf8_lossy(&pem).contains("PRIVATE KEY-----") {
        anyhow::bail!("{what} holds no PEM private key");
    }
    match algorithm {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem)
            .map_err(|err| anyhow::anyhow!("{what} is not an RSA private key ({err})")),
        _ => EncodingKey::from_ec_pem(&pem).map_err(|err| {
            anyhow::anyhow!(
                "{what} is not a PKCS#8 EC private key (`-----BEGIN PRIVATE KEY-----`; \
                 `openssl pkcs8 -topk8 -nocrypt` converts an `EC PRIVATE KEY`): {err}"
            )
        }),
    }
}

/// Read the secret the server keeps at `path` (beside the SQLite database of
/// `database_url`); when there is none, say where it was looked for and how to find the
/// right one — never make one.
fn load_existing_secret(path: &Path, database_url: &str) -> anyhow::Result<SecretString> {
    match std::fs::read_to_string(path) {
        Ok(existing) => Ok(SecretString::from(existing.trim().to_owned())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
            anyhow::bail!(
                "no token secret at {}\n\
                 A server on the SQLite database {database_url} keeps its secret there \
                 (made on its first start); a token signed with any other secret would be \
                 refused, so none was made.\n\
                 Point this command at the server's database with DATABASE_URL or \
                 --database-url (e.g. DATABASE_URL='sqlite:///srv/samverkan/samverkan.db?mode=rwc'), \
                 run it in the directory the server runs in, or give it the server's \
                 SAMVERKAN_JWT_SECRET.",
                absolute.display()
            )
        }
        Err(err) => anyhow::bail!("cannot read {}: {err}", path.display()),
    }
}

/// Read the secret kept at `path`, or generate one and keep it there (mode 0600).
fn load_or_create_secret(path: &Path) -> anyhow::Result<SecretString> {
    match std::fs::read_to_string(path) {
        Ok(existing) => return Ok(SecretString::from(existing.trim().to_owned())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => anyhow::bail!("cannot read {}: {err}", path.display()),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            use std::io::Write;
            file.write_all(secret.as_bytes())?;
            tracing::info!(path = %path.display(), "generated a JWT secret for this database");
            Ok(SecretString::from(secret))
        }
        // Another process created it first: use theirs.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(SecretString::from(
            std::fs::read_to_string(path)?.trim().to_owned(),
        )),
        Err(err) => anyhow::bail!("cannot write {}: {err}", path.display()),
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

    #[test]
    fn minted_token_verifies() {
        let k = keys();
        let token = k
            .mint(
                "anna",
                "lpo-farsta",
                vec![Role::OrgEditor],
                None,
                Duration::from_secs(60),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let caller = k.verify(&token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(caller.sub, "anna");
        assert_eq!(caller.org, "lpo-farsta");
        assert_eq!(caller.roles, vec![Role::OrgEditor]);
    }

    #[test]
    fn short_secret_is_refused() {
        let err = JwtKeys::hs256(&SecretString::from("short".to_string()), "i", "a");
        assert!(err.is_err());
    }

    #[test]
    fn pem_keys_need_a_kid_each_and_nothing_else() {
        let public = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        for (text, expected) in [
            ("# kid: a\n", "not followed by a key"),
            ("# kid: a\n# kid: b\n", "not followed by a key"),
            ("# kid:\n", "names no key"),
            ("stray text\n", "expected `# kid: NAME`"),
            ("# kid: a\n-----BEGIN PUBLIC KEY-----\nAAAA\n", "has no"),
            (public, "without a `# kid: NAME`"),
            ("# only comments\n\n", "holds no keys"),
        ] {
            match parse_pem_keys(text, Algorithm::RS256) {
                Ok(keys) => panic!("{text:?} gave {} keys", keys.len()),
                Err(err) => assert!(err.to_string().contains(expected), "{text:?}: {err}"),
            }
        }
    }

    #[test]
    fn jwks_keys_need_a_kid_and_the_pinned_algorithm() {
        let jwks = |key: &str| format!("{{\"keys\": [{key}]}}");
        let rsa = r#""kty": "RSA", "n": "AQAB", "e": "AQAB""#;
        let cases = [
            (jwks(&format!("{{{rsa}}}")), "has no kid"),
            (
                jwks(&format!(r#"{{{rsa}, "kid": "k", "alg": "RS512"}}"#)),
                "is for RS512",
            ),
            (
                jwks(&format!(r#"{{{rsa}, "kid": "k", "use": "enc"}}"#)),
                "not for signatures",
            ),
            (
                jwks(r#"{"kty": "oct", "k": "c2VjcmV0", "kid": "k"}"#),
                "oct key",
            ),
            ("{\"keys\": []}".to_owned(), "holds no keys"),
            ("[]".to_owned(), "not a JWKS document"),
        ];
        for (text, expected) in cases {
            match parse_jwks(&text, Algorithm::RS256) {
                Ok(keys) => panic!("{text} gave {} keys", keys.len()),
                Err(err) => assert!(err.to_string().contains(expected), "{text}: {err}"),
            }
        }
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
