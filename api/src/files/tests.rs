//! Tests of the office-files engine: fixtures made by other writers (openpyxl, python-docx,
//! LibreOffice, msoffcrypto-tool: `tests/fixtures/office/make.py`), bad files, limits, round
//! trips through the writers, and property tests that no input panics.

use std::io::{Cursor, Read};

use proptest::prelude::*;

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../tests/fixtures/office/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_fixture(name: &str) -> Document {
    read(&fixture(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn tables(doc: &Document) -> Vec<&Table> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            Block::Paragraph(_) => None,
        })
        .collect()
}

fn paragraphs(doc: &Document) -> Vec<&str> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.as_str()),
            Block::Table(_) => None,
        })
        .collect()
}

fn row(table: &Table, number: usize) -> &[String] {
    &table
        .rows
        .iter()
        .find(|r| r.number == number)
        .unwrap_or_else(|| panic!("no row {number}"))
        .cells
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

fn read_err(bytes: &[u8]) -> FileError {
    match read(bytes, &Limits::default()) {
        Ok(doc) => panic!("expected an error, read {doc:?}"),
        Err(e) => e,
    }
}

fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut part = archive.by_name(name).unwrap();
    let mut text = String::new();
    part.read_to_string(&mut text).unwrap();
    text
}

// --- Fixtures in the seed documents' layouts -------------------------------------------------

#[test]
fn bromma_docx_gives_its_paragraphs_and_four_tables_with_merged_and_blank_omrade_cells() {
    let doc = read_fixture("bromma-2019-2022.docx");
    assert_eq!(doc.format, Format::Docx);
    let paras = paragraphs(&doc);
    assert!(paras[0].starts_with("Lokal handlingsplan i enlighet med Stockholms stads strategi"));
    assert!(paras.contains(&"Prioriterad utgångspunkt: Systematisk samhandling"));
    assert!(paras.contains(&"Prioriterad utgångspunkt; Civilsamhället"));
    // Each priority paragraph comes right before its table.
    let at = doc
        .blocks
        .iter()
        .position(|b| *b == Block::Paragraph("Prioriterad utgångspunkt; Civilsamhället".into()))
        .unwrap();
    assert!(matches!(doc.blocks[at + 1], Block::Table(_)));

    let t = tables(&doc);
    assert_eq!(t.len(), 4);
    // The document's own spellings: "arbetsätt" in the first table, "arbetssätt" after.
    assert_eq!(
        row(t[0], 1),
        strings(&[
            "Område",
            "Mål och nytta",
            "Metoder och arbetsätt",
            "Ansvarig",
            "Tidsplan",
            "Uppföljning"
        ])
    );
    assert_eq!(row(t[1], 12)[2], "Metoder och arbetssätt");
    // Row numbers run on across the tables: 10 activities + heading in the first table.
    assert_eq!(t[0].rows.first().unwrap().number, 1);
    assert_eq!(t[0].rows.last().unwrap().number, 11);
    assert_eq!(t[1].rows.first().unwrap().number, 12);
    assert_eq!(t[3].rows.last().unwrap().number, 26);
    assert!(doc.blocks.iter().all(|b| match b {
        Block::Table(t) => t.rows.iter().all(|r| r.cells.len() == 6),
        Block::Paragraph(_) => true,
    }));

    // Vertically merged Område (first table): the continuing cell has the text above.
    assert_eq!(
        row(t[0], 3)[0],
        "Främjande, förebyggande och tidiga insatser"
    );
    assert_eq!(row(t[0], 5)[0], "Snabba insatser inom myndighetsutövningen");
    assert_eq!(row(t[0], 6)[0], "Snabba insatser inom myndighetsutövningen");
    // Blank Område (later tables, as the document writes them): blank.
    assert_eq!(row(t[1], 17)[0], "");
    assert_eq!(row(t[1], 16)[0], "Fritidsgårdar som skyddsfaktor");
    // A `w:br` inside the Ansvarig cell, and two paragraphs in a Mål och nytta cell.
    assert_eq!(
        row(t[0], 3)[3],
        "Stadsdelsförvaltningen: Tillsynshandläggare\nPolis: Kommunpolis"
    );
    assert_eq!(
        row(t[0], 10)[1],
        "Förebygga och motverka uppkomsten av problem bland barn och unga.\nRiktade insatser mot geografiska områden och målgrupper."
    );
    assert_eq!(row(t[0], 11)[4], "2020");
    assert_eq!(
        row(t[0], 11)[5],
        "I samband med att samverkansöverenskommelsen följs upp"
    );
}

#[test]
fn spanga_tensta_docx_fills_the_merged_priority_and_omrade_cells() {
    let doc = read_fixture("spanga-tensta-uppfoljning-t2-2021.docx");
    assert_eq!(
        paragraphs(&doc)[2],
        "Uppföljning i samband med tertialrapport 2 2021"
    );
    let t = tables(&doc);
    assert_eq!(t.len(), 4);
    assert_eq!(
        row(t[0], 1),
        strings(&[
            "Prioriterad utgångspunkt",
            "Område",
            "Mål och nytta",
            "Metoder och arbetssätt",
            "Ansvarig",
            "Tidplan",
            "Status 31/8 2021",
            "Effekter och resultat"
        ])
    );
    // The repeated heading of the later tables leaves the status heading empty, as the
    // document does.
    assert_eq!(row(t[1], 13)[6], "");
    assert_eq!(row(t[1], 13)[7], "Effekter och resultat");
    // Priority area merged down all eleven rows of the first table.
    for n in 2..=12 {
        assert_eq!(row(t[0], n)[0], "Systematisk samhandling", "row {n}");
    }
    assert_eq!(
        row(t[0], 4)[1],
        "Främjande, förebyggande och tidiga insatser"
    );
    assert_eq!(
        row(t[0], 5)[1],
        "Främjande, förebyggande och tidiga insatser"
    );
    assert_eq!(
        row(t[0], 5)[2],
        "",
        "a goal the document leaves blank stays blank"
    );
    assert_eq!(row(t[0], 3)[6], "Klart");
    assert_eq!(row(t[1], 19)[6], "Pausad");
    assert_eq!(
        row(t[1], 19)[0],
        "Förskola, skola och fritid som skyddsfaktorer"
    );
    // The effects column is written as paragraphs, one per sentence.
    assert_eq!(
        row(t[2], 23)[7],
        "Metoden är implementerad.\nAlla skolor i målgruppen besöks."
    );
    let data_rows: usize = t.iter().map(|t| t.rows.len() - 1).sum();
    assert_eq!(data_rows, 22);
}

#[test]
fn spanga_tensta_csv_reads_the_same_in_windows_1252_and_utf8_with_bom() {
    let cp1252 = read_fixture("spanga-tensta-uppfoljning-t2-2021-windows1252.csv");
    let utf8 = read_fixture("spanga-tensta-uppfoljning-t2-2021-utf8bom.csv");
    assert_eq!(cp1252.format, Format::Csv);
    assert_eq!(cp1252, utf8);
    let t = tables(&cp1252)[0];
    assert_eq!(t.name, None);
    // Title, subtitle, a blank line, the heading: rows 1, 2 and 4.
    assert_eq!(
        row(t, 1)[0],
        "Uppföljning av handlingsplan för att motverka kriminalitet bland unga"
    );
    assert_eq!(
        row(t, 2)[0],
        "Uppföljning i samband med tertialrapport 2 2021"
    );
    assert!(t.rows.iter().all(|r| r.number != 3));
    assert_eq!(row(t, 4)[6], "Status 31/8 2021");
    // å, ä, ö from single Windows-1252 bytes.
    assert_eq!(row(t, 5)[6], "Pågår");
    assert_eq!(row(t, 5)[0], "Systematisk samhandling");
    // Merged cells saved by Excel: the text in the first row only.
    assert_eq!(row(t, 6)[0], "");
    // A line break inside a quoted cell: the cell has it, the rows after keep counting rows.
    assert_eq!(
        row(t, 5)[7].split('\n').next().unwrap(),
        "Utifrån överenskommelsen med polisen har en samverkansstruktur byggts upp tillsammans med Rinkeby-Kista SDF som involverar förvaltningens funktioner på olika nivåer."
    );
    assert_eq!(t.rows.last().unwrap().number, 26);
    assert_eq!(t.rows.len(), 3 + 22);
    assert!(t.rows.iter().all(|r| r.cells.len() == 8));
}

#[test]
fn skarpnack_2020_xlsx_fills_the_merged_priority_column_and_keeps_line_breaks() {
    let doc = read_fixture("skarpnack-2020.xlsx");
    assert_eq!(doc.format, Format::Xlsx);
    let t = tables(&doc);
    assert_eq!(t.len(), 1);
    let t = t[0];
    assert_eq!(t.name.as_deref(), Some("Handlingsplan"));
    assert!(row(t, 1)[0].starts_with("Lokal handlingsplan"));
    // The description merged across A2:G2 fills the row.
    assert_eq!(row(t, 2)[0], row(t, 2)[6]);
    assert!(
        t.rows.iter().all(|r| r.number != 3),
        "an empty row is left out"
    );
    assert_eq!(
        row(t, 4),
        strings(&[
            "Prioriterad utgångspunkt",
            "Område",
            "Mål och nytta",
            "Metoder och arbetssätt",
            "Ansvarig",
            "Tidsplan",
            "Uppföljning"
        ])
    );
    // A5:A9 merged: every row has the priority area, with its line break.
    for n in 5..=9 {
        assert_eq!(row(t, n)[0], "Systematisk\nsamhandling", "row {n}");
    }
    assert_eq!(
        row(t, 10)[0],
        "Förskola, skola och\nfritid som\nskyddsfaktorer"
    );
    assert_eq!(row(t, 5)[1], "Snabba insatser inom\nmyndighetsutövningen");
    assert_eq!(row(t, 8)[5], "Våren 2021");
    // An activity without a timeline: the cell is empty, the row is there.
    assert_eq!(row(t, 16)[5], "");
    assert_eq!(row(t, 16)[6], "VB");
    assert_eq!(t.rows.last().unwrap().number, 17);
}

#[test]
fn skarpnack_2022_xlsx_gives_its_date_cell_as_an_iso_date() {
    let doc = read_fixture("skarpnack-2022.xlsx");
    let t = tables(&doc)[0];
    assert_eq!(t.name.as_deref(), Some("Åtgärdsplan 2022"));
    let löptid: Vec<&str> = t
        .rows
        .iter()
        .filter(|r| r.cells[0] == "Löptid")
        .map(|r| r.cells[1].as_str())
        .collect();
    assert_eq!(
        löptid,
        [
            "Tillsvidare.",
            "Tillsvidare",
            "2022-12-31",
            "Tillsvidare",
            "Tillsvidare",
            "Tillsvidare"
        ]
    );
    // A heading merged across A:B repeats in B.
    assert_eq!(
        row(t, 3),
        strings(&[
            "Unga i risk för kriminalitet",
            "Unga i risk för kriminalitet"
        ])
    );
}

#[test]
fn a_formula_gives_its_saved_value() {
    // openpyxl's formulas, computed and saved by LibreOffice.
    let doc = read_fixture("formula-with-value.xlsx");
    let t = tables(&doc)[0];
    assert_eq!(row(t, 2), strings(&["Allvarssamtal", "12", "30", "42"]));
    assert_eq!(row(t, 4), strings(&["Totalt", "52.5", "52", "104.5"]));
}

// --- Bad files -------------------------------------------------------------------------------

#[test]
fn a_formula_without_a_saved_value_is_refused_naming_its_cell() {
    let e = read_err(&fixture("bad/formula-without-value.xlsx"));
    assert!(matches!(e, FileError::Formula(_)), "{e:?}");
    assert_eq!(e.code(), "FILE_FORMULA");
    assert!(e.to_string().contains("cell D2"), "{e}");
    assert!(e.to_string().contains("open and save"), "{e}");
}

#[test]
fn a_password_protected_workbook_is_refused() {
    let e = read_err(&fixture("bad/encrypted.xlsx"));
    assert_eq!(e, FileError::Encrypted);
    assert_eq!(e.code(), "FILE_ENCRYPTED");
}

#[test]
fn a_zip_bomb_is_refused_before_parsing() {
    let e = read_err(&fixture("bad/zip-bomb.xlsx"));
    assert!(matches!(e, FileError::ZipBomb(_)), "{e:?}");
    assert!(e.to_string().contains("xl/worksheets/sheet1.xml"), "{e}");
    // Declaring 200 bytes does not help: inflating finds it.
    let e = read_err(&fixture("bad/zip-bomb-lying-sizes.xlsx"));
    assert!(matches!(e, FileError::ZipBomb(_)), "{e:?}");
    assert_eq!(e.code(), "FILE_TOO_LARGE_UNPACKED");
    // The total: an ordinary workbook over a small unpacked limit.
    let limits = Limits {
        max_unzipped_bytes: 10_000,
        ..Limits::default()
    };
    let e = read(&fixture("skarpnack-2020.xlsx"), &limits).unwrap_err();
    assert!(matches!(e, FileError::ZipBomb(_)), "{e:?}");
    assert!(e.to_string().contains("10000 bytes"), "{e}");
}

#[test]
fn pdfs_old_office_files_and_archives_are_not_tables() {
    let e = read_err(&fixture("bad/not-a-table.pdf"));
    assert!(matches!(e, FileError::NotATable(_)), "{e:?}");
    assert!(e.to_string().contains("PDF"), "{e}");
    assert_eq!(e.code(), "UNSUPPORTED_FILE");
    let e = read_err(&fixture("bad/old-binary.xls"));
    assert!(matches!(e, FileError::NotATable(_)), "{e:?}");
    assert!(e.to_string().contains(".xls"), "{e}");
    assert!(e.to_string().contains(".xlsx"), "{e}");
    let e = read_err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    assert!(e.to_string().contains("PNG"), "{e}");
    // A ZIP that is neither workbook nor document.
    let mut zip = Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut zip);
        w.start_file("notes.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, b"hej").unwrap();
        w.finish().unwrap();
    }
    let e = read_err(zip.get_ref());
    assert!(matches!(e, FileError::NotATable(_)), "{e:?}");
    // Damaged containers.
    let e = read_err(b"PK\x03\x04 this is not a zip");
    assert!(matches!(e, FileError::Corrupt(_)), "{e:?}");
    let e = read_err(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]);
    assert!(matches!(e, FileError::Corrupt(_)), "{e:?}");
    assert_eq!(e.code(), "FILE_CORRUPT");
}

#[test]
fn csv_in_other_encodings_or_not_text_is_refused() {
    let e = read_err(&fixture("bad/utf16.csv"));
    assert!(matches!(e, FileError::Encoding(_)), "{e:?}");
    assert!(e.to_string().contains("UTF-16"), "{e}");
    assert_eq!(e.code(), "FILE_ENCODING");
    let e = read_err(&fixture("bad/not-text.csv"));
    assert!(matches!(e, FileError::Encoding(_)), "{e:?}");
    let e = read_err(b"abc\0def");
    assert!(matches!(e, FileError::NotATable(_)), "{e:?}");
    let e = read_err(b"");
    assert!(matches!(e, FileError::NotATable(_)), "{e:?}");
}

#[test]
fn limits_are_checked_before_and_while_reading() {
    let bytes = fixture("bromma-2019-2022.docx");
    let limits = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    assert_eq!(
        read(&bytes, &limits).unwrap_err(),
        FileError::TooLarge {
            size: bytes.len(),
            limit: 1000
        }
    );
    assert_eq!(read(&bytes, &limits).unwrap_err().code(), "FILE_TOO_LARGE");
    let few = Limits {
        max_cells: 50,
        ..Limits::default()
    };
    for name in [
        "bromma-2019-2022.docx",
        "skarpnack-2020.xlsx",
        "spanga-tensta-uppfoljning-t2-2021-utf8bom.csv",
    ] {
        let e = read(&fixture(name), &few).unwrap_err();
        assert_eq!(e, FileError::TooManyCells { limit: 50 }, "{name}");
        assert_eq!(e.code(), "FILE_TOO_MANY_CELLS");
    }
    // A CSV of one huge row of empty cells counts its cells.
    let wide = ";".repeat(100_000);
    let e = read(
        wide.as_bytes(),
        &Limits {
            max_cells: 10_000,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(e, FileError::TooManyCells { limit: 10_000 });
}

// --- CSV details -----------------------------------------------------------------------------

#[test]
fn csv_delimiters_quotes_and_row_numbers() {
    let table = |text: &[u8]| -> Table {
        match read(text, &Limits::default()).unwrap().blocks.remove(0) {
            Block::Table(t) => t,
            Block::Paragraph(p) => panic!("{p}"),
        }
    };
    let t = table(b"a,b,c\n1,\"x, y\",3\n");
    assert_eq!(row(&t, 2), strings(&["1", "x, y", "3"]));
    let t = table(b"a\tb\n1\t2\n");
    assert_eq!(row(&t, 2), strings(&["1", "2"]));
    // Semicolons win over commas in the text (Swedish Excel).
    let t = table(
        "Område;Mål, och nytta\r\n\"Två\r\nrader\";\"Säg \"\"hej\"\"\"\r\n\r\n;\r\nSist;x\r\n"
            .as_bytes(),
    );
    assert_eq!(row(&t, 1), strings(&["Område", "Mål, och nytta"]));
    assert_eq!(row(&t, 2), strings(&["Två\nrader", "Säg \"hej\""]));
    // Row 3 is blank and row 4 has only empty cells: both left out, numbers kept.
    assert_eq!(t.rows.len(), 3);
    assert_eq!(row(&t, 5), strings(&["Sist", "x"]));
    // Short rows are padded.
    let t = table(b"a;b;c\nd\n");
    assert_eq!(row(&t, 2), strings(&["d", "", ""]));
}

// --- Writers and round trips -----------------------------------------------------------------

fn report() -> Report {
    Report {
        title: "Uppföljning T2 2021 – Spånga-Tensta".into(),
        lines: vec![
            "Stadsdel: Spånga-Tensta".into(),
            "Period: T2 2021".into(),
            "Skapad 2024-01-01".into(),
        ],
        columns: strings(&[
            "Område",
            "Mål och nytta",
            "Metoder och arbetssätt",
            "Status 31/8 2021",
            "Effekter och resultat",
        ]),
        sections: vec![
            Section {
                heading: Some("Systematisk samhandling".into()),
                rows: vec![
                    strings(&[
                        "Lokala samverkansöverenskommelser",
                        "Stockholmarnas trygghet ska öka.",
                        "Implementera trygghetsstrategi Järva.",
                        "Pågår",
                        "Första raden.\nAndra raden; med semikolon, \"citat\" och ÅÄÖ.",
                    ]),
                    strings(&["Samordnade insatser", "", "SIG", "Klart", ""]),
                ],
            },
            Section {
                heading: None,
                rows: vec![strings(&["Utan rubrik", "1", "2", "Pausad", "x"])],
            },
        ],
    }
}

/// The rows a reader gives after the heading row, as the report lays them out.
fn expected_rows(report: &Report, section_row: impl Fn(&str) -> Vec<String>) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for s in &report.sections {
        if let Some(h) = &s.heading {
            rows.push(section_row(h));
        }
        rows.extend(s.rows.iter().cloned());
    }
    rows
}

fn rows_after_heading(table: &Table, columns: &[String]) -> Vec<Vec<String>> {
    let at = table
        .rows
        .iter()
        .position(|r| r.cells == columns)
        .expect("the heading row");
    table.rows[at + 1..]
        .iter()
        .map(|r| r.cells.clone())
        .collect()
}

#[test]
fn xlsx_written_reads_back_the_same_rows() {
    let report = report();
    let bytes = write_xlsx(&report).unwrap();
    let doc = read(&bytes, &Limits::default()).unwrap();
    assert_eq!(doc.format, Format::Xlsx);
    let t = tables(&doc)[0];
    assert_eq!(t.name.as_deref(), Some("Rapport"));
    assert_eq!(row(t, 1)[0], report.title);
    assert_eq!(row(t, 2)[0], "Stadsdel: Spånga-Tensta");
    assert_eq!(row(t, 4)[0], "Skapad 2024-01-01");
    assert_eq!(row(t, 6), report.columns);
    let n = report.columns.len();
    assert_eq!(
        rows_after_heading(t, &report.columns),
        expected_rows(&report, |h| vec![h.to_string(); n])
    );
    // Heading frozen and filtered, section headings merged across the table.
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane ySplit="6" topLeftCell="A7""#),
        "{sheet}"
    );
    assert!(sheet.contains(r#"<autoFilter ref="A6:E10"/>"#), "{sheet}");
    assert!(sheet.contains(r#"<mergeCell ref="A7:E7"/>"#), "{sheet}");
}

#[test]
fn docx_written_reads_back_the_same_rows_in_one_landscape_table_with_a_repeated_heading() {
    let report = report();
    let bytes = write_docx(&report).unwrap();
    let doc = read(&bytes, &Limits::default()).unwrap();
    assert_eq!(doc.format, Format::Docx);
    let mut expected_paragraphs = vec![report.title.as_str()];
    expected_paragraphs.extend(report.lines.iter().map(String::as_str));
    assert_eq!(paragraphs(&doc), expected_paragraphs);
    let t = tables(&doc);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].rows[0].cells, report.columns);
    let n = report.columns.len();
    assert_eq!(
        rows_after_heading(t[0], &report.columns),
        expected_rows(&report, |h| vec![h.to_string(); n])
    );
    let xml = zip_part(&bytes, "word/document.xml");
    assert_eq!(xml.matches("<w:tblHeader />").count(), 1, "{xml}");
    assert!(xml.contains(r#"w:orient="landscape""#), "{xml}");
    assert!(xml.contains(r#"<w:gridSpan w:val="5" />"#), "{xml}");
    assert!(xml.contains(r#"<w:pStyle w:val="Heading1" />"#), "{xml}");
}

#[test]
fn csv_written_reads_back_the_same_rows() {
    let report = report();
    let bytes = write_csv(&report).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFUppf\xC3\xB6ljning T2 2021"));
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("\r\n\r\nOmråde;Mål och nytta;"), "{text}");
    assert!(
        text.contains("\r\nSystematisk samhandling;;;;\r\n"),
        "{text}"
    );
    let doc = read(&bytes, &Limits::default()).unwrap();
    assert_eq!(doc.format, Format::Csv);
    let t = tables(&doc)[0];
    assert_eq!(row(t, 1)[0], report.title);
    assert_eq!(row(t, 4)[0], "Skapad 2024-01-01");
    assert!(t.rows.iter().all(|r| r.number != 5), "the blank row");
    assert_eq!(row(t, 6), report.columns);
    let n = report.columns.len();
    assert_eq!(
        rows_after_heading(t, &report.columns),
        expected_rows(&report, |h| {
            let mut row = vec![String::new(); n];
            row[0] = h.to_string();
            row
        })
    );
}

#[test]
fn a_template_has_the_headings_and_validation_lists_from_a_hidden_sheet() {
    let columns = vec![
        TemplateColumn {
            heading: "Prioriterad utgångspunkt".into(),
            choices: strings(&["Systematisk samhandling", "Civilsamhället"]),
        },
        TemplateColumn {
            heading: "Mål och nytta".into(),
            choices: vec![],
        },
        TemplateColumn {
            heading: "Område".into(),
            choices: strings(&[
                "Samlad kompetens",
                "Samordnade insatser",
                "Vålds- och könsnormer",
            ]),
        },
    ];
    let bytes = write_template(&Template {
        columns,
        ..Template::default()
    })
    .unwrap();
    let doc = read(&bytes, &Limits::default()).unwrap();
    // The hidden list sheet is not read.
    let t = tables(&doc);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].name.as_deref(), Some("Mall"));
    assert_eq!(t[0].rows.len(), 1);
    assert_eq!(
        row(t[0], 1),
        strings(&["Prioriterad utgångspunkt", "Mål och nytta", "Område"])
    );
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"sqref="A2:A5001""#), "{sheet}");
    assert!(
        sheet.contains("<formula1>Listor!$A$1:$A$2</formula1>"),
        "{sheet}"
    );
    assert!(sheet.contains(r#"sqref="C2:C5001""#), "{sheet}");
    assert!(
        sheet.contains("<formula1>Listor!$B$1:$B$3</formula1>"),
        "{sheet}"
    );
    let workbook = zip_part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"name="Listor" sheetId="2" state="hidden""#),
        "{workbook}"
    );
    let lists = zip_part(&bytes, "xl/worksheets/sheet2.xml");
    assert!(lists.contains("<c r=\"B3\""), "{lists}");
}

/// A template with lines above its table and rows filled in: the lines are one-cell rows
/// (an importer reads the first as the title), the headings follow a blank row, the rows
/// come under them, and the validation lists cover the rows and 5,000 more.
#[test]
fn a_template_has_its_lines_and_filled_in_rows() {
    let template = Template {
        lines: strings(&["Handlingsplan för Bromma 2019–2022", "Uppföljning T2 2021"]),
        columns: vec![
            TemplateColumn {
                heading: "Metoder och arbetssätt".into(),
                choices: vec![],
            },
            TemplateColumn {
                heading: "Status 31/8 2021".into(),
                choices: strings(&["Planerad", "Pågår", "Klart"]),
            },
            TemplateColumn {
                heading: "ID".into(),
                choices: vec![],
            },
        ],
        rows: vec![
            strings(&["Trygghetsvandringar\nvarje vår", "", "QWN0aXZpdHk6MQ"]),
            strings(&["MVP i skolorna", "Pågår", "QWN0aXZpdHk6Mg"]),
        ],
    };
    let bytes = write_template(&template).unwrap();
    let doc = read(&bytes, &Limits::default()).unwrap();
    let t = tables(&doc);
    assert_eq!(t.len(), 1);
    assert_eq!(row(t[0], 1)[0], "Handlingsplan för Bromma 2019–2022");
    assert_eq!(row(t[0], 2)[0], "Uppföljning T2 2021");
    assert_eq!(
        row(t[0], 4),
        strings(&["Metoder och arbetssätt", "Status 31/8 2021", "ID"])
    );
    assert_eq!(row(t[0], 5), template.rows[0]);
    assert_eq!(row(t[0], 6), template.rows[1]);
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"sqref="B5:B5006""#), "{sheet}");
    assert!(
        sheet.contains(r#"ySplit="4""#),
        "frozen under the headings: {sheet}"
    );
}

#[test]
fn writers_take_empty_reports() {
    let empty = Report::default();
    for bytes in [
        write_xlsx(&empty).unwrap(),
        write_docx(&empty).unwrap(),
        write_csv(&empty).unwrap(),
        write_template(&Template::default()).unwrap(),
    ] {
        read(&bytes, &Limits::default()).unwrap();
    }
}

// --- No input panics -------------------------------------------------------------------------

const VALID: &[&str] = &[
    "bromma-2019-2022.docx",
    "spanga-tensta-uppfoljning-t2-2021.docx",
    "spanga-tensta-uppfoljning-t2-2021-windows1252.csv",
    "skarpnack-2020.xlsx",
    "skarpnack-2022.xlsx",
    "formula-with-value.xlsx",
    "bad/encrypted.xlsx",
    "bad/old-binary.xls",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn read_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read(&bytes, &Limits::default());
    }

    #[test]
    fn read_never_panics_on_arbitrary_bytes_behind_a_known_signature(
        magic in prop::sample::select(vec![&b"PK\x03\x04"[..], &b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"[..], &b"\xEF\xBB\xBF"[..]]),
        rest in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = magic.to_vec();
        bytes.extend(rest);
        let _ = read(&bytes, &Limits::default());
    }

    #[test]
    fn read_never_panics_on_mutated_valid_files(
        file in prop::sample::select(VALID.to_vec()),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = fixture(file);
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = read(&bytes, &Limits::default());
    }
}

/// `file` with the part `part` replaced by `edit(part)`, re-zipped: the parsers, not the
/// ZIP reader, see the damage.
fn with_part(file: &str, part: &str, mut edit: impl FnMut(&mut Vec<u8>)) -> Vec<u8> {
    let bytes = fixture(file);
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name == part {
            edit(&mut data);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, &data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn read_never_panics_on_damaged_xml_inside_valid_containers(
        target in prop::sample::select(vec![
            ("skarpnack-2020.xlsx", "xl/worksheets/sheet1.xml"),
            ("skarpnack-2020.xlsx", "xl/sharedStrings.xml"),
            ("skarpnack-2020.xlsx", "xl/workbook.xml"),
            ("skarpnack-2020.xlsx", "xl/styles.xml"),
            ("formula-with-value.xlsx", "xl/worksheets/sheet1.xml"),
            ("bromma-2019-2022.docx", "word/document.xml"),
            ("bromma-2019-2022.docx", "word/styles.xml"),
            ("spanga-tensta-uppfoljning-t2-2021.docx", "word/document.xml"),
        ]),
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(b"<>/\"'=&;: 0123456789-abcrvw\x00\xff".to_vec())),
            1..6,
        ),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let (file, part) = target;
        let bytes = with_part(file, part, |data| {
            for (at, value) in &edits {
                let i = at.index(data.len());
                data[i] = *value;
            }
            if truncate {
                data.truncate(cut.index(data.len()));
            }
        });
        let _ = read(&bytes, &Limits::default());
    }
}

#[test]
fn huge_spans_and_merges_are_counted_not_allocated() {
    // A Word cell spanning a billion grid columns.
    let bytes = with_part("bromma-2019-2022.docx", "word/document.xml", |data| {
        let xml = String::from_utf8(data.clone()).unwrap();
        *data = xml
            .replacen("<w:tcPr>", r#"<w:tcPr><w:gridSpan w:val="1000000000"/>"#, 1)
            .into_bytes();
    });
    assert_eq!(
        read(&bytes, &Limits::default()).unwrap_err(),
        FileError::TooManyCells { limit: 1_000_000 }
    );
    // An Excel merge over the whole sheet is clipped to the used area.
    let bytes = with_part("skarpnack-2020.xlsx", "xl/worksheets/sheet1.xml", |data| {
        let xml = String::from_utf8(data.clone()).unwrap();
        *data = xml
            .replacen(
                r#"<mergeCell ref="A2:G2"/>"#,
                r#"<mergeCell ref="A2:XFD1048576"/>"#,
                1,
            )
            .into_bytes();
    });
    let doc = read(&bytes, &Limits::default()).unwrap();
    let t = tables(&doc)[0];
    assert_eq!(t.rows.last().unwrap().number, 17);
    assert_eq!(t.rows[0].cells.len(), 7);
}
