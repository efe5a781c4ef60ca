//! Several municipalities on one service (issue 16): a `MUNICIPALITY_ADMIN` acts in the
//! municipalities its token names and nowhere else; a police area serving districts of
//! two municipalities works in both. (Every mutation × own/other municipality is in
//! `matrix.rs`.)

use api::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app};
use crate::matrix::another_municipality;

async fn id(app: &TestApp, query: &str, pointer: &str) -> Value {
    let data = app.query(query, json!({})).await;
    data.pointer(pointer).cloned().unwrap()
}

#[tokio::test]
async fn a_municipality_admin_sees_and_reads_the_log_of_its_municipality_only() {
    let app = spawn_app().await;
    let solna_district = another_municipality(&app).await;
    // The viewer names the municipalities that exist; an unknown slug grants nothing.
    let stockholm =
        app.token_for_municipalities("mtr", Role::MunicipalityAdmin, &["stockholm", "nowhere"]);
    let data = app
        .run_as(
            &stockholm,
            "{ viewer { roles municipalities { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["viewer"],
        json!({ "roles": ["MUNICIPALITY_ADMIN"], "municipalities": [{ "slug": "stockholm" }] })
    );
    // The audit log: the events of its municipality's districts, not another's.
    let count = |token: String| {
        let app = &app;
        let d = solna_district.clone();
        async move {
            app.run_as(
                &token,
                r#"query($d: ID!) { auditEvents(filter: { district: $d }, first: 10) { totalCount } }"#,
                json!({ "d": d }),
            )
            .await["auditEvents"]["totalCount"]
                .as_i64()
                .unwrap()
        }
    };
    assert!(count(app.admin_token()).await > 0);
    let solna = app.token_for_municipalities("solna-stad", Role::MunicipalityAdmin, &["solna"]);
    assert_eq!(count(solna.clone()).await, count(app.admin_token()).await);
    assert_eq!(count(stockholm.clone()).await, 0);
    let skarpnack_events = app
        .run_as(
            &stockholm,
            "{ auditEvents(first: 100) { nodes { district { municipality { slug } } } } }",
            json!({}),
        )
        .await;
    for event in skarpnack_events["auditEvents"]["nodes"].as_array().unwrap() {
        assert_eq!(event["district"]["municipality"]["slug"], "stockholm");
    }
    // A token naming only an unknown municipality administers nothing.
    let nowhere = app.token_for_municipalities("mtr", Role::MunicipalityAdmin, &["nowhere"]);
    let (_, body) = app
        .graphql_with(
            Some(&nowhere),
            r#"mutation($d: ID!) { submitFollowUps(input: { district: $d, period: { year: 2031, term: T2 } }) { followUps { id } } }"#,
            json!({ "d": solna_district }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
}

#[tokio::test]
async fn a_police_area_serving_two_municipalities_is_administered_by_each_in_its_own() {
    let app = spawn_app().await;
    let solna_district = another_municipality(&app).await;
    let police = id(
        &app,
        r#"{ organization(slug: "lpo-farsta") { id } }"#,
        "/organization/id",
    )
    .await;
    let served = app
        .query(
            r#"{ organization(slug: "lpo-farsta") { districts { id } } }"#,
            json!({}),
        )
        .await["organization"]["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect::<Vec<_>>();
    let mut both = served.clone();
    both.push(solna_district.clone());
    app.run_as(
        &app.admin_token(),
        r#"mutation($id: ID!, $d: [ID!]!) { updateOrganization(input: { id: $id, districts: $d }) { organization { id } } }"#,
        json!({ "id": police, "d": both }),
    )
    .await;
    let solna = app.token_for_municipalities("solna-stad", Role::MunicipalityAdmin, &["solna"]);
    // Solna's admin may change the police area, which works in Solna…
    let data = app
        .run_as(
            &solna,
            r#"{ organization(slug: "lpo-farsta") { viewerCanUpdate } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["organization"]["viewerCanUpdate"], true);
    // …but not take Stockholm's districts from it…
    let (_, body) = app
        .graphql_with(
            Some(&solna),
            r#"mutation($id: ID!, $d: [ID!]!) { updateOrganization(input: { id: $id, districts: $d }) { organization { id } } }"#,
            json!({ "id": police, "d": [solna_district] }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    // …nor its commitment in a Stockholm group, which Stockholm's admin may.
    let commitment = app.sspf_commitment_of("lpo-farsta").await;
    let update = r#"query($id: ID!) { node(id: $id) { ... on Commitment { viewerCanUpdate } } }"#;
    let can = |token: String| {
        let app = &app;
        let id = commitment["id"].clone();
        async move {
            app.run_as(&token, update, json!({ "id": id })).await["node"]["viewerCanUpdate"].clone()
        }
    };
    assert_eq!(can(solna.clone()).await, false);
    let stockholm = app.token_for_municipalities("mtr", Role::MunicipalityAdmin, &["stockholm"]);
    assert_eq!(can(stockholm.clone()).await, true);
    let change = r#"mutation($id: ID!, $v: Int!) { updateCommitment(input: { id: $id, expectedVersion: $v, text: "Ändrat av kommunen." }) { commitment { id } } }"#;
    let vars = json!({ "id": commitment["id"], "v": commitment["version"] });
    let (_, body) = app.graphql_with(Some(&solna), change, vars.clone()).await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    let (_, body) = app.graphql_with(Some(&stockholm), change, vars).await;
    assert!(body.get("errors").is_none(), "{body}");
    // The police's own editors keep working in both, as before.
    let editor = app.token("lpo-farsta", Role::OrgEditor);
    assert_eq!(can(editor).await, true);
}

#[tokio::test]
async fn a_strategy_follows_on_from_a_strategy_of_its_own_municipality_only() {
    let app = spawn_app().await;
    another_municipality(&app).await;
    let ids = app
        .query(
            r#"{ municipalities { id slug } strategy(slug: "stockholm-2024-2026") { id } }"#,
            json!({}),
        )
        .await;
    let solna = ids["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == "solna")
        .unwrap()["id"]
        .clone();
    let create = r#"mutation($input: CreateStrategyInput!) { createStrategy(input: $input) {
        strategy { slug predecessor { slug } } userErrors { field code } } }"#;
    let input = |predecessor: Value| {
        json!({ "input": { "municipality": solna, "slug": "solna-2027-2030", "name": "Solnas strategi",
            "startYear": 2027, "endYear": 2030, "predecessor": predecessor } })
    };
    // Solna's admin, and a national admin alike, cannot continue Stockholm's strategy…
    let solna_admin =
        app.token_for_municipalities("solna-stad", Role::MunicipalityAdmin, &["solna"]);
    for token in [solna_admin.clone(), app.admin_token()] {
        let data = app
            .run_as(&token, create, input(ids["strategy"]["id"].clone()))
            .await;
        assert_eq!(data["createStrategy"]["strategy"], Value::Null, "{data}");
        assert_eq!(
            data["createStrategy"]["userErrors"],
            json!([{ "field": "input.predecessor", "code": "BAD_USER_INPUT" }])
        );
    }
    // …and without a predecessor the same strategy is Solna's.
    let data = app.run_as(&solna_admin, create, input(Value::Null)).await;
    assert_eq!(
        data["createStrategy"],
        json!({ "strategy": { "slug": "solna-2027-2030", "predecessor": null }, "userErrors": [] })
    );
}
