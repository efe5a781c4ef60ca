//! Indicators, targets, measurements and target groups (issue 14, items 6 and 7): the
//! DistrictCycle shape on activities, target vs latest measurement, validation,
//! conflicts, statement counts and the TARGET_GROUP coverage dimension. Every fixture is
//! made here with mutations (indicator slugs and labels start with `test`/`prov`, so the
//! seeded ones never collide).

use api::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Run `query` as admin; returns `data`.
async fn admin(app: &TestApp, query: &str, vars: Value) -> Value {
    app.run_as(&app.admin_token(), query, vars).await
}

/// The value at `pointer` of an admin run of `query`, which must be there.
async fn admin_get(app: &TestApp, query: &str, vars: Value, pointer: &str) -> Value {
    let data = admin(app, query, vars).await;
    let value = data.pointer(pointer).cloned().unwrap_or(Value::Null);
    assert!(!value.is_null(), "nothing at {pointer}: {data}");
    value
}

async fn district_id(app: &TestApp, slug: &str) -> Value {
    let data = app
        .query(
            "query($s: String!) { district(slug: $s) { id } }",
            json!({ "s": slug }),
        )
        .await;
    data["district"]["id"].clone()
}

async fn organization_id(app: &TestApp, slug: &str) -> Value {
    let data = app
        .query(
            "query($s: String!) { organization(slug: $s) { id } }",
            json!({ "s": slug }),
        )
        .await;
    data["organization"]["id"].clone()
}

/// A new indicator (as admin).
async fn indicator(app: &TestApp, slug: &str, unit: Option<&str>) -> Value {
    admin_get(
        app,
        r#"mutation($s: String!, $u: String) { createIndicator(input: { slug: $s, name: $s, unit: $u, source: "Prov" }) {
            indicator { id } userErrors { code message } } }"#,
        json!({ "s": slug, "u": unit }),
        "/createIndicator/indicator/id",
    )
    .await
}

/// A new plan for `district` (a District ID) with slug `slug` (as admin).
async fn plan_in(app: &TestApp, district: &Value, slug: &str) -> Value {
    admin_get(
        app,
        r#"mutation($d: ID!, $s: String!) { createActionPlan(input: { district: $d, slug: $s, title: "Provplan", startYear: 2024, endYear: 2026 }) {
            actionPlan { id } userErrors { code message } } }"#,
        json!({ "d": district, "s": slug }),
        "/createActionPlan/actionPlan/id",
    )
    .await
}

/// A new target (as admin); returns the payload.
async fn target(app: &TestApp, input: Value) -> Value {
    admin(
        app,
        r#"mutation($i: CreateTargetInput!) { createTarget(input: $i) {
            target { id version value direction district { slug } } userErrors { field code message } } }"#,
        json!({ "i": input }),
    )
    .await["createTarget"]
        .clone()
}

/// Record a measurement (as admin); returns the payload.
async fn measure(app: &TestApp, input: Value) -> Value {
    admin(
        app,
        r#"mutation($i: RecordMeasurementInput!) { recordMeasurement(input: $i) {
            measurement { id version value } userErrors { field code message } } }"#,
        json!({ "i": input }),
    )
    .await["recordMeasurement"]
        .clone()
}

fn no_errors(payload: &Value) {
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
}

fn user_error(payload: &Value, code: &str, field: &str) {
    let errors = payload["userErrors"].as_array().expect("userErrors");
    assert_eq!(errors.len(), 1, "{payload}");
    assert_eq!(errors[0]["code"], code, "{payload}");
    assert_eq!(errors[0]["field"], field, "{payload}");
}

#[tokio::test]
async fn activities_carry_target_groups_and_targets_in_the_district_cycle_shape() {
    let app = spawn_app().await;
    let skarpnack = district_id(&app, "skarpnack").await;
    let plan = plan_in(&app, &skarpnack, "prov-skarpnack-cycle").await;
    let ind = indicator(&app, "test-inskrivning", Some("%")).await;
    // A coordinator of Skarpnäck adds a row with its target groups.
    let coordinator = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);
    let created = app
        .run_as(
            &coordinator,
            r#"mutation($p: ID!) { createActivity(input: { actionPlan: $p, description: "Föräldraträffar.",
                targetGroups: [{ label: "barn", ageFrom: 0, ageTo: 5 }, { label: "vårdnadshavare" }] }) {
                activity { id version targetGroups { label ageFrom ageTo } } userErrors { field code message } } }"#,
            json!({ "p": plan }),
        )
        .await;
    let payload = &created["createActivity"];
    no_errors(payload);
    assert_eq!(
        payload["activity"]["targetGroups"],
        json!([
            { "label": "barn", "ageFrom": 0, "ageTo": 5 },
            { "label": "vårdnadshavare", "ageFrom": null, "ageTo": null }
        ])
    );
    let activity = payload["activity"]["id"].clone();
    // The coordinator sets a target on the row and one on the plan.
    for input in [
        json!({ "indicator": ind, "activity": activity, "baseline": 90.5, "baselineYear": 2019, "value": 96.6, "year": 2026, "text": "96,6 %" }),
        json!({ "indicator": ind, "actionPlan": plan, "value": 98.0, "year": 2026 }),
    ] {
        let data = app
            .run_as(
                &coordinator,
                r#"mutation($i: CreateTargetInput!) { createTarget(input: $i) { target { id district { slug } viewerCanUpdate } userErrors { code message } } }"#,
                json!({ "i": input }),
            )
            .await;
        no_errors(&data["createTarget"]);
        assert_eq!(
            data["createTarget"]["target"]["district"]["slug"],
            "skarpnack"
        );
        assert_eq!(data["createTarget"]["target"]["viewerCanUpdate"], true);
    }

    // The DistrictCycle operation's part on activities, as written there.
    let data = app
        .query(
            r#"query($slug: String!) { district(slug: $slug) { name actionPlans(first: 10) { nodes {
                id title targets { value year activity { id } actionPlan { id } }
                activities(first: 100) { nodes {
                  id description
                  targetGroups { label ageFrom ageTo }
                  targets { indicator { name unit } baseline value year }
                } } } } } }"#,
            json!({ "slug": "skarpnack" }),
        )
        .await;
    let plans = data["district"]["actionPlans"]["nodes"].as_array().unwrap();
    let mine = plans.iter().find(|p| p["id"] == plan).expect("the plan");
    assert_eq!(
        mine["targets"],
        json!([{ "value": 98.0, "year": 2026, "activity": null, "actionPlan": { "id": plan } }])
    );
    let row = &mine["activities"]["nodes"][0];
    assert_eq!(row["description"], "Föräldraträffar.");
    assert_eq!(row["targetGroups"][1]["label"], "vårdnadshavare");
    assert_eq!(
        row["targets"],
        json!([{ "indicator": { "name": "test-inskrivning", "unit": "%" }, "baseline": 90.5, "value": 96.6, "year": 2026 }])
    );

    // Replacing the list; omitting it keeps it.
    let updated = app
        .run_as(
            &coordinator,
            r#"mutation($id: ID!) { updateActivity(input: { id: $id, expectedVersion: 1,
                targetGroups: [{ label: "unga vuxna", ageFrom: 18, ageTo: 25 }] }) {
                activity { version targetGroups { label ageFrom ageTo } } userErrors { code } } }"#,
            json!({ "id": activity }),
        )
        .await;
    assert_eq!(
        updated["updateActivity"]["activity"]["targetGroups"],
        json!([{ "label": "unga vuxna", "ageFrom": 18, "ageTo": 25 }])
    );
    let kept = app
        .run_as(
            &coordinator,
            r#"mutation($id: ID!) { updateActivity(input: { id: $id, expectedVersion: 2, timeline: "2024" }) {
                activity { targetGroups { label } } userErrors { code } } }"#,
            json!({ "id": activity }),
        )
        .await;
    assert_eq!(
        kept["updateActivity"]["activity"]["targetGroups"],
        json!([{ "label": "unga vuxna" }])
    );
    // The audit trail of the row holds its target groups.
    let audit = admin(
        &app,
        r#"query($id: ID!) { node(id: $id) { ... on Activity { history { nodes { action after } } } } }"#,
        json!({ "id": activity }),
    )
    .await;
    let history = audit["node"]["history"]["nodes"].as_array().unwrap();
    assert!(
        history[1]["after"].to_string().contains("unga vuxna"),
        "{history:?}"
    );

    // Nodes by ID, and the indicator's own lists.
    let data = app
        .query(
            r#"query($id: ID!) { node(id: $id) { id ... on Indicator { slug unit source version viewerCanUpdate
                targets { text direction activity { id } } } } indicators(first: 100) { nodes { slug } } }"#,
            json!({ "id": ind }),
        )
        .await;
    assert_eq!(data["node"]["id"], ind);
    assert_eq!(data["node"]["viewerCanUpdate"], false);
    assert_eq!(data["node"]["targets"][0]["text"], "96,6 %");
    assert_eq!(data["node"]["targets"][0]["direction"], "INCREASE");
    assert!(
        data["indicators"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["slug"] == "test-inskrivning")
    );
}

#[tokio::test]
async fn target_progress_compares_each_target_with_the_latest_measurement() {
    let app = spawn_app().await;
    let (skarpnack, bromma, spanga) = (
        district_id(&app, "skarpnack").await,
        district_id(&app, "bromma").await,
        district_id(&app, "spanga-tensta").await,
    );
    let up = indicator(&app, "test-narvaro", Some("%")).await;
    let down = indicator(&app, "test-otrygghet", Some("%")).await;
    let p_skarpnack = plan_in(&app, &skarpnack, "prov-skarpnack").await;
    let p_bromma = plan_in(&app, &bromma, "prov-bromma").await;
    let p_spanga = plan_in(&app, &spanga, "prov-spanga").await;
    // A body's own plan, for no district: its targets are city-wide.
    let owner = organization_id(&app, "socialforvaltningen").await;
    let p_city = admin_get(
        &app,
        r#"mutation($o: ID!) { createActionPlan(input: { owner: $o, slug: "prov-staden", title: "Stadens plan" }) { actionPlan { id } userErrors { message } } }"#,
        json!({ "o": owner }),
        "/createActionPlan/actionPlan/id",
    )
    .await;

    // Up in Skarpnäck (90 → 96.6), down in Bromma (20 → 10), up in Spånga-Tensta (no
    // measurement), and city-wide.
    let t_up = target(&app, json!({ "indicator": up, "actionPlan": p_skarpnack, "baseline": 90.0, "baselineYear": 2020, "value": 96.6, "year": 2026 })).await;
    let t_down = target(&app, json!({ "indicator": down, "actionPlan": p_bromma, "baseline": 20.0, "value": 10.0, "year": 2026 })).await;
    let t_none = target(
        &app,
        json!({ "indicator": up, "actionPlan": p_spanga, "value": 50.0 }),
    )
    .await;
    let t_city = target(
        &app,
        json!({ "indicator": up, "actionPlan": p_city, "value": 80.0 }),
    )
    .await;
    for t in [&t_up, &t_down, &t_none, &t_city] {
        no_errors(t);
    }
    assert_eq!(t_down["target"]["direction"], "DECREASE");
    assert_eq!(t_city["target"]["district"], Value::Null);

    for m in [
        json!({ "indicator": up, "district": skarpnack, "year": 2022, "term": "ANNUAL", "value": 80.0 }),
        json!({ "indicator": up, "district": skarpnack, "year": 2023, "term": "T1", "value": 97.0 }),
        json!({ "indicator": down, "district": bromma, "year": 2023, "value": 12.0, "note": "Trygghetsmätningen" }),
        json!({ "indicator": down, "district": bromma, "year": 2021, "value": 9.0 }),
        json!({ "indicator": up, "year": 2023, "value": 85.0 }),
        json!({ "indicator": up, "district": bromma, "year": 2023, "value": 70.0 }),
    ] {
        no_errors(&measure(&app, m).await);
    }

    let progress = r#"query($i: ID, $d: [ID!]) { targetProgress(indicator: $i, districts: $d) {
        target { id } district { slug } measurement { year term value } met } }"#;
    let rows_of = |data: &Value| data["targetProgress"].as_array().unwrap().clone();
    let row = |rows: &[Value], t: &Value, d: Option<&str>| {
        rows.iter()
            .find(|r| r["target"]["id"] == t["target"]["id"] && r["district"]["slug"].as_str() == d)
            .unwrap_or_else(|| panic!("no row for {t} in {d:?}: {rows:?}"))
            .clone()
    };

    // Every target: one row per target, a city-wide one compared with city-wide values.
    let all = rows_of(&app.query(progress, json!({})).await);
    let r = row(&all, &t_up, Some("skarpnack"));
    assert_eq!(
        r["measurement"],
        json!({ "year": 2023, "term": "T1", "value": 97.0 })
    );
    assert_eq!(r["met"], true);
    let r = row(&all, &t_down, Some("bromma"));
    assert_eq!(
        r["measurement"]["value"], 12.0,
        "latest year, not the lowest value"
    );
    assert_eq!(r["met"], false);
    let r = row(&all, &t_none, Some("spanga-tensta"));
    assert_eq!(
        (r["measurement"].clone(), r["met"].clone()),
        (Value::Null, Value::Null)
    );
    let r = row(&all, &t_city, None);
    assert_eq!(
        (r["measurement"]["value"].clone(), r["met"].clone()),
        (json!(85.0), json!(true))
    );

    // ANNUAL comes after T1 of the same year.
    no_errors(&measure(&app, json!({ "indicator": up, "district": skarpnack, "year": 2023, "term": "ANNUAL", "value": 95.0 })).await);
    let all = rows_of(&app.query(progress, json!({ "i": up })).await);
    assert_eq!(all.len(), 3, "{all:?}");
    let r = row(&all, &t_up, Some("skarpnack"));
    assert_eq!(
        (r["measurement"]["term"].clone(), r["met"].clone()),
        (json!("ANNUAL"), json!(false))
    );

    // Asked for districts: the city-wide target gets a row in each.
    let some = rows_of(
        &app.query(progress, json!({ "i": up, "d": [bromma, skarpnack] }))
            .await,
    );
    assert_eq!(some.len(), 3, "{some:?}");
    let r = row(&some, &t_city, Some("bromma"));
    assert_eq!(
        (r["measurement"]["value"].clone(), r["met"].clone()),
        (json!(70.0), json!(false))
    );
    assert!(row(&some, &t_city, Some("skarpnack"))["met"] == true);

    // The strategy filter: no plan here follows a strategy.
    let strategy =
        app.query("{ strategies { id } }", json!({})).await["strategies"][0]["id"].clone();
    let none = app
        .query(
            r#"query($s: ID, $i: ID) { targetProgress(strategy: $s, indicator: $i) { met } }"#,
            json!({ "s": strategy, "i": up }),
        )
        .await;
    assert_eq!(none["targetProgress"], json!([]));

    // A fixed number of statements, whatever the number of districts: the service's
    // (at most five) and one per level of the selection below it. (Deeper selections stay
    // bounded by their depth; a level whose rows the request already read costs none, so
    // they are compared by bound, not equality.)
    let count = |query: &'static str, vars: Value| {
        let app = &app;
        async move {
            let before = app.statements.get();
            app.query(query, vars).await;
            app.statements.get() - before
        }
    };
    let flat = r#"query($d: [ID!]) { targetProgress(districts: $d) { target { id indicator { name } }
        district { name } measurement { value } met } }"#;
    let deep = r#"query($d: [ID!]) { targetProgress(districts: $d) { target { id indicator { name } district { name } }
        district { name } measurement { value indicator { unit } } met } }"#;
    let one = count(flat, json!({ "d": [skarpnack] })).await;
    let three = count(flat, json!({ "d": [skarpnack, bromma, spanga] })).await;
    assert_eq!(one, three, "statements for one district and for three");
    assert!(three <= 7, "{three} statements");
    for d in [json!([skarpnack]), json!([skarpnack, bromma, spanga])] {
        let n = count(deep, json!({ "d": d })).await;
        assert!(n <= 9, "{n} statements for {d}");
    }
}

#[tokio::test]
async fn invalid_input_is_a_typed_user_error_and_writes_nothing() {
    let app = spawn_app().await;
    let skarpnack = district_id(&app, "skarpnack").await;
    let bromma = district_id(&app, "bromma").await;
    let plan = plan_in(&app, &skarpnack, "prov-validering").await;
    let ind = indicator(&app, "test-validering", None).await;
    let audit = app.audit_count().await;

    // Targets.
    let cases = [
        (
            json!({ "indicator": ind, "actionPlan": plan }),
            "input.value",
        ),
        (
            json!({ "indicator": ind, "value": 1.0 }),
            "input.actionPlan",
        ),
        (
            json!({ "indicator": ind, "actionPlan": plan, "value": 1.0, "year": 1990 }),
            "input.year",
        ),
        (
            json!({ "indicator": ind, "actionPlan": plan, "value": 1.0, "baselineYear": 2024, "year": 2020 }),
            "input.year",
        ),
        (
            json!({ "indicator": ind, "actionPlan": plan, "value": 1.0, "district": bromma }),
            "input.district",
        ),
    ];
    for (input, field) in cases {
        user_error(&target(&app, input).await, "BAD_USER_INPUT", field);
    }
    let data = admin(
        &app,
        r#"mutation($i: ID!, $a: ID!) { createTarget(input: { indicator: $i, actionPlan: $a, value: 1 }) { userErrors { code field } } }"#,
        json!({ "i": ind, "a": skarpnack }),
    )
    .await;
    user_error(&data["createTarget"], "BAD_USER_INPUT", "input.actionPlan");

    // Target groups.
    for (groups, field) in [
        (json!([{ "label": "  " }]), "input.targetGroups.0.label"),
        (
            json!([{ "label": "barn", "ageFrom": -1 }]),
            "input.targetGroups.0.ageFrom",
        ),
        (
            json!([{ "label": "barn" }, { "label": "äldre", "ageTo": 121 }]),
            "input.targetGroups.1.ageTo",
        ),
        (
            json!([{ "label": "unga", "ageFrom": 20, "ageTo": 13 }]),
            "input.targetGroups.0.ageTo",
        ),
    ] {
        let data = admin(
            &app,
            r#"mutation($p: ID!, $g: [TargetGroupInput!]!) { createActivity(input: { actionPlan: $p, description: "Rad.", targetGroups: $g }) {
                activity { id } userErrors { code field } } }"#,
            json!({ "p": plan, "g": groups }),
        )
        .await;
        user_error(&data["createActivity"], "BAD_USER_INPUT", field);
    }

    // Measurements: a year out of range, and a second value for the same place and period.
    user_error(
        &measure(
            &app,
            json!({ "indicator": ind, "year": 1999, "value": 1.0 }),
        )
        .await,
        "BAD_USER_INPUT",
        "input.year",
    );
    assert_eq!(
        app.audit_count().await,
        audit,
        "a refused change was audited"
    );
    no_errors(&measure(&app, json!({ "indicator": ind, "district": skarpnack, "year": 2024, "term": "T1", "value": 1.0 })).await);
    user_error(
        &measure(&app, json!({ "indicator": ind, "district": skarpnack, "year": 2024, "term": "T1", "value": 2.0 })).await,
        "BAD_USER_INPUT",
        "input.year",
    );
    // Same period city-wide, or another term, is another measurement.
    no_errors(
        &measure(
            &app,
            json!({ "indicator": ind, "year": 2024, "term": "T1", "value": 2.0 }),
        )
        .await,
    );
    no_errors(
        &measure(
            &app,
            json!({ "indicator": ind, "district": skarpnack, "year": 2024, "value": 2.0 }),
        )
        .await,
    );
    // Unknown references.
    let data = admin(
        &app,
        r#"mutation($i: ID!) { recordMeasurement(input: { indicator: $i, year: 2024, value: 1 }) { userErrors { code field } } }"#,
        json!({ "i": "SW5kaWNhdG9yOjk5OTk" }),
    )
    .await;
    user_error(&data["recordMeasurement"], "NOT_FOUND", "input.indicator");

    // An indicator targets use is kept; its measurements go with it otherwise.
    no_errors(
        &target(
            &app,
            json!({ "indicator": ind, "actionPlan": plan, "text": "Fler" }),
        )
        .await,
    );
    let data = admin(
        &app,
        r#"mutation($i: ID!) { deleteIndicator(input: { id: $i, expectedVersion: 1 }) { deletedId userErrors { code field } } }"#,
        json!({ "i": ind }),
    )
    .await;
    user_error(&data["deleteIndicator"], "BAD_USER_INPUT", "input.id");
    let other = indicator(&app, "test-borttagen", None).await;
    no_errors(
        &measure(
            &app,
            json!({ "indicator": other, "year": 2024, "value": 3.0 }),
        )
        .await,
    );
    let data = admin(
        &app,
        r#"mutation($i: ID!) { deleteIndicator(input: { id: $i, expectedVersion: 1 }) { deletedId userErrors { code } } }"#,
        json!({ "i": other }),
    )
    .await;
    assert_eq!(data["deleteIndicator"]["deletedId"], other);
    let data = app
        .query(
            "query($i: ID!) { node(id: $i) { id } }",
            json!({ "i": other }),
        )
        .await;
    assert_eq!(data["node"], Value::Null);
    // Indicators are for admins only.
    let token = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);
    let (_, body) = app
        .graphql_with(
            Some(&token),
            r#"mutation { createIndicator(input: { name: "Otillåten" }) { indicator { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(crate::helpers::error_codes(&body), vec!["FORBIDDEN"]);
}

#[tokio::test]
async fn stale_versions_are_conflicts_that_hand_back_the_current_node() {
    let app = spawn_app().await;
    let skarpnack = district_id(&app, "skarpnack").await;
    let plan = plan_in(&app, &skarpnack, "prov-konflikt").await;
    let ind = indicator(&app, "test-konflikt", Some("st")).await;
    let t = target(
        &app,
        json!({ "indicator": ind, "actionPlan": plan, "value": 5.0 }),
    )
    .await;
    let t_id = t["target"]["id"].clone();
    let m = measure(
        &app,
        json!({ "indicator": ind, "year": 2024, "value": 1.0 }),
    )
    .await;
    let m_id = m["measurement"]["id"].clone();

    // A first edit of each lands (version 2) ...
    let data = admin(
        &app,
        r#"mutation($i: ID!, $t: ID!, $m: ID!) {
            a: updateIndicator(input: { id: $i, expectedVersion: 1, unit: "antal" }) { indicator { version unit } userErrors { code } }
            b: updateTarget(input: { id: $t, expectedVersion: 1, value: 6, baseline: 2, text: "6 st" }) { target { version value baseline text } userErrors { code } }
            c: updateMeasurement(input: { id: $m, expectedVersion: 1, value: 2, term: T2, note: "Reviderad" }) { measurement { version value term note } userErrors { code } } }"#,
        json!({ "i": ind, "t": t_id, "m": m_id }),
    )
    .await;
    assert_eq!(
        data["a"]["indicator"],
        json!({ "version": 2, "unit": "antal" })
    );
    assert_eq!(
        data["b"]["target"],
        json!({ "version": 2, "value": 6.0, "baseline": 2.0, "text": "6 st" })
    );
    assert_eq!(
        data["c"]["measurement"],
        json!({ "version": 2, "value": 2.0, "term": "T2", "note": "Reviderad" })
    );

    // ... a second based on version 1 is a CONFLICT with the current node.
    let audit = app.audit_count().await;
    let data = admin(
        &app,
        r#"mutation($i: ID!, $t: ID!, $m: ID!) {
            a: updateIndicator(input: { id: $i, expectedVersion: 1, unit: "%" }) { indicator { version unit } userErrors { code } }
            b: updateTarget(input: { id: $t, expectedVersion: 1, value: 7 }) { target { version value } userErrors { code } }
            c: updateMeasurement(input: { id: $m, expectedVersion: 1, value: 3 }) { measurement { version value } userErrors { code } }
            d: deleteTarget(input: { id: $t, expectedVersion: 1 }) { deletedId userErrors { code } }
            e: deleteMeasurement(input: { id: $m, expectedVersion: 1 }) { deletedId userErrors { code } }
            f: deleteIndicator(input: { id: $i, expectedVersion: 1 }) { deletedId userErrors { code } } }"#,
        json!({ "i": ind, "t": t_id, "m": m_id }),
    )
    .await;
    assert_eq!(
        data["a"]["indicator"],
        json!({ "version": 2, "unit": "antal" })
    );
    assert_eq!(data["b"]["target"], json!({ "version": 2, "value": 6.0 }));
    assert_eq!(
        data["c"]["measurement"],
        json!({ "version": 2, "value": 2.0 })
    );
    for key in ["a", "b", "c", "d", "e", "f"] {
        assert_eq!(
            data[key]["userErrors"][0]["code"], "CONFLICT",
            "{key}: {data}"
        );
    }
    assert_eq!(app.audit_count().await, audit);

    // With the current versions, the removals land.
    let data = admin(
        &app,
        r#"mutation($t: ID!, $m: ID!) {
            d: deleteTarget(input: { id: $t, expectedVersion: 2 }) { deletedId userErrors { code } }
            e: deleteMeasurement(input: { id: $m, expectedVersion: 2 }) { deletedId userErrors { code } } }"#,
        json!({ "t": t_id, "m": m_id }),
    )
    .await;
    assert_eq!(data["d"]["deletedId"], t_id);
    assert_eq!(data["e"]["deletedId"], m_id);
}

#[tokio::test]
async fn coverage_by_target_group_counts_activities_under_each_label() {
    let app = spawn_app().await;
    let skarpnack = district_id(&app, "skarpnack").await;
    let bromma = district_id(&app, "bromma").await;
    let plan = plan_in(&app, &skarpnack, "prov-tackning").await;
    let other = plan_in(&app, &bromma, "prov-tackning-bromma").await;
    let mut activities = Vec::new();
    for (p, groups) in [
        (
            &plan,
            json!([{ "label": "Provbarn" }, { "label": "provunga", "ageFrom": 13, "ageTo": 20 }]),
        ),
        (&plan, json!([{ "label": "provbarn" }])),
        (&other, json!([{ "label": "provunga" }])),
    ] {
        activities.push(
            admin_get(
                &app,
                r#"mutation($p: ID!, $g: [TargetGroupInput!]!) { createActivity(input: { actionPlan: $p, description: "Rad.", targetGroups: $g }) {
                    activity { id } userErrors { code } } }"#,
                json!({ "p": p, "g": groups }),
                "/createActivity/activity/id",
            )
            .await,
        );
    }
    let query = r#"query($d: [ID!]) { coverage(dimension: TARGET_GROUP, districts: $d) {
        dimension measure keys columns { key label total }
        rows { district { slug } cells { key count items { ... on Activity { id } } } }
        gaps { district { slug } key } } }"#;
    let data = app.query(query, json!({ "d": [skarpnack, bromma] })).await;
    let c = &data["coverage"];
    assert_eq!(c["measure"], "ACTIVITIES");
    let keys: Vec<&str> = c["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        keys.contains(&"provbarn") && keys.contains(&"provunga"),
        "{keys:?}"
    );
    assert!(
        !keys.contains(&"Provbarn"),
        "labels are lower-cased: {keys:?}"
    );
    let cell = |district: &str, key: &str| {
        c["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["district"]["slug"] == district)
            .and_then(|r| {
                r["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["key"] == key)
            })
            .cloned()
            .unwrap_or_else(|| panic!("no cell {district}/{key}: {c}"))
    };
    let barn = cell("skarpnack", "provbarn");
    assert_eq!(barn["count"], 2);
    let mut items: Vec<Value> = barn["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].clone())
        .collect();
    items.sort_by_key(|v| v.to_string());
    let mut want = vec![activities[0].clone(), activities[1].clone()];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(items, want);
    assert_eq!(cell("skarpnack", "provunga")["count"], 1);
    assert_eq!(cell("bromma", "provunga")["count"], 1);
    assert!(
        c["gaps"]
            .as_array()
            .unwrap()
            .contains(&json!({ "district": { "slug": "bromma" }, "key": "provbarn" })),
        "{c}"
    );
    // Counts alone (aggregated without items) agree.
    let counts = app
        .query(
            r#"query($d: [ID!]) { coverage(dimension: TARGET_GROUP, districts: $d) { columns { key total } } }"#,
            json!({ "d": [skarpnack, bromma] }),
        )
        .await;
    let columns = counts["coverage"]["columns"].as_array().unwrap();
    let total = |k: &str| columns.iter().find(|x| x["key"] == k).unwrap()["total"].clone();
    assert_eq!((total("provbarn"), total("provunga")), (json!(2), json!(2)));
    // Other measures do not fit the dimension.
    let (_, body) = app
        .graphql_with(
            Some(&app.viewer_token()),
            "{ coverage(dimension: TARGET_GROUP, measure: GROUPS) { total } }",
            json!({}),
        )
        .await;
    assert_eq!(crate::helpers::error_codes(&body), vec!["BAD_USER_INPUT"]);
}

/// The database itself keeps one measurement per indicator, district (or city) and
/// period — also when the district or the term is null, which a plain unique index would
/// let repeat — so two admins recording the same period at once cannot both succeed.
#[tokio::test]
async fn the_database_keeps_one_measurement_per_period() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn_app().await;
    indicator(&app, "test-once", Some("%")).await;
    let indicator_id = entity::indicator::Entity::find()
        .filter(entity::indicator::Column::Slug.eq("test-once"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let skarpnack_id = entity::district::Entity::find()
        .filter(entity::district::Column::Slug.eq("skarpnack"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let row = |district: Option<i32>, term: Option<entity::enums::Term>, value: f64| {
        let now = sea_orm::prelude::ChronoUtc::now();
        entity::measurement::ActiveModel {
            indicator_id: Set(indicator_id),
            district_id: Set(district),
            year: Set(2025),
            term: Set(term),
            value: Set(value),
            note: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
    };
    for (district, term) in [
        (None, None),
        (Some(skarpnack_id), None),
        (None, Some(entity::enums::Term::T2)),
        (Some(skarpnack_id), Some(entity::enums::Term::T2)),
    ] {
        row(district, term, 1.0).insert(&app.db).await.unwrap();
        let again = row(district, term, 2.0).insert(&app.db).await;
        assert!(
            matches!(
                again.as_ref().map_err(sea_orm::DbErr::sql_err),
                Err(Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
            ),
            "{district:?} {term:?}: {again:?}"
        );
    }
}
