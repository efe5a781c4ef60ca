//! The row counts the database keeps (table `row_count`, migration
//! `m20261202_000002_row_count`) are the real counts, whatever writes the rows.
//!
//! `commitments { totalCount }` and `activities { totalCount }` without a filter read the
//! count the database keeps for the table instead of counting every row
//! (`api/src/graphql/engine/pagination.rs`, `Total::Kept`). The property: after any
//! sequence of writes, each kept count equals `COUNT(*)` of its table. The writes are
//! drawn by proptest from a fixed seed (a failure names a sequence that fails again)
//! among every way rows come and go: the API's creates and deletes, a plan imported from
//! Word (22 activities in one transaction), cascades (a group deleted takes its
//! commitments, a plan its activities), statements that insert or delete many rows at
//! once, and a transaction rolled back. After each write the API's answer and the
//! table's `COUNT(*)` must agree, for both tables. So must they after
//! `samverkan generate`'s bulk inserts, and after a `TRUNCATE` on PostgreSQL.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sea_orm::{ConnectionTrait, DatabaseBackend, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, operation, spawn_app_with};
use crate::imports::{fixture, upload};

/// One way rows come or go.
#[derive(Debug, Clone)]
enum Write {
    /// `createCommitment` by an admin, for the `n`th (group, organization) pair met.
    CreateCommitment(usize),
    /// `deleteCommitment` of the `n`th commitment this test created and still holds.
    DeleteCommitment(usize),
    /// `createActivity` by an admin in the `n`th plan met.
    CreateActivity(usize),
    /// `deleteActivity` (with its follow-ups) of the `n`th activity this test created.
    DeleteActivity(usize),
    /// `importActionPlan` of Bromma's plan from Word into the `n`th district (its 22
    /// rows, created the first time in one transaction, updated or unchanged later).
    ImportPlan(usize),
    /// `DELETE` of the `n`th collaboration group: its commitments go with it.
    DeleteGroup(usize),
    /// `DELETE` of the `n`th action plan: its activities go with it.
    DeletePlan(usize),
    /// One `INSERT … SELECT` copying `n` commitments.
    CopyCommitments(u8),
    /// One `DELETE` of the `n` newest commitments.
    DeleteNewestCommitments(u8),
    /// An insert into both tables in a transaction that is rolled back.
    RolledBack,
}

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        3 => (0..8usize).prop_map(Write::CreateCommitment),
        2 => (0..8usize).prop_map(Write::DeleteCommitment),
        3 => (0..8usize).prop_map(Write::CreateActivity),
        2 => (0..8usize).prop_map(Write::DeleteActivity),
        2 => (0..6usize).prop_map(Write::ImportPlan),
        1 => (0..8usize).prop_map(Write::DeleteGroup),
        1 => (0..8usize).prop_map(Write::DeletePlan),
        1 => (0..12u8).prop_map(Write::CopyCommitments),
        2 => (0..12u8).prop_map(Write::DeleteNewestCommitments),
        1 => Just(Write::RolledBack),
    ]
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(backend, sql))
        .await
        .expect(sql)
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("a number")
}

/// `COUNT(*)` of both tables, and what the API answers for their whole lists.
async fn counts(app: &TestApp) -> ((i64, i64), (i64, i64)) {
    let data = app
        .query(
            "{ commitments(first: 1) { totalCount } activities(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    let api = (
        data["commitments"]["totalCount"].as_i64().expect("a count"),
        data["activities"]["totalCount"].as_i64().expect("a count"),
    );
    let sql = (
        scalar(app, "SELECT COUNT(*) FROM commitment").await,
        scalar(app, "SELECT COUNT(*) FROM activity").await,
    );
    (api, sql)
}

fn pick<T: Clone>(items: &[T], n: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[n % items.len()].clone())
}

/// `field` (`deleteCommitment`, `deleteActivity`) of the `n`th of `ids` at version 1,
/// taken out of `ids`. A row gone with its group or plan is not found: nothing happens.
async fn delete_nth(app: &TestApp, token: &str, field: &str, ids: &mut Vec<Value>, n: usize) {
    if ids.is_empty() {
        return;
    }
    let id = ids.remove(n % ids.len());
    app.run_as(
        token,
        &format!("mutation($id: ID!) {{ {field}(input: {{ id: $id, expectedVersion: 1 }}) {{ deletedId }} }}"),
        json!({ "id": id }),
    )
    .await;
}

const COPY_COLUMNS: &str = "group_id, organization_id, text, version, created_at, updated_at";

#[tokio::test]
async fn kept_counts_equal_count_after_every_kind_of_write() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let admin = app.admin_token();
    let data = app
        .query(
            "{ commitments(first: 100) { nodes { group { id } organization { id } } }
               actionPlans(first: 100) { nodes { id } }
               districts(first: 6) { nodes { id } } }",
            json!({}),
        )
        .await;
    let pairs: Vec<(Value, Value)> = data["commitments"]["nodes"]
        .as_array()
        .expect("commitments")
        .iter()
        .map(|c| (c["group"]["id"].clone(), c["organization"]["id"].clone()))
        .collect();
    let plans: Vec<Value> = data["actionPlans"]["nodes"]
        .as_array()
        .expect("plans")
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    let districts: Vec<Value> = data["districts"]["nodes"]
        .as_array()
        .expect("districts")
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert!(
        !pairs.is_empty() && !plans.is_empty() && !districts.is_empty(),
        "demo data: {data}"
    );
    let (api, sql) = counts(&app).await;
    assert_eq!(api, sql, "after the seed");

    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[17; 32]),
    );
    let writes: Vec<Write> = proptest::collection::vec(write(), 48)
        .new_tree(&mut runner)
        .expect("writes")
        .current();
    let (mut commitments, mut activities) = (Vec::<Value>::new(), Vec::<Value>::new());
    let mut kinds = std::collections::BTreeSet::new();
    for (step, w) in writes.iter().enumerate() {
        let before = counts(&app).await.1;
        match w {
            Write::CreateCommitment(n) => {
                let Some((g, o)) = pick(&pairs, *n) else {
                    continue;
                };
                // The group may be gone (DeleteGroup): then nothing is written.
                let created = app
                    .run_as(
                        &admin,
                        r#"mutation($g: ID!, $o: ID!) { createCommitment(input: { group: $g, organization: $o, text: "Vi deltar." }) { commitment { id } userErrors { message } } }"#,
                        json!({ "g": g, "o": o }),
                    )
                    .await;
                commitments.extend(created.pointer("/createCommitment/commitment/id").cloned());
            }
            Write::DeleteCommitment(n) => {
                delete_nth(&app, &admin, "deleteCommitment", &mut commitments, *n).await;
            }
            Write::CreateActivity(n) => {
                let Some(p) = pick(&plans, *n) else { continue };
                let created = app
                    .run_as(
                        &admin,
                        r#"mutation($p: ID!) { createActivity(input: { actionPlan: $p, description: "Trygghetsvandring." }) { activity { id } userErrors { message } } }"#,
                        json!({ "p": p }),
                    )
                    .await;
                activities.extend(created.pointer("/createActivity/activity/id").cloned());
            }
            Write::DeleteActivity(n) => {
                delete_nth(&app, &admin, "deleteActivity", &mut activities, *n).await;
            }
            Write::ImportPlan(n) => {
                let Some(district) = pick(&districts, *n) else {
                    continue;
                };
                let (status, body) = upload(
                    &app,
                    &admin,
                    &operation("ImportActionPlan"),
                    json!({ "district": district, "dryRun": false }),
                    ("bromma-2019-2022.docx", &fixture("bromma-2019-2022.docx")),
                )
                .await;
                assert_eq!(status, 200, "{body}");
                assert_eq!(
                    body["data"]["importActionPlan"]["userErrors"],
                    json!([]),
                    "{body}"
                );
            }
            Write::DeleteGroup(n) => {
                app.db
                    .execute_unprepared(&format!(
                        "DELETE FROM collaboration_group WHERE id = \
                         (SELECT id FROM collaboration_group ORDER BY id LIMIT 1 OFFSET {})",
                        n % 4
                    ))
                    .await
                    .expect("delete a group");
            }
            Write::DeletePlan(n) => {
                app.db
                    .execute_unprepared(&format!(
                        "DELETE FROM action_plan WHERE id = \
                         (SELECT id FROM action_plan ORDER BY id DESC LIMIT 1 OFFSET {})",
                        n % 3
                    ))
                    .await
                    .expect("delete a plan");
            }
            Write::CopyCommitments(k) => {
                app.db
                    .execute_unprepared(&format!(
                        "INSERT INTO commitment ({COPY_COLUMNS}) \
                         SELECT {COPY_COLUMNS} FROM commitment ORDER BY id LIMIT {k}"
                    ))
                    .await
                    .expect("copy commitments");
            }
            Write::DeleteNewestCommitments(k) => {
                app.db
                    .execute_unprepared(&format!(
                        "DELETE FROM commitment WHERE id IN \
                         (SELECT id FROM commitment ORDER BY id DESC LIMIT {k})"
                    ))
                    .await
                    .expect("delete commitments");
            }
            Write::RolledBack => {
                let txn = app.db.begin().await.expect("begin");
                txn.execute_unprepared(&format!(
                    "INSERT INTO commitment ({COPY_COLUMNS}) \
                     SELECT {COPY_COLUMNS} FROM commitment ORDER BY id LIMIT 3"
                ))
                .await
                .expect("insert");
                txn.execute_unprepared("DELETE FROM activity WHERE id IN (SELECT id FROM activity ORDER BY id LIMIT 2)")
                    .await
                    .expect("delete");
                txn.rollback().await.expect("rollback");
            }
        }
        let (api, sql) = counts(&app).await;
        assert_eq!(api, sql, "kept (API) vs COUNT(*) after step {step}, {w:?}");
        if sql != before {
            kinds.insert(
                format!("{w:?}")
                    .split('(')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
    }
    // The sequence really changed the counts by most kinds of write (all but the
    // rollback, which must not).
    assert!(
        kinds.len() >= 8,
        "only these kinds of write changed a count: {kinds:?} in {writes:?}"
    );
}

/// The whole list's `totalCount` is read from `row_count`, not counted: a count changed
/// there behind the triggers' back shows in the whole list and nowhere else — a
/// filtered list and a nested one still count their rows. Every cursor of the list
/// shares the whole list's count.
#[tokio::test]
async fn the_whole_lists_total_is_the_kept_count_and_filtered_lists_count() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let query = r#"query($d: ID!) {
        all: commitments(first: 2) { totalCount pageInfo { endCursor } }
        mine: commitments(filter: { district: $d }) { totalCount }
        acts: activities { totalCount }
        actsOf: activities(filter: { district: $d }) { totalCount }
    }"#;
    let district = app
        .id_of(r#"{ district(slug: "skarpnack") { id } }"#, "/district/id")
        .await;
    let vars = json!({ "d": district });
    let before = app.query(query, vars.clone()).await;
    assert_eq!(
        before["all"]["totalCount"].as_i64(),
        Some(scalar(&app, "SELECT COUNT(*) FROM commitment").await)
    );
    app.db
        .execute_unprepared("UPDATE row_count SET n = n + 1000")
        .await
        .expect("move the kept counts");
    let after = app.query(query, vars.clone()).await;
    for (list, moved) in [("all", 1000), ("mine", 0), ("acts", 1000), ("actsOf", 0)] {
        assert_eq!(
            after[list]["totalCount"].as_i64().unwrap(),
            before[list]["totalCount"].as_i64().unwrap() + moved,
            "{list}: {before} → {after}"
        );
    }
    let cursor = after["all"]["pageInfo"]["endCursor"].clone();
    let next = app
        .query(
            "query($c: String) { commitments(first: 2, after: $c) { totalCount } }",
            json!({ "c": cursor }),
        )
        .await;
    assert_eq!(
        next["commitments"]["totalCount"],
        after["all"]["totalCount"]
    );
}

/// On PostgreSQL a `TRUNCATE` (which fires no delete trigger) sets the count to 0.
#[tokio::test]
async fn a_truncated_table_keeps_a_count_of_zero() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    if app.db.get_database_backend() != DatabaseBackend::Postgres {
        // SQLite has no TRUNCATE (its `DELETE FROM t` fires the delete trigger per row,
        // which the property test covers).
        app.db
            .execute_unprepared("DELETE FROM commitment")
            .await
            .expect("delete all");
    } else {
        app.db
            .execute_unprepared("TRUNCATE commitment")
            .await
            .expect("truncate");
    }
    let (api, sql) = counts(&app).await;
    assert_eq!(sql.0, 0);
    assert_eq!(api, sql);
}

/// `samverkan generate` writes thousands of rows in statements of many rows each: the
/// counts follow.
#[tokio::test]
async fn a_generated_nation_is_counted() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let options = api::generate::Options {
        municipalities: 3,
        seed: 11,
        progress: false,
    };
    api::generate::generate(&app.db, &options)
        .await
        .expect("generate");
    let (api, sql) = counts(&app).await;
    assert!(sql.0 > 100 && sql.1 > 100, "{sql:?}");
    assert_eq!(api, sql);
}
