//! An indicator has at most one measurement per district (or the city) and period.
//!
//! The service already refused a second one; this makes the database refuse it too, so
//! two admins recording the same period at once cannot both succeed. `district_id` and
//! `term` may be null (the city; a whole year), and a plain unique index lets nulls
//! repeat on both databases, so the index is over expressions that turn them into
//! values no row holds (`0`, `''`). SQLite and PostgreSQL both index expressions.

use sea_orm_migration::prelude::*;

/// The migration.
#[derive(Debug, DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ux_measurement_period";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {INDEX} ON measurement \
                 (indicator_id, COALESCE(district_id, 0), year, COALESCE(term, ''))"
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!("DROP INDEX {INDEX}"))
            .await?;
        Ok(())
    }
}
