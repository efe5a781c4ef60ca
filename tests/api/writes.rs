//! Writes: each agency edits only its own obligations; nobody loses an edit; every change
//! is traced.

use api::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, operation, spawn_app};

/// The Skarpnäck SSPF group and its commitments by owner slug.
async fn sspf(app: &TestApp) -> (String, Vec<Value>) {
    let data = app
        .query(
            r#"{ collaborationGroups(filter: { kind: SSPF }) { nodes { id
                 commitments { nodes { id version text organization { slug } } } } } }"#,
            json!({}),
        )
        .await;
    let group = &data["collaborationGroups"]["nodes"][0];
    (
        group["id"].as_str().unwrap().to_string(),
        group["commitments"]["nodes"].as_array().unwrap().clone(),
    )
}

fn owned_by<'a>(commitments: &'a [Value], slug: &str) -> &'a Value {
    commitments
        .iter()
        .find(|c| c["organization"]["slug"] == slug)
        .unwrap()
}

async fn update_commitment(
    app: &TestApp,
    token: &str,
    id: &Value,
    version: i64,
    text: &str,
) -> (u16, Value) {
    let response = app
        .send_update(&app.address, token, id, &json!(version), text)
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

#[tokio::test]
async fn a_police_liaison_updates_the_polices_commitment() {
    let app = spawn_app().await;
    let (_, commitments) = sspf(&app).await;
    let police = owned_by(&commitments, "lpo-farsta");
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let audit_before = app.audit_count().await;

    let (status, body) = update_commitment(&app, &token, &police["id"], 1, "Ny text.").await;
    assert_eq!(status, 200, "{body}");
    let payload = &body["data"]["updateCommitment"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["commitment"]["text"], "Ny text.");
    assert_eq!(payload["commitment"]["version"], 2);
    assert_eq!(payload["commitment"]["viewerCanUpdate"], true);
    assert_eq!(app.audit_count().await, audit_before + 1);

    // The school's commitment in the same group: not the police's to change.
    let school = owned_by(&commitments, "utbildningsforvaltningen");
    let data = app
        .run_as(
            &token,
            "query($id: ID!) { node(id: $id) { ... on Commitment { viewerCanUpdate viewerCanDelete } } }",
            json!({ "id": school["id"] }),
        )
        .await;
    assert_eq!(
        data["node"],
        json!({ "viewerCanUpdate": false, "viewerCanDelete": false })
    );
    let before = app.fingerprint().await;
    let (status, body) = update_commitment(&app, &token, &school["id"], 1, "Kapad.").await;
    assert_eq!(status, 200);
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("commitment belongs to Utbildningsförvaltningen"),
        "{message}"
    );
    assert_eq!(
        app.fingerprint().await,
        before,
        "a denied change wrote something"
    );
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_with_the_current_text() {
    let app = spawn_app().await;
    let (_, commitments) = sspf(&app).await;
    let police = owned_by(&commitments, "lpo-farsta");
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let (_, body) = update_commitment(&app, &token, &police["id"], 1, "Första.").await;
    assert_eq!(body["data"]["updateCommitment"]["commitment"]["version"], 2);

    let before = app.fingerprint().await;
    let (_, body) = update_commitment(&app, &token, &police["id"], 1, "Andra.").await;
    let payload = &body["data"]["updateCommitment"];
    assert_eq!(payload["userErrors"][0]["code"], "CONFLICT", "{body}");
    assert_eq!(payload["userErrors"][0]["field"], Value::Null);
    // The UI can show both texts: the current one comes back.
    assert_eq!(payload["commitment"]["text"], "Första.");
    assert_eq!(payload["commitment"]["version"], 2);
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn invalid_input_is_a_typed_user_error_and_writes_nothing() {
    let app = spawn_app().await;
    let (_, commitments) = sspf(&app).await;
    let police = owned_by(&commitments, "lpo-farsta");
    let token = app.token("lpo-farsta", Role::OrgEditor);
    let before = app.fingerprint().await;
    let too_long = "x".repeat(8001);
    for (id, text, code, field) in [
        (police["id"].clone(), "   ", "BAD_USER_INPUT", "input.text"),
        (
            police["id"].clone(),
            too_long.as_str(),
            "BAD_USER_INPUT",
            "input.text",
        ),
        // A well-formed Commitment ID that names nothing.
        (
            json!("Q29tbWl0bWVudDo5OTk5OQ"),
            "Text.",
            "NOT_FOUND",
            "input.id",
        ),
        // Not an ID at all.
        (json!("nonsense"), "Text.", "BAD_USER_INPUT", "input.id"),
    ] {
        let (status, body) = update_commitment(&app, &token, &id, 1, text).await;
        assert_eq!(status, 200);
        assert!(body.get("errors").is_none(), "{body}");
        let errors = &body["data"]["updateCommitment"]["userErrors"];
        assert_eq!(errors[0]["code"], code, "{body}");
        assert_eq!(errors[0]["field"], field, "{body}");
        assert_eq!(body["data"]["updateCommitment"]["commitment"], Value::Null);
    }
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn commitments_and_seats_are_created_and_removed_by_their_organization() {
    let app = spawn_app().await;
    let (group, _) = sspf(&app).await;
    let mtr = app.token("mtr", Role::OrgEditor);
    // MTR has no seat in SSPF: it must join before it can promise anything.
    let create = r#"mutation($g: ID!) { createCommitment(input: { group: $g, text: "Vi deltar vid behov.", clientMutationId: "c1" }) {
        commitment { id version organization { slug } } userErrors { field code message } clientMutationId } }"#;
    let data = app.run_as(&mtr, create, json!({ "g": group })).await;
    assert_eq!(
        data["createCommitment"]["userErrors"][0]["field"],
        "input.group"
    );
    let data = app
        .run_as(
            &mtr,
            r#"mutation($g: ID!) { joinGroup(input: { group: $g, contactRole: "Säkerhetschef" }) {
                participation { id version contactRole organization { slug } viewerCanUpdate } userErrors { code } } }"#,
            json!({ "g": group }),
        )
        .await;
    let seat = data["joinGroup"]["participation"].clone();
    assert_eq!(seat["organization"]["slug"], "mtr");
    assert_eq!(seat["viewerCanUpdate"], true);
    let data = app.run_as(&mtr, create, json!({ "g": group })).await;
    let commitment = data["createCommitment"]["commitment"].clone();
    assert_eq!(commitment["organization"]["slug"], "mtr");
    assert_eq!(data["createCommitment"]["clientMutationId"], "c1");

    // Leaving with a promise still standing is refused; after removing it, allowed.
    let leave = r#"mutation($id: ID!, $v: Int!) { leaveGroup(input: { id: $id, expectedVersion: $v }) { deletedId userErrors { code field } } }"#;
    let data = app
        .run_as(&mtr, leave, json!({ "id": seat["id"], "v": 1 }))
        .await;
    assert_eq!(
        data["leaveGroup"]["userErrors"][0]["code"],
        "BAD_USER_INPUT"
    );
    let data = app
        .run_as(
            &mtr,
            r#"mutation($id: ID!) { deleteCommitment(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code } } }"#,
            json!({ "id": commitment["id"] }),
        )
        .await;
    assert_eq!(data["deleteCommitment"]["deletedId"], commitment["id"]);
    let data = app
        .run_as(&mtr, leave, json!({ "id": seat["id"], "v": 1 }))
        .await;
    assert_eq!(data["leaveGroup"]["deletedId"], seat["id"]);
}

#[tokio::test]
async fn follow_ups_are_reported_once_per_period_and_locked_on_submission() {
    let app = spawn_app().await;
    // Skarpnäck 2020's "Beredningsgrupp" row is carried by the SDF, the schools and the
    // police.
    let data = app
        .query(
            r#"{ district(slug: "skarpnack") { id actionPlans { nodes { activities(first: 100) { nodes {
                 id responsibilities { organization { slug } } } } } } } }"#,
            json!({}),
        )
        .await;
    let district = data["district"]["id"].clone();
    let activity = data["district"]["actionPlans"]["nodes"][0]["activities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["responsibilities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["organization"]["slug"] == "lpo-farsta")
        })
        .unwrap()["id"]
        .clone();
    let police = app.token("lpo-farsta", Role::OrgEditor);
    let report = |status: &str| json!({ "activity": activity, "year": 2026, "term": "T2", "status": status, "effects": "Arbetet pågår." });
    let (_, body) = app
        .graphql_op(
            Some(&police),
            &operation("ReportFollowUp"),
            Some("ReportFollowUp"),
            report("ONGOING"),
        )
        .await;
    let payload = &body["data"]["reportFollowUp"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["followUp"]["status"], "ONGOING");
    assert_eq!(
        payload["followUp"]["period"],
        json!({ "year": 2026, "term": "T2" })
    );

    // The same period again, without the version it was based on: a conflict.
    let (_, body) = app
        .graphql_op(
            Some(&police),
            &operation("ReportFollowUp"),
            Some("ReportFollowUp"),
            report("DONE"),
        )
        .await;
    assert_eq!(
        body["data"]["reportFollowUp"]["userErrors"][0]["code"], "CONFLICT",
        "{body}"
    );
    assert_eq!(
        body["data"]["reportFollowUp"]["followUp"]["status"],
        "ONGOING"
    );

    // Another organization, not responsible: forbidden.
    let mtr = app.token("mtr", Role::OrgEditor);
    let (_, body) = app
        .graphql_op(
            Some(&mtr),
            &operation("ReportFollowUp"),
            Some("ReportFollowUp"),
            report("DONE"),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"]);

    // The coordinator submits the period: the follow-up is locked.
    let coordinator = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);
    let data = app
        .run_as(
            &coordinator,
            r#"mutation($d: ID!) { submitFollowUps(input: { district: $d, period: { year: 2026, term: T2 } }) {
                followUps { locked version } userErrors { code } } }"#,
            json!({ "d": district }),
        )
        .await;
    assert_eq!(
        data["submitFollowUps"]["followUps"],
        json!([{ "locked": true, "version": 2 }])
    );
    let again = r#"mutation($a: ID!) { reportFollowUp(input: { activity: $a, period: { year: 2026, term: T2 }, status: DONE, expectedVersion: 2 }) {
        followUp { status locked version } userErrors { code } } }"#;
    let (_, body) = app
        .graphql_with(Some(&police), again, json!({ "a": activity }))
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("locked")
    );
    // An admin may still change it, and that is audited.
    let audit = app.audit_count().await;
    let data = app
        .run_as(&app.admin_token(), again, json!({ "a": activity }))
        .await;
    assert_eq!(
        data["reportFollowUp"]["followUp"],
        json!({ "status": "DONE", "locked": true, "version": 3 })
    );
    assert_eq!(app.audit_count().await, audit + 1);
}

#[tokio::test]
async fn history_and_the_audit_log_are_for_coordinators_and_admins() {
    let app = spawn_app().await;
    let (_, commitments) = sspf(&app).await;
    let police = owned_by(&commitments, "lpo-farsta");
    let token = app.token("lpo-farsta", Role::OrgEditor);
    update_commitment(&app, &token, &police["id"], 1, "Ändrad text.").await;

    let coordinator = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);
    let (_, body) = app
        .graphql_op(
            Some(&coordinator),
            &operation("CommitmentHistory"),
            Some("CommitmentHistory"),
            json!({ "id": police["id"] }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let events = body["data"]["node"]["history"]["nodes"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action"], "commitment.update");
    assert_eq!(events[0]["actor"], "test-user");
    assert_eq!(events[0]["organization"]["name"], "Lokalpolisområde Farsta");
    assert_eq!(events[0]["before"]["text"], police["text"]);
    assert_eq!(events[0]["after"]["text"], "Ändrad text.");
    assert_eq!(events[0]["after"]["version"], 2);

    // A liaison and a coordinator of another district may not read it.
    for token in [
        token.clone(),
        app.token_in("bromma-sdf", Role::DistrictCoordinator, &["bromma"]),
    ] {
        let (_, body) = app
            .graphql_op(
                Some(&token),
                &operation("CommitmentHistory"),
                Some("CommitmentHistory"),
                json!({ "id": police["id"] }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    }

    let log = "{ auditEvents(first: 100) { totalCount nodes { action district { slug } } } }";
    let data = app.run_as(&coordinator, log, json!({})).await;
    assert_eq!(data["auditEvents"]["totalCount"], 1);
    let data = app
        .run_as(
            &app.token_in("bromma-sdf", Role::DistrictCoordinator, &["bromma"]),
            log,
            json!({}),
        )
        .await;
    assert_eq!(data["auditEvents"]["totalCount"], 0);
    let (_, body) = app.graphql_with(Some(&token), log, json!({})).await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"]);
}

#[tokio::test]
async fn coordinators_run_their_districts_plans_and_groups() {
    let app = spawn_app().await;
    let coordinator = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);
    let ids = app
        .query(
            r#"{ district(slug: "skarpnack") { id actionPlans { nodes { id } } collaborationAreas { id } }
                 methods(first: 100) { nodes { id slug } }
                 organization(slug: "lpo-farsta") { id } }"#,
            json!({}),
        )
        .await;
    let district = ids["district"]["id"].clone();
    let plan = ids["district"]["actionPlans"]["nodes"][0]["id"].clone();
    let mvp = ids["methods"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == "mvp")
        .unwrap()["id"]
        .clone();

    // A new row with a method and two responsibilities.
    let data = app
        .run_as(
            &coordinator,
            r#"mutation($p: ID!, $m: ID!, $police: ID!) { createActivity(input: {
                actionPlan: $p, description: "Trygghetsvandringar med ungdomar.", methods: [$m],
                responsibilities: [{ organization: $police, role: "Kommunpolis" }],
                timeline: "2026", startYear: 2026, endYear: 2026, followUpTerms: [T2, ANNUAL] }) {
                activity { id version methods { slug } responsibilities { role organization { slug } } followUpTerms viewerCanUpdate }
                userErrors { field code } } }"#,
            json!({ "p": plan, "m": mvp, "police": ids["organization"]["id"] }),
        )
        .await;
    let activity = data["createActivity"]["activity"].clone();
    assert_eq!(activity["methods"], json!([{ "slug": "mvp" }]));
    assert_eq!(activity["followUpTerms"], json!(["T2", "ANNUAL"]));
    assert_eq!(activity["viewerCanUpdate"], true);

    // End before start is a user error on the end field.
    let data = app
        .run_as(
            &coordinator,
            r#"mutation($id: ID!) { updateActivity(input: { id: $id, expectedVersion: 1, startYear: 2026, endYear: 2025 }) {
                activity { id } userErrors { field code } } }"#,
            json!({ "id": activity["id"] }),
        )
        .await;
    assert_eq!(
        data["updateActivity"]["userErrors"],
        json!([{ "field": "input.endYear", "code": "BAD_USER_INPUT" }])
    );
    let data = app
        .run_as(
            &coordinator,
            r#"mutation($id: ID!) { updateActivity(input: { id: $id, expectedVersion: 1, goal: "Ökad trygghet.", methods: [] }) {
                activity { goal version methods { slug } } userErrors { code } } }"#,
            json!({ "id": activity["id"] }),
        )
        .await;
    assert_eq!(
        data["updateActivity"]["activity"],
        json!({ "goal": "Ökad trygghet.", "version": 2, "methods": [] })
    );

    // A new group, then archived: it leaves the district's list.
    let data = app
        .run_as(
            &coordinator,
            r#"mutation($d: ID!) { createCollaborationGroup(input: { district: $d, name: "Operativt BRÅ Skarpnäck", kind: OPERATIVE_BRA, meetingCadence: "Var 14:de dag" }) {
                collaborationGroup { id slug kind version } userErrors { code } } }"#,
            json!({ "d": district }),
        )
        .await;
    let group = data["createCollaborationGroup"]["collaborationGroup"].clone();
    assert_eq!(group["slug"], "skarpnack-operativt-bra-skarpnack");
    let count = r#"{ district(slug: "skarpnack") { collaborationGroups { totalCount } } }"#;
    assert_eq!(
        app.query(count, json!({})).await["district"]["collaborationGroups"]["totalCount"],
        12
    );
    let data = app
        .run_as(
            &coordinator,
            r#"mutation($id: ID!) { archiveCollaborationGroup(input: { id: $id, expectedVersion: 1 }) {
                collaborationGroup { archivedAt version } userErrors { code } } }"#,
            json!({ "id": group["id"] }),
        )
        .await;
    assert!(data["archiveCollaborationGroup"]["collaborationGroup"]["archivedAt"].is_string());
    assert_eq!(
        app.query(count, json!({})).await["district"]["collaborationGroups"]["totalCount"],
        11
    );

    // Bromma is not theirs.
    let bromma = app
        .id_of(r#"{ district(slug: "bromma") { id } }"#, "/district/id")
        .await;
    let (_, body) = app
        .graphql_with(
            Some(&coordinator),
            r#"mutation($d: ID!) { createActionPlan(input: { district: $d, title: "X" }) { actionPlan { id } } }"#,
            json!({ "d": bromma }),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
}

#[tokio::test]
async fn admins_keep_the_catalogue() {
    let app = spawn_app().await;
    let admin = app.admin_token();
    let municipality = app
        .id_of("{ municipalities { id } }", "/municipalities/0/id")
        .await;
    let data = app
        .run_as(
            &admin,
            r#"mutation($m: ID!) {
                d: createDistrict(input: { municipality: $m, name: "Nya Hamnen" }) { district { slug } userErrors { code } }
                s: createStrategy(input: { municipality: $m, name: "Strategi", startYear: 2027, endYear: 2030,
                     priorityAreas: [{ name: "Strukturerad samverkan", focusAreas: [{ name: "Samlad kompetens" }] }] }) {
                     strategy { slug priorityAreas { name focusAreas { name } } } userErrors { code } }
                m: createMethod(input: { name: "Functional Family Therapy light", abbreviation: "FFT-L" }) { method { slug } userErrors { code } }
                o: createOrganization(input: { name: "Stockholms Stadsmission", kind: CIVIL_SOCIETY }) { organization { slug kind } userErrors { code } }
            }"#,
            json!({ "m": municipality }),
        )
        .await;
    assert_eq!(data["d"]["district"]["slug"], "nya-hamnen");
    assert_eq!(
        data["s"]["strategy"]["priorityAreas"][0]["focusAreas"][0]["name"],
        "Samlad kompetens"
    );
    assert_eq!(data["m"]["method"]["slug"], "fft-l");
    assert_eq!(data["o"]["organization"]["slug"], "stockholms-stadsmission");

    let coordinator = app.token_in("skarpnack-sdf", Role::DistrictCoordinator, &["skarpnack"]);
    let (_, body) = app
        .graphql_with(
            Some(&coordinator),
            r#"mutation { createMethod(input: { name: "X" }) { method { slug } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"]);
}
