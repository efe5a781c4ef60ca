//! Migrations over a database that already holds data, as a city's would: the city-cycle
//! migration (which rebuilds `action_plan` on SQLite to make its district optional) keeps
//! every plan and the activities pointing at it, gives existing plans their district's
//! administration as owner, and leaves foreign keys enforced. The kept row counts start
//! from the rows already there and their migration goes down and up again.

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

use crate::helpers::fresh_database;

/// Stockholm and its district Skarpnäck, as the initial schema holds them.
const SKARPNACK: [&str; 2] = [
    "INSERT INTO municipality (id, slug, name) VALUES (1, 'stockholm', 'Stockholms stad')",
    "INSERT INTO district (id, municipality_id, slug, name) VALUES (1, 1, 'skarpnack', 'Skarpnäck')",
];

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn one_i64(db: &DatabaseConnection, sql: &str) -> Option<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| panic!("{sql}: no row"));
    row.try_get_by_index::<Option<i64>>(0)
        .or_else(|_| {
            row.try_get_by_index::<Option<i32>>(0)
                .map(|v| v.map(i64::from))
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn the_city_cycle_migration_keeps_plans_and_their_activities_and_gives_plans_an_owner() {
    let fresh = fresh_database().await;
    let db = Database::connect(&fresh.url).await.expect("connect");
    Migrator::up(&db, Some(1))
        .await
        .expect("the initial migration");
    let at = "'2024-01-01 00:00:00+00:00'";
    for sql in [
        SKARPNACK[0].to_string(),
        SKARPNACK[1].to_string(),
        "INSERT INTO organization (id, slug, name, kind) VALUES (1, 'lpo', 'Lokalpolisområde', 'POLICE'), \
         (2, 'skarpnack-sdf', 'Skarpnäcks stadsdelsförvaltning', 'DISTRICT_ADMINISTRATION')"
            .to_string(),
        "INSERT INTO organization_district (organization_id, district_id) VALUES (1, 1), (2, 1)"
            .to_string(),
        format!(
            "INSERT INTO action_plan (id, district_id, slug, title, version, created_at, updated_at) \
             VALUES (7, 1, 'skarpnack-2020', 'Lokal handlingsplan', 3, {at}, {at})"
        ),
        format!(
            "INSERT INTO activity (id, action_plan_id, position, description, follow_up_terms, version, created_at, updated_at) \
             VALUES (11, 7, 1, 'Trygghetsvandringar', 'T1', 1, {at}, {at})"
        ),
        format!(
            "INSERT INTO collaboration_group (id, district_id, slug, name, kind, version, created_at, updated_at) \
             VALUES (5, 1, 'skarpnack-sig', 'SIG', 'SIG', 1, {at}, {at})"
        ),
    ] {
        exec(&db, &sql).await;
    }

    Migrator::up(&db, None)
        .await
        .expect("the remaining migrations");

    assert_eq!(
        one_i64(&db, "SELECT organization_id FROM action_plan WHERE id = 7").await,
        Some(2),
        "an existing plan is owned by its district's administration"
    );
    assert_eq!(
        one_i64(&db, "SELECT version FROM action_plan WHERE id = 7").await,
        Some(3),
        "the plan's columns are kept"
    );
    assert_eq!(
        one_i64(
            &db,
            "SELECT COUNT(*) FROM activity a JOIN action_plan p ON p.id = a.action_plan_id"
        )
        .await,
        Some(1),
        "the activity still points at its plan"
    );
    // A body's own plan: no district.
    exec(
        &db,
        &format!(
            "INSERT INTO action_plan (slug, title, organization_id, version, created_at, updated_at) \
             VALUES ('socialnamnden-2024', 'Åtgärdsplan', 1, 1, {at}, {at})"
        ),
    )
    .await;
    // Foreign keys are still enforced, on the rebuilt table and on those pointing at it.
    for sql in [
        format!(
            "INSERT INTO activity (action_plan_id, position, description, version, created_at, updated_at) \
             VALUES (999, 1, 'x', 1, {at}, {at})"
        ),
        format!(
            "INSERT INTO action_plan (slug, title, district_id, version, created_at, updated_at) \
             VALUES ('nowhere', 'x', 999, 1, {at}, {at})"
        ),
    ] {
        assert!(
            db.execute_unprepared(&sql).await.is_err(),
            "a dangling reference is refused: {sql}"
        );
    }
    // Every existing group has its one kind in the kinds table, first.
    assert_eq!(
        one_i64(
            &db,
            "SELECT COUNT(*) FROM collaboration_group_kind \
             WHERE collaboration_group_id = 5 AND kind = 'SIG' AND position = 0"
        )
        .await,
        Some(1)
    );
    db.close().await.ok();
}

/// The kept row counts (`row_count`) start from the rows a database already holds, the
/// triggers keep them from then on, and the migration goes down (table, triggers and
/// functions gone) and up again, counting anew.
#[tokio::test]
async fn the_row_count_migration_counts_existing_rows_and_goes_down_and_up() {
    let fresh = fresh_database().await;
    let db = Database::connect(&fresh.url).await.expect("connect");
    let migrations: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at_row_count = migrations
        .iter()
        .position(|m| m == "m20261202_000002_row_count")
        .expect("the row_count migration") as u32;
    Migrator::up(&db, Some(at_row_count))
        .await
        .expect("the migrations before row_count");
    let at = "'2024-01-01 00:00:00+00:00'";
    let activity = |description: &str| {
        format!(
            "INSERT INTO activity (action_plan_id, position, description, version, created_at, updated_at) \
             VALUES (7, 1, '{description}', 1, {at}, {at})"
        )
    };
    for sql in [
        SKARPNACK[0].to_string(),
        SKARPNACK[1].to_string(),
        format!(
            "INSERT INTO action_plan (id, district_id, slug, title, version, created_at, updated_at) \
             VALUES (7, 1, 'skarpnack-2020', 'Lokal handlingsplan', 1, {at}, {at})"
        ),
        activity("Trygghetsvandringar"),
        activity("Nattvandringar"),
    ] {
        exec(&db, &sql).await;
    }
    let kept = "SELECT n FROM row_count WHERE table_name = 'activity'";

    Migrator::up(&db, None).await.expect("row_count and after");
    assert_eq!(one_i64(&db, kept).await, Some(2), "the rows already there");
    assert_eq!(
        one_i64(
            &db,
            "SELECT n FROM row_count WHERE table_name = 'commitment'"
        )
        .await,
        Some(0)
    );
    exec(&db, &activity("Läxhjälp")).await;
    assert_eq!(one_i64(&db, kept).await, Some(3), "counted by the trigger");

    let after = migrations.len() as u32 - at_row_count;
    Migrator::down(&db, Some(after))
        .await
        .expect("down to before row_count");
    assert!(
        db.execute_unprepared("SELECT n FROM row_count")
            .await
            .is_err(),
        "the table is gone"
    );
    // No trigger is left to count (or to fail on the missing table).
    exec(&db, &activity("Fritidsgård")).await;
    exec(
        &db,
        "DELETE FROM activity WHERE description = 'Nattvandringar'",
    )
    .await;

    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(one_i64(&db, kept).await, Some(3), "counted anew");
    exec(&db, "DELETE FROM action_plan WHERE id = 7").await;
    assert_eq!(one_i64(&db, kept).await, Some(0), "a cascade counts");
    db.close().await.ok();
}
