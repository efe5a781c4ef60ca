//! Cross-district coverage and follow-up tracking, on the real Stockholm data.

use api::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, operation, spawn_app};

fn cell<'a>(coverage: &'a Value, district: &str, key: &str) -> &'a Value {
    coverage["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["district"]["name"] == district)
        .unwrap_or_else(|| panic!("no row for {district}"))["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no cell {key} for {district}"))
}

fn gap_districts(coverage: &Value, key: &str) -> Vec<String> {
    coverage["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["key"] == key)
        .map(|g| g["district"]["name"].as_str().unwrap().to_string())
        .collect()
}

async fn run_op(app: &TestApp, name: &str, variables: Value) -> Value {
    let token = app.viewer_token();
    let (status, body) = app
        .graphql_op(Some(&token), &operation(name), Some(name), variables)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn which_districts_have_no_sspf() {
    let app = spawn_app().await;
    let data = run_op(&app, "CoverageByGroupKind", json!({})).await;
    let coverage = &data["coverage"];
    assert_eq!(coverage["rows"].as_array().unwrap().len(), 13);
    assert!(
        coverage["keys"]
            .as_array()
            .unwrap()
            .contains(&json!("SSPF"))
    );
    // Skarpnäck 2022's SSPF and the 2020 plan's SSP.
    assert_eq!(cell(coverage, "Skarpnäck", "SSPF")["count"], 2);
    assert_eq!(cell(coverage, "Skarpnäck", "SAFETY_WALK")["count"], 1);
    let without = gap_districts(coverage, "SSPF");
    assert_eq!(without.len(), 12);
    assert!(without.contains(&"Bromma".to_string()));
    assert!(!without.contains(&"Skarpnäck".to_string()));
}

#[tokio::test]
async fn coverage_answers_the_scripts_questions_in_one_request() {
    let app = spawn_app().await;
    let ids = app
        .query(
            r#"{ bromma: district(slug: "bromma") { id } strategy(slug: "stockholm-2024-2026") { id } }"#,
            json!({}),
        )
        .await;
    let data = app
        .query(
            r#"query($bromma: ID!, $s2024: ID!) {
              areas: coverage(dimension: PRIORITY_AREA, strategy: $s2024, districts: [$bromma]) {
                keys rows { total } gaps { key } total }
              methods: coverage(dimension: METHOD) {
                rows { district { name } cells { key count } total } columns { key label total } total }
              police: coverage(dimension: ORGANIZATION_KIND, measure: COMMITMENTS) {
                gaps { district { name } key } rows { district { name } cells { key count } } }
              housing: coverage(dimension: ORGANIZATION, organizationKind: HOUSING_COMPANY) {
                keys rows { district { name } cells { key count items { ... on Participation { group { name } } } } } }
            }"#,
            json!({ "bromma": ids["bromma"]["id"], "s2024": ids["strategy"]["id"] }),
        )
        .await;

    // Bromma's plan follows the 2019–2022 strategy: no 2024–2026 priority area has an activity.
    assert_eq!(data["areas"]["keys"].as_array().unwrap().len(), 4);
    assert_eq!(data["areas"]["gaps"].as_array().unwrap().len(), 4);
    assert_eq!(data["areas"]["total"], 0);

    // Which districts use MVP.
    let methods = &data["methods"];
    for district in ["Bromma", "Skarpnäck", "Spånga-Tensta"] {
        assert!(
            cell(methods, district, "mvp")["count"].as_u64().unwrap() >= 1,
            "{district} uses MVP"
        );
    }
    assert_eq!(cell(methods, "Farsta", "mvp")["count"], 0);
    // Totals agree: rows, columns, matrix.
    let row_sum: u64 = methods["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["total"].as_u64().unwrap())
        .sum();
    let column_sum: u64 = methods["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["total"].as_u64().unwrap())
        .sum();
    assert_eq!(row_sum, methods["total"].as_u64().unwrap());
    assert_eq!(column_sum, row_sum);
    assert!(row_sum > 0);

    // In which districts the police have no commitment in any group.
    let police_gaps = gap_districts(&data["police"], "POLICE");
    assert_eq!(police_gaps.len(), 12);
    assert!(!police_gaps.contains(&"Skarpnäck".to_string()));
    assert_eq!(cell(&data["police"], "Skarpnäck", "POLICE")["count"], 6);

    // Which housing companies take part where.
    let housing = &data["housing"];
    assert_eq!(
        housing["keys"],
        json!(["stockholmshem", "svenska-bostader", "shis"])
    );
    let stockholmshem = cell(housing, "Skarpnäck", "stockholmshem");
    assert_eq!(stockholmshem["count"], 2);
    let groups: Vec<&str> = stockholmshem["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["group"]["name"].as_str().unwrap())
        .collect();
    assert!(groups.contains(&"Operativ samverkan för trygghet i Bagarmossen och Skarpnäck"));
}

#[tokio::test]
async fn coverage_costs_the_same_for_one_district_or_all() {
    let app = spawn_app().await;
    let bromma = app
        .id_of(r#"{ district(slug: "bromma") { id } }"#, "/district/id")
        .await;
    let query = r#"query($d: [ID!]) { coverage(dimension: ORGANIZATION, measure: COMMITMENTS, districts: $d) {
        rows { total cells { count } } gaps { key } } }"#;
    let before = app.statements.get();
    app.query(query, json!({ "d": [bromma] })).await;
    let one = app.statements.get() - before;
    let before = app.statements.get();
    app.query(query, json!({ "d": null })).await;
    let all = app.statements.get() - before;
    assert_eq!(one, all, "one district: {one} statements, all: {all}");
    assert!(all <= 3, "{all} statements");
}

#[tokio::test]
async fn a_measure_that_does_not_fit_the_dimension_is_a_user_error() {
    let app = spawn_app().await;
    let token = app.viewer_token();
    let (_, body) = app
        .graphql_with(
            Some(&token),
            "{ coverage(dimension: GROUP_KIND, measure: ACTIVITIES) { total } }",
            json!({}),
        )
        .await;
    assert_eq!(crate::helpers::error_codes(&body), vec!["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn the_follow_up_summary_lists_statuses_and_missing_reports() {
    let app = spawn_app().await;
    let data = run_op(
        &app,
        "FollowUpSummary",
        json!({ "year": 2021, "term": "T2" }),
    )
    .await;
    let summaries = data["followUpSummary"].as_array().unwrap();
    assert_eq!(summaries.len(), 13);
    let of = |name: &str| {
        summaries
            .iter()
            .find(|s| s["district"]["name"] == name)
            .unwrap()
            .clone()
    };
    let spanga = of("Spånga-Tensta");
    let count = |s: &Value, status: &str| {
        s["byStatus"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == status)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count(&spanga, "ONGOING"), 16);
    assert_eq!(count(&spanga, "DONE"), 4);
    assert_eq!(count(&spanga, "PAUSED"), 2);
    assert_eq!(spanga["missing"], json!([]));

    // Bromma's plan asks for T1, T2 and VB reports 2020–2022 but none is recorded: the
    // rows running in 2021 are missing; those that ended in 2020 are not.
    let bromma = of("Bromma");
    let missing = bromma["missing"].as_array().unwrap();
    assert!(missing.len() >= 15, "{} missing", missing.len());
    assert!(missing.len() < 22, "rows of 2020 only are not due in 2021");
    assert!(
        missing
            .iter()
            .all(|a| a["goal"].is_string() || a["goal"].is_null())
    );

    // After a report, the activity leaves the missing list.
    let activity = missing[0]["id"].clone();
    let admin = app.admin_token();
    app.run_as(
        &admin,
        r#"mutation($a: ID!) { reportFollowUp(input: { activity: $a, period: { year: 2021, term: T2 }, status: ONGOING }) { userErrors { code } } }"#,
        json!({ "a": activity }),
    )
    .await;
    let data = run_op(
        &app,
        "FollowUpSummary",
        json!({ "year": 2021, "term": "T2" }),
    )
    .await;
    let bromma_after = data["followUpSummary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["district"]["name"] == "Bromma")
        .unwrap()
        .clone();
    assert_eq!(
        bromma_after["missing"].as_array().unwrap().len(),
        missing.len() - 1
    );
    assert_eq!(count(&bromma_after, "ONGOING"), 1);
}

#[tokio::test]
async fn the_reporting_calendar_tells_what_is_open_and_due() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{ reportingPeriods(year: 2021, today: "2021-09-01") { period { year term } startsOn endsOn dueOn state } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["reportingPeriods"],
        json!([
            { "period": { "year": 2021, "term": "T1" }, "startsOn": "2021-01-01", "endsOn": "2021-04-30", "dueOn": "2021-05-15", "state": "CLOSED" },
            { "period": { "year": 2021, "term": "T2" }, "startsOn": "2021-05-01", "endsOn": "2021-08-31", "dueOn": "2021-09-15", "state": "DUE" },
            { "period": { "year": 2021, "term": "ANNUAL" }, "startsOn": "2021-01-01", "endsOn": "2021-12-31", "dueOn": "2022-01-15", "state": "OPEN" }
        ])
    );
}

#[tokio::test]
async fn an_activity_tells_its_latest_follow_up_and_history() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{ district(slug: "spanga-tensta") { actionPlans { nodes { activities(first: 1) { nodes {
                id latestFollowUp { period { year term } status } statusHistory { period { year term } status asOf } } } } } } }"#,
            json!({}),
        )
        .await;
    let a = &data["district"]["actionPlans"]["nodes"][0]["activities"]["nodes"][0];
    assert_eq!(
        a["latestFollowUp"]["period"],
        json!({ "year": 2021, "term": "T2" })
    );
    assert_eq!(a["statusHistory"].as_array().unwrap().len(), 1);
    // A later period becomes the latest.
    app.run_as(
        &app.admin_token(),
        r#"mutation($a: ID!) { reportFollowUp(input: { activity: $a, period: { year: 2021, term: ANNUAL }, status: DONE }) { userErrors { code } } }"#,
        json!({ "a": a["id"] }),
    )
    .await;
    let data = app
        .query(
            r#"query($id: ID!) { node(id: $id) { ... on Activity { latestFollowUp { period { term } status } statusHistory { status } } } }"#,
            json!({ "id": a["id"] }),
        )
        .await;
    assert_eq!(
        data["node"]["latestFollowUp"],
        json!({ "period": { "term": "ANNUAL" }, "status": "DONE" })
    );
    assert_eq!(
        data["node"]["statusHistory"],
        json!([{ "status": "ONGOING" }, { "status": "DONE" }])
    );
}

/// `value` without any member called `name`, at any depth.
fn without_member(mut value: Value, name: &str) -> Value {
    fn strip(value: &mut Value, name: &str) {
        match value {
            Value::Object(map) => {
                map.remove(name);
                map.values_mut().for_each(|v| strip(v, name));
            }
            Value::Array(list) => list.iter_mut().for_each(|v| strip(v, name)),
            _ => {}
        }
    }
    strip(&mut value, name);
    value
}

/// The raw JSON text of a query's answer (as a viewer), asserting it has no errors.
async fn raw_answer(app: &TestApp, query: &str, variables: Value) -> String {
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(app.viewer_token())
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert!(parsed.get("errors").is_none(), "{text}");
    text
}

/// The big lists of a coverage (rows, cells, gaps) are answered by a fast path when
/// their selections ask for plain fields only; asking for one more field (`zz`, a cell's
/// items or a district's municipality) sends them down the generic resolvers. Without
/// `zz`, both answers must be the same: aliases, fragments, `__typename`,
/// `@include`/`@skip`, repeated and merged fields, fields skipped away (an object left
/// empty is `null`), every dimension. (The generic path puts a field that waited for the
/// DataLoader after its siblings, so the members' order is compared only for the fast
/// path: the document's order, as async-graphql gives fields that need no waiting.)
#[tokio::test]
async fn coverage_fast_path_answers_as_the_generic_resolvers_do() {
    let app = spawn_app().await;
    let fast_rows = r#"
        __typename
        d: district { id name }
        district { slug ...D }
        sum: total
        cells { ...C k2: key @include(if: $yes) count @skip(if: $no) CELL_EXTRA }
        ... on CoverageRow { total cells { __typename c: count } }
        ... @include(if: $no) { nothing: total }
        empty: district { name @skip(if: $yes) }
    "#;
    let fast_gaps = r#"
        __typename
        ... { key district { ...D DISTRICT_EXTRA } }
        k: key @skip(if: $yes)
        again: district { __typename id }
        district { slug }
    "#;
    let fragments = r#"
        fragment C on CoverageCell { key __typename count }
        fragment D on District { __typename name }
    "#;
    let dimensions = [
        "dimension: GROUP_KIND",
        "dimension: GROUP_KIND, measure: COMMITMENTS",
        "dimension: ORGANIZATION_KIND, measure: COMMITMENTS",
        "dimension: METHOD",
        "dimension: PRIORITY_AREA",
        "dimension: ORGANIZATION, organizationKind: HOUSING_COMPANY",
    ];
    let variables = json!({ "yes": true, "no": false });
    for args in dimensions {
        let query = |cell_extra: &str, district_extra: &str| {
            format!(
                "query($yes: Boolean!, $no: Boolean!) {{ coverage({args}) {{ keys total \
                 rows {{ {} }} gaps {{ {} }} skipped: rows {{ total @skip(if: $yes) }} }} }} \
                 {fragments}",
                fast_rows.replace("CELL_EXTRA", cell_extra),
                fast_gaps.replace("DISTRICT_EXTRA", district_extra),
            )
        };
        let fast = raw_answer(&app, &query("", ""), variables.clone()).await;
        let generic = raw_answer(
            &app,
            &query(
                "zz: items { __typename }",
                "zz: municipality { __typename }",
            ),
            variables.clone(),
        )
        .await;
        assert!(generic.contains("\"zz\":"), "{args}: the generic path ran");
        let data: Value = serde_json::from_str(&fast).unwrap();
        let generic: Value = serde_json::from_str(&generic).unwrap();
        assert_eq!(data, without_member(generic, "zz"), "{args}");
        assert!(
            fast.contains(r#""rows":[{"__typename":"CoverageRow","d":{"id":"#)
                && fast.contains(r#"},"sum":"#)
                && fast.contains(r#""gaps":[{"__typename":"CoverageGap","key":"#),
            "{args}: members in the document's order: {fast}"
        );

        let coverage = &data["data"]["coverage"];
        let row = &coverage["rows"][0];
        assert_eq!(row["__typename"], "CoverageRow", "{args}");
        assert_eq!(row["empty"], json!({}), "{args}: {row}");
        assert!(row.get("nothing").is_none(), "{args}: {row}");
        assert!(row["cells"][0]["k2"].is_string(), "{args}: {row}");
        assert_eq!(coverage["skipped"][0], json!({}), "{args}");
        let gap = &coverage["gaps"][0];
        assert_eq!(gap["district"]["__typename"], "District", "{args}: {gap}");
        assert!(gap.get("k").is_none(), "{args}: {gap}");
    }

    // The operation the nightly script sends: same bytes both ways.
    let fast = raw_answer(&app, &operation("CoverageByGroupKind"), json!({})).await;
    let generic = raw_answer(
        &app,
        &operation("CoverageByGroupKind")
            .replace(
                "cells { key count }",
                "cells { key count zz: items { __typename } }",
            )
            .replace(
                "gaps { district { name }",
                "gaps { district { name zz: municipality { __typename } }",
            ),
        json!({}),
    )
    .await;
    assert!(generic.contains("\"zz\":"));
    let fast: Value = serde_json::from_str(&fast).unwrap();
    let generic: Value = serde_json::from_str(&generic).unwrap();
    assert_eq!(fast, without_member(generic, "zz"));
}

/// A list asked for twice under one response key is answered as the merge of both
/// selections, whichever path answers it.
#[tokio::test]
async fn coverage_lists_asked_for_twice_are_merged() {
    let app = spawn_app().await;
    let twice = r#"{ coverage(dimension: GROUP_KIND) {
        rows { total } rows { district { name } }
        gaps { key } ... on Coverage { gaps { district { name } } } } }"#;
    let once = r#"{ coverage(dimension: GROUP_KIND) {
        rows { total district { name } } gaps { key district { name } } } }"#;
    let twice: Value = serde_json::from_str(&raw_answer(&app, twice, json!({})).await).unwrap();
    let once: Value = serde_json::from_str(&raw_answer(&app, once, json!({})).await).unwrap();
    assert_eq!(twice, once);
    assert_eq!(
        once["data"]["coverage"]["rows"][0]["district"]["name"],
        "Rinkeby-Kista"
    );
}

/// An activity's follow-ups are answered by a plan when their selection asks for plain
/// fields only (scalars and `period { year term }`); one more field (`zz: activity`)
/// sends them down the generic resolvers. Without `zz`, both answers must be the same:
/// aliases, fragments (also on the `Node` interface), `__typename`, `@include`/`@skip`,
/// repeated and merged fields, an object whose fields are all skipped (`null`), and
/// null and non-null effects, dates and subjects.
#[tokio::test]
async fn follow_up_lists_answer_as_the_generic_resolvers_do() {
    let app = spawn_app().await;
    let query = |extra: &str| {
        format!(
            r#"query($yes: Boolean!, $no: Boolean!) {{
              district(slug: "spanga-tensta") {{ actionPlans(first: 10) {{ nodes {{
                activities(first: 100) {{ nodes {{ id followUps {{
                  __typename
                  id
                  ... on Node {{ id }}
                  p: period {{ year term __typename }}
                  period {{ ...P }}
                  period {{ year }}
                  status effects asOf locked version updatedAt reportedBySub
                  s2: status @include(if: $yes)
                  gone: effects @skip(if: $yes)
                  ... @include(if: $no) {{ nothing: version }}
                  empty: period {{ year @skip(if: $yes) }}
                  {extra}
                }} }} }}
              }} }} }}
            }}
            fragment P on ReportingPeriod {{ term __typename }}"#
        )
    };
    // One report made through the API (it has a subject, a later period, no date).
    let activities = raw_answer(&app, &query(""), json!({ "yes": true, "no": false })).await;
    let activities: Value = serde_json::from_str(&activities).unwrap();
    let activity =
        &activities["data"]["district"]["actionPlans"]["nodes"][0]["activities"]["nodes"][0]["id"];
    let admin = app.token("socialforvaltningen", Role::Admin);
    let (_, body) = app
        .graphql_op(
            Some(&admin),
            &operation("ReportFollowUp"),
            Some("ReportFollowUp"),
            json!({ "activity": activity, "year": 2026, "term": "T1", "status": "ONGOING", "effects": "Arbetet pågår." }),
        )
        .await;
    assert_eq!(
        body["data"]["reportFollowUp"]["userErrors"],
        json!([]),
        "{body}"
    );

    let variables = json!({ "yes": true, "no": false });
    let fast = raw_answer(&app, &query(""), variables.clone()).await;
    let generic = raw_answer(&app, &query("zz: activity { __typename }"), variables).await;
    assert!(generic.contains("\"zz\":"), "the generic path ran");
    let fast: Value = serde_json::from_str(&fast).unwrap();
    let generic: Value = serde_json::from_str(&generic).unwrap();
    assert_eq!(fast, without_member(generic, "zz"));

    let follow_ups: Vec<&Value> = fast["data"]["district"]["actionPlans"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|plan| plan["activities"]["nodes"].as_array().unwrap())
        .flat_map(|activity| activity["followUps"].as_array().unwrap())
        .collect();
    // Spånga-Tensta's plan was followed up for T2 2021 (22 reports), and one more now.
    assert_eq!(follow_ups.len(), 23);
    let first = follow_ups[0];
    assert_eq!(first["__typename"], "FollowUp");
    assert_eq!(first["p"]["term"], "T2");
    assert_eq!(first["period"]["year"], 2021);
    assert_eq!(first["period"]["__typename"], "ReportingPeriod");
    assert_eq!(first["s2"], first["status"]);
    assert!(first.get("gone").is_none() && first.get("nothing").is_none());
    assert_eq!(first["empty"], json!({}), "{first}");
    assert_eq!(first["asOf"], "2021-08-31");
    assert!(follow_ups.iter().any(|f| f["effects"].is_string()));
    let reported: Vec<_> = follow_ups
        .iter()
        .filter(|f| f["reportedBySub"].is_string())
        .collect();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(reported[0]["period"]["year"], 2026);
    assert_eq!(reported[0]["effects"], "Arbetet pågår.");
}

/// An activity's methods and responsibilities (with their organization) take plans too
/// when their selections are plain; `zz` sends each list through the generic resolvers.
/// Both answers must be the same, for every activity of three district plans.
#[tokio::test]
async fn method_and_responsibility_lists_answer_as_the_generic_resolvers_do() {
    let app = spawn_app().await;
    let query = |method_extra: &str, responsibility_extra: &str, organization_extra: &str| {
        format!(
            r#"query($yes: Boolean!) {{
              activities(first: 100) {{ nodes {{ id
                methods {{ __typename id ...M short: abbreviation name @include(if: $yes) {method_extra} }}
                responsibilities {{
                  __typename id role
                  ... on Node {{ id }}
                  organization {{ id name }}
                  organization {{ kind ...O }}
                  o: organization {{ __typename name @skip(if: $yes) }}
                  {responsibility_extra}
                  again: organization {{ slug {organization_extra} }}
                }}
              }} }}
            }}
            fragment M on Method {{ slug abbreviation description }}
            fragment O on Organization {{ __typename slug }}"#
        )
    };
    let variables = json!({ "yes": true });
    let fast = raw_answer(&app, &query("", "", ""), variables.clone()).await;
    let generic = raw_answer(
        &app,
        &query("zz: viewerCanUpdate", "zz: activity { __typename }", ""),
        variables.clone(),
    )
    .await;
    let generic_org =
        raw_answer(&app, &query("", "", "zz: parent { __typename }"), variables).await;
    assert!(generic.contains("\"zz\":") && generic_org.contains("\"zz\":"));
    let fast: Value = serde_json::from_str(&fast).unwrap();
    let generic: Value = serde_json::from_str(&generic).unwrap();
    let generic_org: Value = serde_json::from_str(&generic_org).unwrap();
    assert_eq!(fast, without_member(generic, "zz"));
    assert_eq!(fast, without_member(generic_org, "zz"));

    let activities = fast["data"]["activities"]["nodes"].as_array().unwrap();
    let methods: Vec<&Value> = activities
        .iter()
        .flat_map(|a| a["methods"].as_array().unwrap())
        .collect();
    let responsibilities: Vec<&Value> = activities
        .iter()
        .flat_map(|a| a["responsibilities"].as_array().unwrap())
        .collect();
    // The Stockholm plans name 16 methods of activities (in their "Metoder och
    // arbetssätt" cells) and 72 responsibilities.
    assert_eq!(methods.len(), 16);
    assert_eq!(responsibilities.len(), 72);
    assert_eq!(methods[0]["__typename"], "Method");
    assert!(methods.iter().any(|m| m["short"].is_string()));
    let r = responsibilities[0];
    assert_eq!(r["__typename"], "Responsibility");
    assert_eq!(r["organization"]["__typename"], "Organization");
    assert!(r["organization"]["kind"].is_string() && r["again"]["slug"].is_string());
    assert_eq!(r["o"], json!({ "__typename": "Organization" }));
}
