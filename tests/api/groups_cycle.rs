//! Groups everywhere (issue 14, item 5): a group's kinds, validity, source plan and the
//! activities it carries; group follow-ups with the same rules, versions and locking as
//! activities' follow-ups; coverage by every kind; the summary's group counts; and the
//! users' `GroupFollowUps` operation — all on data made here with mutations.

use api::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, operation, spawn_app, spawn_app_with, ws_connect};

/// Run `query` as admin, failing on any error or user error of the first payload.
async fn admin(app: &TestApp, query: &str, vars: Value) -> Value {
    let data = app.run_as(&app.admin_token(), query, vars).await;
    if let Some(payload) = data.as_object().and_then(|o| o.values().next())
        && let Some(errors) = payload.get("userErrors")
    {
        assert_eq!(errors, &json!([]), "{query}: {data}");
    }
    data
}

/// A district's ID and its first action plan's ID.
async fn district(app: &TestApp, slug: &str) -> (Value, Value) {
    let data = app
        .query(
            r#"query($s: String!) { district(slug: $s) { id actionPlans { nodes { id } } } }"#,
            json!({ "s": slug }),
        )
        .await;
    (
        data["district"]["id"].clone(),
        data["district"]["actionPlans"]["nodes"][0]["id"].clone(),
    )
}

const CREATE_GROUP: &str = r#"
mutation($input: CreateCollaborationGroupInput!) {
  createCollaborationGroup(input: $input) {
    collaborationGroup { id version kind kinds validFrom validUntil followUpTerms sourcePlan { id } }
    userErrors { field code message }
  }
}"#;

const UPDATE_GROUP: &str = r#"
mutation($input: UpdateCollaborationGroupInput!) {
  updateCollaborationGroup(input: $input) {
    collaborationGroup { id version kind kinds validFrom validUntil }
    userErrors { field code message }
  }
}"#;

const REPORT: &str = r#"
mutation($g: ID!, $y: Int!, $t: Term!, $s: FollowUpStatus!, $n: String, $v: Int) {
  reportGroupFollowUp(input: { group: $g, period: { year: $y, term: $t }, status: $s, notes: $n, expectedVersion: $v }) {
    groupFollowUp { id version status notes locked asOf period { year term } reportedBy { slug } group { id } }
    userErrors { field code message }
  }
}"#;

async fn create_group(app: &TestApp, input: Value) -> Value {
    let data = admin(app, CREATE_GROUP, json!({ "input": input })).await;
    data["createCollaborationGroup"]["collaborationGroup"].clone()
}

/// The users' `GroupFollowUps` operation, run as they send it, answers on groups made
/// with mutations: a Bromma group of two kinds, valid 2024–2026, from Bromma's plan,
/// carrying a new activity, followed up for T1 2025.
#[tokio::test]
async fn the_group_follow_ups_operation_answers() {
    let app = spawn_app().await;
    let (bromma, plan) = district(&app, "bromma").await;
    let group = create_group(
        &app,
        json!({ "district": bromma, "name": "Trygghetsrådet (prov)", "kinds": ["LOCAL_BRA", "OPERATIVE_BRA"],
                "validFrom": "2024-01-01", "validUntil": "2026-12-31", "sourcePlan": plan,
                "followUpTerms": ["T1", "T2", "T2"] }),
    )
    .await;
    assert_eq!(group["kind"], "LOCAL_BRA");
    assert_eq!(group["kinds"], json!(["LOCAL_BRA", "OPERATIVE_BRA"]));
    assert_eq!(group["followUpTerms"], json!(["T1", "T2"]));
    assert_eq!(group["sourcePlan"]["id"], plan);
    let activity = admin(
        &app,
        r#"mutation($p: ID!, $g: ID!) { createActivity(input: { actionPlan: $p, description: "Trygghetsvandring i Blackeberg.", groups: [$g] }) {
            activity { id groups { id } } userErrors { code message } } }"#,
        json!({ "p": plan, "g": group["id"] }),
    )
    .await["createActivity"]["activity"]
        .clone();
    assert_eq!(activity["groups"], json!([{ "id": group["id"] }]));
    admin(
        &app,
        REPORT,
        json!({ "g": group["id"], "y": 2025, "t": "T1", "s": "ONGOING", "n": "Möts varannan vecka." }),
    )
    .await;

    let query = operation("GroupFollowUps");
    let (status, body) = app
        .graphql_op(
            Some(&app.viewer_token()),
            &query,
            Some("GroupFollowUps"),
            json!({ "slug": "bromma", "year": 2025, "term": "T1" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let nodes = body["data"]["district"]["collaborationGroups"]["nodes"]
        .as_array()
        .unwrap();
    let ours = nodes
        .iter()
        .find(|g| g["name"] == "Trygghetsrådet (prov)")
        .unwrap();
    assert_eq!(
        ours,
        &json!({
            "name": "Trygghetsrådet (prov)",
            "kind": "LOCAL_BRA",
            "validFrom": "2024-01-01",
            "validUntil": "2026-12-31",
            "activities": [{ "id": activity["id"] }],
            "followUp": { "status": "ONGOING", "notes": "Möts varannan vecka." }
        })
    );
    // Another period: not reported.
    let (_, body) = app
        .graphql_op(
            Some(&app.viewer_token()),
            &query,
            Some("GroupFollowUps"),
            json!({ "slug": "bromma", "year": 2025, "term": "T2" }),
        )
        .await;
    let nodes = body["data"]["district"]["collaborationGroups"]["nodes"]
        .as_array()
        .unwrap();
    assert!(nodes.iter().all(|g| g["followUp"].is_null()), "{body}");
}

/// Kinds round-trip, `kind` stays the first, and both filters match any kind.
#[tokio::test]
async fn kinds_round_trip_and_filters_match_any_kind() {
    let app = spawn_app().await;
    let (skarpnack, _) = district(&app, "skarpnack").await;
    let group = create_group(
        &app,
        json!({ "district": skarpnack, "name": "Ungdomsutsättning och Sociala insatsgrupper (prov)",
                "kinds": ["YOUTH_DEPLOYMENT", "SIG"] }),
    )
    .await;
    assert_eq!(group["kind"], "YOUTH_DEPLOYMENT");
    assert_eq!(group["kinds"], json!(["YOUTH_DEPLOYMENT", "SIG"]));
    let id = group["id"].clone();

    // Found as a SIG, by the root list and by the district.
    let found = app
        .query(
            r#"{ collaborationGroups(filter: { kind: SIG }) { nodes { id } }
                 district(slug: "skarpnack") { collaborationGroups(kind: SIG) { nodes { id kinds } } } }"#,
            json!({}),
        )
        .await;
    assert!(
        found["collaborationGroups"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == id),
        "{found}"
    );
    let in_district = found["district"]["collaborationGroups"]["nodes"]
        .as_array()
        .unwrap();
    assert!(in_district.iter().any(|g| g["id"] == id), "{found}");
    assert!(
        in_district
            .iter()
            .all(|g| g["kinds"].as_array().unwrap().contains(&json!("SIG")))
    );

    // `kind` alone moves to the front; the others stay.
    let update = |input: Value| {
        let app = &app;
        async move {
            app.run_as(&app.admin_token(), UPDATE_GROUP, json!({ "input": input }))
                .await["updateCollaborationGroup"]
                .clone()
        }
    };
    let changed = update(json!({ "id": id, "expectedVersion": 1, "kind": "SIG" })).await;
    assert_eq!(changed["userErrors"], json!([]));
    assert_eq!(changed["collaborationGroup"]["kind"], "SIG");
    assert_eq!(
        changed["collaborationGroup"]["kinds"],
        json!(["SIG", "YOUTH_DEPLOYMENT"])
    );
    // `kinds` replaces the list.
    let changed = update(json!({ "id": id, "expectedVersion": 2, "kinds": ["OTHER"] })).await;
    assert_eq!(changed["collaborationGroup"]["kinds"], json!(["OTHER"]));
    assert_eq!(changed["collaborationGroup"]["kind"], "OTHER");
    // Mistakes are user errors and change nothing.
    for (input, field) in [
        (
            json!({ "id": id, "expectedVersion": 3, "kind": "SIG", "kinds": ["BUS", "SIG"] }),
            "input.kind",
        ),
        (
            json!({ "id": id, "expectedVersion": 3, "kinds": [] }),
            "input.kinds",
        ),
        (
            json!({ "id": id, "expectedVersion": 3, "kinds": ["SIG", "SIG"] }),
            "input.kinds",
        ),
        (
            json!({ "id": id, "expectedVersion": 3, "validFrom": "2023-01-01", "validUntil": "2022-12-31" }),
            "input.validUntil",
        ),
    ] {
        let refused = update(input.clone()).await;
        assert_eq!(refused["collaborationGroup"], Value::Null, "{input}");
        assert_eq!(
            refused["userErrors"][0]["code"], "BAD_USER_INPUT",
            "{input}"
        );
        assert_eq!(refused["userErrors"][0]["field"], field, "{input}");
    }
    // A create needs a kind.
    let refused = app
        .run_as(
            &app.admin_token(),
            CREATE_GROUP,
            json!({ "input": { "district": skarpnack, "name": "Utan sort" } }),
        )
        .await;
    assert_eq!(
        refused["createCollaborationGroup"]["userErrors"][0]["code"],
        "BAD_USER_INPUT"
    );
    // Another district's plan is no source.
    let (_, bromma_plan) = district(&app, "bromma").await;
    let refused = app
        .run_as(
            &app.admin_token(),
            CREATE_GROUP,
            json!({ "input": { "district": skarpnack, "name": "Fel plan", "kind": "SSPF", "sourcePlan": bromma_plan } }),
        )
        .await;
    assert_eq!(
        refused["createCollaborationGroup"]["userErrors"][0]["field"],
        "input.sourcePlan"
    );
    // The audit trail records the kinds.
    let history = app
        .run_as(
            &app.admin_token(),
            r#"query($id: ID!) { auditEvents(filter: { node: $id }, first: 10) { nodes { action after } } }"#,
            json!({ "id": id }),
        )
        .await;
    let events = history["auditEvents"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 3, "{history}");
    assert!(
        events[2]["after"].to_string().contains("OTHER"),
        "{history}"
    );
}

/// Validity: a group of 2022 is not current in 2026; `validOn` keeps the groups valid
/// that day; a group without validity is always current.
#[tokio::test]
async fn validity_and_current() {
    let app = spawn_app().await;
    let (skarpnack, _) = district(&app, "skarpnack").await;
    let old = create_group(
        &app,
        json!({ "district": skarpnack, "name": "Åtaganden 2022 (prov)", "kind": "SSPF",
                "validFrom": "2022-01-01", "validUntil": "2022-12-31" }),
    )
    .await;
    let open = create_group(
        &app,
        json!({ "district": skarpnack, "name": "Tillsvidare (prov)", "kind": "SSPF" }),
    )
    .await;
    let data = app
        .query(
            r#"query($a: ID!, $b: ID!) {
                 a: node(id: $a) { ... on CollaborationGroup { current in2022: current(on: "2022-06-30") before: current(on: "2021-12-31") } }
                 b: node(id: $b) { ... on CollaborationGroup { current in2022: current(on: "2022-06-30") } }
                 in2022: collaborationGroups(filter: { validOn: "2022-03-01" }, first: 100) { nodes { id } }
                 in2026: collaborationGroups(filter: { validOn: "2026-03-01" }, first: 100) { nodes { id } }
                 district(slug: "skarpnack") { collaborationGroups(validOn: "2026-03-01") { nodes { id } } }
               }"#,
            json!({ "a": old["id"], "b": open["id"] }),
        )
        .await;
    assert_eq!(
        data["a"],
        json!({ "current": false, "in2022": true, "before": false })
    );
    assert_eq!(data["b"], json!({ "current": true, "in2022": true }));
    let ids = |v: &Value| -> Vec<Value> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].clone())
            .collect()
    };
    assert!(ids(&data["in2022"]).contains(&old["id"]));
    assert!(ids(&data["in2022"]).contains(&open["id"]));
    assert!(!ids(&data["in2026"]).contains(&old["id"]));
    assert!(ids(&data["in2026"]).contains(&open["id"]));
    let in_district = ids(&data["district"]["collaborationGroups"]);
    assert!(!in_district.contains(&old["id"]) && in_district.contains(&open["id"]));
}

/// Coverage by group kind counts a two-kind group under both kinds, in counts and items.
#[tokio::test]
async fn coverage_counts_a_group_under_each_of_its_kinds() {
    let app = spawn_app().await;
    let (skarpnack, _) = district(&app, "skarpnack").await;
    let d = skarpnack.clone();
    let coverage = async || {
        let data = app
            .query(
                r#"query($d: ID!) {
                     counts: coverage(dimension: GROUP_KIND, districts: [$d]) { rows { cells { key count } } }
                     items: coverage(dimension: GROUP_KIND, districts: [$d]) { rows { cells { key count items { ... on Node { id } } } } }
                   }"#,
                json!({ "d": d }),
            )
            .await;
        let read = |which: &str, key: &str| -> (u64, usize) {
            let cell = data[which]["rows"][0]["cells"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["key"] == key)
                .unwrap()
                .clone();
            (
                cell["count"].as_u64().unwrap(),
                cell["items"].as_array().map_or(0, Vec::len),
            )
        };
        (
            read("counts", "SIG").0,
            read("counts", "YOUTH_DEPLOYMENT").0,
            read("items", "SIG"),
            read("items", "YOUTH_DEPLOYMENT"),
        )
    };
    let (sig, youth, _, _) = coverage().await;
    create_group(
        &app,
        json!({ "district": skarpnack, "name": "Två sorter (prov)", "kinds": ["YOUTH_DEPLOYMENT", "SIG"] }),
    )
    .await;
    let (sig_after, youth_after, sig_items, youth_items) = coverage().await;
    assert_eq!(sig_after, sig + 1);
    assert_eq!(youth_after, youth + 1);
    assert_eq!(sig_items, (sig + 1, (sig + 1) as usize));
    assert_eq!(youth_items, (youth + 1, (youth + 1) as usize));
}

/// Activities are carried only by groups of their plan's district; `groups` replaces the
/// set; removing a group's activity removes the link.
#[tokio::test]
async fn activity_groups_belong_to_the_plans_district() {
    let app = spawn_app().await;
    let (skarpnack, plan) = district(&app, "skarpnack").await;
    let (bromma, _) = district(&app, "bromma").await;
    let here = create_group(
        &app,
        json!({ "district": skarpnack, "name": "Här (prov)", "kind": "SSPF" }),
    )
    .await;
    let there = create_group(
        &app,
        json!({ "district": bromma, "name": "Där (prov)", "kind": "SSPF" }),
    )
    .await;
    let refused = app
        .run_as(
            &app.admin_token(),
            r#"mutation($p: ID!, $g: ID!) { createActivity(input: { actionPlan: $p, description: "X.", groups: [$g] }) {
                activity { id } userErrors { field code } } }"#,
            json!({ "p": plan, "g": there["id"] }),
        )
        .await;
    assert_eq!(
        refused["createActivity"],
        json!({ "activity": null, "userErrors": [{ "field": "input.groups", "code": "BAD_USER_INPUT" }] })
    );
    let activity = admin(
        &app,
        r#"mutation($p: ID!, $g: ID!) { createActivity(input: { actionPlan: $p, description: "X.", groups: [$g, $g] }) {
            activity { id version groups { id } } userErrors { code } } }"#,
        json!({ "p": plan, "g": here["id"] }),
    )
    .await["createActivity"]["activity"]
        .clone();
    assert_eq!(activity["groups"], json!([{ "id": here["id"] }]));
    let refused = app
        .run_as(
            &app.admin_token(),
            r#"mutation($id: ID!, $g: ID!) { updateActivity(input: { id: $id, expectedVersion: 1, groups: [$g] }) {
                activity { id } userErrors { field code } } }"#,
            json!({ "id": activity["id"], "g": there["id"] }),
        )
        .await;
    assert_eq!(
        refused["updateActivity"]["userErrors"][0]["field"],
        "input.groups"
    );
    let cleared = admin(
        &app,
        r#"mutation($id: ID!) { updateActivity(input: { id: $id, expectedVersion: 1, groups: [] }) {
            activity { groups { id } } userErrors { code } } }"#,
        json!({ "id": activity["id"] }),
    )
    .await;
    assert_eq!(cleared["updateActivity"]["activity"]["groups"], json!([]));
    let group = app
        .query(
            r#"query($g: ID!) { node(id: $g) { ... on CollaborationGroup { activities { id } } } }"#,
            json!({ "g": here["id"] }),
        )
        .await;
    assert_eq!(group["node"]["activities"], json!([]));
}

/// Report, change, conflict, lock: the same rules as activities' follow-ups.
#[tokio::test]
async fn group_follow_ups_report_conflict_and_lock() {
    let app = spawn_app().await;
    let (skarpnack, _) = district(&app, "skarpnack").await;
    let police = app
        .query(r#"{ organization(slug: "lpo-farsta") { id } }"#, json!({}))
        .await["organization"]["id"]
        .clone();
    let group = create_group(
        &app,
        json!({ "district": skarpnack, "name": "Följs upp (prov)", "kind": "SSPF", "followUpTerms": ["T1"],
                "validFrom": "2025-01-01" }),
    )
    .await;
    let g = group["id"].clone();
    admin(
        &app,
        r#"mutation($g: ID!, $o: ID!) { joinGroup(input: { group: $g, organization: $o }) { participation { id } userErrors { code } } }"#,
        json!({ "g": g, "o": police }),
    )
    .await;
    let seated = app.token("lpo-farsta", Role::OrgEditor);
    let outsider = app.token("mtr", Role::OrgEditor);
    let coordinator = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);

    // Before: expected and missing in the summary.
    let summary_query = r#"query($d: ID!) { followUpSummary(period: { year: 2025, term: T1 }, districts: [$d]) {
        expected groupsExpected groupsReported groupsMissing { id } } }"#;
    let before = app.query(summary_query, json!({ "d": skarpnack })).await;
    let s = &before["followUpSummary"][0];
    assert!(
        s["groupsMissing"]
            .as_array()
            .unwrap()
            .contains(&json!({ "id": g }))
    );
    let expected = s["groupsExpected"].as_u64().unwrap();
    assert!(expected >= 1);

    // The seated organization reports; an organization without a seat may not.
    let vars = json!({ "g": g, "y": 2025, "t": "T1", "s": "ONGOING", "n": "Första." });
    let (_, body) = app
        .graphql_with(Some(&outsider), REPORT, vars.clone())
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    let first = app.run_as(&seated, REPORT, vars.clone()).await["reportGroupFollowUp"].clone();
    assert_eq!(first["userErrors"], json!([]));
    let report = first["groupFollowUp"].clone();
    assert_eq!(report["version"], 1);
    assert_eq!(report["asOf"], "2025-04-30");
    assert_eq!(report["reportedBy"]["slug"], "lpo-farsta");
    assert_eq!(report["group"]["id"], g);
    assert_eq!(report["period"], json!({ "year": 2025, "term": "T1" }));

    // Again without expectedVersion, or with a stale one: CONFLICT with the current report.
    for v in [Value::Null, json!(7)] {
        let mut again = vars.clone();
        again["v"] = v;
        again["n"] = json!("Andra.");
        let answer = app.run_as(&seated, REPORT, again).await["reportGroupFollowUp"].clone();
        assert_eq!(answer["userErrors"][0]["code"], "CONFLICT", "{answer}");
        assert_eq!(answer["groupFollowUp"]["notes"], "Första.");
        assert_eq!(answer["groupFollowUp"]["version"], 1);
    }
    // expectedVersion for a period never reported: a user error.
    let mut fresh = vars.clone();
    fresh["y"] = json!(2024);
    fresh["v"] = json!(1);
    let answer = app.run_as(&seated, REPORT, fresh).await["reportGroupFollowUp"].clone();
    assert_eq!(answer["userErrors"][0]["field"], "input.expectedVersion");
    // The coordinator changes it with the right version.
    let mut change = vars.clone();
    change["v"] = json!(1);
    change["s"] = json!("DONE");
    change["n"] = json!("Klart.");
    let changed =
        app.run_as(&coordinator, REPORT, change.clone()).await["reportGroupFollowUp"].clone();
    assert_eq!(changed["userErrors"], json!([]));
    assert_eq!(changed["groupFollowUp"]["version"], 2);
    assert_eq!(changed["groupFollowUp"]["status"], "DONE");

    // Summary: reported, no longer missing.
    let after = app.query(summary_query, json!({ "d": skarpnack })).await;
    let s = &after["followUpSummary"][0];
    assert!(
        !s["groupsMissing"]
            .as_array()
            .unwrap()
            .contains(&json!({ "id": g }))
    );
    assert_eq!(s["groupsExpected"].as_u64().unwrap(), expected);
    assert!(s["groupsReported"].as_u64().unwrap() >= 1);
    assert_eq!(s["expected"], before["followUpSummary"][0]["expected"]);

    // Submit locks it: the seat and the coordinator may no longer change it; an admin may.
    let submit = r#"mutation($d: ID!) { submitGroupFollowUps(input: { district: $d, period: { year: 2025, term: T1 } }) {
        groupFollowUps { id locked version } userErrors { code } } }"#;
    let (_, body) = app
        .graphql_with(Some(&seated), submit, json!({ "d": skarpnack }))
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    let submitted = app
        .run_as(&coordinator, submit, json!({ "d": skarpnack }))
        .await;
    assert_eq!(
        submitted["submitGroupFollowUps"]["groupFollowUps"],
        json!([{ "id": report["id"], "locked": true, "version": 3 }])
    );
    let mut late = change.clone();
    late["v"] = json!(3);
    for token in [&seated, &coordinator] {
        let (_, body) = app.graphql_with(Some(token), REPORT, late.clone()).await;
        assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    }
    let fixed = admin(&app, REPORT, late).await;
    assert_eq!(fixed["reportGroupFollowUp"]["groupFollowUp"]["version"], 4);
    assert_eq!(
        fixed["reportGroupFollowUp"]["groupFollowUp"]["locked"],
        true
    );

    // The node, its rule as seen by each caller, its history and the group's list.
    let node_query = r#"query($id: ID!, $g: ID!) {
        node(id: $id) { ... on GroupFollowUp { id version viewerCanUpdate history(first: 10) { nodes { action } } } }
        group: node(id: $g) { ... on CollaborationGroup { followUps(first: 10) { totalCount nodes { id } }
                                                           viewerCanReportFollowUp } } }"#;
    let node_vars = json!({ "id": report["id"], "g": g });
    let seen = app
        .run_as(&coordinator, node_query, node_vars.clone())
        .await;
    assert_eq!(seen["node"]["version"], 4);
    assert_eq!(seen["node"]["viewerCanUpdate"], false);
    let actions: Vec<&str> = seen["node"]["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "groupFollowUp.create",
            "groupFollowUp.update",
            "groupFollowUp.submit",
            "groupFollowUp.update"
        ]
    );
    assert_eq!(seen["group"]["followUps"]["totalCount"], 1);
    assert_eq!(seen["group"]["viewerCanReportFollowUp"], true);
    let by_admin = app
        .run_as(&app.admin_token(), node_query, node_vars.clone())
        .await;
    assert_eq!(by_admin["node"]["viewerCanUpdate"], true);
    let (_, body) = app
        .graphql_with(Some(&outsider), node_query, node_vars)
        .await;
    assert_eq!(body["data"]["group"]["viewerCanReportFollowUp"], false);
}

/// A group's follow-up reported is heard on `groupChanged`, with the follow-up.
#[tokio::test]
async fn group_follow_ups_are_heard_on_group_changed() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let app = spawn_app().await;
    let (skarpnack, _) = district(&app, "skarpnack").await;
    let group = create_group(
        &app,
        json!({ "district": skarpnack, "name": "Hörs (prov)", "kind": "SSPF" }),
    )
    .await;
    let mut socket = ws_connect(&app, &app.viewer_token()).await;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($d: ID) { groupChanged(district: $d) { action group { id } groupFollowUp { status notes } } }",
        "variables": { "d": skarpnack } } });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.events.subscriber_count() < 1 {
        assert!(tokio::time::Instant::now() < deadline, "no subscription");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    admin(
        &app,
        REPORT,
        json!({ "g": group["id"], "y": 2025, "t": "T2", "s": "PAUSED", "n": "Vilar." }),
    )
    .await;
    let message = loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("an event in time")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = msg {
            break serde_json::from_str::<Value>(&text).unwrap();
        }
    };
    assert_eq!(
        message["payload"]["data"]["groupChanged"],
        json!({ "action": "groupFollowUp.create", "group": { "id": group["id"] },
                "groupFollowUp": { "status": "PAUSED", "notes": "Vilar." } }),
        "{message}"
    );
}

/// A page of groups with their kinds, activities, follow-up of a period and seats costs
/// the same statements for 1 group as for 100 (generated data, with links and reports
/// added here).
#[tokio::test]
async fn a_page_of_groups_with_kinds_activities_and_follow_ups_costs_flat_statements() {
    use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
    let app = spawn_app_with(|s| s.max_complexity = usize::MAX).await;
    let options = api::generate::Options {
        municipalities: 2,
        seed: 11,
        progress: false,
    };
    api::generate::generate(&app.db, &options)
        .await
        .expect("generate");
    // Every generated group: a second kind, the activity with its id, a T1 2025 report.
    let groups = entity::collaboration_group::Entity::find()
        .order_by_asc(entity::collaboration_group::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let activities = entity::activity::Entity::find()
        .order_by_asc(entity::activity::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    assert!(groups.len() >= 100 && !activities.is_empty());
    let now = sea_orm::prelude::ChronoUtc::now();
    let stored = entity::collaboration_group_kind::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    for (i, g) in groups.iter().enumerate() {
        // A kind the group is not of yet (a generator may have written some).
        let has: Vec<entity::enums::GroupKind> = stored
            .iter()
            .filter(|k| k.collaboration_group_id == g.id)
            .map(|k| k.kind)
            .chain([g.kind])
            .collect();
        let second = [
            entity::enums::GroupKind::Sig,
            entity::enums::GroupKind::Other,
            entity::enums::GroupKind::Bus,
        ]
        .into_iter()
        .find(|k| !has.contains(k))
        .unwrap();
        entity::collaboration_group_kind::ActiveModel {
            collaboration_group_id: Set(g.id),
            kind: Set(second),
            position: Set(10),
        }
        .insert(&app.db)
        .await
        .unwrap();
        entity::activity_group::ActiveModel {
            activity_id: Set(activities[i % activities.len()].id),
            collaboration_group_id: Set(g.id),
        }
        .insert(&app.db)
        .await
        .unwrap();
        entity::group_follow_up::ActiveModel {
            collaboration_group_id: Set(g.id),
            year: Set(2025),
            term: Set(entity::enums::Term::T1),
            status: Set(entity::enums::FollowUpStatus::Ongoing),
            notes: Set(Some(format!("Rapport {i}."))),
            locked: Set(false),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let template = r#"{
  collaborationGroups(first: FIRST) {
    nodes {
      name kind kinds validFrom current
      sourcePlan { title }
      activities { id actionPlan { title } }
      followUp(period: { year: 2025, term: T1 }) { status notes reportedBy { name } }
      followUps(first: 5) { nodes { version } }
      participations { organization { name } }
    }
  }
}"#;
    let mut by_size = Vec::new();
    for first in [1, 10, 50, 100] {
        let query = template.replace("FIRST", &first.to_string());
        let before = app.statements.get();
        let data = app.query(&query, json!({})).await;
        let n = app.statements.get() - before;
        let nodes = data["collaborationGroups"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), first);
        assert!(
            nodes
                .iter()
                .all(|g| g["kinds"].as_array().unwrap().len() >= 2
                    && !g["activities"].as_array().unwrap().is_empty()
                    && g["followUp"]["status"] == "ONGOING")
        );
        by_size.push(n);
    }
    eprintln!("groups page: {by_size:?} statements for 1, 10, 50, 100");
    // One statement for the page, one per relation asked for (kinds, activities, the
    // period's follow-up, the follow-ups, the seats), one for the activities' plans, and
    // the organizations of reporters and seats: one statement when both relations land in
    // the same batching wave, two when they do not. Never more with a larger page.
    assert!(by_size.iter().all(|&n| n <= 8), "{by_size:?}");
}
