//! A request costs a number of SQL statements bounded by its depth, not by its rows.

use serde_json::json;

use crate::helpers::spawn_app;

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

#[test]
fn depth_counts_nested_selection_sets() {
    assert_eq!(depth("{ a }"), 1);
    assert_eq!(depth("{ a { b } c { d { e } } }"), 3);
}
