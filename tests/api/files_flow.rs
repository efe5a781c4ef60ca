//! Issue 15's whole path, as the README walks it: a coordinator of Bromma takes the plan
//! as a Word table, previews it (nothing written), imports it, reports T2 of an activity,
//! and hands the board the follow-up report as DOCX — through the same HTTP requests a
//! UI or `curl` sends.

use api::auth::Role;
use api::files::{self, Block};
use serde_json::json;

use crate::helpers::{operation, spawn_app_with};
use crate::imports::{fixture, upload};

#[tokio::test]
async fn a_coordinator_imports_brommas_word_plan_reports_t2_and_downloads_the_report() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let token = app.token_in("bromma-sdf", Role::DistrictCoordinator, &["bromma"]);
    let bromma = app
        .id_of(r#"{ district(slug: "bromma") { id } }"#, "/district/id")
        .await;
    let docx = fixture("bromma-2019-2022.docx");
    let import = operation("ImportActionPlan");

    // Preview: what each row would do, nothing written.
    let before = app.fingerprint().await;
    let (status, body) = upload(
        &app,
        &token,
        &import,
        json!({ "district": bromma, "dryRun": true }),
        ("bromma-2019-2022.docx", &docx),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let preview = &body["data"]["importActionPlan"];
    assert_eq!(preview["userErrors"], json!([]), "{body}");
    let rows = ["created", "updated", "unchanged"]
        .iter()
        .map(|k| preview[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(rows, 22, "every row of Bromma's plan: {preview}");
    assert_eq!(app.fingerprint().await, before, "a dry run writes nothing");

    // Import for real: the same answer, now written; again, nothing changes.
    let (_, body) = upload(
        &app,
        &token,
        &import,
        json!({ "district": bromma, "dryRun": false }),
        ("bromma-2019-2022.docx", &docx),
    )
    .await;
    let imported = &body["data"]["importActionPlan"];
    assert_eq!(imported["userErrors"], json!([]), "{body}");
    for k in ["created", "updated", "unchanged"] {
        assert_eq!(imported[k], preview[k], "{k}: {imported}");
    }
    let plan = imported["actionPlan"]["id"].clone();
    assert_eq!(imported["actionPlan"]["activities"]["totalCount"], 22);
    let (_, body) = upload(
        &app,
        &token,
        &import,
        json!({ "district": bromma, "dryRun": false }),
        ("bromma-2019-2022.docx", &docx),
    )
    .await;
    assert_eq!(body["data"]["importActionPlan"]["unchanged"], 22, "{body}");

    // Report T2 2021 of the plan's first activity.
    let data = app
        .run_as(
            &token,
            r#"query($id: ID!) { node(id: $id) { ... on ActionPlan { activities(first: 1) { nodes { id description } } } } }"#,
            json!({ "id": plan }),
        )
        .await;
    let activity = data["node"]["activities"]["nodes"][0].clone();
    let effects = "Strategin för föräldraskapsstöd är antagen (prov).";
    let data = app
        .run_as(
            &token,
            r#"mutation($a: ID!, $e: String!) { reportFollowUp(input: { activity: $a, period: { year: 2021, term: T2 }, status: ONGOING, effects: $e }) { followUp { id } userErrors { message } } }"#,
            json!({ "a": activity["id"], "e": effects }),
        )
        .await;
    assert_eq!(data["reportFollowUp"]["userErrors"], json!([]), "{data}");

    // The board's report: the URL a UI links to, fetched with the same token.
    let data = app
        .run_as(
            &token,
            &operation("FollowUpReportFiles"),
            json!({ "district": bromma, "year": 2021, "term": "T2" }),
        )
        .await;
    let url = data["followUpReport"]["docx"].as_str().unwrap().to_owned();
    let response = app
        .client
        .get(format!("{}{url}", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().await.unwrap();
    let document = files::read(&bytes, &files::Limits::default()).unwrap();
    assert_eq!(document.format, files::Format::Docx);
    let text: Vec<&str> = document
        .blocks
        .iter()
        .flat_map(|b| match b {
            Block::Paragraph(p) => vec![p.as_str()],
            Block::Table(t) => t
                .rows
                .iter()
                .flat_map(|r| r.cells.iter().map(String::as_str))
                .collect(),
        })
        .collect();
    assert!(text.iter().any(|t| t.contains("Bromma")), "{text:?}");
    let row = document
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Paragraph(_) => None,
        })
        .flat_map(|t| t.rows.iter())
        .find(|r| r.cells.iter().any(|c| c == effects))
        .unwrap_or_else(|| panic!("the reported row is in the report: {text:?}"));
    assert!(row.cells.iter().any(|c| c == "Pågår"), "{row:?}");
    let description = activity["description"].as_str().unwrap();
    assert!(
        row.cells
            .iter()
            .any(|c| c.split_whitespace().eq(description.split_whitespace())),
        "{row:?} holds {description:?}"
    );
}

/// Run `samverkan ARGS…` against the app's database: (exit status, stdout, stderr).
fn samverkan(app: &crate::helpers::TestApp, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap_or_else(|e| panic!("run samverkan {args:?}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The same path from the command line, as the README's `samverkan import …` and
/// `samverkan export …` lines run it: the preview names each row and writes nothing, the
/// import writes what the preview said (audited under `--as`), the same file again has
/// nothing to write; a period's follow-ups from a Word table; the board's DOCX report.
#[tokio::test]
async fn the_command_line_previews_imports_reimports_and_writes_the_report() {
    let app = spawn_app_with(|s| s.rate_limit_per_minute = 0).await;
    let office = format!("{}/tests/fixtures/office", env!("CARGO_MANIFEST_DIR"));
    let bromma_docx = format!("{office}/bromma-2019-2022.docx");
    let plan = ["import", "action-plan", "--district", "bromma"];

    let before = app.fingerprint().await;
    let (ok, preview, err) = samverkan(&app, &[&plan[..], &[&bromma_docx, "--dry-run"]].concat());
    assert!(ok, "{preview}{err}");
    let counts = preview
        .lines()
        .find_map(|l| l.strip_prefix("a dry run, nothing written; it would write: "))
        .unwrap_or_else(|| panic!("the counts: {preview}"))
        .to_owned();
    let rows = preview
        .lines()
        .filter(|l| l.trim_start().starts_with("row "))
        .count();
    assert_eq!(rows, 22, "a line per row of Bromma's plan: {preview}");
    assert_eq!(app.fingerprint().await, before, "a dry run writes nothing");

    let (ok, out, err) = samverkan(
        &app,
        &[&plan[..], &[&bromma_docx, "--as", "anna.samordnare"]].concat(),
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains(&format!("written: {counts}")), "{out}");
    assert_ne!(app.fingerprint().await, before, "{out}");
    let audit = app
        .run_as(
            &app.admin_token(),
            r#"{ auditEvents(first: 100) { nodes { actor action } } }"#,
            json!({}),
        )
        .await;
    let by_cli: Vec<&serde_json::Value> = audit["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "anna.samordnare")
        .collect();
    assert!(
        !by_cli.is_empty()
            && by_cli
                .iter()
                .all(|e| e["action"].as_str().unwrap().ends_with(".import")),
        "{audit}"
    );
    let after = app.fingerprint().await;
    let (ok, out, err) = samverkan(&app, &[&plan[..], &[&bromma_docx]].concat());
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("nothing to write: 0 created, 0 updated, 22 unchanged"),
        "{out}"
    );
    assert_eq!(
        app.fingerprint().await,
        after,
        "a re-import changes nothing"
    );

    // A period's follow-ups from a Word table; a district with no such plan is refused.
    let follow_ups = format!("{office}/spanga-tensta-uppfoljning-t2-2021.docx");
    let command = "import follow-ups --district spanga-tensta --year 2021 --term T2";
    let mut args: Vec<&str> = command.split_whitespace().collect();
    args.push(&follow_ups);
    let (ok, out, err) = samverkan(&app, &args);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("22 unchanged"),
        "the seeded follow-ups are the file's: {out}"
    );
    let (ok, out, err) = samverkan(
        &app,
        &[
            "import",
            "action-plan",
            "--district",
            "nowhere",
            &bromma_docx,
        ],
    );
    assert!(!ok, "{out}");
    assert!(err.contains("no district"), "{err}");

    // The board's report as DOCX.
    let dir = std::env::temp_dir().join(format!("samverkan-cli-flow-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("bromma-t2.docx");
    let command = "export follow-up-report --district bromma --year 2021 --term T2 --format docx";
    let mut args: Vec<&str> = command.split_whitespace().collect();
    args.extend(["-o", report.to_str().unwrap()]);
    let (ok, out, err) = samverkan(&app, &args);
    assert!(ok, "{out}{err}");
    let document =
        files::read(&std::fs::read(&report).unwrap(), &files::Limits::default()).unwrap();
    assert!(
        document
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph(p) if p.contains("Bromma"))),
        "the district's name in the report"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
