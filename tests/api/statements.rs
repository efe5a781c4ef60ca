//! A request costs a number of SQL statements bounded by its depth, not by its rows.

use serde_json::json;

use api::auth::Role;

use crate::helpers::{TestApp, operation, operation_in, spawn_app, spawn_app_with};

/// Run `operation` of `query` with `token`: the statements it cost, the status, the body.
async fn counted(
    app: &TestApp,
    token: &str,
    query: &str,
    operation: &str,
    variables: serde_json::Value,
) -> (u64, u16, serde_json::Value) {
    let before = app.statements.get();
    let (status, body) = app
        .graphql_op(Some(token), query, Some(operation), variables)
        .await;
    (app.statements.get() - before, status, body)
}

/// The deep read of the foundation issue: every district, its groups with each seat's
/// organization and promises, its plans with each row's follow-ups and responsibilities.
const DEEP: &str = r#"
{
  districts(first: FIRST) {
    nodes {
      name
      collaborationGroups(first: 50) {
        nodes {
          name
          participations {
            contactRole
            organization { name }
            commitments { text }
          }
        }
      }
      actionPlans(first: 10) {
        nodes {
          title
          activities(first: 100) {
            nodes {
              goal
              followUps { status effects }
              responsibilities { role }
            }
          }
        }
      }
    }
  }
}
"#;

/// The depth of a query: how deeply its selection sets nest (the operation's own set
/// counts as 1, so `{ a { b } }` has depth 2). Braces inside arguments (input objects,
/// `filter: { … }`) are no selection sets and do not count.
fn depth(query: &str) -> u64 {
    let (mut now, mut max, mut args) = (0u64, 0u64, 0u32);
    for c in query.chars() {
        match c {
            '(' => args += 1,
            ')' => args -= 1,
            '{' if args == 0 => {
                now += 1;
                max = max.max(now);
            }
            '}' if args == 0 => now -= 1,
            _ => {}
        }
    }
    max
}

async fn statements_for(app: &TestApp, query: &str) -> (u64, serde_json::Value) {
    let before = app.statements.get();
    let data = app.query(query, json!({})).await;
    (app.statements.get() - before, data)
}

#[tokio::test]
async fn deep_dashboard_costs_at_most_depth_plus_one_statements() {
    let app = spawn_app().await;
    let query = DEEP.replace("FIRST", "13");
    let (statements, data) = statements_for(&app, &query).await;

    // The request really touched the rows: 13 districts, the groups and seats of
    // Skarpnäck, Bromma and Spånga-Tensta, four plans with their rows and follow-ups.
    let districts = data["districts"]["nodes"].as_array().unwrap();
    assert_eq!(districts.len(), 13);
    let seats: usize = districts
        .iter()
        .flat_map(|d| d["collaborationGroups"]["nodes"].as_array().unwrap())
        .map(|g| g["participations"].as_array().unwrap().len())
        .sum();
    assert_eq!(seats, 52);
    let follow_ups: usize = districts
        .iter()
        .flat_map(|d| d["actionPlans"]["nodes"].as_array().unwrap())
        .flat_map(|p| p["activities"]["nodes"].as_array().unwrap())
        .map(|a| a["followUps"].as_array().unwrap().len())
        .sum();
    assert_eq!(follow_ups, 22);

    let depth = depth(&query);
    assert_eq!(depth, 8);
    eprintln!("deep read over 13 districts: {statements} SQL statements, depth {depth}");
    assert!(
        statements <= depth + 1,
        "{statements} statements for a query of depth {depth}"
    );

    // One district or thirteen: the same number of statements.
    let (one, _) = statements_for(&app, &DEEP.replace("FIRST", "1")).await;
    assert!(
        one <= statements,
        "{one} statements for one district, {statements} for 13"
    );
}

/// The frontends' district dashboard (tests/operations.graphql), run as they send it.
#[tokio::test]
async fn the_district_dashboard_costs_depth_plus_one_statements_every_time() {
    let app = spawn_app().await;
    let query = operation("DistrictDashboard");
    let token = app.viewer_token();
    let mut counts = Vec::new();
    for _ in 0..3 {
        let (n, status, body) = counted(
            &app,
            &token,
            &query,
            "DistrictDashboard",
            json!({ "slug": "skarpnack" }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        counts.push(n);
        // Every relation came back, including those fetched by joins.
        let d = &body["data"]["district"];
        assert_eq!(d["municipality"]["name"], "Stockholms stad");
        let groups = d["collaborationGroups"]["nodes"].as_array().unwrap();
        assert!(
            groups
                .iter()
                .flat_map(|g| g["participations"].as_array().unwrap())
                .all(|p| p["organization"]["name"].is_string())
        );
        let activities: Vec<&serde_json::Value> = d["actionPlans"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["activities"]["nodes"].as_array().unwrap())
            .collect();
        assert!(
            activities
                .iter()
                .any(|a| a["priorityArea"]["name"].is_string())
        );
        assert!(
            activities
                .iter()
                .flat_map(|a| a["responsibilities"].as_array().unwrap())
                .all(|r| r["organization"]["name"].is_string())
        );
    }
    let depth = depth(&query);
    assert_eq!(depth, 8);
    eprintln!("district dashboard: {counts:?} SQL statements, depth {depth}");
    // Batches are the levels of the query, not whatever a timer caught: the same count
    // on every run.
    assert!(counts.iter().all(|&n| n == counts[0]), "{counts:?}");
    assert!(
        counts[0] <= depth + 1,
        "{counts:?} statements for depth {depth}"
    );
}

/// A request's loader remembers what it read, but never across a write: the second
/// mutation of a document sees what the first one wrote.
#[tokio::test]
async fn a_write_in_a_request_is_seen_by_what_the_request_reads_next() {
    let app = spawn_app().await;
    let police = app.sspf_commitment_of("lpo-farsta").await;
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let mutation = r#"
      mutation($id: ID!) {
        first: updateCommitment(input: { id: $id, expectedVersion: 1, text: "Ett." }) {
          commitment { group { commitments { nodes { id text version } } } }
        }
        second: updateCommitment(input: { id: $id, expectedVersion: 2, text: "Två." }) {
          commitment { group { commitments { nodes { id text version } } } }
        }
      }"#;
    let data = app
        .run_as(&token, mutation, json!({ "id": police["id"] }))
        .await;
    let seen = |field: &str| {
        data[field]["commitment"]["group"]["commitments"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == police["id"])
            .map(|c| (c["text"].clone(), c["version"].clone()))
            .unwrap()
    };
    assert_eq!(seen("first"), (json!("Ett."), json!(2)));
    assert_eq!(seen("second"), (json!("Två."), json!(3)));
}

/// Root lists of the generated nation with the relations under them, one page size
/// (`FIRST`) for every list: (root field, query).
const PAGES: &[(&str, &str)] = &[
    (
        "districts",
        r#"{
  districts(first: FIRST) {
    nodes {
      name
      municipality { name }
      actionPlans(first: FIRST) {
        nodes {
          title
          activities(first: FIRST) {
            nodes {
              goal
              priorityArea { name }
              followUps { status }
              responsibilities { role organization { name } }
            }
          }
        }
      }
      collaborationGroups(first: FIRST) {
        nodes {
          name
          participations { contactRole organization { name } commitments { text } }
        }
      }
    }
  }
}"#,
    ),
    (
        "commitments",
        r#"{
  commitments(first: FIRST) {
    nodes { text organization { name districts { name } } group { name district { name } } }
  }
}"#,
    ),
    (
        "activities",
        r#"{
  activities(first: FIRST) {
    nodes { goal actionPlan { title district { name } } methods { name } followUps { status } }
  }
}"#,
    ),
    (
        "collaborationGroups",
        r#"{
  collaborationGroups(first: FIRST) {
    nodes { name district { name } participations { organization { name } } }
  }
}"#,
    ),
];

/// Full pages (up to the maximum, 100) on generated data cost what a page of one costs:
/// statements are bounded by the depth, the same for every page size and on every run.
/// (Lists of more than 30 items are resolved by a `FuturesUnordered`, which yields to
/// the runtime after 32 items; a driver that took that for "waiting" started batches
/// with a third of the keys.)
#[tokio::test]
async fn full_pages_of_generated_data_cost_the_same_statements_as_one_row() {
    // Three nested pages of 100 are over the shipped cost limit: lift it.
    let app = spawn_app_with(|s| s.max_complexity = usize::MAX).await;
    let options = api::generate::Options {
        municipalities: 10,
        seed: 7,
        progress: false,
    };
    api::generate::generate(&app.db, &options)
        .await
        .expect("generate");
    for (root, template) in PAGES {
        let depth = depth(template);
        let mut by_size = Vec::new();
        for first in [1, 10, 30, 31, 50, 99, 100] {
            let query = template.replace("FIRST", &first.to_string());
            let mut counts = Vec::new();
            for _ in 0..3 {
                let (n, data) = statements_for(&app, &query).await;
                // The pages really are full.
                let nodes = data[root]["nodes"].as_array().unwrap().len();
                assert_eq!(nodes, first, "{root}(first: {first})");
                counts.push(n);
            }
            assert!(
                counts.iter().all(|&n| n == counts[0]),
                "{root}(first: {first}): {counts:?}"
            );
            assert!(
                counts[0] <= depth + 1,
                "{root}(first: {first}): {counts:?} statements for depth {depth}"
            );
            by_size.push(counts[0]);
        }
        eprintln!(
            "{root}: {by_size:?} statements for pages of 1, 10, 30, 31, 50, 99, 100; depth {depth}"
        );
        // From 30 on every relation has rows to load: beyond that, the page size changes
        // nothing (a smaller page may meet only empty relations, and cost less).
        assert!(
            by_size[2..].iter().all(|&n| n == by_size[2]),
            "{root}: statements by page size 1, 10, 30, 31, 50, 99, 100: {by_size:?}"
        );
    }
}

#[test]
fn depth_counts_nested_selection_sets() {
    assert_eq!(depth("{ a }"), 1);
    assert_eq!(depth("{ a { b } c { d { e } } }"), 3);
    assert_eq!(depth("{ a(f: { g: { h: 1 } }) { b } }"), 2);
}

/// The operations the benchmark sends besides the frontends' (bench/run.sh).
const BENCH: &str = include_str!("../../bench/operations.graphql");

/// One commitment by its global ID, with what a page about it shows.
const COMMITMENT_BY_ID: &str = r#"query CommitmentById($id: ID!) {
  node(id: $id) {
    ... on Commitment {
      id
      text
      version
      organization { id name kind }
      group { id name kind district { name } }
    }
  }
}"#;

/// Full pages of 100 from the root lists, with their relations.
const COMMITMENTS_100: &str = r#"query Commitments100 {
  commitments(first: 100) {
    totalCount
    nodes { text organization { name kind } group { name district { name } } }
  }
}"#;

/// Full pages of 100 activities, with their relations.
const ACTIVITIES_100: &str = r#"query Activities100 {
  activities(first: 100) {
    nodes {
      goal
      actionPlan { title district { name municipality { name } } }
      methods { name }
      responsibilities { role organization { name } }
      followUps { status }
    }
  }
}"#;

/// A workload of the benchmark: its name, its document and operation, its variables,
/// and the list (a path of keys to an array) whose length shows the page was full.
struct Workload {
    name: &'static str,
    query: String,
    operation: &'static str,
    variables: serde_json::Value,
    page: Option<(&'static [&'static str], usize)>,
}

/// The benchmark's workloads on `slug` (the dashboard's district) and `district` (the
/// district whose commitments are listed, by global ID), with `commitment` read by ID.
fn workloads(
    slug: &str,
    district: &serde_json::Value,
    commitment: &serde_json::Value,
    commitments_of_district: usize,
    full_lists: bool,
) -> Vec<Workload> {
    let full = |n: usize| full_lists.then_some(n);
    let commitments: &'static [&'static str] = &["commitments", "nodes"];
    let activities: &'static [&'static str] = &["activities", "nodes"];
    let none = json!({});
    [
        (
            "district dashboard",
            operation("DistrictDashboard"),
            "DistrictDashboard",
            json!({ "slug": slug }),
            None,
        ),
        (
            "one commitment by ID",
            COMMITMENT_BY_ID.to_string(),
            "CommitmentById",
            json!({ "id": commitment }),
            None,
        ),
        (
            "50 commitments of a district",
            operation_in(BENCH, "CommitmentsOfDistrict"),
            "CommitmentsOfDistrict",
            json!({ "district": district }),
            Some((commitments, commitments_of_district)),
        ),
        (
            "100 commitments",
            COMMITMENTS_100.to_string(),
            "Commitments100",
            none.clone(),
            full(100).map(|n| (commitments, n)),
        ),
        (
            "100 activities",
            ACTIVITIES_100.to_string(),
            "Activities100",
            none.clone(),
            full(100).map(|n| (activities, n)),
        ),
        (
            "coverage by group kind",
            operation("CoverageByGroupKind"),
            "CoverageByGroupKind",
            none.clone(),
            None,
        ),
        (
            "coverage by organization kind",
            operation_in(BENCH, "CoverageByOrganizationKind"),
            "CoverageByOrganizationKind",
            none,
            None,
        ),
    ]
    .into_iter()
    .map(|(name, query, operation, variables, page)| Workload {
        name,
        query,
        operation,
        variables,
        page,
    })
    .collect()
}

/// Run every workload three times as the benchmark's token does; each must cost the same
/// statements every time, and at most its depth + 1. Answers (name, statements, depth).
async fn run_workloads(app: &TestApp, workloads: &[Workload]) -> Vec<(&'static str, u64, u64)> {
    // The benchmark's token (bench/run.sh): an admin of Stockholm's social services.
    let token = app.token("socialforvaltningen", Role::Admin);
    let mut out = Vec::new();
    for w in workloads {
        let mut counts = Vec::new();
        for _ in 0..3 {
            let (n, status, body) =
                counted(app, &token, &w.query, w.operation, w.variables.clone()).await;
            counts.push(n);
            assert_eq!(status, 200, "{}: {body}", w.name);
            assert!(body.get("errors").is_none(), "{}: {body}", w.name);
            if let Some((path, len)) = w.page {
                let list = path.iter().fold(&body["data"], |v, k| &v[*k]);
                let got = list.as_array().map_or(0, Vec::len);
                assert_eq!(got, len, "{}: the page holds {got} rows", w.name);
            }
        }
        assert!(
            counts.iter().all(|&n| n == counts[0]),
            "{}: {counts:?} statements",
            w.name
        );
        out.push((w.name, counts[0], depth(&w.query)));
    }
    let over: Vec<_> = out.iter().filter(|(_, n, d)| *n > d + 1).collect();
    assert!(
        over.is_empty(),
        "over depth + 1 (workload, statements, depth): {over:?} of {out:?}"
    );
    out
}

/// One value of the first row of `sql`, as text.
async fn sql_text(app: &TestApp, sql: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.get_database_backend();
    let row = app
        .db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .expect("query")
        .expect("a row");
    row.try_get_by_index::<String>(0).expect("text")
}

/// The global ID of district `slug` and the first commitment of its first group (the
/// benchmark's `BenchSetup`).
async fn bench_setup(app: &TestApp, slug: &str) -> (serde_json::Value, serde_json::Value) {
    let data = app
        .query(&operation_in(BENCH, "BenchSetup"), json!({ "slug": slug }))
        .await;
    let district = &data["district"];
    let commitment = &district["collaborationGroups"]["nodes"][0]["commitments"]["nodes"][0]["id"];
    (district["id"].clone(), commitment.clone())
}

/// How many municipalities the national-size test generates (seed 7: 91 districts besides
/// Stockholm's 13):
/// enough that every root list's page of 100 is full and the largest district is as
/// large as the national data's largest get (2–6 groups, 10–30 activities per plan).
const NATIONAL_SIZE: u32 = 10;

/// Statements per request ≤ depth + 1 on every workload of the benchmark (bench/run.sh,
/// with its admin token): the frontends' district dashboard, one commitment by ID,
/// `CommitmentsOfDistrict` (50 commitments with organization, group and `totalCount`),
/// full pages of 100 commitments and activities with their relations, and both coverage
/// matrices — on the Stockholm demo data, then on a generated nation beside it, on its
/// largest districts (by activities for the dashboard, by commitments for the list) —
/// and the update (`UpdateCommitment`, real edits of a generated commitment).
///
/// National size in CI time: the batching does not depend on the number of rows in the
/// tables, only on the rows of a page, so the test generates the smallest nation whose
/// pages are all full rather than all 290 municipalities (which `samverkan generate`
/// takes minutes for). A generated district has at most 30 commitments, so the test
/// copies the largest one's until its page of 50 is full. It runs on a multi-threaded
/// runtime, as the server does. Measured (debug build, 2 shared cores): generating 10
/// municipalities takes 2.0 s on SQLite and 6.4 s on PostgreSQL; the whole test 3.7 s and
/// 8.2 s. Counts (Stockholm and national alike): dashboard 9 (depth 8), commitment by ID 2
/// (5), `CommitmentsOfDistrict` 2 (4: the count, then the page with its organizations and
/// groups), 100 commitments 3 (5), 100 activities 6 (6), each coverage matrix 2 (4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_benchmark_workload_costs_at_most_depth_plus_one_statements() {
    let app = spawn_app().await;
    let started = std::time::Instant::now();
    let (district, commitment) = bench_setup(&app, "skarpnack").await;
    let stockholm = run_workloads(
        &app,
        &workloads("skarpnack", &district, &commitment, 16, false),
    )
    .await;
    eprintln!("Stockholm: {stockholm:?}");

    let options = api::generate::Options {
        municipalities: NATIONAL_SIZE,
        seed: 7,
        progress: false,
    };
    let generated = std::time::Instant::now();
    api::generate::generate(&app.db, &options)
        .await
        .expect("generate");
    let generated = generated.elapsed();
    // The district with the most rows reached through `parent` and `child`.
    let largest_by = |parent: &str, child: &str| {
        format!(
            "SELECT d.slug FROM district d JOIN {parent} p ON p.district_id = d.id \
             JOIN {child} GROUP BY d.id, d.slug ORDER BY COUNT(*) DESC, d.id LIMIT 1"
        )
    };
    let largest = sql_text(
        &app,
        &largest_by("action_plan", "activity a ON a.action_plan_id = p.id"),
    )
    .await;
    let most_commitments = sql_text(
        &app,
        &largest_by("collaboration_group", "commitment c ON c.group_id = p.id"),
    )
    .await;
    // A generated district has at most 30 commitments (2–6 groups, 2–5 each): copy the
    // district's own until its page of 50 is full.
    let copy = format!(
        "INSERT INTO commitment (group_id, organization_id, text, version, created_at, updated_at) \
         SELECT group_id, organization_id, text, 1, created_at, updated_at FROM commitment \
         WHERE group_id IN (SELECT g.id FROM collaboration_group g JOIN district d \
         ON d.id = g.district_id WHERE d.slug = '{most_commitments}')"
    );
    let count = format!(
        "SELECT CAST(COUNT(*) AS TEXT) FROM commitment c JOIN collaboration_group g \
         ON g.id = c.group_id JOIN district d ON d.id = g.district_id \
         WHERE d.slug = '{most_commitments}'"
    );
    while sql_text(&app, &count)
        .await
        .parse::<u32>()
        .expect("a count")
        < 50
    {
        use sea_orm::ConnectionTrait;
        app.db
            .execute_unprepared(&copy)
            .await
            .expect("copy commitments");
    }
    let (_, commitment) = bench_setup(&app, &largest).await;
    let (district, _) = bench_setup(&app, &most_commitments).await;
    let districts = sql_text(&app, "SELECT CAST(COUNT(*) AS TEXT) FROM district").await;
    let national =
        run_workloads(&app, &workloads(&largest, &district, &commitment, 50, true)).await;
    // The benchmark's update: real edits of a generated commitment by its token.
    let mut version = 1;
    let edits = real_edits(
        &app,
        &app.token("socialforvaltningen", Role::Admin),
        &commitment,
        &mut version,
        "the benchmark",
    )
    .await;
    eprintln!(
        "national ({districts} districts, {NATIONAL_SIZE} municipalities generated in {generated:?}; dashboard of {largest}, \
         commitments of {most_commitments}): {national:?}; updateCommitment {edits:?}; whole test {:?}",
        started.elapsed()
    );
}

/// Three real edits of commitment `id` by `token` (the frontends' `UpdateCommitment`,
/// each naming the version the previous one returned, starting at `version`): each must
/// change it and cost the same statements, at most the operation's depth (3) + 1.
/// Answers the statements of each.
async fn real_edits(
    app: &TestApp,
    token: &str,
    id: &serde_json::Value,
    version: &mut i64,
    who: &str,
) -> Vec<u64> {
    let query = operation("UpdateCommitment");
    let mut counts = Vec::new();
    for round in 0..3 {
        let variables = json!({
            "id": id,
            "expectedVersion": *version,
            "text": format!("Delge lägesbild varje månad ({who}, {round})."),
        });
        let (n, status, body) = counted(app, token, &query, "UpdateCommitment", variables).await;
        assert_eq!(status, 200, "{body}");
        let payload = &body["data"]["updateCommitment"];
        assert_eq!(payload["userErrors"], json!([]), "{body}");
        *version += 1;
        assert_eq!(payload["commitment"]["version"], json!(*version));
        counts.push(n);
    }
    assert!(counts.iter().all(|&n| n == counts[0]), "{who}: {counts:?}");
    assert_eq!(depth(&query), 3);
    assert!(
        counts[0] <= depth(&query) + 1,
        "{who}: {counts:?} statements for one edit"
    );
    counts
}

/// A real edit of a commitment (the frontends' `UpdateCommitment`, each edit naming the
/// version the previous one returned) costs the statements it must, on every run, by its
/// organization or an admin: the caller's organization with the districts it serves
/// (one join), the commitment with its owner and group (one join) for the rule and the
/// version, the versioned write (`UPDATE … WHERE id = ? AND version = ? RETURNING *`),
/// the audit event, which on PostgreSQL carries the `pg_notify` that tells every
/// replica's subscribers (one statement) — in one transaction: 4 statements on both
/// databases, the operation's depth + 1 (9 before; 5 while the group that the live event
/// and `viewerCanUpdate` in the payload need was read again after the write; on
/// PostgreSQL 5 while the notification was a statement of its own after the commit). A
/// stale version stops after the read and reloads the current commitment for the
/// payload: 4 (7 before).
#[tokio::test]
async fn a_commitment_edit_costs_what_it_must() {
    let app = spawn_app().await;
    let police = app.sspf_commitment_of("lpo-farsta").await;
    let query = operation("UpdateCommitment");
    let mut version = police["version"].as_i64().unwrap();
    for (who, token) in [
        ("its organization", app.token("lpo-farsta", Role::OrgEditor)),
        ("an admin", app.token("socialforvaltningen", Role::Admin)),
    ] {
        let counts = real_edits(&app, &token, &police["id"], &mut version, who).await;
        let stale = json!({ "id": police["id"], "expectedVersion": 1, "text": "Gammal." });
        let (conflict, _, body) = counted(&app, &token, &query, "UpdateCommitment", stale).await;
        let errors = &body["data"]["updateCommitment"]["userErrors"];
        assert_eq!(errors[0]["code"], "CONFLICT", "{body}");
        eprintln!("updateCommitment by {who}: {counts:?} statements; a stale version {conflict}");
        assert!(
            conflict <= 4,
            "{who}: {conflict} statements for a stale edit"
        );
    }
}

/// A root page of commitments that asks for their organizations or groups reads them
/// with the page, by a join, and the relations then cost no statement of their own —
/// under `nodes` and under `edges.node`, through fragments too; so does the groups'
/// district when asked, and the `totalCount` of all commitments (the count the database
/// keeps, as a subquery of the page's statement): the benchmark's page is one statement.
/// An empty page (past the last cursor) reads the kept count by a statement of its own;
/// a filtered list counts its rows, in a subquery too. Over WebSocket, whose loader keeps nothing, the same
/// answers come by the ordinary loads (`tests/api/drift.rs` compares the two routes byte
/// for byte).
#[tokio::test]
async fn a_root_page_of_commitments_reads_their_organizations_and_groups_with_it() {
    let app = spawn_app().await;
    let (bare, data) = statements_for(&app, "{ commitments(first: 100) { nodes { text } } }").await;
    let rows = data["commitments"]["nodes"].as_array().unwrap().len();
    assert!(rows > 10, "{data}");
    let with = [
        "{ commitments(first: 100) { nodes { text organization { name } group { name } } } }",
        "{ commitments(first: 100) { nodes { text group { name kind } } } }",
        "{ commitments(first: 100) { edges { node { text organization { name kind } } } } }",
        "{ commitments(first: 100) { nodes { ...C } } } \
         fragment C on Commitment { text organization { name } group { name } }",
    ];
    for query in with {
        let (n, data) = statements_for(&app, query).await;
        assert_eq!(n, bare, "{query}: {n} statements, {bare} without relations");
        let list = &data["commitments"];
        let items: Vec<&serde_json::Value> = match list["nodes"].as_array() {
            Some(nodes) => nodes.iter().collect(),
            None => list["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["node"])
                .collect(),
        };
        assert_eq!(items.len(), rows, "{query}");
        for item in items {
            for relation in ["organization", "group"] {
                if let Some(v) = item.get(relation) {
                    assert!(v["name"].as_str().is_some_and(|n| !n.is_empty()), "{item}");
                }
            }
        }
    }
    let (n, data) = statements_for(
        &app,
        "{ commitments(first: 100) { nodes { group { name district { name } } } } }",
    )
    .await;
    assert_eq!(n, bare, "{data}");
    for item in data["commitments"]["nodes"].as_array().unwrap() {
        let name = &item["group"]["district"]["name"];
        assert!(name.as_str().is_some_and(|n| !n.is_empty()), "{item}");
    }

    let all: u64 = sql_text(&app, "SELECT CAST(COUNT(*) AS TEXT) FROM commitment")
        .await
        .parse()
        .unwrap();
    let page = "{ commitments(first: 100) { totalCount pageInfo { endCursor } \
                nodes { id text organization { name } group { name district { name } } } } }";
    let (n, data) = statements_for(&app, page).await;
    assert_eq!(n, 1, "{page}: {n} statements");
    assert_eq!(data["commitments"]["totalCount"], json!(all), "{data}");
    let end = data["commitments"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap();
    let past =
        format!("{{ commitments(first: 100, after: \"{end}\") {{ totalCount nodes {{ id }} }} }}");
    let (n, data) = statements_for(&app, &past).await;
    assert_eq!(
        data["commitments"],
        json!({"totalCount": all, "nodes": []}),
        "{data}"
    );
    assert_eq!(n, 2, "{past}: the page, then the kept count");

    let (_, data) =
        statements_for(&app, "{ commitments(first: 1) { nodes { group { id } } } }").await;
    let group = data["commitments"]["nodes"][0]["group"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let in_group: u64 = sql_text(
        &app,
        "SELECT CAST(COUNT(*) AS TEXT) FROM commitment WHERE group_id = \
         (SELECT group_id FROM commitment ORDER BY id LIMIT 1)",
    )
    .await
    .parse()
    .unwrap();
    assert!(in_group < all);
    let filtered = format!(
        "{{ commitments(first: 100, filter: {{ group: \"{group}\" }}) {{ totalCount nodes {{ id }} }} }}"
    );
    let (n, data) = statements_for(&app, &filtered).await;
    assert_eq!(data["commitments"]["totalCount"], json!(in_group), "{data}");
    assert_eq!(
        n, 1,
        "{filtered}: the count is a subquery of the page's statement"
    );
}
