//! Bearer tokens (JWT).
//!
//! Every GraphQL request carries `Authorization: Bearer <jwt>`. The token's claims say
//! who the caller is: `sub` (a person or a script), `org` (the slug of the organization
//! they act for), `roles`, and optionally `districts` (slugs, for district
//! coordinators). `iss`, `aud` and `exp` are required and checked; the algorithm is pinned
//! by configuration and never taken from the token.
//!
//! A request without a token, or with a token that fails any check, is answered with
//! HTTP 401 and `extensions.code = UNAUTHENTICATED`: a bad token is never silently
//! treated as anonymous.

use std::path::Path;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::config::Settings;
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

/// Signing and verification keys with the pinned algorithm and expected claims.
#[derive(Clone)]
pub struct JwtKeys {
    algorithm: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("algorithm", &self.algorithm)
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
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            issuer: issuer.into(),
            audience: audience.into(),
        })
    }

    /// The keys the settings ask for: the configured secret, or on SQLite the secret
    /// kept beside the database file (generated on first use).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let secret = match (&settings.jwt_secret, settings.sqlite_secret_path()) {
            (Some(secret), _) => secret.clone(),
            (None, Some(path)) => load_or_create_secret(&path)?,
            (None, None) => anyhow::bail!(
                "SAMVERKAN_JWT_SECRET is required unless the database is an SQLite file"
            ),
        };
        Self::hs256(&secret, &settings.jwt_issuer, &settings.jwt_audience)
    }

    /// Check a token and return its caller.
    pub fn verify(&self, token: &str) -> Result<Caller, AppError> {
        let mut validation = Validation::new(self.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|err| AppError::Unauthenticated(format!("invalid token: {err}")))?;
        let claims = data.claims;
        if claims.roles.is_empty() {
            return Err(AppError::Unauthenticated("token carries no roles".into()));
        }
        Ok(Caller {
            sub: claims.sub,
            org: claims.org,
            roles: claims.roles,
            districts: claims.districts.unwrap_or_default(),
        })
    }

    /// Sign a token for `sub` acting for `org` with `roles`, valid for `ttl`.
    pub fn mint(
        &self,
        sub: &str,
        org: &str,
        roles: Vec<Role>,
        districts: Option<Vec<String>>,
        ttl: Duration,
    ) -> anyhow::Result<String> {
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
        Ok(jsonwebtoken::encode(
            &Header::new(self.algorithm),
            &claims,
            &self.encoding,
        )?)
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
    fn ttl_parses() {
        assert_eq!(parse_ttl("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert_eq!(parse_ttl("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_ttl("10"), Ok(Duration::from_secs(10)));
        assert!(parse_ttl("3w").is_err());
        assert!(parse_ttl("0d").is_err());
    }
}
