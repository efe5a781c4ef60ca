//! Exports (issue 15, "Out"): the GraphQL fields naming the files, the `GET /exports/…`
//! downloads (token, headers, refusals), what the files hold read back with
//! `api::files::read`, every XLSX and DOCX opened by LibreOffice (converted to PDF, whose
//! text must hold the rows), and `samverkan export` on the command line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use api::files::{self, Block, Document, Format};
use entity::enums::{FollowUpStatus, Term};
use entity::{action_plan, activity, district, follow_up};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, operation, spawn_app, spawn_app_with};

/// A download: status, headers, body.
struct Download {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Download {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON refusal")
    }
}

async fn fetch(app: &TestApp, url: &str, token: Option<&str>) -> Download {
    assert!(url.starts_with("/exports/"), "relative to the root: {url}");
    let mut req = app.client.get(format!("{}{url}", app.address));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("send request");
    Download {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: res.bytes().await.expect("body").to_vec(),
    }
}

/// Fetch a file that must come: 200 with the type, a download name and no caching.
async fn file(app: &TestApp, url: &str, media: &str, name: &str) -> Vec<u8> {
    let d = fetch(app, url, Some(&app.viewer_token())).await;
    assert_eq!(d.status, 200, "{url}: {}", String::from_utf8_lossy(&d.body));
    assert_eq!(d.header("content-type"), media, "{url}");
    let disposition = d.header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"")
            && disposition.contains("; filename*=UTF-8''")
            && disposition.ends_with(name),
        "{url}: {disposition}"
    );
    assert_eq!(d.header("cache-control"), "no-store", "{url}");
    d.body
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const CSV: &str = "text/csv; charset=utf-8";

/// What a report file holds: the table's heading row, the section headings, the data rows.
#[derive(Debug)]
struct Table {
    columns: Vec<String>,
    sections: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Read a written report back: the first table whose row has `first_heading` in its first
/// cell is the heading row; after it a row of one text (XLSX/DOCX merge it across the row,
/// CSV writes it in the first cell) is a section heading, any other a data row.
fn table(bytes: &[u8], format: Format, first_heading: &str) -> Table {
    let doc: Document = files::read(bytes, &files::Limits::default()).expect("read back");
    assert_eq!(doc.format, format);
    for block in &doc.blocks {
        let Block::Table(t) = block else { continue };
        let Some(at) = t
            .rows
            .iter()
            .position(|r| r.cells.first().is_some_and(|c| c == first_heading))
        else {
            continue;
        };
        let columns = t.rows[at].cells.clone();
        let (mut sections, mut rows) = (Vec::new(), Vec::new());
        for r in &t.rows[at + 1..] {
            let first = r.cells[0].clone();
            let rest = &r.cells[1..];
            if rest.iter().all(|c| c.is_empty() || *c == first) && !rest.is_empty() {
                sections.push(first);
            } else {
                rows.push(r.cells.clone());
            }
        }
        return Table {
            columns,
            sections,
            rows,
        };
    }
    panic!("no table headed {first_heading} in {:?}", doc.blocks);
}

/// Words for comparing with a PDF's text: split at whitespace and hyphens (LibreOffice
/// breaks "(ESF-medel)" after the hyphen, pdftotext joins it again), letters and digits
/// only.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `cell`'s words come in `pdf`'s words in their order (other cells' words may
/// come between: pdftotext reads a table line by line across its columns; a word broken
/// over two lines of a narrow cell may come as its two parts).
fn in_order(cell: &str, pdf: &[String]) -> bool {
    let mut j = 0;
    let mut rest: Option<String> = None;
    for w in words(cell) {
        if let Some(r) = rest.take() {
            if r == w {
                continue;
            }
            if let Some(more) = r.strip_prefix(w.as_str()) {
                rest = Some(more.to_owned());
                continue;
            }
        }
        let mut found = false;
        while j < pdf.len() {
            let t = &pdf[j];
            j += 1;
            if *t == w {
                found = true;
                break;
            }
            if let Some(more) = t.strip_prefix(w.as_str()) {
                rest = Some(more.to_owned());
                found = true;
                break;
            }
            // A long word broken in a narrow cell: its end comes a few words later (after
            // the other cells' words on the same line).
            if t.chars().count() >= 6
                && let Some(end) = w.strip_prefix(t.as_str())
                && let Some(k) = pdf[j..].iter().take(60).position(|u| u.starts_with(end))
            {
                if pdf[j + k] != end {
                    rest = Some(pdf[j + k][end.len()..].to_owned());
                }
                j += k + 1;
                found = true;
                break;
            }
        }
        if !found {
            return false;
        }
    }
    true
}

/// Open each file in LibreOffice (headless, a profile of its own so tests in parallel do
/// not share one), convert it to PDF and answer the PDF's text (pdftotext).
async fn pdf_texts(files: Vec<(String, Vec<u8>)>) -> HashMap<String, String> {
    tokio::task::spawn_blocking(move || {
        let dir = std::env::temp_dir().join(format!("samverkan-exports-{}", uuid::Uuid::new_v4()));
        let out = dir.join("pdf");
        std::fs::create_dir_all(&out).unwrap();
        let mut paths: Vec<PathBuf> = Vec::new();
        for (name, bytes) in &files {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            paths.push(p);
        }
        soffice(&dir, "pdf", &out, &paths);
        let mut texts = HashMap::new();
        for (name, _) in &files {
            let stem = Path::new(name).file_stem().unwrap().to_string_lossy();
            let pdf = out.join(format!("{stem}.pdf"));
            assert!(pdf.exists(), "LibreOffice could not open {name}");
            let text = std::process::Command::new("pdftotext")
                .arg(&pdf)
                .arg("-")
                .output()
                .expect("pdftotext (poppler-utils) is installed: .ci/run installs it");
            assert!(text.status.success(), "pdftotext failed on {name}");
            texts.insert(
                name.clone(),
                String::from_utf8_lossy(&text.stdout).into_owned(),
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
        texts
    })
    .await
    .unwrap()
}

/// Convert `inputs` with LibreOffice (headless, a profile of its own in `dir` so tests in
/// parallel do not share one) to `to` (e.g. `pdf`, `xlsx`), written to `out`.
fn soffice(dir: &Path, to: &str, out: &Path, inputs: &[PathBuf]) {
    let profile = format!("-env:UserInstallation=file://{}", dir.join("lo").display());
    let status = std::process::Command::new("soffice")
        .arg(&profile)
        .args(["--headless", "--norestore", "--convert-to", to, "--outdir"])
        .arg(out)
        .args(inputs)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("LibreOffice (soffice) is installed: .ci/run installs it");
    assert!(status.success(), "soffice failed: {status}");
}

/// Assert a PDF's text holds every row's cells, in order.
fn assert_pdf_holds(name: &str, text: &str, rows: &[Vec<String>]) {
    let pdf = words(text);
    for row in rows {
        for cell in row {
            assert!(
                in_order(cell, &pdf),
                "the PDF of {name} lacks {cell:?} (row {row:?})"
            );
        }
    }
}

fn swedish(status: FollowUpStatus) -> &'static str {
    match status {
        FollowUpStatus::Planned => "Planerad",
        FollowUpStatus::Ongoing => "Pågår",
        FollowUpStatus::Done => "Klart",
        FollowUpStatus::Paused => "Pausad",
        FollowUpStatus::Cancelled => "Avbruten",
    }
}

/// Spånga-Tensta's T2 2021 follow-ups as seeded: description → (status, effects).
async fn seeded_follow_ups(app: &TestApp) -> HashMap<String, (String, String)> {
    let d = district::Entity::find()
        .filter(district::Column::Slug.eq("spanga-tensta"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let plans: Vec<i32> = action_plan::Entity::find()
        .filter(action_plan::Column::DistrictId.eq(d.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let acts: HashMap<i32, String> = activity::Entity::find()
        .filter(activity::Column::ActionPlanId.is_in(plans))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.description))
        .collect();
    follow_up::Entity::find()
        .filter(follow_up::Column::Year.eq(2021))
        .filter(follow_up::Column::Term.eq(Term::T2))
        .filter(follow_up::Column::ActivityId.is_in(acts.keys().copied()))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|f| {
            (
                acts[&f.activity_id].clone(),
                (swedish(f.status).to_owned(), f.effects.unwrap_or_default()),
            )
        })
        .collect()
}

const FOLLOW_UP_COLUMNS: [&str; 8] = [
    "Prioriterad utgångspunkt",
    "Område",
    "Mål och nytta",
    "Metoder och arbetssätt",
    "Ansvarig",
    "Tidplan",
    "Status 31/8 2021",
    "Effekter och resultat",
];

/// The users' `FollowUpReportFiles` operation as written; each file it names downloads
/// with the token and holds Spånga-Tensta's 22 activities of T2 2021 with their statuses
/// and effects as written; the XLSX and DOCX open in LibreOffice and their PDFs hold the
/// rows.
#[tokio::test]
async fn the_follow_up_report_of_spanga_tensta_t2_2021() {
    let app = spawn_app().await;
    let district = app
        .id_of(
            r#"{ district(slug: "spanga-tensta") { id } }"#,
            "/district/id",
        )
        .await;
    let data = app
        .query(
            &operation("FollowUpReportFiles"),
            json!({ "district": district, "year": 2021, "term": "T2" }),
        )
        .await;
    let urls = &data["followUpReport"];
    for ext in ["xlsx", "docx", "csv"] {
        let url = urls[ext].as_str().unwrap();
        assert!(
            url.starts_with(&format!("/exports/follow-up-report.{ext}?district=")),
            "{url}"
        );
        assert!(url.ends_with("&year=2021&term=T2"), "{url}");
    }
    let name = |ext: &str| format!("uppfoljning-Sp%C3%A5nga-Tensta-2021-T2.{ext}");
    let xlsx = file(&app, urls["xlsx"].as_str().unwrap(), XLSX, &name("xlsx")).await;
    let docx = file(&app, urls["docx"].as_str().unwrap(), DOCX, &name("docx")).await;
    let csv = file(&app, urls["csv"].as_str().unwrap(), CSV, &name("csv")).await;

    let seeded = seeded_follow_ups(&app).await;
    assert_eq!(seeded.len(), 22, "the seed's follow-ups of T2 2021");
    let mut with_ids = FOLLOW_UP_COLUMNS.map(str::to_owned).to_vec();
    with_ids.push("ID".into());
    for (bytes, format, columns) in [
        (&xlsx, Format::Xlsx, &with_ids),
        (&csv, Format::Csv, &with_ids),
        (
            &docx,
            Format::Docx,
            &FOLLOW_UP_COLUMNS.map(str::to_owned).to_vec(),
        ),
    ] {
        let t = table(bytes, format, "Prioriterad utgångspunkt");
        assert_eq!(&t.columns, columns, "{format:?}");
        assert_eq!(
            t.sections,
            [
                "Systematisk samhandling",
                "Förskola, skola och fritid som skyddsfaktorer",
                "Våldsprevention med ett jämställdhetsperspektiv",
                "Civilsamhället",
            ],
            "{format:?}"
        );
        assert_eq!(t.rows.len(), 22, "{format:?}: every expected activity");
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for row in &t.rows {
            let (status, effects) = seeded
                .get(&row[3])
                .unwrap_or_else(|| panic!("{format:?}: an unknown row {row:?}"));
            assert_eq!(&row[6], status, "{format:?}: {row:?}");
            assert_eq!(&row[7], effects, "{format:?}: {row:?}");
            *counts.entry(row[6].as_str()).or_default() += 1;
            if format != Format::Docx {
                assert_eq!(row.len(), 9);
                let id = &row[8];
                let node = app
                    .query(
                        "query($id: ID!) { node(id: $id) { ... on Activity { description } } }",
                        json!({ "id": id }),
                    )
                    .await;
                assert_eq!(node["node"]["description"], json!(row[3]), "the ID column");
            }
        }
        assert_eq!(
            counts,
            HashMap::from([("Pågår", 16), ("Klart", 4), ("Pausad", 2)]),
            "{format:?}"
        );
        // As the document writes it.
        let paused = t
            .rows
            .iter()
            .find(|r| r[3].starts_with("Utveckla samverkan med de fristående skolorna"))
            .unwrap();
        assert_eq!(paused[0], "Förskola, skola och fritid som skyddsfaktorer");
        assert_eq!(paused[4], "Abdi-Nur Isse");
        assert_eq!(paused[5], "2020-2022");
        assert_eq!(paused[6], "Pausad");
        assert_eq!(
            paused[7],
            "Kontakt rörande samverkan planeras under hösten 2021."
        );
    }
    // The title, the period and the day it was made head every file.
    let doc = files::read(&docx, &files::Limits::default()).unwrap();
    let paragraphs: Vec<&String> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p),
            Block::Table(_) => None,
        })
        .collect();
    assert_eq!(
        paragraphs[0],
        "Uppföljning av handlingsplan – Spånga-Tensta"
    );
    assert!(
        paragraphs
            .iter()
            .any(|p| *p == "Uppföljning i samband med tertialrapport 2 2021")
    );
    assert!(paragraphs.iter().any(|p| p.starts_with("Framtagen 20")));

    let rows = table(&docx, Format::Docx, "Prioriterad utgångspunkt").rows;
    let texts = pdf_texts(vec![
        ("follow-up.xlsx".into(), xlsx),
        ("follow-up.docx".into(), docx),
    ])
    .await;
    for (name, text) in &texts {
        assert!(text.contains("Spånga-Tensta"), "{name}");
        assert_pdf_holds(name, text, &rows);
    }
}

/// Every export needs the token (401 in the GraphQL error shape, `WWW-Authenticate:
/// Bearer`); wrong parameters are 400 `BAD_USER_INPUT`, unknown records and files 404
/// `NOT_FOUND`; the GraphQL fields check what they name.
#[tokio::test]
async fn exports_refuse_without_a_token_and_name_what_is_wrong() {
    let app = spawn_app().await;
    let district = app
        .id_of(
            r#"{ district(slug: "spanga-tensta") { id } }"#,
            "/district/id",
        )
        .await;
    let urls = [
        format!("/exports/follow-up-report.xlsx?district={district}&year=2021&term=T2"),
        format!("/exports/follow-up-report.docx?district={district}&year=2021&term=T2"),
        format!("/exports/follow-up-report.csv?district={district}&year=2021&term=T2"),
        "/exports/action-plan.xlsx?id=spanga-tensta-2019-2022".to_owned(),
        "/exports/action-plan.docx?id=spanga-tensta-2019-2022".to_owned(),
        "/exports/coverage.xlsx?dimension=PRIORITY_AREA".to_owned(),
        "/exports/coverage.csv?dimension=PRIORITY_AREA".to_owned(),
        "/exports/template.xlsx".to_owned(),
    ];
    for url in &urls {
        let d = fetch(&app, url, None).await;
        assert_eq!(d.status, 401, "{url}");
        assert_eq!(d.header("www-authenticate"), "Bearer", "{url}");
        assert_eq!(
            d.json()["errors"][0]["extensions"]["code"],
            "UNAUTHENTICATED",
            "{url}"
        );
        let d = fetch(&app, url, Some("not-a-token")).await;
        assert_eq!(d.status, 401, "{url}");
        let d = fetch(&app, url, Some(&app.viewer_token())).await;
        assert_eq!(d.status, 200, "{url}");
    }
    let token = app.viewer_token();
    for (url, status, code) in [
        (
            "/exports/follow-up-report.xlsx?year=2021&term=T2",
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/follow-up-report.xlsx?district=spanga-tensta&year=2021&term=T4",
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/follow-up-report.xlsx?district=spanga-tensta&term=T2",
            400,
            "BAD_USER_INPUT",
        ),
        (
            "/exports/follow-up-report.xlsx?district=atlantis&year=2021&term=T2",
            404,
            "NOT_FOUND",
        ),
        (
            "/exports/action-plan.xlsx?id=no-such-plan",
            404,
            "NOT_FOUND",
        ),
        (
            "/exports/action-plan.csv?id=spanga-tensta-2019-2022",
            404,
            "NOT_FOUND",
        ),
        (
            "/exports/coverage.xlsx?dimension=COLOUR",
            400,
            "BAD_USER_INPUT",
        ),
        ("/exports/nothing.xlsx", 404, "NOT_FOUND"),
        ("/exports/template.pdf", 404, "NOT_FOUND"),
    ] {
        let d = fetch(&app, url, Some(&token)).await;
        assert_eq!(d.status, status, "{url}");
        assert_eq!(d.json()["errors"][0]["extensions"]["code"], code, "{url}");
    }
    // Slugs serve as well as IDs, and give the same file name.
    let by_slug = fetch(
        &app,
        "/exports/follow-up-report.csv?district=spanga-tensta&year=2021&term=T2",
        Some(&token),
    )
    .await;
    assert_eq!(by_slug.status, 200);

    let (status, body) = app
        .graphql_with(
            Some(&token),
            "query($id: ID!) { followUpReport(district: $id, period: { year: 2021, term: T2 }) { xlsx } }",
            json!({ "id": "RGlzdHJpY3Q6OTk5OTk" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(crate::helpers::error_codes(&body), ["NOT_FOUND"], "{body}");
}

/// The action plan, the coverage matrix and the template, named by their GraphQL fields:
/// what they hold read back, the same numbers as the `coverage` query, LibreOffice opens
/// each; and `samverkan export` writes the same files from the command line.
#[tokio::test]
async fn the_action_plan_coverage_and_template_files() {
    let app = spawn_app().await;
    let data = app
        .query(
            r#"{ district(slug: "spanga-tensta") { actionPlans(first: 5) { nodes { id title } } } }"#,
            json!({}),
        )
        .await;
    let plan = &data["district"]["actionPlans"]["nodes"][0];
    let files_of = app
        .query(
            r#"query($id: ID!) {
                actionPlanFiles(id: $id) { xlsx docx }
                coverageFiles(dimension: PRIORITY_AREA) { xlsx csv }
                importTemplate { xlsx }
                coverage(dimension: PRIORITY_AREA) {
                    columns { label }
                    rows { district { name } cells { count } total }
                }
            }"#,
            json!({ "id": plan["id"] }),
        )
        .await;
    let url = |p: &str| {
        files_of
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    };

    // The plan: its activities in the plans' columns, with ID and Version in the XLSX.
    let plan_xlsx = file(&app, &url("/actionPlanFiles/xlsx"), XLSX, "").await;
    let plan_docx = file(&app, &url("/actionPlanFiles/docx"), DOCX, "").await;
    let seeded: Vec<String> = {
        let p = action_plan::Entity::find()
            .filter(action_plan::Column::Slug.eq("spanga-tensta-2019-2022"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        activity::Entity::find()
            .filter(activity::Column::ActionPlanId.eq(p.id))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.description)
            .collect()
    };
    let plan_columns = [
        "Prioriterad utgångspunkt",
        "Område",
        "Mål och nytta",
        "Metoder och arbetssätt",
        "Ansvarig",
        "Tidplan",
        "Uppföljning",
    ];
    let px = table(&plan_xlsx, Format::Xlsx, "Prioriterad utgångspunkt");
    let pd = table(&plan_docx, Format::Docx, "Prioriterad utgångspunkt");
    assert_eq!(px.columns[..7], plan_columns);
    assert_eq!(px.columns[7..], ["ID", "Version"]);
    assert_eq!(pd.columns, plan_columns);
    for t in [&px, &pd] {
        let mut got: Vec<&String> = t.rows.iter().map(|r| &r[3]).collect();
        let mut want: Vec<&String> = seeded.iter().collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }
    assert!(
        px.rows.iter().all(|r| r[8] == "1"),
        "seeded activities are at version 1"
    );

    // Coverage: the numbers of the `coverage` query, a row per district and a total row.
    let cov_xlsx = file(
        &app,
        &url("/coverageFiles/xlsx"),
        XLSX,
        "tackning-priority-area.xlsx",
    )
    .await;
    let cov_csv = file(
        &app,
        &url("/coverageFiles/csv"),
        CSV,
        "tackning-priority-area.csv",
    )
    .await;
    let matrix = &files_of["coverage"];
    let labels: Vec<String> = matrix["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap().to_owned())
        .collect();
    let mut want: Vec<Vec<String>> = Vec::new();
    for row in matrix["rows"].as_array().unwrap() {
        let mut r = vec![
            "Stockholms stad".to_owned(),
            row["district"]["name"].as_str().unwrap().to_owned(),
        ];
        r.extend(
            row["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["count"].to_string()),
        );
        r.push(row["total"].to_string());
        want.push(r);
    }
    for (bytes, format) in [(&cov_xlsx, Format::Xlsx), (&cov_csv, Format::Csv)] {
        let t = table(bytes, format, "Kommun");
        assert_eq!(t.columns[1], "Stadsdelsområde");
        assert_eq!(t.columns[2..2 + labels.len()], labels[..]);
        assert_eq!(
            t.rows.len(),
            want.len() + 1,
            "{format:?}: districts and the total row"
        );
        assert_eq!(t.rows[..want.len()], want[..], "{format:?}");
        assert_eq!(t.rows[want.len()][0], "Totalt");
    }

    // The template: the import's headings, the catalogue's names as lists.
    let template = file(
        &app,
        &url("/importTemplate/xlsx"),
        XLSX,
        "mall-handlingsplan.xlsx",
    )
    .await;
    let doc = files::read(&template, &files::Limits::default()).unwrap();
    let tables: Vec<&files::Table> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Paragraph(_) => None,
        })
        .collect();
    assert_eq!(tables[0].rows[0].cells, plan_columns);
    // The lists are on a hidden sheet (which `files::read` skips): read the workbook's parts.
    let part = |name: &str| zip_part(&template, name);
    let workbook = part("xl/workbook.xml");
    assert!(
        workbook.contains(r#"name="Listor" sheetId="2" state="hidden""#),
        "{workbook}"
    );
    let strings = part("xl/sharedStrings.xml");
    for name in [
        "Systematisk samhandling",
        "Civilsamhället",
        "Lokala samverkansöverenskommelser",
        "Spånga-Tensta stadsdelsförvaltning",
    ] {
        assert!(
            strings.contains(&format!("<t>{name}</t>")),
            "{name} in the lists"
        );
    }
    let sheet = part("xl/worksheets/sheet1.xml");
    for list in ["Listor!$A$1", "Listor!$B$1", "Listor!$C$1"] {
        assert!(sheet.contains(list), "a validation list {list}: {sheet}");
    }

    // LibreOffice opens each; the PDFs hold the rows.
    let texts = pdf_texts(vec![
        ("plan.xlsx".into(), plan_xlsx),
        ("plan.docx".into(), plan_docx),
        ("coverage.xlsx".into(), cov_xlsx.clone()),
        ("template.xlsx".into(), template),
    ])
    .await;
    assert_pdf_holds("plan.xlsx", &texts["plan.xlsx"], &pd.rows);
    assert_pdf_holds("plan.docx", &texts["plan.docx"], &pd.rows);
    assert_pdf_holds("coverage.xlsx", &texts["coverage.xlsx"], &want);
    assert!(texts["template.xlsx"].contains("Metoder och arbetssätt"));

    // The command line writes the same files.
    let dir = std::env::temp_dir().join(format!("samverkan-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| samverkan_export(&app, args);
    let report = dir.join("report.docx");
    let report = report.to_str().unwrap();
    run(&[
        "follow-up-report",
        "--district",
        "spanga-tensta",
        "--year",
        "2021",
        "--term",
        "T2",
        "--format",
        "docx",
        "-o",
        report,
    ]);
    let t = table(
        &std::fs::read(report).unwrap(),
        Format::Docx,
        "Prioriterad utgångspunkt",
    );
    assert_eq!(t.rows.len(), 22);
    let coverage = dir.join("coverage.csv");
    run(&[
        "coverage",
        "--dimension",
        "PRIORITY_AREA",
        "-o",
        coverage.to_str().unwrap(),
    ]);
    let t = table(&std::fs::read(&coverage).unwrap(), Format::Csv, "Kommun");
    assert_eq!(t.rows[..want.len()], want[..]);
    let plan_file = dir.join("plan.xlsx");
    run(&[
        "action-plan",
        "--plan",
        "spanga-tensta-2019-2022",
        "-o",
        plan_file.to_str().unwrap(),
    ]);
    assert_eq!(
        table(
            &std::fs::read(&plan_file).unwrap(),
            Format::Xlsx,
            "Prioriterad utgångspunkt"
        )
        .rows
        .len(),
        seeded.len()
    );
    let template_file = dir.join("template.xlsx");
    run(&["template", "-o", template_file.to_str().unwrap()]);
    assert!(std::fs::metadata(&template_file).unwrap().len() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A bound on waiting for what must happen (a failure guard, not synchronisation).
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// Exports and the `coverage` query take their turns at one gate
/// (`SAMVERKAN_COVERAGE_CONCURRENCY`): while a test holds the only pass of a gate of one,
/// an export of every kind and a coverage query all wait at it — none is answered — and
/// once the pass is given back each gets through, one at a time.
#[tokio::test]
async fn exports_and_coverage_wait_their_turn_at_one_gate() {
    let app = spawn_app_with(|s| s.coverage_concurrency = 1).await;
    assert_eq!(app.gate.size(), 1);
    let held = app.gate.enter().await;
    let token = app.viewer_token();
    let urls = [
        "/exports/coverage.xlsx?dimension=METHOD",
        "/exports/coverage.csv?dimension=GROUP_KIND",
        "/exports/follow-up-report.docx?district=spanga-tensta&year=2021&term=T2",
        "/exports/action-plan.xlsx?id=spanga-tensta-2019-2022",
        "/exports/template.xlsx",
        "/exports/follow-up-template.xlsx?plan=spanga-tensta-2019-2022&year=2021&term=T2",
    ];
    let mut waiting = Vec::new();
    for url in urls {
        let request = app
            .client
            .get(format!("{}{url}", app.address))
            .bearer_auth(&token);
        waiting.push(tokio::spawn(async move {
            let res = request.send().await.expect("send request");
            (
                res.status().as_u16(),
                res.bytes().await.expect("body").len(),
            )
        }));
    }
    let query = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ coverage(dimension: METHOD) { total rows { total } } }" }));
    let coverage = tokio::spawn(async move {
        let res = query.send().await.expect("send request");
        res.json::<Value>().await.expect("JSON")
    });
    let everyone = urls.len() + 1;
    tokio::time::timeout(
        PATIENCE,
        app.gate.watch().wait_for(|o| o.waiting == everyone),
    )
    .await
    .expect("every export and the query wait at the gate")
    .unwrap();
    assert_eq!(app.gate.occupancy().inside, 1, "only the test's pass");
    assert!(
        waiting.iter().all(|w| !w.is_finished()) && !coverage.is_finished(),
        "nothing is answered while the gate is held"
    );

    drop(held);
    for (w, url) in waiting.into_iter().zip(urls) {
        let (status, bytes) = w.await.unwrap();
        assert_eq!(status, 200, "{url}");
        assert!(bytes > 0, "{url}");
    }
    let answer = coverage.await.unwrap();
    assert!(answer.get("errors").is_none(), "{answer}");
    assert!(answer["data"]["coverage"]["total"].as_u64().unwrap() > 0);
    tokio::time::timeout(
        PATIENCE,
        app.gate
            .watch()
            .wait_for(|o| o.inside == 0 && o.waiting == 0),
    )
    .await
    .expect("every pass given back")
    .unwrap();
}

/// Save `bytes` (a file named `name`) again with LibreOffice as `to` (e.g. `xlsx`): the
/// file as an office tool writes it after opening it.
async fn resave_in_libreoffice(name: &str, bytes: Vec<u8>, to: &'static str) -> Vec<u8> {
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || {
        let dir = std::env::temp_dir().join(format!("samverkan-resave-{}", uuid::Uuid::new_v4()));
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        let input = dir.join(&name);
        std::fs::write(&input, &bytes).unwrap();
        soffice(&dir, to, &out, &[input]);
        let stem = Path::new(&name).file_stem().unwrap().to_string_lossy();
        let saved = std::fs::read(out.join(format!("{stem}.{to}"))).expect("LibreOffice saved it");
        let _ = std::fs::remove_dir_all(&dir);
        saved
    })
    .await
    .unwrap()
}

/// Fill in an XLSX template as a coordinator would: `cells` are (cell reference, text),
/// each a blank cell the template wrote (`<c r="B5" s="…"/>`), given its text.
fn fill_in(xlsx: &[u8], cells: &[(String, String)]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let mut xml = String::from_utf8(content).unwrap();
            for (at, text) in cells {
                let open = format!("<c r=\"{at}\"");
                let start = xml
                    .find(&format!("{open} "))
                    .unwrap_or_else(|| panic!("no blank cell {at}"));
                let end = start + xml[start..].find("/>").unwrap();
                let attributes = xml[start + open.len()..end].to_owned();
                let text = text
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;");
                xml.replace_range(
                    start..end + 2,
                    &format!("{open}{attributes} t=\"inlineStr\"><is><t>{text}</t></is></c>"),
                );
            }
            content = xml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The follow-up import's template (`followUpTemplate`, `GET
/// /exports/follow-up-template.xlsx`, `samverkan export follow-up-template`): blank with
/// the statuses as a validation list; of Spånga-Tensta's plan for T2 2021 it holds the
/// seeded follow-ups and imports back unchanged; for T2 2022 it lists the activities the
/// period expects, LibreOffice opens it, and filled in (and saved again by LibreOffice) it
/// imports through `importFollowUps` — the plan found by the file's title — as the
/// period's follow-ups.
#[tokio::test]
async fn the_follow_up_template_is_filled_in_and_imported_back() {
    let app = spawn_app().await;
    let plan = action_plan::Entity::find()
        .filter(action_plan::Column::Slug.eq("spanga-tensta-2019-2022"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let plan_id = app
        .id_of(
            r#"{ district(slug: "spanga-tensta") { actionPlans(first: 5) { nodes { id } } } }"#,
            "/district/actionPlans/nodes/0/id",
        )
        .await;
    let urls = app
        .query(
            r#"query($plan: ID!) {
                blank: followUpTemplate { xlsx }
                period: followUpTemplate(period: { year: 2021, term: T2 }) { xlsx }
                t2021: followUpTemplate(actionPlan: $plan, period: { year: 2021, term: T2 }) { xlsx }
                t2022: followUpTemplate(actionPlan: $plan, period: { year: 2022, term: T2 }) { xlsx }
            }"#,
            json!({ "plan": plan_id }),
        )
        .await;
    let url = |key: &str| urls[key]["xlsx"].as_str().unwrap().to_owned();
    assert_eq!(url("blank"), "/exports/follow-up-template.xlsx");
    assert_eq!(
        url("period"),
        "/exports/follow-up-template.xlsx?year=2021&term=T2"
    );
    assert!(
        url("t2022").starts_with("/exports/follow-up-template.xlsx?year=2022&term=T2&plan="),
        "{}",
        url("t2022")
    );
    // `actionPlan` needs a period.
    let (status, body) = app
        .graphql_with(
            Some(&app.viewer_token()),
            "query($plan: ID!) { followUpTemplate(actionPlan: $plan) { xlsx } }",
            json!({ "plan": plan_id }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        crate::helpers::error_codes(&body),
        ["BAD_USER_INPUT"],
        "{body}"
    );

    // Blank: the three columns the import reads, the statuses as a list.
    let blank = file(&app, &url("blank"), XLSX, "mall-uppfoljning.xlsx").await;
    let t = table(&blank, Format::Xlsx, "Metoder och arbetssätt");
    assert_eq!(
        t.columns,
        ["Metoder och arbetssätt", "Status", "Effekter och resultat"]
    );
    assert!(t.rows.is_empty());
    let period = file(&app, &url("period"), XLSX, "mall-uppfoljning-2021-T2.xlsx").await;
    assert_eq!(
        table(&period, Format::Xlsx, "Metoder och arbetssätt").columns[1],
        "Status 31/8 2021"
    );
    let strings = zip_part(&blank, "xl/sharedStrings.xml");
    for status in ["Planerad", "Pågår", "Klart", "Pausad", "Avbruten"] {
        assert!(strings.contains(&format!("<t>{status}</t>")), "{status}");
    }
    let sheet = zip_part(&blank, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains("<formula1>Listor!$A$1:$A$5</formula1>")
            && sheet.contains(r#"sqref="B2:B5001""#),
        "the status column's list: {sheet}"
    );

    // T2 2021: the seeded follow-ups as they stand, with their versions; imported back
    // as it is, nothing changes.
    let coordinator = app.token_in(
        "spanga-tensta-sdf",
        api::auth::Role::DistrictCoordinator,
        &["spanga-tensta"],
    );
    let district = crate::imports::district_id(&app, "spanga-tensta").await;
    let t2021 = file(
        &app,
        &url("t2021"),
        XLSX,
        "mall-uppfoljning-spanga-tensta-2019-2022-2021-T2.xlsx",
    )
    .await;
    let t = table(&t2021, Format::Xlsx, "Metoder och arbetssätt");
    assert_eq!(
        t.columns,
        [
            "Metoder och arbetssätt",
            "Status 31/8 2021",
            "Effekter och resultat",
            "ID",
            "Version"
        ]
    );
    let seeded = seeded_follow_ups(&app).await;
    assert_eq!(t.rows.len(), seeded.len());
    for r in &t.rows {
        let (status, effects) = &seeded[&r[0]];
        assert_eq!((&r[1], &r[2], &r[4]), (status, effects, &"1".to_owned()));
    }
    // Imports `file` for T2 of `year` as Spånga-Tensta's coordinator, naming no plan: the
    // payload, whose plan must be the one of the file's title.
    let import = |file: Vec<u8>, year: i32, dry_run: bool| {
        let (app, coordinator, district, title) = (&app, &coordinator, &district, &plan.title);
        async move {
            let (status, body) = crate::imports::upload(
                app,
                coordinator,
                r#"mutation($file: Upload!, $district: ID!, $dryRun: Boolean!, $year: Int!) {
                  importFollowUps(input: { file: $file, district: $district, dryRun: $dryRun, period: { year: $year, term: T2 } }) {
                    actionPlan { title } created updated unchanged written
                    problems { row column code message blocking }
                    userErrors { field message code }
                  }
                }"#,
                json!({ "district": district, "dryRun": dry_run, "year": year }),
                ("mall.xlsx", &file),
            )
            .await;
            assert_eq!(status, 200, "{body}");
            let payload = body["data"]["importFollowUps"].clone();
            assert_eq!(payload["actionPlan"]["title"], title.as_str(), "{body}");
            payload
        }
    };
    let payload = import(t2021.clone(), 2021, false).await;
    assert_eq!(
        (
            &payload["created"],
            &payload["updated"],
            &payload["unchanged"]
        ),
        (&json!(0), &json!(0), &json!(seeded.len())),
        "{payload}"
    );

    // T2 2022: the activities whose timelines hold 2022, nothing reported yet.
    let t2022 = file(
        &app,
        &url("t2022"),
        XLSX,
        "mall-uppfoljning-spanga-tensta-2019-2022-2022-T2.xlsx",
    )
    .await;
    let t = table(&t2022, Format::Xlsx, "Metoder och arbetssätt");
    assert_eq!(t.columns[1], "Status 31/8 2022");
    let activities = activity::Entity::find()
        .filter(activity::Column::ActionPlanId.eq(plan.id))
        .all(&app.db)
        .await
        .unwrap();
    let expected: Vec<&activity::Model> = activities
        .iter()
        .filter(|a| {
            a.start_year.or(plan.start_year).is_none_or(|s| s <= 2022)
                && a.end_year.or(plan.end_year).is_none_or(|e| 2022 <= e)
        })
        .collect();
    assert!(!expected.is_empty() && expected.len() < activities.len());
    let mut got: Vec<&String> = t.rows.iter().map(|r| &r[0]).collect();
    let mut want: Vec<&String> = expected.iter().map(|a| &a.description).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(
        t.rows
            .iter()
            .all(|r| r[1].is_empty() && r[2].is_empty() && r[4].is_empty())
    );

    // LibreOffice opens it: the PDF holds the plan's title, the headings and the rows.
    let texts = pdf_texts(vec![("mall.xlsx".into(), t2022.clone())]).await;
    assert_pdf_holds(
        "mall.xlsx",
        &texts["mall.xlsx"],
        &[vec![plan.title.clone(), "Status 31/8 2022".into()]],
    );
    let descriptions: Vec<Vec<String>> = t.rows.iter().map(|r| vec![r[0].clone()]).collect();
    assert_pdf_holds("mall.xlsx", &texts["mall.xlsx"], &descriptions);

    // Filled in — a status on every row, effects on some — saved again by LibreOffice,
    // and imported without naming the plan: its title is the file's.
    let words = ["Pågår", "Klart", "Pausad", "Planerad", "Avbruten"];
    let heading_row = table_row_of(&t2022, "Metoder och arbetssätt");
    let mut cells = Vec::new();
    let mut wanted: HashMap<String, (String, Option<String>)> = HashMap::new();
    for (i, r) in t.rows.iter().enumerate() {
        let row = heading_row + 1 + i;
        let status = words[i % words.len()].to_owned();
        let effects = (i % 2 == 0).then(|| format!("Effekt nummer {i} & mer"));
        cells.push((format!("B{row}"), status.clone()));
        if let Some(e) = &effects {
            cells.push((format!("C{row}"), e.clone()));
        }
        wanted.insert(r[3].clone(), (status, effects));
    }
    let filled = fill_in(&t2022, &cells);
    let filled = resave_in_libreoffice("ifylld.xlsx", filled, "xlsx").await;
    for dry_run in [true, false] {
        let payload = import(filled.clone(), 2022, dry_run).await;
        assert_eq!(payload["userErrors"], json!([]), "{payload}");
        assert_eq!(payload["problems"], json!([]), "{payload}");
        assert_eq!(payload["created"], json!(t.rows.len()), "{payload}");
        assert_eq!(payload["written"], json!(!dry_run), "{payload}");
    }
    let written: Vec<follow_up::Model> = follow_up::Entity::find()
        .filter(follow_up::Column::Year.eq(2022))
        .filter(follow_up::Column::Term.eq(Term::T2))
        .filter(follow_up::Column::ActivityId.is_in(activities.iter().map(|a| a.id)))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(written.len(), t.rows.len());
    let ids: HashMap<i32, String> = t
        .rows
        .iter()
        .map(|r| {
            (
                api::graphql::ids::decode(&async_graphql::ID(r[3].clone()))
                    .unwrap()
                    .1,
                r[3].clone(),
            )
        })
        .collect();
    for f in &written {
        let (status, effects) = &wanted[&ids[&f.activity_id]];
        assert_eq!(swedish(f.status), status);
        assert_eq!(&f.effects, effects);
    }

    // The command line writes the same template.
    let dir = std::env::temp_dir().join(format!("samverkan-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("mall.xlsx");
    samverkan_export(
        &app,
        &[
            "follow-up-template",
            "--plan",
            "spanga-tensta-2019-2022",
            "--year",
            "2021",
            "--term",
            "T2",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    let cli = table(
        &std::fs::read(&out).unwrap(),
        Format::Xlsx,
        "Metoder och arbetssätt",
    );
    assert_eq!(cli.rows.len(), seeded.len());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sheet row number (1-based) of the row whose first cell is `first_heading`.
fn table_row_of(bytes: &[u8], first_heading: &str) -> usize {
    let doc = files::read(bytes, &files::Limits::default()).unwrap();
    doc.blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => t
                .rows
                .iter()
                .find(|r| r.cells.first().is_some_and(|c| c == first_heading))
                .map(|r| r.number),
            Block::Paragraph(_) => None,
        })
        .expect("the heading row")
}

/// A part of an XLSX (a ZIP container) as text.
fn zip_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Run `samverkan export ARGS…` against the app's database; it must succeed.
fn samverkan_export(app: &TestApp, args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_samverkan"))
        .arg("export")
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run samverkan export");
    assert!(
        out.status.success(),
        "samverkan export {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
