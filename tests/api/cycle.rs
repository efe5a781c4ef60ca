//! The city's cycle (issue 14): strategy lineage, obligations and their deliveries,
//! situation pictures and cause analyses, plans of any body.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, operation, spawn_app_with};

/// A seeded server without the rate limit: these tests send many requests in a row, and
/// every test token has the same subject.
async fn unlimited_app() -> TestApp {
    spawn_app_with(|s| s.rate_limit_per_minute = 0).await
}

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

/// A strategy `stockholm-2027-2030` following the strategy `predecessor` (a slug), whose
/// priority areas continue that strategy's (in order) and whose focus areas continue the
/// old ones. Returns the new strategy's ID and, per old priority area slug, the new
/// area's slug.
async fn successor_of(app: &TestApp, predecessor: &str) -> (String, Vec<(String, String)>) {
    let old = app
        .query(
            r#"query($slug: String!) { strategy(slug: $slug) { id municipality { id }
                 priorityAreas { id slug name focusAreas { id name } } } }"#,
            json!({ "slug": predecessor }),
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
    assert_eq!(s["predecessor"]["slug"], predecessor);
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
    let app = unlimited_app().await;
    // The seeded line: 2019–2022 → 2024–2026; the test extends it with 2027–2030.
    let (id, pairs) = successor_of(&app, "stockholm-2024-2026").await;
    assert!(!pairs.is_empty());
    let data = app
        .query(
            r#"{ first: strategy(slug: "stockholm-2019-2022") { successor { slug } predecessor { slug } }
                 strategy(slug: "stockholm-2024-2026") { successor { slug } predecessor { slug }
                 priorityAreas { slug continuedBy { slug strategy { slug } }
                   focusAreas { continuedBy { name continues { name } } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["first"]["successor"]["slug"], "stockholm-2024-2026");
    assert_eq!(data["first"]["predecessor"], Value::Null);
    let s = &data["strategy"];
    assert_eq!(s["successor"]["slug"], "stockholm-2027-2030");
    assert_eq!(s["predecessor"]["slug"], "stockholm-2019-2022");
    let areas = s["priorityAreas"].as_array().unwrap();
    assert_eq!(areas.len(), pairs.len());
    let mut focus_continued = 0;
    for pa in areas {
        let by = pa["continuedBy"].as_array().unwrap();
        let new: Vec<&Value> = by
            .iter()
            .filter(|a| a["strategy"]["slug"] == "stockholm-2027-2030")
            .collect();
        assert_eq!(new.len(), 1, "{pa}");
        let slug = pa["slug"].as_str().unwrap();
        assert!(
            pairs
                .iter()
                .any(|(o, n)| o == slug && new[0]["slug"] == n.as_str()),
            "{pa}"
        );
        for fa in pa["focusAreas"].as_array().unwrap() {
            for c in fa["continuedBy"].as_array().unwrap() {
                assert_eq!(c["continues"]["name"], c["name"]);
                focus_continued += 1;
            }
        }
    }
    assert!(focus_continued > 0, "{data}");
    // An area may continue only an area of the named predecessor (2027–2030 here, not
    // 2019–2022).
    let other = app
        .query(
            r#"{ strategy(slug: "stockholm-2019-2022") { id municipality { id } priorityAreas { id } } }"#,
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
    let app = unlimited_app().await;
    let (new_id, pairs) = successor_of(&app, "stockholm-2019-2022").await;
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

// --- Obligations and deliveries ----------------------------------------------------------

/// Run a named operation of `tests/operations.graphql` as a viewer, failing on errors.
async fn run_op(app: &TestApp, name: &str, variables: Value) -> Value {
    let token = app.viewer_token();
    let (status, body) = app
        .graphql_op(Some(&token), &operation(name), Some(name), variables)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{name}: {body}");
    body["data"].clone()
}

/// Run `query` with `token`; the payload's `userErrors` must be empty; returns `data`.
async fn ok_as(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let data = app.run_as(token, query, variables).await;
    let payload = data.as_object().unwrap().values().next().unwrap();
    assert_eq!(payload["userErrors"], json!([]), "{query}: {data}");
    data
}

/// IDs of the seeded things the cycle tests use.
struct Ids {
    s2024: Value,
    skarpnack: Value,
    bromma: Value,
    spanga: Value,
    skarpnack_sdf: Value,
    social: Value,
    area: Value,
    focus: Value,
}

async fn ids(app: &TestApp) -> Ids {
    let data = app
        .query(
            r#"{ strategy(slug: "stockholm-2024-2026") { id priorityAreas { id focusAreas { id } } }
                 skarpnack: district(slug: "skarpnack") { id } bromma: district(slug: "bromma") { id }
                 spanga: district(slug: "spanga-tensta") { id }
                 sdf: organization(slug: "skarpnack-sdf") { id } social: organization(slug: "socialforvaltningen") { id } }"#,
            json!({}),
        )
        .await;
    let area = data["strategy"]["priorityAreas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pa| !pa["focusAreas"].as_array().unwrap().is_empty())
        .unwrap()
        .clone();
    Ids {
        s2024: data["strategy"]["id"].clone(),
        skarpnack: data["skarpnack"]["id"].clone(),
        bromma: data["bromma"]["id"].clone(),
        spanga: data["spanga"]["id"].clone(),
        skarpnack_sdf: data["sdf"]["id"].clone(),
        social: data["social"]["id"].clone(),
        area: area["id"].clone(),
        focus: area["focusAreas"][0]["id"].clone(),
    }
}

const CREATE_OBLIGATION: &str = r#"mutation($input: CreateObligationInput!) {
    createObligation(input: $input) { obligation { id version kind state viewerCanUpdate } userErrors { field code message } } }"#;

const CREATE_PICTURE: &str = r#"mutation($input: CreateSituationPictureInput!) {
    createSituationPicture(input: $input) {
      situationPicture { id slug version cityWide viewerCanUpdate organization { slug } districts { slug }
        sources { kind name year } findings { id text priorityArea { id } focusArea { id } } causeAnalysis { id } }
      userErrors { field code message } } }"#;

const SET_ANALYSIS: &str = r#"mutation($input: SetCauseAnalysisInput!) {
    setCauseAnalysis(input: $input) {
      causeAnalysis { id version asOf causes { text findings { id } } situationPicture { id } }
      userErrors { field code message } } }"#;

/// Obligations a test created for one body: the body's Organization ID and the
/// obligations' IDs (the seed gives the body obligations of its own).
struct Ours {
    org: Value,
    ids: Vec<Value>,
}

/// Of the obligations of `ours.org`, those in `ours.ids`, by kind: (state, deliveredBy
/// typename). Each of them is listed under its body, once.
async fn states(
    app: &TestApp,
    ours: &Ours,
    as_of: &str,
) -> BTreeMap<String, (String, Option<String>)> {
    let data = app
        .query(
            r#"query($o: ID!, $d: Date) { node(id: $o) { ... on Organization { obligations(first: 100) {
                 nodes { id kind state(asOf: $d) deliveredBy(asOf: $d) { __typename ... on Node { id } } } } } } }"#,
            json!({ "o": ours.org, "d": as_of }),
        )
        .await;
    let nodes: Vec<&Value> = data["node"]["obligations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| ours.ids.contains(&o["id"]))
        .collect();
    assert_eq!(nodes.len(), ours.ids.len(), "{data}");
    nodes
        .into_iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().to_string(),
                (
                    o["state"].as_str().unwrap().to_string(),
                    o["deliveredBy"]["__typename"].as_str().map(str::to_string),
                ),
            )
        })
        .collect()
}

fn state_of<'a>(states: &'a BTreeMap<String, (String, Option<String>)>, kind: &str) -> &'a str {
    &states[kind].0
}

#[tokio::test]
async fn obligations_are_delivered_by_pictures_analyses_plans_and_follow_ups() {
    let app = unlimited_app().await;
    let ids = ids(&app).await;
    let admin_token = app.admin_token();
    // The seed's obligations (57, three of them Skarpnäck's) stay as they are; this test
    // follows its own.
    let baseline = app
        .query(
            r#"query($o: ID!) { strategy(slug: "stockholm-2024-2026") { obligations { totalCount }
                 followUps: obligations(filter: { organization: $o, kind: FOLLOW_UP }) { totalCount } } }"#,
            json!({ "o": ids.skarpnack_sdf }),
        )
        .await;
    let total_before = baseline["strategy"]["obligations"]["totalCount"]
        .as_u64()
        .unwrap();
    let follow_ups_before = baseline["strategy"]["followUps"]["totalCount"]
        .as_u64()
        .unwrap();
    let mut ours = Ours {
        org: ids.skarpnack_sdf.clone(),
        ids: Vec::new(),
    };
    for (kind, year, term, due) in [
        (
            "SITUATION_PICTURE",
            json!(2025),
            Value::Null,
            json!("2025-03-31"),
        ),
        ("CAUSE_ANALYSIS", Value::Null, Value::Null, Value::Null),
        ("ACTION_PLAN", json!(2025), Value::Null, Value::Null),
        ("FOLLOW_UP", json!(2025), json!("T1"), json!("2025-05-15")),
    ] {
        let data = ok_as(
            &app,
            &admin_token,
            CREATE_OBLIGATION,
            json!({ "input": { "strategy": ids.s2024, "organization": ids.skarpnack_sdf, "kind": kind,
                "year": year, "term": term, "dueOn": due, "note": "Strategin 2024–2026, avsnitt 5.1." } }),
        )
        .await;
        assert_eq!(
            data["createObligation"]["obligation"]["viewerCanUpdate"],
            true
        );
        ours.ids
            .push(data["createObligation"]["obligation"]["id"].clone());
    }
    // Nothing delivered: by the calendar.
    let s = states(&app, &ours, "2023-12-31").await;
    assert!(
        s.values()
            .all(|(state, by)| state == "NOT_DUE" && by.is_none()),
        "{s:?}"
    );
    let s = states(&app, &ours, "2024-06-01").await;
    assert_eq!(state_of(&s, "SITUATION_PICTURE"), "NOT_DUE");
    assert_eq!(state_of(&s, "CAUSE_ANALYSIS"), "DUE");
    let s = states(&app, &ours, "2025-04-01").await;
    assert_eq!(state_of(&s, "SITUATION_PICTURE"), "OVERDUE");
    assert_eq!(state_of(&s, "ACTION_PLAN"), "DUE");
    assert_eq!(state_of(&s, "FOLLOW_UP"), "DUE");
    let s = states(&app, &ours, "2027-01-01").await;
    assert!(s.values().all(|(state, _)| state == "OVERDUE"), "{s:?}");

    // The district's coordinator records the lägesbild of 10 February 2025.
    let coordinator = app.token_in(
        "skarpnack-sdf",
        api::auth::Role::DistrictCoordinator,
        &["skarpnack"],
    );
    let data = ok_as(
        &app,
        &coordinator,
        CREATE_PICTURE,
        json!({ "input": {
            "organization": ids.skarpnack_sdf, "strategy": ids.s2024, "title": "Lokal lägesbild Skarpnäck 2025",
            "asOf": "2025-02-10", "summary": "Otryggheten i centrummiljöerna ökar.", "districts": [ids.skarpnack],
            "sources": [
                { "kind": "SAFETY_SURVEY", "name": "Stadens trygghetsmätning", "year": 2024 },
                { "kind": "STOCKHOLM_SURVEY", "name": "Stockholmsenkäten", "year": 2024 },
                { "kind": "POLICE_SITUATION_PICTURE", "name": "Polisens lägesbild" } ],
            "findings": [
                { "text": "Andelen unga som känner sig otrygga i centrum ökar.", "priorityArea": ids.area, "focusArea": ids.focus },
                { "text": "Fler anmälda rån mot unga under kvällstid." } ] } }),
    )
    .await;
    let picture = data["createSituationPicture"]["situationPicture"].clone();
    assert_eq!(picture["viewerCanUpdate"], true);
    assert_eq!(picture["districts"], json!([{ "slug": "skarpnack" }]));
    assert_eq!(
        picture["sources"][2],
        json!({ "kind": "POLICE_SITUATION_PICTURE", "name": "Polisens lägesbild", "year": null })
    );
    assert_eq!(picture["findings"][0]["focusArea"]["id"], ids.focus);
    let s = states(&app, &ours, "2025-02-09").await;
    assert_eq!(state_of(&s, "SITUATION_PICTURE"), "DUE");
    let s = states(&app, &ours, "2025-02-10").await;
    assert_eq!(
        s["SITUATION_PICTURE"],
        ("DELIVERED".into(), Some("SituationPicture".into()))
    );
    assert_eq!(state_of(&s, "CAUSE_ANALYSIS"), "DUE");
    // Delivered late is delivered all the same.
    let s = states(&app, &ours, "2026-06-01").await;
    assert_eq!(state_of(&s, "SITUATION_PICTURE"), "DELIVERED");

    // Its cause analysis, whose causes point to the findings.
    let findings = picture["findings"].as_array().unwrap();
    let data = ok_as(
        &app,
        &coordinator,
        SET_ANALYSIS,
        json!({ "input": { "situationPicture": picture["id"], "asOf": "2025-03-01", "summary": "Orsaker.",
            "causes": [ { "text": "Få vuxna i centrummiljön kvällstid.", "findings": [findings[0]["id"], findings[1]["id"]] },
                        { "text": "Otillräcklig belysning.", "findings": [findings[0]["id"]] } ] } }),
    )
    .await;
    let analysis = data["setCauseAnalysis"]["causeAnalysis"].clone();
    assert_eq!(
        analysis["causes"][0]["findings"].as_array().unwrap().len(),
        2
    );
    let s = states(&app, &ours, "2025-03-01").await;
    assert_eq!(
        s["CAUSE_ANALYSIS"],
        ("DELIVERED".into(), Some("CauseAnalysis".into()))
    );
    assert_eq!(
        state_of(&states(&app, &ours, "2025-02-28").await, "CAUSE_ANALYSIS"),
        "DUE"
    );

    // The plan resting on it, with an activity reporting each T1.
    let data = ok_as(
        &app,
        &coordinator,
        r#"mutation($d: ID!, $s: ID!, $p: ID!) { createActionPlan(input: { district: $d, strategy: $s, basedOn: $p,
             slug: "skarpnack-2025-2026", title: "Åtgärdsplan 2025–2026", startYear: 2025, endYear: 2026 }) {
             actionPlan { id owner { slug } district { slug } basedOn { id causeAnalysis { id } } } userErrors { field message } } }"#,
        json!({ "d": ids.skarpnack, "s": ids.s2024, "p": picture["id"] }),
    )
    .await;
    let plan = data["createActionPlan"]["actionPlan"].clone();
    assert_eq!(plan["owner"]["slug"], "skarpnack-sdf");
    assert_eq!(plan["basedOn"]["id"], picture["id"]);
    assert_eq!(plan["basedOn"]["causeAnalysis"]["id"], analysis["id"]);
    let s = states(&app, &ours, "2025-01-01").await;
    assert_eq!(
        s["ACTION_PLAN"],
        ("DELIVERED".into(), Some("ActionPlan".into()))
    );
    assert_eq!(
        state_of(&states(&app, &ours, "2024-12-31").await, "ACTION_PLAN"),
        "NOT_DUE"
    );
    // The picture knows the plans resting on it.
    let data = app
        .query(
            r#"query($id: ID!) { node(id: $id) { ... on SituationPicture { actionPlans { id } causeAnalysis { id } } } }"#,
            json!({ "id": picture["id"] }),
        )
        .await;
    assert_eq!(data["node"]["actionPlans"], json!([{ "id": plan["id"] }]));

    // FOLLOW_UP 2025 T1: delivered once every activity expected to report is submitted.
    let s = states(&app, &ours, "2025-06-01").await;
    assert_eq!(
        state_of(&s, "FOLLOW_UP"),
        "OVERDUE",
        "a plan with nothing to report delivers nothing"
    );
    let activity = ok_as(
        &app,
        &coordinator,
        r#"mutation($p: ID!) { createActivity(input: { actionPlan: $p, description: "Nattvandring i centrum.", followUpTerms: [T1, T2] }) { activity { id } userErrors { message } } }"#,
        json!({ "p": plan["id"] }),
    )
    .await["createActivity"]["activity"]["id"]
        .clone();
    ok_as(
        &app,
        &coordinator,
        r#"mutation($a: ID!) { reportFollowUp(input: { activity: $a, period: { year: 2025, term: T1 }, status: ONGOING }) { followUp { id } userErrors { message } } }"#,
        json!({ "a": activity }),
    )
    .await;
    let s = states(&app, &ours, "2025-06-01").await;
    assert_eq!(
        state_of(&s, "FOLLOW_UP"),
        "OVERDUE",
        "reported but not submitted"
    );
    ok_as(
        &app,
        &coordinator,
        r#"mutation($d: ID!) { submitFollowUps(input: { district: $d, period: { year: 2025, term: T1 } }) { followUps { id locked } userErrors { message } } }"#,
        json!({ "d": ids.skarpnack }),
    )
    .await;
    // Counted from its as-of date, the end of T1.
    let s = states(&app, &ours, "2025-04-30").await;
    assert_eq!(
        s["FOLLOW_UP"],
        ("DELIVERED".into(), Some("ActionPlan".into()))
    );
    assert_eq!(
        state_of(&states(&app, &ours, "2025-04-29").await, "FOLLOW_UP"),
        "DUE"
    );

    // The analyst's operation, as the frontends send it.
    let data = run_op(
        &app,
        "StrategyObligations",
        json!({ "strategy": "stockholm-2024-2026", "asOf": "2025-05-01" }),
    )
    .await;
    let obligations = &data["strategy"]["obligations"];
    let mine: Vec<&Value> = obligations["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| ours.ids.contains(&o["id"]))
        .collect();
    assert_eq!(mine.len(), 4, "{data}");
    assert_eq!(obligations["totalCount"], total_before + 4);
    for o in &mine {
        assert_eq!(o["organization"]["name"], "Skarpnäcks stadsdelsförvaltning");
        assert_eq!(o["state"], "DELIVERED", "{o}");
        assert_eq!(o["organization"]["kind"], "DISTRICT_ADMINISTRATION");
        // deliveredBy without asOf: as of today, after every delivery above.
        assert!(o["deliveredBy"]["id"].is_string(), "{o}");
    }
    let due: Vec<&Value> = mine
        .iter()
        .filter(|o| o["kind"] == "SITUATION_PICTURE")
        .copied()
        .collect();
    assert_eq!(due[0]["dueOn"], "2025-03-31");
    assert_eq!(
        due[0]["deliveredBy"],
        json!({ "__typename": "SituationPicture", "id": picture["id"] })
    );
    // Filters.
    let data = app
        .query(
            r#"query($o: ID!) { strategy(slug: "stockholm-2024-2026") { obligations(filter: { organization: $o, kind: FOLLOW_UP }) { totalCount nodes { id kind term year organization { id } } } } }"#,
            json!({ "o": ids.skarpnack_sdf }),
        )
        .await;
    let filtered = &data["strategy"]["obligations"];
    assert_eq!(filtered["totalCount"], follow_ups_before + 1);
    let nodes = filtered["nodes"].as_array().unwrap();
    assert!(
        nodes
            .iter()
            .all(|o| o["kind"] == "FOLLOW_UP" && o["organization"]["id"] == ids.skarpnack_sdf),
        "{data}"
    );
    let follow_up: Vec<&Value> = nodes
        .iter()
        .filter(|o| ours.ids.contains(&o["id"]))
        .collect();
    assert_eq!(
        follow_up,
        [
            &json!({ "id": ours.ids[3], "kind": "FOLLOW_UP", "term": "T1", "year": 2025,
            "organization": { "id": ids.skarpnack_sdf } })
        ]
    );
}

#[tokio::test]
async fn obligations_are_kept_by_admins_with_versions() {
    let app = unlimited_app().await;
    let ids = ids(&app).await;
    let admin_token = app.admin_token();
    let data = ok_as(
        &app,
        &admin_token,
        CREATE_OBLIGATION,
        json!({ "input": { "strategy": ids.s2024, "organization": ids.social, "kind": "ACTION_PLAN" } }),
    )
    .await;
    let id = data["createObligation"]["obligation"]["id"].clone();
    let update = r#"mutation($id: ID!, $v: Int!, $due: Date) { updateObligation(input: { id: $id, expectedVersion: $v, dueOn: $due, year: 2026 }) {
        obligation { id version dueOn year } userErrors { field code message } } }"#;
    let data = ok_as(
        &app,
        &admin_token,
        update,
        json!({ "id": id, "v": 1, "due": "2026-06-30" }),
    )
    .await;
    assert_eq!(
        data["updateObligation"]["obligation"],
        json!({ "id": id, "version": 2, "dueOn": "2026-06-30", "year": 2026 })
    );
    // A stale version: CONFLICT with the current obligation; nothing written.
    let data = app
        .run_as(
            &admin_token,
            update,
            json!({ "id": id, "v": 1, "due": null }),
        )
        .await;
    assert_eq!(
        data["updateObligation"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    assert_eq!(data["updateObligation"]["obligation"]["version"], 2);
    // Invalid: a year outside the strategy, a FOLLOW_UP without term.
    let data = app
        .run_as(
            &admin_token,
            CREATE_OBLIGATION,
            json!({ "input": { "strategy": ids.s2024, "organization": ids.social, "kind": "FOLLOW_UP", "year": 2025 } }),
        )
        .await;
    assert_eq!(
        data["createObligation"]["userErrors"][0]["field"],
        "input.term"
    );
    let data = app
        .run_as(
            &admin_token,
            CREATE_OBLIGATION,
            json!({ "input": { "strategy": ids.s2024, "organization": ids.social, "kind": "ACTION_PLAN", "year": 2019 } }),
        )
        .await;
    assert_eq!(
        data["createObligation"]["userErrors"][0]["field"],
        "input.year"
    );
    // Readable by anyone, through node too; viewerCanUpdate for admins only.
    let data = app
        .query(
            r#"query($id: ID!) { node(id: $id) { __typename ... on Obligation { viewerCanUpdate organization { slug } strategy { slug } } } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["node"],
        json!({ "__typename": "Obligation", "viewerCanUpdate": false, "organization": { "slug": "socialforvaltningen" }, "strategy": { "slug": "stockholm-2024-2026" } })
    );
    let delete = r#"mutation($id: ID!, $v: Int!) { deleteObligation(input: { id: $id, expectedVersion: $v }) { deletedId userErrors { code } } }"#;
    let data = app
        .run_as(&admin_token, delete, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(
        data["deleteObligation"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let data = ok_as(&app, &admin_token, delete, json!({ "id": id, "v": 2 })).await;
    assert_eq!(data["deleteObligation"]["deletedId"], id);
}

#[tokio::test]
async fn a_page_of_obligations_costs_a_fixed_number_of_statements() {
    let app = unlimited_app().await;
    let ids = ids(&app).await;
    let admin_token = app.admin_token();
    let orgs = app
        .query(
            r#"{ organizations(first: 60) { nodes { id } } }"#,
            json!({}),
        )
        .await;
    let orgs = orgs["organizations"]["nodes"].as_array().unwrap().clone();
    // Deliveries of several kinds for some of the bodies.
    for (i, org) in orgs.iter().take(4).enumerate() {
        ok_as(
            &app,
            &admin_token,
            CREATE_PICTURE,
            json!({ "input": { "organization": org["id"], "strategy": ids.s2024, "title": format!("Lägesbild {i}"),
                "cityWide": true, "findings": [{ "text": "Ett fynd." }] } }),
        )
        .await;
        ok_as(
            &app,
            &admin_token,
            r#"mutation($o: ID!, $s: ID!, $slug: String!) { createActionPlan(input: { owner: $o, strategy: $s, slug: $slug, title: "Egen plan", startYear: 2024 }) { actionPlan { id } userErrors { message } } }"#,
            json!({ "o": org["id"], "s": ids.s2024, "slug": format!("egen-plan-{i}") }),
        )
        .await;
    }
    let kinds = [
        "SITUATION_PICTURE",
        "CAUSE_ANALYSIS",
        "ACTION_PLAN",
        "FOLLOW_UP",
    ];
    for n in 0..57 {
        let kind = kinds[n % 4];
        let (year, term) = if kind == "FOLLOW_UP" {
            (json!(2025), json!("T2"))
        } else {
            (Value::Null, Value::Null)
        };
        ok_as(
            &app,
            &admin_token,
            CREATE_OBLIGATION,
            json!({ "input": { "strategy": ids.s2024, "organization": orgs[n % orgs.len()]["id"], "kind": kind, "year": year, "term": term } }),
        )
        .await;
    }
    let query = r#"query($n: Int!) { strategy(slug: "stockholm-2024-2026") { obligations(first: $n) { totalCount nodes {
        id kind dueOn organization { name kind } strategy { name }
        state(asOf: "2025-06-01") now: state
        deliveredBy { __typename ... on Node { id } ... on SituationPicture { findings { text } causeAnalysis { id } } ... on ActionPlan { owner { name } } } } } } }"#;
    let count = |n: i64| {
        let app = &app;
        async move {
            let before = app.statements.get();
            let data = app.query(query, json!({ "n": n })).await;
            let used = app.statements.get() - before;
            (used, data)
        }
    };
    let (one, _) = count(1).await;
    let (few, _) = count(5).await;
    let (all, data) = count(57).await;
    let nodes = data["strategy"]["obligations"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 57);
    assert!(
        nodes
            .iter()
            .any(|o| o["deliveredBy"]["__typename"] == "SituationPicture")
    );
    assert!(
        nodes
            .iter()
            .any(|o| o["deliveredBy"]["__typename"] == "ActionPlan")
    );
    assert_eq!(few, all, "statements for 5 and 57 obligations");
    assert!(one <= all && all <= 12, "{one} / {few} / {all} statements");
}

// --- Situation pictures, cause analyses, plans of any body --------------------------------

/// The DistrictCycle operation as the frontends send it; without the fields of the
/// groups and targets of issue 14 while this schema has none of them (they come with
/// their own domains).
fn district_cycle() -> String {
    let op = operation("DistrictCycle");
    if api::graphql::sdl().contains("targetGroups") {
        return op;
    }
    op.lines()
        .filter(|l| {
            let l = l.trim_start();
            !(l.starts_with("groups {")
                || l.starts_with("targetGroups {")
                || l.starts_with("targets {"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn situation_pictures_follow_their_rule_versions_and_findings() {
    use api::auth::Role;
    let app = unlimited_app().await;
    let ids = ids(&app).await;
    let coordinator = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);
    let bromma_coordinator = app.token_in("bromma-sdf", Role::DistrictCoordinator, &["bromma"]);
    // The seed's pictures and plans of Skarpnäck (its 2022 lägesbild and the plans) stay
    // as they are; the counts below are of what this test adds.
    let seeded = app
        .query(
            r#"{ district(slug: "skarpnack") { all: situationPictures { totalCount }
                 own: situationPictures(includeCityWide: false) { totalCount } actionPlans { totalCount } } }"#,
            json!({}),
        )
        .await;
    let seeded = |key: &str| seeded["district"][key]["totalCount"].as_u64().unwrap();
    let (pictures_before, own_before, plans_before) =
        (seeded("all"), seeded("own"), seeded("actionPlans"));
    let input = |districts: Vec<&Value>, city_wide: bool| {
        json!({ "input": { "organization": ids.skarpnack_sdf, "title": "Lägesbild", "asOf": "2025-02-10",
            "cityWide": city_wide, "districts": districts, "findings": [{ "text": "Fynd A." }, { "text": "Fynd B." }] } })
    };
    // A coordinator of every district it covers — not of only some; city-wide only the
    // owner's editors (and admins).
    let (_, body) = app
        .graphql_with(
            Some(&bromma_coordinator),
            CREATE_PICTURE,
            input(vec![&ids.skarpnack, &ids.bromma], false),
        )
        .await;
    assert_eq!(
        crate::helpers::error_codes(&body),
        vec!["FORBIDDEN"],
        "{body}"
    );
    let (_, body) = app
        .graphql_with(
            Some(&bromma_coordinator),
            CREATE_PICTURE,
            input(vec![], true),
        )
        .await;
    assert_eq!(
        crate::helpers::error_codes(&body),
        vec!["FORBIDDEN"],
        "{body}"
    );
    let editor = app.token("skarpnack-sdf", Role::OrgEditor);
    let city_wide = ok_as(&app, &editor, CREATE_PICTURE, input(vec![], true)).await
        ["createSituationPicture"]["situationPicture"]["id"]
        .clone();
    // City-wide or districts, one or the other.
    let data = app
        .run_as(
            &coordinator,
            CREATE_PICTURE,
            input(vec![&ids.skarpnack], true),
        )
        .await;
    assert_eq!(
        data["createSituationPicture"]["userErrors"][0]["field"],
        "input.districts"
    );
    let data = app
        .run_as(&coordinator, CREATE_PICTURE, input(vec![], false))
        .await;
    assert_eq!(
        data["createSituationPicture"]["userErrors"][0]["field"],
        "input.districts"
    );
    let data = ok_as(
        &app,
        &coordinator,
        CREATE_PICTURE,
        input(vec![&ids.skarpnack], false),
    )
    .await;
    let picture = data["createSituationPicture"]["situationPicture"].clone();
    let (a, b) = (
        picture["findings"][0]["id"].clone(),
        picture["findings"][1]["id"].clone(),
    );
    // Another district's coordinator sees it but may not change it.
    let can_update = r#"query($id: ID!) { node(id: $id) { ... on SituationPicture { viewerCanUpdate } ... on CauseAnalysis { viewerCanUpdate } } }"#;
    let data = app
        .run_as(
            &bromma_coordinator,
            can_update,
            json!({ "id": picture["id"] }),
        )
        .await;
    assert_eq!(data["node"]["viewerCanUpdate"], false);

    let analysis = ok_as(
        &app,
        &coordinator,
        SET_ANALYSIS,
        json!({ "input": { "situationPicture": picture["id"], "causes": [{ "text": "Orsak.", "findings": [a, b] }] } }),
    )
    .await["setCauseAnalysis"]["causeAnalysis"]
        .clone();
    for (token, can) in [(&coordinator, true), (&bromma_coordinator, false)] {
        let data = app
            .run_as(token, can_update, json!({ "id": analysis["id"] }))
            .await;
        assert_eq!(data["node"]["viewerCanUpdate"], can);
    }
    // Replacing it names the version read; without it, or stale: CONFLICT and the current one.
    for expected in [Value::Null, json!(7)] {
        let data = app
            .run_as(
                &coordinator,
                SET_ANALYSIS,
                json!({ "input": { "situationPicture": picture["id"], "expectedVersion": expected, "causes": [] } }),
            )
            .await;
        assert_eq!(
            data["setCauseAnalysis"]["userErrors"][0]["code"], "CONFLICT",
            "{data}"
        );
        assert_eq!(
            data["setCauseAnalysis"]["causeAnalysis"]["id"],
            analysis["id"]
        );
    }
    // A cause points only to findings of its own picture.
    let other_picture = ok_as(&app, &editor, CREATE_PICTURE, input(vec![], true)).await
        ["createSituationPicture"]["situationPicture"]
        .clone();
    let other = other_picture["findings"][0]["id"].clone();
    let data = app
        .run_as(
            &coordinator,
            SET_ANALYSIS,
            json!({ "input": { "situationPicture": picture["id"], "expectedVersion": 1, "causes": [{ "text": "X", "findings": [other] }] } }),
        )
        .await;
    assert_eq!(
        data["setCauseAnalysis"]["userErrors"][0]["field"],
        "input.causes.0.findings"
    );

    // Findings are replaced whole; one kept by its id keeps its causes.
    let update = r#"mutation($input: UpdateSituationPictureInput!) { updateSituationPicture(input: $input) {
        situationPicture { id version summary findings { id text } causeAnalysis { causes { findings { id } } } }
        userErrors { field code message } } }"#;
    let data = ok_as(
        &app,
        &coordinator,
        update,
        json!({ "input": { "id": picture["id"], "expectedVersion": 1, "summary": "Ny sammanfattning.",
            "findings": [{ "id": b, "text": "Fynd B, omskrivet." }, { "text": "Fynd C." }] } }),
    )
    .await;
    let after = &data["updateSituationPicture"]["situationPicture"];
    assert_eq!(after["version"], 2);
    assert_eq!(
        after["findings"][0],
        json!({ "id": b, "text": "Fynd B, omskrivet." })
    );
    assert_eq!(after["findings"].as_array().unwrap().len(), 2);
    assert_eq!(
        after["causeAnalysis"]["causes"][0]["findings"],
        json!([{ "id": b }])
    );
    // Stale: CONFLICT with the current picture, nothing written.
    let before = app.audit_count().await;
    let data = app
        .run_as(
            &coordinator,
            update,
            json!({ "input": { "id": picture["id"], "expectedVersion": 1, "title": "X" } }),
        )
        .await;
    assert_eq!(
        data["updateSituationPicture"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    assert_eq!(
        data["updateSituationPicture"]["situationPicture"]["version"],
        2
    );
    assert_eq!(app.audit_count().await, before);
    // A coordinator of another body may change it in the districts they coordinate,
    // but not move it to one they do not.
    let other_coordinator = app.token_in("lpo-farsta", Role::DistrictCoordinator, &["skarpnack"]);
    let (_, body) = app
        .graphql_with(
            Some(&other_coordinator),
            update,
            json!({ "input": { "id": picture["id"], "expectedVersion": 2, "districts": [ids.skarpnack, ids.spanga] } }),
        )
        .await;
    assert_eq!(
        crate::helpers::error_codes(&body),
        vec!["FORBIDDEN"],
        "{body}"
    );

    // A plan rests on it; the coordinator's DistrictCycle shows the whole chain.
    let plan = ok_as(
        &app,
        &coordinator,
        r#"mutation($d: ID!, $p: ID!) { createActionPlan(input: { district: $d, basedOn: $p, slug: "skarpnack-cykel", title: "Plan ur lägesbilden" }) { actionPlan { id } userErrors { message } } }"#,
        json!({ "d": ids.skarpnack, "p": picture["id"] }),
    )
    .await["createActionPlan"]["actionPlan"]["id"]
        .clone();
    let token = app.viewer_token();
    let (status, body) = app
        .graphql_op(
            Some(&token),
            &district_cycle(),
            Some("DistrictCycle"),
            json!({ "slug": "skarpnack" }),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    let district = &body["data"]["district"];
    let pictures = district["situationPictures"]["nodes"].as_array().unwrap();
    // Its own picture and the city-wide ones, besides the seeded ones (the operation
    // asks for 5: all of them while the seed gives Skarpnäck at most 2).
    assert!(
        pictures_before + 3 <= 5,
        "{pictures_before} seeded pictures"
    );
    assert_eq!(pictures.len() as u64, pictures_before + 3, "{district}");
    for id in [&picture["id"], &city_wide, &other_picture["id"]] {
        assert!(pictures.iter().any(|p| &p["id"] == id), "{id}: {district}");
    }
    let ours = pictures.iter().find(|p| p["id"] == picture["id"]).unwrap();
    assert_eq!(ours["summary"], "Ny sammanfattning.");
    assert_eq!(
        ours["causeAnalysis"]["causes"][0]["findings"],
        json!([{ "id": b }])
    );
    assert_eq!(ours["actionPlans"][0]["id"], plan);
    let plans = district["actionPlans"]["nodes"].as_array().unwrap();
    assert!(plans_before < 10, "{plans_before} seeded plans");
    assert_eq!(plans.len() as u64, plans_before + 1, "{district}");
    let ours = plans.iter().find(|p| p["id"] == plan).unwrap();
    assert_eq!(
        ours["basedOn"],
        json!({ "id": picture["id"], "asOf": "2025-02-10" })
    );
    assert_eq!(
        ours["owner"],
        json!({ "name": "Skarpnäcks stadsdelsförvaltning", "kind": "DISTRICT_ADMINISTRATION" })
    );
    let data = app
        .query(
            r#"{ district(slug: "skarpnack") { situationPictures(includeCityWide: false) { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["district"]["situationPictures"]["totalCount"],
        own_before + 1
    );

    // Removing the analysis, then the picture (stale versions refused first).
    let delete_analysis = r#"mutation($id: ID!, $v: Int!) { deleteCauseAnalysis(input: { id: $id, expectedVersion: $v }) { deletedId userErrors { code } } }"#;
    let data = app
        .run_as(
            &coordinator,
            delete_analysis,
            json!({ "id": analysis["id"], "v": 9 }),
        )
        .await;
    assert_eq!(
        data["deleteCauseAnalysis"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    ok_as(
        &app,
        &coordinator,
        delete_analysis,
        json!({ "id": analysis["id"], "v": 1 }),
    )
    .await;
    let delete = r#"mutation($id: ID!, $v: Int!) { deleteSituationPicture(input: { id: $id, expectedVersion: $v }) { deletedId userErrors { code } } }"#;
    let data = app
        .run_as(&coordinator, delete, json!({ "id": picture["id"], "v": 1 }))
        .await;
    assert_eq!(
        data["deleteSituationPicture"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    let data = ok_as(
        &app,
        &coordinator,
        delete,
        json!({ "id": picture["id"], "v": 2 }),
    )
    .await;
    assert_eq!(data["deleteSituationPicture"]["deletedId"], picture["id"]);
    let data = app
        .query(
            r#"query($id: ID!) { node(id: $id) { ... on ActionPlan { basedOn { id } } } }"#,
            json!({ "id": plan }),
        )
        .await;
    assert_eq!(data["node"]["basedOn"], Value::Null);
}

/// A body's own editors keep its plans and pictures in the districts it serves — never
/// in another district, where only that district's coordinators (or an admin) act.
#[tokio::test]
async fn a_bodys_editors_plan_only_where_it_serves() {
    use api::auth::Role;
    let app = unlimited_app().await;
    let ids = ids(&app).await;
    let editor = app.token("skarpnack-sdf", Role::OrgEditor);
    let create_plan = r#"mutation($d: ID!, $o: ID!) { createActionPlan(input: { district: $d, owner: $o, title: "Egen plan", startYear: 2025, endYear: 2026 }) { actionPlan { id district { slug } viewerCanUpdate } userErrors { message } } }"#;
    let plan = ok_as(
        &app,
        &editor,
        create_plan,
        json!({ "d": ids.skarpnack, "o": ids.skarpnack_sdf }),
    )
    .await["createActionPlan"]["actionPlan"]
        .clone();
    assert_eq!(plan["district"]["slug"], "skarpnack");
    assert_eq!(plan["viewerCanUpdate"], true);
    let count = || async {
        app.query(
            r#"{ organization(slug: "skarpnack-sdf") { actionPlans { totalCount } situationPictures { totalCount } } }"#,
            json!({}),
        )
        .await["organization"]
            .clone()
    };
    let before = count().await;
    for (query, variables) in [
        (
            create_plan,
            json!({ "d": ids.bromma, "o": ids.skarpnack_sdf }),
        ),
        (
            CREATE_PICTURE,
            json!({ "input": { "organization": ids.skarpnack_sdf, "title": "Lägesbild", "districts": [ids.skarpnack, ids.bromma] } }),
        ),
    ] {
        let (_, body) = app.graphql_with(Some(&editor), query, variables).await;
        assert_eq!(
            crate::helpers::error_codes(&body),
            vec!["FORBIDDEN"],
            "{body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("serves"),
            "{body}"
        );
    }
    assert_eq!(count().await, before, "nothing written");
    // Bromma's coordinator may put Skarpnäck's administration's plan in Bromma (it is
    // Bromma's to run); Skarpnäck's editors then see it but may not change it.
    let bromma = app.token_in("bromma-sdf", Role::DistrictCoordinator, &["bromma"]);
    let theirs = ok_as(
        &app,
        &bromma,
        create_plan,
        json!({ "d": ids.bromma, "o": ids.skarpnack_sdf }),
    )
    .await["createActionPlan"]["actionPlan"]["id"]
        .clone();
    let data = app
        .run_as(
            &editor,
            r#"query($id: ID!) { node(id: $id) { ... on ActionPlan { viewerCanUpdate } } }"#,
            json!({ "id": theirs }),
        )
        .await;
    assert_eq!(data["node"]["viewerCanUpdate"], false);
}

#[tokio::test]
async fn a_facknamnd_keeps_its_own_plans_without_a_district() {
    use api::auth::Role;
    let app = unlimited_app().await;
    let ids = ids(&app).await;
    let social = app.token("socialforvaltningen", Role::OrgEditor);
    let picture = ok_as(
        &app,
        &social,
        CREATE_PICTURE,
        json!({ "input": { "organization": ids.social, "strategy": ids.s2024, "title": "Socialtjänstens lägesbild",
            "cityWide": true, "sources": [{ "kind": "SOCIAL_SERVICES_REPORT", "name": "Socialtjänstrapporten", "year": 2024 }] } }),
    )
    .await["createSituationPicture"]["situationPicture"]
        .clone();
    assert_eq!(picture["cityWide"], true);
    assert_eq!(picture["districts"], json!([]));
    let update_plan = r#"mutation($id: ID!, $p: ID) { updateActionPlan(input: { id: $id, expectedVersion: 1, basedOn: $p }) { actionPlan { basedOn { id } } userErrors { message } } }"#;
    let plan = ok_as(
        &app,
        &social,
        r#"mutation($o: ID!, $s: ID!) { createActionPlan(input: { owner: $o, strategy: $s, title: "Socialnämndens åtgärdsplan", startYear: 2024, endYear: 2026 }) { actionPlan { id district { name } } userErrors { message } } }"#,
        json!({ "o": ids.social, "s": ids.s2024 }),
    )
    .await["createActionPlan"]["actionPlan"]
        .clone();
    assert_eq!(plan["district"], Value::Null);
    let data = ok_as(
        &app,
        &social,
        update_plan,
        json!({ "id": plan["id"], "p": picture["id"] }),
    )
    .await;
    assert_eq!(
        data["updateActionPlan"]["actionPlan"]["basedOn"]["id"],
        picture["id"]
    );
    let data = run_op(
        &app,
        "OrganizationPlans",
        json!({ "slug": "socialforvaltningen" }),
    )
    .await;
    assert_eq!(
        data["organization"]["actionPlans"]["nodes"],
        json!([{ "id": plan["id"], "title": "Socialnämndens åtgärdsplan", "district": null, "strategy": { "name": data["organization"]["actionPlans"]["nodes"][0]["strategy"]["name"] } }])
    );
    assert!(data["organization"]["actionPlans"]["nodes"][0]["strategy"]["name"].is_string());
    let data = app
        .query(
            r#"{ organization(slug: "socialforvaltningen") { situationPictures { nodes { slug sources { kind } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["organization"]["situationPictures"]["nodes"][0]["slug"],
        picture["slug"]
    );
    // The city-wide picture lists under every district.
    let data = app
        .query(
            r#"{ district(slug: "bromma") { situationPictures { nodes { id } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["district"]["situationPictures"]["nodes"],
        json!([{ "id": picture["id"] }])
    );
}

#[tokio::test]
async fn a_delivery_reaches_the_obligations_subscribers() {
    use crate::live::{next_event, subscribe, wait_for_subscribers};
    use api::auth::Role;
    let app = unlimited_app().await;
    let ids = ids(&app).await;
    let admin_token = app.admin_token();
    let obligation = ok_as(
        &app,
        &admin_token,
        CREATE_OBLIGATION,
        json!({ "input": { "strategy": ids.s2024, "organization": ids.social, "kind": "SITUATION_PICTURE" } }),
    )
    .await["createObligation"]["obligation"]["id"]
        .clone();
    let other = app
        .id_of(
            r#"{ strategy(slug: "stockholm-2019-2022") { id } }"#,
            "/strategy/id",
        )
        .await;
    let query = r#"subscription($s: ID) { obligationChanged(strategy: $s) {
        obligationId action actor obligation { kind state deliveredBy { __typename } } } }"#;
    let token = app.viewer_token();
    let mut socket = subscribe(app.port, &token, query, json!({ "s": ids.s2024 })).await;
    let mut elsewhere = subscribe(app.port, &token, query, json!({ "s": other })).await;
    wait_for_subscribers(&app, 2).await;
    let social = app.token("socialforvaltningen", Role::OrgEditor);
    ok_as(
        &app,
        &social,
        CREATE_PICTURE,
        json!({ "input": { "organization": ids.social, "strategy": ids.s2024, "title": "Lägesbild", "cityWide": true } }),
    )
    .await;
    let event = next_event(&mut socket).await;
    let event = &event["obligationChanged"];
    assert_eq!(event["obligationId"], obligation);
    assert_eq!(event["action"], "situationPicture.create");
    assert_eq!(
        event["obligation"],
        json!({ "kind": "SITUATION_PICTURE", "state": "DELIVERED", "deliveredBy": { "__typename": "SituationPicture" } })
    );
    // A change to the obligation itself is heard too; the other strategy's subscriber
    // heard nothing: its first event is a change of its own strategy's obligation.
    let update = r#"mutation($id: ID!) { updateObligation(input: { id: $id, expectedVersion: 1, note: "Enligt 5.1." }) { userErrors { message } } }"#;
    ok_as(&app, &admin_token, update, json!({ "id": obligation })).await;
    assert_eq!(
        next_event(&mut socket).await["obligationChanged"]["action"],
        "obligation.update"
    );
    let theirs = app
        .run_as(
            &admin_token,
            CREATE_OBLIGATION,
            json!({ "input": { "strategy": other, "organization": ids.social, "kind": "ACTION_PLAN" } }),
        )
        .await["createObligation"]["obligation"]["id"]
        .clone();
    let event = next_event(&mut elsewhere).await;
    assert_eq!(event["obligationChanged"]["obligationId"], theirs);
    assert_eq!(event["obligationChanged"]["action"], "obligation.create");
}

/// Submitting a district's follow-ups of a period is a delivery too: the FOLLOW_UP
/// obligation of that period of the body owning the district's plan hears it.
#[tokio::test]
async fn a_submission_reaches_the_follow_up_obligations_subscribers() {
    use crate::live::{next_event, subscribe, wait_for_subscribers};
    use api::auth::Role;
    let app = unlimited_app().await;
    let ids = ids(&app).await;
    let obligation = ok_as(
        &app,
        &app.admin_token(),
        CREATE_OBLIGATION,
        json!({ "input": { "strategy": ids.s2024, "organization": ids.skarpnack_sdf, "kind": "FOLLOW_UP", "year": 2025, "term": "T1" } }),
    )
    .await["createObligation"]["obligation"]["id"]
        .clone();
    let coordinator = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);
    let plan = ok_as(
        &app,
        &coordinator,
        r#"mutation($d: ID!, $s: ID!) { createActionPlan(input: { district: $d, strategy: $s,
             slug: "skarpnack-2025", title: "Åtgärdsplan 2025", startYear: 2025, endYear: 2025 }) { actionPlan { id } userErrors { message } } }"#,
        json!({ "d": ids.skarpnack, "s": ids.s2024 }),
    )
    .await["createActionPlan"]["actionPlan"]["id"]
        .clone();
    let activity = ok_as(
        &app,
        &coordinator,
        r#"mutation($p: ID!) { createActivity(input: { actionPlan: $p, description: "Nattvandring.", followUpTerms: [T1] }) { activity { id } userErrors { message } } }"#,
        json!({ "p": plan }),
    )
    .await["createActivity"]["activity"]["id"]
        .clone();
    ok_as(
        &app,
        &coordinator,
        r#"mutation($a: ID!) { reportFollowUp(input: { activity: $a, period: { year: 2025, term: T1 }, status: DONE }) { followUp { id } userErrors { message } } }"#,
        json!({ "a": activity }),
    )
    .await;
    let query = r#"subscription($s: ID) { obligationChanged(strategy: $s) {
        obligationId action obligation { kind state(asOf: "2025-06-01") deliveredBy { __typename } } } }"#;
    let mut socket = subscribe(
        app.port,
        &app.viewer_token(),
        query,
        json!({ "s": ids.s2024 }),
    )
    .await;
    wait_for_subscribers(&app, 1).await;
    ok_as(
        &app,
        &coordinator,
        r#"mutation($d: ID!) { submitFollowUps(input: { district: $d, period: { year: 2025, term: T1 } }) { followUps { id } userErrors { message } } }"#,
        json!({ "d": ids.skarpnack }),
    )
    .await;
    let event = next_event(&mut socket).await;
    assert_eq!(
        event["obligationChanged"],
        json!({ "obligationId": obligation, "action": "followUp.submit",
                "obligation": { "kind": "FOLLOW_UP", "state": "DELIVERED", "deliveredBy": { "__typename": "ActionPlan" } } })
    );
}

/// The README's example of the cycle runs as written.
#[tokio::test]
async fn the_readmes_cycle_example_runs() {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("### The city's cycle").unwrap()..];
    let start = section.find("```graphql\n").unwrap() + "```graphql\n".len();
    let query = &section[start..start + section[start..].find("```").unwrap()];
    let app = unlimited_app().await;
    let data = app.query(query, json!({})).await;
    assert!(
        data["strategy"]["obligations"]["totalCount"].is_u64(),
        "{data}"
    );
}
