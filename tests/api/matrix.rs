//! The authorization matrix: every mutation × every role × own/other organization ×
//! own/other district. An allowed change succeeds and is audited; a denied one answers
//! `FORBIDDEN` and writes nothing (every table's row count and version sum, and the audit
//! log, are unchanged).
//!
//! The target of every mutation lies in Skarpnäck and, where it has an owner, belongs to
//! the police (`lpo-farsta`). "Own organization" tokens act for `lpo-farsta`, "other"
//! ones for `mtr`; "own district" tokens coordinate `skarpnack`, "other" ones `bromma`.
//!
//! Municipalities: a second municipality (Solna, with a district and an organization
//! serving it) is added; a `MUNICIPALITY_ADMIN` of the own municipality (`stockholm`,
//! acting for `mtr`) and one of the other (`solna`, acting for Solna's organization) try
//! every mutation too.

use api::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, spawn_app_with};

/// Which rule of the role table decides a mutation.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Only the owning organization (editors, coordinators) or an admin.
    Commitment,
    /// The organization itself, a coordinator of the group's district, or an admin.
    Participation,
    /// The responsible organizations, a coordinator of the plan's district, or an admin.
    FollowUp,
    /// A coordinator of the district, or an admin.
    District,
    /// National admins only: methods, organizations serving no district.
    Admin,
    /// Admins of the municipality (its districts, strategies, the organizations working
    /// there) and national admins.
    Municipality,
    // Issue 14 (helper `targets`).
    /// A plan's rule on a plan its organization owns: the owner's editors, a coordinator
    /// of the plan's district, or an admin (targets).
    Plan,
    /// National admins only: indicators and measurements (`authz::indicators`).
    Indicators,
    /// The organizations with a seat in the group, a coordinator of the group's district,
    /// or an admin (issue 14: group follow-ups).
    GroupFollowUp,
    /// The city's cycle (issue 14): a situation picture (and its analysis) covering a
    /// district — the owning body's editors, a coordinator of every district it covers,
    /// or an admin.
    SituationPicture,
    /// A city-wide situation picture: the owning body's editors or an admin.
    CityWidePicture,
    /// The obligations a strategy sets: admins of the strategy's municipality.
    Obligations,
}

/// Whether `role` may: for a `MUNICIPALITY_ADMIN`, `own_org` and `own_district` both
/// say whether it administers the target's municipality.
fn allowed(rule: Rule, role: Role, own_org: bool, own_district: bool) -> bool {
    let editor = matches!(role, Role::OrgEditor | Role::DistrictCoordinator);
    let coordinator = role == Role::DistrictCoordinator;
    match (role, rule) {
        (Role::Admin, _) => true,
        (Role::Viewer, _) => false,
        (Role::MunicipalityAdmin, Rule::Admin | Rule::Indicators) => false,
        (Role::MunicipalityAdmin, _) => own_org && own_district,
        (_, Rule::Municipality) => false,
        (_, Rule::Commitment) => editor && own_org,
        (_, Rule::Participation | Rule::FollowUp | Rule::GroupFollowUp) => {
            (editor && own_org) || (coordinator && own_district)
        }
        (_, Rule::District) => coordinator && own_district,
        (_, Rule::Admin) => false,
        (_, Rule::Plan) => (editor && own_org) || (coordinator && own_district),
        (_, Rule::Indicators) => false,
        (_, Rule::SituationPicture) => (editor && own_org) || (coordinator && own_district),
        (_, Rule::CityWidePicture) => editor && own_org,
        (_, Rule::Obligations) => false,
    }
}

/// IDs of the fixtures every case uses.
struct Fixtures {
    skarpnack: Value,
    municipality: Value,
    police: Value,
    sspf: Value,
    plan: Value,
    police_activity: Value,
    mvp: Value,
    strategy: Value,
}

async fn fixtures(app: &TestApp) -> Fixtures {
    let data = app
        .query(
            r#"{
              municipalities { id }
              district(slug: "skarpnack") { id actionPlans { nodes { id activities(first: 100) { nodes {
                id responsibilities { organization { slug } } } } } } }
              organization(slug: "lpo-farsta") { id }
              collaborationGroups(filter: { kind: SSPF }) { nodes { id } }
              methods(first: 100) { nodes { id slug } }
              strategy(slug: "stockholm-2024-2026") { id }
            }"#,
            json!({}),
        )
        .await;
    let plan = &data["district"]["actionPlans"]["nodes"][0];
    let police_activity = plan["activities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a.to_string().contains("lpo-farsta"))
        .unwrap()["id"]
        .clone();
    Fixtures {
        skarpnack: data["district"]["id"].clone(),
        municipality: data["municipalities"][0]["id"].clone(),
        police: data["organization"]["id"].clone(),
        sspf: data["collaborationGroups"]["nodes"][0]["id"].clone(),
        plan: plan["id"].clone(),
        police_activity,
        mvp: data["methods"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["slug"] == "mvp")
            .unwrap()["id"]
            .clone(),
        strategy: data["strategy"]["id"].clone(),
    }
}

/// Run `query` as admin and return the value at `pointer`.
async fn admin_get(app: &TestApp, query: &str, vars: Value, pointer: &str) -> Value {
    let data = app.run_as(&app.admin_token(), query, vars).await;
    let value = data.pointer(pointer).cloned().unwrap_or(Value::Null);
    assert!(!value.is_null(), "nothing at {pointer}: {data}");
    value
}

async fn new_group(app: &TestApp, f: &Fixtures, n: u32) -> Value {
    admin_get(
        app,
        r#"mutation($d: ID!, $name: String!) { createCollaborationGroup(input: { district: $d, name: $name, kind: OTHER }) { collaborationGroup { id } } }"#,
        json!({ "d": f.skarpnack, "name": format!("Fixture group {n}") }),
        "/createCollaborationGroup/collaborationGroup/id",
    )
    .await
}

async fn version_of(app: &TestApp, id: &Value) -> Value {
    let data = app
        .query(
            r#"query($id: ID!) { node(id: $id) {
                ... on Commitment { version } ... on Participation { version } ... on ActionPlan { version }
                ... on Activity { version } ... on CollaborationGroup { version } } }"#,
            json!({ "id": id }),
        )
        .await;
    data["node"]["version"].clone()
}

/// A fresh situation picture of the police covering Skarpnäck (issue 14).
async fn new_picture(app: &TestApp, f: &Fixtures) -> Value {
    admin_get(
        app,
        r#"mutation($o: ID!, $d: ID!) { createSituationPicture(input: { organization: $o, title: "Lägesbild", districts: [$d] }) { situationPicture { id } } }"#,
        json!({ "o": f.police, "d": f.skarpnack }),
        "/createSituationPicture/situationPicture/id",
    )
    .await
}

/// A fresh obligation of the police under a strategy (issue 14).
async fn new_obligation(app: &TestApp, f: &Fixtures) -> Value {
    admin_get(
        app,
        r#"mutation($s: ID!, $o: ID!) { createObligation(input: { strategy: $s, organization: $o, kind: SITUATION_PICTURE }) { obligation { id } } }"#,
        json!({ "s": f.strategy, "o": f.police }),
        "/createObligation/obligation/id",
    )
    .await
}

/// A new mapping of a provider group (`g-N`) to the police, by an admin.
async fn new_provider_group(app: &TestApp, f: &Fixtures, n: u32) -> Value {
    admin_get(
        app,
        r#"mutation($g: String!, $o: ID!) { mapProviderGroup(input: { group: $g, organization: $o }) { providerGroup { id } } }"#,
        json!({ "g": format!("g-{n}"), "o": f.police }),
        "/mapProviderGroup/providerGroup/id",
    )
    .await
}

/// The police's seat and commitment in SSPF.
async fn police_in_sspf(app: &TestApp, f: &Fixtures) -> (Value, Value) {
    let data = app
        .query(
            r#"query($g: ID!) { node(id: $g) { ... on CollaborationGroup {
                participations { id organization { slug } commitments { id } } } } }"#,
            json!({ "g": f.sspf }),
        )
        .await;
    let seat = data["node"]["participations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["organization"]["slug"] == "lpo-farsta")
        .unwrap()
        .clone();
    (seat["id"].clone(), seat["commitments"][0]["id"].clone())
}

/// The mutation of `name` and its variables, after preparing a fresh target for case `n`.
async fn case(app: &TestApp, f: &Fixtures, name: &str, n: u32) -> (Rule, &'static str, Value) {
    match name {
        "createCommitment" => (
            Rule::Commitment,
            r#"mutation($g: ID!, $o: ID!) { createCommitment(input: { group: $g, organization: $o, text: "Nytt åtagande." }) { commitment { id } userErrors { code message } } }"#,
            json!({ "g": f.sspf, "o": f.police }),
        ),
        "updateCommitment" => {
            let (_, commitment) = police_in_sspf(app, f).await;
            let v = version_of(app, &commitment).await;
            (
                Rule::Commitment,
                r#"mutation($id: ID!, $v: Int!) { updateCommitment(input: { id: $id, expectedVersion: $v, text: "Ändrat." }) { commitment { id } userErrors { code message } } }"#,
                json!({ "id": commitment, "v": v }),
            )
        }
        "deleteCommitment" => {
            let id = admin_get(
                app,
                r#"mutation($g: ID!, $o: ID!) { createCommitment(input: { group: $g, organization: $o, text: "Att ta bort." }) { commitment { id } } }"#,
                json!({ "g": f.sspf, "o": f.police }),
                "/createCommitment/commitment/id",
            )
            .await;
            (
                Rule::Commitment,
                r#"mutation($id: ID!) { deleteCommitment(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        "joinGroup" => {
            let group = new_group(app, f, n).await;
            (
                Rule::Participation,
                r#"mutation($g: ID!, $o: ID!) { joinGroup(input: { group: $g, organization: $o, contactRole: "Kommunpolis" }) { participation { id } userErrors { code message } } }"#,
                json!({ "g": group, "o": f.police }),
            )
        }
        "updateParticipation" => {
            let (seat, _) = police_in_sspf(app, f).await;
            let v = version_of(app, &seat).await;
            (
                Rule::Participation,
                r#"mutation($id: ID!, $v: Int!) { updateParticipation(input: { id: $id, expectedVersion: $v, contactRole: "Kommunpolis" }) { participation { id } userErrors { code message } } }"#,
                json!({ "id": seat, "v": v }),
            )
        }
        "leaveGroup" => {
            let group = new_group(app, f, n).await;
            let seat = admin_get(
                app,
                r#"mutation($g: ID!, $o: ID!) { joinGroup(input: { group: $g, organization: $o }) { participation { id } } }"#,
                json!({ "g": group, "o": f.police }),
                "/joinGroup/participation/id",
            )
            .await;
            (
                Rule::Participation,
                r#"mutation($id: ID!) { leaveGroup(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
                json!({ "id": seat }),
            )
        }
        "reportFollowUp" => (
            Rule::FollowUp,
            r#"mutation($a: ID!, $y: Int!) { reportFollowUp(input: { activity: $a, period: { year: $y, term: T1 }, status: ONGOING }) { followUp { id } userErrors { code message } } }"#,
            json!({ "a": f.police_activity, "y": 2030 + n }),
        ),
        "submitFollowUps" => {
            let year = 2030 + n;
            admin_get(
                app,
                r#"mutation($a: ID!, $y: Int!) { reportFollowUp(input: { activity: $a, period: { year: $y, term: T2 }, status: DONE }) { followUp { id } } }"#,
                json!({ "a": f.police_activity, "y": year }),
                "/reportFollowUp/followUp/id",
            )
            .await;
            (
                Rule::District,
                r#"mutation($d: ID!, $y: Int!) { submitFollowUps(input: { district: $d, period: { year: $y, term: T2 } }) { followUps { id } userErrors { code message } } }"#,
                json!({ "d": f.skarpnack, "y": year }),
            )
        }
        "createActionPlan" => (
            Rule::District,
            r#"mutation($d: ID!, $s: String!) { createActionPlan(input: { district: $d, slug: $s, title: "Åtgärdsplan" }) { actionPlan { id } userErrors { code message } } }"#,
            json!({ "d": f.skarpnack, "s": format!("skarpnack-plan-{n}") }),
        ),
        "updateActionPlan" => {
            let v = version_of(app, &f.plan).await;
            (
                Rule::District,
                r#"mutation($id: ID!, $v: Int!) { updateActionPlan(input: { id: $id, expectedVersion: $v, endYear: 2022 }) { actionPlan { id } userErrors { code message } } }"#,
                json!({ "id": f.plan, "v": v }),
            )
        }
        "createActivity" => (
            Rule::District,
            r#"mutation($p: ID!, $m: ID!) { createActivity(input: { actionPlan: $p, description: "Ny rad.", methods: [$m] }) { activity { id } userErrors { code message } } }"#,
            json!({ "p": f.plan, "m": f.mvp }),
        ),
        "updateActivity" => {
            let v = version_of(app, &f.police_activity).await;
            (
                Rule::District,
                r#"mutation($id: ID!, $v: Int!) { updateActivity(input: { id: $id, expectedVersion: $v, timeline: "Hösten 2020" }) { activity { id } userErrors { code message } } }"#,
                json!({ "id": f.police_activity, "v": v }),
            )
        }
        "deleteActivity" => {
            let id = admin_get(
                app,
                r#"mutation($p: ID!) { createActivity(input: { actionPlan: $p, description: "Att ta bort." }) { activity { id } } }"#,
                json!({ "p": f.plan }),
                "/createActivity/activity/id",
            )
            .await;
            (
                Rule::District,
                r#"mutation($id: ID!) { deleteActivity(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        "createCollaborationArea" => (
            Rule::District,
            r#"mutation($d: ID!, $name: String!) { createCollaborationArea(input: { district: $d, name: $name }) { collaborationArea { id } userErrors { code message } } }"#,
            json!({ "d": f.skarpnack, "name": format!("Område {n}") }),
        ),
        "createCollaborationGroup" => (
            Rule::District,
            r#"mutation($d: ID!, $name: String!) { createCollaborationGroup(input: { district: $d, name: $name, kind: SSPF }) { collaborationGroup { id } userErrors { code message } } }"#,
            json!({ "d": f.skarpnack, "name": format!("Grupp {n}") }),
        ),
        "updateCollaborationGroup" => {
            let v = version_of(app, &f.sspf).await;
            (
                Rule::District,
                r#"mutation($id: ID!, $v: Int!) { updateCollaborationGroup(input: { id: $id, expectedVersion: $v, communication: "Kallelser via mejl." }) { collaborationGroup { id } userErrors { code message } } }"#,
                json!({ "id": f.sspf, "v": v }),
            )
        }
        "archiveCollaborationGroup" => {
            let group = new_group(app, f, n).await;
            (
                Rule::District,
                r#"mutation($id: ID!) { archiveCollaborationGroup(input: { id: $id, expectedVersion: 1 }) { collaborationGroup { id } userErrors { code message } } }"#,
                json!({ "id": group }),
            )
        }
        "createOrganization" => (
            Rule::Admin,
            r#"mutation($name: String!) { createOrganization(input: { name: $name, kind: CIVIL_SOCIETY }) { organization { id } userErrors { code message } } }"#,
            json!({ "name": format!("Förening {n}") }),
        ),
        "createOrganization:inDistrict" => (
            Rule::Municipality,
            r#"mutation($name: String!, $d: ID!) { createOrganization(input: { name: $name, kind: CIVIL_SOCIETY, districts: [$d] }) { organization { id } userErrors { code message } } }"#,
            json!({ "name": format!("Förening i Skarpnäck {n}"), "d": f.skarpnack }),
        ),
        "updateOrganization" => (
            Rule::Municipality,
            r#"mutation($id: ID!) { updateOrganization(input: { id: $id, name: "Lokalpolisområde Farsta" }) { organization { id } userErrors { code message } } }"#,
            json!({ "id": f.police }),
        ),
        "createDistrict" => (
            Rule::Municipality,
            r#"mutation($m: ID!, $name: String!) { createDistrict(input: { municipality: $m, name: $name }) { district { id } userErrors { code message } } }"#,
            json!({ "m": f.municipality, "name": format!("Stadsdel {n}") }),
        ),
        "createStrategy" => (
            Rule::Municipality,
            r#"mutation($m: ID!, $name: String!) { createStrategy(input: { municipality: $m, name: $name, startYear: 2027, endYear: 2030 }) { strategy { id } userErrors { code message } } }"#,
            json!({ "m": f.municipality, "name": format!("Strategi {n}") }),
        ),
        "createMethod" => (
            Rule::Admin,
            r#"mutation($name: String!) { createMethod(input: { name: $name }) { method { id } userErrors { code message } } }"#,
            json!({ "name": format!("Metod {n}") }),
        ),
        "updateMethod" => (
            Rule::Admin,
            r#"mutation($id: ID!) { updateMethod(input: { id: $id, description: "Beskrivning." }) { method { id } userErrors { code message } } }"#,
            json!({ "id": f.mvp }),
        ),
        // --- Issue 14, item 5: group follow-ups (the police have a seat in SSPF).
        "reportGroupFollowUp" => (
            Rule::GroupFollowUp,
            r#"mutation($g: ID!, $y: Int!) { reportGroupFollowUp(input: { group: $g, period: { year: $y, term: T1 }, status: ONGOING, notes: "Möts." }) { groupFollowUp { id } userErrors { code message } } }"#,
            json!({ "g": f.sspf, "y": 2030 + n }),
        ),
        "submitGroupFollowUps" => {
            let year = 2030 + n;
            admin_get(
                app,
                r#"mutation($g: ID!, $y: Int!) { reportGroupFollowUp(input: { group: $g, period: { year: $y, term: T2 }, status: DONE }) { groupFollowUp { id } } }"#,
                json!({ "g": f.sspf, "y": year }),
                "/reportGroupFollowUp/groupFollowUp/id",
            )
            .await;
            (
                Rule::District,
                r#"mutation($d: ID!, $y: Int!) { submitGroupFollowUps(input: { district: $d, period: { year: $y, term: T2 } }) { groupFollowUps { id } userErrors { code message } } }"#,
                json!({ "d": f.skarpnack, "y": year }),
            )
        }
        // --- The city's cycle (issue 14).
        "createSituationPicture" => (
            Rule::SituationPicture,
            r#"mutation($o: ID!, $d: ID!) { createSituationPicture(input: { organization: $o, title: "Lägesbild", districts: [$d], findings: [{ text: "Fynd." }] }) { situationPicture { id } userErrors { code message } } }"#,
            json!({ "o": f.police, "d": f.skarpnack }),
        ),
        "createSituationPicture:cityWide" => (
            Rule::CityWidePicture,
            r#"mutation($o: ID!) { createSituationPicture(input: { organization: $o, title: "Lägesbild", cityWide: true }) { situationPicture { id } userErrors { code message } } }"#,
            json!({ "o": f.police }),
        ),
        "updateSituationPicture" => {
            let id = new_picture(app, f).await;
            (
                Rule::SituationPicture,
                r#"mutation($id: ID!) { updateSituationPicture(input: { id: $id, expectedVersion: 1, summary: "Sammanfattning.", sources: [{ kind: OTHER, name: "Egen kartläggning" }] }) { situationPicture { id } userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        "deleteSituationPicture" => {
            let id = new_picture(app, f).await;
            (
                Rule::SituationPicture,
                r#"mutation($id: ID!) { deleteSituationPicture(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        "setCauseAnalysis" => {
            let id = new_picture(app, f).await;
            (
                Rule::SituationPicture,
                r#"mutation($id: ID!) { setCauseAnalysis(input: { situationPicture: $id, causes: [{ text: "Orsak." }] }) { causeAnalysis { id } userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        "deleteCauseAnalysis" => {
            let picture = new_picture(app, f).await;
            let id = admin_get(
                app,
                r#"mutation($id: ID!) { setCauseAnalysis(input: { situationPicture: $id }) { causeAnalysis { id } } }"#,
                json!({ "id": picture }),
                "/setCauseAnalysis/causeAnalysis/id",
            )
            .await;
            (
                Rule::SituationPicture,
                r#"mutation($id: ID!) { deleteCauseAnalysis(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        "createObligation" => (
            Rule::Obligations,
            r#"mutation($s: ID!, $o: ID!) { createObligation(input: { strategy: $s, organization: $o, kind: ACTION_PLAN }) { obligation { id } userErrors { code message } } }"#,
            json!({ "s": f.strategy, "o": f.police }),
        ),
        "updateObligation" => {
            let id = new_obligation(app, f).await;
            (
                Rule::Obligations,
                r#"mutation($id: ID!) { updateObligation(input: { id: $id, expectedVersion: 1, dueOn: "2025-03-31" }) { obligation { id } userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        "deleteObligation" => {
            let id = new_obligation(app, f).await;
            (
                Rule::Obligations,
                r#"mutation($id: ID!) { deleteObligation(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        // Issue 16: the identity provider's groups mapped to organizations.
        "mapProviderGroup" => (
            Rule::Admin,
            r#"mutation($g: String!, $o: ID!) { mapProviderGroup(input: { group: $g, organization: $o }) { providerGroup { id } userErrors { code message } } }"#,
            json!({ "g": format!("matrix-group-{n}"), "o": f.police }),
        ),
        "updateProviderGroup" => {
            let id = new_provider_group(app, f, n).await;
            (
                Rule::Admin,
                r#"mutation($id: ID!, $o: ID!) { updateProviderGroup(input: { id: $id, expectedVersion: 1, organization: $o }) { providerGroup { id } userErrors { code message } } }"#,
                json!({ "id": id, "o": f.police }),
            )
        }
        "deleteProviderGroup" => {
            let id = new_provider_group(app, f, n).await;
            (
                Rule::Admin,
                r#"mutation($id: ID!) { deleteProviderGroup(input: { id: $id, expectedVersion: 1 }) { providerGroup { id } userErrors { code message } } }"#,
                json!({ "id": id }),
            )
        }
        // Issue 15: imports, sent as multipart requests with the file of `import_file`.
        "importActionPlan" => (
            Rule::District,
            r#"mutation($file: Upload!, $d: ID!) { importActionPlan(input: { file: $file, district: $d, dryRun: false }) { actionPlan { id } userErrors { code message } } }"#,
            json!({ "d": f.skarpnack }),
        ),
        "importFollowUps" => (
            Rule::District,
            r#"mutation($file: Upload!, $d: ID!, $p: ID!) { importFollowUps(input: { file: $file, district: $d, actionPlan: $p, period: { year: 2021, term: T2 }, dryRun: false }) { followUps { id } userErrors { code message } } }"#,
            json!({ "d": f.skarpnack, "p": f.plan }),
        ),
        other => targets_case(app, f, other, n).await,
    }
}

/// The file an import case `n` uploads (a new plan each time; a changed follow-up of
/// the police's activity each time), or `None` for a mutation sent as JSON.
fn import_file(name: &str, f: &Fixtures, n: u32) -> Option<String> {
    match name {
        "importActionPlan" => Some(format!(
            "Handlingsplan matris {n} 2021\nMetoder och arbetssätt;Ansvarig\nGöra något {n};Enhetschef\n"
        )),
        "importFollowUps" => Some(format!(
            "ID;Status 31/8 2021;Effekter och resultat\n{};Pågår;Effekt {n}\n",
            f.police_activity.as_str().unwrap_or_default()
        )),
        _ => None,
    }
}

async fn check(name: &str) {
    // Every token of a case sends dozens of requests in a row (setups, fingerprints); the
    // per-token rate limit is tested in tests/api/transport.rs, not here.
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let f = fixtures(&app).await;
    another_municipality(&app).await;
    let mut n = 0;
    for (role, own_org, own_district) in tokens() {
        n += 1;
        let (rule, query, vars) = case(&app, &f, name, n).await;
        let (token, what) = if role == Role::MunicipalityAdmin {
            let (org, municipality) = if own_org {
                ("mtr", "stockholm")
            } else {
                ("solna-stad", "solna")
            };
            (
                app.token_for_municipalities(org, role, &[municipality]),
                format!("{name} as {role:?} of {municipality} acting for {org}"),
            )
        } else {
            let org = if own_org { "lpo-farsta" } else { "mtr" };
            let district = if own_district { "skarpnack" } else { "bromma" };
            (
                app.token_in(org, role, &[district]),
                format!("{name} as {role:?} of {org} coordinating {district}"),
            )
        };
        let expect = allowed(rule, role, own_org, own_district);
        let before = app.fingerprint().await;
        let audit = app.audit_count().await;
        let (status, body) = match import_file(name, &f, n) {
            Some(file) => {
                crate::imports::upload(&app, &token, query, vars, ("matrix.csv", file.as_bytes()))
                    .await
            }
            None => app.graphql_with(Some(&token), query, vars).await,
        };
        assert_eq!(status, 200, "{what}: {body}");
        if expect {
            assert!(body.get("errors").is_none(), "{what} was refused: {body}");
            let payload = body["data"].as_object().unwrap().values().next().unwrap();
            assert_eq!(payload["userErrors"], json!([]), "{what}: {body}");
            assert!(app.audit_count().await > audit, "{what} was not audited");
        } else {
            assert_eq!(
                error_codes(&body),
                vec!["FORBIDDEN"],
                "{what} was allowed: {body}"
            );
            assert_eq!(app.fingerprint().await, before, "{what} wrote something");
        }
    }
}

/// Every role × own/other organization × own/other district, and a
/// `MUNICIPALITY_ADMIN` of the own and of the other municipality.
fn tokens() -> Vec<(Role, bool, bool)> {
    let mut out = Vec::new();
    for role in [
        Role::Viewer,
        Role::OrgEditor,
        Role::DistrictCoordinator,
        Role::Admin,
    ] {
        for own_org in [true, false] {
            for own_district in [true, false] {
                out.push((role, own_org, own_district));
            }
        }
    }
    out.push((Role::MunicipalityAdmin, true, true));
    out.push((Role::MunicipalityAdmin, false, false));
    out
}

/// A second municipality, Solna, with a district and an organization serving it
/// (`solna-stad`); the district's ID.
pub(crate) async fn another_municipality(app: &TestApp) -> Value {
    use sea_orm::{ActiveModelTrait, Set};
    let solna = entity::municipality::ActiveModel {
        slug: Set("solna".into()),
        name: Set("Solna stad".into()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let municipality = app
        .query(r#"{ municipalities { id name } }"#, json!({}))
        .await["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == solna.name.as_str())
        .unwrap()["id"]
        .clone();
    let district = admin_get(
        app,
        r#"mutation($m: ID!) { createDistrict(input: { municipality: $m, name: "Solna centrum" }) { district { id } } }"#,
        json!({ "m": municipality }),
        "/createDistrict/district/id",
    )
    .await;
    admin_get(
        app,
        r#"mutation($d: ID!) { createOrganization(input: { slug: "solna-stad", name: "Solna stad", kind: CITY_ADMINISTRATION, districts: [$d] }) { organization { id } } }"#,
        json!({ "d": district }),
        "/createOrganization/organization/id",
    )
    .await;
    district
}

macro_rules! matrix {
    ($($test:ident => $mutation:literal),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $test() {
                check($mutation).await;
            }
        )*

        /// Every mutation of the schema has a row in the matrix.
        #[tokio::test]
        async fn every_mutation_is_in_the_matrix() {
            let covered = [$($mutation),*];
            let response = api::graphql::build_schema()
                .execute("{ __schema { mutationType { fields { name } } } }")
                .await;
            let data = response.data.into_json().unwrap();
            let mutations = data["__schema"]["mutationType"]["fields"].as_array().unwrap();
            assert!(!mutations.is_empty());
            for m in mutations {
                let name = m["name"].as_str().unwrap();
                assert!(covered.contains(&name), "{name} is not in the authorization matrix");
            }
        }
    };
}

matrix!(
    create_commitment => "createCommitment",
    update_commitment => "updateCommitment",
    delete_commitment => "deleteCommitment",
    join_group => "joinGroup",
    update_participation => "updateParticipation",
    leave_group => "leaveGroup",
    report_follow_up => "reportFollowUp",
    submit_follow_ups => "submitFollowUps",
    create_action_plan => "createActionPlan",
    update_action_plan => "updateActionPlan",
    create_activity => "createActivity",
    update_activity => "updateActivity",
    delete_activity => "deleteActivity",
    create_collaboration_area => "createCollaborationArea",
    create_collaboration_group => "createCollaborationGroup",
    update_collaboration_group => "updateCollaborationGroup",
    archive_collaboration_group => "archiveCollaborationGroup",
    create_organization => "createOrganization",
    create_organization_in_district => "createOrganization:inDistrict",
    update_organization => "updateOrganization",
    create_district => "createDistrict",
    create_strategy => "createStrategy",
    create_method => "createMethod",
    update_method => "updateMethod",
    // Issue 14 (helper `targets`).
    create_indicator => "createIndicator",
    update_indicator => "updateIndicator",
    delete_indicator => "deleteIndicator",
    record_measurement => "recordMeasurement",
    update_measurement => "updateMeasurement",
    delete_measurement => "deleteMeasurement",
    create_target => "createTarget",
    update_target => "updateTarget",
    delete_target => "deleteTarget",
    // Issue 14, item 5.
    report_group_follow_up => "reportGroupFollowUp",
    submit_group_follow_ups => "submitGroupFollowUps",
    // The city's cycle (issue 14).
    create_situation_picture => "createSituationPicture",
    create_city_wide_situation_picture => "createSituationPicture:cityWide",
    update_situation_picture => "updateSituationPicture",
    delete_situation_picture => "deleteSituationPicture",
    set_cause_analysis => "setCauseAnalysis",
    delete_cause_analysis => "deleteCauseAnalysis",
    create_obligation => "createObligation",
    update_obligation => "updateObligation",
    delete_obligation => "deleteObligation",
    // Issue 16: the identity provider's groups.
    map_provider_group => "mapProviderGroup",
    update_provider_group => "updateProviderGroup",
    delete_provider_group => "deleteProviderGroup",
    // Issue 15: imports.
    import_action_plan => "importActionPlan",
    import_follow_ups => "importFollowUps",
);

// --- Issue 14: indicators, measurements, targets (helper `targets`) ----------------------

/// A fresh indicator for case `n` (as admin).
async fn new_indicator(app: &TestApp, n: u32) -> Value {
    admin_get(
        app,
        r#"mutation($s: String!) { createIndicator(input: { slug: $s, name: $s, unit: "%" }) { indicator { id } } }"#,
        json!({ "s": format!("matrix-indicator-{n}") }),
        "/createIndicator/indicator/id",
    )
    .await
}

/// A fresh city-wide measurement of a fresh indicator for case `n` (as admin).
async fn new_measurement(app: &TestApp, n: u32) -> Value {
    let indicator = new_indicator(app, n).await;
    admin_get(
        app,
        r#"mutation($i: ID!) { recordMeasurement(input: { indicator: $i, year: 2024, value: 50 }) { measurement { id } } }"#,
        json!({ "i": indicator }),
        "/recordMeasurement/measurement/id",
    )
    .await
}

/// A fresh plan in Skarpnäck owned by the police, and a fresh indicator, for case `n`.
async fn police_plan(app: &TestApp, f: &Fixtures, n: u32) -> (Value, Value) {
    let plan = admin_get(
        app,
        r#"mutation($d: ID!, $o: ID!, $s: String!) { createActionPlan(input: { district: $d, owner: $o, slug: $s, title: "Polisens plan" }) { actionPlan { id } } }"#,
        json!({ "d": f.skarpnack, "o": f.police, "s": format!("police-plan-{n}") }),
        "/createActionPlan/actionPlan/id",
    )
    .await;
    (plan, new_indicator(app, n).await)
}

/// A fresh target on a fresh police plan for case `n`.
async fn new_target(app: &TestApp, f: &Fixtures, n: u32) -> Value {
    let (plan, indicator) = police_plan(app, f, n).await;
    admin_get(
        app,
        r#"mutation($p: ID!, $i: ID!) { createTarget(input: { actionPlan: $p, indicator: $i, value: 90 }) { target { id } } }"#,
        json!({ "p": plan, "i": indicator }),
        "/createTarget/target/id",
    )
    .await
}

/// The cases of issue 14's indicators, measurements and targets.
async fn targets_case(
    app: &TestApp,
    f: &Fixtures,
    name: &str,
    n: u32,
) -> (Rule, &'static str, Value) {
    match name {
        "createIndicator" => (
            Rule::Indicators,
            r#"mutation($name: String!) { createIndicator(input: { name: $name, unit: "%" }) { indicator { id } userErrors { code message } } }"#,
            json!({ "name": format!("Indikator {n}") }),
        ),
        "updateIndicator" => (
            Rule::Indicators,
            r#"mutation($id: ID!) { updateIndicator(input: { id: $id, expectedVersion: 1, source: "Stockholmsenkäten" }) { indicator { id } userErrors { code message } } }"#,
            json!({ "id": new_indicator(app, n).await }),
        ),
        "deleteIndicator" => (
            Rule::Indicators,
            r#"mutation($id: ID!) { deleteIndicator(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
            json!({ "id": new_indicator(app, n).await }),
        ),
        "recordMeasurement" => (
            Rule::Indicators,
            r#"mutation($i: ID!, $d: ID!) { recordMeasurement(input: { indicator: $i, district: $d, year: 2024, term: T1, value: 12.5 }) { measurement { id } userErrors { code message } } }"#,
            json!({ "i": new_indicator(app, n).await, "d": f.skarpnack }),
        ),
        "updateMeasurement" => (
            Rule::Indicators,
            r#"mutation($id: ID!) { updateMeasurement(input: { id: $id, expectedVersion: 1, value: 51 }) { measurement { id } userErrors { code message } } }"#,
            json!({ "id": new_measurement(app, n).await }),
        ),
        "deleteMeasurement" => (
            Rule::Indicators,
            r#"mutation($id: ID!) { deleteMeasurement(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
            json!({ "id": new_measurement(app, n).await }),
        ),
        "createTarget" => {
            let (plan, indicator) = police_plan(app, f, n).await;
            (
                Rule::Plan,
                r#"mutation($p: ID!, $i: ID!) { createTarget(input: { actionPlan: $p, indicator: $i, baseline: 80, value: 90, year: 2026 }) { target { id } userErrors { code message } } }"#,
                json!({ "p": plan, "i": indicator }),
            )
        }
        "updateTarget" => (
            Rule::Plan,
            r#"mutation($id: ID!) { updateTarget(input: { id: $id, expectedVersion: 1, value: 95 }) { target { id } userErrors { code message } } }"#,
            json!({ "id": new_target(app, f, n).await }),
        ),
        "deleteTarget" => (
            Rule::Plan,
            r#"mutation($id: ID!) { deleteTarget(input: { id: $id, expectedVersion: 1 }) { deletedId userErrors { code message } } }"#,
            json!({ "id": new_target(app, f, n).await }),
        ),
        other => panic!("no case for {other}"),
    }
}
