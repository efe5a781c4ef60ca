//! A request costs a number of SQL statements bounded by its depth, not by its rows.

use serde_json::json;

use api::auth::Role;

use crate::helpers::{operation, spawn_app};

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
/// counts as 1, so `{ a { b } }` has depth 2).
fn depth(query: &str) -> u64 {
    let (mut now, mut max) = (0u64, 0u64);
    for c in query.chars() {
        match c {
            '{' => {
                now += 1;
                max = max.max(now);
            }
            '}' => now -= 1,
            _ => {}
        }
    }
    max
}

async fn statements_for(app: &crate::helpers::TestApp, query: &str) -> (u64, serde_json::Value) {
    let before = app.statements.get();
    let data = app.query(query, json!({})).await;
    (app.statements.get() - before, data)
}

#[tokio::test]
async fn deep_dashboard_costs_at_most_depth_plus_one_statements() {
    let app = spawn_app().await;
    let query = DEEP.replace("FIRST", "13");
    let (statements, data) = statements_for(&app, &query).await;

    // The request really touched the rows: 13 districts, Skarpnäck's groups and seats,
    // three plans with their rows and follow-ups.
    let districts = data["districts"]["nodes"].as_array().unwrap();
    assert_eq!(districts.len(), 13);
    let seats: usize = districts
        .iter()
        .flat_map(|d| d["collaborationGroups"]["nodes"].as_array().unwrap())
        .map(|g| g["participations"].as_array().unwrap().len())
        .sum();
    assert_eq!(seats, 27);
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
        let before = app.statements.get();
        let (status, body) = app
            .graphql_op(
                Some(&token),
                &query,
                Some("DistrictDashboard"),
                json!({ "slug": "skarpnack" }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        counts.push(app.statements.get() - before);
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

#[test]
fn depth_counts_nested_selection_sets() {
    assert_eq!(depth("{ a }"), 1);
    assert_eq!(depth("{ a { b } c { d { e } } }"), 3);
}
