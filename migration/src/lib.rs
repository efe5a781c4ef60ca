//! Samverkan's database migrations.
//!
//! Migrations are history: each file describes the schema change it made, in its own
//! words, and never imports the `entity` crate (entities describe the schema *now*).
//! The same migrations run on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_initial;
mod m20261130_000001_city_cycle;
mod m20261201_000001_measurement_once;
mod m20261202_000001_provider_group;
mod m20261202_000002_row_count;
mod util;

/// The ordered list of Samverkan's migrations.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_initial::Migration),
            Box::new(m20261130_000001_city_cycle::Migration),
            Box::new(m20261201_000001_measurement_once::Migration),
            Box::new(m20261202_000001_provider_group::Migration),
            Box::new(m20261202_000002_row_count::Migration),
        ]
    }
}
