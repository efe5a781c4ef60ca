//! Unit tests of the reader and the matching rules, on hand-built documents.

use super::catalogue::*;
use super::read::*;
use super::*;
use crate::files::{Block, Document, Format, Row, Table};

fn row(number: usize, cells: &[&str]) -> Row {
    Row {
        number,
        cells: cells.iter().map(|c| (*c).to_owned()).collect(),
    }
}

fn fixture(name: &str) -> Document {
    let path = format!(
        "{}/../tests/fixtures/office/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap();
    crate::files::read(&bytes, &file_limits(10 * 1024 * 1024)).unwrap()
}

fn seed_activities(file: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/../data/stockholm/{file}", env!("CARGO_MANIFEST_DIR"));
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    data["actionPlans"][0]["activities"]
        .as_array()
        .unwrap()
        .clone()
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn headings_are_matched_as_the_documents_write_them() {
    assert_eq!(
        column_of("Prioriterad \nutgångspunkt"),
        Some(Column::Priority)
    );
    assert_eq!(
        column_of("Metoder och arbetsätt"),
        Some(Column::Description)
    );
    assert_eq!(
        column_of("METODER OCH ARBETS-SÄTT"),
        Some(Column::Description)
    );
    assert_eq!(column_of("Tidsplan"), Some(Column::Timeline));
    assert_eq!(column_of("Tidplan"), Some(Column::Timeline));
    assert_eq!(column_of("Status 31/8 2021"), Some(Column::Status));
    assert_eq!(column_of("Kommentar"), None);
    assert_eq!(period_of_status("Status 31/8 2021"), Some((2021, Term::T2)));
    assert_eq!(period_of_status("Status T1 2022"), Some((2022, Term::T1)));
    assert_eq!(period_of_status("Status"), None);
}

#[test]
fn years_and_terms_are_read_as_the_seed_data_reads_them() {
    for file in [
        "bromma-2019-2022.json",
        "skarpnack-2020.json",
        "spanga-tensta-2019-2022.json",
    ] {
        for (i, a) in seed_activities(file).iter().enumerate() {
            let timeline = a["timeline"].as_str().unwrap_or("");
            let expected = (
                a["startYear"].as_i64().map(|y| y as i32),
                a["endYear"].as_i64().map(|y| y as i32),
            );
            assert_eq!(timeline_years(timeline), expected, "{file} row {}", i + 1);
            if let Some(schedule) = a["followUpSchedule"].as_str() {
                let expected: Vec<String> = a["followUpTerms"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect();
                let got: Vec<String> = schedule_terms(schedule)
                    .iter()
                    .map(|t| crate::services::terms::encode(&[*t]))
                    .collect();
                assert_eq!(got, expected, "{file} row {}", i + 1);
            }
        }
    }
}

#[test]
fn roles_and_names() {
    let role = |t: &str| role_of(&[t.to_owned()]);
    assert_eq!(
        role("Socialsekreterare (BoU) Biträdande enhetschef Enhetschef").as_deref(),
        Some("Socialsekreterare (BoU), Biträdande enhetschef, Enhetschef")
    );
    assert_eq!(
        role("Strateg Förskola").as_deref(),
        Some("Strateg Förskola")
    );
    assert_eq!(
        role("Strateg inom Avdelning förskola").as_deref(),
        Some("Strateg inom Avdelning förskola")
    );
    assert_eq!(
        role("Förundersökningsledare ungdomsroteln/ Jourförundersökningsledare").as_deref(),
        Some("Förundersökningsledare ungdomsroteln/ Jourförundersökningsledare")
    );
    assert_eq!(
        role("Preventionsamordnare I samhandling mellan avdelningarna administration, socialtjänst och fritid.").as_deref(),
        Some("Preventionsamordnare")
    );
    assert_eq!(
        role("Avdelningschef IOF").as_deref(),
        Some("Avdelningschef IOF")
    );
    assert_eq!(role("Ylva Almgren och Neda Jazayeri"), None);
    assert_eq!(
        role("Abid-Nur Isse i samarbete med Mikael Jeppsson, (samordnare Trefas SLK)"),
        None
    );
    assert_eq!(
        role("Beredningsgrupp med deltagare från skola, förvaltning och polis"),
        None
    );
    assert!(names_a_person("Jessika von Malmberg och Toni Mellblom"));
    assert!(names_a_person("Jessika von Malmberg"));
    assert!(!names_a_person("Fritidsledare Biträdande enhetschef"));
}

#[test]
fn labels_split_an_ansvarig_cell() {
    let is_name = |l: &str| l == "Lokalpolisområde Vällingby";
    let parts = split_responsible(
        "Stadsdelsförvaltning: Socialsekreterare (BoU)\nEnhetschef Lokalpolisområde Vällingby: Kommunpolis",
        &is_name,
    );
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].label.as_deref(), Some("Stadsdelsförvaltning"));
    assert_eq!(
        parts[0].lines,
        vec!["Socialsekreterare (BoU)", "Enhetschef"]
    );
    assert_eq!(
        parts[1].label.as_deref(),
        Some("Lokalpolisområde Vällingby")
    );
    assert_eq!(parts[1].lines, vec!["Kommunpolis"]);
}

#[test]
fn names_match_exactly_or_approximately() {
    let areas = vec![
        (
            1,
            vec!["Inskrivningsgrad i förskola och skolnärvaro".to_owned()],
        ),
        (
            2,
            vec!["Snabba insatser inom myndighetsutövningen".to_owned()],
        ),
        (3, vec!["Lokala samverkansöverenskommelser".to_owned()]),
    ];
    assert_eq!(
        match_name("Lokala samverkans-\növerenskommelser", &areas),
        Match::Exact(3)
    );
    assert_eq!(
        match_name("Inskrivningsgraden i förskola samt skolnärvaro", &areas),
        Match::Approximate(1)
    );
    assert_eq!(
        match_name("Snabba insatser inom myndighetsutövning", &areas),
        Match::Approximate(2)
    );
    assert_eq!(match_name("Något annat", &areas), Match::None);
}

#[test]
fn every_seed_fixture_reads_as_its_plan() {
    for (fixture_name, seed) in [
        ("bromma-2019-2022.docx", "bromma-2019-2022.json"),
        ("skarpnack-2020.xlsx", "skarpnack-2020.json"),
        (
            "spanga-tensta-uppfoljning-t2-2021.docx",
            "spanga-tensta-2019-2022.json",
        ),
        (
            "spanga-tensta-uppfoljning-t2-2021-utf8bom.csv",
            "spanga-tensta-2019-2022.json",
        ),
        (
            "spanga-tensta-uppfoljning-t2-2021-windows1252.csv",
            "spanga-tensta-2019-2022.json",
        ),
    ] {
        let sheet = read_sheet(&fixture(fixture_name));
        let seeded = seed_activities(seed);
        assert_eq!(sheet.rows.len(), seeded.len(), "{fixture_name}");
        assert!(
            sheet
                .title
                .as_deref()
                .is_some_and(|t| t.contains("handlingsplan")),
            "{fixture_name}: {:?}",
            sheet.title
        );
        for (row, a) in sheet.rows.iter().zip(&seeded) {
            assert_eq!(
                flat(row.cell(Column::Description).unwrap_or("")),
                a["description"].as_str().unwrap(),
                "{fixture_name} row {}",
                row.number
            );
            assert!(
                row.priority.is_some() && row.focus.is_some(),
                "{fixture_name} row {}",
                row.number
            );
        }
        if fixture_name.starts_with("spanga") {
            assert_eq!(
                sheet.status_period,
                Some((2021, Term::T2)),
                "{fixture_name}"
            );
            assert!(
                sheet.rows.iter().all(|r| r.cell(Column::Status).is_some()),
                "{fixture_name}"
            );
        }
    }
}

#[test]
fn methods_are_found_as_the_seed_data_tags_them() {
    let catalogue: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/../data/stockholm/catalogue.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let mut slugs = Vec::new();
    let mut methods = Vec::new();
    let extra =
        serde_json::json!([{ "slug": "bus-individ", "name": "BUS-individ", "abbreviation": null }]);
    for (i, m) in catalogue["methods"]
        .as_array()
        .unwrap()
        .iter()
        .chain(extra.as_array().unwrap())
        .enumerate()
    {
        slugs.push(m["slug"].as_str().unwrap().to_owned());
        let mut names = vec![m["name"].as_str().unwrap().to_owned()];
        if let Some(a) = m["abbreviation"].as_str() {
            names.push(a.to_owned());
        }
        methods.push(MethodName::new(i as i32, names));
    }
    let mut differences = Vec::new();
    for file in [
        "bromma-2019-2022.json",
        "skarpnack-2020.json",
        "spanga-tensta-2019-2022.json",
    ] {
        for (i, a) in seed_activities(file).iter().enumerate() {
            let mut got: Vec<String> = methods_in(a["description"].as_str().unwrap(), &methods)
                .into_iter()
                .map(|id| slugs[id as usize].clone())
                .collect();
            let mut want: Vec<String> = a["methods"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_owned())
                .collect();
            got.sort();
            want.sort();
            if got != want {
                differences.push(format!("{file} {}: {got:?}", i + 1));
            }
        }
    }
    // The two readings of the seed data: "BUS Bromma" is a group, not the method BUS;
    // "IOP Miljöverkstan" an example, not the plan's method.
    assert_eq!(
        differences,
        vec![
            "bromma-2019-2022.json 7: [\"bus\"]".to_owned(),
            "skarpnack-2020.json 13: [\"iop\"]".to_owned()
        ]
    );
}

#[test]
fn a_bromma_layout_reads_priority_from_the_paragraph() {
    let doc = Document {
        format: Format::Docx,
        blocks: vec![
            Block::Paragraph("Lokal handlingsplan 2019 – 2022".into()),
            Block::Paragraph("Prioriterad utgångspunkt; *Civilsamhället*".into()),
            Block::Table(Table {
                name: None,
                rows: vec![
                    row(1, &["Område", "Metoder och arbetsätt", "Okänd kolumn"]),
                    row(2, &["Samverkan", "Första", "x"]),
                    row(3, &["", "Andra", "y"]),
                ],
            }),
        ],
    };
    let sheet = read_sheet(&doc);
    assert_eq!(
        sheet.title.as_deref(),
        Some("Lokal handlingsplan 2019 – 2022")
    );
    assert_eq!(sheet.rows.len(), 2);
    assert_eq!(sheet.rows[1].priority.as_deref(), Some("Civilsamhället"));
    assert_eq!(sheet.rows[1].focus.as_deref(), Some("Samverkan"));
    assert_eq!(sheet.problems.len(), 1);
    assert_eq!(sheet.problems[0].code, ProblemCode::UnknownColumn);
    assert_eq!(sheet.problems[0].column.as_deref(), Some("Okänd kolumn"));
    assert!(!sheet.problems[0].blocking());
    let empty = read_sheet(&Document {
        format: Format::Csv,
        blocks: vec![],
    });
    assert_eq!(empty.problems[0].code, ProblemCode::NoTable);
}
