//! Imports (issue 15, "In"): uploads as the GraphQL multipart request spec writes them
//! (what Apollo's and urql's upload links send), the CSRF and size rules, bad files,
//! dry runs, commits, re-imports, the version rule, the plan's rule, and the round trip:
//! every seed fixture imported into a fresh plan gives the seeded plan's activities.

use api::auth::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_codes, operation, spawn_app, spawn_app_with};

/// A fixture of `tests/fixtures/office/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/office/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// POST `query` as a GraphQL multipart request, as an upload link sends it: the parts
/// `operations` (the request, `$file` null), `map` (`{"0": ["variables.file"]}`) and `0`
/// (the file). `preflight` adds the `GraphQL-Preflight: 1` header.
pub async fn upload_with(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
    (file_name, bytes): (&str, &[u8]),
    preflight: Option<(&str, &str)>,
) -> (u16, Value) {
    let boundary = format!("----samverkan{}", uuid::Uuid::new_v4().simple());
    let mut variables = variables;
    variables["file"] = Value::Null;
    let operations = json!({ "query": query, "variables": variables }).to_string();
    let mut body: Vec<u8> = Vec::new();
    let mut part = |headers: &str, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part(
        "Content-Disposition: form-data; name=\"operations\"",
        operations.as_bytes(),
    );
    part(
        "Content-Disposition: form-data; name=\"map\"",
        br#"{"0":["variables.file"]}"#,
    );
    part(
        &format!(
            "Content-Disposition: form-data; name=\"0\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream"
        ),
        bytes,
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    if let Some((name, value)) = preflight {
        request = request.header(name, value);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send upload");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "text": text }));
    (status, body)
}

/// An upload with `GraphQL-Preflight: 1`.
pub async fn upload(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
    file: (&str, &[u8]),
) -> (u16, Value) {
    upload_with(
        app,
        Some(token),
        query,
        variables,
        file,
        Some(("GraphQL-Preflight", "1")),
    )
    .await
}

const IMPORT_PLAN: &str = r#"mutation($file: Upload!, $district: ID!, $dryRun: Boolean!, $plan: ID, $title: String) {
  importActionPlan(input: { file: $file, district: $district, dryRun: $dryRun, actionPlan: $plan, title: $title }) {
    actionPlan { id title activities(first: 100) { totalCount } }
    planCreated created updated unchanged written dryRun
    rows { row action changes activity { id version } }
    problems { row column code message blocking }
    userErrors { field message code }
  }
}"#;

const IMPORT_FOLLOW_UPS: &str = r#"mutation($file: Upload!, $district: ID!, $dryRun: Boolean!, $plan: ID, $year: Int!, $term: Term!) {
  importFollowUps(input: { file: $file, district: $district, dryRun: $dryRun, actionPlan: $plan, period: { year: $year, term: $term } }) {
    actionPlan { id }
    created updated unchanged written
    rows { row action changes }
    problems { row column code message blocking }
    followUps { id status effects }
    userErrors { field message code }
  }
}"#;

/// A district's global ID, by its slug.
pub async fn district_id(app: &TestApp, slug: &str) -> String {
    app.query(
        "query($s: String!) { district(slug: $s) { id } }",
        json!({ "s": slug }),
    )
    .await["district"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn coordinator(app: &TestApp, district: &str) -> String {
    let org = match district {
        "bromma" => "bromma-sdf",
        "spanga-tensta" => "spanga-tensta-sdf",
        _ => "skarpnack-sdf",
    };
    app.token_in(org, Role::DistrictCoordinator, &[district])
}

/// A fresh, empty plan of `district` following the 2019–2022 strategy.
async fn fresh_plan(app: &TestApp, district: &str, title: &str) -> String {
    let d = district_id(app, district).await;
    let s = app
        .query(
            r#"{ strategy(slug: "stockholm-2019-2022") { id } }"#,
            json!({}),
        )
        .await["strategy"]["id"]
        .clone();
    let data = app
        .run_as(
            &app.admin_token(),
            r#"mutation($d: ID!, $s: ID!, $t: String!) { createActionPlan(input: { district: $d, strategy: $s, title: $t, startYear: 2019, endYear: 2022, slug: "import-prov" }) { actionPlan { id } userErrors { message } } }"#,
            json!({ "d": d, "s": s, "t": title }),
        )
        .await;
    data["createActionPlan"]["actionPlan"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no plan: {data}"))
        .to_owned()
}

const ACTIVITY_FIELDS: &str =
    "position priorityArea { slug } focusArea { slug } goal description methods { slug }
  responsibilities { organization { slug } role } responsibleText timeline startYear endYear
  followUpSchedule followUpTerms followUps { period { year term } status effects asOf }";

async fn activities_of(app: &TestApp, plan: &str) -> Vec<Value> {
    let data = app
        .query(
            &format!(
                "query($p: ID!) {{ node(id: $p) {{ ... on ActionPlan {{ activities(first: 100) {{ nodes {{ {ACTIVITY_FIELDS} }} }} }} }} }}"
            ),
            json!({ "p": plan }),
        )
        .await;
    let mut list = data["node"]["activities"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    list.sort_by_key(|a| a["position"].as_i64());
    list
}

async fn seeded_plan(app: &TestApp, slug: &str) -> String {
    let data = app
        .query(
            "{ actionPlans(first: 100) { nodes { id slug } } }",
            json!({}),
        )
        .await;
    data["actionPlans"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["slug"] == slug)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Strings compared as a reader sees them (a line break in a cell is layout).
fn flat(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.split_whitespace().collect::<Vec<_>>().join(" ")),
        Value::Array(a) => Value::Array(a.iter().map(flat).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), flat(v))).collect()),
        other => other.clone(),
    }
}

/// Every field of every activity that differs: "row N field: imported ≠ seeded".
fn differences(imported: &[Value], seeded: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    if imported.len() != seeded.len() {
        out.push(format!("{} activities ≠ {}", imported.len(), seeded.len()));
    }
    for (i, (a, b)) in imported.iter().zip(seeded).enumerate() {
        let fields = [
            "priorityArea",
            "focusArea",
            "goal",
            "description",
            "methods",
            "responsibilities",
            "responsibleText",
            "timeline",
            "startYear",
            "endYear",
            "followUpSchedule",
            "followUpTerms",
        ];
        for field in fields {
            let (x, y) = (flat(&a[field]), flat(&b[field]));
            let (x, y) = if field == "methods" {
                let sort = |v: &Value| {
                    let mut s: Vec<String> = v
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|m| m["slug"].as_str().unwrap().to_owned())
                        .collect();
                    s.sort();
                    json!(s)
                };
                (sort(&x), sort(&y))
            } else {
                (x, y)
            };
            if x != y {
                out.push(format!("row {} {field}: {x} ≠ {y}", i + 1));
            }
        }
    }
    out
}

/// The differences of a round trip that are the seed data's own readings (its
/// provenance marks each as inferred), not the importer's: organizations read from a
/// group's name or another cell, a method the data leaves out.
fn known(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// Import `file` into a fresh plan of `district` and compare it with the seeded plan
/// `seeded_slug`, field by field; re-import it and see nothing change.
async fn round_trip(file: &str, district: &str, seeded_slug: &str, expected: &[&str]) {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let token = coordinator(&app, district);
    let d = district_id(&app, district).await;
    let plan = fresh_plan(&app, district, &format!("Import av {file}")).await;
    let bytes = fixture(file);
    let vars = json!({ "district": d, "plan": plan, "dryRun": true });
    // A dry run writes nothing.
    let before = app.fingerprint().await;
    let (status, body) = upload(&app, &token, IMPORT_PLAN, vars.clone(), (file, &bytes)).await;
    assert_eq!(status, 200, "{body}");
    let payload = &body["data"]["importActionPlan"];
    let rows = payload["rows"].as_array().unwrap().len();
    assert!(rows > 0, "{body}");
    assert_eq!(payload["created"], json!(rows), "{body}");
    assert_eq!(payload["written"], json!(false));
    assert_eq!(app.fingerprint().await, before, "a dry run wrote something");
    // The commit.
    let mut commit = vars.clone();
    commit["dryRun"] = json!(false);
    let (_, body) = upload(&app, &token, IMPORT_PLAN, commit.clone(), (file, &bytes)).await;
    let payload = &body["data"]["importActionPlan"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["created"], json!(rows), "{body}");
    assert_eq!(payload["written"], json!(true), "{body}");
    assert_eq!(
        payload["actionPlan"]["activities"]["totalCount"],
        json!(rows)
    );
    let seeded = activities_of(&app, &seeded_plan(&app, seeded_slug).await).await;
    let imported = activities_of(&app, &plan).await;
    assert_eq!(
        differences(&imported, &seeded),
        known(expected),
        "{file}: the imported plan differs from the seeded one"
    );
    // Each record names the file as its source.
    let provenance = app
        .query(
            "query($p: ID!) { node(id: $p) { ... on ActionPlan { activities(first: 1) { nodes { provenance { document { fileName } } } } } } }",
            json!({ "p": plan }),
        )
        .await;
    assert_eq!(
        provenance["node"]["activities"]["nodes"][0]["provenance"]["document"]["fileName"],
        json!(file)
    );
    // Re-importing the same file changes nothing.
    let before = app.fingerprint().await;
    let audit = app.audit_count().await;
    let (_, body) = upload(&app, &token, IMPORT_PLAN, commit, (file, &bytes)).await;
    let payload = &body["data"]["importActionPlan"];
    assert_eq!(payload["unchanged"], json!(rows), "{body}");
    assert_eq!(payload["created"], json!(0));
    assert_eq!(payload["updated"], json!(0));
    assert_eq!(
        app.fingerprint().await,
        before,
        "a re-import wrote something"
    );
    assert_eq!(app.audit_count().await, audit);
    if file.starts_with("spanga") {
        // The follow-ups of the same file: status and effects of T2 2021.
        let vars =
            json!({ "district": d, "plan": plan, "dryRun": false, "year": 2021, "term": "T2" });
        let (_, body) = upload(
            &app,
            &token,
            IMPORT_FOLLOW_UPS,
            vars.clone(),
            (file, &bytes),
        )
        .await;
        let payload = &body["data"]["importFollowUps"];
        assert_eq!(payload["userErrors"], json!([]), "{body}");
        assert_eq!(payload["created"], json!(rows), "{body}");
        let imported = activities_of(&app, &plan).await;
        let follow_ups = |a: &Value| {
            let mut f = flat(&a["followUps"]);
            for x in f.as_array_mut().unwrap() {
                // The as-of date is the period's end, 31 August, in both.
                assert_eq!(x["asOf"], "2021-08-31");
            }
            f
        };
        let follow_up_differences: Vec<String> = imported
            .iter()
            .zip(&seeded)
            .enumerate()
            .filter(|(_, (a, b))| follow_ups(a) != follow_ups(b))
            .map(|(i, (a, b))| {
                format!(
                    "row {} followUps: {} ≠ {}",
                    i + 1,
                    follow_ups(a),
                    follow_ups(b)
                )
            })
            .collect();
        assert_eq!(
            follow_up_differences,
            Vec::<String>::new(),
            "{file}: follow-ups differ"
        );
        let before = app.fingerprint().await;
        let (_, body) = upload(&app, &token, IMPORT_FOLLOW_UPS, vars, (file, &bytes)).await;
        assert_eq!(
            body["data"]["importFollowUps"]["unchanged"],
            json!(rows),
            "{body}"
        );
        assert_eq!(app.fingerprint().await, before);
    }
}

#[tokio::test]
async fn bromma_docx_round_trips() {
    // Rows 7–9: the Ansvarig cell names groups ("Styrgrupp BUS Bromma …", "Styrgrupp
    // Trygghetsrådet …"); the seed data reads organizations out of those words and the
    // Metoder cell (its provenance says so), the importer takes the plan's owner and says
    // so. Row 7: "BUS Bromma" is a group; the seed data tags no method BUS.
    round_trip(
        "bromma-2019-2022.docx",
        "bromma",
        "bromma-2019-2022",
        &[
            r#"row 7 methods: ["bus"] ≠ []"#,
            r#"row 7 responsibilities: [{"organization":{"slug":"bromma-sdf"},"role":null}] ≠ [{"organization":{"slug":"bromma-sdf"},"role":null},{"organization":{"slug":"utbildningsforvaltningen"},"role":null},{"organization":{"slug":"region-stockholm"},"role":null}]"#,
            r#"row 8 responsibilities: [{"organization":{"slug":"bromma-sdf"},"role":null}] ≠ [{"organization":{"slug":"bromma-sdf"},"role":null},{"organization":{"slug":"lpo-vallingby"},"role":null},{"organization":{"slug":"utbildningsforvaltningen"},"role":null}]"#,
            r#"row 9 responsibilities: [{"organization":{"slug":"bromma-sdf"},"role":null}] ≠ [{"organization":{"slug":"bromma-sdf"},"role":null},{"organization":{"slug":"lpo-vallingby"},"role":null},{"organization":{"slug":"utbildningsforvaltningen"},"role":null}]"#,
        ],
    )
    .await;
}

#[tokio::test]
async fn skarpnack_xlsx_round_trips() {
    // Row 6: "Beredningsgrupp med deltagare från skola, förvaltning och polis" — the seed
    // data reads the three bodies out of the words (inferred); the importer takes the
    // plan's owner. Row 13: "IOP Miljöverkstan" is an example the seed data does not tag.
    round_trip(
        "skarpnack-2020.xlsx",
        "skarpnack",
        "skarpnack-2020",
        &[
            r#"row 6 responsibilities: [{"organization":{"slug":"skarpnack-sdf"},"role":null}] ≠ [{"organization":{"slug":"skarpnack-sdf"},"role":null},{"organization":{"slug":"utbildningsforvaltningen"},"role":null},{"organization":{"slug":"lpo-farsta"},"role":null}]"#,
            r#"row 13 methods: ["iop"] ≠ []"#,
        ],
    )
    .await;
}

#[tokio::test]
async fn spanga_tensta_docx_round_trips_with_its_follow_ups() {
    round_trip(
        "spanga-tensta-uppfoljning-t2-2021.docx",
        "spanga-tensta",
        "spanga-tensta-2019-2022",
        &[],
    )
    .await;
}

#[tokio::test]
async fn spanga_tensta_csv_in_windows_1252_round_trips() {
    round_trip(
        "spanga-tensta-uppfoljning-t2-2021-windows1252.csv",
        "spanga-tensta",
        "spanga-tensta-2019-2022",
        &[],
    )
    .await;
}

/// The users' operation, as written, through a multipart request: a coordinator previews
/// Bromma's Word plan against the seeded plan it names by title.
#[tokio::test]
async fn the_users_import_operation_runs_as_written() {
    let app = spawn_app().await;
    let token = coordinator(&app, "bromma");
    let d = district_id(&app, "bromma").await;
    let bytes = fixture("bromma-2019-2022.docx");
    let before = app.fingerprint().await;
    let (status, body) = upload(
        &app,
        &token,
        &operation("ImportActionPlan"),
        json!({ "district": d, "dryRun": true }),
        ("bromma-2019-2022.docx", &bytes),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let payload = &body["data"]["importActionPlan"];
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(payload["actionPlan"]["activities"]["totalCount"], json!(22));
    let rows = payload["created"].as_i64().unwrap()
        + payload["updated"].as_i64().unwrap()
        + payload["unchanged"].as_i64().unwrap();
    assert_eq!(rows, 22, "{body}");
    assert_eq!(payload["created"], json!(0), "{body}");
    assert!(
        payload["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["code"].is_string())
    );
    assert_eq!(app.fingerprint().await, before);
}

/// A multipart request without a preflight header is refused (CSRF): 400 with a code,
/// nothing read or run. `Apollo-Require-Preflight` is accepted like `GraphQL-Preflight`.
#[tokio::test]
async fn uploads_need_a_preflight_header() {
    let app = spawn_app().await;
    let token = coordinator(&app, "bromma");
    let d = district_id(&app, "bromma").await;
    let bytes = fixture("bromma-2019-2022.docx");
    let vars = json!({ "district": d, "dryRun": true });
    let file = ("bromma-2019-2022.docx", bytes.as_slice());
    let before = app.fingerprint().await;
    for preflight in [None, Some(("GraphQL-Preflight", " "))] {
        let (status, body) = upload_with(
            &app,
            Some(&token),
            IMPORT_PLAN,
            vars.clone(),
            file,
            preflight,
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_codes(&body), vec!["BAD_REQUEST"], "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("GraphQL-Preflight")
        );
    }
    for header in [
        "Apollo-Require-Preflight",
        "GraphQL-Preflight",
        "X-Apollo-Operation-Name",
    ] {
        let (status, body) = upload_with(
            &app,
            Some(&token),
            IMPORT_PLAN,
            vars.clone(),
            file,
            Some((header, "ImportActionPlan")),
        )
        .await;
        assert_eq!(status, 200, "{header}: {body}");
        assert!(body.get("errors").is_none(), "{body}");
    }
    // Without a token: 401, as every request.
    let (status, body) = upload_with(
        &app,
        None,
        IMPORT_PLAN,
        vars,
        file,
        Some(("GraphQL-Preflight", "1")),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
    assert_eq!(app.fingerprint().await, before);
}

/// A file over `SAMVERKAN_MAX_UPLOAD_BYTES` is refused with 413 before anything runs; a
/// JSON body keeps its own limit.
#[tokio::test]
async fn a_file_over_the_upload_limit_is_413() {
    let app = spawn_app_with(|s| s.max_upload_bytes = 20_000).await;
    let token = coordinator(&app, "bromma");
    let d = district_id(&app, "bromma").await;
    let bytes = fixture("bromma-2019-2022.docx");
    assert!(bytes.len() > 20_000);
    let before = app.fingerprint().await;
    let (status, body) = upload(
        &app,
        &token,
        IMPORT_PLAN,
        json!({ "district": d, "dryRun": false }),
        ("bromma-2019-2022.docx", &bytes),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_codes(&body), vec!["PAYLOAD_TOO_LARGE"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("20000"),
        "{body}"
    );
    assert_eq!(app.fingerprint().await, before);
    // A small file passes.
    let csv = "Titel: Handlingsplan 2021\n\nMetoder och arbetssätt;Ansvarig\nEtt;Enhetschef\n";
    let (status, body) = upload(
        &app,
        &token,
        IMPORT_PLAN,
        json!({ "district": d, "dryRun": true }),
        ("plan.csv", csv.as_bytes()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// Every kind of bad file is a GraphQL error with its code, and nothing is written.
#[tokio::test]
async fn bad_files_are_refused_with_their_code_and_nothing_written() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let token = coordinator(&app, "bromma");
    let d = district_id(&app, "bromma").await;
    let before = app.fingerprint().await;
    for (file, code) in [
        ("bad/encrypted.xlsx", "FILE_ENCRYPTED"),
        ("bad/formula-without-value.xlsx", "FILE_FORMULA"),
        ("bad/not-a-table.pdf", "UNSUPPORTED_FILE"),
        ("bad/old-binary.xls", "UNSUPPORTED_FILE"),
        ("bad/utf16.csv", "FILE_ENCODING"),
        ("bad/not-text.csv", "FILE_ENCODING"),
        ("bad/zip-bomb.xlsx", "FILE_TOO_LARGE_UNPACKED"),
        ("bad/zip-bomb-lying-sizes.xlsx", "FILE_TOO_LARGE_UNPACKED"),
    ] {
        let bytes = fixture(file);
        let (status, body) = upload(
            &app,
            &token,
            IMPORT_PLAN,
            json!({ "district": d, "dryRun": false }),
            (file, &bytes),
        )
        .await;
        assert_eq!(status, 200, "{file}: {body}");
        assert_eq!(error_codes(&body), vec![code], "{file}: {body}");
        assert!(!body["errors"][0]["message"].as_str().unwrap().is_empty());
        assert_eq!(body["data"]["importActionPlan"], Value::Null, "{file}");
    }
    // A file with no plan table: a blocking problem, nothing written.
    let (_, body) = upload(
        &app,
        &token,
        IMPORT_PLAN,
        json!({ "district": d, "dryRun": false, "title": "Tom" }),
        ("tom.csv", "a;b\n1;2\n".as_bytes()),
    )
    .await;
    let payload = &body["data"]["importActionPlan"];
    assert_eq!(payload["problems"][0]["code"], "NO_TABLE", "{body}");
    assert_eq!(payload["written"], json!(false));
    assert_eq!(payload["userErrors"][0]["code"], "BAD_USER_INPUT");
    assert_eq!(
        app.fingerprint().await,
        before,
        "a bad file wrote something"
    );
}

const SMALL_PLAN: &str = "Handlingsplan för prov 2020 – 2022\n\
Prioriterad utgångspunkt;Område;Mål och nytta;Metoder och arbetssätt;Ansvarig;Tidplan;Uppföljning;Kommentar\n\
Systematisk samhandling;Samordnade insatser;Färre brott.;Föräldrakurser med ABC och KOMET.;Stadsdelsförvaltningen: Enhetschef Polis: Kommunpolis;2020-2022;T1, T2, VB;x\n\
;;Tryggare skolor.;Vi arbetar med MVP i skolan.;Någon Okänd Förvaltning: Rektor;2021;VB;y\n";

/// Import a small CSV plan into Bromma as its coordinator; returns the payload.
async fn import_small(app: &TestApp, csv: &str, dry_run: bool) -> Value {
    let token = coordinator(app, "bromma");
    let d = district_id(app, "bromma").await;
    let (status, body) = upload(
        app,
        &token,
        IMPORT_PLAN,
        json!({ "district": d, "dryRun": dry_run }),
        ("prov.csv", csv.as_bytes()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["importActionPlan"].clone()
}

/// Columns are matched by heading, extra ones named; organizations by label (a kind word
/// read and said so, an unknown name listed, never guessed); methods in the text; the
/// plan created with the file's title; a re-import changes nothing; a changed row
/// updates its activity; an edit made in the service since is a CONFLICT, not lost.
#[tokio::test]
async fn a_plan_is_imported_updated_and_no_edit_is_lost() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let before = app.fingerprint().await;
    let preview = import_small(&app, SMALL_PLAN, true).await;
    assert_eq!(preview["planCreated"], json!(true));
    assert_eq!(preview["actionPlan"], Value::Null);
    assert_eq!(preview["created"], json!(2));
    assert_eq!(app.fingerprint().await, before, "a dry run wrote something");
    let codes: Vec<&str> = preview["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"UNKNOWN_COLUMN"), "{preview}");
    assert!(codes.contains(&"ORGANIZATION_INFERRED"), "{preview}");
    assert!(codes.contains(&"UNKNOWN_ORGANIZATION"), "{preview}");
    let unknown = preview["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "UNKNOWN_ORGANIZATION")
        .unwrap();
    assert_eq!(unknown["column"], "Ansvarig");
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("Någon Okänd Förvaltning")
    );
    assert_eq!(unknown["blocking"], json!(false));

    let done = import_small(&app, SMALL_PLAN, false).await;
    assert_eq!(done["written"], json!(true), "{done}");
    assert!(
        done["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["activity"]["id"].is_string()),
        "{done}"
    );
    assert_eq!(
        done["actionPlan"]["title"],
        "Handlingsplan för prov 2020 – 2022"
    );
    let plan = done["actionPlan"]["id"].as_str().unwrap().to_owned();
    let rows = activities_of(&app, &plan).await;
    assert_eq!(
        rows[0]["priorityArea"]["slug"],
        "2019-systematisk-samhandling"
    );
    assert_eq!(
        rows[1]["focusArea"]["slug"], "2019-samordnade-insatser",
        "carried down"
    );
    let methods: Vec<&str> = rows[0]["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["slug"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["abc", "komet"]);
    assert_eq!(
        rows[0]["responsibilities"],
        json!([
            { "organization": { "slug": "bromma-sdf" }, "role": "Enhetschef" },
            { "organization": { "slug": "lpo-vallingby" }, "role": "Kommunpolis" }
        ])
    );
    assert_eq!(rows[1]["responsibilities"], json!([]), "nothing guessed");
    assert_eq!(
        rows[1]["responsibleText"],
        "Någon Okänd Förvaltning: Rektor"
    );
    assert_eq!(rows[0]["followUpTerms"], json!(["T1", "T2", "ANNUAL"]));
    assert_eq!(
        (rows[1]["startYear"].clone(), rows[1]["endYear"].clone()),
        (json!(2021), json!(2021))
    );

    // The same file again: nothing changes.
    let again = import_small(&app, SMALL_PLAN, false).await;
    assert_eq!(
        (again["unchanged"].clone(), again["written"].clone()),
        (json!(2), json!(false))
    );

    // A changed row updates its activity.
    let changed = SMALL_PLAN.replace("Tryggare skolor.", "Tryggare skolor och fritidsgårdar.");
    let updated = import_small(&app, &changed, false).await;
    assert_eq!(
        (updated["updated"].clone(), updated["unchanged"].clone()),
        (json!(1), json!(1)),
        "{updated}"
    );
    assert_eq!(updated["rows"][1]["changes"], json!(["goal"]));
    assert_eq!(updated["rows"][1]["activity"]["version"], json!(2));

    // An edit in the service, then a file made before it: CONFLICT, nothing written.
    let second = updated["rows"][1]["activity"]["id"].clone();
    app.run_as(
        &app.admin_token(),
        r#"mutation($id: ID!) { updateActivity(input: { id: $id, expectedVersion: 2, goal: "Ändrat i tjänsten." }) { activity { version } userErrors { message } } }"#,
        json!({ "id": second }),
    )
    .await;
    let before = app.fingerprint().await;
    let stale = changed.replace("Färre brott.", "Färre brott bland unga.");
    let refused = import_small(&app, &stale, false).await;
    assert_eq!(refused["written"], json!(false), "{refused}");
    let conflict = refused["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "CONFLICT")
        .unwrap_or_else(|| panic!("no conflict: {refused}"));
    assert_eq!(conflict["row"], json!(4), "{refused}");
    assert_eq!(refused["userErrors"][0]["code"], "BAD_USER_INPUT");
    assert_eq!(
        app.fingerprint().await,
        before,
        "a conflict wrote something"
    );

    // With the export's ID and Version columns: the current version passes, a stale one
    // is a CONFLICT.
    let first = updated["rows"][0]["activity"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_version = |v: u32| {
        format!(
            "Handlingsplan för prov 2020 – 2022\nID;Version;Metoder och arbetssätt;Mål och nytta\n{first};{v};Föräldrakurser med ABC och KOMET.;Färre brott, version {v}.\n"
        )
    };
    let stale = import_small(&app, &with_version(7), false).await;
    assert!(
        stale["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "CONFLICT"),
        "{stale}"
    );
    assert_eq!(stale["written"], json!(false));
    let current = import_small(&app, &with_version(1), false).await;
    assert_eq!(current["updated"], json!(1), "{current}");
    assert_eq!(current["written"], json!(true));
}

/// The plans' rule: a coordinator of another district may not import (FORBIDDEN, nothing
/// written, not even a dry run).
#[tokio::test]
async fn a_coordinator_of_another_district_may_not_import() {
    let app = spawn_app().await;
    let d = district_id(&app, "bromma").await;
    let token = coordinator(&app, "skarpnack");
    let bytes = fixture("bromma-2019-2022.docx");
    let before = app.fingerprint().await;
    for dry_run in [true, false] {
        let (status, body) = upload(
            &app,
            &token,
            IMPORT_PLAN,
            json!({ "district": d, "dryRun": dry_run }),
            ("bromma-2019-2022.docx", &bytes),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    }
    let viewer = app.token("bromma-sdf", Role::Viewer);
    let (_, body) = upload(
        &app,
        &viewer,
        IMPORT_FOLLOW_UPS,
        json!({ "district": d, "dryRun": true, "year": 2021, "term": "T2" }),
        ("bromma-2019-2022.docx", &bytes),
    )
    .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    assert_eq!(app.fingerprint().await, before);
}

/// Follow-ups of a submitted (locked) period change only by an admin; a row whose text
/// is not its activity's is refused.
#[tokio::test]
async fn follow_ups_keep_their_rules() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let d = district_id(&app, "spanga-tensta").await;
    let token = coordinator(&app, "spanga-tensta");
    let file = "spanga-tensta-uppfoljning-t2-2021-utf8bom.csv";
    let bytes = fixture(file);
    // Against the seeded plan (named by the file's title): every follow-up is as seeded.
    let vars = json!({ "district": d, "dryRun": true, "year": 2021, "term": "T2" });
    let (_, body) = upload(
        &app,
        &token,
        IMPORT_FOLLOW_UPS,
        vars.clone(),
        (file, &bytes),
    )
    .await;
    let payload = &body["data"]["importFollowUps"];
    assert_eq!(payload["unchanged"], json!(22), "{body}");
    // Submitted: a changed status is LOCKED for a coordinator.
    app.run_as(
        &token,
        r#"mutation($d: ID!) { submitFollowUps(input: { district: $d, period: { year: 2021, term: T2 } }) { userErrors { message } } }"#,
        json!({ "d": d }),
    )
    .await;
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let changed = text.replacen(";Pågår;", ";Klart;", 1);
    let mut commit = vars.clone();
    commit["dryRun"] = json!(false);
    let before = app.fingerprint().await;
    let (_, body) = upload(
        &app,
        &token,
        IMPORT_FOLLOW_UPS,
        commit.clone(),
        (file, changed.as_bytes()),
    )
    .await;
    let payload = &body["data"]["importFollowUps"];
    assert_eq!(payload["problems"][0]["code"], "LOCKED", "{body}");
    assert_eq!(payload["written"], json!(false));
    assert_eq!(app.fingerprint().await, before);
    // An admin may.
    let (_, body) = upload(
        &app,
        &app.admin_token(),
        IMPORT_FOLLOW_UPS,
        commit.clone(),
        (file, changed.as_bytes()),
    )
    .await;
    assert_eq!(
        body["data"]["importFollowUps"]["updated"],
        json!(1),
        "{body}"
    );
    // Rows that are not the plan's: ROW_MISMATCH.
    let other = text.replacen("Implementera trygghetsstrategi", "Något helt annat", 1);
    let (_, body) = upload(
        &app,
        &token,
        IMPORT_FOLLOW_UPS,
        vars,
        (file, other.as_bytes()),
    )
    .await;
    let codes: Vec<&str> = body["data"]["importFollowUps"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"ROW_MISMATCH"), "{body}");
}
