//! Database connection, statement counting and migrations.
//!
//! Every connection pool carries a [`StatementCounter`]: the number of SQL statements it
//! has executed. Tests and benchmarks read it to prove that a request costs a number of
//! statements bounded by its depth, not by the number of rows.
//!
//! Migrations on PostgreSQL run under a session-level advisory lock, so any number of
//! replicas may start at once: one migrates, the others wait and then find nothing to do.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::config::Settings;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

/// Counts the SQL statements executed through one connection pool.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Statements executed so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn increment(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Serialises writes within one process on SQLite, which allows one writer at a time:
/// a request waits here instead of failing with "database is locked". On PostgreSQL
/// it does nothing.
#[derive(Debug, Clone, Default)]
pub struct WriteGate(Option<Arc<tokio::sync::Mutex<()>>>);

impl WriteGate {
    /// The gate for a database backend.
    pub fn for_backend(backend: DbBackend) -> Self {
        match backend {
            DbBackend::Sqlite => Self(Some(Arc::new(tokio::sync::Mutex::new(())))),
            _ => Self(None),
        }
    }

    /// Wait for the turn to write; the turn lasts as long as the guard.
    pub async fn enter(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match &self.0 {
            Some(mutex) => Some(mutex.clone().lock_owned().await),
            None => None,
        }
    }
}

tokio::task_local! {
    /// The statement count of the GraphQL request a task serves (set by the HTTP layer
    /// and carried into the batch loaders' tasks).
    pub static REQUEST_STATEMENTS: Arc<AtomicU64>;
}

/// Spawn `fut` on Tokio, carrying the current request's statement count into it.
pub fn spawn_in_request<F>(fut: F)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    match REQUEST_STATEMENTS.try_with(Arc::clone) {
        Ok(n) => {
            tokio::spawn(REQUEST_STATEMENTS.scope(n, fut));
        }
        Err(_) => {
            tokio::spawn(fut);
        }
    }
}

/// Count one statement in `counter` and in the request being served, if any.
pub(crate) fn count_statement(counter: &StatementCounter) {
    counter.increment();
    let _ = REQUEST_STATEMENTS.try_with(|n| n.fetch_add(1, Ordering::Relaxed));
}

/// Key of the advisory lock that serialises migrations between replicas ("SAMVERK").
const MIGRATION_LOCK_KEY: i64 = 0x53_41_4d_56_45_52_4b;

/// Open a connection pool of at most `max_connections` to the database of `settings`
/// that counts its statements in `counter`. On PostgreSQL every connection starts with
/// the planner settings of `settings` (`random_page_cost`).
pub async fn connect(
    settings: &Settings,
    max_connections: u32,
    counter: StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    let url = settings.database_url.as_str();
    let random_page_cost = settings.db_random_page_cost;
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // SQLite: wait for a busy writer instead of failing at once, let readers go on
        // while one connection writes, and enforce foreign keys on every connection.
        // PostgreSQL: plan with the service's random_page_cost (Settings: the batch
        // loaders' joins to a parent look the few parents up by key).
        .map_sqlx_postgres_opts(move |opts| {
            opts.options([("random_page_cost", random_page_cost.to_string())])
        })
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    // sqlx pings a connection on every checkout by default: a round trip per statement
    // (nine per dashboard), and on SQLite a wake-up of the connection's thread. Test
    // only a connection idle long enough for a server restart, a proxy or a firewall
    // to have dropped it. A connection given back is pinged only when its use was
    // interrupted (an error before the answer, a cancelled statement, a dropped
    // transaction), and closed if that ping fails: vendor/sqlx-core and
    // vendor/sqlx-postgres (PATCHES.md). An SQLite file does not drop connections.
    if url.starts_with("sqlite:") {
        options.test_before_acquire(false);
    } else {
        options.test_before_acquire_if_idle_for(Duration::from_secs(1));
    }
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(move |_info| count_statement(&counter));
    Ok(db)
}

/// Apply every pending migration and, when `seed_if_empty`, load the demo data into a
/// database that holds none. On PostgreSQL both happen under an advisory lock held on a
/// dedicated connection, so replicas starting at once neither race on the schema nor
/// load the data twice.
///
/// On SQLite the same is done under an exclusive lock on the file `DB.lock` beside the
/// database, which serialises processes (and tasks) starting on one file.
pub async fn prepare(url: &str, seed_if_empty: bool) -> anyhow::Result<()> {
    let _file_lock = match sqlite_path(url) {
        Some(path) => Some(lock_file(format!("{path}.lock")).await?),
        None => None,
    };
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    let db = Database::connect(options).await?;
    let locked = db.get_database_backend() == DbBackend::Postgres;
    if locked {
        db.execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .await?;
    }
    let result = migrate_and_seed(&db, seed_if_empty).await;
    if locked {
        db.execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            .await?;
    }
    db.close().await?;
    result
}

/// The file path of an SQLite URL (`None` for other databases and in-memory ones).
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| path.to_owned())
}

/// Take an exclusive lock on `path` (created if missing), waiting for other holders.
async fn lock_file(path: String) -> anyhow::Result<std::fs::File> {
    tokio::task::spawn_blocking(move || -> anyhow::Result<std::fs::File> {
        if let Some(dir) = std::path::Path::new(&path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok(file)
    })
    .await?
}

async fn migrate_and_seed(db: &DatabaseConnection, seed_if_empty: bool) -> anyhow::Result<()> {
    Migrator::up(db, None).await?;
    if seed_if_empty && crate::seed::is_empty(db).await? {
        let report = crate::seed::load(db).await?;
        tracing::info!(%report, "loaded the demo data into an empty database");
    }
    Ok(())
}

/// Whether every migration has been applied.
pub async fn migrations_applied(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}
