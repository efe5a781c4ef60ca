//! Exact row counts kept by the database for the largest lists (issue 17).
//!
//! A root connection's `totalCount` over a whole table was a `COUNT(*)`: on the national
//! data (42,485 commitments) an index-only scan of every row, 3–8 ms of the database's
//! time on each page asked for with its total — more than the page itself. The count of
//! a table changes only when rows are inserted or deleted, so the database keeps it:
//! `row_count` holds one row per kept table (`table_name`, `n`), and triggers on the
//! table add what each statement inserted and subtract what it deleted. Cascades
//! (a group's commitments going with it) are deletes and fire them too. The service
//! reads `n` for a root connection asked for without a filter; filtered lists still
//! count their rows.
//!
//! - **PostgreSQL**: statement-level `AFTER INSERT` / `AFTER DELETE` triggers with
//!   transition tables (one `UPDATE` per statement, whatever its size — `generate`'s bulk
//!   inserts and a plan import stay one update each) and `AFTER TRUNCATE` (back to 0).
//!   The update takes the row lock of the table's counter until the transaction ends:
//!   two transactions inserting into the *same* kept table wait for each other at
//!   commit. So only the largest lists that people write at a person's pace are kept —
//!   commitments and activities — and not `audit_event`, which every write of every
//!   user inserts into (nor the small lists, whose `COUNT(*)` costs little).
//! - **SQLite**: row-level triggers (SQLite has no statement-level ones); its writes are
//!   serialized anyway.
//!
//! The counts start from `COUNT(*)` of the rows present when the migration runs (counted
//! once the triggers exist).

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

/// The migration.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows are counted by the database.
const KEPT: [&str; 2] = ["commitment", "activity"];

fn postgres_up() -> Vec<String> {
    let mut sql = vec![
        "CREATE FUNCTION row_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ \
         DECLARE k bigint; \
         BEGIN \
           SELECT count(*) INTO k FROM inserted_rows; \
           IF k > 0 THEN \
             UPDATE row_count SET n = n + k WHERE table_name = TG_TABLE_NAME; \
           END IF; \
           RETURN NULL; \
         END $$"
            .to_owned(),
        "CREATE FUNCTION row_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ \
         DECLARE k bigint; \
         BEGIN \
           SELECT count(*) INTO k FROM deleted_rows; \
           IF k > 0 THEN \
             UPDATE row_count SET n = n - k WHERE table_name = TG_TABLE_NAME; \
           END IF; \
           RETURN NULL; \
         END $$"
            .to_owned(),
        "CREATE FUNCTION row_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           UPDATE row_count SET n = 0 WHERE table_name = TG_TABLE_NAME; \
           RETURN NULL; \
         END $$"
            .to_owned(),
    ];
    for t in KEPT {
        sql.push(format!(
            "CREATE TRIGGER {t}_row_count_insert AFTER INSERT ON {t} \
             REFERENCING NEW TABLE AS inserted_rows \
             FOR EACH STATEMENT EXECUTE FUNCTION row_count_inserted()"
        ));
        sql.push(format!(
            "CREATE TRIGGER {t}_row_count_delete AFTER DELETE ON {t} \
             REFERENCING OLD TABLE AS deleted_rows \
             FOR EACH STATEMENT EXECUTE FUNCTION row_count_deleted()"
        ));
        sql.push(format!(
            "CREATE TRIGGER {t}_row_count_truncate AFTER TRUNCATE ON {t} \
             FOR EACH STATEMENT EXECUTE FUNCTION row_count_truncated()"
        ));
    }
    sql
}

fn sqlite_up() -> Vec<String> {
    let mut sql = Vec::new();
    for t in KEPT {
        sql.push(format!(
            "CREATE TRIGGER {t}_row_count_insert AFTER INSERT ON {t} BEGIN \
             UPDATE row_count SET n = n + 1 WHERE table_name = '{t}'; END"
        ));
        sql.push(format!(
            "CREATE TRIGGER {t}_row_count_delete AFTER DELETE ON {t} BEGIN \
             UPDATE row_count SET n = n - 1 WHERE table_name = '{t}'; END"
        ));
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE TABLE row_count (table_name VARCHAR(63) NOT NULL PRIMARY KEY, n BIGINT NOT NULL)",
        )
        .await?;
        let triggers = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => sqlite_up(),
            _ => postgres_up(),
        };
        for statement in triggers {
            db.execute_unprepared(&statement).await?;
        }
        // Counted after the triggers exist: on PostgreSQL `CREATE TRIGGER` holds a lock
        // that keeps writers out of the table until the migration's transaction ends.
        for t in KEPT {
            db.execute_unprepared(&format!(
                "INSERT INTO row_count (table_name, n) SELECT '{t}', COUNT(*) FROM {t}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() != DatabaseBackend::Sqlite;
        for t in KEPT {
            let on = if postgres {
                format!(" ON {t}")
            } else {
                String::new()
            };
            for kind in ["insert", "delete"] {
                db.execute_unprepared(&format!("DROP TRIGGER {t}_row_count_{kind}{on}"))
                    .await?;
            }
            if postgres {
                db.execute_unprepared(&format!("DROP TRIGGER {t}_row_count_truncate{on}"))
                    .await?;
            }
        }
        if postgres {
            for f in ["inserted", "deleted", "truncated"] {
                db.execute_unprepared(&format!("DROP FUNCTION row_count_{f}()"))
                    .await?;
            }
        }
        db.execute_unprepared("DROP TABLE row_count").await?;
        Ok(())
    }
}
