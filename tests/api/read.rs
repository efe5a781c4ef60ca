//! The read API: the users' own operations, paging, filters, global IDs.

use serde_json::{Value, json};

use crate::helpers::{error_codes, operation, spawn_app};

#[tokio::test]
async fn district_dashboard_operation_answers_as_written() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    let (status, body) = app
        .graphql_op(
            Some(&token),
            &operation("DistrictDashboard"),
            Some("DistrictDashboard"),
            json!({ "slug": "skarpnack" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let d = &body["data"]["district"];
    assert_eq!(d["name"], "Skarpnäck");
    assert_eq!(d["municipality"]["name"], "Stockholms stad");
    // Skarpnäck 2022's six groups and the five the 2020 plan names.
    assert_eq!(d["collaborationGroups"]["totalCount"], 11);
    let plans = d["actionPlans"]["nodes"].as_array().unwrap();
    // The 2020 plan, then the 2022 åtgärdsplan (its areas and groups; no activities).
    assert_eq!(plans.len(), 2);
    assert_eq!(plans[0]["activities"]["totalCount"], 13);
}

#[tokio::test]
async fn my_commitments_operation_lists_the_liaisons_promises_everywhere() {
    let app = spawn_app().await;
    let token = app.token("lpo-farsta", api::auth::Role::OrgEditor);
    let (status, body) = app
        .graphql_op(
            Some(&token),
            &operation("MyCommitments"),
            Some("MyCommitments"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["roles"], json!(["ORG_EDITOR"]));
    let nodes = viewer["organization"]["commitments"]["nodes"]
        .as_array()
        .unwrap();
    // The police have a commitment in each of the six Skarpnäck groups.
    assert_eq!(nodes.len(), 6);
    for n in nodes {
        assert_eq!(n["group"]["district"]["name"], "Skarpnäck");
        assert_eq!(n["version"], 1);
    }
}

#[tokio::test]
async fn activities_by_priority_area_pages_to_the_end() {
    let app = spawn_app().await;
    let areas = app
        .query(
            r#"{ strategy(slug: "stockholm-2019-2022") { priorityAreas { id name activities(first: 1) { totalCount } } } }"#,
            json!({}),
        )
        .await;
    let area = areas["strategy"]["priorityAreas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Systematisk samhandling")
        .unwrap()
        .clone();
    let expected = area["activities"]["totalCount"].as_u64().unwrap();
    assert!(expected > 10);

    let token = app.viewer_token();
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let query = operation("ActivitiesByPriorityArea")
            .replace("activities(first: 100,", "activities(first: 7,");
        let (status, body) = app
            .graphql_op(
                Some(&token),
                &query,
                Some("ActivitiesByPriorityArea"),
                json!({ "priorityArea": area["id"], "after": after }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        let page = &body["data"]["activities"];
        assert_eq!(page["totalCount"].as_u64(), Some(expected));
        for n in page["nodes"].as_array().unwrap() {
            assert!(n["actionPlan"]["district"]["name"].is_string());
            seen.push(n["id"].as_str().unwrap().to_string());
        }
        if page["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(seen.len() as u64, expected);
    assert_eq!(unique.len(), seen.len());
}

#[tokio::test]
async fn backward_paging_returns_the_last_items() {
    let app = spawn_app().await;
    let all = app
        .query("{ districts(first: 100) { nodes { slug } } }", json!({}))
        .await;
    let last = app
        .query(
            "{ districts(last: 2) { nodes { slug } pageInfo { hasPreviousPage hasNextPage } } }",
            json!({}),
        )
        .await;
    let all = all["districts"]["nodes"].as_array().unwrap();
    assert_eq!(
        last["districts"]["nodes"].as_array().unwrap(),
        &all[11..].to_vec()
    );
    assert_eq!(last["districts"]["pageInfo"]["hasPreviousPage"], true);
}

#[tokio::test]
async fn page_size_is_bounded() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    for query in [
        "{ activities(first: 101) { totalCount } }",
        "{ activities(last: 500) { totalCount } }",
        r#"{ district(slug: "bromma") { actionPlans(first: 1000) { totalCount } } }"#,
        r#"{ activities(first: 5, after: "garbage") { totalCount } }"#,
    ] {
        let (status, body) = app.graphql_with(Some(&token), query, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn node_and_nodes_resolve_global_ids() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{ district(slug: "skarpnack") { id collaborationGroups(first: 1) { nodes { id name } } } }"#,
            json!({}),
        )
        .await;
    let district_id = data["district"]["id"].clone();
    let group = data["district"]["collaborationGroups"]["nodes"][0].clone();
    let data = app
        .query(
            r#"query($a: ID!, $b: ID!) {
                node(id: $a) { id ... on District { slug } }
                nodes(ids: [$a, $b]) { id ... on CollaborationGroup { name } }
            }"#,
            json!({ "a": district_id, "b": group["id"] }),
        )
        .await;
    assert_eq!(data["node"]["slug"], "skarpnack");
    assert_eq!(data["nodes"][1]["name"], group["name"]);

    // A district ID where a priority area is expected is a user error.
    let token = app.viewer_token();
    let (_, body) = app
        .graphql_with(
            Some(&token),
            "query($id: ID!) { activities(filter: { priorityArea: $id }) { totalCount } }",
            json!({ "id": district_id }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    let (_, body) = app
        .graphql_with(Some(&token), r#"{ node(id: "bm9wZQ") { id } }"#, json!({}))
        .await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn filters_select_what_a_frontend_asks_for() {
    let app = spawn_app().await;
    let ids = app
        .query(
            r#"{
              bromma: district(slug: "bromma") { id }
              skarpnack: district(slug: "skarpnack") { id }
              police: organization(slug: "lpo-farsta") { id }
              mvp: methods(first: 100) { nodes { id slug } }
            }"#,
            json!({}),
        )
        .await;
    let mvp = ids["mvp"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == "mvp")
        .unwrap()["id"]
        .clone();
    let data = app
        .query(
            r#"query($bromma: ID!, $skarpnack: ID!, $police: ID!, $mvp: ID!) {
              brommaActivities: activities(filter: { district: $bromma }) { totalCount }
              mvpActivities: activities(filter: { method: $mvp }) { totalCount nodes { actionPlan { district { slug } } } }
              policeResponsible: activities(filter: { responsibleOrganization: $police }) { totalCount }
              pausedT2: activities(filter: { followUp: { period: { year: 2021, term: T2 }, status: PAUSED } }) { totalCount }
              t2: activities(filter: { followUp: { period: { year: 2021, term: T2 } } }) { totalCount }
              policeGroups: collaborationGroups(filter: { organization: $police }) { totalCount }
              skarpnackCommitments: commitments(filter: { district: $skarpnack }) { totalCount }
              policeCommitments: commitments(filter: { organization: $police }) { totalCount }
              housing: organizations(filter: { kind: HOUSING_COMPANY }) { totalCount }
              servingSkarpnack: organizations(filter: { district: $skarpnack }) { nodes { slug } }
            }"#,
            json!({ "bromma": ids["bromma"]["id"], "skarpnack": ids["skarpnack"]["id"],
                    "police": ids["police"]["id"], "mvp": mvp }),
        )
        .await;
    assert_eq!(data["brommaActivities"]["totalCount"], 22);
    assert!(data["mvpActivities"]["totalCount"].as_u64().unwrap() >= 3);
    let mvp_districts: std::collections::HashSet<&str> = data["mvpActivities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["actionPlan"]["district"]["slug"].as_str().unwrap())
        .collect();
    assert!(mvp_districts.contains("bromma") && mvp_districts.contains("spanga-tensta"));
    assert_eq!(data["policeResponsible"]["totalCount"], 1);
    assert_eq!(data["pausedT2"]["totalCount"], 2);
    assert_eq!(data["t2"]["totalCount"], 22);
    assert_eq!(data["policeGroups"]["totalCount"], 9);
    assert_eq!(data["skarpnackCommitments"]["totalCount"], 16);
    assert_eq!(data["policeCommitments"]["totalCount"], 6);
    assert_eq!(data["housing"]["totalCount"], 3);
    let serving: Vec<&str> = data["servingSkarpnack"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["slug"].as_str().unwrap())
        .collect();
    assert!(serving.contains(&"skarpnack-sdf") && serving.contains(&"lpo-farsta"));
}

#[tokio::test]
async fn relations_navigate_both_ways() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{
              organization(slug: "lpo-farsta") {
                parent { slug children { slug } }
                districts { slug }
                participations { group { slug } commitments { text } }
              }
              methods(first: 100) { nodes { slug activities { totalCount } } }
            }"#,
            json!({}),
        )
        .await;
    let org = &data["organization"];
    assert_eq!(org["parent"]["slug"], "polisregion-stockholm");
    assert!(
        org["parent"]["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["slug"] == "lpo-farsta")
    );
    assert_eq!(org["participations"].as_array().unwrap().len(), 9);
    let used: u64 = data["methods"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["activities"]["totalCount"].as_u64().unwrap())
        .sum();
    assert!(used >= 10);
}
