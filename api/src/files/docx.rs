//! DOCX → paragraphs and tables, with docx-rs's reader (`read_docx`).
//!
//! The body's blocks in order: a paragraph gives its text (empty ones are left out), a table
//! its rows; content controls (`w:sdt`) are looked into. A paragraph's text is its runs'
//! text (also inside insertions, hyperlinks and moved-to text; deletions are left out), a
//! `w:br`/`w:cr` is `\n`, a tab `\t`. A table cell's text is its paragraphs joined by `\n`
//! (a table nested in a cell gives its paragraphs too).
//!
//! Merged cells: every row gets the table grid's column count (`w:tblGrid`; wider when a
//! row is wider); a cell spanning columns (`w:gridSpan`) repeats its text in each; a cell
//! continuing a vertical merge (`w:vMerge` without `restart`) takes the text of the merge's
//! first cell above it. Rows are numbered across all tables of the document from 1; fully
//! empty rows are left out (their numbers are not reused).
//!
//! docx-rs loops forever on some damaged XML (a part cut short: its readers wait for an end
//! tag that never comes), so every XML part of the container is first checked to be
//! well-formed with quick-xml (tags balanced up to the end); a part that is not →
//! [`FileError::Corrupt`]. (calamine, reading XLSX, stops at a cut-short part by itself.)
//!
//! docx-rs keeps `gridSpan`, `vMerge` and `gridBefore` in private fields; they are read
//! through the crate's public serialization (the JSON model it offers for its own readers).

use docx_rs::{
    DocumentChild, InsertChild, MoveToChild, Paragraph, ParagraphChild, Run, RunChild,
    StructuredDataTagChild, Table as DocxTable, TableCellContent, TableChild, TableRowChild,
};

use super::xlsx::normalize_breaks;
use super::{Block, FileError, Limits, Row, Table};

/// Nesting deeper than this (tables in cells in tables, content controls in content
/// controls) is not looked into: no real document goes near it.
const MAX_DEPTH: usize = 16;

struct Reader<'a> {
    limits: &'a Limits,
    /// Cells handed out so far.
    cells: usize,
    /// Table rows met so far (the next row's number is this + 1).
    rows: usize,
    blocks: Vec<Block>,
}

pub(super) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Block>, FileError> {
    check_well_formed(bytes)?;
    let docx = docx_rs::read_docx(bytes)
        .map_err(|e| FileError::Corrupt(format!("the Word document cannot be read: {e}")))?;
    let mut reader = Reader {
        limits,
        cells: 0,
        rows: 0,
        blocks: Vec::new(),
    };
    for child in &docx.document.children {
        match child {
            DocumentChild::Paragraph(p) => reader.paragraph(p),
            DocumentChild::Table(t) => reader.table(t)?,
            DocumentChild::StructuredDataTag(sdt) => reader.sdt(&sdt.children, 0)?,
            _ => {}
        }
    }
    Ok(reader.blocks)
}

/// Every `.xml` and `.rels` part of the container parses to its end with balanced tags.
fn check_well_formed(bytes: &[u8]) -> Result<(), FileError> {
    use quick_xml::events::Event;

    let damaged = |part: &str, why: &dyn std::fmt::Display| {
        FileError::Corrupt(format!(
            "the Word document is damaged (its part {part}: {why}): open it in Word or \
             LibreOffice, save it again and upload that"
        ))
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| FileError::Corrupt(format!("the Word document cannot be read: {e}")))?;
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| FileError::Corrupt(format!("the Word document cannot be read: {e}")))?;
        let part = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if !(part.ends_with(".xml") || part.ends_with(".rels")) {
            continue;
        }
        let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
        xml.config_mut().check_end_names = true;
        let mut buf = Vec::new();
        let mut depth: usize = 0;
        let mut roots: usize = 0;
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(_)) => {
                    if depth == 0 {
                        roots += 1;
                    }
                    depth += 1;
                }
                Ok(Event::Empty(_)) if depth == 0 => roots += 1,
                Ok(Event::End(_)) => depth = depth.saturating_sub(1),
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(damaged(&part, &e)),
            }
        }
        if depth != 0 || roots != 1 {
            return Err(damaged(&part, &"it ends before its last element closes"));
        }
    }
    Ok(())
}

impl Reader<'_> {
    fn paragraph(&mut self, p: &Paragraph) {
        let text = paragraph_text(p);
        if !text.trim().is_empty() {
            self.blocks.push(Block::Paragraph(text));
        }
    }

    fn sdt(&mut self, children: &[StructuredDataTagChild], depth: usize) -> Result<(), FileError> {
        if depth > MAX_DEPTH {
            return Ok(());
        }
        for child in children {
            match child {
                StructuredDataTagChild::Paragraph(p) => self.paragraph(p),
                StructuredDataTagChild::Table(t) => self.table(t)?,
                StructuredDataTagChild::StructuredDataTag(s) => self.sdt(&s.children, depth + 1)?,
                StructuredDataTagChild::Run(r) => {
                    let mut text = String::new();
                    run_text(r, &mut text);
                    if !text.trim().is_empty() {
                        self.blocks.push(Block::Paragraph(text));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn table(&mut self, table: &DocxTable) -> Result<(), FileError> {
        let too_many = FileError::TooManyCells {
            limit: self.limits.max_cells,
        };
        let grid = table.grid.len().max(1);
        // Per grid column: the text of the vertical merge going on there, if any.
        let mut merge: Vec<Option<String>> = vec![None; grid];
        let mut rows = Vec::new();
        for TableChild::TableRow(row) in &table.rows {
            self.rows += 1;
            let mut cells: Vec<String> = vec![String::new(); grid];
            let mut col = json_usize(&row.property, "gridBefore").unwrap_or(0);
            for TableRowChild::TableCell(cell) in &row.cells {
                let span = json_usize(&cell.property, "gridSpan").unwrap_or(1).max(1);
                let vmerge = serde_json::to_value(&cell.property)
                    .ok()
                    .and_then(|v| v.get("verticalMerge")?.as_str().map(str::to_owned));
                let end = col.saturating_add(span);
                if end > self.limits.max_cells {
                    return Err(too_many);
                }
                if end > cells.len() {
                    cells.resize(end, String::new());
                }
                if end > merge.len() {
                    merge.resize(end, None);
                }
                let text = match vmerge.as_deref() {
                    Some("continue") => merge[col].clone().unwrap_or_default(),
                    _ => cell_text(&cell.children, 0),
                };
                for c in col..end {
                    cells[c].clone_from(&text);
                    merge[c] = match vmerge.as_deref() {
                        Some("restart") | Some("continue") => Some(text.clone()),
                        _ => None,
                    };
                }
                col = end;
            }
            // Grid columns this row has no cell for end any vertical merge there.
            for m in merge.iter_mut().skip(col) {
                *m = None;
            }
            self.cells = self.cells.saturating_add(cells.len());
            if self.cells > self.limits.max_cells {
                return Err(too_many);
            }
            if cells.iter().any(|c| !c.trim().is_empty()) {
                rows.push(Row {
                    number: self.rows,
                    cells,
                });
            }
        }
        let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        for row in &mut rows {
            row.cells.resize(width, String::new());
        }
        self.blocks.push(Block::Table(Table { name: None, rows }));
        Ok(())
    }
}

/// A number in the JSON form of a docx-rs property (its private fields, e.g. `gridSpan`).
fn json_usize<T: serde::Serialize>(property: &T, key: &str) -> Option<usize> {
    let value = serde_json::to_value(property).ok()?;
    usize::try_from(value.get(key)?.as_u64()?).ok()
}

/// A cell's paragraphs joined by `\n` (nested tables' paragraphs included).
fn cell_text(children: &[TableCellContent], depth: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for child in children {
        match child {
            TableCellContent::Paragraph(p) => lines.push(paragraph_text(p)),
            TableCellContent::Table(t) if depth < MAX_DEPTH => {
                for TableChild::TableRow(row) in &t.rows {
                    for TableRowChild::TableCell(cell) in &row.cells {
                        let text = cell_text(&cell.children, depth + 1);
                        if !text.is_empty() {
                            lines.push(text);
                        }
                    }
                }
            }
            TableCellContent::StructuredDataTag(sdt) => {
                for c in &sdt.children {
                    match c {
                        StructuredDataTagChild::Paragraph(p) => lines.push(paragraph_text(p)),
                        StructuredDataTagChild::Run(r) => {
                            let mut text = String::new();
                            run_text(r, &mut text);
                            lines.push(text);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    // Trailing empty paragraphs (Word always ends a cell with one) are not text.
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// A paragraph's text: runs, insertions, hyperlinks, moved-to text; breaks as `\n`.
fn paragraph_text(p: &Paragraph) -> String {
    let mut text = String::new();
    children_text(&p.children, &mut text, 0);
    normalize_breaks(&text)
}

fn children_text(children: &[ParagraphChild], text: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for child in children {
        match child {
            ParagraphChild::Run(r) => run_text(r, text),
            ParagraphChild::Insert(i) => {
                for c in &i.children {
                    if let InsertChild::Run(r) = c {
                        run_text(r, text);
                    }
                }
            }
            ParagraphChild::MoveTo(m) => {
                for c in &m.children {
                    if let MoveToChild::Run(r) = c {
                        run_text(r, text);
                    }
                }
            }
            ParagraphChild::Hyperlink(h) => children_text(&h.children, text, depth + 1),
            ParagraphChild::StructuredDataTag(sdt) => {
                for c in &sdt.children {
                    match c {
                        StructuredDataTagChild::Run(r) => run_text(r, text),
                        StructuredDataTagChild::Paragraph(p) => {
                            children_text(&p.children, text, depth + 1)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

fn run_text(run: &Run, text: &mut String) {
    for c in &run.children {
        match c {
            RunChild::Text(t) => text.push_str(&t.text),
            RunChild::Tab(_) | RunChild::PTab(_) => text.push('\t'),
            RunChild::Break(_) | RunChild::CarriageReturn(_) => text.push('\n'),
            _ => {}
        }
    }
}
