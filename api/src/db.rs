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

/// Key of the advisory lock that serialises migrations between replicas ("SAMVERK").
const MIGRATION_LOCK_KEY: i64 = 0x53_41_4d_56_45_52_4b;

/// Open a connection pool to `url` that counts its statements in `counter`.
pub async fn connect(
    url: &str,
    max_connections: u32,
    counter: StatementCounter,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // SQLite: wait for a busy writer instead of failing at once, let readers go on
        // while one connection writes, and enforce foreign keys on every connection.
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(move |_info| counter.increment());
    Ok(db)
}

/// Apply every pending migration. On PostgreSQL this holds an advisory lock on a
/// dedicated connection for the duration, so concurrent starts do not race.
pub async fn migrate(url: &str) -> Result<(), DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false);
    let db = Database::connect(options).await?;
    let result = match db.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .await?;
            let result = Migrator::up(&db, None).await;
            db.execute_unprepared(&format!(
                "SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"
            ))
            .await?;
            result
        }
        _ => Migrator::up(&db, None).await,
    };
    db.close().await?;
    result
}

/// Whether every migration has been applied.
pub async fn migrations_applied(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}
