//! Typed settings, read from environment variables (and the same flags on the command
//! line). Every variable is documented in the README; `samverkan serve --help` lists them.
//!
//! Secrets are held in [`secrecy::SecretString`] so they never end up in a log line or a
//! `Debug` print.

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;

/// The default database: an SQLite file in the working directory, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://samverkan.db?mode=rwc";

/// The algorithm bearer tokens are signed with (`SAMVERKAN_JWT_ALGORITHM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 and a shared secret (`SAMVERKAN_JWT_SECRET`).
    #[default]
    #[value(name = "HS256")]
    Hs256,
    /// RSA (PKCS#1 v1.5) with SHA-256; public keys from a PEM file or a JWKS file.
    #[value(name = "RS256")]
    Rs256,
    /// ECDSA on P-256 with SHA-256; public keys from a PEM file or a JWKS file.
    #[value(name = "ES256")]
    Es256,
}

impl std::fmt::Display for JwtAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Hs256 => "HS256",
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        })
    }
}

/// Settings of one Samverkan process.
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Database to use: `sqlite://FILE?mode=rwc` (embedded) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Address the HTTP server listens on (port 0 picks a free port).
    #[arg(long, env = "SAMVERKAN_ADDR", default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,

    /// Shared secret for HS256 tokens. Required on PostgreSQL with HS256; on SQLite a
    /// secret is generated on first start and kept beside the database file. Not used
    /// with RS256/ES256.
    #[arg(long, env = "SAMVERKAN_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,

    /// The algorithm every token must be signed with: `HS256` (a shared secret, for
    /// development and single-node use), `RS256` or `ES256` (public keys, for
    /// production). Pinned here: the `alg` a token names is never trusted.
    #[arg(long, env = "SAMVERKAN_JWT_ALGORITHM", value_enum, ignore_case = true, default_value_t = JwtAlgorithm::Hs256)]
    pub jwt_algorithm: JwtAlgorithm,

    /// RS256/ES256: a PEM file with the public keys tokens may be signed with. Every key
    /// is preceded by a line `# kid: NAME` naming it; a token picks its key by the `kid`
    /// in its header. May be combined with `SAMVERKAN_JWT_JWKS`.
    #[arg(long, env = "SAMVERKAN_JWT_PUBLIC_KEYS")]
    pub jwt_public_keys: Option<PathBuf>,

    /// RS256/ES256: a JWKS file (`{"keys": [...]}`) with the public keys tokens may be
    /// signed with, chosen by their `kid`. Every key must fit the pinned algorithm.
    #[arg(long, env = "SAMVERKAN_JWT_JWKS")]
    pub jwt_jwks: Option<PathBuf>,

    /// RS256/ES256: a PEM file with the private key `samverkan token` signs with (PKCS#8,
    /// or PKCS#1 for RSA). The server itself never needs it.
    #[arg(long, env = "SAMVERKAN_JWT_PRIVATE_KEY")]
    pub jwt_private_key: Option<PathBuf>,

    /// RS256/ES256: the `kid` `samverkan token` writes in the header: the name of the
    /// public key that matches `SAMVERKAN_JWT_PRIVATE_KEY`.
    #[arg(long, env = "SAMVERKAN_JWT_KID")]
    pub jwt_kid: Option<String>,

    /// The `iss` claim tokens must carry (and `samverkan token` writes).
    #[arg(long, env = "SAMVERKAN_JWT_ISSUER", default_value = "samverkan")]
    pub jwt_issuer: String,

    /// The `aud` claim tokens must carry (and `samverkan token` writes).
    #[arg(long, env = "SAMVERKAN_JWT_AUDIENCE", default_value = "samverkan")]
    pub jwt_audience: String,

    /// Where tokens come from when the city's OpenID Connect provider issues them, and
    /// how their claims are read.
    #[command(flatten)]
    pub identity: IdentitySettings,

    /// Maximum number of pooled database connections; 0 (the default) chooses: 10 on
    /// PostgreSQL, two per core (at most 10) on SQLite, where every connection is a
    /// thread with its own page cache and one writer at a time is all the file allows.
    #[arg(long, env = "SAMVERKAN_DB_MAX_CONNECTIONS", default_value_t = 0)]
    pub db_max_connections: u32,

    /// PostgreSQL only: the planner's cost of a random page read (`random_page_cost`) on
    /// the service's own connections, a positive number; PostgreSQL's default is 4. The
    /// default 1.1 (PostgreSQL's documentation suggests it for data in memory or on
    /// SSDs) makes the batch loaders' joins to a parent table (a responsibility's
    /// organization) look up the few parents by key instead of hashing the whole table:
    /// 2.7 ms → 0.3 ms for the largest district's responsibilities on the national data.
    /// Set 4 to plan as the database server is configured.
    #[arg(long, env = "SAMVERKAN_DB_RANDOM_PAGE_COST", default_value_t = 1.1, value_parser = positive_cost)]
    pub db_random_page_cost: f64,

    /// Load the demo data (Stockholm) into an empty database on start.
    #[arg(long, env = "SAMVERKAN_SEED_ON_START", default_value_t = true, action = clap::ArgAction::Set)]
    pub seed_on_start: bool,

    /// `development` (GraphiQL, introspection and field suggestions on, text logs) or
    /// `production` (all three off unless enabled below, JSON logs).
    #[arg(long, env = "SAMVERKAN_ENV", value_enum, default_value_t = Environment::Development)]
    pub env: Environment,

    /// Serve GraphiQL on `GET /graphql` (default: on in development, off in production).
    #[arg(long, env = "SAMVERKAN_GRAPHIQL")]
    pub graphiql: Option<bool>,

    /// Answer introspection queries (default: on in development, off in production).
    #[arg(long, env = "SAMVERKAN_INTROSPECTION")]
    pub introspection: Option<bool>,

    /// Origins allowed to call the API from a browser (comma-separated, e.g.
    /// `https://dashboard.stad.se`); empty: no cross-origin browser calls.
    #[arg(long, env = "SAMVERKAN_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// Deepest nesting of fields a query may have (a root field is depth 1; the fields
    /// under `__schema` and `__type` do not count).
    #[arg(long, env = "SAMVERKAN_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,

    /// Most aliased fields in one operation (fragments counted where they are spread).
    #[arg(long, env = "SAMVERKAN_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Most fields in one operation (fragments counted where they are spread).
    #[arg(long, env = "SAMVERKAN_MAX_FIELDS", default_value_t = 2000)]
    pub max_fields: usize,

    /// Highest cost a query may have (each field costs 1; a list field costs its `first`
    /// times its selection; a coverage matrix costs 2000).
    #[arg(long, env = "SAMVERKAN_MAX_COMPLEXITY", default_value_t = 100_000)]
    pub max_complexity: usize,

    /// Deepest nesting of selection sets (also through fragments) the parser accepts.
    #[arg(long, env = "SAMVERKAN_MAX_RECURSIVE_DEPTH", default_value_t = 24)]
    pub max_recursive_depth: usize,

    /// Most directives on one field.
    #[arg(long, env = "SAMVERKAN_MAX_DIRECTIVES", default_value_t = 4)]
    pub max_directives: usize,

    /// Most operations in one batched request.
    #[arg(long, env = "SAMVERKAN_MAX_BATCH", default_value_t = 5)]
    pub max_batch: usize,

    /// Largest request body accepted, in bytes (larger: HTTP 413).
    #[arg(long, env = "SAMVERKAN_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,

    /// Largest file a GraphQL multipart request (an upload, e.g. `importActionPlan`'s
    /// `file`) may carry, in bytes (larger: HTTP 413). A multipart request's body may be
    /// this plus `SAMVERKAN_MAX_BODY_BYTES` (the operations and the map); the CLI's
    /// `samverkan import` reads files up to this size too.
    #[arg(long, env = "SAMVERKAN_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: usize,

    /// Whether big lists are answered by the plain path (`graphql/engine/plain/`: one
    /// loop over the fields' own resolvers). `false` answers every list by async-graphql's
    /// ordinary execution — the same bytes, slower; for comparing the two.
    #[arg(long, env = "SAMVERKAN_PLAIN_LISTS", default_value_t = true, action = clap::ArgAction::Set)]
    pub plain_lists: bool,

    /// Largest total size of a request's header fields (names and values), in bytes
    /// (larger, or more than 64 fields: HTTP 431).
    #[arg(long, env = "SAMVERKAN_MAX_HEADER_BYTES", default_value_t = 16 * 1024)]
    pub max_header_bytes: usize,

    /// Longest a request may take, in seconds (longer: HTTP 408).
    #[arg(long, env = "SAMVERKAN_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Requests a token (its `sub`) may make per minute on one replica; beyond that
    /// HTTP 429 with `Retry-After`. 0 turns the limit off.
    #[arg(long, env = "SAMVERKAN_RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,

    /// Requests a token may make at once beyond its steady rate.
    #[arg(long, env = "SAMVERKAN_RATE_LIMIT_BURST", default_value_t = 60)]
    pub rate_limit_burst: u32,

    /// How many coverage matrices and export files may be built at once — the `coverage`
    /// query's matrices while their answers are built, and every `GET /exports/…` file
    /// from its report to its last byte (a national matrix takes ~35 MB either way); more
    /// wait their turn. 0: one per CPU core.
    #[arg(long, env = "SAMVERKAN_COVERAGE_CONCURRENCY", default_value_t = 0)]
    pub coverage_concurrency: usize,

    /// `auto`: Apollo automatic persisted queries (clients may send a hash instead of
    /// the text); `allowlist`: only the operations of `SAMVERKAN_ALLOWED_OPERATIONS` run;
    /// `off`.
    #[arg(long, env = "SAMVERKAN_PERSISTED_QUERIES", value_enum, default_value_t = PersistedQueries::Auto)]
    pub persisted_queries: PersistedQueries,

    /// A `.graphql` file of named operations: the allow-list (with
    /// `SAMVERKAN_PERSISTED_QUERIES=allowlist`).
    #[arg(long, env = "SAMVERKAN_ALLOWED_OPERATIONS")]
    pub allowed_operations: Option<PathBuf>,
}

/// The city's identity provider: where its keys are found, how long they are kept, and
/// where in its tokens the caller's parts are (`auth::remote`, `auth::claims`).
#[derive(Debug, Clone, clap::Args)]
pub struct IdentitySettings {
    /// An OpenID Connect issuer (e.g. `https://login.microsoftonline.com/TENANT/v2.0`,
    /// `https://sso.example.se/realms/stad`): its discovery document names the JWKS the
    /// tokens are verified with, and tokens must carry it as `iss` (then
    /// `SAMVERKAN_JWT_ISSUER` is not used). Needs `SAMVERKAN_JWT_ALGORITHM` RS256 or ES256.
    #[arg(long, env = "SAMVERKAN_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// A JWKS URL to verify tokens with, without discovery (tokens carry
    /// `SAMVERKAN_JWT_ISSUER` as `iss`). HTTPS, or HTTP on a loopback address.
    #[arg(long, env = "SAMVERKAN_JWT_JWKS_URL")]
    pub jwks_url: Option<String>,

    /// Seconds the provider's keys are kept when its JWKS response gives no lifetime
    /// (`Cache-Control: max-age`, `Expires`) or forbids keeping it.
    #[arg(long, env = "SAMVERKAN_JWKS_REFRESH_SECS", default_value_t = 300)]
    pub jwks_refresh_secs: u64,

    /// The longest, in seconds, the provider's keys are kept whatever its response says:
    /// a key removed at the provider is refused at most this long after.
    #[arg(long, env = "SAMVERKAN_JWKS_MAX_AGE_SECS", default_value_t = 3600)]
    pub jwks_max_age_secs: u64,

    /// The least time, in seconds, between two fetches of the provider's keys: a token
    /// naming an unknown `kid` fetches them at once, but not more often than this; a
    /// failed fetch is retried after it.
    #[arg(long, env = "SAMVERKAN_JWKS_MIN_INTERVAL_SECS", default_value_t = 30)]
    pub jwks_min_interval_secs: u64,

    /// The claim that names the caller (a claim name, a dotted path such as
    /// `realm_access.roles`, or a JSON Pointer such as `/realm_access/roles`).
    #[arg(long, env = "SAMVERKAN_CLAIM_SUBJECT", default_value = "sub")]
    pub claim_subject: String,

    /// The claim that holds the slug of the caller's organization.
    #[arg(long, env = "SAMVERKAN_CLAIM_ORGANIZATION", default_value = "org")]
    pub claim_organization: String,

    /// The claim that holds the caller's roles (a string or a list of strings), e.g.
    /// `roles` (Entra ID app roles) or `realm_access.roles` (Keycloak realm roles).
    #[arg(long, env = "SAMVERKAN_CLAIM_ROLES", default_value = "roles")]
    pub claim_roles: String,

    /// The claim that holds a coordinator's district slugs (optional in a token).
    #[arg(long, env = "SAMVERKAN_CLAIM_DISTRICTS", default_value = "districts")]
    pub claim_districts: String,

    /// The claim that holds a municipality administrator's municipality slugs (optional
    /// in a token).
    #[arg(
        long,
        env = "SAMVERKAN_CLAIM_MUNICIPALITIES",
        default_value = "municipalities"
    )]
    pub claim_municipalities: String,

    /// The claim that holds the caller's groups at the provider (e.g. `groups`). When set,
    /// a token without an organization claim acts for the organization its groups are
    /// mapped to by admins (`mapProviderGroup`). Unset: the organization claim is required.
    #[arg(long, env = "SAMVERKAN_CLAIM_GROUPS")]
    pub claim_groups: Option<String>,

    /// The provider's role values → the service's roles, `VALUE=ROLE` pairs separated by
    /// commas, e.g. `samverkan-admin=ADMIN,samverkan-liaison=ORG_EDITOR`. Unset: the
    /// values are the roles' names (`VIEWER`, `ORG_EDITOR`, …).
    #[arg(long, env = "SAMVERKAN_ROLE_MAP")]
    pub role_map: Option<String>,
}

impl Default for IdentitySettings {
    fn default() -> Self {
        Self {
            oidc_issuer: None,
            jwks_url: None,
            jwks_refresh_secs: 300,
            jwks_max_age_secs: 3600,
            jwks_min_interval_secs: 30,
            claim_subject: "sub".into(),
            claim_organization: "org".into(),
            claim_roles: "roles".into(),
            claim_districts: "districts".into(),
            claim_municipalities: "municipalities".into(),
            claim_groups: None,
            role_map: None,
        }
    }
}

/// How persisted queries work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PersistedQueries {
    /// Only full query texts.
    Off,
    /// Apollo automatic persisted queries.
    Auto,
    /// Only registered operations run.
    Allowlist,
}

/// Where the service runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    /// A developer's machine: GraphiQL, introspection, suggestions, text logs.
    Development,
    /// Exposed to a city's network: safe defaults.
    Production,
}

impl Settings {
    /// Settings for `database_url` with every other value at its default.
    pub fn with_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            jwt_secret: None,
            jwt_algorithm: JwtAlgorithm::Hs256,
            jwt_public_keys: None,
            jwt_jwks: None,
            jwt_private_key: None,
            jwt_kid: None,
            jwt_issuer: "samverkan".into(),
            jwt_audience: "samverkan".into(),
            identity: IdentitySettings::default(),
            db_max_connections: 0,
            db_random_page_cost: 1.1,
            seed_on_start: true,
            env: Environment::Development,
            graphiql: None,
            introspection: None,
            cors_origins: Vec::new(),
            max_depth: 12,
            max_aliases: 30,
            max_fields: 2000,
            max_complexity: 100_000,
            max_recursive_depth: 24,
            max_directives: 4,
            max_batch: 5,
            max_body_bytes: 256 * 1024,
            max_upload_bytes: 10 * 1024 * 1024,
            plain_lists: true,
            max_header_bytes: 16 * 1024,
            request_timeout_secs: 30,
            rate_limit_per_minute: 600,
            rate_limit_burst: 60,
            coverage_concurrency: 0,
            persisted_queries: PersistedQueries::Auto,
            allowed_operations: None,
        }
    }

    /// Whether GraphiQL is served.
    pub fn graphiql_enabled(&self) -> bool {
        self.graphiql
            .unwrap_or(self.env == Environment::Development)
    }

    /// Whether introspection (and field suggestions) are answered.
    pub fn introspection_enabled(&self) -> bool {
        self.introspection
            .unwrap_or(self.env == Environment::Development)
    }

    /// Whether the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The size of the database pool: `SAMVERKAN_DB_MAX_CONNECTIONS`, or when it is 0,
    /// 10 on PostgreSQL and two per core (2 to 10) on SQLite.
    pub fn db_pool_size(&self) -> u32 {
        match self.db_max_connections {
            0 if self.is_sqlite() => {
                let cores = std::thread::available_parallelism().map_or(1, usize::from);
                u32::try_from(cores.saturating_mul(2)).map_or(10, |n| n.clamp(2, 10))
            }
            0 => 10,
            n => n,
        }
    }

    /// The file that keeps the generated JWT secret of an SQLite database:
    /// `samverkan.db` → `samverkan.db.jwt-secret`. `None` for PostgreSQL and in-memory
    /// databases.
    pub fn sqlite_secret_path(&self) -> Option<PathBuf> {
        crate::db::sqlite_path(&self.database_url)
            .map(|path| PathBuf::from(format!("{path}.jwt-secret")))
    }
}

/// A planner cost: a finite number above 0.
fn positive_cost(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(cost) if cost.is_finite() && cost > 0.0 => Ok(cost),
        _ => Err(format!("{text:?} is not a positive number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_size_is_chosen_per_database_unless_set() {
        let mut pg = Settings::with_database("postgres://localhost/x");
        assert_eq!(pg.db_pool_size(), 10);
        pg.db_max_connections = 3;
        assert_eq!(pg.db_pool_size(), 3);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let lite = Settings::with_database("sqlite://x.db");
        let expected = u32::try_from(2 * cores).unwrap_or(10).clamp(2, 10);
        assert_eq!(lite.db_pool_size(), expected);
    }

    #[test]
    fn a_planner_cost_is_a_positive_number() {
        assert_eq!(positive_cost("1.1"), Ok(1.1));
        assert_eq!(positive_cost(" 4 "), Ok(4.0));
        for bad in ["0", "-1", "NaN", "inf", "", "fast"] {
            assert!(positive_cost(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secret_lives_beside_the_sqlite_file() {
        let s = Settings::with_database("sqlite://data/samverkan.db?mode=rwc");
        assert_eq!(
            s.sqlite_secret_path(),
            Some(PathBuf::from("data/samverkan.db.jwt-secret"))
        );
        assert_eq!(
            Settings::with_database("sqlite::memory:").sqlite_secret_path(),
            None
        );
        assert_eq!(
            Settings::with_database("postgres://localhost/x").sqlite_secret_path(),
            None
        );
    }
}
