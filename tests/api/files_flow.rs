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
