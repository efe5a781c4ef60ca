//! The city's cycle (issue 14): strategy lineage, obligations and their deliveries,
//! situation pictures and cause analyses, plans of any body.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Run `query` as an admin, failing on any error.
async fn admin(app: &TestApp, query: &str, variables: Value) -> Value {
    app.run_as(&app.admin_token(), query, variables).await
}

/// Per district name: the count of each key of a coverage answer.
fn counts(coverage: &Value) -> BTreeMap<(String, String), u64> {
    let mut out = BTreeMap::new();
    for row in coverage["rows"].as_array().unwrap() {
        let district = row["district"]["name"].as_str().unwrap().to_string();
        for cell in row["cells"].as_array().unwrap() {
            out.insert(
                (district.clone(), cell["key"].as_str().unwrap().to_string()),
                cell["count"].as_u64().unwrap(),
            );
        }
    }
    out
}

/// A strategy following `stockholm-2019-2022`, whose priority areas continue that
/// strategy's (in order) and whose first focus area continues the first old one. Returns
/// the new strategy's ID and, per old priority area slug, the new area's slug.
async fn successor_of_2019(app: &TestApp) -> (String, Vec<(String, String)>) {
    let old = app
        .query(
            r#"{ strategy(slug: "stockholm-2019-2022") { id municipality { id }
                 priorityAreas { id slug name focusAreas { id name } } } }"#,
            json!({}),
        )
        .await;
    let old = &old["strategy"];
    let areas: Vec<Value> = old["priorityAreas"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, pa)| {
            let focus: Vec<Value> = pa["focusAreas"]
                .as_array()
                .unwrap()
                .iter()
                .map(|fa| json!({ "name": fa["name"], "continues": fa["id"] }))
                .collect();
            json!({ "name": format!("Nytt område {i}"), "continues": pa["id"], "focusAreas": focus })
        })
        .collect();
    let data = admin(
        app,
        r#"mutation($input: CreateStrategyInput!) { createStrategy(input: $input) {
             strategy { id slug predecessor { slug } priorityAreas { slug continues { slug } } }
             userErrors { field message } } }"#,
        json!({ "input": {
            "municipality": old["municipality"]["id"], "slug": "stockholm-2027-2030",
            "name": "Strategi 2027–2030", "startYear": 2027, "endYear": 2030,
            "predecessor": old["id"], "priorityAreas": areas } }),
    )
    .await;
    let created = &data["createStrategy"];
    assert_eq!(created["userErrors"], json!([]), "{data}");
    let s = &created["strategy"];
    assert_eq!(s["predecessor"]["slug"], "stockholm-2019-2022");
    let pairs = s["priorityAreas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pa| {
            (
                pa["continues"]["slug"].as_str().unwrap().to_string(),
                pa["slug"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (s["id"].as_str().unwrap().to_string(), pairs)
}

#[tokio::test]
async fn strategies_and_areas_know_their_line() {
    let app = spawn_app().await;
    let (id, pairs) = successor_of_2019(&app).await;
    assert!(!pairs.is_empty());
    let data = app
        .query(
            r#"{ strategy(slug: "stockholm-2019-2022") { successor { slug } predecessor { slug }
                 priorityAreas { slug continuedBy { slug strategy { slug } }
                   focusAreas { continuedBy { name continues { name } } } } } }"#,
            json!({}),
        )
        .await;
    let s = &data["strategy"];
    assert_eq!(s["successor"]["slug"], "stockholm-2027-2030");
    assert_eq!(s["predecessor"], Value::Null);
    for pa in s["priorityAreas"].as_array().unwrap() {
        let by = pa["continuedBy"].as_array().unwrap();
        let new: Vec<&Value> = by
            .iter()
            .filter(|a| a["strategy"]["slug"] == "stockholm-2027-2030")
            .collect();
        assert_eq!(new.len(), 1, "{pa}");
        for fa in pa["focusAreas"].as_array().unwrap() {
            for c in fa["continuedBy"].as_array().unwrap() {
                assert_eq!(c["continues"]["name"], c["name"]);
            }
        }
    }
    // An area may continue only an area of the named predecessor.
    let other = app
        .query(
            r#"{ strategy(slug: "stockholm-2024-2026") { id municipality { id } priorityAreas { id } } }"#,
            json!({}),
        )
        .await;
    let data = admin(
        &app,
        r#"mutation($input: CreateStrategyInput!) { createStrategy(input: $input) {
             strategy { id } userErrors { field code } } }"#,
        json!({ "input": {
            "municipality": other["strategy"]["municipality"]["id"], "name": "Fel", "startYear": 2031,
            "endYear": 2032, "predecessor": id,
            "priorityAreas": [{ "name": "X", "continues": other["strategy"]["priorityAreas"][0]["id"] }] } }),
    )
    .await;
    assert_eq!(data["createStrategy"]["strategy"], Value::Null);
    assert_eq!(
        data["createStrategy"]["userErrors"][0]["field"],
        "input.priorityAreas.0.continues"
    );
}

#[tokio::test]
async fn coverage_follows_the_line_from_the_predecessors_areas() {
    let app = spawn_app().await;
    let (new_id, pairs) = successor_of_2019(&app).await;
    let old_id = app
        .id_of(
            r#"{ strategy(slug: "stockholm-2019-2022") { id } }"#,
            "/strategy/id",
        )
        .await;
    let q = r#"query($s: ID!, $follow: Boolean) {
        coverage(dimension: PRIORITY_AREA, strategy: $s, followLineage: $follow) {
          rows { district { name } cells { key count items { ... on Activity { id } } } }
          gaps { district { name } key } total } }"#;
    let old = app.query(q, json!({ "s": old_id })).await;
    let plain = app.query(q, json!({ "s": new_id })).await;
    let followed = app.query(q, json!({ "s": new_id, "follow": true })).await;
    // The new strategy has no plans of its own: every district is a gap in every area.
    assert_eq!(plain["coverage"]["total"], 0);
    let districts = plain["coverage"]["rows"].as_array().unwrap().len();
    assert_eq!(
        plain["coverage"]["gaps"].as_array().unwrap().len(),
        districts * pairs.len()
    );
    // Following the line, each new area counts the activities of the area it continues.
    let old_counts = counts(&old["coverage"]);
    let new_counts = counts(&followed["coverage"]);
    assert!(old["coverage"]["total"].as_u64().unwrap() > 0);
    assert_eq!(followed["coverage"]["total"], old["coverage"]["total"]);
    for ((district, old_key), n) in &old_counts {
        let new_key = &pairs.iter().find(|(o, _)| o == old_key).unwrap().1;
        assert_eq!(
            new_counts.get(&(district.clone(), new_key.clone())),
            Some(n)
        );
    }
    let gaps = followed["coverage"]["gaps"].as_array().unwrap();
    assert!(gaps.len() < districts * pairs.len());
    assert_eq!(
        gaps.len(),
        old["coverage"]["gaps"].as_array().unwrap().len()
    );
    // Without a strategy the flag changes nothing.
    let all = app
        .query(
            r#"{ a: coverage(dimension: FOCUS_AREA) { total } b: coverage(dimension: FOCUS_AREA, followLineage: true) { total } }"#,
            json!({}),
        )
        .await;
    assert_eq!(all["a"]["total"], all["b"]["total"]);
}
