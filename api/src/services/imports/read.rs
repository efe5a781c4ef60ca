//! Reading a plan's table out of a [`Document`]: which columns the headings name, which
//! rows are data, the title, and the priority and focus areas each row falls under. Pure:
//! no database, so every rule is tested on hand-built documents.

use std::collections::HashMap;

use entity::enums::Term;

use super::{Problem, ProblemCode, key, words};
use crate::files::{Block, Document, Row};

/// A column the importer understands, named by its heading as the documents write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// "Prioriterad utgångspunkt": the priority area.
    Priority,
    /// "Område": the focus area.
    Focus,
    /// "Mål och nytta": the goal.
    Goal,
    /// "Metoder och arbetssätt" (also "arbetsätt"): the description, where methods are found.
    Description,
    /// "Ansvarig": who carries the row.
    Responsible,
    /// "Tidplan" / "Tidsplan": the timeline, and the years read from it.
    Timeline,
    /// "Uppföljning": the follow-up schedule, and the terms read from it.
    Schedule,
    /// "Status …" (e.g. "Status 31/8 2021"): a follow-up's status.
    Status,
    /// "Effekter och resultat": a follow-up's effects.
    Effects,
    /// "ID": the activity's global ID, as our exports write it.
    Id,
    /// "Version": the activity's (or follow-up's) version, as our exports write it.
    Version,
}

impl Column {
    /// A plan's columns in the documents' order ("Prioriterad utgångspunkt | Område | Mål
    /// och nytta | Metoder och arbetssätt | Ansvarig | Tidplan | Uppföljning"): what the
    /// action-plan export and the plan import's template write.
    pub const PLAN: [Self; 7] = [
        Self::Priority,
        Self::Focus,
        Self::Goal,
        Self::Description,
        Self::Responsible,
        Self::Timeline,
        Self::Schedule,
    ];

    /// A follow-up document's columns in its order: the plan's up to "Tidplan", then the
    /// period's status ("Status 31/8 2021") and "Effekter och resultat" — the follow-up
    /// report's columns.
    pub const FOLLOW_UP: [Self; 8] = {
        let mut columns = [Self::Status; 8];
        let mut i = 0;
        while i < 6 {
            columns[i] = Self::PLAN[i];
            i += 1;
        }
        columns[7] = Self::Effects;
        columns
    };

    /// The columns a follow-up import needs filled in ("Metoder och arbetssätt", the
    /// status, "Effekter och resultat"), in the follow-up template's order; a template of a
    /// plan's rows adds "ID" and "Version" at the right.
    pub const FOLLOW_UP_TEMPLATE: [Self; 3] = [Self::Description, Self::Status, Self::Effects];

    /// The heading as the documents write it: what the exports and templates write, and
    /// what messages name. The status column's is "Status"; a file of a period names it
    /// ("Status 31/8 2021", `services::exports::status_heading`).
    pub fn heading(self) -> &'static str {
        match self {
            Self::Priority => "Prioriterad utgångspunkt",
            Self::Focus => "Område",
            Self::Goal => "Mål och nytta",
            Self::Description => "Metoder och arbetssätt",
            Self::Responsible => "Ansvarig",
            Self::Timeline => "Tidplan",
            Self::Schedule => "Uppföljning",
            Self::Status => "Status",
            Self::Effects => "Effekter och resultat",
            Self::Id => "ID",
            Self::Version => "Version",
        }
    }
}

/// The column a heading names: case, whitespace, line breaks and hyphenation do not
/// matter ("Prioriterad \nutgångspunkt", "Metoder och arbets-sätt"); `None` for any other
/// heading.
pub fn column_of(heading: &str) -> Option<Column> {
    let k = key(heading);
    Some(match k.as_str() {
        "prioriteradutgångspunkt" | "prioriteradeutgångspunkter" => Column::Priority,
        "område" | "fokusområde" => Column::Focus,
        "målochnytta" => Column::Goal,
        "metoderocharbetssätt" | "metoderocharbetsätt" | "metoderocharbetssatt" => {
            Column::Description
        }
        "ansvarig" | "ansvariga" => Column::Responsible,
        "tidplan" | "tidsplan" => Column::Timeline,
        "uppföljning" => Column::Schedule,
        "effekterochresultat" => Column::Effects,
        "id" => Column::Id,
        "version" => Column::Version,
        k if k.starts_with("status") => Column::Status,
        _ => return None,
    })
}

/// The period a status heading names: "Status 31/8 2021" → 2021 T2 (31 August ends T2,
/// 30 April T1, 31 December the year), "Status T1 2022" → 2022 T1.
pub fn period_of_status(heading: &str) -> Option<(i32, Term)> {
    let lower = heading.to_lowercase();
    let year = years_in(&lower).into_iter().next()?;
    let term = if lower.contains("31/8") || lower.contains("31 aug") || has_token(&lower, "t2") {
        Term::T2
    } else if lower.contains("30/4") || lower.contains("30 apr") || has_token(&lower, "t1") {
        Term::T1
    } else if lower.contains("31/12") || has_token(&lower, "vb") || lower.contains("årsrapport") {
        Term::Annual
    } else {
        return None;
    };
    Some((year, term))
}

/// Every year 2000–2099 written in `text`, in order.
pub fn years_in(text: &str) -> Vec<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= chars.len() {
        let window = &chars[i..i + 4];
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 4);
        if window[0] == '2'
            && window[1] == '0'
            && window.iter().all(char::is_ascii_digit)
            && !before.is_some_and(char::is_ascii_digit)
            && !after.is_some_and(char::is_ascii_digit)
        {
            let year: String = window.iter().collect();
            if let Ok(y) = year.parse() {
                out.push(y);
                i += 4;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The years a timeline covers: the first and last year written ("2020-2022" → 2020,
/// 2022; "Våren 2021" → 2021, 2021); "sedan våren 2020" → from 2020, no end; none
/// written → none.
pub fn timeline_years(timeline: &str) -> (Option<i32>, Option<i32>) {
    let years = years_in(timeline);
    let (Some(first), Some(last)) = (years.iter().min(), years.iter().max()) else {
        return (None, None);
    };
    if words(timeline).iter().any(|w| w == "sedan") {
        return (Some(*first), None);
    }
    (Some(*first), Some(*last))
}

fn has_token(lower: &str, token: &str) -> bool {
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|part| part == token)
}

/// The reporting points a follow-up schedule names: `T1`, `T2`, and the year's report
/// (`VB` = verksamhetsberättelse, "årlig"/"årligen") — "Löpande i T1,T2 och VB" → T1, T2,
/// ANNUAL; "I samband med …" → none.
pub fn schedule_terms(schedule: &str) -> Vec<Term> {
    let lower = schedule.to_lowercase();
    let mut terms = Vec::new();
    if has_token(&lower, "t1") {
        terms.push(Term::T1);
    }
    if has_token(&lower, "t2") {
        terms.push(Term::T2);
    }
    if has_token(&lower, "vb")
        || lower.contains("verksamhetsberättelse")
        || lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.starts_with("årlig"))
    {
        terms.push(Term::Annual);
    }
    terms
}

/// One data row: its cells by column, and the priority and focus areas it falls under
/// (its own cells, else the row above's, else a preceding "Prioriterad utgångspunkt: X").
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetRow {
    /// The row's number as a user finds it (see [`Row::number`]).
    pub number: usize,
    /// The cells of the understood columns, trimmed; blank cells are absent.
    pub cells: HashMap<Column, String>,
    /// The priority area's name as written (own, carried down, or from a paragraph).
    pub priority: Option<String>,
    /// The focus area's name as written (own, or carried down under the same priority).
    pub focus: Option<String>,
}

impl SheetRow {
    /// The cell of `column`, if not blank.
    pub fn cell(&self, column: Column) -> Option<&str> {
        self.cells.get(&column).map(String::as_str)
    }
}

/// What was read from a file: the title, the data rows, the headings found and the
/// problems of the layout (unknown columns, no table).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    /// The plan's title as the file writes it: the first paragraph (or title row) that
    /// names a plan ("… handlingsplan …", "… åtgärdsplan …"), else the first paragraph,
    /// else the sheet's name.
    pub title: Option<String>,
    /// The data rows, top to bottom.
    pub rows: Vec<SheetRow>,
    /// The columns found, each with its heading as first written.
    pub headings: HashMap<Column, String>,
    /// The period the status heading names, e.g. "Status 31/8 2021" → 2021 T2.
    pub status_period: Option<(i32, Term)>,
    /// Layout problems (unknown columns; no heading row).
    pub problems: Vec<Problem>,
}

/// "Prioriterad utgångspunkt: *X*" (also with `;`) → "X".
fn priority_paragraph(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let lower = trimmed.to_lowercase();
    let rest = lower.strip_prefix("prioriterad utgångspunkt")?;
    let skip = trimmed.len() - rest.len();
    let rest = trimmed.get(skip..)?.trim_start();
    let rest = rest.strip_prefix([':', ';', '–', '-'])?;
    let name = clean_area(rest);
    (!name.is_empty()).then_some(name)
}

/// An area's name as a cell writes it, without emphasis marks and "Forts." (continued).
fn clean_area(text: &str) -> String {
    let t = text
        .trim()
        .trim_matches(|c: char| c == '*' || c == '_')
        .trim();
    let t = t
        .strip_prefix("Forts.")
        .or_else(|| t.strip_prefix("forts."))
        .unwrap_or(t);
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a paragraph reads as a plan's title.
fn names_a_plan(text: &str) -> bool {
    let lower = text.to_lowercase();
    !lower.starts_with("uppföljning")
        && (lower.contains("handlingsplan") || lower.contains("åtgärdsplan"))
}

/// A heading row: its columns by cell index, and its other headings (index, text).
type HeadingRow = (HashMap<usize, Column>, Vec<(usize, String)>);

/// The heading row's columns (by cell index), or `None` when `row` is no heading row: it
/// must name "Metoder och arbetssätt" (or "ID") and at least one other known column. A blank
/// heading cell keeps the column the previous heading row gave its place (a repeated
/// heading row in a follow-up writes "Status 31/8 2021" only once).
fn heading_row(row: &Row, previous: Option<&HashMap<usize, Column>>) -> Option<HeadingRow> {
    let mut columns = HashMap::new();
    let mut unknown = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        if cell.trim().is_empty() {
            continue;
        }
        match column_of(cell) {
            Some(c) => {
                columns.insert(i, c);
            }
            None => unknown.push((i, cell.trim().to_owned())),
        }
    }
    // "Metoder och arbetssätt" names a plan's rows; an exported file's "ID" does too.
    let describes = columns
        .values()
        .any(|c| matches!(c, Column::Description | Column::Id));
    if !describes || columns.len() < 2 {
        return None;
    }
    // A merged heading cell repeats its text: keep the first place only.
    let mut seen = std::collections::HashSet::new();
    let mut places: Vec<_> = columns.into_iter().collect();
    places.sort();
    let mut columns: HashMap<usize, Column> = places
        .into_iter()
        .filter(|(_, c)| seen.insert(*c))
        .collect();
    if let Some(previous) = previous {
        for (i, c) in previous {
            let blank = row.cells.get(*i).is_none_or(|t| t.trim().is_empty());
            if blank && !columns.values().any(|have| have == c) {
                columns.insert(*i, *c);
            }
        }
    }
    Some((columns, unknown))
}

/// Read `doc`'s plan table: find the heading rows (in any table, in any order of
/// columns), keep the data rows under them, and carry the priority and focus areas down.
pub fn read_sheet(doc: &Document) -> Sheet {
    let mut sheet = Sheet::default();
    let mut first_paragraph: Option<String> = None;
    let mut sheet_name: Option<String> = None;
    let mut priority: Option<String> = None;
    let mut focus: Option<String> = None;
    let mut unknown_seen = std::collections::HashSet::new();
    let mut columns: Option<HashMap<usize, Column>> = None;

    let mut paragraph = |text: &str,
                         sheet: &mut Sheet,
                         priority: &mut Option<String>,
                         focus: &mut Option<String>| {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if let Some(p) = priority_paragraph(text) {
            *priority = Some(p);
            *focus = None;
            return;
        }
        let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if first_paragraph.is_none() {
            first_paragraph = Some(one_line.clone());
        }
        if sheet.title.is_none() && names_a_plan(&one_line) && sheet.rows.is_empty() {
            sheet.title = Some(one_line);
        }
    };

    for block in &doc.blocks {
        match block {
            Block::Paragraph(text) => paragraph(text, &mut sheet, &mut priority, &mut focus),
            Block::Table(table) => {
                if sheet_name.is_none() {
                    sheet_name = table.name.clone().filter(|n| !n.trim().is_empty());
                }
                // Each sheet (XLSX) or Word table starts without columns, unless it
                // continues the previous table (a Word table broken by the page).
                for row in &table.rows {
                    if let Some((found, unknown)) = heading_row(row, columns.as_ref()) {
                        for (i, c) in &found {
                            let heading = row.cells.get(*i).map(|t| t.trim()).unwrap_or("");
                            if !heading.is_empty() {
                                sheet
                                    .headings
                                    .entry(*c)
                                    .or_insert_with(|| one_line(heading));
                                if *c == Column::Status && sheet.status_period.is_none() {
                                    sheet.status_period = period_of_status(heading);
                                }
                            }
                        }
                        for (_, heading) in unknown {
                            let heading = one_line(&heading);
                            if unknown_seen.insert(key(&heading)) {
                                sheet.problems.push(Problem {
                                    row: Some(row.number),
                                    column: Some(heading.clone()),
                                    code: ProblemCode::UnknownColumn,
                                    message: format!(
                                        "the column \"{heading}\" is not one the import reads; it was ignored"
                                    ),
                                });
                            }
                        }
                        columns = Some(found);
                        continue;
                    }
                    let non_empty: Vec<&str> = row
                        .cells
                        .iter()
                        .map(|c| c.trim())
                        .filter(|c| !c.is_empty())
                        .collect();
                    if non_empty.is_empty() {
                        continue;
                    }
                    // A row of one text (a title row, or a section heading merged across
                    // the table): a paragraph.
                    if non_empty.iter().all(|c| *c == non_empty[0])
                        && (non_empty.len() > 1 || columns.is_none() || row.cells.len() == 1)
                    {
                        paragraph(non_empty[0], &mut sheet, &mut priority, &mut focus);
                        continue;
                    }
                    let Some(map) = &columns else {
                        // Before any heading row: a title row has one cell of text.
                        if non_empty.len() == 1 {
                            paragraph(non_empty[0], &mut sheet, &mut priority, &mut focus);
                        }
                        continue;
                    };
                    let mut cells = HashMap::new();
                    for (i, c) in map {
                        if let Some(text) = row.cells.get(*i).map(|t| t.trim())
                            && !text.is_empty()
                        {
                            cells.insert(*c, tidy(text));
                        }
                    }
                    if cells.is_empty() {
                        continue;
                    }
                    if let Some(p) = cells.get(&Column::Priority) {
                        let p = clean_area(p);
                        if priority.as_ref().is_none_or(|old| key(old) != key(&p)) {
                            focus = None;
                        }
                        priority = Some(p);
                    }
                    if let Some(f) = cells.get(&Column::Focus) {
                        focus = Some(clean_area(f));
                    }
                    let only_areas = cells
                        .keys()
                        .all(|c| matches!(c, Column::Priority | Column::Focus));
                    if only_areas {
                        // A row naming only the areas heads the rows below it.
                        continue;
                    }
                    sheet.rows.push(SheetRow {
                        number: row.number,
                        cells,
                        priority: priority.clone(),
                        focus: focus.clone(),
                    });
                }
            }
        }
    }
    if sheet.title.is_none() {
        sheet.title = first_paragraph.or(sheet_name);
    }
    if sheet.headings.is_empty() {
        sheet.problems.push(Problem {
            row: None,
            column: None,
            code: ProblemCode::NoTable,
            message: "no table with the plan's columns was found: the heading row must name \
                      \"Metoder och arbetssätt\" and at least one other column (\"Prioriterad \
                      utgångspunkt\", \"Område\", \"Mål och nytta\", \"Ansvarig\", \"Tidplan\", \
                      \"Uppföljning\")"
                .into(),
        });
    }
    sheet
}

/// A heading on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A cell's text: each line trimmed, runs of spaces made one, blank lines at the ends
/// dropped (line breaks inside are kept, as Word and Excel wrote them).
pub fn tidy(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(one_line).collect();
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |e| e + 1);
    lines.get(start..end).unwrap_or_default().join("\n")
}
