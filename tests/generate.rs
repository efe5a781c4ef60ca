//! `samverkan generate`: a small synthetic nation on a fresh database (SQLite, or
//! PostgreSQL when `TEST_DATABASE_URL` is set), deterministic from its seed, beside the
//! intact demo data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use api::generate::{Options, Report, generate};
use entity::{district, follow_up, municipality};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

async fn prepared(url: &str) -> DatabaseConnection {
    api::db::prepare(url, false).await.expect("migrate");
    let db = api::db::connect(
        &helpers::test_settings(url),
        2,
        api::db::StatementCounter::default(),
    )
    .await
    .expect("connect");
    api::seed::load(&db).await.expect("demo data");
    db
}

fn options(municipalities: u32, seed: u64) -> Options {
    Options {
        municipalities,
        seed,
        progress: false,
    }
}

async fn stockholm_districts(db: &DatabaseConnection) -> u64 {
    let stockholm = municipality::Entity::find()
        .filter(municipality::Column::Slug.eq("stockholm"))
        .one(db)
        .await
        .unwrap()
        .expect("Stockholm is there");
    district::Entity::find()
        .filter(district::Column::MunicipalityId.eq(stockholm.id))
        .count(db)
        .await
        .unwrap()
}

fn assert_plausible(report: &Report) {
    assert_eq!(report.added, 2, "{report}");
    assert_eq!(report.rows_of("municipality"), 2);
    let districts = report.rows_of("district");
    assert!((4..=38).contains(&districts), "{report}");
    let per_district = |table: &str| report.rows_of(table) as f64 / districts as f64;
    // Per district: its SDF, its police area and 1–3 schools, plus the shared ones.
    assert!(per_district("organization") >= 3.0, "{report}");
    assert!(
        (2.0..=6.0).contains(&per_district("collaboration_group")),
        "{report}"
    );
    assert_eq!(report.rows_of("action_plan"), 2 * districts, "{report}");
    assert!(
        (20.0..=60.0).contains(&per_district("activity")),
        "{report}"
    );
    let groups = report.rows_of("collaboration_group") as f64;
    for table in ["participation", "commitment"] {
        let per_group = report.rows_of(table) as f64 / groups;
        assert!((2.0..=5.0).contains(&per_group), "{table}: {report}");
    }
    let per_activity =
        |table: &str| report.rows_of(table) as f64 / report.rows_of("activity") as f64;
    assert!(
        (1.0..=3.0).contains(&per_activity("responsibility")),
        "{report}"
    );
    // Most activities are followed up in most of their periods (12 for the 2019–2022
    // plan, 11 for the current one, fewer when a schedule skips terms).
    assert!(
        (6.0..=12.0).contains(&per_activity("follow_up")),
        "{report}"
    );
}

#[tokio::test]
async fn generates_a_plausible_deterministic_nation_beside_the_demo_data() {
    let first = helpers::fresh_database().await;
    let db = prepared(&first.url).await;
    assert_eq!(stockholm_districts(&db).await, 13);
    let before = district::Entity::find().count(&db).await.unwrap();

    let report = generate(&db, &options(2, 7)).await.expect("generate");
    assert_plausible(&report);

    // What the report counts is what is in the database, and the demo data is intact.
    assert_eq!(
        district::Entity::find().count(&db).await.unwrap(),
        before + report.rows_of("district")
    );
    assert_eq!(
        follow_up::Entity::find()
            .filter(follow_up::Column::Year.gte(2019))
            .count(&db)
            .await
            .unwrap(),
        // The demo data's follow-ups (Spånga-Tensta, T2 2021) plus the generated ones.
        22 + report.rows_of("follow_up")
    );
    assert_eq!(stockholm_districts(&db).await, 13);
    assert_eq!(
        api::seed::load(&db).await.unwrap().total(),
        0,
        "nothing to reload"
    );

    // Running it again adds nothing: the municipalities are there.
    let again = generate(&db, &options(2, 7)).await.expect("generate again");
    assert_eq!((again.added, again.skipped, again.total()), (0, 2, 0));
    db.close().await.unwrap();

    // The same seed on another fresh database gives the same rows.
    let second = helpers::fresh_database().await;
    let db2 = prepared(&second.url).await;
    let report2 = generate(&db2, &options(2, 7)).await.expect("generate");
    assert_eq!(report.rows, report2.rows);
    assert_eq!(stockholm_districts(&db2).await, 13);
    db2.close().await.unwrap();
}
