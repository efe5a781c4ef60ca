//! Prometheus metrics, served at `GET /metrics`:
//!
//! | metric | what |
//! |---|---|
//! | `samverkan_http_requests_total{operation,outcome}` | GraphQL requests by operation name and outcome (`ok`, `error`, `unauthenticated`, `rate_limited`) |
//! | `samverkan_http_request_duration_seconds{operation}` | their latency |
//! | `samverkan_sql_statements_total` | SQL statements executed by this process |
//! | `samverkan_sql_statements_per_request` | SQL statements per GraphQL request |
//! | `samverkan_plain_lists_total` | lists answered by the plain path (one loop over their fields' resolvers) rather than the ordinary execution |
//! | `samverkan_db_pool_connections{state}` | pooled database connections, `idle` and `in_use` |
//! | `samverkan_live_subscriptions` | subscriptions listening now |
//! | `samverkan_signing_keys` | keys in the identity provider's key set (only with `SAMVERKAN_OIDC_ISSUER` or `SAMVERKAN_JWT_JWKS_URL`; 0 before the first fetch) |
//! | `samverkan_signing_keys_age_seconds` | seconds since that set was fetched (`NaN` before the first fetch) |
//! | `samverkan_signing_keys_stale` | 1 while the set is older than its lifetime because the provider does not answer, else 0 |
//!
//! Operation names come from clients: only names of letters, digits and `_` (at most 64
//! characters) become labels, and at most 200 distinct ones; others count as `other`.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};
use sea_orm::DatabaseConnection;

use crate::auth::KeyStatus;
use crate::db::StatementCounter;
use crate::graphql::engine::plain::PlainAnswers;

/// Most distinct operation labels kept.
const MAX_OPERATIONS: usize = 200;

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    statements_total: IntGauge,
    plain_lists_total: IntGauge,
    plain_lists: PlainAnswers,
    per_request: Histogram,
    pool: IntGaugeVec,
    subscriptions: IntGauge,
    /// The identity provider's keys: count, age in seconds, stale (0/1); registered
    /// only when the service fetches keys (`new(_, true)`).
    signing_keys: Option<(IntGauge, Gauge, IntGauge)>,
    statements: StatementCounter,
    operations: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Metrics reading the statement count from `statements`; with `remote_keys` (the
    /// service fetches an identity provider's keys) the signing-key gauges too.
    pub fn new(statements: StatementCounter, remote_keys: bool) -> anyhow::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "samverkan_http_requests_total",
                "GraphQL requests by operation and outcome",
            ),
            &["operation", "outcome"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "samverkan_http_request_duration_seconds",
                "GraphQL request latency",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["operation"],
        )?;
        let statements_total = IntGauge::new(
            "samverkan_sql_statements_total",
            "SQL statements executed by this process",
        )?;
        let per_request = Histogram::with_opts(
            HistogramOpts::new(
                "samverkan_sql_statements_per_request",
                "SQL statements per GraphQL request",
            )
            .buckets(vec![
                0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0,
            ]),
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "samverkan_db_pool_connections",
                "Pooled database connections",
            ),
            &["state"],
        )?;
        let subscriptions = IntGauge::new(
            "samverkan_live_subscriptions",
            "Subscriptions listening now",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(statements_total.clone()))?;
        let plain_lists_total = IntGauge::new(
            "samverkan_plain_lists_total",
            "lists answered by the plain path rather than the ordinary execution",
        )?;
        registry.register(Box::new(plain_lists_total.clone()))?;
        registry.register(Box::new(per_request.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(subscriptions.clone()))?;
        let signing_keys = if remote_keys {
            let count = IntGauge::new(
                "samverkan_signing_keys",
                "Keys in the identity provider's key set (0 before the first fetch)",
            )?;
            let age = Gauge::new(
                "samverkan_signing_keys_age_seconds",
                "Seconds since the identity provider's key set was fetched",
            )?;
            let stale = IntGauge::new(
                "samverkan_signing_keys_stale",
                "1 while the key set is past its lifetime because the provider does not answer",
            )?;
            registry.register(Box::new(count.clone()))?;
            registry.register(Box::new(age.clone()))?;
            registry.register(Box::new(stale.clone()))?;
            Some((count, age, stale))
        } else {
            None
        };
        Ok(Self {
            registry,
            requests,
            duration,
            statements_total,
            plain_lists_total,
            plain_lists: PlainAnswers::default(),
            per_request,
            pool,
            subscriptions,
            signing_keys,
            statements,
            operations: Mutex::new(HashSet::new()),
        })
    }

    /// The count of lists answered by the plain path, for the requests' data.
    pub fn plain_lists(&self) -> PlainAnswers {
        self.plain_lists.clone()
    }

    fn label(&self, operation: &str) -> String {
        let fits = !operation.is_empty()
            && operation.len() <= 64
            && operation
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !fits {
            return "other".into();
        }
        let mut known = match self.operations.lock() {
            Ok(k) => k,
            Err(poisoned) => poisoned.into_inner(),
        };
        if known.contains(operation) || known.len() < MAX_OPERATIONS {
            known.insert(operation.to_owned());
            operation.to_owned()
        } else {
            "other".into()
        }
    }

    /// Count one request.
    pub fn request(&self, operation: &str, outcome: &str, elapsed: Duration) {
        let op = self.label(operation);
        self.requests
            .with_label_values(&[op.as_str(), outcome])
            .inc();
        self.duration
            .with_label_values(&[op.as_str()])
            .observe(elapsed.as_secs_f64());
    }

    /// Record how many statements one request cost.
    pub fn statements_per_request(&self, n: u64) {
        self.per_request.observe(n as f64);
    }

    /// The metrics in Prometheus' text format; `keys`: the identity provider's keys now.
    pub fn render(
        &self,
        db: &DatabaseConnection,
        subscriptions: usize,
        keys: Option<&KeyStatus>,
    ) -> String {
        self.statements_total
            .set(i64::try_from(self.statements.get()).unwrap_or(i64::MAX));
        self.plain_lists_total
            .set(i64::try_from(self.plain_lists.get()).unwrap_or(i64::MAX));
        self.subscriptions
            .set(i64::try_from(subscriptions).unwrap_or(i64::MAX));
        let (size, idle) = pool_size(db);
        self.pool.with_label_values(&["idle"]).set(idle);
        self.pool.with_label_values(&["in_use"]).set(size - idle);
        if let (Some((count, age, stale)), Some(keys)) = (&self.signing_keys, keys) {
            count.set(i64::try_from(keys.keys).unwrap_or(i64::MAX));
            stale.set(i64::from(keys.stale));
            age.set(keys.age.map_or(f64::NAN, |a| a.as_secs_f64()));
        }
        let mut out = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %err, "cannot encode metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

fn pool_size(db: &DatabaseConnection) -> (i64, i64) {
    match db {
        #[allow(unreachable_patterns)]
        _ if db.get_database_backend() == sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (i64::from(pool.size()), pool.num_idle() as i64)
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (i64::from(pool.size()), pool.num_idle() as i64)
        }
    }
}
