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

use crate::helpers::{TestApp, operation, spawn_app};

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
        let profile = format!("-env:UserInstallation=file://{}", dir.join("lo").display());
        let status = std::process::Command::new("soffice")
            .arg(&profile)
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(&out)
            .args(&paths)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("LibreOffice (soffice) is installed: .ci/run installs it");
        assert!(status.success(), "soffice failed: {status}");
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
    let part = |name: &str| {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(template.clone())).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
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
    let run = |args: &[&str]| {
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
    };
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
