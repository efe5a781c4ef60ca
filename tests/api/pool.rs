//! The connection pool gives a connection back only in a state the next request can rely
//! on. On PostgreSQL the pool (vendor/sqlx-core, vendor/sqlx-postgres) skips its ping on
//! release for a connection at rest — every message answered, nothing buffered, no
//! transaction open — and tests any other as before. These tests interrupt a connection in
//! each way a request can (a dropped transaction, a statement cancelled while the database
//! works on it, a backend killed under it) on a pool of one connection, and check that the
//! next statement runs on a usable connection.

use std::time::{Duration, Instant};

use api::db::{StatementCounter, connect};
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait,
};

use crate::helpers::{fresh_database, test_settings};

async fn scalar(db: &DatabaseConnection, sql: &str) -> Result<i64, sea_orm::DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("no row from {sql}")))?;
    row.try_get_by_index::<i64>(0)
}

/// The rows of the probe table, as the pool's connection sees them.
async fn probe_rows(db: &DatabaseConnection) -> i64 {
    scalar(db, "SELECT count(*) FROM pool_probe").await.unwrap()
}

#[tokio::test]
async fn an_interrupted_connection_is_made_usable_or_replaced() {
    let fresh = fresh_database().await;
    let db = connect(&test_settings(&fresh.url), 1, StatementCounter::default())
        .await
        .unwrap();
    db.execute_unprepared("CREATE TABLE pool_probe (n BIGINT)")
        .await
        .unwrap();

    // A transaction dropped without a commit: rolled back, and the one connection serves
    // the next statement outside any transaction.
    {
        let txn = db.begin().await.unwrap();
        txn.execute_unprepared("INSERT INTO pool_probe VALUES (1)")
            .await
            .unwrap();
    }
    assert_eq!(probe_rows(&db).await, 0);
    db.execute_unprepared("INSERT INTO pool_probe VALUES (2)")
        .await
        .unwrap();
    assert_eq!(
        probe_rows(&db).await,
        1,
        "a statement after the dropped transaction is committed on its own"
    );

    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }

    // Every connection plans with the service's random_page_cost (default 1.1).
    let cost = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('random_page_cost')",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap();
    assert_eq!(cost, "1.1");

    // A statement cancelled while the database still works on it: its answer is drained
    // before the connection serves again.
    let cancelled = tokio::time::timeout(
        Duration::from_millis(50),
        scalar(&db, "SELECT count(*) FROM (SELECT pg_sleep(0.4)) AS s"),
    )
    .await;
    assert!(cancelled.is_err(), "the slow statement was not cancelled");
    assert_eq!(scalar(&db, "SELECT 7::BIGINT").await.unwrap(), 7);
    assert_eq!(probe_rows(&db).await, 1);

    // The backend of the pool's connection is killed while the connection rests in the
    // pool: at most one statement fails, and the pool then opens a new connection.
    let pid = scalar(&db, "SELECT pg_backend_pid()::BIGINT")
        .await
        .unwrap();
    let admin = Database::connect(&fresh.url).await.unwrap();
    admin
        .execute_unprepared(&format!("SELECT pg_terminate_backend({pid})"))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while scalar(
        &admin,
        &format!("SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}"),
    )
    .await
    .unwrap()
        > 0
    {
        assert!(Instant::now() < deadline, "the backend did not end");
        tokio::task::yield_now().await;
    }
    let first = scalar(&db, "SELECT pg_backend_pid()::BIGINT").await;
    let now = match first {
        Ok(now) => now,
        Err(_) => scalar(&db, "SELECT pg_backend_pid()::BIGINT")
            .await
            .expect("the pool replaced the broken connection"),
    };
    assert_ne!(now, pid, "the killed backend's connection was used again");
    admin.close().await.ok();
    db.close().await.ok();
}
